//! Known-answer tests of the precompile semantics: `ecrecover` against libsecp256k1 signing and
//! published vectors, `P256VERIFY` against the `p256` crate's signing and the RIP-7212/EIP-7951
//! vector, and every input rule of both.

use pillar_preimage::{
    keccak256,
    precompile::{ECRECOVER, P256_N, P256_P, P256VERIFY, SECP256K1_N, call, ecrecover, p256_verify},
};
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// `a − b` for big-endian 256-bit numbers with `a ≥ b`.
fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

/// `a + small`.
fn add(a: &[u8; 32], small: u8) -> [u8; 32] {
    let mut out = *a;
    let mut carry = u16::from(small);
    for b in out.iter_mut().rev() {
        let s = u16::from(*b) + carry;
        *b = s as u8;
        carry = s >> 8;
    }
    out
}

fn word(n: u8) -> [u8; 32] {
    let mut w = [0; 32];
    w[31] = n;
    w
}

// ---- ecrecover ----

/// A signature by secret key `sk` over `hash`: (address word, v, r, s).
/// (address word, v, r, s).
type EcSig = ([u8; 32], u8, [u8; 32], [u8; 32]);

fn secp_sign(sk: [u8; 32], hash: [u8; 32], nonce: [u8; 32]) -> Option<EcSig> {
    use secp256k1::{Message, PublicKey, SecretKey, ecdsa::RecoverableSignature};
    let sk = SecretKey::from_secret_bytes(sk).ok()?;
    let sig =
        RecoverableSignature::sign_ecdsa_recoverable_with_noncedata(Message::from_digest(hash), &sk, &nonce);
    let (recid, rs) = sig.serialize_compact();
    let pk = PublicKey::from_secret_key(&sk).serialize_uncompressed();
    let mut addr = [0; 32];
    addr[12..].copy_from_slice(&keccak256(&pk[1..])[12..]);
    let mut r = [0; 32];
    let mut s = [0; 32];
    r.copy_from_slice(&rs[..32]);
    s.copy_from_slice(&rs[32..]);
    Some((addr, 27 + u8::from(recid), r, s))
}

fn ec_input(hash: &[u8; 32], v: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    [&hash[..], v, r, s].concat()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Recovery gives the signer for libsecp256k1's signatures (v 27 and 28 both occur), and for
    /// the same signature with high s (s → n − s, v flipped): the precompile has no low-s rule.
    #[test]
    fn ecrecover_recovers_the_signer_with_low_and_high_s(
        sk in any::<[u8; 32]>(), hash in any::<[u8; 32]>(), nonce in any::<[u8; 32]>(),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let Some((addr, v, r, s)) = secp_sign(sk, hash, nonce) else { return Ok(()) };
        let input = ec_input(&hash, &word(v), &r, &s);
        prop_assert_eq!(ecrecover(&input), addr.to_vec());
        // Bytes past 128 are ignored.
        prop_assert_eq!(ecrecover(&[input.clone(), tail].concat()), addr.to_vec());
        let high = ec_input(&hash, &word(55 - v), &r, &sub(&SECP256K1_N, &s));
        prop_assert_eq!(ecrecover(&high), addr.to_vec());
        // The other v recovers someone else (or nobody).
        prop_assert_ne!(ecrecover(&ec_input(&hash, &word(55 - v), &r, &s)), addr.to_vec());
        prop_assert_eq!(call(&ECRECOVER, &input).expect("supported"), [&[1u8][..], &addr].concat());
    }
}

#[test]
fn ecrecover_published_vectors() {
    // go-ethereum's / revm's ecrecover vectors: a valid signature by 0xa94f…bf0b, and an input
    // whose r is not an x coordinate on the curve ("unrecoverable key"): an empty output.
    let input = h(
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
    );
    assert_eq!(ecrecover(&input), h("000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"));
    let input = h(
        "a8b53bdf3306a35a7103ab5504a0c9b492295564b6202b1942a84ef300107281000000000000000000000000000000000000000000000000000000000000001b307835653165303366353363653138623737326363623030393366663731663366353366356337356237346463623331613835616138623838393262346538621122334455667788991011121314151617181920212223242526272829303132",
    );
    assert_eq!(ecrecover(&input), Vec::<u8>::new());
    assert_eq!(call(&ECRECOVER, &input).expect("supported"), vec![1]);
}

/// A fixed signature to vary: key 1, hash 0x11…, RFC 6979 nonce.
fn fixed() -> ([u8; 32], [u8; 32], u8, [u8; 32], [u8; 32]) {
    let hash = [0x11; 32];
    let (addr, v, r, s) = secp_sign(word(1), hash, [0; 32]).expect("key 1 is valid");
    (addr, hash, v, r, s)
}

#[test]
fn ecrecover_rejects_out_of_range_r_and_s() {
    let (addr, hash, v, r, s) = fixed();
    let v = word(v);
    assert_eq!(ecrecover(&ec_input(&hash, &v, &r, &s)), addr.to_vec());
    let zero = [0; 32];
    let n = SECP256K1_N;
    for (r, s) in [(zero, s), (r, zero), (n, s), (r, n), (add(&n, 1), s), (r, add(&n, 1)), (r, [0xff; 32])] {
        assert!(ecrecover(&ec_input(&hash, &v, &r, &s)).is_empty(), "r {r:02x?} s {s:02x?}");
    }
    // r = s = n − 1 are in range: whatever they recover, the checks let them through to recovery.
    let nm1 = sub(&n, &word(1));
    let _ = ecrecover(&ec_input(&hash, &v, &nm1, &nm1));
}

#[test]
fn ecrecover_takes_v_27_or_28_only() {
    let (addr, hash, v, r, s) = fixed();
    for bad in [0u8, 1, 26, 29, 255] {
        assert!(ecrecover(&ec_input(&hash, &word(bad), &r, &s)).is_empty(), "v {bad}");
    }
    // The right low byte under a non-zero high byte is not 27/28.
    for at in [0, 15, 30] {
        let mut high = word(v);
        high[at] = 1;
        assert!(ecrecover(&ec_input(&hash, &high, &r, &s)).is_empty(), "v byte {at}");
    }
    assert_eq!(ecrecover(&ec_input(&hash, &word(v), &r, &s)), addr.to_vec());
}

#[test]
fn ecrecover_pads_short_inputs_with_zeros() {
    // A signature whose s ends in zero bytes: cut them off and the padding restores them.
    let hash = [0x22; 32];
    let (addr, v, r, s, nonce) = (0u32..)
        .find_map(|i| {
            let mut nonce = [0; 32];
            nonce[..4].copy_from_slice(&i.to_be_bytes());
            let (addr, v, r, s) = secp_sign(word(7), hash, nonce)?;
            (s[31] == 0).then_some((addr, v, r, s, i))
        })
        .expect("one in 256 signatures");
    let input = ec_input(&hash, &word(v), &r, &s);
    assert_eq!(ecrecover(&input[..127]), addr.to_vec(), "nonce {nonce}");
    // Cut into r: the padded r differs, so the signer does not come back.
    assert_ne!(ecrecover(&input[..80]), addr.to_vec());
    for len in [0, 1, 31, 32, 63, 64, 95, 96] {
        assert!(ecrecover(&input[..len]).is_empty(), "{len} bytes: r or s is zero");
    }
}

// ---- P256VERIFY ----

fn p256_input(h: &[u8; 32], r: &[u8; 32], s: &[u8; 32], x: &[u8; 32], y: &[u8; 32]) -> Vec<u8> {
    [&h[..], r, s, x, y].concat()
}

/// A P-256 signature of `hash` by secret scalar `sk`: (r, s, qx, qy).
/// (r, s, qx, qy).
type P256Sig = ([u8; 32], [u8; 32], [u8; 32], [u8; 32]);

fn p256_sign(sk: [u8; 32], hash: [u8; 32]) -> Option<P256Sig> {
    use p256::ecdsa::{Signature, SigningKey, signature::hazmat::PrehashSigner};
    let key = SigningKey::from_bytes(&sk.into()).ok()?;
    let sig: Signature = key.sign_prehash(&hash).ok()?;
    let point = key.verifying_key().to_encoded_point(false);
    let (r, s) = sig.split_bytes();
    Some((r.into(), s.into(), (*point.x()?).into(), (*point.y()?).into()))
}

const ONE: [u8; 32] = {
    let mut w = [0; 32];
    w[31] = 1;
    w
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The `p256` crate's signatures verify, with low and high s alike; another hash does not.
    #[test]
    fn p256_verifies_signatures_with_low_and_high_s(sk in any::<[u8; 32]>(), hash in any::<[u8; 32]>()) {
        let Some((r, s, x, y)) = p256_sign(sk, hash) else { return Ok(()) };
        prop_assert_eq!(p256_verify(&p256_input(&hash, &r, &s, &x, &y)), ONE.to_vec());
        prop_assert_eq!(p256_verify(&p256_input(&hash, &r, &sub(&P256_N, &s), &x, &y)), ONE.to_vec());
        let mut other = hash;
        other[0] ^= 1;
        prop_assert!(p256_verify(&p256_input(&other, &r, &s, &x, &y)).is_empty());
        prop_assert_eq!(call(&P256VERIFY, &p256_input(&hash, &r, &s, &x, &y)).expect("supported"), [&[1u8][..], &ONE].concat());
    }
}

/// The RIP-7212 / EIP-7951 vector (also go-ethereum's and revm's), and the same with the hash's
/// first byte changed.
const P256_VECTOR: &str = "4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e";

fn split(v: &[u8]) -> [[u8; 32]; 5] {
    std::array::from_fn(|i| v[32 * i..32 * (i + 1)].try_into().expect("32 bytes"))
}

#[test]
fn p256_published_vector() {
    let input = h(P256_VECTOR);
    assert_eq!(p256_verify(&input), ONE.to_vec());
    let mut bad = input.clone();
    bad[0] = 0x3c;
    assert!(p256_verify(&bad).is_empty());
}

#[test]
fn p256_rejects_wrong_lengths() {
    let input = h(P256_VECTOR);
    for len in [0, 1, 128, 159] {
        assert!(p256_verify(&input[..len]).is_empty(), "{len} bytes");
    }
    assert!(p256_verify(&[input.clone(), vec![0]].concat()).is_empty(), "161 bytes");
}

#[test]
fn p256_rejects_out_of_range_scalars() {
    let [hash, r, s, x, y] = split(&h(P256_VECTOR));
    let (zero, n) = ([0; 32], P256_N);
    for (r, s) in [(zero, s), (r, zero), (n, s), (r, n), (add(&n, 1), s), (r, [0xff; 32])] {
        assert!(p256_verify(&p256_input(&hash, &r, &s, &x, &y)).is_empty());
    }
    // High s verifies too: no malleability rule.
    assert_eq!(p256_verify(&p256_input(&hash, &r, &sub(&n, &s), &x, &y)), ONE.to_vec());
}

#[test]
fn p256_rejects_bad_public_keys() {
    let [hash, r, s, x, y] = split(&h(P256_VECTOR));
    let zero = [0; 32];
    // The point at infinity's usual encoding, a point off the curve, coordinates ≥ p.
    assert!(p256_verify(&p256_input(&hash, &r, &s, &zero, &zero)).is_empty());
    assert!(p256_verify(&p256_input(&hash, &r, &s, &x, &add(&y, 1))).is_empty());
    assert!(p256_verify(&p256_input(&hash, &r, &s, &P256_P, &y)).is_empty());
    assert!(p256_verify(&p256_input(&hash, &r, &s, &x, &P256_P)).is_empty());
    // The negated key (x, p − y) is on the curve but did not sign.
    assert!(p256_verify(&p256_input(&hash, &r, &s, &x, &sub(&P256_P, &y))).is_empty());
}

#[test]
fn unknown_precompiles_are_refused() {
    let mut sha256_precompile = [0; 20];
    sha256_precompile[19] = 2;
    assert!(call(&sha256_precompile, b"").is_err());
}
