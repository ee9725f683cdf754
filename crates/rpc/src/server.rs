//! Server start-up and limits.

use std::{net::SocketAddr, sync::Arc};

use jsonrpsee::server::middleware::http::ProxyGetRequestLayer;
use jsonrpsee::{
    RpcModule,
    server::{BatchRequestConfig, Server, ServerConfig, ServerHandle},
};
use pillar_chain::Chain;
use pillar_sequencer::Sequencer;
use tracing::info;

use crate::{
    Ctx, NodeStatus, eth, history, metrics::MetricsSource, pillar, routes::RoutesLayer, subscriptions,
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
    /// Most open connections.
    pub max_connections: u32,
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
pub async fn start(seq: Sequencer, chain: Arc<Chain>, config: &RpcConfig) -> std::io::Result<RpcHandle> {
    start_with_status(seq, chain, config, Arc::new(crate::status::Standalone)).await
}

/// Starts the server, with `status` answering health and sync questions.
pub async fn start_with_status(
    seq: Sequencer,
    chain: Arc<Chain>,
    config: &RpcConfig,
    status: Arc<dyn NodeStatus>,
) -> std::io::Result<RpcHandle> {
    let routes = RoutesLayer(MetricsSource {
        chain: Arc::clone(&chain),
        seq: seq.clone(),
        status: Arc::clone(&status),
    });
    let mut module = RpcModule::new(Ctx { seq, chain, status });
    let to_io = |e: jsonrpsee::core::RegisterMethodError| std::io::Error::other(e.to_string());
    pillar::register(&mut module).map_err(to_io)?;
    eth::register(&mut module).map_err(to_io)?;
    subscriptions::register(&mut module).map_err(to_io)?;
    history::register(&mut module).map_err(to_io)?;

    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_body)
        .max_response_body_size(config.max_response_body)
        .set_batch_request_config(BatchRequestConfig::Limit(config.max_batch_len))
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .build();
    let health = ProxyGetRequestLayer::new([("/health", "pillar_health")]).map_err(std::io::Error::other)?;
    let server = Server::builder()
        .set_config(server_config)
        .set_http_middleware(tower::ServiceBuilder::new().layer(routes).layer(health))
        .build(config.listen)
        .await?;
    let local_addr = server.local_addr()?;
    let handle = server.start(module);
    info!(%local_addr, "JSON-RPC listening (HTTP and WebSocket)");
    Ok(RpcHandle { local_addr, handle })
}
