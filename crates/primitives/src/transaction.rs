//! Transactions: the signed envelope, its canonical encoding, hash and sender recovery.
//!
//! Two encodings, told apart by their first eight bytes:
//!
//! - plain: `borsh(Transaction) ‖ borsh(Signature)`, unchanged since the first release;
//! - enveloped: `0xff × 8 ‖ 0x01 ‖ borsh(Transaction) ‖ borsh(Signature) ‖ borsh(Envelope)`.
//!   Eight `0xff` bytes would be a plain transaction for chain id 2⁶⁴−1, which is therefore
//!   reserved; `0x01` is the envelope format version.

use borsh::io::{Read, Write};

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, keccak256};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::{CallSet, Envelope, SessionKey, SigVerifier, codec, eip712};

/// The first eight bytes of an enveloped transaction (a reserved chain id).
pub const ENVELOPE_MARKER: u64 = u64::MAX;
/// The envelope format version that follows the marker.
pub const ENVELOPE_VERSION: u8 = 1;

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
pub struct Transaction<C> {
    /// The L2 chain id; also in the EIP-712 domain.
    pub chain_id: u64,
    /// The sender's next nonce.
    pub nonce: u64,
    /// Most the sender will pay in fees, in native wei.
    #[serde(with = "crate::u128_string")]
    pub max_fee: u128,
    /// What to do.
    pub call: C,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTransaction<C> {
    /// The signed content.
    pub tx: Transaction<C>,
    /// The signature: the sender's secp256k1 signature over the EIP-712 digest of `tx` (or, with
    /// an envelope, of `tx` and the envelope); for a session key, its 64-byte signature in
    /// `r ‖ s` with `v = 0`.
    pub signature: Signature,
    /// Sponsor and session, if any (`None`: the plain form).
    pub envelope: Option<Envelope>,
}

impl<C: BorshSerialize> BorshSerialize for SignedTransaction<C> {
    fn serialize<W: Write>(&self, w: &mut W) -> borsh::io::Result<()> {
        if let Some(envelope) = &self.envelope {
            BorshSerialize::serialize(&ENVELOPE_MARKER, w)?;
            BorshSerialize::serialize(&ENVELOPE_VERSION, w)?;
            BorshSerialize::serialize(&self.tx, w)?;
            BorshSerialize::serialize(&self.signature, w)?;
            BorshSerialize::serialize(&envelope, w)
        } else {
            BorshSerialize::serialize(&self.tx, w)?;
            BorshSerialize::serialize(&self.signature, w)
        }
    }
}

impl<C: BorshDeserialize> BorshDeserialize for SignedTransaction<C> {
    fn deserialize_reader<R: Read>(r: &mut R) -> borsh::io::Result<Self> {
        let bad = |m: &str| {
            borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, alloc::string::ToString::to_string(m))
        };
        let first = u64::deserialize_reader(r)?;
        if first != ENVELOPE_MARKER {
            // Plain form: `first` was the chain id.
            let tx = Transaction {
                chain_id: first,
                nonce: u64::deserialize_reader(r)?,
                max_fee: u128::deserialize_reader(r)?,
                call: C::deserialize_reader(r)?,
            };
            let signature = Signature::deserialize_reader(r)?;
            return Ok(Self { tx, signature, envelope: None });
        }
        if u8::deserialize_reader(r)? != ENVELOPE_VERSION {
            return Err(bad("unknown transaction envelope version"));
        }
        let tx = Transaction::deserialize_reader(r)?;
        if tx.chain_id == ENVELOPE_MARKER {
            return Err(bad("chain id 2^64-1 is reserved for the envelope marker"));
        }
        let signature = Signature::deserialize_reader(r)?;
        let envelope = Envelope::deserialize_reader(r)?;
        Ok(Self { tx, signature, envelope: Some(envelope) })
    }
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
    /// A session key's signature does not verify.
    #[error("session signature ({scheme}) does not verify")]
    BadSessionSignature {
        /// `ed25519` or `p256`.
        scheme: &'static str,
    },
    /// A session-signed transaction must have `v = 0`.
    #[error("a session signature must have v = 0, got {v}")]
    SessionV {
        /// The v given.
        v: u8,
    },
    /// The envelope fails a stateless check.
    #[error("invalid envelope: {reason}")]
    BadEnvelope {
        /// What is wrong.
        reason: &'static str,
    },
}

impl<C: CallSet> SignedTransaction<C> {
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

    /// The EIP-712 digest the signer signed (of the transaction, and of its envelope if any).
    pub fn signing_hash(&self) -> B256 {
        match &self.envelope {
            None => eip712::signing_hash(&self.tx),
            Some(e) => eip712::envelope_signing_hash(&self.tx, e),
        }
    }

    /// The effective sender: the account whose nonce, balances and scope apply. For a plain or
    /// sponsored transaction it is recovered from the secp256k1 signature; for a session-signed
    /// one the session signature is verified and the envelope's account returned (whether the
    /// key may act for it is the `sessions` module's rule). The signature checks themselves are
    /// `verifier`'s ([`SigVerifier`]): libsecp256k1 in the node, L1's precompiles in the
    /// fault-proof program.
    pub fn recover_with<V: SigVerifier + ?Sized>(&self, verifier: &V) -> Result<Address, RecoverError> {
        let digest = self.signing_hash();
        match &self.envelope {
            Some(Envelope::Session { account, key, .. }) => {
                self.check_session_shape()?;
                let sig = self.session_sig();
                let ok = match key {
                    SessionKey::Ed25519(k) => verifier.ed25519_verify(k, &sig, digest.as_slice()),
                    SessionKey::P256(k) => verifier.p256_verify(k, &sig, &digest.0),
                };
                if ok { Ok(*account) } else { Err(session_error(key)) }
            }
            Some(e) => {
                e.check_shape().map_err(|reason| RecoverError::BadEnvelope { reason })?;
                self.recover_secp(verifier, digest)
            }
            None => self.recover_secp(verifier, digest),
        }
    }

    /// Recovers the sender with `verifier` and computes the hash once.
    pub fn verify_with<V: SigVerifier + ?Sized>(
        self,
        verifier: &V,
    ) -> Result<VerifiedTransaction<C>, RecoverError> {
        let sender = self.recover_with(verifier)?;
        Ok(self.into_verified(sender))
    }

    pub(crate) fn check_session_shape(&self) -> Result<(), RecoverError> {
        if let Some(e) = &self.envelope {
            e.check_shape().map_err(|reason| RecoverError::BadEnvelope { reason })?;
        }
        if self.signature.v != 0 {
            return Err(RecoverError::SessionV { v: self.signature.v });
        }
        Ok(())
    }

    /// The session signature bytes `r ‖ s`.
    pub(crate) fn session_sig(&self) -> [u8; 64] {
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(self.signature.r.as_slice());
        sig[32..].copy_from_slice(self.signature.s.as_slice());
        sig
    }

    /// The secp256k1 signer of `digest`: the wire rules (`v`, low `s`) here, the curve
    /// arithmetic in `verifier`.
    fn recover_secp<V: SigVerifier + ?Sized>(
        &self,
        verifier: &V,
        digest: B256,
    ) -> Result<Address, RecoverError> {
        let sig = &self.signature;
        if sig.v != 27 && sig.v != 28 {
            return Err(RecoverError::BadV { v: sig.v });
        }
        if sig.s.0 > HALF_ORDER {
            return Err(RecoverError::HighS);
        }
        verifier.secp256k1_recover(&digest, &self.session_sig(), sig.v - 27).ok_or(RecoverError::Invalid)
    }

    pub(crate) fn into_verified(self, sender: Address) -> VerifiedTransaction<C> {
        let encoded = self.encode();
        let session = self.envelope.as_ref().and_then(|e| e.session().copied());
        VerifiedTransaction { hash: keccak256(&encoded), size: encoded.len(), sender, session, tx: self }
    }
}

pub(crate) fn session_error(key: &SessionKey) -> RecoverError {
    RecoverError::BadSessionSignature {
        scheme: match key {
            SessionKey::Ed25519(_) => "ed25519",
            SessionKey::P256(_) => "p256",
        },
    }
}

/// A transaction whose signature has been checked: signature work is done once, ahead of
/// execution, and never repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTransaction<C> {
    /// The transaction.
    pub tx: SignedTransaction<C>,
    /// The effective sender: the recovered signer, or the account a session key acts for.
    pub sender: Address,
    /// The session key that signed for `sender`, if one did (its scope is then enforced).
    pub session: Option<SessionKey>,
    /// Its hash.
    pub hash: B256,
    /// Its encoded size in bytes.
    pub size: usize,
}

impl<C> VerifiedTransaction<C> {
    /// The sponsor named in the envelope, if any.
    pub fn sponsor(&self) -> Option<Address> {
        self.tx.envelope.as_ref().and_then(Envelope::sponsor)
    }

    /// Who pays the fee: the sponsor if one is named, else the sender.
    pub fn payer(&self) -> Address {
        self.sponsor().unwrap_or(self.sender)
    }
}
