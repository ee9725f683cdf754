//! Bridge behaviour through the real runtime (accounts, assets, bridge) on in-memory state.

use std::sync::Arc;

use pillar_accounts::Accounts;
use pillar_assets::{Assets, balance};
use pillar_primitives::{
    B256, ExecTx, L1MessageKind, Receipt, Transaction, VerifiedTransaction, merkle_root,
    merkle_root_from_proof,
};
use pillar_runtime::testkit::{TestChain, funded, key};
use pillar_runtime::{Genesis, Runtime, l1_codes};

use super::*;

mod backing;

pillar_runtime::compose! {
    /// The test chain's calls.
    enum Call;
    /// The test chain's events.
    enum Event;
    /// The test chain's modules.
    const MODULES;
    { Accounts => Accounts, Assets => Assets, Bridge => crate::Bridge }
}

const CHAIN: u64 = 9;

pillar_runtime::test_chain! {
    /// The bridge chain: the shared test chain plus explicit-nonce helpers.
    struct Chain(Call, Event);
}

impl Chain {
    /// Key 0 holds 1000 wei from genesis; no fee.
    fn new() -> Self {
        Self::with_fee(0)
    }

    /// Key 0 holds 1000 wei from genesis; every transaction pays `fee` to key 9.
    fn with_fee(fee: u128) -> Self {
        let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Bridge)]);
        let genesis = Genesis {
            tx_fee: fee,
            fee_recipient: key(9).address(),
            accounts: funded(1, 1000),
            ..Default::default()
        };
        Self(TestChain::new(rt, &genesis, fee))
    }

    fn block(&mut self, txs: Vec<ExecTx<Call>>) -> Vec<Receipt<Event>> {
        self.0.block(txs).included.into_iter().map(|(_, r)| r).collect()
    }

    fn message(&mut self, kind: L1MessageKind) -> ExecTx<Call> {
        self.0.message(Address::repeat_byte(0xee), kind)
    }

    fn verified(&self, signer: u8, nonce: u64, call: Call) -> VerifiedTransaction<Call> {
        key(signer)
            .sign(Transaction { chain_id: CHAIN, nonce, max_fee: self.max_fee, call })
            .verify()
            .unwrap()
    }

    fn signed(&self, signer: u8, nonce: u64, call: Call) -> ExecTx<Call> {
        ExecTx::Signed(self.verified(signer, nonce, call))
    }

    fn root(&self) -> B256 {
        self.rt.withdrawals_root(&self.state).unwrap()
    }
}

#[test]
fn eth_and_erc20_deposits_mint_and_withdrawals_burn_into_the_tree() {
    let mut c = Chain::new();
    let alice = key(1).address();
    let token = Address::repeat_byte(0x44);
    let d1 = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: 500 });
    let d2 = c.message(L1MessageKind::Erc20Deposit { token, recipient: alice, amount: 70 });
    let r = c.block(vec![d1, d2]);
    assert!(r.iter().all(Receipt::is_success), "{r:?}");
    assert_eq!(balance(&c.state, alice, 0).unwrap(), 500);
    let asset = L2_ASSET.get(&c.state, &token).unwrap().unwrap();
    assert_eq!(balance(&c.state, alice, asset).unwrap(), 70);
    assert_eq!(c.root(), B256::ZERO, "no withdrawals yet");

    let w = |asset, amount| {
        Call::Bridge(crate::BridgeCall::Withdraw(Withdraw {
            asset,
            amount,
            l1_recipient: Address::repeat_byte(0x22),
        }))
    };
    let r = c.block(vec![c.signed(1, 0, w(0, 200)), c.signed(1, 1, w(asset, 30)), c.signed(1, 2, w(99, 1))]);
    assert!(r[0].is_success() && r[1].is_success());
    assert_eq!(r[2].failure_code(), Some(2001), "asset 99 is not bridged");
    assert_eq!(balance(&c.state, alice, 0).unwrap(), 300);
    assert_eq!(balance(&c.state, alice, asset).unwrap(), 40);
    let supply = ASSETS.get(&c.state, &asset).unwrap().unwrap().total_supply;
    assert_eq!(supply, 40, "withdrawals burn");

    let leaves: Vec<B256> = (0..2).map(|i| WITHDRAWALS.get(&c.state, &i).unwrap().unwrap().leaf).collect();
    assert_eq!(c.root(), merkle_root(&leaves));
    let w1 = WITHDRAWALS.get(&c.state, &1).unwrap().unwrap();
    assert_eq!(w1.l1_token, token);
    assert_eq!(w1.leaf, withdrawal_leaf(2, 1, alice, Address::repeat_byte(0x22), token, 30));
    let (siblings, root) = withdrawal_proof(&c.state, 1, 2).unwrap().unwrap();
    assert_eq!(merkle_root_from_proof(w1.leaf, 1, 2, &siblings), Some(root));
    // A proof for the tree as it was at one leaf.
    let (s0, r0) = withdrawal_proof(&c.state, 0, 1).unwrap().unwrap();
    assert!(s0.is_empty());
    assert_eq!(r0, leaves[0]);
    assert!(withdrawal_proof(&c.state, 1, 1).unwrap().is_none());
    // Overdrawing fails and burns nothing.
    let r = c.block(vec![c.signed(1, 3, w(0, 10_000))]);
    assert_eq!(r[0].failure_code(), Some(1001));
    assert_eq!(c.root(), merkle_root(&leaves));
}

#[test]
fn forced_transactions_run_like_any_other_and_bad_ones_are_consumed() {
    let mut c = Chain::new();
    let to = key(2).address();
    let forced = key(0).sign(Transaction {
        chain_id: CHAIN,
        nonce: 0,
        max_fee: 0,
        call: Call::Assets(pillar_assets::AssetsCall::Transfer(pillar_assets::Transfer {
            to,
            asset: 0,
            amount: 5,
        })),
    });
    let m1 = c.message(L1MessageKind::ForcedTx { tx: forced.encode() });
    let m2 = c.message(L1MessageKind::ForcedTx { tx: vec![1, 2, 3] });
    let m3 = c.message(L1MessageKind::ForcedTx { tx: forced.encode() });
    let r = c.block(vec![m1, m2, m3]);
    assert_eq!(r.len(), 3, "every message is consumed");
    assert!(r[0].is_success());
    assert_eq!(r[0].tx_hash, forced.hash(), "a forced transaction keeps its own hash");
    assert_eq!(r[0].sender, key(0).address());
    assert_eq!(r[1].failure_code(), Some(l1_codes::FORCED_TX_UNREADABLE));
    assert_eq!(r[2].failure_code(), Some(l1_codes::FORCED_TX_INVALID), "a replay fails on its nonce");
    assert_eq!(balance(&c.state, to, 0).unwrap(), 5);
}

#[test]
fn deposits_that_overflow_are_refused_deterministically() {
    let mut c = Chain::new();
    let alice = key(1).address();
    // Genesis holds 1000 wei; the second deposit would push the native supply past u128.
    let d1 = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: u128::MAX - 2000 });
    let d2 = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: 5000 });
    let r = c.block(vec![d1, d2]);
    assert!(r[0].is_success());
    assert_eq!(r[1].failure_code(), Some(2003));
    assert_eq!(balance(&c.state, alice, 0).unwrap(), u128::MAX - 2000, "the refused deposit changed nothing");
}
