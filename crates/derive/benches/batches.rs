//! Batch encoding (borsh + zstd) and decoding of a block of 8,000 signed transfers (what fits one batch), every
//! sender and recipient distinct, as the batcher and a replica do it.
//!
//! `cargo bench -p pillar-derive --bench batches`
//!
//! Prints the compressed size per transfer (the L1 bytes a transfer costs) before measuring.

#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillar_derive::{decode_batch, encode_batch};
use pillar_primitives::{B256, Block, Call, ChainTx, Header, PrivateKey, Transaction, Transfer};

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
                call: Call::Transfer(Transfer {
                    to,
                    asset: 0,
                    amount: 1 + (i % 1000) as u128 * 1_000_000_000,
                }),
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
        "batch of {TXS} transfers: {} bytes, {:.1} bytes per transfer",
        encoded.len(),
        encoded.len() as f64 / TXS as f64
    );
    let mut g = c.benchmark_group("batch");
    g.sample_size(20);
    g.throughput(Throughput::Elements(TXS));
    g.bench_function("encode_8000_transfers", |b| b.iter(|| encode_batch(&blocks)));
    g.bench_function("decode_8000_transfers", |b| b.iter(|| decode_batch(&encoded).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
