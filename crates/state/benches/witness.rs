//! Recording a block's witness from NOMT and replaying the block from it, on the host.
//!
//! `cargo bench -p pillar-state --bench witness`
//!
//! The store holds 100,000 keys with 24-byte values (accounts). Each block is 100 transfers: 400
//! distinct keys, each read and rewritten, spread over the key space.
//! - `record`: `witness_for_block` from a NOMT snapshot (a proof and a value read per key);
//! - `replay`: a `WitnessState` over the recorded `WitnessMap` reads the 400 keys and computes
//!   the root after the block (`root_after`), what the fault-proof program does, natively.
//!
//! The guest's cost is in SHA-256 compressions, not host time: docs/state.md §7.5.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillar_state::{
    BlockChanges, KeyPath, NomtOptions, NomtStore, StateRead, WitnessState, witness_for_block,
};

const KEYS: u64 = 100_000;
const PER_BLOCK: u64 = 400;

fn key(i: u64) -> KeyPath {
    let mut k = [0u8; 32];
    let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    k[..8].copy_from_slice(&h.to_be_bytes());
    k[8..16].copy_from_slice(&i.to_be_bytes());
    k
}

fn value(i: u64, round: u64) -> Vec<u8> {
    let mut v = vec![0; 24];
    v[..8].copy_from_slice(&i.to_le_bytes());
    v[8..16].copy_from_slice(&round.to_le_bytes());
    v
}

fn changes(store: &NomtStore, round: u64) -> BlockChanges {
    let snapshot = store.snapshot();
    let mut reads = BTreeMap::new();
    let mut writes = BTreeMap::new();
    for j in 0..PER_BLOCK {
        let i = (round * 7919 + j * 241) % KEYS;
        reads.insert(key(i), snapshot.get(&key(i)).unwrap());
        writes.insert(key(i), Some(value(i, round)));
    }
    BlockChanges { reads, writes }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = NomtStore::open(
        dir.path(),
        &NomtOptions { hashtable_buckets: 16_000, commit_concurrency: 2, rollback_window: 0 },
    )
    .unwrap();
    let snapshot = store.snapshot();
    let writes = (0..KEYS).map(|i| (key(i), Some(value(i, 0)))).collect();
    let pending = store.prepare(snapshot, BlockChanges { reads: BTreeMap::new(), writes }).unwrap();
    store.commit(pending).unwrap();

    let block = changes(&store, 1);
    let snapshot = store.snapshot();
    let root = snapshot.root();
    let witness = witness_for_block(&snapshot, &block).unwrap();
    let expected = store.prepare(store.snapshot(), changes(&store, 1)).unwrap().root();
    drop(snapshot);

    let mut g = c.benchmark_group("witness");
    g.sample_size(20);
    g.throughput(Throughput::Elements(PER_BLOCK));
    g.bench_function("record", |b| {
        let snapshot = store.snapshot();
        b.iter_with_large_drop(|| witness_for_block(&snapshot, &block).unwrap())
    });
    g.bench_function("replay", |b| {
        b.iter(|| {
            let state = WitnessState::new(root, &witness);
            for k in block.reads.keys() {
                state.get(k).unwrap();
            }
            let new_root = state.root_after(&block).unwrap();
            assert_eq!(new_root, expected);
            new_root
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
