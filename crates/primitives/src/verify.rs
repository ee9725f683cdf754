//! Signature checks behind a trait: the node checks secp256k1 with libsecp256k1 (C) and session
//! keys in Rust ([`Native`], feature `std`); the fault-proof program answers secp256k1 and P-256
//! through L1's precompiles and ed25519 in software, with its own [`SigVerifier`], so the core never
//! links a C library.

use alloy_primitives::{Address, B256};

/// The three signature checks a transaction can need. The wire rules around them (`v`, low `s`,
/// the envelope's shape) are the caller's ([`crate::SignedTransaction::recover_with`]).
pub trait SigVerifier {
    /// The address whose secp256k1 key signed `digest` with `rs` (`r ‖ s`) and recovery id
    /// `recid` (0 or 1), if the signature recovers a key.
    fn secp256k1_recover(&self, digest: &B256, rs: &[u8; 64], recid: u8) -> Option<Address>;
    /// Whether `sig` is `key`'s ed25519 signature of `msg` (strict verification).
    fn ed25519_verify(&self, key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> bool;
    /// Whether `sig` (`r ‖ s`) is the compressed P-256 `key`'s ECDSA signature of `digest`.
    fn p256_verify(&self, key: &[u8], sig: &[u8; 64], digest: &[u8; 32]) -> bool;
}

#[cfg(feature = "std")]
pub use native::{Native, address_of};

#[cfg(feature = "std")]
mod native {
    use alloc::vec::Vec;

    use alloy_primitives::{Address, B256, keccak256};
    use rayon::prelude::*;
    use secp256k1::{
        Message,
        ecdsa::{RecoverableSignature, RecoveryId},
    };

    use super::SigVerifier;
    use crate::transaction::session_error;
    use crate::{
        CallSet, Envelope, RecoverError, SessionKey, SignedTransaction, VerifiedTransaction, session_sig,
    };

    /// ed25519 signatures checked together in one batch (per core).
    const ED25519_BATCH: usize = 64;

    /// The node's verifier: libsecp256k1 for secp256k1, `ed25519-dalek` and `p256` for session keys.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Native;

    impl SigVerifier for Native {
        fn secp256k1_recover(&self, digest: &B256, rs: &[u8; 64], recid: u8) -> Option<Address> {
            let recid = RecoveryId::try_from(i32::from(recid)).ok()?;
            let rsig = RecoverableSignature::from_compact(rs, recid).ok()?;
            let pk = rsig.recover_ecdsa(Message::from_digest(digest.0)).ok()?;
            Some(address_of(&pk))
        }

        fn ed25519_verify(&self, key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> bool {
            session_sig::ed25519_verify(key, sig, msg)
        }

        fn p256_verify(&self, key: &[u8], sig: &[u8; 64], digest: &[u8; 32]) -> bool {
            session_sig::p256_verify(key, sig, digest)
        }
    }

    /// The Ethereum address of a secp256k1 public key.
    pub fn address_of(pk: &secp256k1::PublicKey) -> Address {
        let uncompressed = pk.serialize_uncompressed();
        Address::from_slice(&keccak256(&uncompressed[1..])[12..])
    }

    impl<C: CallSet> SignedTransaction<C> {
        /// [`SignedTransaction::recover_with`] the node's [`Native`] verifier.
        pub fn recover(&self) -> Result<Address, RecoverError> {
            self.recover_with(&Native)
        }

        /// Recovers the sender and computes the hash once, for the mempool and block producer.
        pub fn verify(self) -> Result<VerifiedTransaction<C>, RecoverError> {
            self.verify_with(&Native)
        }

        /// Verifies many transactions, on all cores: secp256k1 recovery and P-256 one by one in
        /// parallel, ed25519 session signatures in batches of 64 (a failed batch is re-checked one by
        /// one to find the bad signatures). Results are in input order and equal to
        /// [`SignedTransaction::verify`]'s.
        pub fn verify_batch(
            txs: Vec<SignedTransaction<C>>,
        ) -> Vec<Result<VerifiedTransaction<C>, RecoverError>> {
            // First pass: everything but ed25519, which only gets its digest computed.
            let first: Vec<Pending<C>> = txs
                .into_par_iter()
                .map(|t| match &t.envelope {
                    Some(Envelope::Session { key: SessionKey::Ed25519(_), .. }) => {
                        match t.check_session_shape() {
                            Ok(()) => {
                                let digest = t.signing_hash();
                                Pending::Ed25519(t, digest)
                            }
                            Err(e) => Pending::Done(Err(e)),
                        }
                    }
                    _ => Pending::Done(t.verify()),
                })
                .collect();
            let ed: Vec<usize> = first
                .iter()
                .enumerate()
                .filter(|(_, p)| matches!(p, Pending::Ed25519(..)))
                .map(|(i, _)| i)
                .collect();
            let valid: Vec<bool> = ed
                .par_chunks(ED25519_BATCH)
                .flat_map_iter(|chunk| {
                    let items: Vec<([u8; 32], [u8; 64], B256)> =
                        chunk.iter().filter_map(|&i| first[i].ed25519_item()).collect();
                    let refs: Vec<session_sig::Ed25519Item<'_>> =
                        items.iter().map(|(k, s, d)| (k, s, d.as_slice())).collect();
                    let all = session_sig::ed25519_verify_batch(&refs);
                    items
                        .iter()
                        .map(|(k, s, d)| all || session_sig::ed25519_verify(k, s, d.as_slice()))
                        .collect::<Vec<_>>()
                })
                .collect();
            let mut valid_of = vec![false; first.len()];
            for (i, ok) in ed.into_iter().zip(valid) {
                valid_of[i] = ok;
            }
            first
                .into_par_iter()
                .zip(valid_of)
                .map(|(p, ok)| match p {
                    Pending::Done(r) => r,
                    Pending::Ed25519(t, _) => {
                        let Some(Envelope::Session { account, key, .. }) = t.envelope else {
                            unreachable!("only ed25519 session transactions are deferred")
                        };
                        if ok { Ok(t.into_verified(account)) } else { Err(session_error(&key)) }
                    }
                })
                .collect()
        }
    }

    /// A transaction between the two passes of [`SignedTransaction::verify_batch`].
    enum Pending<C> {
        Done(Result<VerifiedTransaction<C>, RecoverError>),
        /// An ed25519 session transaction and its digest, waiting for its batch.
        Ed25519(SignedTransaction<C>, B256),
    }

    impl<C: CallSet> Pending<C> {
        fn ed25519_item(&self) -> Option<([u8; 32], [u8; 64], B256)> {
            match self {
                Pending::Ed25519(t, digest) => match &t.envelope {
                    Some(Envelope::Session { key: SessionKey::Ed25519(k), .. }) => {
                        Some((*k, t.session_sig(), *digest))
                    }
                    _ => None,
                },
                Pending::Done(_) => None,
            }
        }
    }
}
