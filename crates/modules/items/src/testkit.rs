//! A chain (accounts, assets, sessions, items) on in-memory state for the module's tests, and a
//! harness that drives the module directly on a state that counts writes.
//!
//! Keys 0 to 7 hold 1,000,000 wei each; 7 is the game (issuer of collection 1 in most tests).

#![allow(clippy::unwrap_used)]

use std::{collections::HashMap, sync::Arc};

use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_primitives::{
    Address, BurnItems, Call, CollectionId, CreateCollection, DefineItems, Event, ExecTx, ItemAmount,
    ItemClass, MintItems, PrivateKey, Receipt, SessionSigner, SetItemMinter, SignedTransaction, Transaction,
    TransferItems, TxStatus,
};
use pillar_runtime::{BlockEnv, Genesis, GenesisAccount, Invalid, Module, Refusal, Runtime, TxContext};
use pillar_sessions::Sessions;
use pillar_state::{BlockOverlay, KeyPath, MemoryState, StateError, StateRead, StateWrite};

use crate::{Items, holding};

pub(crate) const CHAIN: u64 = 43;
pub(crate) const FEE: u128 = 10;
pub(crate) const GAME: u8 = 7;

pub(crate) fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 1; 32]).unwrap()
}

pub(crate) fn addr(i: u8) -> Address {
    key(i).address()
}

pub(crate) fn amounts(items: &[(u64, u128)]) -> Vec<ItemAmount> {
    items.iter().map(|&(item, amount)| ItemAmount { item, amount }).collect()
}

pub(crate) fn create(name: &str) -> Call {
    Call::CreateCollection(CreateCollection {
        name: name.into(),
        uri: format!("https://game.example/{name}/"),
    })
}

pub(crate) fn set_minter(collection: CollectionId, minter: Address, enabled: bool) -> Call {
    Call::SetItemMinter(SetItemMinter { collection, minter, enabled })
}

/// Classes as (item, max supply, transferable).
pub(crate) fn define(collection: CollectionId, classes: &[(u64, u128, bool)]) -> Call {
    Call::DefineItems(DefineItems {
        collection,
        classes: classes
            .iter()
            .map(|&(item, max_supply, transferable)| ItemClass { item, max_supply, transferable })
            .collect(),
    })
}

pub(crate) fn mint(collection: CollectionId, to: Address, items: &[(u64, u128)]) -> Call {
    Call::MintItems(MintItems { collection, to, items: amounts(items) })
}

pub(crate) fn transfer(collection: CollectionId, to: Address, items: &[(u64, u128)]) -> Call {
    Call::TransferItems(TransferItems { collection, to, items: amounts(items) })
}

pub(crate) fn burn(collection: CollectionId, items: &[(u64, u128)]) -> Call {
    Call::BurnItems(BurnItems { collection, items: amounts(items) })
}

pub(crate) struct Chain {
    pub(crate) rt: Runtime,
    pub(crate) state: MemoryState,
    pub(crate) height: u64,
    pub(crate) now: u64,
    nonces: HashMap<Address, u64>,
}

impl Chain {
    pub(crate) fn new() -> Self {
        let rt = Runtime::new(
            CHAIN,
            vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions), Arc::new(Items)],
        );
        let genesis = Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            assets: vec![],
            accounts: (0..8)
                .map(|i| GenesisAccount { address: addr(i), eth: 1_000_000, tokens: vec![] })
                .collect(),
            ..Default::default()
        };
        let mut state = MemoryState::default();
        rt.genesis(&genesis, &mut state).unwrap();
        Self { rt, state, height: 0, now: 1_000, nonces: HashMap::new() }
    }

    /// A chain where the game (key 7) created collection 1 and defined `classes` in it.
    pub(crate) fn with_collection(classes: &[(u64, u128, bool)]) -> Self {
        let mut c = Self::new();
        c.ok(GAME, create("heroes"));
        c.ok(GAME, define(1, classes));
        c
    }

    /// Executes a block; returns receipts and the dropped transactions' reasons.
    pub(crate) fn exec(&mut self, txs: Vec<SignedTransaction>) -> (Vec<Receipt>, Vec<Invalid>) {
        self.height += 1;
        let env = BlockEnv { chain_id: CHAIN, height: self.height, timestamp_ms: self.now };
        let txs = txs.into_iter().map(|t| ExecTx::Signed(t.verify().unwrap())).collect();
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, txs, &mut block).unwrap();
            (out, block.into_changes())
        };
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        (
            out.included.into_iter().map(|(_, r)| r).collect(),
            out.dropped.into_iter().map(|(_, i)| i).collect(),
        )
    }

    fn next_nonce(&mut self, who: Address) -> u64 {
        let n = self.nonces.entry(who).or_default();
        *n += 1;
        *n - 1
    }

    pub(crate) fn tx(&mut self, who: Address, call: Call) -> Transaction {
        Transaction { chain_id: CHAIN, nonce: self.next_nonce(who), max_fee: FEE, call }
    }

    /// A wallet-signed call's receipt.
    pub(crate) fn send(&mut self, signer: u8, call: Call) -> Receipt {
        let tx = self.tx(addr(signer), call.clone());
        let (mut r, dropped) = self.exec(vec![key(signer).sign(tx)]);
        assert!(dropped.is_empty(), "{call:?} dropped: {dropped:?}");
        r.remove(0)
    }

    /// A wallet-signed call, asserted to succeed.
    pub(crate) fn ok(&mut self, signer: u8, call: Call) -> Receipt {
        let r = self.send(signer, call.clone());
        assert!(r.is_success(), "{call:?} failed: {:?}", r.status);
        r
    }

    /// A wallet-signed call's failure code.
    pub(crate) fn fails(&mut self, signer: u8, call: Call) -> u32 {
        match self.send(signer, call.clone()).status {
            TxStatus::Failed { code, .. } => code,
            TxStatus::Success => panic!("{call:?} succeeded"),
        }
    }

    /// Sends `call` signed by `session` for account `who`, optionally sponsored: the receipt, or
    /// the refusal code when it was dropped as invalid.
    pub(crate) fn session(
        &mut self,
        session: &SessionSigner,
        who: u8,
        sponsor: Option<u8>,
        call: Call,
    ) -> Result<Receipt, u32> {
        let tx = self.tx(addr(who), call);
        let stx = session.sign(tx, addr(who), sponsor.map(addr));
        let (mut r, dropped) = self.exec(vec![stx]);
        match dropped.first() {
            Some(Invalid::Refused(Refusal { module: "sessions", code, .. })) => {
                if let Some(n) = self.nonces.get_mut(&addr(who)) {
                    *n -= 1;
                }
                Err(*code)
            }
            Some(other) => panic!("dropped for another reason: {other}"),
            None => Ok(r.remove(0)),
        }
    }

    /// Units of `item` of `collection` that key `who` holds.
    pub(crate) fn held(&self, collection: CollectionId, item: u64, who: u8) -> u128 {
        holding(&self.state, collection, item, addr(who)).unwrap()
    }

    pub(crate) fn query(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.rt.query(&self.state, crate::NAME, method, &params).unwrap()
    }
}

/// The `ItemsMoved` events of a receipt as (item, from, to, amount).
pub(crate) fn moves(r: &Receipt) -> Vec<(u64, Address, Address, u128)> {
    r.events
        .iter()
        .filter_map(|e| match e {
            Event::ItemsMoved { item, from, to, amount, .. } => Some((*item, *from, *to, *amount)),
            _ => None,
        })
        .collect()
}

/// In-memory state that counts writes, to show a failed call wrote nothing.
#[derive(Debug, Default)]
pub(crate) struct Counted {
    pub(crate) inner: MemoryState,
    pub(crate) writes: usize,
}

impl StateRead for Counted {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        self.inner.get(key)
    }
}

impl StateWrite for Counted {
    fn set(&mut self, key: KeyPath, value: Option<Vec<u8>>) {
        self.writes += 1;
        self.inner.set(key, value);
    }
}

/// Runs `call` from `sender` straight through the module (no runtime, no fee, no revert):
/// the events on success, else the code, with the number of writes the call made.
pub(crate) fn direct(state: &mut Counted, sender: Address, call: &Call) -> (Result<Vec<Event>, u32>, usize) {
    let env = BlockEnv { chain_id: CHAIN, height: 1, timestamp_ms: 0 };
    let mut fees = 0;
    let mut ctx = TxContext::new(&env, &mut fees, sender, Default::default(), 0, 0);
    let before = state.writes;
    let out = match Items.call(&mut ctx, call, state) {
        Ok(()) => Ok(ctx.events().to_vec()),
        Err(pillar_runtime::CallError::Revert(r)) => Err(r.code),
        Err(pillar_runtime::CallError::State(e)) => panic!("state error: {e}"),
    };
    (out, state.writes - before)
}
