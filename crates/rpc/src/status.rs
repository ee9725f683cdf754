//! What the node reports about itself beyond the chain: its role, L1 sync and health.

use serde_json::Value;

/// Health of a node, as `/health` and `pillar_health` report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// False when the node is stuck, lagging past its threshold, or diverged.
    pub ok: bool,
    /// One entry per check, with its reason when it fails.
    pub checks: Value,
}

/// Implemented by the node wiring; the RPC server only reads it.
pub trait NodeStatus: Send + Sync + 'static {
    /// `sequencer` or `replica`.
    fn role(&self) -> &'static str;
    /// Current health.
    fn health(&self) -> Health;
    /// Extra facts for `pillar_chainInfo` (L1 sync, derivation counters).
    fn info(&self) -> Value;
    /// Role-specific Prometheus samples appended to `/metrics` (use [`crate::write_metric`]).
    fn metrics(&self) -> String {
        String::new()
    }
    /// The newest `limit` batches this node posted or derived, newest first, as JSON objects
    /// (`pillar_getBatches`); `null` when the node keeps no batch history.
    fn batches(&self, _limit: usize) -> Value {
        Value::Null
    }
    /// Where safe block `height` was derived from L1 (what its output root commits to); `None`
    /// when the block is not safe or the node derives nothing (`pillar_getOutputPreimage`).
    fn derivation_cursor(&self, _height: u64) -> Option<pillar_stf::DerivationCursor> {
        None
    }
}

/// A node without L1: healthy while block production has not halted.
pub(crate) struct Standalone;

impl NodeStatus for Standalone {
    fn role(&self) -> &'static str {
        "sequencer"
    }
    fn health(&self) -> Health {
        Health { ok: true, checks: Value::Object(Default::default()) }
    }
    fn info(&self) -> Value {
        Value::Null
    }
}
