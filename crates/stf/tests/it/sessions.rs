//! Envelopes, session keys and sponsored transactions: encodings, signatures, batch checks.

use pillar_assets::Transfer;
use pillar_sessions::{AuthorizeSession, RevokeSession, SetSponsorPolicy, SpendCap};
use pillar_stf::CallSet;
use pillar_stf::{
    Address, B256, Call, ENVELOPE_MARKER, Envelope, PrivateKey, RecoverError, SessionKey, SessionSigner,
    SignedTransaction, Transaction, codec, session_sig, typed_json::TypedTransaction,
};
use proptest::prelude::*;

use crate::roundtrip::{address, b256};

pub(crate) fn session_key() -> impl Strategy<Value = SessionKey> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(SessionKey::Ed25519),
        (any::<[u8; 32]>(), any::<bool>()).prop_map(|(x, odd)| {
            let mut k = [0u8; 33];
            k[0] = if odd { 3 } else { 2 };
            k[1..].copy_from_slice(&x);
            SessionKey::P256(k)
        }),
    ]
}

pub(crate) fn envelope() -> impl Strategy<Value = Envelope> {
    prop_oneof![
        address().prop_map(|sponsor| Envelope::Sponsored { sponsor }),
        (address(), session_key(), prop::option::of(address()))
            .prop_map(|(account, key, sponsor)| Envelope::Session { account, key, sponsor }),
    ]
}

/// The sessions call kinds (tags 20 to 22).
pub(crate) fn session_call() -> impl Strategy<Value = Call> {
    let cap = (any::<u32>(), any::<u128>(), any::<u128>()).prop_map(|(asset, total, per_window)| SpendCap {
        asset,
        total,
        per_window,
    });
    prop_oneof![
        (
            session_key(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            prop::collection::vec(cap, 0..4)
        )
            .prop_map(|(key, calls, expires_ms, window_ms, max_txs, caps)| {
                Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(AuthorizeSession {
                    key,
                    calls,
                    expires_ms,
                    window_ms,
                    max_txs,
                    caps,
                }))
            }),
        session_key().prop_map(|key| Call::Sessions(pillar_sessions::SessionsCall::RevokeSession(
            RevokeSession { key }
        ))),
        (any::<u128>(), any::<u64>(), any::<u64>(), any::<u32>()).prop_map(
            |(budget, calls, window_ms, max_txs_per_user)| {
                Call::Sessions(pillar_sessions::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
                    budget,
                    calls,
                    window_ms,
                    max_txs_per_user,
                }))
            }
        ),
    ]
}

fn transfer(nonce: u64) -> Transaction {
    Transaction {
        chain_id: 901,
        nonce,
        max_fee: 7,
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: Address::repeat_byte(0x22),
            asset: 0,
            amount: 5,
        })),
    }
}

fn wallet() -> PrivateKey {
    PrivateKey::from_bytes([0x11; 32]).unwrap()
}

fn ed(i: u8) -> SessionSigner {
    SessionSigner::ed25519([i; 32])
}

proptest! {
    /// Session calls and envelopes survive borsh, typed JSON and back.
    #[test]
    fn session_calls_and_envelopes_round_trip(call in session_call(), env in prop::option::of(envelope()), r in b256(), s in b256()) {
        let stx = SignedTransaction {
            tx: Transaction { chain_id: 901, nonce: 3, max_fee: 9, call },
            signature: pillar_stf::Signature {
                r,
                s,
                v: if matches!(env, Some(Envelope::Session { .. })) { 0 } else { 27 },
            },
            envelope: env,
        };
        prop_assert_eq!(SignedTransaction::decode(&stx.encode()).unwrap(), stx.clone());
        let json = serde_json::to_string(&TypedTransaction::from_signed(&stx)).unwrap();
        let back: TypedTransaction = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.into_signed().unwrap(), stx.clone());
        prop_assert!(pillar_stf::eip712::encode_type::<Call>(stx.tx.call.type_name()).is_some());
        prop_assert_eq!(borsh::to_vec(&stx.tx.call).unwrap()[0], stx.tx.call.tag(), "declared tag is the borsh tag");
        prop_assert_eq!(stx.tx.call.module(), "sessions");
    }

    #[test]
    fn envelope_round_trips(env in envelope()) {
        let bytes = codec::encode(&env);
        prop_assert_eq!(codec::decode::<Envelope>(&bytes, 256, "envelope").unwrap(), env);
        let json = serde_json::to_string(&env).unwrap();
        prop_assert_eq!(serde_json::from_str::<Envelope>(&json).unwrap(), env);
    }

    /// A plain transaction's bytes are a suffix of its enveloped form, after marker and version:
    /// the old encoding is untouched.
    #[test]
    fn plain_encoding_is_unchanged_inside_an_envelope(nonce in any::<u64>(), env in envelope()) {
        let plain = wallet().sign(transfer(nonce));
        let mut enveloped = plain.clone();
        enveloped.envelope = Some(env);
        let (p, e) = (plain.encode(), enveloped.encode());
        prop_assert_eq!(&e[..8], &ENVELOPE_MARKER.to_le_bytes());
        prop_assert_eq!(e[8], 1);
        prop_assert_eq!(&e[9..9 + p.len()], &p[..]);
        prop_assert_eq!(&e[9 + p.len()..], &codec::encode(&env)[..]);
    }
}

#[test]
fn ed25519_session_transactions_verify_to_the_account() {
    let account = Address::repeat_byte(0xaa);
    let stx = ed(1).sign(transfer(0), account, Some(Address::repeat_byte(0x55)));
    let v = stx.clone().verify().unwrap();
    // Sizes quoted in docs/transactions.md §2.2.
    assert_eq!(stx.encode().len(), 222);
    assert_eq!(ed(1).sign(transfer(0), account, None).encode().len(), 202);
    assert_eq!(wallet().sign_sponsored(transfer(0), account).encode().len(), 168);
    assert_eq!(wallet().sign(transfer(0)).encode().len(), 138);
    assert_eq!(v.sender, account);
    assert_eq!(v.session, Some(ed(1).public_key()));
    assert_eq!(v.sponsor(), Some(Address::repeat_byte(0x55)));
    assert_eq!(v.payer(), Address::repeat_byte(0x55));
    // Everything signed is bound: the account, the sponsor, the key, the call.
    for tamper in [
        |t: &mut SignedTransaction| {
            if let Some(Envelope::Session { account, .. }) = &mut t.envelope {
                *account = Address::repeat_byte(0xbb);
            }
        },
        |t: &mut SignedTransaction| {
            if let Some(Envelope::Session { sponsor, .. }) = &mut t.envelope {
                *sponsor = None;
            }
        },
        |t: &mut SignedTransaction| t.tx.nonce += 1,
        |t: &mut SignedTransaction| t.signature.s.0[31] ^= 1,
    ] {
        let mut bad = stx.clone();
        tamper(&mut bad);
        assert!(matches!(bad.verify(), Err(RecoverError::BadSessionSignature { scheme: "ed25519" })));
    }
    let mut bad_v = stx;
    bad_v.signature.v = 27;
    assert_eq!(bad_v.verify().unwrap_err(), RecoverError::SessionV { v: 27 });
}

#[test]
fn sponsored_wallet_transactions_bind_the_sponsor() {
    let sponsor = Address::repeat_byte(0x55);
    let stx = wallet().sign_sponsored(transfer(4), sponsor);
    let v = stx.clone().verify().unwrap();
    assert_eq!((v.sender, v.session, v.payer()), (wallet().address(), None, sponsor));
    // The same signature without the sponsor (or with another) recovers someone else.
    let mut stripped = stx.clone();
    stripped.envelope = None;
    assert_ne!(stripped.recover().ok(), Some(wallet().address()));
    let mut other = stx;
    other.envelope = Some(Envelope::Sponsored { sponsor: Address::repeat_byte(0x66) });
    assert_ne!(other.recover().ok(), Some(wallet().address()));
    // A zero sponsor is refused.
    let zero = wallet().sign_sponsored(transfer(4), Address::ZERO);
    assert!(matches!(zero.verify(), Err(RecoverError::BadEnvelope { .. })));
}

#[test]
fn batch_verification_accepts_a_valid_batch_and_finds_one_forgery() {
    let account = Address::repeat_byte(0xaa);
    let mut txs: Vec<SignedTransaction> =
        (0..200u64).map(|n| ed((n % 5) as u8 + 1).sign(transfer(n), account, None)).collect();
    // Mixed with plain, sponsored and P-256 transactions.
    txs.push(wallet().sign(transfer(1000)));
    txs.push(wallet().sign_sponsored(transfer(1001), Address::repeat_byte(0x55)));
    let p = SessionSigner::p256([7; 32]).unwrap();
    txs.push(p.sign(transfer(1002), account, None));
    let expected: Vec<_> = txs.iter().map(|t| t.clone().verify()).collect();
    assert!(expected.iter().all(|r| r.is_ok()));
    assert_eq!(SignedTransaction::verify_batch(txs.clone()), expected);

    // One forged ed25519 signature in the middle of a batch: only it is refused.
    let mut forged = txs.clone();
    forged[77].signature.r.0[3] ^= 0x40;
    let got = SignedTransaction::verify_batch(forged);
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.is_ok(), i != 77, "transaction {i}");
    }
    assert!(matches!(got[77], Err(RecoverError::BadSessionSignature { scheme: "ed25519" })));
}

#[test]
fn ed25519_batch_equation_agrees_with_single_checks() {
    let msgs: Vec<[u8; 32]> = (0..10u8).map(|i| [i; 32]).collect();
    let keys: Vec<SessionSigner> = (1..=10u8).map(ed).collect();
    let items: Vec<([u8; 32], [u8; 64], [u8; 32])> = keys
        .iter()
        .zip(&msgs)
        .map(|(k, m)| {
            let s = k.sign_digest(B256::from(*m));
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(s.r.as_slice());
            sig[32..].copy_from_slice(s.s.as_slice());
            let SessionKey::Ed25519(pk) = k.public_key() else { unreachable!() };
            (pk, sig, *m)
        })
        .collect();
    let refs: Vec<session_sig::Ed25519Item<'_>> = items.iter().map(|(k, s, m)| (k, s, &m[..])).collect();
    assert!(session_sig::ed25519_verify_batch(&refs));
    assert!(refs.iter().all(|(k, s, m)| session_sig::ed25519_verify(k, s, m)));
    // ed25519-dalek's standard verification accepts the same signatures.
    for (k, s, m) in &items {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(k).unwrap();
        vk.verify_strict(m, &ed25519_dalek::Signature::from_bytes(s)).unwrap();
    }
    let mut bad = items.clone();
    bad[4].2[0] ^= 1;
    let refs: Vec<session_sig::Ed25519Item<'_>> = bad.iter().map(|(k, s, m)| (k, s, &m[..])).collect();
    assert!(!session_sig::ed25519_verify_batch(&refs));
    // A non-canonical s (s + l) is refused.
    let mut high = items[0];
    high.1[63] |= 0xf0;
    assert!(!session_sig::ed25519_verify(&high.0, &high.1, &high.2));
}

/// RFC 6979 appendix A.2.5: P-256 with SHA-256, message "sample". RustCrypto's deterministic
/// nonces reproduce its `r`; we publish the low-s form of its `s` (n − s), and refuse the high one.
#[test]
fn p256_test_vector() {
    use sha2::Digest;
    let x: [u8; 32] = hex::decode("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
        .unwrap()
        .try_into()
        .unwrap();
    let signer = SessionSigner::p256(x).unwrap();
    let SessionKey::P256(pk) = signer.public_key() else { unreachable!() };
    assert_eq!(hex::encode_upper(pk), "0360FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6");
    let digest = B256::from_slice(&sha2::Sha256::digest(b"sample"));
    let sig = signer.sign_digest(digest);
    assert_eq!(hex::encode_upper(sig.r), "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
    // n − s of the RFC's s = F7CB1C94…CDA8.
    let n = alloy_primitives::U256::from_str_radix(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        16,
    )
    .unwrap();
    let rfc_s = alloy_primitives::U256::from_str_radix(
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
        16,
    )
    .unwrap();
    assert_eq!(alloy_primitives::U256::from_be_bytes(sig.s.0), n - rfc_s);
    let mut low = [0u8; 64];
    low[..32].copy_from_slice(sig.r.as_slice());
    low[32..].copy_from_slice(sig.s.as_slice());
    assert!(session_sig::p256_verify(&pk, &low, &digest.0));
    let mut high = low;
    high[32..].copy_from_slice(&rfc_s.to_be_bytes::<32>());
    assert!(!session_sig::p256_verify(&pk, &high, &digest.0), "high s is refused");

    // And as a session transaction.
    let account = Address::repeat_byte(0xaa);
    let stx = signer.sign(transfer(0), account, None);
    assert_eq!(stx.clone().verify().unwrap().sender, account);
    let mut bad = stx;
    bad.tx.max_fee += 1;
    assert!(matches!(bad.verify(), Err(RecoverError::BadSessionSignature { scheme: "p256" })));
}

#[test]
fn reserved_marker_and_unknown_versions_are_refused() {
    let stx = ed(1).sign(transfer(0), Address::repeat_byte(0xaa), None);
    let mut bytes = stx.encode();
    bytes[8] = 2;
    assert!(SignedTransaction::decode(&bytes).is_err());
    let mut bytes = stx.encode();
    bytes[9..17].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(SignedTransaction::decode(&bytes).is_err());
}

#[test]
fn session_scope_shape_checks() {
    let key = ed(1).public_key();
    let ok = AuthorizeSession { key, calls: 1, expires_ms: 10, window_ms: 0, max_txs: 0, caps: vec![] };
    assert!(
        Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(ok.clone())).check_shape().is_ok()
    );
    let escalate = AuthorizeSession { calls: 1 << 20, ..ok.clone() };
    assert!(Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(escalate)).check_shape().is_err());
    let cap = SpendCap { asset: 0, total: 1, per_window: 1 };
    let dup = AuthorizeSession { caps: vec![cap.clone(), cap], ..ok.clone() };
    assert!(Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(dup)).check_shape().is_err());
    let weak = AuthorizeSession { key: SessionKey::Ed25519([0; 32]), ..ok.clone() };
    assert!(
        Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(weak)).check_shape().is_err(),
        "a small-order key is refused"
    );
    let off_curve = AuthorizeSession { key: SessionKey::P256([2; 33]), ..ok };
    let _ = Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(off_curve)).check_shape();
}

/// Envelope digests computed with ethers v6 `TypedDataEncoder` (types `Sponsored` and
/// `SessionCall` wrapping `Transfer`), and the wallet signature of the sponsored one: a wallet
/// can sign a sponsored transaction with plain `signTypedData`.
#[test]
fn envelope_digests_match_ethers() {
    let tx = Transaction {
        chain_id: 901,
        nonce: 7,
        max_fee: 10u128.pow(13),
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to: "0x00000000000000000000000000000000000000aa".parse().unwrap(),
            asset: 0,
            amount: 10u128.pow(18),
        })),
    };
    let (bb, cc): (Address, Address) = (
        "0x00000000000000000000000000000000000000bb".parse().unwrap(),
        "0x00000000000000000000000000000000000000cc".parse().unwrap(),
    );
    let h = |s: &str| s.parse::<B256>().unwrap();
    let sponsored = Envelope::Sponsored { sponsor: bb };
    assert_eq!(
        pillar_stf::eip712::envelope_signing_hash(&tx, &sponsored),
        h("0x80192edad16ed5a40a9d85f86608b0550114fbd9405e2fe57b628545098b821c")
    );
    let stx = PrivateKey::from_bytes([1; 32]).unwrap().sign_sponsored(tx.clone(), bb);
    assert_eq!(
        format!("0x{}", hex::encode(stx.signature.to_bytes())),
        "0x01329d8eb064d903179942b6ec0df8a4317e18b6c7665eafc0b5543bb95b7457210e97652e98f275915810021e160bc2d4a8f1326cb94cab13d4937c4109d1251c"
    );
    let key = SessionKey::Ed25519([0x11; 32]);
    assert_eq!(key.id(), h("0x5f61df1468962c8107c77ae5f01bbd92c363c87a057eba326bd87ca93188e313"));
    let session = Envelope::Session { account: cc, key, sponsor: Some(bb) };
    assert_eq!(
        pillar_stf::eip712::envelope_signing_hash(&tx, &session),
        h("0x675f2316cea44b769e11bc04fa5b9d5b0075d03b018b46074da598958c101ceb")
    );
}

/// Rough speed of the ed25519 paths on this machine (run with `--ignored --nocapture`).
#[test]
#[ignore = "timing, not a check"]
fn ed25519_batch_speed() {
    let account = Address::repeat_byte(0xaa);
    let txs: Vec<SignedTransaction> = (0..8_192u64).map(|n| ed(1).sign(transfer(n), account, None)).collect();
    let items: Vec<([u8; 32], [u8; 64], B256)> = txs
        .iter()
        .map(|t| {
            let SessionKey::Ed25519(k) = ed(1).public_key() else { unreachable!() };
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(t.signature.r.as_slice());
            sig[32..].copy_from_slice(t.signature.s.as_slice());
            (k, sig, t.signing_hash())
        })
        .collect();
    let t0 = std::time::Instant::now();
    assert!(items.iter().all(|(k, s, d)| session_sig::ed25519_verify(k, s, d.as_slice())));
    let single = t0.elapsed();
    let t0 = std::time::Instant::now();
    for chunk in items.chunks(64) {
        let refs: Vec<session_sig::Ed25519Item<'_>> =
            chunk.iter().map(|(k, s, d)| (k, s, d.as_slice())).collect();
        assert!(session_sig::ed25519_verify_batch(&refs));
    }
    let batched = t0.elapsed();
    let t0 = std::time::Instant::now();
    assert!(SignedTransaction::verify_batch(txs).iter().all(|r| r.is_ok()));
    let full = t0.elapsed();
    let per_s = |d: std::time::Duration| (items.len() as f64 / d.as_secs_f64()) as u64;
    println!(
        "ed25519 one core: single {}/s, batches of 64 {}/s; verify_batch (all cores, with digests and hashes) {}/s",
        per_s(single),
        per_s(batched),
        per_s(full)
    );
}
