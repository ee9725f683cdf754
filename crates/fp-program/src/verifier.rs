//! Signature checks answered by L1's precompiles through the oracle (docs/fault-proofs.md,
//! "Signatures through L1's precompiles"): secp256k1 recovery by `ecrecover` (0x01), P-256 by
//! `P256VERIFY` (0x100); ed25519 has no precompile and runs in software.

use alloc::vec::Vec;

use p256::elliptic_curve::sec1::ToEncodedPoint;
use pillar_preimage::{PreimageKey, PreimageOracle, precompile_address};
use pillar_stf::{Address, B256, SigVerifier, session_sig};

/// The hint before a precompile key: `precompile ` ‖ address (20 bytes) ‖ input.
pub const HINT_PRECOMPILE: &[u8] = b"precompile ";

/// An oracle the runtime can hold: cloning it gives another handle to the same answers (the
/// guest's `FdOracle` is a unit; a host shares one behind a lock).
pub trait SharedOracle: PreimageOracle + Clone + Send + Sync + 'static {}

impl<O: PreimageOracle + Clone + Send + Sync + 'static> SharedOracle for O {}

/// A [`SigVerifier`] over the oracle's precompile answers.
#[derive(Debug, Clone)]
pub struct OracleVerifier<O>(pub O);

impl<O: SharedOracle> OracleVerifier<O> {
    /// The precompile's output, if it succeeded (status byte 1); a missing answer counts as a
    /// failed check, which makes the transaction invalid: an honest host always has the answer.
    fn call(&self, address: [u8; 20], input: &[u8]) -> Option<Vec<u8>> {
        let mut oracle = self.0.clone();
        // The key is a hash of the call: the hint tells the host what to compute.
        let mut hint = Vec::with_capacity(HINT_PRECOMPILE.len() + 20 + input.len());
        hint.extend_from_slice(HINT_PRECOMPILE);
        hint.extend_from_slice(&address);
        hint.extend_from_slice(input);
        let _ = oracle.hint(&hint);
        let mut answer = oracle.get(PreimageKey::precompile(&address, input)).ok()?;
        (answer.first() == Some(&1)).then(|| answer.split_off(1))
    }
}

impl<O: SharedOracle> SigVerifier for OracleVerifier<O> {
    fn secp256k1_recover(&self, digest: &B256, rs: &[u8; 64], recid: u8) -> Option<Address> {
        if recid > 1 {
            return None;
        }
        let mut input = [0u8; 128];
        input[..32].copy_from_slice(digest.as_slice());
        input[63] = 27 + recid;
        input[64..].copy_from_slice(rs);
        let out = self.call(precompile_address::ECRECOVER, &input)?;
        // The precompile answers 32 bytes (the address, left-padded) or nothing.
        (out.len() == 32).then(|| Address::from_slice(&out[12..]))
    }

    fn ed25519_verify(&self, key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> bool {
        session_sig::ed25519_verify(key, sig, msg)
    }

    fn p256_verify(&self, key: &[u8], sig: &[u8; 64], digest: &[u8; 32]) -> bool {
        // P256VERIFY takes the public key uncompressed; session keys are compressed.
        let Ok(point) = p256::EncodedPoint::from_bytes(key) else { return false };
        let Some(affine) = Option::<p256::AffinePoint>::from(
            <p256::AffinePoint as p256::elliptic_curve::sec1::FromEncodedPoint<p256::NistP256>>::from_encoded_point(&point),
        ) else {
            return false;
        };
        let uncompressed = affine.to_encoded_point(false);
        let (Some(x), Some(y)) = (uncompressed.x(), uncompressed.y()) else { return false };
        let mut input = [0u8; 160];
        input[..32].copy_from_slice(digest);
        input[32..96].copy_from_slice(sig);
        input[96..128].copy_from_slice(x);
        input[128..].copy_from_slice(y);
        self.call(precompile_address::P256VERIFY, &input).is_some_and(|out| out.len() == 32 && out[31] == 1)
    }
}
