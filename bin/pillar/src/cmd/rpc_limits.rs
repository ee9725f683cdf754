//! `--rpc-*` limit flags shared by `pillar node` and `pillar devnet`: each overrides the `[rpc]`
//! setting of the same name (docs/operations.md, "RPC limits").

use pillar_node::RpcSection;

#[derive(clap::Args, Debug)]
pub(crate) struct RpcLimitFlags {
    /// Override `rpc.max_request_body`: largest request body in bytes (beyond: HTTP 413).
    #[arg(long)]
    rpc_max_request_body: Option<u32>,
    /// Override `rpc.max_batch_len`: most requests in one JSON-RPC batch.
    #[arg(long)]
    rpc_max_batch_len: Option<u32>,
    /// Override `rpc.max_connections`: most open connections (beyond: HTTP 429).
    #[arg(long)]
    rpc_max_connections: Option<u32>,
    /// Override `rpc.max_connections_per_ip`: most open connections from one address (an IPv6
    /// /64 counts as one; beyond: HTTP 429).
    #[arg(long)]
    rpc_max_connections_per_ip: Option<u32>,
    /// Override `rpc.body_timeout_secs`: seconds a request body may take after its headers
    /// (beyond: HTTP 408).
    #[arg(long)]
    rpc_body_timeout_secs: Option<u64>,
    /// Override `rpc.idle_timeout_secs`: seconds an HTTP connection may wait for its next
    /// request, and a WebSocket may stay with no call and no subscription.
    #[arg(long)]
    rpc_idle_timeout_secs: Option<u64>,
    /// Override `rpc.write_timeout_secs`: seconds a client may take none of the bytes sent to it.
    #[arg(long)]
    rpc_write_timeout_secs: Option<u64>,
    /// Override `rpc.ws_ping_interval_secs`: seconds between WebSocket pings.
    #[arg(long)]
    rpc_ws_ping_interval_secs: Option<u64>,
    /// Override `rpc.max_ws_send_buffer`: bytes that may wait for a WebSocket client behind the
    /// message being sent (beyond: close 1008).
    #[arg(long)]
    rpc_max_ws_send_buffer: Option<u32>,
}

impl RpcLimitFlags {
    /// Writes the given flags into `rpc`.
    pub(crate) fn apply(&self, rpc: &mut RpcSection) {
        set(&mut rpc.max_request_body, self.rpc_max_request_body);
        set(&mut rpc.max_batch_len, self.rpc_max_batch_len);
        set(&mut rpc.max_connections, self.rpc_max_connections);
        set(&mut rpc.max_connections_per_ip, self.rpc_max_connections_per_ip);
        set(&mut rpc.body_timeout_secs, self.rpc_body_timeout_secs);
        set(&mut rpc.idle_timeout_secs, self.rpc_idle_timeout_secs);
        set(&mut rpc.write_timeout_secs, self.rpc_write_timeout_secs);
        set(&mut rpc.ws_ping_interval_secs, self.rpc_ws_ping_interval_secs);
        set(&mut rpc.max_ws_send_buffer, self.rpc_max_ws_send_buffer);
    }
}

fn set<T>(dst: &mut T, flag: Option<T>) {
    if let Some(v) = flag {
        *dst = v;
    }
}
