//! Server start-up and limits.

use crate::TxSink;
use std::{net::SocketAddr, sync::Arc, time::Duration};

use jsonrpsee::server::middleware::{http::ProxyGetRequestLayer, rpc::RpcServiceBuilder};
use jsonrpsee::{
    Methods, RpcModule,
    server::{BatchRequestConfig, PingConfig, Server, ServerConfig, ServerHandle, stop_channel},
};
use pillar_chain::Chain;
use tokio::net::TcpListener;
use tracing::info;

use crate::{
    Ctx, NodeStatus, accept,
    body::BodyLimits,
    conn::{Activity, RpcStats},
    eth, history,
    metrics::MetricsSource,
    pillar,
    routes::RoutesLayer,
    socket::SocketLimits,
    subscriptions,
};

/// Server limits.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Address to listen on (HTTP and WebSocket).
    pub listen: SocketAddr,
    /// Largest request body in bytes.
    pub max_request_body: u32,
    /// Largest response body in bytes.
    pub max_response_body: u32,
    /// Most requests in one JSON-RPC batch.
    pub max_batch_len: u32,
    /// Most open connections (HTTP keep-alive and WebSocket); beyond, HTTP 429.
    pub max_connections: u32,
    /// Most open connections from one address (an IPv6 /64 counts as one); beyond, HTTP 429.
    pub max_connections_per_ip: u32,
    /// Longest wait for a request body once its headers arrived; then HTTP 408 and close.
    pub body_timeout: Duration,
    /// Longest wait for the next request's headers on an HTTP connection, and longest a WebSocket
    /// may stay with no call in flight and no subscription; then the connection closes.
    pub idle_timeout: Duration,
    /// Longest a client may take none of the bytes sent to it; then the connection is dropped.
    pub write_timeout: Duration,
    /// How often a WebSocket client is pinged; one that answers nothing (no pong, no request) for
    /// two intervals is dropped.
    pub ws_ping_interval: Duration,
    /// Most bytes that may wait for a WebSocket client behind the message being sent; a client
    /// that lets more pile up is sent a close frame (1008) and dropped.
    pub max_ws_send_buffer: u32,
    /// Most subscriptions per WebSocket connection.
    pub max_subscriptions_per_connection: u32,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8545)),
            // Room for a full `pillar_sendTransactions` batch of typed transactions.
            max_request_body: 16 * 1024 * 1024,
            max_response_body: 32 * 1024 * 1024,
            max_batch_len: 1000,
            max_connections: 1024,
            max_connections_per_ip: 64,
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            ws_ping_interval: Duration::from_secs(30),
            // Room for a replica's catch-up requests (16 raw blocks in flight) and notifications at full load.
            max_ws_send_buffer: 64 * 1024 * 1024,
            max_subscriptions_per_connection: 10_000,
        }
    }
}

/// A running server.
pub struct RpcHandle {
    /// Where it listens.
    pub local_addr: SocketAddr,
    handle: ServerHandle,
}

impl RpcHandle {
    /// Stops the server.
    pub fn stop(&self) {
        let _ = self.handle.stop();
    }

    /// Waits until the server has stopped.
    pub async fn stopped(self) {
        self.handle.stopped().await
    }
}

/// Starts the server for `seq` and its chain (a node without L1).
pub async fn start(
    seq: Arc<dyn TxSink>,
    chain: Arc<Chain>,
    config: &RpcConfig,
) -> std::io::Result<RpcHandle> {
    start_with_status(seq, chain, config, Arc::new(crate::status::Standalone)).await
}

/// Starts the server, with `status` answering health and sync questions.
pub async fn start_with_status(
    seq: Arc<dyn TxSink>,
    chain: Arc<Chain>,
    config: &RpcConfig,
    status: Arc<dyn NodeStatus>,
) -> std::io::Result<RpcHandle> {
    let stats = Arc::new(RpcStats::default());
    let routes = RoutesLayer(MetricsSource {
        chain: Arc::clone(&chain),
        seq: Arc::clone(&seq),
        status: Arc::clone(&status),
        rpc: Arc::clone(&stats),
    });
    let mut module = RpcModule::new(Ctx { seq, chain, status });
    let to_io = |e: jsonrpsee::core::RegisterMethodError| std::io::Error::other(e.to_string());
    pillar::register(&mut module).map_err(to_io)?;
    eth::register(&mut module).map_err(to_io)?;
    subscriptions::register(&mut module).map_err(to_io)?;
    history::register(&mut module).map_err(to_io)?;

    let ping = PingConfig::new()
        .ping_interval(config.ws_ping_interval)
        .inactive_limit(2 * config.ws_ping_interval)
        .max_failures(1);
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_body)
        .max_response_body_size(config.max_response_body)
        .set_batch_request_config(BatchRequestConfig::Limit(config.max_batch_len))
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .enable_ws_ping(ping)
        .build();
    let health = ProxyGetRequestLayer::new([("/health", "pillar_health")]).map_err(std::io::Error::other)?;
    let services = Server::builder()
        .set_config(server_config)
        .set_http_middleware(tower::ServiceBuilder::new().layer(routes).layer(health))
        .set_rpc_middleware(RpcServiceBuilder::new().layer_fn(Activity))
        .to_service_builder();
    let methods = Methods::from(module);
    let limits = accept::Limits {
        max_connections: config.max_connections as usize,
        max_per_ip: config.max_connections_per_ip as usize,
        body: BodyLimits { max: config.max_request_body, timeout: config.body_timeout },
        socket: SocketLimits {
            write_timeout: config.write_timeout,
            idle_timeout: config.idle_timeout,
            ws_send_buffer: config.max_ws_send_buffer as usize,
        },
    };
    let listener = TcpListener::bind(config.listen).await?;
    let local_addr = listener.local_addr()?;
    let (stop, handle) = stop_channel();
    let make = move |stop| services.clone().build(methods.clone(), stop);
    tokio::spawn(accept::run(listener, make, stop, limits, stats));
    info!(%local_addr, "JSON-RPC listening (HTTP and WebSocket)");
    Ok(RpcHandle { local_addr, handle })
}
