//! The L1 vocabulary: what derivation reads from L1, defined once. `pillar-l1` decodes the
//! contracts' logs into these types (and re-exports them), the [`crate::ChainProvider`] and
//! [`crate::DataAvailabilityProvider`] traits hand them over, and the deriver consumes them.
//!
//! Events are kept as logged: a queue message keeps its raw kind and payload, and is decoded into
//! the chain's [`L1Message`] by derivation, which is where a payload that does not decode is
//! judged.

use alloc::vec::Vec;

use alloy_primitives::Bytes;
use alloy_sol_types::SolValue;
use pillar_stf::{
    Address, B256, KIND_ERC20_DEPOSIT, KIND_ETH_DEPOSIT, KIND_FORCED_TX, L1Message, L1MessageError, U256,
};
use serde::{Deserialize, Serialize};

/// An L1 block's identity and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct L1BlockInfo {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// Timestamp (seconds).
    pub timestamp: u64,
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
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::EthDeposit => KIND_ETH_DEPOSIT,
            Self::Erc20Deposit => KIND_ERC20_DEPOSIT,
            Self::ForcedTx => KIND_FORCED_TX,
        }
    }

    /// The kind of a kind byte; `None` for one the Portal does not define.
    pub const fn from_u8(kind: u8) -> Option<Self> {
        match kind {
            KIND_ETH_DEPOSIT => Some(Self::EthDeposit),
            KIND_ERC20_DEPOSIT => Some(Self::Erc20Deposit),
            KIND_FORCED_TX => Some(Self::ForcedTx),
            _ => None,
        }
    }
}

/// One message of the Portal's queue, as its `QueueMessage` event logged it.
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
        L1Message::event_hash(self.index, self.timestamp, self.sender, self.kind.as_u8(), &self.payload)
    }

    /// The message as the chain carries it (a system transaction); an error if the payload does
    /// not fit its kind, which the Portal never logs.
    pub fn to_l1_message(&self) -> Result<L1Message, L1MessageError> {
        L1Message::from_event(
            self.index,
            self.l1_block,
            self.timestamp,
            self.sender,
            self.kind.as_u8(),
            &self.payload,
        )
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

/// What an entry of the batch chain is: a batch and how its data reached L1, or a force entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchKind {
    /// EIP-4844 blobs of the posting transaction (kind `0`).
    Blob,
    /// Transaction calldata, repeated in `CalldataBatchPayload` (kind `1`).
    Calldata,
    /// `Rollup.forceInclusion` (kind `2`): no payload; derivation forces the messages overdue at
    /// the entry's time (docs/derivation.md §4).
    Force,
}

impl BatchKind {
    /// The kind byte on L1.
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Blob => 0,
            Self::Calldata => 1,
            Self::Force => 2,
        }
    }

    /// The kind of a kind byte; `None` for one the Rollup does not define.
    pub const fn from_u8(kind: u8) -> Option<Self> {
        match kind {
            0 => Some(Self::Blob),
            1 => Some(Self::Calldata),
            2 => Some(Self::Force),
            _ => None,
        }
    }
}

/// The L1 facts an entry of the batch chain commits to (`Hashing.BatchContext`), read by the
/// Rollup when it was appended. Derivation judges the entry by these alone, so that a program
/// holding only the chain of entries derives what a node reading L1 blocks derives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchContext {
    /// L1 block number of the append.
    pub l1_block: u64,
    /// L1 timestamp (seconds) of the append.
    pub l1_timestamp: u64,
    /// Queue messages on L1 before the entry (`Portal.queueLength()`).
    pub queue_length: u64,
    /// The Portal's rolling hash after them (zero for none).
    pub queue_head: B256,
    /// `Rollup.inclusionDeadline()` (seconds) when the entry was appended.
    pub inclusion_deadline: u64,
}

/// `keccak256(abi.encode(prevBatchHash, firstBlock, lastBlock, uint8 kind, dataCommitment,
/// l1Block, l1Timestamp, queueLength, queueHead, inclusionDeadline))` (docs/bridge.md §2.2): the
/// link of an entry into the batch hash chain.
pub fn batch_hash(
    prev: B256,
    first_block: u64,
    last_block: u64,
    kind: u8,
    data_commitment: B256,
    context: &BatchContext,
) -> B256 {
    alloy_primitives::keccak256(entry_preimage(prev, first_block, last_block, kind, data_commitment, context))
}

/// The 320-byte preimage of [`batch_hash`]: what a fault-proof program reads an entry from.
pub fn entry_preimage(
    prev: B256,
    first_block: u64,
    last_block: u64,
    kind: u8,
    data_commitment: B256,
    context: &BatchContext,
) -> Vec<u8> {
    let c = context;
    (
        prev,
        first_block,
        last_block,
        u32::from(kind),
        data_commitment,
        c.l1_block,
        c.l1_timestamp,
        c.queue_length,
        c.queue_head,
        c.inclusion_deadline,
    )
        .abi_encode_params()
}

/// A `BatchAppended` event (with its `CalldataBatchPayload` for calldata batches): a batch, or a
/// force entry ([`BatchKind::Force`], no blocks, no payload).
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
    /// Blob, calldata or force entry.
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
    /// The L1 facts the entry commits to, which derivation judges it by.
    pub context: BatchContext,
}

impl BatchEvent {
    /// The preimage of its hash ([`entry_preimage`]).
    pub fn entry_preimage(&self) -> Vec<u8> {
        entry_preimage(
            self.prev_batch_hash,
            self.first_block,
            self.last_block,
            self.kind.as_u8(),
            self.data_commitment,
            &self.context,
        )
    }

    /// The batch hash its fields give ([`batch_hash`]); the Rollup's is `batch_hash`.
    pub fn computed_hash(&self) -> B256 {
        batch_hash(
            self.prev_batch_hash,
            self.first_block,
            self.last_block,
            self.kind.as_u8(),
            self.data_commitment,
            &self.context,
        )
    }
}

/// An output proposal (`Rollup.OutputProposed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedOutput {
    /// Output index.
    pub index: u64,
    /// L2 block it describes.
    pub l2_block: u64,
    /// The root claimed.
    pub output_root: B256,
    /// L1 timestamp from which it is final.
    pub finalizes_at: u64,
}

/// One L1 event derivation reads. `B` is the batch as logged ([`BatchEvent`]) or with its payload
/// fetched from its carrier ([`L1Batch`], what the deriver takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum L1Event<B = BatchEvent> {
    /// `Portal.QueueMessage`.
    Queue(QueueMessage),
    /// `Rollup.BatchAppended`.
    Batch(B),
    /// `Rollup.OutputProposed`.
    Output(ProposedOutput),
    /// `Rollup.OutputsInvalidated`: outputs from this index on are gone.
    OutputsInvalidated {
        /// First invalidated index.
        from_index: u64,
    },
}

/// An event with its place on L1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Log {
    /// L1 block.
    pub l1_block: u64,
    /// Position in the block.
    pub log_index: u64,
    /// The event.
    pub event: L1Event,
}

/// What a batch's carrier holds, fetched and checked against the batch's data commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchPayload {
    /// The payload: the calldata, or the bytes the blobs encode.
    Bytes(Vec<u8>),
    /// Blobs that are the ones the Rollup recorded but do not encode one payload in the batch
    /// blob coding. Anyone may post such blobs through the escape hatch and every node reads the
    /// same ones, so the batch is skipped, not read again.
    Unreadable,
    /// A force entry, which carries no payload.
    None,
}

/// A batch with what its carrier holds, as a [`crate::DataAvailabilityProvider`] fetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Batch {
    /// The event.
    pub event: BatchEvent,
    /// The payload.
    pub payload: BatchPayload,
}

/// Everything derivation reads from one L1 block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1BlockData {
    /// The block.
    pub info: L1BlockInfo,
    /// Its events, in log order, batches with their payloads.
    pub events: Vec<L1Event<L1Batch>>,
}
