//! What a replica reports: L1 sync progress, derivation counters, faults; its health.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Instant,
};

use parking_lot::Mutex;
use pillar_rpc::{Health, NodeStatus};
use serde_json::{Value, json};

/// Counters and flags of a replica, shared by its tasks and read by RPC.
#[derive(Debug)]
pub struct ReplicaStatus {
    /// Latest L1 block seen.
    pub l1_head: AtomicU64,
    /// Last L1 block derived from.
    pub l1_derived: AtomicU64,
    /// Confirmation depth in force.
    pub confirmations: u64,
    /// L1 blocks of lag tolerated before `/health` fails.
    pub max_lag_blocks: u64,
    /// Batches applied.
    pub batches_derived: AtomicU64,
    /// Batches skipped by the derivation rules.
    pub batches_skipped: AtomicU64,
    /// Signed transactions derived from L1 batches.
    pub txs_derived: AtomicU64,
    /// Blocks derivation forced in for overdue queue messages.
    pub forced_blocks: AtomicU64,
    /// Output proposals checked.
    pub outputs_checked: AtomicU64,
    /// Output proposals that disagree with the derived chain.
    pub output_faults: AtomicU64,
    /// Invalidations this node sent.
    pub challenges: AtomicU64,
    /// L1 reorgs that rewound derivation.
    pub reorgs: AtomicU64,
    /// Soft blocks imported from the sequencer's feed.
    pub soft_blocks: AtomicU64,
    /// Time spent reading L1 (logs, headers, blobs and their KZG checks), microseconds.
    pub l1_read_us: AtomicU64,
    /// Where derivation's own time went.
    pub timings: Mutex<pillar_derive::DeriveTimings>,
    /// Set once an L1 output disagrees with the derived chain: the first disagreement.
    pub divergence: Mutex<Option<String>>,
    /// Set when derivation stopped on an error it cannot get past.
    pub fatal: Mutex<Option<String>>,
    /// The last time an L1 poll succeeded.
    pub last_poll: Mutex<Option<Instant>>,
    /// The deriver, once derivation runs: where safe blocks were derived, for RPC.
    deriver: std::sync::OnceLock<DeriverHandle>,
}

impl ReplicaStatus {
    pub(crate) fn new(confirmations: u64, max_lag_blocks: u64) -> Self {
        Self {
            l1_head: AtomicU64::new(0),
            l1_derived: AtomicU64::new(0),
            confirmations,
            max_lag_blocks,
            batches_derived: AtomicU64::new(0),
            batches_skipped: AtomicU64::new(0),
            txs_derived: AtomicU64::new(0),
            forced_blocks: AtomicU64::new(0),
            outputs_checked: AtomicU64::new(0),
            output_faults: AtomicU64::new(0),
            challenges: AtomicU64::new(0),
            reorgs: AtomicU64::new(0),
            soft_blocks: AtomicU64::new(0),
            l1_read_us: AtomicU64::new(0),
            timings: Mutex::new(Default::default()),
            divergence: Mutex::new(None),
            fatal: Mutex::new(None),
            last_poll: Mutex::new(None),
            deriver: std::sync::OnceLock::new(),
        }
    }

    /// L1 blocks derivation is behind the confirmed L1 head.
    pub fn lag_blocks(&self) -> u64 {
        let target = self.l1_head.load(Ordering::Relaxed).saturating_sub(self.confirmations);
        target.saturating_sub(self.l1_derived.load(Ordering::Relaxed))
    }
}

fn get(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

/// Seconds without a successful L1 poll before `/health` fails.
const STUCK_SECS: u64 = 60;

/// The deriver, shared with RPC (which only asks it where safe blocks were derived).
struct DeriverHandle(std::sync::Arc<Mutex<pillar_derive::Deriver>>);

impl std::fmt::Debug for DeriverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deriver")
    }
}

impl ReplicaStatus {
    /// Lets RPC ask `deriver` where safe blocks were derived.
    pub(crate) fn attach(&self, deriver: &std::sync::Arc<Mutex<pillar_derive::Deriver>>) {
        let _ = self.deriver.set(DeriverHandle(std::sync::Arc::clone(deriver)));
    }

    /// Where safe block `height` was derived.
    pub(crate) fn cursor(&self, height: u64) -> Option<pillar_stf::DerivationCursor> {
        self.deriver.get()?.0.lock().cursor(height)
    }
}

impl NodeStatus for ReplicaStatus {
    fn role(&self) -> &'static str {
        "replica"
    }

    fn derivation_cursor(&self, height: u64) -> Option<pillar_stf::DerivationCursor> {
        self.cursor(height)
    }

    fn health(&self) -> Health {
        let mut ok = true;
        let mut checks = serde_json::Map::new();
        let mut check = |name: &str, failure: Option<String>| {
            ok &= failure.is_none();
            checks.insert(name.into(), json!({ "ok": failure.is_none(), "reason": failure }));
        };
        check("derivation", self.fatal.lock().clone());
        check("outputs", self.divergence.lock().clone());
        let lag = self.lag_blocks();
        check(
            "lag",
            (lag > self.max_lag_blocks)
                .then(|| format!("{lag} L1 blocks behind (threshold {})", self.max_lag_blocks)),
        );
        let stuck = match *self.last_poll.lock() {
            Some(t) if t.elapsed().as_secs() <= STUCK_SECS => None,
            Some(t) => Some(format!("no L1 poll succeeded for {} s", t.elapsed().as_secs())),
            None => Some("L1 not reached yet".to_string()),
        };
        check("l1", stuck);
        Health { ok, checks: Value::Object(checks) }
    }

    fn metrics(&self) -> String {
        let mut out = String::new();
        let mut m = |name: &str, kind: &str, help: &str, labels: &str, v: u64| {
            pillar_rpc::write_metric(&mut out, name, kind, help, labels, v as f64)
        };
        m("pillar_replica_l1_head", "gauge", "Latest L1 block seen", "", get(&self.l1_head));
        m("pillar_replica_l1_derived", "gauge", "Last L1 block derived from", "", get(&self.l1_derived));
        m("pillar_replica_lag_blocks", "gauge", "L1 blocks behind the confirmed head", "", self.lag_blocks());
        m(
            "pillar_replica_batches_total",
            "counter",
            "Batches seen, by verdict",
            "{result=\"derived\"}",
            get(&self.batches_derived),
        );
        m(
            "pillar_replica_batches_total",
            "counter",
            "Batches seen, by verdict",
            "{result=\"skipped\"}",
            get(&self.batches_skipped),
        );
        m(
            "pillar_replica_txs_derived_total",
            "counter",
            "Signed transactions derived from L1",
            "",
            get(&self.txs_derived),
        );
        m(
            "pillar_replica_forced_blocks_total",
            "counter",
            "Blocks forced in for overdue queue messages",
            "",
            get(&self.forced_blocks),
        );
        m(
            "pillar_replica_outputs_checked_total",
            "counter",
            "Output roots checked",
            "",
            get(&self.outputs_checked),
        );
        m(
            "pillar_replica_output_faults_total",
            "counter",
            "Output roots that disagree with the derived chain",
            "",
            get(&self.output_faults),
        );
        m(
            "pillar_replica_challenges_total",
            "counter",
            "Wrong outputs this node invalidated",
            "",
            get(&self.challenges),
        );
        m(
            "pillar_replica_reorgs_total",
            "counter",
            "L1 reorgs that rewound derivation",
            "",
            get(&self.reorgs),
        );
        m(
            "pillar_replica_soft_blocks_total",
            "counter",
            "Soft blocks imported from the sequencer feed",
            "",
            get(&self.soft_blocks),
        );
        m(
            "pillar_replica_diverged",
            "gauge",
            "1 once an L1 output disagreed with the derived chain",
            "",
            u64::from(self.divergence.lock().is_some()),
        );
        let t = *self.timings.lock();
        for (phase, us) in [
            ("l1_read", get(&self.l1_read_us)),
            ("decode", t.decode_us),
            ("verify", t.verify_us),
            ("execute", t.execute_us),
            ("root", t.root_us),
            ("ledger", t.ledger_us),
            ("commit", t.commit_us),
        ] {
            m(
                "pillar_replica_phase_microseconds_total",
                "counter",
                "Time spent deriving, by phase",
                &format!("{{phase=\"{phase}\"}}"),
                us,
            );
        }
        out
    }

    fn info(&self) -> Value {
        json!({
            "l1Head": get(&self.l1_head),
            "l1Derived": get(&self.l1_derived),
            "lagBlocks": self.lag_blocks(),
            "batchesDerived": get(&self.batches_derived),
            "batchesSkipped": get(&self.batches_skipped),
            "txsDerived": get(&self.txs_derived),
            "forcedBlocks": get(&self.forced_blocks),
            "outputsChecked": get(&self.outputs_checked),
            "outputFaults": get(&self.output_faults),
            "challenges": get(&self.challenges),
            "reorgs": get(&self.reorgs),
            "softBlocks": get(&self.soft_blocks),
            "l1ReadMs": get(&self.l1_read_us) / 1000,
            "diverged": self.divergence.lock().is_some(),
        })
    }
}
