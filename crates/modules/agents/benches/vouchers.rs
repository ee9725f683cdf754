//! The payee's per-request cost: one off-chain voucher check ([`pillar_agents::check_voucher`]:
//! the channel rules and one signature verification over the EIP-712 digest), for ed25519 and
//! P-256 voucher keys, on one core.
//!
//! `cargo bench -p pillar-agents --bench vouchers`
//!
//! Groups: `check/ed25519` and `check/p256` (a stateless check of one voucher), and
//! `accept/ed25519` (a running [`pillar_agents::VoucherCheck`] accepting 1,000 increasing
//! vouchers, what a server does for 1,000 requests). Throughput is reported per voucher.

#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pillar_agents::{Channel, VoucherCheck, check_voucher};
use pillar_primitives::{Address, SessionSigner, Voucher};

const CHAIN_ID: u64 = 901;
const CHANNEL: u64 = 1;

fn channel(signer: &SessionSigner) -> Channel {
    Channel {
        payer: Address::repeat_byte(2),
        agent: 1,
        asset: 0,
        deposit: u128::MAX,
        settled: 0,
        voucher_key: signer.public_key(),
        timeout_ms: 60_000,
        closes_at_ms: 0,
        closed: false,
    }
}

fn check(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(1));
    for (name, signer) in
        [("ed25519", SessionSigner::ed25519([7; 32])), ("p256", SessionSigner::p256([9; 32]).unwrap())]
    {
        let ch = channel(&signer);
        let v = Voucher { chain_id: CHAIN_ID, channel: CHANNEL, cumulative: 123_456 };
        let sig = v.sign(&signer);
        g.bench_function(name, |b| b.iter(|| check_voucher(&ch, &v, &sig).unwrap()));
    }
    g.finish();
}

fn accept(c: &mut Criterion) {
    const N: u64 = 1_000;
    let signer = SessionSigner::ed25519([7; 32]);
    let ch = channel(&signer);
    let sigs: Vec<(u128, [u8; 64])> = (1..=N)
        .map(|i| {
            let cumulative = u128::from(i) * 1_000;
            (cumulative, Voucher { chain_id: CHAIN_ID, channel: CHANNEL, cumulative }.sign(&signer))
        })
        .collect();
    let mut g = c.benchmark_group("accept");
    g.throughput(Throughput::Elements(N));
    g.sample_size(20);
    g.bench_function("ed25519", |b| {
        b.iter_batched(
            || VoucherCheck::new(CHAIN_ID, CHANNEL, ch.clone()),
            |mut check| {
                for (cumulative, sig) in &sigs {
                    check.accept(*cumulative, sig).unwrap();
                }
                check
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, check, accept);
criterion_main!(benches);
