//! Batch encoding (borsh + zstd) and decoding of a block of 8,000 signed transfers (what fits one batch), every
//! sender and recipient distinct, as the batcher and a replica do it.
//!
//! `cargo bench -p pillar-derive --bench batches`
//!
//! Prints the compressed size per transfer (the L1 bytes a transfer costs) before measuring. The
//! `decompress_*` pair times the zstd step alone, libzstd against the ruzstd decoder batches use.

#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillar_assets::Transfer;
use pillar_derive::{MAX_DECOMPRESSED_BYTES, decode_batch, encode_batch};
use pillar_stf::{B256, Block, Call, ChainTx, Header, PrivateKey, Transaction, codec};

// As many as fit one batch (`MAX_BATCH_BYTES`, 800 KiB) with room to spare.
const TXS: u64 = 8_000;

fn key(i: u64) -> PrivateKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i + 1).to_be_bytes());
    b[31] = 3;
    PrivateKey::from_bytes(b).unwrap()
}

fn block() -> Block {
    let transactions = (0..TXS)
        .map(|i| {
            let to = key(i + TXS).address();
            let tx = Transaction {
                chain_id: 901,
                nonce: i % 50,
                max_fee: 10_000_000_000_000,
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to,
                    asset: 0,
                    amount: 1 + (i % 1000) as u128 * 1_000_000_000,
                })),
            };
            ChainTx::Signed(key(i).sign(tx))
        })
        .collect();
    let header = Header {
        height: 1,
        parent_hash: B256::repeat_byte(1),
        timestamp_ms: 1_795_622_464_906,
        l1_origin: 0,
        queue_index: 0,
        queue_hash: B256::ZERO,
        state_root: B256::repeat_byte(2),
        tx_root: B256::repeat_byte(3),
        receipts_root: B256::repeat_byte(4),
        withdrawals_root: B256::ZERO,
        tx_count: TXS as u32,
    };
    Block { header, transactions }
}

fn bench(c: &mut Criterion) {
    let blocks = vec![block()];
    let encoded = encode_batch(&blocks);
    println!(
        "batch of {TXS} transfers: {} bytes, {:.1} bytes per transfer; {} bytes decompressed",
        encoded.len(),
        encoded.len() as f64 / TXS as f64,
        codec::encode(&blocks).len()
    );
    let mut g = c.benchmark_group("batch");
    g.sample_size(20);
    g.throughput(Throughput::Elements(TXS));
    g.bench_function("encode_8000_transfers", |b| b.iter(|| encode_batch(&blocks)));
    g.bench_function("decode_8000_transfers", |b| b.iter(|| decode_batch(&encoded).unwrap()));
    // Decoding as it was before ruzstd (libzstd, then the same borsh decode and chain checks), to
    // compare with `decode_8000_transfers` in one run on a shared machine.
    g.bench_function("decode_8000_transfers_libzstd_before", |b| {
        b.iter(|| {
            let payload = zstd::bulk::decompress(&encoded[1..], MAX_DECOMPRESSED_BYTES).unwrap();
            let blocks: Vec<Block> = codec::decode(&payload, MAX_DECOMPRESSED_BYTES, "batch").unwrap();
            assert!(blocks.windows(2).all(|w| w[1].header.parent_hash == w[0].header.hash()));
            blocks
        })
    });
    // The decompression step alone: what decoding used (libzstd) and what it uses (ruzstd, with
    // the frame walk and limits of pillar-codec), on the same frame.
    g.bench_function("decompress_8000_transfers_libzstd", |b| {
        b.iter(|| zstd::bulk::decompress(&encoded[1..], MAX_DECOMPRESSED_BYTES).unwrap())
    });
    g.bench_function("decompress_8000_transfers_ruzstd", |b| {
        b.iter(|| pillar_codec::batch_payload(&encoded).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
