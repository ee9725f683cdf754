//! NOMT (sha2) state root and durable commit for a block's worth of key updates.
//!
//! `cargo bench -p pillar-state --bench commit`
//!
//! The store holds 300,000 keys (three per account of a 100,000-account chain); each measured
//! block reads and rewrites 30,000 of them (a block of 10,000 transfers touches about three keys
//! per transfer), spread over the whole key space as real senders and recipients are.
//! - `overlay`: the block's execution buffers alone: 10,000 transactions, each reading a shared
//!   key and reading and writing three keys of its own in a `TxOverlay`, over a base that answers
//!   at once, then `into_changes`;
//! - `root`: computing the new root (`prepare`), nothing written;
//! - `root_and_commit`: the same plus the fsynced commit, what every block pays.

#![allow(clippy::unwrap_used, missing_docs)]

use std::{collections::BTreeMap, time::Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillar_state::{
    BlockChanges, BlockOverlay, KeyPath, NomtOptions, NomtStore, StateError, StateRead, StateWrite,
};

const KEYS: u64 = 300_000;
const PER_BLOCK: u64 = 30_000;

fn key(i: u64) -> KeyPath {
    let mut k = [0u8; 32];
    // Spread over the key space like hashed keys are.
    let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    k[..8].copy_from_slice(&h.to_be_bytes());
    k[8..16].copy_from_slice(&i.to_be_bytes());
    k
}

/// A base that answers every read at once, so `overlay` measures the buffers alone.
struct Constant;

impl StateRead for Constant {
    fn get(&self, _: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        Ok(Some(vec![0; 16]))
    }
}

/// One block of transfers through the overlays: what execution adds on top of the reads.
fn overlay_block(round: u64) -> BlockChanges {
    let shared = key(KEYS);
    let mut block = BlockOverlay::new(&Constant);
    for t in 0..PER_BLOCK / 3 {
        let mut tx = block.begin_tx();
        tx.get(&shared).unwrap();
        for j in 0..3 {
            let k = key(((t * 3 + j) * 10 + round) % KEYS);
            let v = tx.get(&k).unwrap().unwrap();
            tx.set(k, Some(v.iter().map(|b| b.wrapping_add(1)).collect()));
        }
        tx.commit();
    }
    block.into_changes()
}

fn block(store: &NomtStore, round: u64) -> (pillar_state::Snapshot, BlockChanges) {
    let snapshot = store.snapshot();
    let mut reads = BTreeMap::new();
    let mut writes = BTreeMap::new();
    for j in 0..PER_BLOCK {
        let i = (round * PER_BLOCK * 7 + j * 10 + round) % KEYS;
        let k = key(i);
        reads.insert(k, snapshot.get(&k).unwrap());
        writes.insert(k, Some((round * KEYS + i).to_le_bytes().to_vec()));
    }
    (snapshot, BlockChanges { reads, writes })
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = NomtStore::open(
        dir.path(),
        &NomtOptions { hashtable_buckets: 64_000, commit_concurrency: 2, rollback_window: 0 },
    )
    .unwrap();
    // Populate in blocks of 50,000 fresh keys.
    for chunk in 0..KEYS / 50_000 {
        let snapshot = store.snapshot();
        let writes = (chunk * 50_000..(chunk + 1) * 50_000)
            .map(|i| (key(i), Some(i.to_le_bytes().to_vec())))
            .collect();
        let pending = store.prepare(snapshot, BlockChanges { reads: BTreeMap::new(), writes }).unwrap();
        store.commit(pending).unwrap();
    }

    let mut g = c.benchmark_group("state");
    g.sample_size(10);
    g.throughput(Throughput::Elements(PER_BLOCK));
    let mut round = 1;
    g.bench_function("overlay", |b| b.iter_with_large_drop(|| overlay_block(round)));
    g.bench_function("root", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let (snapshot, changes) = block(&store, round);
                let t = Instant::now();
                let pending = store.prepare(snapshot, changes).unwrap();
                total += t.elapsed();
                drop(pending);
            }
            total
        })
    });
    g.bench_function("root_and_commit", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                round += 1;
                let (snapshot, changes) = block(&store, round);
                let t = Instant::now();
                let pending = store.prepare(snapshot, changes).unwrap();
                store.commit(pending).unwrap();
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
