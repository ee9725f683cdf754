//! Signature checks, the admission path's main cost.
//!
//! `cargo bench -p pillar-primitives --bench signatures`
//!
//! - `secp256k1/verify_one`: one EIP-712 transfer on one core: the typed-data digest, the
//!   transaction hash and libsecp256k1 recovery;
//! - `secp256k1/signing_hash`: the EIP-712 digest alone;
//! - `secp256k1/verify_batch_1000`: 1,000 of them through `verify_batch` (parallel on all cores);
//! - `ed25519/verify_one` and `ed25519/verify_batch_1000`: session-signed transactions, one by
//!   one and in ed25519 batches of 64 per core;
//! - `p256/verify_one`: a passkey-style P-256 session transaction.

#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pillar_assets::Transfer;
use pillar_stf::{Call, PrivateKey, SessionSigner, SignedTransaction, Transaction};

const CHAIN_ID: u64 = 901;

fn key(i: u64) -> PrivateKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i + 1).to_be_bytes());
    b[31] = 7;
    PrivateKey::from_bytes(b).unwrap()
}

fn tx(i: u64) -> Transaction {
    let to = key(i + 1_000_000).address();
    Transaction {
        chain_id: CHAIN_ID,
        nonce: i,
        max_fee: 10_000,
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
            to,
            asset: 0,
            amount: 1 + i as u128,
        })),
    }
}

fn secp(n: u64) -> Vec<SignedTransaction> {
    (0..n).map(|i| key(i).sign(tx(i))).collect()
}

fn sessions(n: u64, p256: bool) -> Vec<SignedTransaction> {
    (0..n)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i + 1).to_le_bytes());
            seed[31] = 9;
            let signer = if p256 { SessionSigner::p256(seed).unwrap() } else { SessionSigner::ed25519(seed) };
            signer.sign(tx(i), key(i).address(), None)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("secp256k1");
    let one = secp(1).pop().unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_one", |b| {
        b.iter_batched(|| one.clone(), |t| t.verify().unwrap(), BatchSize::SmallInput)
    });
    g.bench_function("signing_hash", |b| b.iter(|| one.signing_hash()));
    let many = secp(1000);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("verify_batch_1000", |b| {
        b.iter_batched(|| many.clone(), SignedTransaction::verify_batch, BatchSize::LargeInput)
    });
    g.finish();

    let mut g = c.benchmark_group("ed25519");
    let one = sessions(1, false).pop().unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_one", |b| {
        b.iter_batched(|| one.clone(), |t| t.verify().unwrap(), BatchSize::SmallInput)
    });
    let many = sessions(1000, false);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("verify_batch_1000", |b| {
        b.iter_batched(|| many.clone(), SignedTransaction::verify_batch, BatchSize::LargeInput)
    });
    g.finish();

    let mut g = c.benchmark_group("p256");
    let one = sessions(1, true).pop().unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_one", |b| {
        b.iter_batched(|| one.clone(), |t| t.verify().unwrap(), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
