//! A local session key that signs transactions for an account (games and agents hold these in
//! memory; the account's wallet authorized them once with `AuthorizeSession`).

use alloy_primitives::{Address, B256};
use ed25519_dalek::Signer as _;
use p256::ecdsa::signature::hazmat::PrehashSigner;

use crate::{CallSet, Envelope, KeyError, SessionKey, Signature, SignedTransaction, Transaction, eip712};

/// A session private key.
#[derive(Clone)]
pub enum SessionSigner {
    /// ed25519.
    Ed25519(ed25519_dalek::SigningKey),
    /// P-256.
    P256(p256::ecdsa::SigningKey),
}

impl core::fmt::Debug for SessionSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the secret.
        f.debug_struct("SessionSigner").field("public_key", &self.public_key()).finish()
    }
}

impl SessionSigner {
    /// An ed25519 key from a 32-byte seed (fresh entropy from the caller).
    pub fn ed25519(seed: [u8; 32]) -> Self {
        Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// A P-256 key from a 32-byte scalar.
    pub fn p256(secret: [u8; 32]) -> Result<Self, KeyError> {
        p256::ecdsa::SigningKey::from_bytes(&secret.into()).map(Self::P256).map_err(|_| KeyError::OutOfRange)
    }

    /// The public key to authorize.
    pub fn public_key(&self) -> SessionKey {
        match self {
            Self::Ed25519(k) => SessionKey::Ed25519(k.verifying_key().to_bytes()),
            Self::P256(k) => {
                let point = k.verifying_key().to_encoded_point(true);
                let mut out = [0u8; crate::session::P256_KEY_LEN];
                out.copy_from_slice(point.as_bytes());
                SessionKey::P256(out)
            }
        }
    }

    /// Signs a 32-byte digest: the 64-byte signature as `r ‖ s` with `v = 0`.
    pub fn sign_digest(&self, digest: B256) -> Signature {
        let bytes: [u8; 64] = match self {
            Self::Ed25519(k) => k.sign(digest.as_slice()).to_bytes(),
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(digest.as_slice()).expect("a 32-byte prehash is always accepted");
                sig.normalize_s().unwrap_or(sig).to_bytes().into()
            }
        };
        Signature { r: B256::from_slice(&bytes[..32]), s: B256::from_slice(&bytes[32..]), v: 0 }
    }

    /// Signs `tx` for `account`, with the fee paid by `sponsor` if given.
    pub fn sign<C: CallSet>(
        &self,
        tx: Transaction<C>,
        account: Address,
        sponsor: Option<Address>,
    ) -> SignedTransaction<C> {
        let envelope = Envelope::Session { account, key: self.public_key(), sponsor };
        let signature = self.sign_digest(eip712::envelope_signing_hash(&tx, &envelope));
        SignedTransaction { tx, signature, envelope: Some(envelope) }
    }
}
