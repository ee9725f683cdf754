//! Session keys and the transaction envelope that carries them (and fee sponsors).
//!
//! A [`SignedTransaction`](crate::SignedTransaction) without an envelope is the original form,
//! byte for byte. One with an [`Envelope`] appends `borsh(Envelope)` after the signature; the
//! envelope is part of what is signed (see [`crate::eip712::envelope_signing_hash`]), so a relayer
//! can neither add nor change a sponsor or session.

use alloc::string::String;

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec;

/// Length of a compressed SEC1 P-256 public key.
pub const P256_KEY_LEN: usize = 33;

/// A session key's public half: which scheme, and the key.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(try_from = "SessionKeyJson", into = "SessionKeyJson")]
pub enum SessionKey {
    /// An ed25519 key (32 bytes): the fast path, verified in batches.
    Ed25519([u8; 32]),
    /// A P-256 (secp256r1) key, compressed SEC1 (33 bytes): passkeys, verifiable on L1
    /// (RIP-7212 / EIP-7951).
    P256([u8; P256_KEY_LEN]),
}

/// Scheme number of ed25519 keys (in EIP-712 structs and JSON).
pub const SCHEME_ED25519: u8 = 0;
/// Scheme number of P-256 keys.
pub const SCHEME_P256: u8 = 1;

impl SessionKey {
    /// The scheme number.
    pub fn scheme(&self) -> u8 {
        match self {
            SessionKey::Ed25519(_) => SCHEME_ED25519,
            SessionKey::P256(_) => SCHEME_P256,
        }
    }

    /// The raw public key bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            SessionKey::Ed25519(k) => k,
            SessionKey::P256(k) => k,
        }
    }

    /// From a scheme number and raw bytes (length checked, point validity is not).
    pub fn from_parts(scheme: u8, bytes: &[u8]) -> Option<Self> {
        match scheme {
            SCHEME_ED25519 => bytes.try_into().ok().map(SessionKey::Ed25519),
            SCHEME_P256 => bytes.try_into().ok().map(SessionKey::P256),
            _ => None,
        }
    }

    /// The key's id: `keccak256(borsh(key))`, which names it in state and in signed envelopes.
    pub fn id(&self) -> B256 {
        keccak256(codec::encode(self))
    }

    /// Whether the bytes are a usable public key: on the curve, and for ed25519 not of small
    /// order (a small-order key would "verify" forged signatures).
    pub fn is_valid_point(&self) -> bool {
        match self {
            SessionKey::Ed25519(k) => {
                ed25519_dalek::VerifyingKey::from_bytes(k).is_ok_and(|vk| !vk.is_weak())
            }
            SessionKey::P256(k) => p256::ecdsa::VerifyingKey::from_sec1_bytes(k).is_ok(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionKeyJson {
    scheme: u8,
    public_key: String,
}

impl TryFrom<SessionKeyJson> for SessionKey {
    type Error = String;
    fn try_from(j: SessionKeyJson) -> Result<Self, String> {
        let raw = hex::decode(j.public_key.trim_start_matches("0x"))
            .map_err(|e| format!("session public key is not hex: {e}"))?;
        SessionKey::from_parts(j.scheme, &raw).ok_or_else(|| {
            format!(
                "session key must be scheme 0 (ed25519, 32 bytes) or 1 (P-256 compressed, 33 bytes); got scheme {} with {} bytes",
                j.scheme,
                raw.len()
            )
        })
    }
}

impl From<SessionKey> for SessionKeyJson {
    fn from(k: SessionKey) -> Self {
        Self { scheme: k.scheme(), public_key: format!("0x{}", hex::encode(k.bytes())) }
    }
}

/// What an envelope adds to a plain signed transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Envelope {
    /// Signed by the account's own wallet (secp256k1, as usual); `sponsor` pays the fee.
    Sponsored {
        /// Who pays the fee (never the zero address).
        sponsor: Address,
    },
    /// Signed by a session key acting for `account`; the 64-byte signature travels in the
    /// transaction's `r ‖ s` with `v = 0`.
    Session {
        /// The account the session acts for (the effective sender).
        account: Address,
        /// The session key that signed.
        key: SessionKey,
        /// Who pays the fee, if not the account.
        sponsor: Option<Address>,
    },
}

impl Envelope {
    /// Who pays the fee when not the sender.
    pub fn sponsor(&self) -> Option<Address> {
        match self {
            Envelope::Sponsored { sponsor } => Some(*sponsor),
            Envelope::Session { sponsor, .. } => *sponsor,
        }
    }

    /// The session key, if a session signed.
    pub fn session(&self) -> Option<&SessionKey> {
        match self {
            Envelope::Sponsored { .. } => None,
            Envelope::Session { key, .. } => Some(key),
        }
    }

    /// Stateless checks: a named sponsor is never the zero address.
    pub fn check_shape(&self) -> Result<(), &'static str> {
        if self.sponsor() == Some(Address::ZERO) {
            return Err("a sponsor must not be the zero address");
        }
        Ok(())
    }
}
