//! The in-memory host oracle serves what it was given under the right keys, and refuses
//! preimages that do not match their keys.

use pillar_preimage::{
    KeyCheckError, KeyType, MAX_HINT_SIZE, MapOracle, OracleError, PreimageKey, PreimageOracle, check,
    precompile::{self, ECRECOVER, P256VERIFY},
    sha256,
};

#[test]
fn serves_each_type_under_its_key() {
    let mut o = MapOracle::new();
    let k = o.insert_keccak(b"block header").expect("checked");
    assert_eq!(o.get(k), Ok(b"block header".to_vec()));
    let s = o.insert_sha256(b"beacon").expect("checked");
    assert_eq!(s.key_type(), Some(KeyType::Sha256));
    assert_eq!(o.get(s), Ok(b"beacon".to_vec()));
    let node = [0x42; 64];
    let n = o.insert_nomt_node(&node).expect("checked");
    assert_eq!(n, PreimageKey::nomt_node(&sha256(&node)));
    assert_eq!(check(&n, &node), Ok(()));
    let l = o.insert_local([0; 31], b"claim").expect("unchecked");
    assert_eq!(o.get(l), Ok(b"claim".to_vec()));
    let b = o.insert_blob(&[1; 48], &[2; 32], &[3; 32]).expect("canonical");
    assert_eq!(o.get(b), Ok(vec![3; 32]));
    // ecrecover of garbage: the call succeeds with empty output.
    let p = o.insert_precompile(&ECRECOVER, &[0; 128]).expect("supported");
    assert_eq!(o.get(p), Ok(vec![1]));
    let q = o.insert_precompile(&P256VERIFY, &[0; 160]).expect("supported");
    assert_eq!(o.get(q), Ok(vec![1]));
    assert_eq!(o.len(), 7);
    let missing = PreimageKey::keccak(b"never inserted");
    assert_eq!(o.get(missing), Err(OracleError::Missing { key: missing.0 }));
}

#[test]
fn refuses_preimages_that_do_not_match() {
    let mut o = MapOracle::new();
    let key = PreimageKey::keccak(b"a");
    assert_eq!(o.insert(key, b"b"), Err(KeyCheckError::Mismatch { key_type: KeyType::Keccak256 }));
    // Blob and precompile keys only through their own inserts.
    let p = PreimageKey::precompile(&ECRECOVER, &[]);
    assert_eq!(o.insert(p, &[1]), Err(KeyCheckError::NeedsContext { key_type: KeyType::Precompile }));
    assert!(pillar_preimage::check_precompile(&p, &ECRECOVER, &[], &[0]).is_err());
    assert_eq!(
        pillar_preimage::check_precompile(&p, &ECRECOVER, &[], &precompile::call(&ECRECOVER, &[]).unwrap()),
        Ok(())
    );
    assert!(o.insert_precompile(&[0; 20], b"").is_err());
    assert!(o.is_empty());
}

#[test]
fn records_hints_up_to_the_limit() {
    let mut o = MapOracle::new();
    o.hint(b"l1-block 0x01").expect("short");
    assert_eq!(o.hints, vec![b"l1-block 0x01".to_vec()]);
    let big = vec![0; MAX_HINT_SIZE + 1];
    assert_eq!(o.hint(&big), Err(OracleError::HintTooLarge { len: big.len() as u64, max: MAX_HINT_SIZE }));
}

/// The host's file form round-trips every preimage, precompile answers included, and any cut of
/// it is a typed error, never a panic.
#[test]
fn the_file_form_round_trips_and_refuses_truncation() {
    let mut o = MapOracle::new();
    let k = o.insert_keccak(b"entry").unwrap();
    let s = o.insert_sha256(&[7; 100]).unwrap();
    let l = o.insert_local([3; 31], b"").unwrap();
    let p = o.insert_precompile(&ECRECOVER, &[1; 128]).unwrap();
    let bytes = o.to_bytes();
    let mut back = MapOracle::from_bytes(&bytes).unwrap();
    for key in [k, s, l, p] {
        assert_eq!(back.get(key), o.get(key));
    }
    assert_eq!(back.len(), 4);
    assert_eq!(back.to_bytes(), bytes);
    for cut in 1..bytes.len() {
        if let Ok(m) = MapOracle::from_bytes(&bytes[..cut]) {
            // A cut between two whole entries is a smaller file, not an error.
            assert!(m.len() < 4, "cut at {cut}");
        }
    }
    let mut huge = [0u8; 36].to_vec();
    huge[32..].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(MapOracle::from_bytes(&huge), Err(OracleError::TooLarge { .. })));
}

/// What the L1 loaders need besides the preimage is kept: a precompile key's call, a blob key's
/// commitment and point, and a whole blob given element by element; other keys have none.
#[test]
fn keeps_what_the_l1_loaders_need_for_precompile_and_blob_keys() {
    let mut o = MapOracle::new();
    let input = [7u8; 128];
    let p = o.insert_precompile(&ECRECOVER, &input).expect("supported");
    assert_eq!(o.precompile_call(&p), Some((&ECRECOVER, &input[..])));
    assert_eq!(PreimageKey::precompile(&ECRECOVER, &input), p);
    let b = o.insert_blob(&[1; 48], &[2; 32], &[3; 32]).expect("canonical");
    assert_eq!(o.blob_point(&b), Some((&[1; 48], &[2; 32])));
    assert_eq!(o.blob(&[1; 48]), None, "one element is not the blob");

    let mut blob = vec![0u8; pillar_preimage::blob::BYTES_PER_BLOB];
    blob[32 * 5 + 31] = 9;
    o.insert_blob_elements(&[4; 48], &blob).expect("canonical elements");
    assert_eq!(o.blob(&[4; 48]), Some(&blob[..]));
    let z5 = pillar_preimage::blob::point(5);
    let k5 = PreimageKey::blob(&[4; 48], &z5);
    assert_eq!(o.blob_point(&k5), Some((&[4; 48], &z5)));
    assert_eq!(o.get(k5).expect("stored")[31], 9);

    let k = o.insert_keccak(b"x").expect("checked");
    assert_eq!(o.precompile_call(&k), None);
    assert_eq!(o.blob_point(&k), None);
    // The file form carries preimages only.
    let back = MapOracle::from_bytes(&o.to_bytes()).expect("parses");
    assert_eq!(back.precompile_call(&p), None);
    assert_eq!(back.preimage(&p), o.preimage(&p));
}
