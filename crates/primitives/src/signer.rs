//! A local secp256k1 key that signs transactions the way a wallet does.

use alloy_primitives::{Address, B256};
use secp256k1::{Message, SecretKey, ecdsa::RecoverableSignature};

use crate::{CallSet, Envelope, Signature, SignedTransaction, Transaction, address_of, eip712};

/// Why a private key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 bytes of hex.
    #[error("private key must be 32 bytes of hex")]
    BadEncoding,
    /// Zero or not below the curve order.
    #[error("private key is out of range for secp256k1")]
    OutOfRange,
}

/// A secp256k1 private key.
#[derive(Clone)]
pub struct PrivateKey {
    secret: SecretKey,
    address: Address,
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the secret.
        f.debug_struct("PrivateKey").field("address", &self.address).finish()
    }
}

impl PrivateKey {
    /// From 32 raw bytes (for example fresh entropy from the operating system).
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, KeyError> {
        let secret = SecretKey::from_secret_bytes(bytes).map_err(|_| KeyError::OutOfRange)?;
        let address = address_of(&secret.public_key());
        Ok(Self { secret, address })
    }

    /// From hex, with or without `0x`.
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        let raw = hex::decode(s.trim().trim_start_matches("0x")).map_err(|_| KeyError::BadEncoding)?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| KeyError::BadEncoding)?;
        Self::from_bytes(bytes)
    }

    /// Hex with `0x`.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.secret.to_secret_bytes()))
    }

    /// The Ethereum address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// Signs a 32-byte digest, returning a low-s signature with `v` in {27, 28}.
    pub fn sign_digest(&self, digest: B256) -> Signature {
        let sig = RecoverableSignature::sign_ecdsa_recoverable(Message::from_digest(digest.0), &self.secret);
        let (recid, compact) = sig.serialize_compact();
        Signature {
            r: B256::from_slice(&compact[..32]),
            s: B256::from_slice(&compact[32..]),
            v: 27 + u8::from(recid),
        }
    }

    /// Signs a transaction's EIP-712 digest.
    pub fn sign<C: CallSet>(&self, tx: Transaction<C>) -> SignedTransaction<C> {
        let signature = self.sign_digest(eip712::signing_hash(&tx));
        SignedTransaction { tx, signature, envelope: None }
    }

    /// Signs a transaction whose fee `sponsor` pays (the sponsor is part of what is signed).
    pub fn sign_sponsored<C: CallSet>(&self, tx: Transaction<C>, sponsor: Address) -> SignedTransaction<C> {
        let envelope = Envelope::Sponsored { sponsor };
        let signature = self.sign_digest(eip712::envelope_signing_hash(&tx, &envelope));
        SignedTransaction { tx, signature, envelope: Some(envelope) }
    }
}
