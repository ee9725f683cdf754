//! Plain data the L1 client returns: queue messages, batches, outputs, transaction outcomes.

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

use crate::L1Error;
use crate::hashing::{BATCH_KIND_BLOB, BATCH_KIND_CALLDATA, queue_hash_step, queue_message_hash};

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

/// Kind of an L1 queue message (`Portal.KIND_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// `0`: ETH deposit; payload `abi.encode(address l2Recipient, uint256 amount)`.
    EthDeposit,
    /// `1`: ERC-20 deposit; payload `abi.encode(address token, address l2Recipient, uint256 amount)`.
    Erc20Deposit,
    /// `2`: forced transaction; payload is the signed L2 transaction.
    ForcedTx,
}

impl QueueKind {
    /// The kind byte on L1.
    pub fn as_u8(self) -> u8 {
        match self {
            Self::EthDeposit => 0,
            Self::Erc20Deposit => 1,
            Self::ForcedTx => 2,
        }
    }

    /// Parses the kind byte of message `index`.
    pub fn from_u8(index: u64, kind: u8) -> Result<Self, L1Error> {
        match kind {
            0 => Ok(Self::EthDeposit),
            1 => Ok(Self::Erc20Deposit),
            2 => Ok(Self::ForcedTx),
            kind => Err(L1Error::UnknownQueueKind { index, kind }),
        }
    }
}

/// One message of the Portal's queue, decoded from its `QueueMessage` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueMessage {
    /// Sequence number (from 0, no gaps).
    pub index: u64,
    /// Message kind.
    pub kind: QueueKind,
    /// L1 `msg.sender`.
    pub sender: Address,
    /// L1 `block.timestamp` (seconds).
    pub timestamp: u64,
    /// Kind-specific payload.
    pub payload: Bytes,
    /// Rolling queue hash after this message.
    pub queue_hash: B256,
    /// L1 block of the log.
    pub l1_block: u64,
    /// L1 transaction that emitted it.
    pub l1_tx_hash: B256,
}

impl QueueMessage {
    /// `messageHash` (docs/bridge.md §4.2).
    pub fn message_hash(&self) -> B256 {
        queue_message_hash(self.index, self.timestamp, self.sender, self.kind.as_u8(), &self.payload)
    }

    /// The ETH deposit in the payload: `(l2_recipient, amount)`; `None` for other kinds or a
    /// malformed payload.
    pub fn eth_deposit(&self) -> Option<(Address, U256)> {
        if self.kind != QueueKind::EthDeposit {
            return None;
        }
        <(Address, U256)>::abi_decode_params(&self.payload).ok()
    }

    /// The ERC-20 deposit in the payload: `(token, l2_recipient, amount)`; `None` for other kinds
    /// or a malformed payload.
    pub fn erc20_deposit(&self) -> Option<(Address, Address, U256)> {
        if self.kind != QueueKind::Erc20Deposit {
            return None;
        }
        <(Address, Address, U256)>::abi_decode_params(&self.payload).ok()
    }
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

/// How a batch's data reached L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchKind {
    /// EIP-4844 blobs of the posting transaction (kind `0`).
    Blob,
    /// Transaction calldata, repeated in `CalldataBatchPayload` (kind `1`).
    Calldata,
}

impl BatchKind {
    /// The kind byte on L1.
    pub fn as_u8(self) -> u8 {
        match self {
            Self::Blob => BATCH_KIND_BLOB,
            Self::Calldata => BATCH_KIND_CALLDATA,
        }
    }

    /// Parses the kind byte of batch `index`.
    pub fn from_u8(index: u64, kind: u8) -> Result<Self, L1Error> {
        match kind {
            BATCH_KIND_BLOB => Ok(Self::Blob),
            BATCH_KIND_CALLDATA => Ok(Self::Calldata),
            kind => Err(L1Error::UnknownBatchKind { index, kind }),
        }
    }
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

/// A `BatchAppended` event (with its `CalldataBatchPayload` for calldata batches).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchEvent {
    /// Index in the Rollup's batch list.
    pub index: u64,
    /// Hash of this batch (the chain head after it).
    pub batch_hash: B256,
    /// Who appended it (the sequencer, or anyone once the escape hatch is open).
    pub submitter: Address,
    /// Hash of the previous batch (zero for the first).
    pub prev_batch_hash: B256,
    /// First L2 block covered.
    pub first_block: u64,
    /// Last L2 block covered.
    pub last_block: u64,
    /// Blob or calldata.
    pub kind: BatchKind,
    /// The data commitment the batch hash covers.
    pub data_commitment: B256,
    /// Versioned hashes of the blobs (blob batches).
    pub blob_hashes: Vec<B256>,
    /// Payload (calldata batches); `None` for blob batches or if the payload log was not found.
    pub calldata: Option<Bytes>,
    /// L1 block of the log.
    pub l1_block: u64,
    /// L1 transaction that appended it (fetch blobs with it).
    pub l1_tx_hash: B256,
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
