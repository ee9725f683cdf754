//! Property tests of the batch decoder over a corpus (anyone can write to the L1 inbox).
//!
//! The corpus in `tests/corpus/` is replayed on every run: files named `ok-*` must decode, `err-*`
//! must be refused, and nothing may panic. Property tests then mutate the corpus structurally:
//! bytes are flipped, cut, duplicated and spliced both in the raw batch and *inside* the zstd
//! frame (the payload is decompressed, mutated and compressed again), so the borsh decoder and the
//! chain checks see adversarial input and not only zstd's checksum failures. Regenerate the corpus
//! with `cargo test -p pillar-derive --test it -- --ignored write_corpus`.

use std::{fs, path::PathBuf};

use pillar_assets::Transfer;
use pillar_derive::{BATCH_VERSION, decode_batch, encode_batch};
use pillar_stf::{
    Address, B256, Block, Call, ChainTx, Header, L1Message, L1MessageKind, PrivateKey, Transaction, codec,
};
use proptest::prelude::*;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn blocks(n: usize, txs: usize) -> Vec<Block> {
    let key = PrivateKey::from_bytes([7; 32]).unwrap();
    let mut parent = B256::repeat_byte(1);
    let mut nonce = 0;
    (0..n)
        .map(|i| {
            let mut transactions = vec![ChainTx::L1(L1Message {
                index: i as u64,
                l1_block: 3,
                timestamp: 1_700_000_000,
                sender: Address::repeat_byte(2),
                kind: L1MessageKind::EthDeposit { recipient: key.address(), amount: 5 },
            })];
            for _ in 0..txs {
                transactions.push(ChainTx::Signed(key.sign(Transaction {
                    chain_id: 901,
                    nonce,
                    max_fee: 10,
                    call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to: Address::repeat_byte(4),
                        asset: 0,
                        amount: 1,
                    })),
                })));
                nonce += 1;
            }
            let header = Header {
                height: 1 + i as u64,
                parent_hash: parent,
                timestamp_ms: 1_700_000_000_000 + i as u64,
                l1_origin: 3,
                queue_index: 1 + i as u64,
                queue_hash: B256::repeat_byte(5),
                state_root: B256::repeat_byte(6),
                tx_root: B256::ZERO,
                receipts_root: B256::ZERO,
                withdrawals_root: B256::ZERO,
                tx_count: transactions.len() as u32,
            };
            parent = header.hash();
            Block { header, transactions }
        })
        .collect()
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![BATCH_VERSION];
    out.extend(zstd::bulk::compress(payload, 3).unwrap());
    out
}

fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let good = encode_batch(&blocks(3, 4));
    let one = encode_batch(&blocks(1, 0));
    let mut swapped = blocks(2, 1);
    swapped.swap(0, 1);
    // A vec length prefix claiming 2^32-1 blocks, then nothing.
    let huge_len = framed(&u32::MAX.to_le_bytes());
    let bomb = framed(&vec![0u8; 40 << 20]);
    vec![
        ("ok-three-blocks", good.clone()),
        ("ok-one-empty-block", one),
        ("err-empty", vec![]),
        ("err-version-only", vec![BATCH_VERSION]),
        ("err-unknown-version", {
            let mut b = good.clone();
            b[0] = 1;
            b
        }),
        ("err-truncated", good[..good.len() / 2].to_vec()),
        ("err-trailing-byte", {
            let mut b = good.clone();
            b.push(0);
            b
        }),
        ("err-not-a-chain", encode_batch(&swapped)),
        ("err-no-blocks", encode_batch(&[])),
        ("err-huge-length-prefix", huge_len),
        ("err-compression-bomb", bomb),
        ("err-garbage-payload", framed(&[0xff; 300])),
    ]
}

#[test]
#[ignore = "writes the corpus; run by hand after changing the format"]
fn write_corpus() {
    fs::create_dir_all(corpus_dir()).unwrap();
    for (name, bytes) in seeds() {
        fs::write(corpus_dir().join(format!("{name}.bin")), bytes).unwrap();
    }
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_replays_with_the_expected_verdicts() {
    let corpus = corpus();
    assert!(corpus.len() >= 12, "the corpus is missing: {}", corpus_dir().display());
    for (name, bytes) in &corpus {
        let r = decode_batch(bytes);
        if name.starts_with("ok-") {
            let blocks = r.unwrap_or_else(|e| panic!("{name} must decode: {e}"));
            assert_eq!(&encode_batch(&blocks), bytes, "{name} re-encodes to the same bytes");
        } else {
            assert!(r.is_err(), "{name} must be refused");
        }
    }
    // The committed corpus is what the seeds produce (the format did not drift).
    for (name, bytes) in seeds() {
        let stored = corpus.iter().find(|(n, _)| n == name).map(|(_, b)| b);
        assert_eq!(stored, Some(&bytes), "corpus file {name}.bin is stale; regenerate it");
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { pos: prop::sample::Index, bit: u8 },
    Truncate { at: prop::sample::Index },
    Insert { pos: prop::sample::Index, bytes: Vec<u8> },
    Duplicate { from: prop::sample::Index, len: usize },
    SetU32 { pos: prop::sample::Index, value: u32 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(pos, bit)| Mutation::Flip { pos, bit }),
        any::<prop::sample::Index>().prop_map(|at| Mutation::Truncate { at }),
        (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(pos, bytes)| Mutation::Insert { pos, bytes }),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(from, len)| Mutation::Duplicate { from, len }),
        // Length prefixes and counts are u32 in borsh: the interesting values are the extremes.
        (any::<prop::sample::Index>(), prop_oneof![Just(0u32), Just(1), Just(u32::MAX), any::<u32>()])
            .prop_map(|(pos, value)| Mutation::SetU32 { pos, value }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip { pos, bit } => {
            let i = pos.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Mutation::Truncate { at } => bytes.truncate(at.index(bytes.len())),
        Mutation::Insert { pos, bytes: b } => {
            let i = pos.index(bytes.len());
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::Duplicate { from, len } => {
            let i = from.index(bytes.len());
            let end = (i + len).min(bytes.len());
            let piece = bytes[i..end].to_vec();
            bytes.splice(end..end, piece);
        }
        Mutation::SetU32 { pos, value } => {
            let i = pos.index(bytes.len());
            for (k, b) in value.to_le_bytes().into_iter().enumerate() {
                if let Some(slot) = bytes.get_mut(i + k) {
                    *slot = b;
                }
            }
        }
    }
}

/// What decoding must guarantee whenever it accepts: a non-empty chain that re-encodes losslessly.
fn check_accepted(bytes: &[u8]) {
    if let Ok(blocks) = decode_batch(bytes) {
        assert!(!blocks.is_empty());
        for w in blocks.windows(2) {
            assert_eq!(w[1].header.height, w[0].header.height + 1);
            assert_eq!(w[1].header.parent_hash, w[0].header.hash());
        }
        assert_eq!(decode_batch(&encode_batch(&blocks)).unwrap(), blocks);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Raw mutations of corpus entries.
    #[test]
    fn mutated_corpus_never_panics(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..6)) {
        let corpus = corpus();
        let mut bytes = corpus[seed.index(corpus.len())].1.clone();
        for m in &ms {
            apply(&mut bytes, m);
        }
        check_accepted(&bytes);
    }

    /// Mutations inside the zstd frame: the borsh decoder and the chain checks take the hits.
    #[test]
    fn mutated_payloads_never_panic(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..6)) {
        let good: Vec<Vec<u8>> = corpus()
            .into_iter()
            .filter(|(n, _)| n.starts_with("ok-"))
            .map(|(_, b)| zstd::bulk::decompress(&b[1..], 1 << 20).unwrap())
            .collect();
        let mut payload = good[seed.index(good.len())].clone();
        for m in &ms {
            apply(&mut payload, m);
        }
        check_accepted(&framed(&payload));
        // And the payload alone, as borsh.
        let _ = codec::decode::<Vec<Block>>(&payload, 1 << 20, "fuzz");
    }
}
