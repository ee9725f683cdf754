//! A chain (accounts, assets, agents, and optionally a movement guard) on in-memory state for
//! the module's tests.
//!
//! Keys 0 to 7 hold 10,000,000 wei and 10,000,000 units of `USD` (asset 1, issued by key 7).
//! By convention 0 owns the agent, 1 is its payment wallet, 2 is a paying client, 3 another
//! client, 6 a wallet the test guard treats as frozen. Voucher keys are ed25519 from seeds 1,
//! 2, … and P-256 from seed 100.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use crate::{OpenChannel, RegisterAgent, SettleChannel};
use pillar_accounts::Accounts;
use pillar_assets::{Assets, balance};
use pillar_primitives::{Address, NoCalls, NoEvents, Receipt, SessionSigner, Voucher};
use pillar_runtime::testkit::TestChain;
use pillar_runtime::{
    AssetMove, CallError, DynModule, Genesis, GenesisAccount, GenesisAsset, GenesisBalance, Module, Revert,
    Runtime, TxContext,
};
use pillar_state::{StateValue, StateWrite};

use crate::{Agents, CHANNELS, Channel};

pub(crate) const CHAIN: u64 = 51;
pub(crate) const FEE: u128 = 10;
pub(crate) const USD: u32 = 1;
pub(crate) const START: u128 = 10_000_000;
/// The wallet the test guard refuses to move units to or from.
pub(crate) const FROZEN: u8 = 6;
/// Code of the test guard's refusal (as compliance's "recipient wallet is frozen").
pub(crate) const GUARD_REFUSAL: u32 = 3103;

pub(crate) use pillar_runtime::testkit::addr;

pillar_runtime::compose! {
    /// The test chain's calls.
    pub(crate) enum Call;
    /// The test chain's events.
    pub(crate) enum Event;
    /// The test chain's modules.
    pub(crate) const MODULES;
    { Accounts => pillar_accounts::Accounts, Assets => pillar_assets::Assets, Agents => crate::Agents }
}

pub(crate) fn ed(seed: u8) -> SessionSigner {
    SessionSigner::ed25519([seed; 32])
}

pub(crate) fn p256(seed: u8) -> SessionSigner {
    SessionSigner::p256([seed; 32]).unwrap()
}

/// `signer`'s signature of the voucher (`channel`, `cumulative`) on the test chain.
pub(crate) fn sign(channel: u64, cumulative: u128, signer: &SessionSigner) -> Vec<u8> {
    Voucher { chain_id: CHAIN, channel, cumulative }.sign(signer).to_vec()
}

/// A `SettleChannel` with a voucher signed by `signer`.
pub(crate) fn settle(channel: u64, cumulative: u128, signer: &SessionSigner, close: bool) -> Call {
    Call::Agents(crate::AgentsCall::SettleChannel(SettleChannel {
        channel,
        cumulative,
        signature: sign(channel, cumulative, signer),
        close,
    }))
}

/// Moves the test guard approved.
pub(crate) const APPROVED: StateValue<u64> = StateValue::new("guard", "approved");

/// Stands in for `compliance`: refuses any movement to or from [`FROZEN`], counts the others.
/// It has no calls of its own.
#[derive(Default)]
struct Guard;

impl pillar_runtime::Queries for Guard {}

impl Module for Guard {
    const NAME: &'static str = "guard";
    type Call = NoCalls<Self>;
    type Event = NoEvents<Self>;

    fn guard_move(
        &self,
        _: &mut TxContext<'_>,
        mv: &AssetMove,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        let frozen = Some(addr(FROZEN));
        if mv.from == frozen || mv.to == frozen {
            return Err(Revert { code: GUARD_REFUSAL, reason: "wallet is frozen".into() }.into());
        }
        let n = APPROVED.get(state)?.unwrap_or(0);
        APPROVED.set(state, &(n + 1));
        Ok(())
    }
}

pillar_runtime::test_chain! {
    /// The agents chain: the shared test chain plus the module's helpers.
    pub(crate) struct Chain(Call, Event);
}

impl Chain {
    /// Accounts, assets and agents.
    pub(crate) fn new() -> Self {
        Self::build(false)
    }

    /// With the test movement guard after agents.
    pub(crate) fn guarded() -> Self {
        Self::build(true)
    }

    fn build(guard: bool) -> Self {
        let mut modules: Vec<Arc<dyn DynModule>> =
            vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Agents)];
        if guard {
            modules.push(Arc::new(Guard));
        }
        let rt = Runtime::new(CHAIN, modules);
        let genesis = Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            assets: vec![GenesisAsset {
                name: "Dollar".into(),
                symbol: "USD".into(),
                decimals: 6,
                admin: addr(7),
                max_supply: None,
            }],
            accounts: (0..8)
                .map(|i| GenesisAccount {
                    address: addr(i),
                    eth: START,
                    tokens: vec![GenesisBalance { asset: USD, amount: START }],
                })
                .collect(),
            calls: vec![],
        };
        Self(TestChain::new(rt, &genesis, FEE))
    }

    /// Executes a block of `signer`'s calls, in order; returns their receipts.
    pub(crate) fn block(&mut self, calls: Vec<(u8, Call)>) -> Vec<Receipt<Event>> {
        let n = calls.len();
        let txs = calls.into_iter().map(|(signer, call)| self.0.signed(signer, call)).collect();
        let (receipts, dropped) = self.0.exec(txs);
        assert!(dropped.is_empty(), "dropped: {dropped:?}");
        assert_eq!(receipts.len(), n);
        receipts
    }

    /// Runs `call` signed by `signer` in its own block.
    pub(crate) fn run(&mut self, signer: u8, call: Call) -> Receipt<Event> {
        self.block(vec![(signer, call)]).remove(0)
    }

    pub(crate) fn bal(&self, who: Address, asset: u32) -> u128 {
        balance(&self.state, who, asset).unwrap()
    }

    pub(crate) fn query(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.0.query(crate::NAME, method, params)
    }

    pub(crate) fn channel(&self, id: u64) -> Channel {
        CHANNELS.get(&self.state, &id).unwrap().unwrap()
    }

    /// Registers an agent owned by `owner` paying to `wallet` (none: the owner); returns its id.
    pub(crate) fn register(&mut self, owner: u8, wallet: Option<u8>) -> u64 {
        let call = Call::Agents(crate::AgentsCall::RegisterAgent(RegisterAgent {
            card_uri: "https://agent.example/card.json".into(),
            wallet: wallet.map_or(Address::ZERO, addr),
            metadata: vec![],
        }));
        let r = self.ok(owner, call);
        match r.events.iter().find_map(|e| match e {
            Event::Agents(crate::AgentsEvent::AgentRegistered { agent, .. }) => Some(*agent),
            _ => None,
        }) {
            Some(id) => id,
            None => panic!("no AgentRegistered event"),
        }
    }

    /// Opens a channel from `payer` to `agent`; returns its id.
    pub(crate) fn open(
        &mut self,
        payer: u8,
        agent: u64,
        asset: u32,
        amount: u128,
        signer: &SessionSigner,
        timeout_ms: u64,
    ) -> u64 {
        let call = Call::Agents(crate::AgentsCall::OpenChannel(OpenChannel {
            agent,
            asset,
            amount,
            voucher_key: signer.public_key(),
            timeout_ms,
        }));
        let r = self.ok(payer, call);
        match r.events.iter().find_map(|e| match e {
            Event::Agents(crate::AgentsEvent::ChannelFunded { channel, .. }) => Some(*channel),
            _ => None,
        }) {
            Some(id) => id,
            None => panic!("no ChannelFunded event"),
        }
    }
}
