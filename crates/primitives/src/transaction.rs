//! Transactions: the signed envelope, its canonical encoding, hash and sender recovery.

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use secp256k1::{
    Message,
    ecdsa::{RecoverableSignature, RecoveryId},
};
use serde::{Deserialize, Serialize};

use crate::{Call, codec, eip712};

/// Largest encoded signed transaction accepted anywhere, in bytes.
pub const MAX_TX_SIZE: usize = 4 * 1024;

/// secp256k1 group order divided by two: signatures with a larger `s` are malleable copies and
/// are refused (as Ethereum does since EIP-2), so a transaction has exactly one valid encoding.
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d,
    0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// What the sender signs: the call plus replay protection (chain id, nonce) and the fee bound.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// The L2 chain id; also in the EIP-712 domain.
    pub chain_id: u64,
    /// The sender's next nonce.
    pub nonce: u64,
    /// Most the sender will pay in fees, in native wei.
    #[serde(with = "crate::call::u128_string")]
    pub max_fee: u128,
    /// What to do.
    pub call: Call,
}

/// An Ethereum-style recoverable signature: `r`, `s` and `v` in {27, 28}.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Signature {
    /// r.
    pub r: B256,
    /// s (must be in the lower half of the curve order).
    pub s: B256,
    /// Recovery id plus 27.
    pub v: u8,
}

impl Signature {
    /// Parses the 65-byte `r ‖ s ‖ v` form wallets return (`v` as 27/28 or 0/1).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RecoverError> {
        if bytes.len() != 65 {
            return Err(RecoverError::BadLength { len: bytes.len() });
        }
        let v = match bytes[64] {
            0 | 1 => bytes[64] + 27,
            v => v,
        };
        Ok(Self { r: B256::from_slice(&bytes[..32]), s: B256::from_slice(&bytes[32..64]), v })
    }

    /// The 65-byte `r ‖ s ‖ v` form.
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(self.r.as_slice());
        out[32..64].copy_from_slice(self.s.as_slice());
        out[64] = self.v;
        out
    }
}

/// A transaction with its signature, as it travels and as it is stored in blocks.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SignedTransaction {
    /// The signed content.
    pub tx: Transaction,
    /// The sender's signature over the EIP-712 digest of `tx`.
    pub signature: Signature,
}

/// Why a signature did not yield a sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoverError {
    /// The signature is not 65 bytes.
    #[error("signature must be 65 bytes, got {len}")]
    BadLength {
        /// Length given.
        len: usize,
    },
    /// `v` is not 27 or 28.
    #[error("signature v must be 27 or 28, got {v}")]
    BadV {
        /// The v given.
        v: u8,
    },
    /// `s` is in the upper half of the curve order.
    #[error("signature s is not in the lower half of the curve order")]
    HighS,
    /// libsecp256k1 rejected the signature.
    #[error("signature does not recover a public key")]
    Invalid,
}

impl SignedTransaction {
    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Decodes untrusted bytes (at most [`MAX_TX_SIZE`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, codec::DecodeError> {
        codec::decode(bytes, MAX_TX_SIZE, "signed transaction")
    }

    /// The transaction hash: keccak256 of the canonical encoding. Unique per transaction because
    /// high-s signatures are refused.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The EIP-712 digest the sender signed.
    pub fn signing_hash(&self) -> B256 {
        eip712::signing_hash(&self.tx)
    }

    /// Recovers the sender with libsecp256k1.
    pub fn recover(&self) -> Result<Address, RecoverError> {
        let sig = &self.signature;
        if sig.v != 27 && sig.v != 28 {
            return Err(RecoverError::BadV { v: sig.v });
        }
        if sig.s.0 > HALF_ORDER {
            return Err(RecoverError::HighS);
        }
        let recid = RecoveryId::try_from(i32::from(sig.v - 27)).map_err(|_| RecoverError::Invalid)?;
        let mut compact = [0u8; 64];
        compact[..32].copy_from_slice(sig.r.as_slice());
        compact[32..].copy_from_slice(sig.s.as_slice());
        let rsig = RecoverableSignature::from_compact(&compact, recid).map_err(|_| RecoverError::Invalid)?;
        let digest = self.signing_hash();
        let pk = rsig.recover_ecdsa(Message::from_digest(digest.0)).map_err(|_| RecoverError::Invalid)?;
        Ok(address_of(&pk))
    }

    /// Recovers the sender and computes the hash once, for the mempool and block producer.
    pub fn verify(self) -> Result<VerifiedTransaction, RecoverError> {
        let sender = self.recover()?;
        let encoded = self.encode();
        Ok(VerifiedTransaction { hash: keccak256(&encoded), size: encoded.len(), sender, tx: self })
    }
}

/// A transaction whose signature has been checked: signature work is done once, ahead of
/// execution, and never repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTransaction {
    /// The transaction.
    pub tx: SignedTransaction,
    /// The recovered sender.
    pub sender: Address,
    /// Its hash.
    pub hash: B256,
    /// Its encoded size in bytes.
    pub size: usize,
}

/// The Ethereum address of a secp256k1 public key.
pub(crate) fn address_of(pk: &secp256k1::PublicKey) -> Address {
    let uncompressed = pk.serialize_uncompressed();
    Address::from_slice(&keccak256(&uncompressed[1..])[12..])
}
