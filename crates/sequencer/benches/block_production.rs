//! In-process block production of EIP-712-signed transfers among 100,000 funded accounts.
//!
//! `cargo bench -p pillar-sequencer --bench block_production`
//!
//! Groups, each per block of 10,000 transfers:
//! - `recover`: secp256k1 sender recovery in parallel on all cores (what admission does);
//! - `execute`: running the transfers through the runtime on an overlay (no commit);
//! - `produce`: the whole durable path: recovery, execution, NOMT root, ledger write, NOMT
//!   commit. The time split of `produce` is printed after the run.

#![allow(clippy::unwrap_used)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_assets::Transfer;
use pillar_chain::{BlockTimings, Chain, ChainOptions};
use pillar_runtime::{BlockEnv, Genesis, GenesisAccount};
use pillar_state::{BlockOverlay, NomtOptions};
use pillar_stf::Runtime;
use pillar_stf::{Call, PrivateKey, SignedTransaction, Transaction, VerifiedTransaction};
use rayon::prelude::*;

const ACCOUNTS: usize = 100_000;
const BLOCK: usize = 10_000;
const CHAIN_ID: u64 = 901;

struct Fixture {
    _dir: tempfile::TempDir,
    chain: Chain,
    keys: Vec<PrivateKey>,
    next: usize,
}

impl Fixture {
    fn new() -> Self {
        let keys: Vec<PrivateKey> = (0..ACCOUNTS)
            .into_par_iter()
            .map(|i| {
                let mut b = [0u8; 32];
                b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
                b[31] = 1;
                PrivateKey::from_bytes(b).expect("valid key")
            })
            .collect();
        let genesis = Genesis {
            tx_fee: 1,
            fee_recipient: keys[0].address(),
            accounts: keys
                .iter()
                .map(|k| GenesisAccount { address: k.address(), eth: 1 << 60, tokens: vec![] })
                .collect(),
            ..Default::default()
        };
        let rt = Runtime::new(CHAIN_ID, vec![Arc::new(Accounts), Arc::new(Assets)]);
        let dir = tempfile::tempdir().expect("tempdir");
        // A settling sequencer keeps a rollback window (derivation may replace its soft blocks);
        // `PILLAR_BENCH_ROLLBACK_WINDOW=4096` measures what that costs.
        let rollback_window =
            std::env::var("PILLAR_BENCH_ROLLBACK_WINDOW").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        let opts = ChainOptions {
            nomt: NomtOptions { hashtable_buckets: 64_000, commit_concurrency: 2, rollback_window },
        };
        let chain = Chain::open(dir.path(), rt, &genesis, &opts).expect("open chain");
        Self { _dir: dir, chain, keys, next: 0 }
    }

    /// The next block's worth of signed transfers: each sender appears once per block, and
    /// senders rotate so every account's nonce advances in turn.
    fn next_block(&mut self) -> Vec<SignedTransaction> {
        let start = self.next;
        self.next += BLOCK;
        (start..start + BLOCK)
            .into_par_iter()
            .map(|i| {
                let sender = i % ACCOUNTS;
                let nonce = (i / ACCOUNTS) as u64;
                let to = self.keys[(sender * 7919 + 1) % ACCOUNTS].address();
                self.keys[sender].sign(Transaction {
                    chain_id: CHAIN_ID,
                    nonce,
                    max_fee: 1,
                    call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to,
                        asset: 0,
                        amount: 1 + (i % 1000) as u128,
                    })),
                })
            })
            .collect()
    }
}

fn recover(txs: Vec<SignedTransaction>) -> Vec<VerifiedTransaction> {
    txs.into_par_iter().map(|t| t.verify().expect("valid signature")).collect()
}

fn bench(c: &mut Criterion) {
    let mut f = Fixture::new();
    let mut g = c.benchmark_group("block_10k_transfers");
    g.throughput(Throughput::Elements(BLOCK as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));

    let sample = f.next_block();
    g.bench_function("recover", |b| b.iter(|| recover(sample.clone())));

    let verified = recover(sample);
    g.bench_function("execute", |b| {
        b.iter(|| {
            let snapshot = f.chain.snapshot();
            let mut overlay = BlockOverlay::new(&snapshot);
            let env = BlockEnv { chain_id: CHAIN_ID, height: 1, timestamp_ms: 1 };
            let items = verified.iter().cloned().map(pillar_stf::ExecTx::Signed).collect();
            let out = f.chain.runtime().execute_block(&env, items, &mut overlay).expect("execute");
            assert_eq!(out.included.len(), BLOCK);
            overlay.written_keys()
        })
    });
    // The block above was never committed; production starts from the same nonces.
    f.next = 0;

    let mut timings: Vec<BlockTimings> = Vec::new();
    let mut recover_us = Vec::new();
    g.bench_function("produce", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let txs = f.next_block();
                let t = Instant::now();
                let verified = recover(txs);
                recover_us.push(t.elapsed().as_micros() as u64);
                let sealed = f.chain.build_block(verified, 0).expect("build block");
                total += t.elapsed();
                assert_eq!(sealed.receipts.len(), BLOCK);
                timings.push(sealed.timings);
            }
            total
        })
    });
    g.finish();

    let n = timings.len().max(1) as u64;
    let avg = |f: fn(&BlockTimings) -> u64| timings.iter().map(f).sum::<u64>() / n;
    let rec = recover_us.iter().sum::<u64>() / n;
    let (ex, root, led, com) =
        (avg(|t| t.execute_us), avg(|t| t.root_us), avg(|t| t.ledger_us), avg(|t| t.commit_us));
    let total = rec + ex + root + led + com;
    println!("\nproduce: {} blocks of {BLOCK} transfers among {ACCOUNTS} accounts, mean per block:", n);
    for (name, us) in [
        ("signature recovery (parallel)", rec),
        ("execution", ex),
        ("state root (NOMT)", root),
        ("ledger write (redb, fsync)", led),
        ("state commit (NOMT, fsync)", com),
    ] {
        println!(
            "  {name:<32} {:>8.1} ms  {:>5.1}%",
            us as f64 / 1000.0,
            100.0 * us as f64 / total.max(1) as f64
        );
    }
    println!(
        "  {:<32} {:>8.1} ms  => {:.0} transfers/s",
        "total",
        total as f64 / 1000.0,
        BLOCK as f64 * 1e6 / total.max(1) as f64
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
