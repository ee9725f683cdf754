//! Counters and latency histograms the sequencer keeps for operators (`/metrics`).
//!
//! Lock-free: the admission path and the producer only add to atomics, so measuring costs a few
//! nanoseconds per transaction and never contends with block production.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use parking_lot::Mutex;
use pillar_chain::BlockTimings;

/// Upper bounds of the latency buckets, in seconds (Prometheus `le`).
pub const LATENCY_BUCKETS: [f64; 12] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// A cumulative latency histogram in the Prometheus sense.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations at or below each bound of [`LATENCY_BUCKETS`] (not yet cumulative).
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

/// A read of a [`Histogram`].
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    /// `(le, cumulative count)` for each bound of [`LATENCY_BUCKETS`].
    pub buckets: Vec<(f64, u64)>,
    /// Observations.
    pub count: u64,
    /// Sum of the observations in seconds.
    pub sum_secs: f64,
}

impl Histogram {
    /// Records one observation of `us` microseconds.
    pub fn observe_us(&self, us: u64) {
        let secs = us as f64 / 1e6;
        if let Some(i) = LATENCY_BUCKETS.iter().position(|le| secs <= *le) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    /// The histogram with cumulative bucket counts.
    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut running = 0;
        let buckets = LATENCY_BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(le, n)| {
                running += n.load(Ordering::Relaxed);
                (*le, running)
            })
            .collect();
        HistogramSnapshot {
            buckets,
            count: self.count.load(Ordering::Relaxed),
            sum_secs: self.sum_us.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// Seconds over which [`SequencerMetrics::tps`] averages.
const TPS_WINDOW: Duration = Duration::from_secs(10);

/// What the sequencer counts.
#[derive(Debug)]
pub struct SequencerMetrics {
    started: Instant,
    /// Blocks produced (or imported, on a replica).
    pub blocks: AtomicU64,
    /// Entries (signed transactions and L1 messages) in those blocks.
    pub txs: AtomicU64,
    /// Submissions refused at admission.
    pub rejected: AtomicU64,
    /// Signature checks at admission, per submission call (one transaction or one batch).
    pub signature_check: Histogram,
    /// Transactions whose signatures were checked at admission.
    pub signatures: AtomicU64,
    /// Running a block's transactions.
    pub execute: Histogram,
    /// Computing a block's state root.
    pub root: Histogram,
    /// Writing a block to the ledger durably.
    pub ledger: Histogram,
    /// Committing a block's state durably.
    pub commit: Histogram,
    /// Milliseconds since `started` at the last block, or 0 before the first.
    last_block_ms: AtomicU64,
    /// `(when, entries)` of the blocks inside the last [`TPS_WINDOW`].
    recent: Mutex<std::collections::VecDeque<(Instant, u64)>>,
}

impl Default for SequencerMetrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            blocks: AtomicU64::new(0),
            txs: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            signature_check: Histogram::default(),
            signatures: AtomicU64::new(0),
            execute: Histogram::default(),
            root: Histogram::default(),
            ledger: Histogram::default(),
            commit: Histogram::default(),
            last_block_ms: AtomicU64::new(0),
            recent: Mutex::new(Default::default()),
        }
    }
}

impl SequencerMetrics {
    /// Records a durable block of `entries` entries and where its time went.
    pub fn on_block(&self, entries: u64, timings: &BlockTimings) {
        let now = Instant::now();
        self.blocks.fetch_add(1, Ordering::Relaxed);
        self.txs.fetch_add(entries, Ordering::Relaxed);
        self.execute.observe_us(timings.execute_us);
        self.root.observe_us(timings.root_us);
        self.ledger.observe_us(timings.ledger_us);
        self.commit.observe_us(timings.commit_us);
        // Never 0 after the first block, which is what "no block yet" reads as.
        let ms = now.duration_since(self.started).as_millis() as u64;
        self.last_block_ms.store(ms.max(1), Ordering::Relaxed);
        let mut recent = self.recent.lock();
        recent.push_back((now, entries));
        while recent.front().is_some_and(|(t, _)| now.duration_since(*t) > TPS_WINDOW) {
            recent.pop_front();
        }
    }

    /// Records the signature check of `n` submitted transactions.
    pub fn on_signatures(&self, n: usize, elapsed: Duration) {
        self.signatures.fetch_add(n as u64, Ordering::Relaxed);
        self.signature_check.observe_us(elapsed.as_micros() as u64);
    }

    /// Time since the last block, or `None` before the first one.
    pub fn since_last_block(&self) -> Option<Duration> {
        match self.last_block_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(self.started.elapsed().saturating_sub(Duration::from_millis(ms))),
        }
    }

    /// Time since the last block, or since start before the first one.
    pub fn idle(&self) -> Duration {
        self.since_last_block().unwrap_or_else(|| self.started.elapsed())
    }

    /// Block entries per second over the last ten seconds.
    pub fn tps(&self) -> f64 {
        let now = Instant::now();
        let recent = self.recent.lock();
        let n: u64 =
            recent.iter().filter(|(t, _)| now.duration_since(*t) <= TPS_WINDOW).map(|(_, n)| n).sum();
        n as f64 / TPS_WINDOW.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_sum_in_seconds() {
        let h = Histogram::default();
        for us in [100, 800, 3_000, 3_000_000] {
            h.observe_us(us);
        }
        let s = h.snapshot();
        assert_eq!(s.count, 4);
        assert!((s.sum_secs - 3.0039).abs() < 1e-9);
        let at = |le: f64| s.buckets.iter().find(|(b, _)| *b == le).map(|(_, n)| *n);
        assert_eq!(at(0.0005), Some(1));
        assert_eq!(at(0.001), Some(2));
        assert_eq!(at(0.005), Some(3));
        // 3 s is past the last bound: only in the count (Prometheus' +Inf bucket).
        assert_eq!(at(2.5), Some(3));
    }

    #[test]
    fn blocks_feed_counters_rate_and_age() {
        let m = SequencerMetrics::default();
        assert_eq!(m.since_last_block(), None);
        m.on_block(30, &BlockTimings { execute_us: 10, root_us: 20, ledger_us: 30, commit_us: 40 });
        m.on_block(20, &BlockTimings::default());
        assert_eq!(m.blocks.load(Ordering::Relaxed), 2);
        assert_eq!(m.txs.load(Ordering::Relaxed), 50);
        assert!((m.tps() - 5.0).abs() < 1e-9);
        assert!(m.since_last_block().is_some_and(|d| d < Duration::from_secs(5)));
        assert_eq!(m.commit.snapshot().count, 2);
    }
}
