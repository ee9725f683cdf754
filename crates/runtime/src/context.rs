//! What a module sees of the world while it runs.

use std::sync::Arc;

use pillar_primitives::{Address, B256, Event};
use pillar_state::StateWrite;

use crate::{AssetMove, CallError, Module};

/// The block being built: the only source of time for modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockEnv {
    /// Chain id.
    pub chain_id: u64,
    /// Height of the block.
    pub height: u64,
    /// Block timestamp in milliseconds.
    pub timestamp_ms: u64,
}

/// One transaction's context: who sent it, and where its events go.
pub struct TxContext<'a> {
    /// The block.
    pub block: &'a BlockEnv,
    /// Recovered sender.
    pub sender: Address,
    /// Transaction hash.
    pub tx_hash: B256,
    /// The transaction's nonce.
    pub nonce: u64,
    /// The transaction's fee bound.
    pub max_fee: u128,
    /// Fee charged so far by pre-dispatch hooks.
    pub fee_paid: u128,
    /// Fees collected in this block so far (credited by an end-of-block hook).
    pub block_fees: &'a mut u128,
    pub(crate) events: Vec<Event>,
    /// The chain's modules, asked by [`TxContext::guard_move`] (empty outside the runtime).
    pub(crate) modules: &'a [Arc<dyn Module>],
}

impl<'a> TxContext<'a> {
    /// A context for one transaction.
    pub fn new(
        block: &'a BlockEnv,
        block_fees: &'a mut u128,
        sender: Address,
        tx_hash: B256,
        nonce: u64,
        max_fee: u128,
    ) -> Self {
        Self {
            block,
            sender,
            tx_hash,
            nonce,
            max_fee,
            fee_paid: 0,
            block_fees,
            events: Vec::new(),
            modules: &[],
        }
    }

    /// The same context, with the chain's modules as movement guards.
    pub(crate) fn with_modules(mut self, modules: &'a [Arc<dyn Module>]) -> Self {
        self.modules = modules;
        self
    }

    /// Asks every module whether `mv` may happen; the first refusal fails the call. Modules that
    /// move balances call this before touching them (see [`crate::guard`]).
    pub fn guard_move(&mut self, mv: &AssetMove, state: &mut dyn StateWrite) -> Result<(), CallError> {
        let modules = self.modules;
        for m in modules {
            m.guard_move(self, mv, state)?;
        }
        Ok(())
    }

    /// Records an event in the receipt.
    pub fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Events so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }
}

impl std::fmt::Debug for TxContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let guards: Vec<_> = self.modules.iter().map(|m| m.name()).collect();
        f.debug_struct("TxContext")
            .field("block", &self.block)
            .field("sender", &self.sender)
            .field("tx_hash", &self.tx_hash)
            .field("nonce", &self.nonce)
            .field("max_fee", &self.max_fee)
            .field("fee_paid", &self.fee_paid)
            .field("block_fees", &self.block_fees)
            .field("events", &self.events)
            .field("modules", &guards)
            .finish()
    }
}
