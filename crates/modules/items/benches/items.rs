//! `TransferItems` executed through the runtime (accounts, assets, items) on in-memory state.
//!
//! `cargo bench -p pillar-items --bench items`
//!
//! Each iteration executes one block of 1,000 pre-verified transactions, one per player, on a
//! fresh overlay (no commit), so signature recovery is not measured. Throughput is in item moves
//! (one `ItemsMoved` each): `transfer_1` moves one item per transaction, `transfer_16` a batch of
//! 16 items per transaction.

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_items::{
    CreateCollection, DefineItems, ItemAmount, ItemClass, Items, ItemsCall, MintItems, TransferItems,
};
use pillar_primitives::{ExecTx, PrivateKey, Transaction};
use pillar_runtime::{BlockEnv, Genesis, GenesisAccount, Runtime};
use pillar_state::{BlockOverlay, MemoryState, StateWrite};

pillar_runtime::compose! {
    /// The bench chain's calls.
    enum Call;
    /// The bench chain's events.
    enum Event;
    /// The bench chain's modules.
    const MODULES;
    { Accounts => Accounts, Assets => Assets, Items => Items }
}

const CHAIN_ID: u64 = 902;
const PLAYERS: usize = 1_000;
const ITEMS: u64 = 16;

fn key(i: usize) -> PrivateKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    b[31] = 1;
    PrivateKey::from_bytes(b).unwrap()
}

struct Fixture {
    rt: Runtime<Call, Event>,
    state: MemoryState,
    keys: Vec<PrivateKey>,
    game: PrivateKey,
    height: u64,
}

impl Fixture {
    /// Players 0..1000 each hold 1,000,000 of items 1..=16 of collection 1.
    fn new() -> Self {
        let keys: Vec<PrivateKey> = (0..PLAYERS).map(key).collect();
        let game = key(PLAYERS);
        let genesis = Genesis {
            tx_fee: 1,
            fee_recipient: game.address(),
            accounts: keys
                .iter()
                .chain([&game])
                .map(|k| GenesisAccount { address: k.address(), eth: 1 << 60, tokens: vec![] })
                .collect(),
            ..Default::default()
        };
        let rt = Runtime::new(CHAIN_ID, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Items)]);
        let mut state = MemoryState::default();
        rt.genesis(&genesis, &mut state).unwrap();
        let mut f = Self { rt, state, keys, game, height: 0 };
        let setup = vec![
            Call::Items(ItemsCall::CreateCollection(CreateCollection {
                name: "bench".into(),
                uri: String::new(),
            })),
            Call::Items(ItemsCall::DefineItems(DefineItems {
                collection: 1,
                classes: (1..=ITEMS)
                    .map(|item| ItemClass { item, max_supply: u128::MAX, transferable: true })
                    .collect(),
            })),
        ];
        let mut txs: Vec<_> =
            setup.into_iter().enumerate().map(|(n, call)| f.sign(&f.game, n as u64, call)).collect();
        for (i, k) in f.keys.iter().enumerate() {
            let call = Call::Items(ItemsCall::MintItems(MintItems {
                collection: 1,
                to: k.address(),
                items: (1..=ITEMS).map(|item| ItemAmount { item, amount: 1_000_000 }).collect(),
            }));
            txs.push(f.sign(&f.game, i as u64 + 2, call));
        }
        f.commit(txs);
        f
    }

    fn sign(&self, k: &PrivateKey, nonce: u64, call: Call) -> ExecTx<Call> {
        let tx = Transaction { chain_id: CHAIN_ID, nonce, max_fee: 1, call };
        ExecTx::Signed(k.sign(tx).verify().unwrap())
    }

    fn env(&self) -> BlockEnv {
        BlockEnv { chain_id: CHAIN_ID, height: self.height + 1, timestamp_ms: 1_000 }
    }

    fn commit(&mut self, txs: Vec<ExecTx<Call>>) {
        let env = self.env();
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, txs, &mut block).unwrap();
            (out, block.into_changes())
        };
        assert!(out.dropped.is_empty() && out.included.iter().all(|(_, r)| r.is_success()));
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        self.height += 1;
    }

    /// One transaction per player (nonce 0), each moving `per_tx` items to the next player.
    fn block(&self, per_tx: u64) -> Vec<ExecTx<Call>> {
        (0..PLAYERS)
            .map(|i| {
                let call = Call::Items(ItemsCall::TransferItems(TransferItems {
                    collection: 1,
                    to: self.keys[(i + 1) % PLAYERS].address(),
                    items: (1..=per_tx).map(|item| ItemAmount { item, amount: 1 }).collect(),
                }));
                self.sign(&self.keys[i], 0, call)
            })
            .collect()
    }
}

fn transfers(c: &mut Criterion) {
    let f = Fixture::new();
    let env = f.env();
    let mut g = c.benchmark_group("items");
    g.sample_size(20);
    for per_tx in [1u64, 16] {
        let block = f.block(per_tx);
        // Sanity: every transfer succeeds.
        {
            let mut overlay = BlockOverlay::new(&f.state);
            let out = f.rt.execute_block(&env, block.clone(), &mut overlay).unwrap();
            assert!(out.included.iter().all(|(_, r)| r.is_success()) && out.dropped.is_empty());
        }
        g.throughput(Throughput::Elements(PLAYERS as u64 * per_tx));
        g.bench_function(format!("transfer_{per_tx}"), |b| {
            b.iter_batched(
                || block.clone(),
                |txs| {
                    let mut overlay = BlockOverlay::new(&f.state);
                    let out = f.rt.execute_block(&env, txs, &mut overlay).unwrap();
                    std::hint::black_box((out.included.len(), overlay.written_keys()))
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, transfers);
criterion_main!(benches);
