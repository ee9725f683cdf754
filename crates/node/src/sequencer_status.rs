//! A sequencer's status for RPC: health checks (production, progress, batcher), role-specific
//! metrics (L1 queue, batcher totals, backlog, fees) and the batch log `pillar_getBatches` reads.

use std::{sync::Arc, time::Duration};

use parking_lot::Mutex;
use pillar_rpc::{Health, NodeStatus};
use pillar_sequencer::Sequencer;

use crate::{BatchLog, BatcherStats};

/// Pool entries may wait this long for a block before `/health` calls the sequencer stuck.
const STUCK_AFTER: Duration = Duration::from_secs(10);
/// Sealed blocks may wait this long for the batcher before `/health` calls it lagging.
const BATCHER_LAG_AFTER: Duration = Duration::from_secs(120);

/// A sequencer's health (producing, not stuck, batches going out) and its batcher's totals.
pub(crate) struct SequencerStatus {
    seq: Sequencer,
    batcher: Option<BatcherView>,
}

/// What the batcher shares with RPC: its totals and its recent batches.
pub(crate) struct BatcherView {
    pub(crate) stats: Arc<Mutex<BatcherStats>>,
    pub(crate) log: Arc<Mutex<BatchLog>>,
    /// The sequencer's own derivation, which sets its safe head.
    pub(crate) derivation: Arc<crate::ReplicaStatus>,
}

/// Why a sequencer counts as stuck: transactions waiting and no block for [`STUCK_AFTER`] (or 100
/// block times, if longer). `idle` is the time since the last block, or since start.
fn stuck_reason(waiting: usize, idle: Duration, block_time: Duration) -> Option<String> {
    (waiting > 0 && idle > STUCK_AFTER.max(block_time * 100))
        .then(|| format!("{waiting} transactions waiting and no block for {} s", idle.as_secs()))
}

/// Why a batcher counts as lagging: sealed blocks not posted and no progress for
/// [`BATCHER_LAG_AFTER`].
fn batcher_lag_reason(unposted: u64, idle: Duration, last_error: Option<&str>) -> Option<String> {
    (unposted > 0 && idle > BATCHER_LAG_AFTER).then(|| {
        let why = last_error.unwrap_or("no error reported");
        format!("{unposted} blocks not posted to L1 for {} s ({why})", idle.as_secs())
    })
}

impl SequencerStatus {
    pub(crate) fn new(seq: Sequencer, batcher: Option<BatcherView>) -> Self {
        Self { seq, batcher }
    }

    fn stuck(&self) -> Option<String> {
        stuck_reason(self.seq.pool_len(), self.seq.metrics().idle(), self.seq.config().block_time)
    }

    fn batcher_lag(&self) -> Option<String> {
        let b = self.batcher.as_ref()?;
        // Not posted *and derived*: a batch derivation skipped does not count as posted.
        let unposted = self.seq.chain().head().height.saturating_sub(self.seq.chain().heads().safe);
        let log = b.log.lock();
        batcher_lag_reason(unposted, log.last_progress.elapsed(), log.last_error.as_deref())
    }
}

impl NodeStatus for SequencerStatus {
    fn role(&self) -> &'static str {
        "sequencer"
    }

    fn health(&self) -> Health {
        let halted = self.seq.halted();
        let stuck = self.stuck();
        let mut checks = serde_json::json!({
            "production": { "ok": halted.is_none(), "reason": halted },
            "progress": { "ok": stuck.is_none(), "reason": stuck },
        });
        let mut ok = halted.is_none() && stuck.is_none();
        if self.batcher.is_some() {
            let lag = self.batcher_lag();
            ok &= lag.is_none();
            checks["batcher"] = serde_json::json!({ "ok": lag.is_none(), "reason": lag });
            let fatal = self.batcher.as_ref().and_then(|b| b.derivation.fatal.lock().clone());
            ok &= fatal.is_none();
            checks["derivation"] = serde_json::json!({ "ok": fatal.is_none(), "reason": fatal });
        }
        Health { ok, checks }
    }

    fn info(&self) -> serde_json::Value {
        serde_json::json!({ "pendingL1Messages": self.seq.l1_backlog() })
    }

    fn derivation_cursor(&self, height: u64) -> Option<pillar_stf::DerivationCursor> {
        self.batcher.as_ref()?.derivation.cursor(height)
    }

    fn metrics(&self) -> String {
        let mut out = String::new();
        let mut m = |name: &str, kind: &str, help: &str, v: f64| {
            pillar_rpc::write_metric(&mut out, name, kind, help, "", v)
        };
        m(
            "pillar_l1_pending_messages",
            "gauge",
            "L1 queue messages confirmed and not yet in a block",
            self.seq.l1_backlog() as f64,
        );
        if let Some(view) = &self.batcher {
            let b = *view.stats.lock();
            let head = self.seq.chain().head().height;
            m("pillar_batcher_batches_total", "counter", "Batches posted to L1", b.batches as f64);
            m("pillar_batcher_last_block", "gauge", "Highest L2 block posted to L1", b.last_block as f64);
            m(
                "pillar_batcher_backlog_blocks",
                "gauge",
                "Sealed L2 blocks not yet posted to L1",
                head.saturating_sub(b.last_block) as f64,
            );
            m("pillar_batcher_txs_total", "counter", "Signed transactions posted to L1", b.txs as f64);
            m("pillar_batcher_bytes_total", "counter", "Batch bytes posted to L1", b.bytes as f64);
            m("pillar_batcher_l1_gas_total", "counter", "L1 execution gas paid for batches", b.gas as f64);
            m("pillar_batcher_blob_gas_total", "counter", "L1 blob gas paid for batches", b.blob_gas as f64);
            m("pillar_batcher_l1_fees_wei_total", "counter", "Wei paid on L1 for batches", b.fees_wei as f64);
            m(
                "pillar_batcher_failures_total",
                "counter",
                "Failed attempts to post a batch",
                b.failures as f64,
            );
        }
        out
    }

    fn batches(&self, limit: usize) -> serde_json::Value {
        let Some(view) = &self.batcher else { return serde_json::Value::Null };
        let log = view.log.lock();
        let rows: Vec<serde_json::Value> = log
            .recent
            .iter()
            .rev()
            .take(limit)
            .map(|r| {
                serde_json::json!({
                    "firstBlock": r.first_block,
                    "lastBlock": r.last_block,
                    "txs": r.txs,
                    "bytes": r.bytes,
                    "bytesPerTx": if r.txs == 0 { serde_json::Value::Null } else { (r.bytes as f64 / r.txs as f64).into() },
                    "mode": r.mode,
                    "l1Tx": r.l1_tx,
                    "l1Block": r.l1_block,
                    "gas": r.gas,
                    "blobGas": r.blob_gas,
                    "feeWei": r.fee_wei.to_string(),
                    "postedAtMs": r.posted_at_ms,
                })
            })
            .collect();
        serde_json::json!({ "batches": rows, "lastError": log.last_error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuck_needs_waiting_transactions_and_a_long_idle() {
        let block = Duration::from_millis(50);
        assert_eq!(stuck_reason(0, Duration::from_secs(3600), block), None, "an idle chain is not stuck");
        assert_eq!(stuck_reason(5, Duration::from_secs(9), block), None);
        let why = stuck_reason(5, Duration::from_secs(11), block).unwrap();
        assert!(why.contains("5 transactions waiting") && why.contains("11 s"), "{why}");
        // Slow chains get 100 block times.
        assert_eq!(stuck_reason(5, Duration::from_secs(60), Duration::from_secs(1)), None);
        assert!(stuck_reason(5, Duration::from_secs(101), Duration::from_secs(1)).is_some());
    }

    #[test]
    fn batcher_lags_only_with_unposted_blocks_and_no_progress() {
        assert_eq!(batcher_lag_reason(0, Duration::from_secs(3600), None), None);
        assert_eq!(batcher_lag_reason(7, Duration::from_secs(119), Some("rpc down")), None);
        let why = batcher_lag_reason(7, Duration::from_secs(121), Some("rpc down")).unwrap();
        assert!(why.contains("7 blocks") && why.contains("rpc down"), "{why}");
        assert!(batcher_lag_reason(7, Duration::from_secs(121), None).unwrap().contains("no error reported"));
    }
}
