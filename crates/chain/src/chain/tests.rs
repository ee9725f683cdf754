//! Chain behaviour on real NOMT and redb.

use std::sync::Arc;

use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_runtime::{Genesis, GenesisAccount};
use pillar_state::StateRead;
use pillar_stf::Runtime;
use pillar_stf::VerifiedTransaction;

use super::*;

use pillar_runtime::testkit::key;

fn setup() -> (Runtime, Genesis, ChainOptions) {
    let rt = Runtime::new(5, vec![Arc::new(Accounts), Arc::new(Assets)]);
    let genesis = Genesis {
        timestamp_ms: 1000,
        accounts: (0..3)
            .map(|i| GenesisAccount { address: key(i).address(), eth: 1000, tokens: vec![] })
            .collect(),
        ..Default::default()
    };
    (rt, genesis, crate::testkit::small_options(64))
}

fn transfer(from: u8, nonce: u64, amount: u128) -> VerifiedTransaction {
    pillar_stf::testkit::transfer(5, from, nonce, 0, key(2).address(), amount).verify().unwrap()
}

fn balance(chain: &Chain, i: u8) -> u128 {
    pillar_assets::balance(&chain.snapshot() as &dyn StateRead, key(i).address(), 0).unwrap()
}

#[test]
fn blocks_link_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, opts) = setup();
    let (head, root) = {
        let chain = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap();
        let g = chain.head();
        assert_eq!(g.height, 0);
        let b1 = chain.build_block(vec![transfer(0, 0, 10), transfer(1, 0, 20)], 500).unwrap();
        assert_eq!(b1.block.header.parent_hash, g.hash());
        assert_eq!(b1.block.header.timestamp_ms, 1000, "timestamps never go backwards");
        assert_eq!(b1.receipts.len(), 2);
        // A replayed nonce is dropped, not included.
        let b2 = chain.build_block(vec![transfer(0, 0, 10), transfer(0, 1, 5)], 2000).unwrap();
        assert_eq!(b2.receipts.len(), 1);
        assert_eq!(b2.dropped.len(), 1);
        assert_eq!(balance(&chain, 0), 1000 - 15);
        (chain.head(), chain.snapshot().root())
    };
    let chain = Chain::open(dir.path(), rt, &genesis, &opts).unwrap();
    assert_eq!(chain.head(), head);
    assert_eq!(chain.snapshot().root(), root);
    assert_eq!(root, head.state_root);
    assert_eq!(balance(&chain, 2), 1000 + 35);
}

#[test]
fn interrupted_commit_is_repaired_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, opts) = setup();
    let expected = {
        let chain = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap();
        chain.build_block(vec![transfer(0, 0, 10)], 2000).unwrap();
        // The ledger gets block 2; the process "dies" before NOMT commits it.
        let b = chain
            .build_block_inner(
                BlockInput { timestamp_ms: 3000, txs: vec![transfer(1, 0, 7)], ..Default::default() },
                false,
                None,
            )
            .unwrap();
        assert_ne!(chain.snapshot().root(), b.block.header.state_root);
        b.block.header
    };
    let chain = Chain::open(dir.path(), rt, &genesis, &opts).unwrap();
    assert_eq!(chain.head(), expected);
    assert_eq!(chain.snapshot().root(), expected.state_root);
    assert_eq!(balance(&chain, 1), 993);
}

#[test]
fn genesis_interrupted_before_state_commit_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, opts) = setup();
    let head = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap().head();
    // As if the process died after the ledger got block 0 but before NOMT committed genesis.
    std::fs::remove_dir_all(dir.path().join("state")).unwrap();
    let chain = Chain::open(dir.path(), rt, &genesis, &opts).unwrap();
    assert_eq!(chain.head(), head);
    assert_eq!(chain.snapshot().root(), head.state_root);
    assert_eq!(balance(&chain, 0), 1000);
}

#[test]
fn another_genesis_on_the_same_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, mut genesis, opts) = setup();
    drop(Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap());
    genesis.accounts[0].eth += 1;
    assert!(matches!(Chain::open(dir.path(), rt, &genesis, &opts), Err(ChainError::GenesisMismatch { .. })));
    let other_chain = Runtime::new(6, vec![Arc::new(Accounts), Arc::new(Assets)]);
    genesis.accounts[0].eth -= 1;
    assert!(matches!(
        Chain::open(dir.path(), other_chain, &genesis, &opts),
        Err(ChainError::GenesisMismatch { .. })
    ));
}

#[test]
fn a_second_chain_imports_the_same_blocks_and_refuses_altered_ones() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (rt, genesis, opts) = setup();
    let a = Chain::open(a_dir.path(), rt.clone(), &genesis, &opts).unwrap();
    let b = Chain::open(b_dir.path(), rt, &genesis, &opts).unwrap();
    let b1 = a.build_block(vec![transfer(0, 0, 10), transfer(1, 0, 3)], 5000).unwrap();
    let b2 = a.build_block(vec![transfer(0, 1, 1)], 6000).unwrap();

    // Altered copies are refused and leave nothing behind.
    let mut wrong_root = b1.block.clone();
    wrong_root.header.state_root = B256::repeat_byte(1);
    assert!(matches!(
        b.import_block(&wrong_root),
        Err(ChainError::HeaderMismatch { state_root_matches: false, .. })
    ));
    let mut wrong_receipts = b1.block.clone();
    wrong_receipts.header.receipts_root = B256::repeat_byte(2);
    assert!(matches!(
        b.import_block(&wrong_receipts),
        Err(ChainError::HeaderMismatch { state_root_matches: true, .. })
    ));
    let mut wrong_withdrawals = b1.block.clone();
    wrong_withdrawals.header.withdrawals_root = B256::repeat_byte(3);
    assert!(matches!(b.import_block(&wrong_withdrawals), Err(ChainError::HeaderMismatch { .. })));
    assert!(matches!(b.import_block(&b2.block), Err(ChainError::NotChild { .. })));
    let mut forged = b1.block.clone();
    if let pillar_stf::ChainTx::Signed(t) = &mut forged.transactions[0] {
        t.tx.nonce = 9;
    }
    assert!(b.import_block(&forged).is_err());
    assert_eq!(b.head().height, 0);

    // The real blocks import to the same hashes and roots.
    assert_eq!(b.import_block(&b1.block).unwrap().hash, b1.hash);
    assert_eq!(b.import_block(&b2.block).unwrap().hash, b2.hash);
    assert_eq!(b.head(), a.head());
    assert_eq!(b.snapshot().root(), a.snapshot().root());
}

#[test]
fn rollback_undoes_blocks_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, opts) = setup();
    let (b2_header, replaced_hash) = {
        let chain = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap();
        chain.build_block(vec![transfer(0, 0, 10)], 2000).unwrap();
        let b2 = chain.build_block(vec![transfer(0, 1, 20)], 3000).unwrap();
        let b3 = chain.build_block(vec![transfer(0, 2, 40)], 4000).unwrap();
        chain.build_block(vec![transfer(1, 0, 80)], 5000).unwrap();
        chain.set_heads(Heads { safe: 4, finalized: 1 }).unwrap();
        assert_eq!(balance(&chain, 0), 1000 - 70);

        chain.rollback_to(2).unwrap();
        assert_eq!(chain.head(), b2.block.header);
        assert_eq!(chain.snapshot().root(), b2.block.header.state_root);
        assert_eq!(balance(&chain, 0), 1000 - 30);
        assert_eq!(balance(&chain, 1), 1000);
        assert!(chain.ledger().block(3).unwrap().is_none());
        assert!(chain.ledger().receipt(&b3.tx_hashes[0]).unwrap().is_none(), "index entries go too");
        assert_eq!(chain.heads(), Heads { safe: 2, finalized: 1 }, "marks never point above the head");

        // The chain goes on from the rolled-back head with other blocks.
        let other = chain.build_block(vec![transfer(0, 2, 1)], 4500).unwrap();
        assert_eq!(other.block.header.parent_hash, b2.hash);
        assert_eq!(balance(&chain, 0), 1000 - 31);
        (b2.block.header, other.hash)
    };
    let chain = Chain::open(dir.path(), rt, &genesis, &opts).unwrap();
    assert_eq!(chain.head().hash(), replaced_hash);
    assert_eq!(chain.head().parent_hash, b2_header.hash());
    assert_eq!(chain.heads(), Heads { safe: 2, finalized: 1 });
    assert_eq!(chain.snapshot().root(), chain.head().state_root);
}

#[test]
fn rollback_below_finalized_or_past_the_window_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, mut opts) = setup();
    opts.nomt.rollback_window = 2;
    let chain = Chain::open(dir.path(), rt, &genesis, &opts).unwrap();
    for n in 0..4 {
        chain.build_block(vec![transfer(0, n, 1)], 2000 + n).unwrap();
    }
    assert!(matches!(
        chain.rollback_to(1),
        Err(ChainError::RollbackRefused { to: 1, head: 4, window: 2, .. })
    ));
    chain.set_heads(Heads { safe: 4, finalized: 3 }).unwrap();
    assert!(matches!(chain.rollback_to(2), Err(ChainError::RollbackRefused { finalized: 3, .. })));
    assert_eq!(chain.head().height, 4, "a refused rollback changes nothing");
    chain.rollback_to(3).unwrap();
    assert_eq!(chain.head().height, 3);
}

/// Executes block `height` of `chain` over its recorded witness alone, as the fault-proof program
/// does, and returns the state root that gives.
fn root_from_witness(rt: &Runtime, chain: &Chain, height: u64) -> B256 {
    let record = chain.witness(height).unwrap().expect("a recorded witness");
    let parent = chain.ledger().header(height - 1).unwrap().unwrap();
    assert_eq!(record.parent_state_root, parent.state_root);
    let block = chain.ledger().block(height).unwrap().unwrap();
    let txs = block
        .transactions
        .into_iter()
        .map(|t| match t {
            ChainTx::Signed(t) => t.verify().unwrap(),
            ChainTx::L1(_) => unreachable!("these blocks carry signed transactions only"),
        })
        .collect();
    let input = BlockInput { timestamp_ms: block.header.timestamp_ms, txs, ..Default::default() };
    let state = pillar_state::WitnessState::new(parent.state_root, &record.witness);
    let executed = rt.execute_on(&parent, input, &state as &dyn StateRead).unwrap();
    state.root_after(&executed.changes).unwrap()
}

#[test]
fn witnesses_are_durable_replay_their_blocks_and_go_when_finalized() {
    let dir = tempfile::tempdir().unwrap();
    let (rt, genesis, opts) = setup();
    let roots = {
        let chain = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap();
        chain.build_block(vec![transfer(0, 0, 10)], 2000).unwrap();
        assert_eq!(chain.witness(1).unwrap(), None, "the recorder was off");
        chain.record_witnesses().unwrap();
        let mut roots = vec![];
        for (i, nonce) in [(0u8, 1), (1, 0), (0, 2)] {
            let b = chain.build_block(vec![transfer(i, nonce, 5), transfer(2, nonce, 1)], 3000).unwrap();
            roots.push(b.block.header.state_root);
        }
        roots
    };
    // Reopened, as after kill -9: the records came to disk with their blocks.
    let chain = Chain::open(dir.path(), rt.clone(), &genesis, &opts).unwrap();
    for (height, root) in (2..=4).zip(&roots) {
        assert_eq!(root_from_witness(&rt, &chain, height), *root, "block {height}");
    }
    let (records, bytes) = chain.witness_totals().unwrap();
    assert_eq!(records, 3);
    assert!(bytes > 3 * 32);
    assert_eq!(chain.witness(5).unwrap(), None, "above the head");

    // A rolled-back block's record is not served for the block made in its place over another
    // parent, and that block records its own.
    chain.record_witnesses().unwrap();
    chain.rollback_to(2).unwrap();
    assert_eq!(chain.witness(3).unwrap(), None, "above the head after the rollback");
    chain.build_block(vec![transfer(1, 0, 7)], 4000).unwrap();
    let b4 = chain.build_block(vec![transfer(1, 1, 7)], 5000).unwrap();
    assert_eq!(root_from_witness(&rt, &chain, 4), b4.block.header.state_root);

    chain.set_heads(Heads { safe: 4, finalized: 3 }).unwrap();
    assert_eq!(chain.witness(2).unwrap(), None);
    assert_eq!(chain.witness(3).unwrap(), None);
    assert!(chain.witness(4).unwrap().is_some());
    assert_eq!(chain.witness_totals().unwrap().0, 1);
}

#[test]
fn an_import_that_does_not_match_still_records_what_it_read() {
    let (rt, genesis, opts) = setup();
    let a_dir = tempfile::tempdir().unwrap();
    let a = Chain::open(a_dir.path(), rt.clone(), &genesis, &opts).unwrap();
    let good = a.build_block(vec![transfer(0, 0, 10)], 2000).unwrap().block;
    let b_dir = tempfile::tempdir().unwrap();
    let b = Chain::open(b_dir.path(), rt.clone(), &genesis, &opts).unwrap();
    b.record_witnesses().unwrap();
    // The same transactions claiming another state root: executed, then refused.
    let mut altered = good.clone();
    altered.header.state_root = B256::repeat_byte(1);
    assert!(matches!(b.import_block(&altered), Err(ChainError::HeaderMismatch { .. })));
    let after_failure = b.ledger().witness(1).unwrap().expect("the failed execution's record");
    b.import_block(&good).unwrap();
    let merged = BlockWitness::from_record(1, &b.ledger().witness(1).unwrap().unwrap()).unwrap();
    let failed = BlockWitness::from_record(1, &after_failure).unwrap();
    assert_eq!(merged.parent_state_root, failed.parent_state_root);
    assert!(failed.witness.nodes().all(|(h, _)| merged.witness.nodes().any(|(m, _)| m == h)));
    assert_eq!(root_from_witness(&rt, &b, 1), good.header.state_root);
}
