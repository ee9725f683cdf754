//! The precompiles a precompile key may name, with exactly the results L1 returns, so a
//! precompile preimage (status byte ‖ output) can be recomputed and checked off-chain.
//!
//! - [`ECRECOVER`] (0x01): Ethereum's `ecrecover`. The input is right-padded with zeros (or
//!   truncated) to 128 bytes: `hash ‖ v ‖ r ‖ s`, 32 bytes each. `v` must be the word 27 or 28
//!   (its 31 high bytes zero), `r` and `s` in `[1, n − 1]`; a high `s` is accepted (EIP-2's low-s
//!   rule is for transactions, not the precompile). The output is the signer's address
//!   left-padded to 32 bytes, or empty when any check or the recovery fails.
//! - [`P256VERIFY`] (0x100): EIP-7951. The input must be exactly 160 bytes `h ‖ r ‖ s ‖ qx ‖ qy`;
//!   `r`, `s` in `[1, n − 1]`; `qx`, `qy` below `p`, on the curve, and not `(0, 0)`; then ECDSA
//!   verification with `r ≡ x(R') (mod n)` and `R'` not the point at infinity, with no low-s
//!   rule. The output is the word 1 on success, empty otherwise.
//!
//! Both precompiles succeed for every input given enough gas (a bad signature is an empty output,
//! not a failure), so a precompile preimage is `1 ‖ output`. The status byte 0 is for a call that
//! fails, which these two do only out of gas: the L1 oracle contract must call them with at least
//! their cost (3,000 and 6,900 gas).

use alloc::{vec, vec::Vec};

use crate::{check::KeyCheckError, hash::keccak256};

pub use crate::precompile_address::{ECRECOVER, P256VERIFY};

/// The order of secp256k1's group.
pub const SECP256K1_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba,
    0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];
/// The order of P-256's group.
pub const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
/// P-256's field modulus.
pub const P256_P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// `x` as a big-endian scalar is in `[1, n − 1]`.
fn scalar_in_range(x: &[u8; 32], n: &[u8; 32]) -> bool {
    *x != [0; 32] && x < n
}

/// The 32 bytes at `at`.
fn word(bytes: &[u8], at: usize) -> [u8; 32] {
    let mut w = [0; 32];
    w.copy_from_slice(&bytes[at..at + 32]);
    w
}

/// The preimage of the precompile key of (`address`, `input`): the status byte (1: the call
/// succeeded) ‖ the output.
pub fn call(address: &[u8; 20], input: &[u8]) -> Result<Vec<u8>, KeyCheckError> {
    let output = match *address {
        ECRECOVER => ecrecover(input),
        P256VERIFY => p256_verify(input),
        address => return Err(KeyCheckError::UnsupportedPrecompile { address }),
    };
    let mut pre = Vec::with_capacity(1 + output.len());
    pre.push(1);
    pre.extend_from_slice(&output);
    Ok(pre)
}

/// Ethereum's `ecrecover` precompile (0x01): the 32-byte left-padded signer address, or empty.
pub fn ecrecover(input: &[u8]) -> Vec<u8> {
    use secp256k1::{
        Message,
        ecdsa::{RecoverableSignature, RecoveryId},
    };

    let mut buf = [0u8; 128];
    let n = input.len().min(128);
    buf[..n].copy_from_slice(&input[..n]);
    let (hash, v, r, s) = (word(&buf, 0), word(&buf, 32), word(&buf, 64), word(&buf, 96));
    if v[..31] != [0; 31] || !(v[31] == 27 || v[31] == 28) {
        return Vec::new();
    }
    if !scalar_in_range(&r, &SECP256K1_N) || !scalar_in_range(&s, &SECP256K1_N) {
        return Vec::new();
    }
    let recid = if v[31] == 27 { RecoveryId::Zero } else { RecoveryId::One };
    let Ok(sig) = RecoverableSignature::from_compact(&buf[64..], recid) else {
        return Vec::new();
    };
    let Ok(key) = sig.recover_ecdsa(Message::from_digest(hash)) else {
        return Vec::new();
    };
    let digest = keccak256(&key.serialize_uncompressed()[1..]);
    let mut out = vec![0; 32];
    out[12..].copy_from_slice(&digest[12..]);
    out
}

/// EIP-7951's `P256VERIFY` precompile (0x100): the word 1 if the signature verifies, else empty.
pub fn p256_verify(input: &[u8]) -> Vec<u8> {
    use p256::{
        EncodedPoint,
        ecdsa::{Signature, VerifyingKey, signature::hazmat::PrehashVerifier},
    };

    if input.len() != 160 {
        return Vec::new();
    }
    let (h, r, s, qx, qy) =
        (word(input, 0), word(input, 32), word(input, 64), word(input, 96), word(input, 128));
    if !scalar_in_range(&r, &P256_N) || !scalar_in_range(&s, &P256_N) {
        return Vec::new();
    }
    // Coordinates below p; (0, 0), the usual encoding of infinity, is not on the curve and the
    // curve check below rejects it too.
    if qx >= P256_P || qy >= P256_P || (qx == [0; 32] && qy == [0; 32]) {
        return Vec::new();
    }
    let point = EncodedPoint::from_affine_coordinates(&qx.into(), &qy.into(), false);
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return Vec::new();
    };
    let Ok(sig) = Signature::from_scalars(r, s) else {
        return Vec::new();
    };
    // verify_prehash reduces h mod n, computes R' = (h/s)G + (r/s)Q, rejects R' = infinity and
    // compares x(R') mod n with r: EIP-7951's steps. It has no low-s rule for P-256.
    match key.verify_prehash(&h, &sig) {
        Ok(()) => {
            let mut out = vec![0; 32];
            out[31] = 1;
            out
        }
        Err(_) => Vec::new(),
    }
}
