//! The program's blob decoder (`pillar_fp_program::blobs`, reading field elements by blob key)
//! against the node's (`pillar_l1::decode_blob_data`, over whole blobs) on random batches coded as
//! the batcher codes them, with their headers, a following piece and their contents corrupted: both
//! must find the same payload, or both find the blobs unreadable.

#![allow(clippy::unwrap_used)]

use alloy::eips::eip4844::Blob;
use pillar_fp_program::blobs::blob_payload;
use pillar_l1::{decode_blob_data, encode_blob_data};
use pillar_preimage::{MapOracle, OracleError, PreimageKey, PreimageOracle, keccak256, sha256};
use pillar_stf::B256;
use proptest::prelude::*;

/// An oracle over `blobs` as a host fills it for a blob batch: the versioned hashes under the
/// data commitment, each commitment under its versioned hash, each element under its point. The
/// commitments are stand-ins (the KZG opening is L1's check, not the program's).
fn oracle_for(blobs: &[Blob]) -> (Counting, B256) {
    let mut map = MapOracle::new();
    let mut hashes = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        let commitment = [i as u8 + 1; 48];
        map.insert_sha256(&commitment).unwrap();
        let mut versioned = sha256(&commitment);
        versioned[0] = 0x01;
        hashes.extend_from_slice(&versioned);
        map.insert_blob_elements(&commitment, blob.as_slice()).unwrap();
    }
    map.insert_keccak(&hashes).unwrap();
    (Counting { map, gets: 0 }, B256::from(keccak256(&hashes)))
}

/// Counts the preimages read.
struct Counting {
    map: MapOracle,
    gets: usize,
}

impl PreimageOracle for Counting {
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        self.gets += 1;
        self.map.get(key)
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        self.map.hint(hint)
    }
}

fn program(blobs: &[Blob]) -> Option<Vec<u8>> {
    let (mut oracle, commitment) = oracle_for(blobs);
    blob_payload(&mut oracle, commitment).unwrap()
}

/// Writes bytes 1..1 + bytes.len() of element `i`.
fn put(blobs: &mut [Blob], i: usize, bytes: &[u8]) {
    let (blob, at) = (i / 4096, (i % 4096) * 32);
    blobs[blob][at + 1..at + 1 + bytes.len()].copy_from_slice(bytes);
}

#[derive(Debug, Clone)]
enum Corruption {
    None,
    /// The header's length replaced.
    Header(u64),
    /// A second piece's header after the first.
    SecondPiece(u64),
    /// 31 bytes of an element replaced (its byte 0 stays zero: still a field element).
    Element(usize, [u8; 31]),
    /// Byte 0 of an element set (below the modulus's first byte: still canonical).
    HighByte(usize, u8),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    let length = prop_oneof![
        Just(0u64),
        Just(1),
        Just(4095 * 31),
        Just(4095 * 31 + 1),
        Just(2 * 4096 * 31),
        Just(u64::MAX),
        0u64..300_000,
    ];
    prop_oneof![
        2 => Just(Corruption::None),
        1 => length.clone().prop_map(Corruption::Header),
        2 => length.prop_map(Corruption::SecondPiece),
        1 => (0usize..3 * 4096, any::<[u8; 31]>()).prop_map(|(i, b)| Corruption::Element(i, b)),
        1 => (0usize..3 * 4096, 1u8..0x73).prop_map(|(i, b)| Corruption::HighByte(i, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_program_reads_blobs_as_the_node_does(
        len in prop_oneof![0usize..400, 126_900usize..127_000, 0usize..200_000],
        seed in any::<u64>(),
        extra in 0usize..2,
        corruption in corruption(),
    ) {
        let mut x = seed | 1;
        let data: Vec<u8> = (0..len).map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x as u8 }).collect();
        let mut blobs = encode_blob_data(&data);
        blobs.extend(std::iter::repeat_n(Blob::ZERO, extra));
        let total = blobs.len() * 4096;
        match corruption {
            Corruption::None => {}
            Corruption::Header(n) => put(&mut blobs, 0, &n.to_be_bytes()),
            Corruption::SecondPiece(n) => {
                let after = 1 + len.div_ceil(31);
                if after < total {
                    put(&mut blobs, after, &n.to_be_bytes());
                }
            }
            Corruption::Element(i, bytes) => put(&mut blobs, i % total, &bytes),
            Corruption::HighByte(i, b) => {
                let i = i % total;
                blobs[i / 4096][(i % 4096) * 32] = b;
            }
        }
        let node = decode_blob_data(&blobs);
        prop_assert_eq!(program(&blobs), node);
    }
}

#[test]
fn a_small_batch_reads_only_its_elements() {
    // 100 bytes: the versioned hashes, the commitment, the header and four data elements: 7
    // reads, not 4,096.
    let data = vec![7u8; 100];
    let (mut oracle, commitment) = oracle_for(&encode_blob_data(&data));
    assert_eq!(blob_payload(&mut oracle, commitment).unwrap(), Some(data));
    assert_eq!(oracle.gets, 7);
    // The blob was hinted, by its versioned hash.
    assert_eq!(oracle.map.hints.len(), 1);
    assert!(oracle.map.hints[0].starts_with(b"blob "));
}

#[test]
fn a_payload_may_span_blobs_and_what_follows_it_is_not_read() {
    // 4,095 data elements fill the first blob after the header; one byte more spills into a
    // second blob.
    let data = vec![3u8; 4095 * 31 + 1];
    let mut blobs = encode_blob_data(&data);
    assert_eq!(blobs.len(), 2);
    assert_eq!(program(&blobs), Some(data.clone()));
    // A second piece after it is ignored by both.
    put(&mut blobs, 4097, &5u64.to_be_bytes());
    assert_eq!(decode_blob_data(&blobs), Some(data.clone()));
    assert_eq!(program(&blobs), Some(data));
    // A length one element longer than the blobs hold is unreadable.
    put(&mut blobs, 0, &(2 * 4095 * 31 + 31 + 1u64).to_be_bytes());
    assert_eq!(decode_blob_data(&blobs), None);
    assert_eq!(program(&blobs), None);
}

#[test]
fn versioned_hashes_of_another_version_are_refused() {
    let mut map = MapOracle::new();
    let commitment = [1u8; 48];
    map.insert_sha256(&commitment).unwrap();
    let mut versioned = sha256(&commitment);
    versioned[0] = 0x02;
    map.insert_keccak(&versioned).unwrap();
    assert!(blob_payload(&mut map, B256::from(keccak256(&versioned))).is_err());
}
