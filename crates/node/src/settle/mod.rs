//! Settlement on Ethereum: the sequencer's own derivation, the batcher and the proposer.
//!
//! Each runs as its own task and talks to L1 through [`pillar_l1::L1Client`]:
//!
//! - derivation ([`crate::replica::sync`], the replicas' code and rules) reads L1 past the
//!   confirmation depth: it hands the Portal's queue to the producer, which puts the messages
//!   first in the next blocks; it sets the safe and finalized heads; and when L1 settles other
//!   blocks than the sequencer's (a forced block, a reorg) the sequencer adopts them;
//! - [`batcher`] encodes sealed blocks into batches (`pillar-derive`) and appends them to the
//!   Rollup as blobs or calldata, from the derived safe head (never from the Rollup's counters,
//!   which anyone can move through the escape hatch), posting again whatever derivation did not
//!   take;
//! - [`proposer`] proposes output roots for derived (safe) blocks every `interval_blocks`, each
//!   anchored to the L1 block derivation had read, so a reorg under it makes it revert.

pub(crate) mod batcher;
pub(crate) mod proposer;

use std::sync::Arc;

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::Deriver;
use pillar_l1::{L1Addresses, L1Client};
use pillar_sequencer::Sequencer;
use tokio::{
    sync::{mpsc, watch},
    task::JoinHandle,
};

use crate::{
    L1Section, NodeError,
    replica::{MAX_LAG_BLOCKS, ReplicaStatus, derivation_config, l1_err, sync::Sync},
};

/// Running totals of what the batcher put on L1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatcherStats {
    /// Batches posted.
    pub batches: u64,
    /// Highest L2 block batched.
    pub last_block: u64,
    /// Signed transactions carried.
    pub txs: u64,
    /// Batch bytes posted.
    pub bytes: u64,
    /// L1 execution gas used.
    pub gas: u64,
    /// Blob gas used.
    pub blob_gas: u64,
    /// Wei paid for them: execution gas and blob gas at the prices paid.
    pub fees_wei: u128,
    /// Attempts to post that failed.
    pub failures: u64,
}

/// One batch the batcher posted, as `pillar_getBatches` and the explorer list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// First L2 block in the batch.
    pub first_block: u64,
    /// Last L2 block in the batch.
    pub last_block: u64,
    /// Signed transactions carried.
    pub txs: u64,
    /// Batch bytes (compressed).
    pub bytes: u64,
    /// `blob` or `calldata`.
    pub mode: &'static str,
    /// The L1 transaction that appended it.
    pub l1_tx: pillar_stf::B256,
    /// L1 block it was mined in.
    pub l1_block: u64,
    /// L1 execution gas used.
    pub gas: u64,
    /// L1 blob gas used.
    pub blob_gas: u64,
    /// Wei paid.
    pub fee_wei: u128,
    /// Unix time of posting, milliseconds.
    pub posted_at_ms: u64,
}

/// The batcher's recent history: the last [`BatchLog::CAPACITY`] batches and its last failure.
#[derive(Debug)]
pub struct BatchLog {
    /// Newest last.
    pub recent: std::collections::VecDeque<BatchRecord>,
    /// The last error, cleared by the next success.
    pub last_error: Option<String>,
    /// When the batcher last posted, or started if it never has.
    pub last_progress: std::time::Instant,
}

impl Default for BatchLog {
    fn default() -> Self {
        Self { recent: Default::default(), last_error: None, last_progress: std::time::Instant::now() }
    }
}

impl BatchLog {
    /// Batches kept (older ones are still on L1; the Rollup's events list them all).
    pub const CAPACITY: usize = 1000;

    pub(crate) fn push(&mut self, r: BatchRecord) {
        if self.recent.len() == Self::CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back(r);
        self.last_error = None;
        self.last_progress = std::time::Instant::now();
    }
}

/// The settlement tasks of a node.
pub struct Settlement {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// What the batcher posted so far.
    pub batcher_stats: Arc<Mutex<BatcherStats>>,
    /// The batches it posted recently.
    pub batch_log: Arc<Mutex<BatchLog>>,
    /// The sequencer's own derivation: L1 progress, batches derived and skipped, faults.
    pub derivation: Arc<ReplicaStatus>,
}

impl Settlement {
    /// Stops the tasks.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

pub(crate) fn key_from(env: &str, config: &Option<String>) -> Option<String> {
    std::env::var(env).ok().filter(|k| !k.is_empty()).or_else(|| config.clone())
}

/// Starts the sequencer's derivation, and the batcher and proposer when enabled and given keys.
pub(crate) async fn start(
    l1: &L1Section,
    chain: Arc<Chain>,
    sequencer: Sequencer,
    lying_proposer: bool,
) -> Result<Settlement, NodeError> {
    let addresses = L1Addresses { rollup: l1.rollup, portal: l1.portal };
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let stats = Arc::new(Mutex::new(BatcherStats::default()));
    let log = Arc::new(Mutex::new(BatchLog::default()));

    let reader = L1Client::connect_read_only(&l1.rpc, addresses).map_err(l1_err)?;
    let config = derivation_config(l1, &reader).await?;
    let deriver =
        Deriver::new(Arc::clone(&chain), config, l1.deployed_at_block).map_err(l1_err)?.for_sequencer();
    let derivation = Arc::new(ReplicaStatus::new(l1.confirmations, MAX_LAG_BLOCKS));
    // Output faults are the challengers' business; the sequencer only reports them.
    let (faults, _) = mpsc::unbounded_channel();
    let deriver = Arc::new(Mutex::new(deriver));
    derivation.attach(&deriver);
    let sync = Sync {
        own: true,
        l1: l1.clone(),
        provider: reader,
        deriver: Arc::clone(&deriver),
        chain: Arc::clone(&chain),
        producer: Some(sequencer.clone()),
        imports: Arc::new(sequencer),
        status: Arc::clone(&derivation),
        faults,
    };
    tasks.push(tokio::spawn(sync.run(stop_rx.clone())));

    if l1.batcher.enabled {
        let key = key_from("PILLAR_SEQUENCER_KEY", &l1.batcher.key).ok_or_else(|| NodeError::L1 {
            reason: "the batcher needs the sequencer's L1 key: set l1.batcher.key or PILLAR_SEQUENCER_KEY"
                .into(),
        })?;
        let client = L1Client::connect(&l1.rpc, &key, addresses).map_err(l1_err)?;
        tasks.push(tokio::spawn(batcher::run(
            l1.clone(),
            client,
            Arc::clone(&chain),
            Arc::clone(&derivation),
            Arc::clone(&stats),
            Arc::clone(&log),
            stop_rx.clone(),
        )));
    }
    if l1.proposer.enabled {
        let key = key_from("PILLAR_PROPOSER_KEY", &l1.proposer.key).ok_or_else(|| NodeError::L1 {
            reason: "the proposer needs an L1 key: set l1.proposer.key or PILLAR_PROPOSER_KEY".into(),
        })?;
        let client = L1Client::connect(&l1.rpc, &key, addresses).map_err(l1_err)?;
        tasks.push(tokio::spawn(proposer::run(l1.clone(), client, deriver, lying_proposer, stop_rx)));
    }
    Ok(Settlement { stop, tasks, batcher_stats: stats, batch_log: log, derivation })
}

/// Sleeps for `ms`, returning early (true) when asked to stop.
pub(crate) async fn pause(stop: &mut watch::Receiver<bool>, ms: u64) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(std::time::Duration::from_millis(ms)) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}
