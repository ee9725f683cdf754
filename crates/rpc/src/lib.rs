//! Pillar's JSON-RPC 2.0 server: HTTP and WebSocket on one port (jsonrpsee).
//!
//! - `pillar_*`: submit signed transactions (canonical bytes or EIP-712 JSON), read
//!   transactions, receipts, blocks, accounts, module queries and state proofs, chain info; and
//!   WebSocket subscriptions for new blocks and for one transaction's receipt.
//! - `eth_*` / `net_*`: a read-only subset for Ethereum tooling, whose block numbers, hashes,
//!   state roots and timestamps are the chain's own.
//!
//! - `pillar_getEvents` (events across blocks, e.g. a compliance audit trail) and
//!   `pillar_getBatches` (the batches the node put on L1).
//! - `GET /explorer`: a block explorer built into the binary (HTML, CSS and JavaScript, no build
//!   step), talking to this same server over HTTP and WebSocket.
//! - `GET /metrics`: Prometheus text (heights per head, pool, health, and the role's counters).
//! - `pillar_health`, also served as `GET /health` (HTTP 200 when healthy, 500 otherwise), and
//!   `pillar_getRawBlock` / `pillar_subscribeRawBlocks`, the canonical block bytes a replica's
//!   sequencer feed imports.
//!
//! Request bodies, responses, batches, connections (in all and per address) and what waits for a
//! WebSocket client (in bytes) are bounded, and slow or idle clients are timed out ([`RpcConfig`];
//! docs/operations.md, "RPC limits"). Errors carry stable codes; the list is in docs/rpc.md.

mod accept;
mod body;
mod conn;
mod error;
mod eth;
mod explorer;
mod history;
mod json;
mod metrics;
mod pillar;
mod routes;
mod server;
mod sink;
mod socket;
mod status;
mod subscriptions;

pub use error::codes;
pub use metrics::{write_histogram, write_metric};
pub use server::{RpcConfig, RpcHandle, start, start_with_status};
pub use sink::{Production, TxSink};
pub use status::{Health, NodeStatus};

use std::sync::Arc;

use pillar_chain::Chain;

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct Ctx {
    seq: Arc<dyn TxSink>,
    chain: Arc<Chain>,
    status: Arc<dyn NodeStatus>,
}
