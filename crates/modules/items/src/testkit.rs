//! A chain (accounts, assets, sessions, items) on in-memory state for the module's tests, and a
//! harness that drives the module directly on a state that counts writes.
//!
//! Keys 0 to 7 hold 1,000,000 wei each; 7 is the game (issuer of collection 1 in most tests).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use crate::{
    BurnItems, CollectionId, CreateCollection, DefineItems, ItemAmount, ItemClass, MintItems, SetItemMinter,
    TransferItems,
};
use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_primitives::{Address, CallSet, Receipt, SessionSigner};
use pillar_runtime::testkit::{TestChain, funded};
use pillar_runtime::{BlockEnv, DynModule, Genesis, Invalid, Refusal, Runtime, TxContext};
use pillar_sessions::Sessions;

use crate::{Items, holding};

pub(crate) const CHAIN: u64 = 43;
pub(crate) const FEE: u128 = 10;
pub(crate) const GAME: u8 = 7;

pub(crate) use pillar_runtime::testkit::addr;

pillar_runtime::compose! {
    /// The test chain's calls.
    pub(crate) enum Call;
    /// The test chain's events.
    pub(crate) enum Event;
    /// The test chain's modules.
    pub(crate) const MODULES;
    {
        Accounts => pillar_accounts::Accounts,
        Assets => pillar_assets::Assets,
        Sessions => pillar_sessions::Sessions,
        Items => crate::Items,
    }
}

pub(crate) fn amounts(items: &[(u64, u128)]) -> Vec<ItemAmount> {
    items.iter().map(|&(item, amount)| ItemAmount { item, amount }).collect()
}

pub(crate) fn create(name: &str) -> Call {
    Call::Items(crate::ItemsCall::CreateCollection(CreateCollection {
        name: name.into(),
        uri: format!("https://game.example/{name}/"),
    }))
}

pub(crate) fn set_minter(collection: CollectionId, minter: Address, enabled: bool) -> Call {
    Call::Items(crate::ItemsCall::SetItemMinter(SetItemMinter { collection, minter, enabled }))
}

/// Classes as (item, max supply, transferable).
pub(crate) fn define(collection: CollectionId, classes: &[(u64, u128, bool)]) -> Call {
    Call::Items(crate::ItemsCall::DefineItems(DefineItems {
        collection,
        classes: classes
            .iter()
            .map(|&(item, max_supply, transferable)| ItemClass { item, max_supply, transferable })
            .collect(),
    }))
}

pub(crate) fn mint(collection: CollectionId, to: Address, items: &[(u64, u128)]) -> Call {
    Call::Items(crate::ItemsCall::MintItems(MintItems { collection, to, items: amounts(items) }))
}

pub(crate) fn transfer(collection: CollectionId, to: Address, items: &[(u64, u128)]) -> Call {
    Call::Items(crate::ItemsCall::TransferItems(TransferItems { collection, to, items: amounts(items) }))
}

pub(crate) fn burn(collection: CollectionId, items: &[(u64, u128)]) -> Call {
    Call::Items(crate::ItemsCall::BurnItems(BurnItems { collection, items: amounts(items) }))
}

pillar_runtime::test_chain! {
    /// The items chain: the shared test chain plus the module's helpers.
    pub(crate) struct Chain(Call, Event);
}

impl Chain {
    pub(crate) fn new() -> Self {
        let rt = Runtime::new(
            CHAIN,
            vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions), Arc::new(Items)],
        );
        let genesis = Genesis {
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            accounts: funded(8, 1_000_000),
            ..Default::default()
        };
        Self(TestChain::new(rt, &genesis, FEE))
    }

    /// A chain where the game (key 7) created collection 1 and defined `classes` in it.
    pub(crate) fn with_collection(classes: &[(u64, u128, bool)]) -> Self {
        let mut c = Self::new();
        c.ok(GAME, create("heroes"));
        c.ok(GAME, define(1, classes));
        c
    }

    /// A wallet-signed call's receipt.
    pub(crate) fn send(&mut self, signer: u8, call: Call) -> Receipt<Event> {
        self.run(signer, call.clone()).unwrap_or_else(|e| panic!("{call:?} dropped: {e}"))
    }

    /// Sends `call` signed by `session` for account `who`, optionally sponsored: the receipt, or
    /// the refusal code when it was dropped as invalid.
    pub(crate) fn session(
        &mut self,
        session: &SessionSigner,
        who: u8,
        sponsor: Option<u8>,
        call: Call,
    ) -> Result<Receipt<Event>, u32> {
        match self.0.session(session, who, sponsor, call) {
            Ok(r) => Ok(r),
            Err(Invalid::Refused(Refusal { module: "sessions", code, .. })) => Err(code),
            Err(other) => panic!("dropped for another reason: {other}"),
        }
    }

    /// Units of `item` of `collection` that key `who` holds.
    pub(crate) fn held(&self, collection: CollectionId, item: u64, who: u8) -> u128 {
        holding(&self.state, collection, item, addr(who)).unwrap()
    }

    pub(crate) fn query(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.0.query(crate::NAME, method, params)
    }
}

/// The `ItemsMoved` events of a receipt as (item, from, to, amount).
pub(crate) fn moves(r: &Receipt<Event>) -> Vec<(u64, Address, Address, u128)> {
    r.events
        .iter()
        .filter_map(|e| match e {
            Event::Items(crate::ItemsEvent::ItemsMoved { item, from, to, amount, .. }) => {
                Some((*item, *from, *to, *amount))
            }
            _ => None,
        })
        .collect()
}

pub(crate) use pillar_runtime::testkit::CountingState as Counted;

/// Runs `call` from `sender` straight through the module (no runtime, no fee, no revert):
/// the events on success, else the code, with the number of writes the call made. The call is
/// handed over as the runtime does (the module's group of it), so a call of another module
/// fails as misrouted.
pub(crate) fn direct(state: &mut Counted, sender: Address, call: &Call) -> (Result<Vec<Event>, u32>, usize) {
    let env = BlockEnv { chain_id: CHAIN, height: 1, timestamp_ms: 0 };
    let mut fees = 0;
    let mut events: Vec<Event> = Vec::new();
    let mut ctx = TxContext::new(&env, &mut fees, &mut events, sender, Default::default(), 0, 0);
    let before = state.writes;
    let out = DynModule::call(&Items, &mut ctx, call.group(), state);
    let out = match out {
        Ok(()) => Ok(events),
        Err(pillar_runtime::CallError::Revert(r)) => Err(r.code),
        Err(pillar_runtime::CallError::State(e)) => panic!("state error: {e}"),
    };
    (out, state.writes - before)
}
