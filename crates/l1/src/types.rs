//! Plain data the L1 client returns beyond the L1 vocabulary (which `pillar-derive` defines):
//! transaction outcomes, addresses, outputs as the Rollup stores them.

use alloy::primitives::{Address, B256};
use pillar_derive::{BatchKind, QueueMessage};
use serde::{Deserialize, Serialize};

use crate::L1Error;
use crate::hashing::queue_hash_step;

/// Addresses of one deployment of the L1 contracts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct L1Addresses {
    /// The `Rollup` contract (roles, batches, outputs).
    pub rollup: Address,
    /// The `Portal` contract (queue, withdrawals).
    pub portal: Address,
}

/// What a mined transaction cost and where it landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxInfo {
    /// Transaction hash.
    pub tx_hash: B256,
    /// L1 block it was mined in.
    pub l1_block: u64,
    /// Execution gas used.
    pub gas_used: u64,
    /// Price paid per gas (wei).
    pub effective_gas_price: u128,
}

/// Checks that `messages` continue the queue after `(next_index, prev_hash)`: consecutive
/// indices and each logged `queue_hash` recomputed from the previous one. Returns the rolling hash
/// after the last message. A failure means a missed log or an L1 reorg.
pub fn check_queue_chain(
    mut next_index: u64,
    mut prev_hash: B256,
    messages: &[QueueMessage],
) -> Result<B256, L1Error> {
    for m in messages {
        if m.index != next_index {
            return Err(L1Error::QueueGap { expected: next_index, got: m.index });
        }
        let computed = queue_hash_step(prev_hash, m.message_hash());
        if computed != m.queue_hash {
            return Err(L1Error::QueueHashMismatch { index: m.index, computed, logged: m.queue_hash });
        }
        prev_hash = computed;
        next_index += 1;
    }
    Ok(prev_hash)
}

/// A batch this client posted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchPosted {
    /// The posting transaction.
    pub tx: TxInfo,
    /// Index in the Rollup's batch list.
    pub batch_index: u64,
    /// The new head of the batch hash chain.
    pub batch_hash: B256,
    /// Blob or calldata.
    pub kind: BatchKind,
    /// `keccak256(data)` for calldata, of the versioned hashes for blobs.
    pub data_commitment: B256,
    /// Versioned hashes (blob batches only).
    pub blob_hashes: Vec<B256>,
    /// Batch payload size in bytes (before blob encoding).
    pub data_len: usize,
    /// Blob gas used (blob batches only).
    pub blob_gas_used: Option<u64>,
    /// Price per blob gas paid (blob batches only).
    pub blob_gas_price: Option<u128>,
}

/// An output root proposal (`Rollup.Output`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// The output root.
    pub output_root: B256,
    /// The L2 block it commits to.
    pub l2_block: u64,
    /// L1 timestamp of the proposal.
    pub proposed_at: u64,
    /// L1 timestamp from which it is final.
    pub finalizes_at: u64,
}

/// The L1 block an output was derived from: the proposal names it, and the Rollup accepts it only
/// while that block is canonical and among the last 256 (`blockhash`). A proposal computed before
/// a reorg that then lands after it reverts instead of committing to the abandoned chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct L1Anchor {
    /// The L1 block's number.
    pub number: u64,
    /// Its hash as the proposer saw it.
    pub hash: B256,
}

/// An output this client proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputProposed {
    /// The proposing transaction.
    pub tx: TxInfo,
    /// Output index.
    pub index: u64,
    /// The L2 block.
    pub l2_block: u64,
    /// The output root.
    pub output_root: B256,
    /// L1 timestamp from which it is final.
    pub finalizes_at: u64,
}

/// A message this client appended to the queue, with its transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enqueued {
    /// The transaction.
    pub tx: TxInfo,
    /// The queue message it produced.
    pub message: QueueMessage,
}
