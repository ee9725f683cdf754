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
use pillar_stf::{B256, Block, ChainTx, Header, L1Message, L1MessageError, l1_messages_fitting, output_root};
use tracing::{info, warn};

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
        Self { max_timestamp_drift_ms: 120_000 }
    }
}

/// Why derivation ignored a batch. Every node reaches the same verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The payload is not a batch.
    #[error("undecodable: {0}")]
    Undecodable(#[from] BatchError),
    /// The blobs (the ones the Rollup recorded) do not encode a payload.
    #[error("its blobs do not encode a payload")]
    UnreadableBlobs,
    /// The blocks are not the range the Rollup recorded.
    #[error("declares blocks {declared_first}..={declared_last} but holds {first}..={last}")]
    RangeMismatch {
        /// Declared first block.
        declared_first: u64,
        /// Declared last block.
        declared_last: u64,
        /// First block held.
        first: u64,
        /// Last block held.
        last: u64,
    },
    /// The first block is past the derived head (an out-of-order or gapped batch).
    #[error("starts at block {first}, the derived chain is at {head}")]
    Gap {
        /// First block held.
        first: u64,
        /// Derived head.
        head: u64,
    },
    /// Every block is already derived.
    #[error("duplicate: every block up to {last} is already derived")]
    Duplicate {
        /// Last block held.
        last: u64,
    },
    /// A block differs from the derived block at its height.
    #[error("block {height} conflicts with the derived block at that height")]
    Conflicts {
        /// Height.
        height: u64,
    },
    /// After the batch a queue message past its deadline would still be unconsumed.
    #[error("leaves queue message {queue_index} unconsumed past its inclusion deadline ({required} due)")]
    SkipsOverdue {
        /// Queue index reached by the batch.
        queue_index: u64,
        /// Messages due at the batch's L1 time.
        required: u64,
    },
    /// A block consumes a queue message that was not on L1 before the batch (the batch commits to
    /// the queue length at its append), or another one than L1 holds.
    #[error("block {height} carries queue message {index} that is not the L1 queue's")]
    ForeignQueueMessage {
        /// Block height.
        height: u64,
        /// Queue index.
        index: u64,
    },
    /// A block claims a time too far after its batch's L1 time, or a later L1 origin than the
    /// batch's L1 block.
    #[error("block {height} claims time {timestamp_ms} ms / L1 origin {l1_origin}, ahead of its batch")]
    FromTheFuture {
        /// Block height.
        height: u64,
        /// Its timestamp.
        timestamp_ms: u64,
        /// Its L1 origin.
        l1_origin: u64,
    },
    /// A block does not re-execute to its header (the blocks before it stay derived).
    #[error("block {height} is invalid: {reason}")]
    InvalidBlock {
        /// Block height.
        height: u64,
        /// Why.
        reason: String,
    },
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
            Self::OutOfOrder { .. } | Self::QueueGap { .. } | Self::QueueBehindEntry { .. } => {
                ErrorKind::Reset
            }
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

    /// Queue messages due at an entry: among those on L1 before it, the prefix (the queue is in
    /// time order) whose deadline its L1 time has reached.
    fn due_at(&self, ctx: &BatchContext) -> u64 {
        let known = &self.queue[..(ctx.queue_length as usize).min(self.queue.len())];
        known.partition_point(|m| m.timestamp.saturating_add(ctx.inclusion_deadline) <= ctx.l1_timestamp)
            as u64
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
                    if ctx.queue_length > self.queue.len() as u64 {
                        return Err(DeriveError::QueueBehindEntry {
                            known: self.queue.len() as u64,
                            committed: ctx.queue_length,
                        });
                    }
                    if batch.event.kind == BatchKind::Force {
                        info!(entry = batch.event.index, l1_block = block.number, "force entry");
                        self.force_due(&ctx, &mut report)?;
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
                    self.force_due(&ctx, &mut report)?;
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
                .map(|h| output_root(h.state_root, h.withdrawals_root, h.hash()))
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
    fn force_due(&mut self, ctx: &BatchContext, report: &mut L1BlockReport) -> Result<(), DeriveError> {
        let due = self.due_at(ctx);
        while self.safe.queue_index < due {
            report.forced_blocks.push(self.force_block(ctx.l1_block, ctx.l1_timestamp, due)?);
        }
        Ok(())
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
        let (first, last) = (&blocks[0].header, &blocks[blocks.len() - 1].header);
        if first.height != batch.first_block || last.height != batch.last_block {
            return skip(
                outcome,
                SkipReason::RangeMismatch {
                    declared_first: batch.first_block,
                    declared_last: batch.last_block,
                    first: first.height,
                    last: last.height,
                },
            );
        }
        if first.height == 0 || first.height > self.safe.height + 1 {
            return skip(outcome, SkipReason::Gap { first: first.height, head: self.safe.height });
        }
        // Blocks at or below the safe head must be the derived ones; they are re-posts.
        let mut new_blocks: &[Block] = &blocks;
        while let Some(b) = new_blocks.first() {
            if b.header.height > self.safe.height {
                break;
            }
            if self.local_hash(b.header.height)? != Some(b.header.hash()) {
                return skip(outcome, SkipReason::Conflicts { height: b.header.height });
            }
            new_blocks = &new_blocks[1..];
        }
        if new_blocks.is_empty() {
            return skip(outcome, SkipReason::Duplicate { last: last.height });
        }
        let required = self.due_at(ctx);
        if last.queue_index < required {
            return skip(outcome, SkipReason::SkipsOverdue { queue_index: last.queue_index, required });
        }
        for block in new_blocks {
            if let Err(why) = self.check_block_against_l1(block, ctx) {
                return skip(outcome, why);
            }
            match self.adopt(block) {
                Ok(()) => {
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

    /// Checks what re-execution cannot: queue messages are L1's and were on L1 before the batch,
    /// and time and L1 origin do not run ahead of the batch's L1 time and block.
    fn check_block_against_l1(&self, block: &Block, ctx: &BatchContext) -> Result<(), SkipReason> {
        let h = &block.header;
        if h.l1_origin > ctx.l1_block
            || h.timestamp_ms
                > ctx.l1_timestamp.saturating_mul(1000).saturating_add(self.config.max_timestamp_drift_ms)
        {
            return Err(SkipReason::FromTheFuture {
                height: h.height,
                timestamp_ms: h.timestamp_ms,
                l1_origin: h.l1_origin,
            });
        }
        for tx in &block.transactions {
            if let ChainTx::L1(m) = tx
                && (m.index >= ctx.queue_length || self.queue.get(m.index as usize) != Some(m))
            {
                return Err(SkipReason::ForeignQueueMessage { height: h.height, index: m.index });
            }
        }
        Ok(())
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

    /// Appends a block derivation makes when queue messages are overdue: the next of those
    /// messages that fit [`pillar_stf::MAX_BLOCK_L1_BYTES`] (at least one) and nothing else, at the
    /// entry's L1 time and block. Called until none is overdue.
    fn force_block(&mut self, l1_number: u64, l1_time: u64, due: u64) -> Result<u64, DeriveError> {
        let overdue = &self.queue[self.safe.queue_index as usize..due as usize];
        let messages: Vec<L1Message> = overdue[..l1_messages_fitting(overdue)].to_vec();
        let height = self.safe.height + 1;
        let timestamp_ms = (l1_time * 1000).max(self.safe.timestamp_ms);
        // Already held (derived before a restart)? Same entries, time and origin means same block.
        if let Some(held) = self.chain.ledger().block(height).map_err(ChainError::from)? {
            let same = held.header.parent_hash == self.safe.hash()
                && held.header.timestamp_ms == timestamp_ms
                && held.header.l1_origin == l1_number.max(self.safe.l1_origin)
                && held.transactions.len() == messages.len()
                && held
                    .transactions
                    .iter()
                    .zip(&messages)
                    .all(|(t, m)| matches!(t, ChainTx::L1(x) if x == m));
            if same {
                self.safe = held.header;
                return Ok(height);
            }
            self.rollback_chain(self.safe.height)?;
        }
        let sealed = self.chain.build_block_with(BlockInput {
            timestamp_ms,
            l1_origin: l1_number,
            l1_messages: messages,
            txs: Vec::new(),
        })?;
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
