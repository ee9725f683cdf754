//! The derivation rules of one batch-chain entry, as pure functions of the entry, the facts it
//! commits to, the queue and the safe head (docs/derivation.md §3 and §4).
//!
//! The node's [`crate::Deriver`] and the fault-proof program apply these same functions; they
//! differ only in where blocks are executed (the node's chain, or the program's witness state)
//! and where the queue and the entries come from (L1 logs, or the preimage oracle). Nothing here
//! reads a clock, a database or an L1 header.

use alloc::{string::String, vec::Vec};

use pillar_stf::{Block, BlockInput, ChainTx, Header, L1Message, l1_messages_fitting};

use crate::{BatchContext, BatchError};

/// How far (ms) a block's timestamp may run ahead of its batch's L1 time: a chain rule, the node's
/// default (`DerivationConfig`) and the fault-proof program's.
pub const MAX_TIMESTAMP_DRIFT_MS: u64 = 120_000;

/// Why derivation ignored a batch (or the rest of it). Every node reaches the same verdict.
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
    /// No block is above the derived head (a re-post, or blocks of another chain below it: they
    /// are compared no further).
    #[error("duplicate: every block up to {last} is at or below the derived head")]
    Duplicate {
        /// Last block held.
        last: u64,
    },
    /// The batch overlaps the derived head and its block at the head's height is another one.
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

/// The queue messages the rules may look at: consecutive messages from `first` on. It must hold
/// every message from the safe head's `queue_index` up to the entry's `queue_length` (fewer is
/// a caller's bug, answered as if the missing messages were not on L1).
#[derive(Debug, Clone, Copy)]
pub struct QueueWindow<'a> {
    /// Index of `messages[0]`.
    pub first: u64,
    /// The messages, in index order.
    pub messages: &'a [L1Message],
}

impl QueueWindow<'_> {
    /// Message `index`, if the window holds it.
    pub fn get(&self, index: u64) -> Option<&L1Message> {
        self.messages.get(usize::try_from(index.checked_sub(self.first)?).ok()?)
    }

    /// The messages on L1 before the entry (`index < ctx.queue_length`) that the window holds.
    fn before(&self, ctx: &BatchContext) -> &[L1Message] {
        let n = ctx.queue_length.saturating_sub(self.first).min(self.messages.len() as u64);
        &self.messages[..n as usize]
    }
}

/// The queue index up to which messages are due at the entry: among those on L1 before it, the
/// prefix (the queue is in time order) whose deadline its L1 time has reached. Messages below the
/// window's first are taken as consumed.
pub fn due_at(queue: &QueueWindow<'_>, ctx: &BatchContext) -> u64 {
    let known = queue.before(ctx);
    let due =
        known.partition_point(|m| m.timestamp.saturating_add(ctx.inclusion_deadline) <= ctx.l1_timestamp);
    queue.first + due as u64
}

/// Steps 2 to 4 of docs/derivation.md §3 for a decoded batch: the declared range, the position
/// against the safe head and the deadline. Returns the blocks above the safe head, which the
/// caller checks ([`check_block`]) and executes in order.
pub fn new_blocks<'b>(
    blocks: &'b [Block],
    declared: (u64, u64),
    safe: &Header,
    due: u64,
) -> Result<&'b [Block], SkipReason> {
    let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
        // The decoder refuses a batch of no blocks; judged like one.
        return Err(SkipReason::Undecodable(BatchError::Payload(crate::PayloadError::Empty)));
    };
    let (first, last) = (&first.header, &last.header);
    if first.height != declared.0 || last.height != declared.1 {
        return Err(SkipReason::RangeMismatch {
            declared_first: declared.0,
            declared_last: declared.1,
            first: first.height,
            last: last.height,
        });
    }
    if first.height == 0 || first.height > safe.height + 1 {
        return Err(SkipReason::Gap { first: first.height, head: safe.height });
    }
    // Nothing above the safe head: nothing to derive, whatever the blocks are.
    if last.height <= safe.height {
        return Err(SkipReason::Duplicate { last: last.height });
    }
    // Blocks at or below the safe head are re-posts. They form a hash chain (the decoder checks
    // the parent links), so the one at the safe height equal to the safe head means all of them
    // are the derived ones: one comparison, which needs nothing but the safe head.
    let overlap = (safe.height + 1 - first.height) as usize;
    if overlap > 0 && blocks[overlap - 1].header.hash() != safe.hash() {
        return Err(SkipReason::Conflicts { height: safe.height });
    }
    if last.queue_index < due {
        return Err(SkipReason::SkipsOverdue { queue_index: last.queue_index, required: due });
    }
    Ok(&blocks[overlap..])
}

/// Step 5's checks that re-execution cannot make: the block's queue messages are L1's and were on
/// L1 before the batch, and its time and L1 origin do not run ahead of the batch's.
pub fn check_block(
    block: &Block,
    ctx: &BatchContext,
    queue: &QueueWindow<'_>,
    max_timestamp_drift_ms: u64,
) -> Result<(), SkipReason> {
    let h = &block.header;
    if h.l1_origin > ctx.l1_block
        || h.timestamp_ms > ctx.l1_timestamp.saturating_mul(1000).saturating_add(max_timestamp_drift_ms)
    {
        return Err(SkipReason::FromTheFuture {
            height: h.height,
            timestamp_ms: h.timestamp_ms,
            l1_origin: h.l1_origin,
        });
    }
    // Compared by hash: a message's `l1_block` is not committed on L1 (nor in the header), so
    // it is the block's own label, which a program holding only L1's commitments cannot check.
    for tx in &block.transactions {
        if let ChainTx::L1(m) = tx
            && (m.index >= ctx.queue_length || queue.get(m.index).map(L1Message::hash) != Some(m.hash()))
        {
            return Err(SkipReason::ForeignQueueMessage { height: h.height, index: m.index });
        }
    }
    Ok(())
}

/// The next forced block on top of `safe` while messages up to `due` are overdue at the entry:
/// the next of them that fit [`pillar_stf::MAX_BLOCK_L1_BYTES`] (at least one), nothing else, at
/// the entry's time and L1 block (docs/derivation.md §4). `None` when nothing is overdue.
pub fn forced_block(
    safe: &Header,
    ctx: &BatchContext,
    queue: &QueueWindow<'_>,
    due: u64,
) -> Option<BlockInput> {
    if safe.queue_index >= due {
        return None;
    }
    let from = usize::try_from(safe.queue_index.checked_sub(queue.first)?).ok()?;
    let to = usize::try_from(due - queue.first).ok()?.min(queue.messages.len());
    let overdue = queue.messages.get(from..to)?;
    if overdue.is_empty() {
        return None;
    }
    let messages: Vec<L1Message> = overdue[..l1_messages_fitting(overdue)].to_vec();
    Some(BlockInput {
        timestamp_ms: ctx.l1_timestamp.saturating_mul(1000).max(safe.timestamp_ms),
        l1_origin: ctx.l1_block,
        l1_messages: messages,
        txs: Vec::new(),
    })
}
