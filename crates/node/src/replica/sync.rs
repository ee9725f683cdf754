//! The derivation loop: L1 past the confirmation depth, block by block, into the [`Deriver`].
//!
//! Replicas run it, and so does the sequencer over its own chain (`own`): its safe and finalized
//! heads, what its batcher posts and what its proposer proposes all follow from the same rules
//! as every replica's, and it hands L1's queue to its producer from what derivation read. When
//! derivation replaces its soft blocks (a forced block, another poster's valid batch, a reorg
//! that took an included message away) it does so with production paused, and the producer
//! resumes on the new head with the removed blocks' transactions back in its pool.
//!
//! A failure is handled by its kind alone (docs/derivation.md §11): temporary → retry at the next
//! poll; reset → rewind to the newest processed L1 block L1 still holds, then go on; critical →
//! stop and fail `/health`.

use std::{collections::BTreeMap, sync::Arc, sync::atomic::Ordering, time::Instant};

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::{
    ChainProvider, Classify, DataAvailabilityProvider, Deriver, ErrorKind, L1BlockData, L1BlockInfo,
    L1BlockReport, L1Log, ProposedOutput, block_data,
};
use pillar_sequencer::Sequencer;
use pillar_stf::B256;
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

use super::ReplicaStatus;
use super::read_only::Imports;
use crate::L1Section;

/// Most L1 blocks read per step (one `eth_getLogs` chunk, then the deriver catches up).
const MAX_STEP: u64 = 2_000;

/// L1 as the sync loop reads it: blocks and events, and batch payloads, with one error type.
pub(crate) trait L1Provider:
    ChainProvider
    + DataAvailabilityProvider<Error = <Self as ChainProvider>::Error>
    + Send
    + std::marker::Sync
    + 'static
{
}

impl<P> L1Provider for P where
    P: ChainProvider
        + DataAvailabilityProvider<Error = <P as ChainProvider>::Error>
        + Send
        + std::marker::Sync
        + 'static
{
}

/// Why a poll stopped early; what to do about it is its [`Classify::kind`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum SyncError<E> {
    #[error(transparent)]
    L1(E),
    #[error(transparent)]
    Derive(#[from] pillar_derive::DeriveError),
    #[error("L1 block {number} is gone (L1 got shorter while it was read)")]
    BlockGone { number: u64 },
    #[error("L1 no longer holds block {number}, the newest derivation processed")]
    Reorged { number: u64 },
}

impl<E: Classify> Classify for SyncError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::L1(e) => e.kind(),
            Self::Derive(e) => e.kind(),
            // The next poll's reorg check finds out whether it matters.
            Self::BlockGone { .. } => ErrorKind::Temporary,
            Self::Reorged { .. } => ErrorKind::Reset,
        }
    }
}

/// How often a catching-up replica logs its progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) struct Sync<P> {
    /// The sequencer's own derivation (see the module docs), not a replica's.
    pub(crate) own: bool,
    pub(crate) l1: L1Section,
    /// Where L1 is read from (the L1 client; in memory in tests).
    pub(crate) provider: P,
    pub(crate) deriver: Arc<Mutex<Deriver>>,
    pub(crate) chain: Arc<Chain>,
    /// The block producer, in the sequencer's own derivation (`own`); none on a replica.
    pub(crate) producer: Option<Sequencer>,
    /// Where imported blocks are counted and announced.
    pub(crate) imports: Arc<dyn Imports>,
    pub(crate) status: Arc<ReplicaStatus>,
    pub(crate) faults: mpsc::UnboundedSender<(ProposedOutput, u64)>,
}

type Step<P> = Result<(), SyncError<<P as ChainProvider>::Error>>;

impl<P: L1Provider> Sync<P> {
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut last_report = Instant::now();
        // A reset is due until one succeeds; `rewound` until a poll succeeds after it.
        let (mut reset_due, mut rewound) = (false, false);
        loop {
            let outcome =
                if reset_due { self.reset().await } else { self.step().await.and(self.after_step().await) };
            let wait = match outcome {
                Ok(()) if reset_due => {
                    (reset_due, rewound) = (false, true);
                    false
                }
                Ok(()) => {
                    rewound = false;
                    *self.status.last_poll.lock() = Some(Instant::now());
                    self.report_progress(&mut last_report);
                    self.status.lag_blocks() == 0
                }
                Err(e) => match e.kind() {
                    ErrorKind::Temporary => {
                        warn!(error = %e, "reading L1 failed; retrying at the next poll");
                        true
                    }
                    ErrorKind::Reset => {
                        warn!(error = %e, "derivation no longer follows L1; rewinding");
                        // At once, unless L1 keeps disagreeing right after a rewind.
                        let again = reset_due || rewound;
                        reset_due = true;
                        again
                    }
                    ErrorKind::Critical => {
                        error!(error = %e, "derivation stopped");
                        *self.status.fatal.lock() = Some(e.to_string());
                        return;
                    }
                },
            };
            if wait && crate::settle::pause(&mut stop, self.l1.poll_ms).await {
                return;
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// While catching up, says how far derivation got, every few seconds.
    fn report_progress(&self, last: &mut Instant) {
        let lag = self.status.lag_blocks();
        if lag == 0 || last.elapsed() < PROGRESS_EVERY {
            return;
        }
        *last = Instant::now();
        let derived = self.status.l1_derived.load(Ordering::Relaxed);
        let target = derived + lag;
        let start = self.l1.deployed_at_block;
        let pct = 100.0 * derived.saturating_sub(start) as f64 / target.saturating_sub(start).max(1) as f64;
        info!(
            l1_derived = derived,
            l1_target = target,
            l2_safe = self.chain.heads().safe,
            "syncing from L1: {pct:.1}% ({lag} L1 blocks to go)"
        );
    }

    /// One poll: reorg check, then up to [`MAX_STEP`] confirmed L1 blocks.
    async fn step(&self) -> Step<P> {
        let head = self.provider.head().await.map_err(SyncError::L1)?;
        self.status.l1_head.store(head, Ordering::Relaxed);
        self.check_reorg().await?;
        let target = head.saturating_sub(self.l1.confirmations);
        let from = self.deriver.lock().next_l1_block();
        if from > target {
            return Ok(());
        }
        let to = target.min(from + MAX_STEP - 1);
        let started = Instant::now();
        let logs = self.provider.events(from, to).await.map_err(SyncError::L1)?;
        self.status.l1_read_us.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        debug!(from, to, logs = logs.len(), ms = started.elapsed().as_millis() as u64, "L1 logs read");
        let mut by_block: BTreeMap<u64, Vec<L1Log>> = BTreeMap::new();
        for log in logs {
            by_block.entry(log.l1_block).or_default().push(log);
        }
        by_block.entry(to).or_default();
        for (number, logs) in by_block {
            let read = Instant::now();
            let info = self.block_info(number).await?;
            let block = block_data(&self.provider, info, logs.into_iter().map(|l| l.event))
                .await
                .map_err(SyncError::L1)?;
            self.status.l1_read_us.fetch_add(read.elapsed().as_micros() as u64, Ordering::Relaxed);
            self.process(block).await?;
        }
        debug!(from, to, ms = started.elapsed().as_millis() as u64, "L1 blocks derived");
        Ok(())
    }

    /// L1 block `number`, which must exist (it is at or below a head L1 reported).
    async fn block_info(&self, number: u64) -> Result<L1BlockInfo, SyncError<<P as ChainProvider>::Error>> {
        self.provider
            .block_info_by_number(number)
            .await
            .map_err(SyncError::L1)?
            .ok_or(SyncError::BlockGone { number })
    }

    /// Runs `f` on the deriver off the async threads; for the sequencer's own derivation with
    /// block production paused, handing the producer the blocks `f` removed.
    async fn on_deriver<R: Send + 'static>(&self, f: impl FnOnce(&mut Deriver) -> R + Send + 'static) -> R {
        let deriver = Arc::clone(&self.deriver);
        let producer = self.producer.clone().filter(|_| self.own);
        tokio::task::spawn_blocking(move || match producer {
            Some(seq) => seq.with_production_paused(|| {
                let mut d = deriver.lock();
                let out = f(&mut d);
                (out, d.take_orphaned())
            }),
            None => f(&mut deriver.lock()),
        })
        .await
        .expect("derivation task panicked")
    }

    /// The sequencer's own derivation, after each poll: soft blocks whose L1 message a reorg took
    /// away go, and the producer gets the queue messages derivation has read that it has not.
    async fn after_step(&self) -> Step<P> {
        let Some(producer) = self.producer.as_ref().filter(|_| self.own) else { return Ok(()) };
        // Bound first: the guard must not live into `on_deriver`, which locks the deriver again.
        let recheck = self.deriver.lock().needs_recheck();
        if recheck && let Some(to) = self.on_deriver(|d| d.drop_lost_messages()).await? {
            info!(height = to, "soft blocks rolled back to rebuild on L1's queue");
        }
        let next = producer.l1_next();
        let (messages, origin) = {
            let d = self.deriver.lock();
            (d.queue_from(next).to_vec(), d.next_l1_block().saturating_sub(1))
        };
        producer.enqueue_l1(messages, origin);
        Ok(())
    }

    async fn process(&self, block: L1BlockData) -> Step<P> {
        let number = block.info.number;
        let l1_time = block.info.timestamp;
        let (report, timings) = self.on_deriver(move |d| d.process(block).map(|r| (r, d.timings()))).await?;
        *self.status.timings.lock() = timings;
        self.status.l1_derived.store(number, Ordering::Relaxed);
        self.account(&report, l1_time);
        // Straight from the import, not read back from the ledger.
        for sealed in report.sealed {
            self.imports.imported(&sealed.block.header, sealed.receipts);
        }
        Ok(())
    }

    fn account(&self, report: &L1BlockReport, l1_time: u64) {
        let s = &self.status;
        for b in &report.batches {
            s.txs_derived.fetch_add(b.txs, Ordering::Relaxed);
            if b.skipped.is_some() {
                s.batches_skipped.fetch_add(1, Ordering::Relaxed);
            } else {
                s.batches_derived.fetch_add(1, Ordering::Relaxed);
            }
        }
        s.forced_blocks.fetch_add(report.forced_blocks.len() as u64, Ordering::Relaxed);
        for check in &report.outputs {
            s.outputs_checked.fetch_add(1, Ordering::Relaxed);
            if !check.is_valid() {
                s.output_faults.fetch_add(1, Ordering::Relaxed);
                let why = format!(
                    "output {} for L2 block {} claims {}, derivation gives {}",
                    check.output.index,
                    check.output.l2_block,
                    check.output.output_root,
                    check.expected.map_or("no such block".to_string(), |e| e.to_string())
                );
                error!(l1_block = report.number, "{why}");
                s.divergence.lock().get_or_insert(why);
                let _ = self.faults.send((check.output, l1_time));
            }
        }
    }

    /// Fails with [`SyncError::Reorged`] when L1 no longer holds the newest L1 block derivation
    /// processed.
    async fn check_reorg(&self) -> Step<P> {
        let newest = self.deriver.lock().journal().next();
        match newest {
            Some((number, hash)) if !self.is_canonical(number, hash).await? => {
                Err(SyncError::Reorged { number })
            }
            _ => Ok(()),
        }
    }

    /// Rewinds derivation to the newest processed L1 block L1 still holds (to genesis if none),
    /// which also undoes whatever a block that failed halfway left behind.
    async fn reset(&self) -> Step<P> {
        let journal: Vec<(u64, B256)> = self.deriver.lock().journal().collect();
        let mut fork_point = None;
        for (number, hash) in &journal {
            if self.is_canonical(*number, *hash).await? {
                fork_point = Some(*number);
                break;
            }
        }
        let to = fork_point.unwrap_or(0);
        let reorged = journal.first().is_some_and(|(newest, _)| fork_point != Some(*newest));
        if reorged {
            warn!(newest = journal[0].0, fork_point = to, "L1 reorganised under derived blocks; rewinding");
        }
        self.on_deriver(move |d| d.rewind_to(to)).await?;
        if reorged {
            self.status.reorgs.fetch_add(1, Ordering::Relaxed);
        }
        self.status.l1_derived.store(to, Ordering::Relaxed);
        info!(l1_block = to, safe = self.chain.heads().safe, "derivation rewound");
        Ok(())
    }

    /// Whether L1 still holds block `number` with `hash`.
    async fn is_canonical(
        &self,
        number: u64,
        hash: B256,
    ) -> Result<bool, SyncError<<P as ChainProvider>::Error>> {
        let info = self.provider.block_info_by_number(number).await.map_err(SyncError::L1)?;
        Ok(info.is_some_and(|i| i.hash == hash))
    }
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
