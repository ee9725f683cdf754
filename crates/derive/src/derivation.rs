//! Derivation: the L2 chain as a pure function of L1 data (docs/derivation.md).
//!
//! A [`Deriver`] is fed L1 blocks in order, each with its Portal queue messages, Rollup batches
//! (with their payloads) and output events in log order ([`L1BlockData`]). For each it
//!
//! 1. decodes queue messages and appends them to the known queue;
//! 2. applies each batch that passes the rules, or skips it with a [`SkipReason`] (the same on
//!    every node: the rules read nothing but the entry, the facts it commits to and the derived
//!    chain);
//! 3. after each entry of the batch chain (a batch or a force entry), forces the queue messages
//!    overdue at the entry's time into blocks of their own (the inclusion deadline);
//! 4. checks each proposed output root against the derived chain.
//!
//! Every rule about time and the queue reads the entry's committed [`BatchContext`], never the
//! L1 block around it, so that a fault-proof program holding only the chain of entries derives
//! the same blocks (docs/derivation.md §1).
//!
//! Blocks already in the local chain (soft blocks from the sequencer's feed, or blocks derived
//! before a restart) are accepted without re-execution when identical, and rolled back when L1
//! settles something else.

use std::{collections::VecDeque, sync::Arc, time::Instant};

use pillar_chain::{BlockInput, Chain, ChainError, Heads, SealedBlock};
use pillar_stf::{B256, Block, ChainTx, DerivationCursor, Header, L1Message, L1MessageError, output_root};
use tracing::{info, warn};

use crate::rules::{self, QueueWindow, SkipReason};
use crate::{
    BatchContext, BatchError, BatchKind, BatchPayload, Classify, ErrorKind, L1Batch, L1BlockData, L1Event,
    ProposedOutput, decode_batch,
};

/// Most L1 blocks kept to undo after a reorg.
const JOURNAL_LEN: usize = 4096;

/// Rules fixed for the chain. (The inclusion deadline is not one: each entry of the batch chain
/// commits to the one in force when it was appended.)
#[derive(Debug, Clone, Copy)]
pub struct DerivationConfig {
    /// How far (ms) a block's timestamp may run ahead of the L1 time of the entry that carries it.
    pub max_timestamp_drift_ms: u64,
}

impl Default for DerivationConfig {
    fn default() -> Self {
        Self { max_timestamp_drift_ms: crate::rules::MAX_TIMESTAMP_DRIFT_MS }
    }
}

/// What happened to one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Batch index.
    pub index: u64,
    /// Blocks newly derived from it.
    pub derived: u64,
    /// Signed transactions in them.
    pub txs: u64,
    /// Why it (or its tail, after `derived` blocks) was skipped.
    pub skipped: Option<SkipReason>,
}

/// The check of one output proposal against the derived chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputCheck {
    /// The proposal.
    pub output: ProposedOutput,
    /// The root derivation computes, `None` when the block is not derived.
    pub expected: Option<B256>,
}

impl OutputCheck {
    /// True when the claimed root is the derived one.
    pub fn is_valid(&self) -> bool {
        self.expected == Some(self.output.output_root)
    }
}

/// What one L1 block did.
#[derive(Debug, Clone, Default)]
pub struct L1BlockReport {
    /// L1 block number.
    pub number: u64,
    /// Batches seen.
    pub batches: Vec<BatchOutcome>,
    /// Heights of the blocks forced in for overdue queue messages (several when the overdue
    /// messages exceed one block's [`pillar_stf::MAX_BLOCK_L1_BYTES`]).
    pub forced_blocks: Vec<u64>,
    /// Outputs checked.
    pub outputs: Vec<OutputCheck>,
    /// Blocks this L1 block made durable (imported or forced), in order, for announcing. Blocks
    /// the chain already held are not repeated.
    pub sealed: Vec<SealedBlock>,
}

/// A failure of derivation itself ([`Classify`]: a reset for L1 data out of order; critical for
/// storage, a reorg deeper than what can be undone, or a queue message the Portal cannot have
/// logged). Bad L1 data from anyone who may post is never one of these: it is skipped.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A queue message's payload does not fit its kind: the Portal never logs one, so L1 (or
    /// what serves it) and this node disagree on the contract.
    #[error("a Portal queue log does not decode: {source}")]
    BadQueueMessage {
        /// Queue index.
        index: u64,
        /// Why.
        #[source]
        source: L1MessageError,
    },
    /// L1 blocks must come in order.
    #[error("L1 block {got} fed where {expected} or later was expected")]
    OutOfOrder {
        /// Next block expected.
        expected: u64,
        /// Block given.
        got: u64,
    },
    /// The queue does not continue.
    #[error("queue message {got} where {expected} is next")]
    QueueGap {
        /// Next index.
        expected: u64,
        /// Index given.
        got: u64,
    },
    /// An entry commits to more queue messages than derivation has read: L1 served the entry but
    /// not every `QueueMessage` log before it.
    #[error("an entry commits to {committed} queue messages, derivation has read {known}")]
    QueueBehindEntry {
        /// Messages read.
        known: u64,
        /// The entry's `queueLength`.
        committed: u64,
    },
    /// An entry does not hash to its `batchHash`, or does not link to the last entry processed: a
    /// log missing from what L1 served, or an endpoint serving fields the Rollup never hashed.
    #[error("batch-chain entry {index} does not hash from its fields or does not follow {expected_prev}")]
    EntryMismatch {
        /// Entry index.
        index: u64,
        /// The last entry derivation processed.
        expected_prev: B256,
    },
    /// A reorg reaches below what the journal can undo.
    #[error("L1 reorganised below block {oldest}, the oldest derivation can undo; resync from scratch")]
    ReorgTooDeep {
        /// Oldest L1 block in the journal.
        oldest: u64,
    },
}

impl Classify for DeriveError {
    fn kind(&self) -> ErrorKind {
        match self {
            // A block fed twice or skipped, or a queue message out of order, leaves the L1 block
            // half processed; rewinding to the last whole one undoes it.
            Self::OutOfOrder { .. }
            | Self::QueueGap { .. }
            | Self::QueueBehindEntry { .. }
            | Self::EntryMismatch { .. } => ErrorKind::Reset,
            Self::Chain(_) | Self::BadQueueMessage { .. } | Self::ReorgTooDeep { .. } => ErrorKind::Critical,
        }
    }
}

/// Where derivation's time went, in microseconds, summed since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeriveTimings {
    /// Blocks imported by re-execution.
    pub blocks: u64,
    /// Decompressing and decoding batches.
    pub decode_us: u64,
    /// Signature checks and import overhead (import time less the four below).
    pub verify_us: u64,
    /// Running transactions.
    pub execute_us: u64,
    /// Computing state roots.
    pub root_us: u64,
    /// Ledger writes (durable).
    pub ledger_us: u64,
    /// State commits (durable).
    pub commit_us: u64,
}

/// A live output as derivation last saw it.
#[derive(Debug, Clone, Copy)]
struct LiveOutput {
    output: ProposedOutput,
    valid: bool,
}

/// Derivation state after an L1 block, kept to undo a reorg.
#[derive(Debug, Clone)]
struct Checkpoint {
    l1_number: u64,
    l1_hash: B256,
    safe: Header,
    last_entry: B256,
    queue_len: usize,
    outputs: Vec<LiveOutput>,
    finalized: u64,
}

/// The derivation state machine over one chain.
pub struct Deriver {
    chain: Arc<Chain>,
    config: DerivationConfig,
    /// Every queue message seen on L1, by index.
    queue: Vec<L1Message>,
    /// The last block derived from L1.
    safe: Header,
    /// `batchHash` of the last entry of the batch chain processed (zero before the first).
    last_entry: B256,
    /// Where each safe block was derived, as runs: `(first height, cursor)`, heights ascending;
    /// a block's cursor is that of the last run starting at or below it.
    cursors: Vec<(u64, DerivationCursor)>,
    outputs: Vec<LiveOutput>,
    finalized: u64,
    /// The next L1 block expected (the cursor).
    next_l1: u64,
    /// Where derivation started, and whether the journal still reaches back to it.
    first_l1: u64,
    journal_complete: bool,
    journal: VecDeque<Checkpoint>,
    timings: DeriveTimings,
    /// Blocks sealed during the L1 block in progress (moved into its report).
    sealed: Vec<SealedBlock>,
    /// The sequencer's own derivation: its soft blocks are its product, not a feed's, so a rewind
    /// keeps them (derivation re-checks them as L1 settles them again) and every block a rollback
    /// removes is kept in `orphaned` for the sequencer to re-admit their transactions.
    keep_soft: bool,
    orphaned: Vec<Block>,
    /// After a rewind (sequencer only): soft blocks' queue messages from this index on must be
    /// found again on L1, or the blocks go.
    recheck_from: Option<u64>,
}

impl Deriver {
    /// Starts deriving from genesis with L1 block `first_l1` (the Rollup's deployment block).
    /// Blocks the chain already holds are re-checked against L1, not re-executed.
    pub fn new(chain: Arc<Chain>, config: DerivationConfig, first_l1: u64) -> Result<Self, DeriveError> {
        let genesis = chain
            .ledger()
            .header(0)
            .map_err(ChainError::from)?
            .ok_or(ChainError::Inconsistent { state_root: B256::ZERO, head: chain.head().height })?;
        Ok(Self {
            chain,
            config,
            queue: Vec::new(),
            safe: genesis,
            last_entry: B256::ZERO,
            cursors: vec![(0, DerivationCursor::GENESIS)],
            outputs: Vec::new(),
            finalized: 0,
            next_l1: first_l1,
            first_l1,
            journal_complete: true,
            journal: VecDeque::new(),
            timings: DeriveTimings::default(),
            sealed: Vec::new(),
            keep_soft: false,
            orphaned: Vec::new(),
            recheck_from: None,
        })
    }

    /// Derivation run by the sequencer over its own chain: a rewind after an L1 reorg keeps the
    /// soft blocks above the safe head (derivation checks them again as L1 settles them), and the
    /// blocks any rollback removes are collected for [`Deriver::take_orphaned`].
    pub fn for_sequencer(mut self) -> Self {
        self.keep_soft = true;
        self
    }

    /// The blocks rolled back since the last call (only collected [`Deriver::for_sequencer`]).
    pub fn take_orphaned(&mut self) -> Vec<Block> {
        std::mem::take(&mut self.orphaned)
    }

    /// The queue messages seen on L1 from index `from` on, in order.
    pub fn queue_from(&self, from: u64) -> &[L1Message] {
        self.queue.get(from as usize..).unwrap_or(&[])
    }

    /// Messages seen on L1 so far.
    pub fn queue_len(&self) -> u64 {
        self.queue.len() as u64
    }

    /// Whether soft blocks wait for [`Deriver::drop_lost_messages`] after a rewind.
    pub fn needs_recheck(&self) -> bool {
        self.recheck_from.is_some()
    }

    /// The sequencer's check after an L1 reorg: a soft block that consumed a queue message L1 no
    /// longer holds (another message took its index, or derivation read past its L1 block without
    /// finding it) is rolled back with every block after it, so the sequencer rebuilds on what L1
    /// holds: the replacement message is credited, the lost one never was. Returns the height
    /// rolled back to, if any. Messages derivation has not reached again stay pending.
    pub fn drop_lost_messages(&mut self) -> Result<Option<u64>, DeriveError> {
        let Some(from) = self.recheck_from else { return Ok(None) };
        let head = self.chain.head().height;
        let mut unresolved = false;
        for h in self.safe.height + 1..=head {
            let ledger = self.chain.ledger();
            match ledger.header(h).map_err(ChainError::from)? {
                Some(header) if header.queue_index > from => {}
                Some(_) => continue,
                None => break,
            }
            let Some(block) = ledger.block(h).map_err(ChainError::from)? else { break };
            for m in block.transactions.iter().filter_map(|t| match t {
                ChainTx::L1(m) if m.index >= from => Some(m),
                _ => None,
            }) {
                let lost = match self.queue.get(m.index as usize) {
                    Some(on_l1) => on_l1 != m,
                    None => m.l1_block < self.next_l1,
                };
                if lost {
                    warn!(
                        height = h,
                        queue_index = m.index,
                        "a soft block consumed a queue message L1 no longer holds; rolling back to rebuild"
                    );
                    self.rollback_chain(h - 1)?;
                    self.recheck_from = None;
                    return Ok(Some(h - 1));
                }
                unresolved |= self.queue.get(m.index as usize).is_none();
            }
        }
        if !unresolved {
            self.recheck_from = None;
        }
        Ok(None)
    }

    /// Rolls the chain back to `height`, keeping what it removes when the sequencer asked for it.
    fn rollback_chain(&mut self, height: u64) -> Result<(), DeriveError> {
        if self.keep_soft {
            let head = self.chain.head().height;
            for h in height + 1..=head {
                if let Some(b) = self.chain.ledger().block(h).map_err(ChainError::from)? {
                    self.orphaned.push(b);
                }
            }
        }
        self.chain.rollback_to(height)?;
        Ok(())
    }

    /// Where time went so far.
    pub fn timings(&self) -> DeriveTimings {
        self.timings
    }

    /// The next L1 block to feed.
    pub fn next_l1_block(&self) -> u64 {
        self.next_l1
    }

    /// The last block derived from L1.
    pub fn safe(&self) -> &Header {
        &self.safe
    }

    /// Highest block covered by a finalized output that derivation checked.
    pub fn finalized(&self) -> u64 {
        self.finalized
    }

    /// The processed L1 blocks derivation can still undo, newest first, as (number, hash).
    pub fn journal(&self) -> impl Iterator<Item = (u64, B256)> + '_ {
        self.journal.iter().rev().map(|c| (c.l1_number, c.l1_hash))
    }

    /// The oldest unconsumed queue message's L1 timestamp (seconds), if any: it falls due
    /// `inclusionDeadline` seconds later, and is forced in by the first entry of the batch chain
    /// from then on (`Rollup.forceInclusion` makes one).
    pub fn oldest_unconsumed(&self) -> Option<u64> {
        self.queue.get(self.safe.queue_index as usize).map(|m| m.timestamp)
    }

    /// Every queue message read, as the rules see the queue.
    fn window(&self) -> QueueWindow<'_> {
        QueueWindow { first: 0, messages: &self.queue }
    }

    /// Undoes everything derived from L1 blocks after `l1_number` (which must still be canonical),
    /// including soft blocks above the safe head. The next block to feed is `l1_number + 1`.
    pub fn rewind_to(&mut self, l1_number: u64) -> Result<(), DeriveError> {
        while let Some(last) = self.journal.back() {
            if last.l1_number <= l1_number {
                break;
            }
            self.journal.pop_back();
        }
        let Some(cp) = self.journal.back().cloned() else {
            if !self.journal_complete {
                return Err(DeriveError::ReorgTooDeep { oldest: self.next_l1 });
            }
            // Nothing derived survives: start again from genesis.
            if self.keep_soft {
                self.recheck_from = Some(0);
                self.safe = self
                    .chain
                    .ledger()
                    .header(0)
                    .map_err(ChainError::from)?
                    .ok_or(ChainError::Inconsistent { state_root: B256::ZERO, head: 0 })?;
            } else {
                self.chain.rollback_to(0)?;
                self.safe = self.chain.head();
            }
            self.queue.clear();
            self.last_entry = B256::ZERO;
            self.cursors.truncate(1);
            self.outputs.clear();
            self.finalized = 0;
            self.next_l1 = self.first_l1;
            self.chain.set_heads(Heads::default())?;
            warn!(l1_block = l1_number, "derivation rewound to genesis");
            return Ok(());
        };
        if self.keep_soft {
            let from = self.recheck_from.map_or(cp.queue_len as u64, |r| r.min(cp.queue_len as u64));
            self.recheck_from = Some(from);
        } else {
            self.chain.rollback_to(cp.safe.height)?;
        }
        self.safe = cp.safe;
        self.last_entry = cp.last_entry;
        let safe_height = self.safe.height;
        self.cursors.retain(|(first, _)| *first <= safe_height);
        self.queue.truncate(cp.queue_len);
        self.outputs = cp.outputs;
        self.finalized = cp.finalized;
        self.next_l1 = cp.l1_number + 1;
        self.chain.set_heads(Heads { safe: self.safe.height, finalized: self.finalized })?;
        warn!(l1_block = l1_number, safe = self.safe.height, "derivation rewound");
        Ok(())
    }

    /// Derives from one L1 block.
    pub fn process(&mut self, block: L1BlockData) -> Result<L1BlockReport, DeriveError> {
        let L1BlockData { info: block, events } = block;
        if block.number < self.next_l1 {
            return Err(DeriveError::OutOfOrder { expected: self.next_l1, got: block.number });
        }
        let mut report = L1BlockReport { number: block.number, ..Default::default() };
        for event in events {
            match event {
                L1Event::Queue(m) => {
                    if m.index != self.queue.len() as u64 {
                        return Err(DeriveError::QueueGap {
                            expected: self.queue.len() as u64,
                            got: m.index,
                        });
                    }
                    let message = m
                        .to_l1_message()
                        .map_err(|source| DeriveError::BadQueueMessage { index: m.index, source })?;
                    self.queue.push(message);
                }
                L1Event::Batch(batch) => {
                    let ctx = batch.event.context;
                    let entry = batch.event.batch_hash;
                    if batch.event.prev_batch_hash != self.last_entry || batch.event.computed_hash() != entry
                    {
                        return Err(DeriveError::EntryMismatch {
                            index: batch.event.index,
                            expected_prev: self.last_entry,
                        });
                    }
                    if ctx.queue_length > self.queue.len() as u64 {
                        return Err(DeriveError::QueueBehindEntry {
                            known: self.queue.len() as u64,
                            committed: ctx.queue_length,
                        });
                    }
                    self.last_entry = entry;
                    if batch.event.kind == BatchKind::Force {
                        info!(entry = batch.event.index, l1_block = block.number, "force entry");
                        self.force_due(entry, &ctx, &mut report)?;
                        continue;
                    }
                    let outcome = self.apply_batch(&batch, &ctx)?;
                    match &outcome.skipped {
                        Some(why) => warn!(
                            batch = batch.event.index,
                            submitter = %batch.event.submitter,
                            l1_block = block.number,
                            derived = outcome.derived,
                            reason = %why,
                            "batch skipped"
                        ),
                        None => info!(
                            batch = batch.event.index,
                            blocks = outcome.derived,
                            txs = outcome.txs,
                            safe = self.safe.height,
                            "batch derived"
                        ),
                    }
                    report.batches.push(outcome);
                    self.force_due(entry, &ctx, &mut report)?;
                }
                L1Event::Output(output) => {
                    let check = self.check_output(output)?;
                    if check.is_valid() {
                        info!(index = output.index, l2_block = output.l2_block, "output root checks out");
                    } else {
                        warn!(
                            index = output.index,
                            l2_block = output.l2_block,
                            claimed = %output.output_root,
                            expected = ?check.expected,
                            "output root disagrees with the derived chain"
                        );
                    }
                    self.outputs.push(LiveOutput { output, valid: check.is_valid() });
                    report.outputs.push(check);
                }
                L1Event::OutputsInvalidated { from_index } => {
                    self.outputs.retain(|o| o.output.index < from_index);
                }
            }
        }
        report.sealed = std::mem::take(&mut self.sealed);
        for o in &self.outputs {
            if o.valid && o.output.finalizes_at <= block.timestamp {
                self.finalized = self.finalized.max(o.output.l2_block.min(self.safe.height));
            }
        }
        self.outputs.retain(|o| !(o.valid && o.output.finalizes_at <= block.timestamp));
        self.chain.set_heads(Heads { safe: self.safe.height, finalized: self.finalized })?;
        self.next_l1 = block.number + 1;
        self.journal.push_back(Checkpoint {
            l1_number: block.number,
            l1_hash: block.hash,
            safe: self.safe.clone(),
            last_entry: self.last_entry,
            queue_len: self.queue.len(),
            outputs: self.outputs.clone(),
            finalized: self.finalized,
        });
        if self.journal.len() > JOURNAL_LEN {
            self.journal.pop_front();
            self.journal_complete = false;
        }
        Ok(report)
    }

    fn check_output(&self, output: ProposedOutput) -> Result<OutputCheck, DeriveError> {
        let expected = if output.l2_block <= self.safe.height {
            self.chain
                .ledger()
                .header(output.l2_block)
                .map_err(ChainError::from)?
                .and_then(|h| self.output_root(&h))
        } else {
            None
        };
        Ok(OutputCheck { output, expected })
    }

    /// The derived block at `height`, from the local chain (it holds every derived block).
    fn local_hash(&self, height: u64) -> Result<Option<B256>, DeriveError> {
        Ok(self.chain.ledger().header(height).map_err(ChainError::from)?.map(|h| h.hash()))
    }

    /// After an entry: forces the messages due at its time that are still unconsumed.
    fn force_due(
        &mut self,
        entry: B256,
        ctx: &BatchContext,
        report: &mut L1BlockReport,
    ) -> Result<(), DeriveError> {
        let due = rules::due_at(&self.window(), ctx);
        while let Some(input) = rules::forced_block(&self.safe, ctx, &self.window(), due) {
            report.forced_blocks.push(self.force_block(input)?);
            self.mark_safe(DerivationCursor::after_entry(entry));
        }
        Ok(())
    }

    /// Records where the block that just became the safe head was derived.
    fn mark_safe(&mut self, cursor: DerivationCursor) {
        let height = self.safe.height;
        // Runs are in height order: only the newest can start at or above the new safe head.
        while self.cursors.last().is_some_and(|(first, _)| *first >= height) {
            self.cursors.pop();
        }
        if self.cursors.last().map(|(_, c)| *c) != Some(cursor) {
            self.cursors.push((height, cursor));
        }
    }

    /// Where safe block `height` was derived (`None` above the safe head): what its output root
    /// commits to.
    pub fn cursor(&self, height: u64) -> Option<DerivationCursor> {
        if height > self.safe.height {
            return None;
        }
        let run = self.cursors.partition_point(|(first, _)| *first <= height);
        self.cursors.get(run.checked_sub(1)?).map(|(_, c)| *c)
    }

    /// The output root of safe block `header` (`None` above the safe head).
    pub fn output_root(&self, header: &Header) -> Option<B256> {
        let cursor = self.cursor(header.height)?;
        Some(output_root(header.state_root, header.withdrawals_root, header.hash(), &cursor))
    }

    /// `batchHash` of the last entry of the batch chain processed (zero before the first).
    pub fn last_entry(&self) -> B256 {
        self.last_entry
    }

    fn apply_batch(&mut self, batch: &L1Batch, ctx: &BatchContext) -> Result<BatchOutcome, DeriveError> {
        let L1Batch { event: batch, payload } = batch;
        let mut outcome = BatchOutcome { index: batch.index, derived: 0, txs: 0, skipped: None };
        let skip = |mut o: BatchOutcome, why: SkipReason| {
            o.skipped = Some(why);
            Ok(o)
        };
        let payload = match payload {
            BatchPayload::Bytes(payload) => payload,
            BatchPayload::Unreadable => return skip(outcome, SkipReason::UnreadableBlobs),
            // A carrier never answers this for a batch; judged like a payload of nothing.
            BatchPayload::None => {
                return skip(
                    outcome,
                    SkipReason::Undecodable(BatchError::Payload(crate::PayloadError::Empty)),
                );
            }
        };
        let started = Instant::now();
        let decoded = decode_batch(payload);
        self.timings.decode_us += started.elapsed().as_micros() as u64;
        let blocks = match decoded {
            Ok(b) => b,
            Err(e) => return skip(outcome, e.into()),
        };
        let due = rules::due_at(&self.window(), ctx);
        let new_blocks =
            match rules::new_blocks(&blocks, (batch.first_block, batch.last_block), &self.safe, due) {
                Ok(b) => b,
                Err(why) => return skip(outcome, why),
            };
        for block in new_blocks {
            if let Err(why) =
                rules::check_block(block, ctx, &self.window(), self.config.max_timestamp_drift_ms)
            {
                return skip(outcome, why);
            }
            match self.adopt(block) {
                Ok(()) => {
                    self.mark_safe(DerivationCursor::from_batch(batch.batch_hash));
                    outcome.derived += 1;
                    outcome.txs +=
                        block.transactions.iter().filter(|t| matches!(t, ChainTx::Signed(_))).count() as u64;
                }
                Err(AdoptError::Invalid(why)) => return skip(outcome, why),
                Err(AdoptError::Fatal(e)) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Makes `block` (the child of the safe head) derived: already held → keep; held a different
    /// one → roll back and import; not held → import.
    fn adopt(&mut self, block: &Block) -> Result<(), AdoptError> {
        let height = block.header.height;
        let hash = block.header.hash();
        let head = self.chain.head();
        if head.height >= height {
            if self.local_hash(height).map_err(AdoptError::Fatal)? == Some(hash) {
                self.safe = block.header.clone();
                return Ok(());
            }
            info!(height, "L1 settles another block than the soft one; rolling back");
            self.rollback_chain(height - 1).map_err(AdoptError::Fatal)?;
        }
        let started = Instant::now();
        match self.chain.import_block(block) {
            Ok(sealed) => {
                let t = &mut self.timings;
                let total = started.elapsed().as_micros() as u64;
                let parts = sealed.timings.execute_us
                    + sealed.timings.root_us
                    + sealed.timings.ledger_us
                    + sealed.timings.commit_us;
                t.verify_us += total.saturating_sub(parts);
                t.execute_us += sealed.timings.execute_us;
                t.root_us += sealed.timings.root_us;
                t.ledger_us += sealed.timings.ledger_us;
                t.commit_us += sealed.timings.commit_us;
                t.blocks += 1;
                self.safe = block.header.clone();
                self.sealed.push(sealed);
                Ok(())
            }
            Err(
                e @ (ChainError::NotChild { .. }
                | ChainError::HeaderMismatch { .. }
                | ChainError::ImportMismatch { .. }
                | ChainError::QueueGap { .. }
                | ChainError::StoredTxInvalid { .. }),
            ) => Err(AdoptError::Invalid(SkipReason::InvalidBlock { height, reason: e.to_string() })),
            Err(e) => Err(AdoptError::Fatal(e.into())),
        }
    }

    /// Appends a forced block ([`rules::forced_block`]), or keeps the one held at its height if it
    /// is the same block.
    fn force_block(&mut self, input: BlockInput) -> Result<u64, DeriveError> {
        let height = self.safe.height + 1;
        let timestamp_ms = input.timestamp_ms;
        let l1_number = input.l1_origin;
        let messages = &input.l1_messages;
        // Already held (derived before a restart)? Same entries, time and origin means same block.
        if let Some(held) = self.chain.ledger().block(height).map_err(ChainError::from)? {
            let same = held.header.parent_hash == self.safe.hash()
                && held.header.timestamp_ms == timestamp_ms
                && held.header.l1_origin == l1_number.max(self.safe.l1_origin)
                && held.transactions.len() == messages.len()
                && held.transactions.iter().zip(messages).all(|(t, m)| matches!(t, ChainTx::L1(x) if x == m));
            if same {
                self.safe = held.header;
                return Ok(height);
            }
            self.rollback_chain(self.safe.height)?;
        }
        let sealed = self.chain.build_block_with(input)?;
        warn!(
            height,
            l1_block = l1_number,
            queue_index = sealed.block.header.queue_index,
            "queue messages past their inclusion deadline forced into a block"
        );
        self.safe = sealed.block.header.clone();
        self.sealed.push(sealed);
        Ok(height)
    }
}

enum AdoptError {
    Invalid(SkipReason),
    Fatal(DeriveError),
}

#[cfg(test)]
#[path = "derivation_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "settlement_props.rs"]
mod settlement_props;
