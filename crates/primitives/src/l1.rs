//! Messages from the L1 queue (the Portal contract) and the chain's transaction envelope.
//!
//! Encodings and hashes follow docs/bridge.md §4 exactly: a message's hash is
//! `keccak256(abi.encode(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes payload))`
//! and the queue's rolling hash is `keccak256(prev ‖ messageHash)`, so an L2 header's `queue_hash`
//! can be compared with `Portal.queueHash(i)`.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{CallSet, SignedTransaction, VerifiedTransaction, u128_string};

/// Kind code of an ETH deposit.
pub const KIND_ETH_DEPOSIT: u8 = 0;
/// Kind code of an ERC-20 deposit.
pub const KIND_ERC20_DEPOSIT: u8 = 1;
/// Kind code of a forced transaction.
pub const KIND_FORCED_TX: u8 = 2;

/// What an L1 queue message asks for.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum L1MessageKind {
    /// Mint bridged ETH to `recipient`.
    EthDeposit {
        /// L2 recipient.
        recipient: Address,
        /// Wei.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Mint the L2 representation of `token` to `recipient`.
    Erc20Deposit {
        /// L1 token contract.
        token: Address,
        /// L2 recipient.
        recipient: Address,
        /// Token units.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Execute a signed L2 transaction as if its signer had sent it (canonical bytes, not yet
    /// decoded: a payload that does not decode is consumed and skipped).
    ForcedTx {
        /// The signed transaction's canonical bytes (0x-hex in JSON).
        #[serde(with = "hex_bytes")]
        tx: Vec<u8>,
    },
}

mod hex_bytes {
    use alloc::{string::String, vec::Vec};

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.trim_start_matches("0x")).map_err(D::Error::custom)
    }
}

/// One message of the L1 queue.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Message {
    /// Sequence number in the queue, from 0 without gaps.
    pub index: u64,
    /// L1 block that holds the message.
    pub l1_block: u64,
    /// L1 block timestamp (seconds).
    pub timestamp: u64,
    /// L1 `msg.sender`.
    pub sender: Address,
    /// What it asks for.
    pub kind: L1MessageKind,
}

/// A queue payload that does not match its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum L1MessageError {
    /// Unknown kind code.
    #[error("unknown queue message kind {kind}")]
    UnknownKind {
        /// Kind given.
        kind: u8,
    },
    /// Payload length or content does not fit the kind.
    #[error("queue message {index}: {reason}")]
    BadPayload {
        /// Message index.
        index: u64,
        /// What is wrong.
        reason: &'static str,
    },
}

fn word_address(w: &[u8]) -> Option<Address> {
    w[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&w[12..32]))
}

fn word_u128(w: &[u8]) -> Option<u128> {
    u128::try_from(U256::from_be_slice(&w[..32])).ok()
}

impl L1Message {
    /// Bytes of its canonical (borsh) encoding: what it costs in a block and in a batch.
    pub fn encoded_len(&self) -> usize {
        // Fixed fields (index, L1 block, timestamp, sender) and the kind's own bytes.
        8 + 8
            + 8
            + 20
            + 1
            + match &self.kind {
                L1MessageKind::EthDeposit { .. } => 20 + 16,
                L1MessageKind::Erc20Deposit { .. } => 20 + 20 + 16,
                L1MessageKind::ForcedTx { tx } => 4 + tx.len(),
            }
    }

    /// Decodes a message from the fields of the Portal's `QueueMessage` event.
    pub fn from_event(
        index: u64,
        l1_block: u64,
        timestamp: u64,
        sender: Address,
        kind: u8,
        payload: &[u8],
    ) -> Result<Self, L1MessageError> {
        let bad = |reason| L1MessageError::BadPayload { index, reason };
        let kind = match kind {
            KIND_ETH_DEPOSIT => {
                if payload.len() != 64 {
                    return Err(bad("ETH deposit payload must be 64 bytes"));
                }
                L1MessageKind::EthDeposit {
                    recipient: word_address(&payload[..32]).ok_or(bad("bad recipient word"))?,
                    amount: word_u128(&payload[32..]).ok_or(bad("amount exceeds u128"))?,
                }
            }
            KIND_ERC20_DEPOSIT => {
                if payload.len() != 96 {
                    return Err(bad("ERC-20 deposit payload must be 96 bytes"));
                }
                L1MessageKind::Erc20Deposit {
                    token: word_address(&payload[..32]).ok_or(bad("bad token word"))?,
                    recipient: word_address(&payload[32..64]).ok_or(bad("bad recipient word"))?,
                    amount: word_u128(&payload[64..]).ok_or(bad("amount exceeds u128"))?,
                }
            }
            KIND_FORCED_TX => L1MessageKind::ForcedTx { tx: payload.to_vec() },
            kind => return Err(L1MessageError::UnknownKind { kind }),
        };
        Ok(Self { index, l1_block, timestamp, sender, kind })
    }

    /// The kind code.
    pub fn kind_code(&self) -> u8 {
        match self.kind {
            L1MessageKind::EthDeposit { .. } => KIND_ETH_DEPOSIT,
            L1MessageKind::Erc20Deposit { .. } => KIND_ERC20_DEPOSIT,
            L1MessageKind::ForcedTx { .. } => KIND_FORCED_TX,
        }
    }

    /// The payload exactly as the Portal encoded it.
    pub fn payload(&self) -> Vec<u8> {
        match &self.kind {
            L1MessageKind::EthDeposit { recipient, amount } => {
                (*recipient, U256::from(*amount)).abi_encode_params()
            }
            L1MessageKind::Erc20Deposit { token, recipient, amount } => {
                (*token, *recipient, U256::from(*amount)).abi_encode_params()
            }
            L1MessageKind::ForcedTx { tx } => tx.clone(),
        }
    }

    /// `messageHash` of docs/bridge.md §4.2.
    pub fn hash(&self) -> B256 {
        Self::event_hash(self.index, self.timestamp, self.sender, self.kind_code(), &self.payload())
    }

    /// The preimage of [`L1Message::hash`]: what a fault-proof program reads a message from.
    pub fn event_preimage(&self) -> Vec<u8> {
        Self::event_encoding(self.index, self.timestamp, self.sender, self.kind_code(), &self.payload())
    }

    /// `abi.encode(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes payload)`.
    fn event_encoding(index: u64, timestamp: u64, sender: Address, kind: u8, payload: &[u8]) -> Vec<u8> {
        (index, timestamp, sender, u32::from(kind), Bytes::copy_from_slice(payload)).abi_encode_params()
    }

    /// `messageHash` of a `QueueMessage` event's fields as logged, `keccak256(abi.encode(uint64
    /// index, uint64 timestamp, address sender, uint8 kind, bytes payload))`: the one
    /// implementation, shared with the L1 client, which hashes payloads before decoding them.
    pub fn event_hash(index: u64, timestamp: u64, sender: Address, kind: u8, payload: &[u8]) -> B256 {
        keccak256(Self::event_encoding(index, timestamp, sender, kind, payload))
    }
}

/// A withdrawal leaf: `keccak256(abi.encode(uint64 l2Block, uint32 index, address l2Sender,
/// address l1Recipient, address token, uint256 amount))` (docs/bridge.md §5.1).
pub fn withdrawal_leaf(
    l2_block: u64,
    index: u32,
    l2_sender: Address,
    l1_recipient: Address,
    token: Address,
    amount: u128,
) -> B256 {
    keccak256((l2_block, index, l2_sender, l1_recipient, token, U256::from(amount)).abi_encode_params())
}

/// Where derivation was when an L2 block became safe (`Hashing.DerivationCursor`,
/// docs/derivation.md §6): the batch-chain entry whose processing derived it, and whether it came
/// from that entry's batch or was forced in after the entry. The block after it can be derived
/// from this and the chain of entries alone, which is what the fault-proof program does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DerivationCursor {
    /// `batchHash` of the entry; zero for genesis.
    pub entry: B256,
    /// [`DerivationCursor::FROM_BATCH`] or [`DerivationCursor::AFTER_ENTRY`].
    pub phase: u8,
}

impl DerivationCursor {
    /// The block came from the entry's batch.
    pub const FROM_BATCH: u8 = 0;
    /// The block was forced in after the entry.
    pub const AFTER_ENTRY: u8 = 1;
    /// Genesis: after no entry.
    pub const GENESIS: Self = Self { entry: B256::ZERO, phase: Self::AFTER_ENTRY };

    /// A block from `entry`'s batch.
    pub const fn from_batch(entry: B256) -> Self {
        Self { entry, phase: Self::FROM_BATCH }
    }

    /// A block forced in after `entry`.
    pub const fn after_entry(entry: B256) -> Self {
        Self { entry, phase: Self::AFTER_ENTRY }
    }
}

/// An output root: `keccak256(abi.encode(uint256 1, stateRoot, withdrawalsRoot, blockHash,
/// bytes32 cursorEntry, uint8 cursorPhase))` (docs/bridge.md §3.1).
pub fn output_root(
    state_root: B256,
    withdrawals_root: B256,
    block_hash: B256,
    cursor: &DerivationCursor,
) -> B256 {
    keccak256(
        (U256::from(1), state_root, withdrawals_root, block_hash, cursor.entry, u32::from(cursor.phase))
            .abi_encode_params(),
    )
}

/// One step of the queue's rolling hash.
pub fn next_queue_hash(prev: B256, message_hash: B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(prev.as_slice());
    buf[32..].copy_from_slice(message_hash.as_slice());
    keccak256(buf)
}

/// An entry of a block: an L1 queue message (a system transaction, always first in the block, in
/// queue order) or a user-signed transaction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ChainTx<C> {
    /// A message from the L1 queue.
    L1(L1Message),
    /// A signed transaction.
    Signed(SignedTransaction<C>),
}

impl<C: CallSet> ChainTx<C> {
    /// The entry's hash: the message hash or the transaction hash.
    pub fn hash(&self) -> B256 {
        match self {
            ChainTx::L1(m) => m.hash(),
            ChainTx::Signed(t) => t.hash(),
        }
    }
}

/// An entry ready for execution: signatures of signed transactions already checked.
// Nearly every entry is `Signed`, so boxing it would add an allocation per transaction to save
// space only on the rare L1 entries.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecTx<C> {
    /// A message from the L1 queue.
    L1(L1Message),
    /// A verified signed transaction.
    Signed(VerifiedTransaction<C>),
}

impl<C> ExecTx<C> {
    /// The stored form.
    pub fn into_chain_tx(self) -> ChainTx<C> {
        match self {
            ExecTx::L1(m) => ChainTx::L1(m),
            ExecTx::Signed(v) => ChainTx::Signed(v.tx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/bridge.md §7, computed with ethers and checked by contracts/test/Vectors.t.sol.
    #[test]
    fn queue_hashes_match_the_portal() {
        let sender = Address::repeat_byte(0xaa);
        let m0 = L1Message {
            index: 0,
            l1_block: 1,
            timestamp: 1_800_000_000,
            sender,
            kind: L1MessageKind::EthDeposit { recipient: Address::repeat_byte(0xbb), amount: 10u128.pow(18) },
        };
        let m1 = L1Message {
            index: 1,
            l1_block: 2,
            timestamp: 1_800_000_012,
            sender,
            kind: L1MessageKind::ForcedTx { tx: vec![0xc0, 0xff, 0xee] },
        };
        let h = |s: &str| s.parse::<B256>().unwrap();
        assert_eq!(m0.hash(), h("0x223d587bc2a3baf15fc914db48d45e81234905a23ef1a4f6466d5746a5a022d5"));
        let q0 = next_queue_hash(B256::ZERO, m0.hash());
        assert_eq!(q0, h("0xc5311edb26c4ab9c44c8db883cd6b8c991ee487081fdd5d7bce21f0acea469c2"));
        assert_eq!(m1.hash(), h("0xd3064feed39f6ecc89f8c0136140f2434705ca8344a4dea92d812bfdf267fc16"));
        assert_eq!(
            next_queue_hash(q0, m1.hash()),
            h("0x9f2eb65bf603cdf1b01755c6dd1f368644136cb5e11966710dc8fe5d130f2f31")
        );
    }

    #[test]
    fn encoded_len_is_the_borsh_length_of_every_kind() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        for kind in [
            L1MessageKind::EthDeposit { recipient: a, amount: u128::MAX },
            L1MessageKind::Erc20Deposit { token: a, recipient: b, amount: 7 },
            L1MessageKind::ForcedTx { tx: vec![] },
            L1MessageKind::ForcedTx { tx: vec![9; 4096] },
        ] {
            let m = L1Message { index: u64::MAX, l1_block: 3, timestamp: 4, sender: b, kind };
            assert_eq!(m.encoded_len(), crate::codec::encode(&m).len(), "{m:?}");
        }
    }

    #[test]
    fn leaf_and_output_vectors() {
        let h = |s: &str| s.parse::<B256>().unwrap();
        let (a, b) = (Address::repeat_byte(0x11), Address::repeat_byte(0x22));
        assert_eq!(
            withdrawal_leaf(7, 2, a, b, Address::ZERO, 10u128.pow(18)),
            h("0xe3b66e6eea925762f6810f183a6b6642a0f03875855f6389aed01f19dfd90e97")
        );
        assert_eq!(
            withdrawal_leaf(7, 3, a, b, Address::repeat_byte(0x44), 5_000_000),
            h("0xae29f3e1a8de71f059f7135ab9f3231fa55c10b78630cfa861b600fa3ee72e87")
        );
        let (s, w, b, e) = (
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22),
            B256::repeat_byte(0x33),
            B256::repeat_byte(0x44),
        );
        assert_eq!(
            output_root(s, w, b, &DerivationCursor::from_batch(e)),
            h("0x35c3d6b0f5dd4fde134ffcf0f742eb7bd3ba2244144a3426addabf8104452d03")
        );
        assert_eq!(
            output_root(s, w, b, &DerivationCursor::after_entry(e)),
            h("0xcb3901271b99d756894a7c591c5b7f0c5b838a379354e7a72f2d691609f8ee7c")
        );
    }

    #[test]
    fn payloads_round_trip_through_event_decoding() {
        let sender = Address::repeat_byte(0x11);
        for kind in [
            L1MessageKind::EthDeposit { recipient: Address::repeat_byte(2), amount: 5 },
            L1MessageKind::Erc20Deposit {
                token: Address::repeat_byte(3),
                recipient: Address::repeat_byte(4),
                amount: u128::MAX,
            },
            L1MessageKind::ForcedTx { tx: vec![1, 2, 3] },
        ] {
            let m = L1Message { index: 9, l1_block: 100, timestamp: 1234, sender, kind };
            let back = L1Message::from_event(9, 100, 1234, sender, m.kind_code(), &m.payload()).unwrap();
            assert_eq!(back, m);
        }
        assert!(L1Message::from_event(0, 0, 0, sender, 7, &[]).is_err());
        assert!(L1Message::from_event(0, 0, 0, sender, 0, &[0; 63]).is_err());
        let mut too_big = (Address::repeat_byte(2), U256::MAX).abi_encode_params();
        assert!(L1Message::from_event(0, 0, 0, sender, 0, &too_big).is_err());
        too_big[0] = 1;
        assert!(L1Message::from_event(0, 0, 0, sender, 0, &too_big).is_err());
    }
}
