//! Session-key signature checks: ed25519 (one by one or in batches) and P-256.
//!
//! ed25519 uses the *cofactored* verification equation `[8]([s]B − R − [k]A) = 0`, the same
//! for a single signature and for a batch, so a batch accepts exactly what one-by-one checks
//! accept (up to a 2⁻¹²⁸ chance). `ed25519-dalek`'s own `verify` is cofactorless while its
//! batch equation is randomised and cofactorless too; a signature with a small-order component
//! could then pass one path and fail the other, and a sequencer and a replica would disagree on a
//! block. Hence the equation is written here on `curve25519-dalek`. The batch's random
//! coefficients are derived from the inputs (SHA-512), so verification is deterministic.

use alloc::vec::Vec;

use curve25519_dalek::{
    constants::ED25519_BASEPOINT_POINT,
    edwards::{CompressedEdwardsY, EdwardsPoint},
    scalar::Scalar,
    traits::{IsIdentity, VartimeMultiscalarMul},
};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha512};

/// One ed25519 check, decoded: key `a`, nonce point `r`, response `s`, challenge `k`.
struct Prepared {
    a: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

fn prepare(key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> Option<Prepared> {
    let a = CompressedEdwardsY(*key).decompress()?;
    let r_bytes: [u8; 32] = sig[..32].try_into().ok()?;
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    let s_bytes: [u8; 32] = sig[32..].try_into().ok()?;
    // A non-canonical s would give one signature two encodings.
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(key);
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    Some(Prepared { a, r, s, k })
}

/// Verifies one ed25519 signature (cofactored equation).
pub fn ed25519_verify(key: &[u8; 32], sig: &[u8; 64], msg: &[u8]) -> bool {
    let Some(p) = prepare(key, sig, msg) else { return false };
    let r = EdwardsPoint::vartime_double_scalar_mul_basepoint(&p.k, &(-p.a), &p.s);
    (r - p.r).mul_by_cofactor().is_identity()
}

/// One item of an ed25519 batch: public key, signature, message.
pub type Ed25519Item<'a> = (&'a [u8; 32], &'a [u8; 64], &'a [u8]);

/// Verifies many ed25519 signatures at once: true only if every one is valid. On false, check
/// them one by one ([`ed25519_verify`]) to find the bad ones.
pub fn ed25519_verify_batch(items: &[Ed25519Item<'_>]) -> bool {
    if items.is_empty() {
        return true;
    }
    let mut prepared = Vec::with_capacity(items.len());
    for (key, sig, msg) in items {
        match prepare(key, sig, msg) {
            Some(p) => prepared.push(p),
            None => return false,
        }
    }
    // Coefficients bound to every input, so no signer can choose them.
    let mut seed = Sha512::new();
    for ((key, sig, _), p) in items.iter().zip(&prepared) {
        seed.update(key);
        seed.update(sig);
        seed.update(p.k.as_bytes());
    }
    let seed = seed.finalize();
    let zs: Vec<Scalar> = (0..prepared.len() as u64)
        .map(|i| {
            let mut h = Sha512::new();
            h.update(seed);
            h.update(i.to_le_bytes());
            let out = h.finalize();
            let mut z = [0u8; 16];
            z.copy_from_slice(&out[..16]);
            Scalar::from(u128::from_le_bytes(z))
        })
        .collect();
    let b_coefficient: Scalar = prepared.iter().zip(&zs).map(|(p, z)| z * p.s).sum();
    let scalars = core::iter::once(-b_coefficient)
        .chain(zs.iter().copied())
        .chain(prepared.iter().zip(&zs).map(|(p, z)| z * p.k));
    let points = core::iter::once(ED25519_BASEPOINT_POINT)
        .chain(prepared.iter().map(|p| p.r))
        .chain(prepared.iter().map(|p| p.a));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).mul_by_cofactor().is_identity()
}

/// Verifies a P-256 ECDSA signature (`r ‖ s`, low `s` only) over a 32-byte digest, as RIP-7212
/// does on L1.
pub fn p256_verify(key: &[u8], sig: &[u8; 64], digest: &[u8; 32]) -> bool {
    let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(key) else { return false };
    let Ok(sig) = p256::ecdsa::Signature::from_slice(sig) else { return false };
    // (r, n − s) verifies too; refusing high s keeps one encoding per signature.
    if sig.normalize_s().is_some() {
        return false;
    }
    vk.verify_prehash(digest, &sig).is_ok()
}
