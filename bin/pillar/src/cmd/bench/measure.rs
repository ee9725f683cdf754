//! Driving a running node with pre-signed load and measuring what comes out: sustained rate,
//! soft-confirmation latency at an offered rate, L1 bytes of the blocks as the batcher would post
//! them, and peak memory.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use parking_lot::Mutex;
use pillar_node::NodeHandle;
use pillar_stf::{B256, Block, ChainTx, SignedTransaction};

/// Usable bytes of one blob (31 of every 32 bytes of 4096 field elements), as the batcher codes.
const BLOB_BYTES: usize = 4096 * 31;
/// Blob gas per blob (EIP-4844).
const GAS_PER_BLOB: u64 = 131_072;

/// When each transaction was seen in a durable block, and where blocks spent their time.
#[derive(Default)]
pub(crate) struct Sealed {
    at: HashMap<B256, (Instant, u64)>,
    /// Per block: (signed transactions, execute, root, ledger, commit in µs).
    blocks: Vec<(usize, [u64; 4])>,
}

/// Records every durable block the node announces until dropped.
pub(crate) struct Watcher {
    sealed: Arc<Mutex<Sealed>>,
    stop: Arc<AtomicBool>,
}

/// The node's sequencer (benchmarks run a sequencer, never a replica).
pub(crate) fn sequencer(node: &NodeHandle) -> anyhow::Result<&pillar_sequencer::Sequencer> {
    node.sequencer
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the benchmark node is a replica; it takes no transactions"))
}

impl Watcher {
    pub(crate) fn start(node: &NodeHandle) -> Self {
        let sealed = Arc::new(Mutex::new(Sealed::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut rx = node.chain.subscribe();
        let (s, st) = (Arc::clone(&sealed), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match rx.blocking_recv() {
                    Ok(n) => {
                        let now = (Instant::now(), unix_us());
                        let mut g = s.lock();
                        let t = &n.timings;
                        let signed = n.receipts.len();
                        g.blocks.push((signed, [t.execute_us, t.root_us, t.ledger_us, t.commit_us]));
                        for r in &n.receipts {
                            g.at.insert(r.tx_hash, now);
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Self { sealed, stop }
    }

    /// Waits until every hash is in a block; returns the latest time one was sealed.
    pub(crate) fn wait_all(&self, hashes: &[B256], timeout: Duration) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let g = self.sealed.lock();
                let mut last = None;
                let mut missing = 0;
                for h in hashes {
                    match g.at.get(h) {
                        Some((t, _)) => last = Some(last.map_or(*t, |l: Instant| l.max(*t))),
                        None => missing += 1,
                    }
                }
                if missing == 0 {
                    return last.context("no transactions");
                }
                if Instant::now() > deadline {
                    bail!("{missing} of {} transactions not in a block after {timeout:?}", hashes.len());
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn sealed_at(&self, h: &B256) -> Option<Instant> {
        self.sealed.lock().at.get(h).map(|(t, _)| *t)
    }

    /// Wall-clock time (Unix µs) `h` was seen in a block, for latencies measured against another
    /// process's clock.
    pub(crate) fn sealed_unix(&self, h: &B256) -> Option<u64> {
        self.sealed.lock().at.get(h).map(|(_, u)| *u)
    }

    /// Mean (execute, root, ledger, commit) µs per block and transactions per block, over blocks
    /// with at least one transaction, from block index `from`.
    pub(crate) fn block_profile(&self, from: usize) -> ([f64; 4], f64, usize) {
        let g = self.sealed.lock();
        let blocks: Vec<_> = g.blocks.iter().skip(from).filter(|(n, _)| *n > 0).collect();
        if blocks.is_empty() {
            return ([0.0; 4], 0.0, 0);
        }
        let k = blocks.len() as f64;
        let mut sum = [0.0; 4];
        for (_, t) in &blocks {
            for i in 0..4 {
                sum[i] += t[i] as f64;
            }
        }
        let txs = blocks.iter().map(|(n, _)| *n as f64).sum::<f64>() / k;
        (sum.map(|s| s / k), txs, blocks.len())
    }

    pub(crate) fn blocks_seen(&self) -> usize {
        self.sealed.lock().blocks.len()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Submits `txs` in admission batches as fast as the node takes them; returns the rate from the
/// first submission to the last transaction's block.
pub(crate) fn saturate(
    node: &NodeHandle,
    watcher: &Watcher,
    txs: Vec<SignedTransaction>,
    progress: &dyn Fn(usize),
) -> anyhow::Result<f64> {
    let hashes: Vec<B256> = txs.iter().map(SignedTransaction::hash).collect();
    let n = txs.len();
    let started = Instant::now();
    let mut sent = 0;
    // Taken from the front without moving the rest: `split_off` here copied the whole tail per
    // chunk, work the benchmark did on the node's cores.
    let mut rest = txs.into_iter();
    loop {
        let chunk: Vec<SignedTransaction> = rest.by_ref().take(2_000).collect();
        if chunk.is_empty() {
            break;
        }
        let k = chunk.len();
        for r in sequencer(node)?.submit_batch(chunk) {
            r.map_err(|e| anyhow::anyhow!("the node refused a benchmark transaction: {e}"))?;
        }
        sent += k;
        progress(sent);
    }
    let last = watcher.wait_all(&hashes, Duration::from_secs(600))?;
    Ok(n as f64 / last.duration_since(started).as_secs_f64())
}

pub(crate) fn unix_us() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    pub(crate) p999: f64,
    pub(crate) max: f64,
}

/// Offers `txs` at `rate` per second (in 5 ms ticks) and measures each one's time from
/// submission to its durable block.
pub(crate) fn offer(
    node: &NodeHandle,
    watcher: &Watcher,
    txs: Vec<SignedTransaction>,
    rate: u64,
    progress: &dyn Fn(usize),
) -> anyhow::Result<Latency> {
    const TICK: Duration = Duration::from_millis(5);
    let per_tick = (rate as usize * TICK.as_millis() as usize / 1000).max(1);
    let mut submitted: Vec<(B256, Instant)> = Vec::with_capacity(txs.len());
    let start = Instant::now();
    let mut rest = txs.into_iter().peekable();
    let mut tick = 0u32;
    while rest.peek().is_some() {
        let due = start + TICK * tick;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let chunk: Vec<SignedTransaction> = rest.by_ref().take(per_tick).collect();
        let at = Instant::now();
        let hashes: Vec<B256> = chunk.iter().map(SignedTransaction::hash).collect();
        for r in sequencer(node)?.submit_batch(chunk) {
            r.map_err(|e| anyhow::anyhow!("the node refused a benchmark transaction: {e}"))?;
        }
        submitted.extend(hashes.into_iter().map(|h| (h, at)));
        progress(submitted.len());
        tick += 1;
    }
    let hashes: Vec<B256> = submitted.iter().map(|(h, _)| *h).collect();
    watcher.wait_all(&hashes, Duration::from_secs(300))?;
    let ms: Vec<f64> = submitted
        .iter()
        .map(|(h, at)| {
            let sealed = watcher.sealed_at(h).expect("waited for every hash");
            sealed.saturating_duration_since(*at).as_secs_f64() * 1e3
        })
        .collect();
    Ok(Latency::of(ms))
}

impl Latency {
    /// Percentiles of a set of latencies (ms).
    pub(crate) fn of(mut ms: Vec<f64>) -> Self {
        if ms.is_empty() {
            return Self::default();
        }
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
        Latency { p50: pct(0.50), p99: pct(0.99), p999: pct(0.999), max: ms[ms.len() - 1] }
    }
}

/// The witness recorder's records of blocks `from..=to` as stored (`pillar_chain`'s witness log).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WitnessSize {
    pub(crate) bytes_per_block: f64,
    pub(crate) bytes_per_tx: f64,
}

pub(crate) fn witness_size(node: &NodeHandle, from: u64, to: u64) -> anyhow::Result<WitnessSize> {
    let (mut bytes, mut txs) = (0usize, 0usize);
    for h in from..=to {
        bytes += node.chain.ledger().witness(h)?.with_context(|| format!("no witness of block {h}"))?.len();
        txs +=
            node.chain.ledger().block(h)?.with_context(|| format!("block {h} missing"))?.transactions.len();
    }
    let blocks = (to + 1).saturating_sub(from).max(1) as f64;
    Ok(WitnessSize { bytes_per_block: bytes as f64 / blocks, bytes_per_tx: bytes as f64 / txs.max(1) as f64 })
}

/// What posting blocks `from..=to` to L1 would cost, batched as the batcher batches them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct L1Cost {
    pub(crate) bytes_per_tx: f64,
    pub(crate) blob_gas_per_tx: f64,
    pub(crate) calldata_gas_per_tx: f64,
    pub(crate) batches: usize,
}

pub(crate) fn l1_cost(node: &NodeHandle, from: u64, to: u64) -> anyhow::Result<L1Cost> {
    let limit = BLOB_BYTES * pillar_l1::MAX_BLOBS_PER_TX - 32;
    let mut blocks: Vec<Block> = Vec::new();
    for h in from..=to {
        blocks.push(node.chain.ledger().block(h)?.with_context(|| format!("block {h} missing"))?);
    }
    let txs = blocks.iter().flat_map(|b| &b.transactions).filter(|t| matches!(t, ChainTx::Signed(_))).count();
    let (mut bytes, mut blob_gas, mut calldata_gas, mut batches) = (0usize, 0u64, 0u64, 0usize);
    let mut rest: &[Block] = &blocks;
    while !rest.is_empty() {
        // The batcher's rule: up to 1,000 blocks, halved until the batch fits its blobs.
        let mut take = rest.len().min(1_000);
        let mut data = pillar_derive::encode_batch(&rest[..take]);
        while data.len() > limit && take > 1 {
            take = take.div_ceil(2);
            data = pillar_derive::encode_batch(&rest[..take]);
        }
        bytes += data.len();
        blob_gas += (data.len() + 32).div_ceil(BLOB_BYTES) as u64 * GAS_PER_BLOB;
        calldata_gas += data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum::<u64>();
        batches += 1;
        rest = &rest[take..];
    }
    let per = |x: f64| if txs == 0 { 0.0 } else { x / txs as f64 };
    Ok(L1Cost {
        bytes_per_tx: per(bytes as f64),
        blob_gas_per_tx: per(blob_gas as f64),
        calldata_gas_per_tx: per(calldata_gas as f64),
        batches,
    })
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub(crate) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
