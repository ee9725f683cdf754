//! The derivation loop: L1 past the confirmation depth, block by block, into the [`Deriver`].
//!
//! Replicas run it, and so does the sequencer over its own chain (`own`): its safe and finalized
//! heads, what its batcher posts and what its proposer proposes all follow from the same rules
//! as every replica's, and it hands L1's queue to its producer from what derivation read. When
//! derivation replaces its soft blocks (a forced block, another poster's valid batch, a reorg
//! that took an included message away) it does so with production paused, and the producer
//! resumes on the new head with the removed blocks' transactions back in its pool.

use std::{collections::BTreeMap, sync::Arc, sync::atomic::Ordering, time::Instant};

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::{Deriver, L1Batch, L1BlockData, L1BlockReport, L1Event, ProposedOutput};
use pillar_l1::{BatchKind, DerivationEvent, DerivationLog, L1Client, L1Error};
use pillar_primitives::L1Message;
use pillar_sequencer::Sequencer;
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

use super::ReplicaStatus;
use crate::L1Section;

/// Most L1 blocks read per step (one `eth_getLogs` chunk, then the deriver catches up).
const MAX_STEP: u64 = 2_000;

/// Why a step stopped early. L1 trouble is retried; derivation errors stop the replica.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SyncError {
    #[error(transparent)]
    L1(#[from] L1Error),
    #[error(transparent)]
    Derive(#[from] pillar_derive::DeriveError),
    #[error("queue message {index} from L1 does not decode: {reason}")]
    BadQueueMessage { index: u64, reason: String },
    #[error("calldata batch {index} has no payload log")]
    MissingPayload { index: u64 },
}

/// How often a catching-up replica logs its progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) struct Sync {
    /// The sequencer's own derivation (see the module docs), not a replica's.
    pub(crate) own: bool,
    pub(crate) l1: L1Section,
    pub(crate) client: L1Client,
    pub(crate) deriver: Arc<Mutex<Deriver>>,
    pub(crate) chain: Arc<Chain>,
    pub(crate) follower: Sequencer,
    pub(crate) status: Arc<ReplicaStatus>,
    pub(crate) faults: mpsc::UnboundedSender<(ProposedOutput, u64)>,
}

impl Sync {
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut last_report = Instant::now();
        loop {
            match self.step().await.and(self.after_step().await) {
                Ok(()) => {
                    *self.status.last_poll.lock() = Some(Instant::now());
                    self.report_progress(&mut last_report);
                }
                Err(SyncError::L1(e)) => warn!(error = %e, "reading L1 failed; retrying"),
                Err(e) => {
                    error!(error = %e, "derivation stopped");
                    *self.status.fatal.lock() = Some(e.to_string());
                    return;
                }
            }
            let caught_up = self.status.lag_blocks() == 0;
            if caught_up && crate::settle::pause(&mut stop, self.l1.poll_ms).await {
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
    async fn step(&self) -> Result<(), SyncError> {
        let head = self.client.block_number().await?;
        self.status.l1_head.store(head, Ordering::Relaxed);
        self.check_reorg().await?;
        let target = head.saturating_sub(self.l1.confirmations);
        let from = self.deriver.lock().next_l1_block();
        if from > target {
            return Ok(());
        }
        let to = target.min(from + MAX_STEP - 1);
        let started = Instant::now();
        let logs = self.client.derivation_events(from, to).await?;
        self.status.l1_read_us.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        debug!(from, to, logs = logs.len(), ms = started.elapsed().as_millis() as u64, "L1 logs read");
        let mut by_block: BTreeMap<u64, Vec<DerivationLog>> = BTreeMap::new();
        for log in logs {
            by_block.entry(log.l1_block).or_default().push(log);
        }
        by_block.entry(to).or_default();
        for (number, logs) in by_block {
            self.force_due_before(number).await?;
            let read = Instant::now();
            let info = self.client.block_info(number).await?;
            let mut events = Vec::with_capacity(logs.len());
            for log in logs {
                events.push(self.to_event(log.event).await?);
            }
            self.status.l1_read_us.fetch_add(read.elapsed().as_micros() as u64, Ordering::Relaxed);
            self.process(L1BlockData { number, hash: info.hash, timestamp: info.timestamp, events }).await?;
        }
        debug!(from, to, ms = started.elapsed().as_millis() as u64, "L1 blocks derived");
        Ok(())
    }

    /// If a queue message falls due in an L1 block before `number` with no event of its own, that
    /// block is where derivation forces it in: find it (block times only grow) and process it.
    async fn force_due_before(&self, number: u64) -> Result<(), SyncError> {
        loop {
            let (deadline, cursor) = {
                let d = self.deriver.lock();
                (d.next_deadline(), d.next_l1_block())
            };
            let Some(deadline) = deadline else { return Ok(()) };
            if cursor >= number || self.client.block_info(number - 1).await?.timestamp < deadline {
                return Ok(());
            }
            let (mut lo, mut hi) = (cursor, number - 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.client.block_info(mid).await?.timestamp >= deadline {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            let info = self.client.block_info(lo).await?;
            self.process(L1BlockData {
                number: lo,
                hash: info.hash,
                timestamp: info.timestamp,
                events: vec![],
            })
            .await?;
        }
    }

    async fn to_event(&self, event: DerivationEvent) -> Result<L1Event, SyncError> {
        Ok(match event {
            DerivationEvent::Queue(m) => L1Event::Queue(
                L1Message::from_event(m.index, m.l1_block, m.timestamp, m.sender, m.kind.as_u8(), &m.payload)
                    .map_err(|e| SyncError::BadQueueMessage { index: m.index, reason: e.to_string() })?,
            ),
            DerivationEvent::Batch(b) => {
                let data = match b.kind {
                    BatchKind::Calldata => {
                        b.calldata.clone().ok_or(SyncError::MissingPayload { index: b.index })?.to_vec()
                    }
                    BatchKind::Blob => self.client.blob_batch_data(&b).await?,
                };
                L1Event::Batch(L1Batch {
                    index: b.index,
                    submitter: b.submitter,
                    first_block: b.first_block,
                    last_block: b.last_block,
                    data,
                })
            }
            DerivationEvent::Output { index, l2_block, output_root, finalizes_at } => {
                L1Event::Output(ProposedOutput { index, l2_block, output_root, finalizes_at })
            }
            DerivationEvent::OutputsInvalidated { from_index } => L1Event::OutputsInvalidated { from_index },
        })
    }

    /// Runs `f` on the deriver off the async threads; for the sequencer's own derivation with
    /// block production paused, handing the producer the blocks `f` removed.
    async fn on_deriver<R: Send + 'static>(&self, f: impl FnOnce(&mut Deriver) -> R + Send + 'static) -> R {
        let deriver = Arc::clone(&self.deriver);
        let producer = self.own.then(|| self.follower.clone());
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
    async fn after_step(&self) -> Result<(), SyncError> {
        if !self.own {
            return Ok(());
        }
        // Bound first: the guard must not live into `on_deriver`, which locks the deriver again.
        let recheck = self.deriver.lock().needs_recheck();
        if recheck && let Some(to) = self.on_deriver(|d| d.drop_lost_messages()).await? {
            info!(height = to, "soft blocks rolled back to rebuild on L1's queue");
        }
        let next = self.follower.l1_next();
        let (messages, origin) = {
            let d = self.deriver.lock();
            (d.queue_from(next).to_vec(), d.next_l1_block().saturating_sub(1))
        };
        self.follower.enqueue_l1(messages, origin);
        Ok(())
    }

    async fn process(&self, block: L1BlockData) -> Result<(), SyncError> {
        let number = block.number;
        let l1_time = block.timestamp;
        let (report, timings) = self.on_deriver(move |d| d.process(block).map(|r| (r, d.timings()))).await?;
        *self.status.timings.lock() = timings;
        self.status.l1_derived.store(number, Ordering::Relaxed);
        self.account(&report, l1_time);
        // Straight from the import, not read back from the ledger.
        for sealed in report.sealed {
            self.follower.announce(&sealed.block.header, sealed.receipts);
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

    /// Compares the newest L1 block derived from with L1; on a mismatch walks back to the newest
    /// one still canonical and rewinds derivation there.
    async fn check_reorg(&self) -> Result<(), SyncError> {
        let journal: Vec<(u64, pillar_primitives::B256)> = self.deriver.lock().journal().collect();
        let Some(&(newest, newest_hash)) = journal.first() else { return Ok(()) };
        match self.client.block_info(newest).await {
            Ok(i) if i.hash == newest_hash => return Ok(()),
            Ok(_) | Err(L1Error::BlockNotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let mut fork_point = None;
        for (number, hash) in journal.iter().skip(1) {
            if self.client.block_info(*number).await.map(|i| i.hash).ok() == Some(*hash) {
                fork_point = Some(*number);
                break;
            }
        }
        let to = fork_point.unwrap_or(0);
        warn!(newest, fork_point = to, "L1 reorganised under derived blocks; rewinding");
        self.on_deriver(move |d| d.rewind_to(to)).await?;
        self.status.reorgs.fetch_add(1, Ordering::Relaxed);
        self.status.l1_derived.store(to, Ordering::Relaxed);
        info!(safe = self.chain.heads().safe, "derivation rewound");
        Ok(())
    }
}
