//! Blocks and their headers.

use alloc::vec::Vec;

use alloy_primitives::{B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{ChainTx, codec};

/// A block header. Its hash is `keccak256` of its canonical encoding.
///
/// The L1 fields (`l1_origin`, `queue_index`, `queue_hash`, `withdrawals_root`) tie the block to
/// Ethereum: what the sequencer had seen of L1, how much of the Portal's queue the chain has
/// consumed, and every withdrawal so far.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// Height; genesis is 0.
    pub height: u64,
    /// Hash of the parent header (zero for genesis).
    pub parent_hash: B256,
    /// Milliseconds since the Unix epoch, from the sequencer; never earlier than the parent's.
    pub timestamp_ms: u64,
    /// Number of the latest L1 block the sequencer had seen.
    pub l1_origin: u64,
    /// Index of the next L1 queue message not yet consumed.
    pub queue_index: u64,
    /// The L1 queue's rolling hash after the last message consumed so far (`Portal.queueHash`),
    /// zero before the first.
    pub queue_hash: B256,
    /// NOMT (sha2) root of the state after this block.
    pub state_root: B256,
    /// Merkle root of the transaction hashes.
    pub tx_root: B256,
    /// Merkle root of the receipt hashes.
    pub receipts_root: B256,
    /// Root of the chain's cumulative withdrawals tree after this block (docs/bridge.md §5).
    pub withdrawals_root: B256,
    /// Number of transactions.
    pub tx_count: u32,
}

impl Header {
    /// The block hash.
    pub fn hash(&self) -> B256 {
        keccak256(codec::encode(self))
    }
}

/// Most encoded bytes of L1 queue messages one block consumes. A chain rule: the sequencer's
/// blocks and derivation's forced blocks follow it alike (docs/derivation.md §4), so a flood of
/// forced transactions is spread over several blocks that each fit a batch. A block always takes
/// at least one waiting message, whatever its size (the Portal bounds a payload at 4 KiB).
pub const MAX_BLOCK_L1_BYTES: usize = 64 * 1024;

/// How many of `messages` (waiting, in queue order) the next block consumes: as many as fit
/// [`MAX_BLOCK_L1_BYTES`], each costing its encoding plus [`ENTRY_OVERHEAD_BYTES`], and at least
/// one. The sequencer's blocks and derivation's forced blocks both follow it.
pub fn l1_messages_fitting(messages: &[crate::L1Message]) -> usize {
    let mut used = 0usize;
    for (i, m) in messages.iter().enumerate() {
        used += m.encoded_len() + ENTRY_OVERHEAD_BYTES;
        if used > MAX_BLOCK_L1_BYTES && i > 0 {
            return i;
        }
    }
    messages.len()
}

/// Upper bound of what one block costs in a batch's uncompressed payload besides its entries:
/// the header (228 bytes) and the list framing.
pub const BLOCK_OVERHEAD_BYTES: usize = 256;

/// Upper bound of the framing one entry adds to its own encoding in a batch (enum tag, length).
pub const ENTRY_OVERHEAD_BYTES: usize = 8;

/// A header with its transactions.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Block<C> {
    /// The header.
    pub header: Header,
    /// Entries in execution order: the L1 queue messages consumed (contiguous, in queue order),
    /// then signed transactions.
    pub transactions: Vec<ChainTx<C>>,
}
