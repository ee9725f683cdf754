//! What a module sees of the world while it runs.

use alloc::vec::Vec;

use crate::Shared;
use core::any::Any;

use pillar_primitives::{Address, B256, EventSet};
use pillar_state::StateWrite;

use crate::{AssetMove, CallError, DynModule};

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
    events: &'a mut dyn EventSink,
    /// The chain's modules, asked by [`TxContext::guard_move`] (empty outside the runtime).
    pub(crate) modules: &'a [Shared<dyn DynModule>],
}

/// Where a transaction's events go: a `Vec` of the chain's composed event type (or, in a test
/// that drives one module, of the module's own), which takes each module's events without the
/// module knowing that type.
pub trait EventSink {
    /// Takes the event out of `slot` (an `&mut Option<ModuleEvent>`); `false` if the sink's event
    /// type has no place for it.
    fn push_any(&mut self, slot: &mut dyn Any) -> bool;
    /// Events so far.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Drops the events after the first `len` (a failed call's).
    fn truncate(&mut self, len: usize);
}

impl<E: EventSet> EventSink for Vec<E> {
    fn push_any(&mut self, slot: &mut dyn Any) -> bool {
        match E::take_any(slot) {
            Some(e) => {
                self.push(e);
                true
            }
            None => false,
        }
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len)
    }
}

impl<'a> TxContext<'a> {
    /// A context for one transaction.
    pub fn new(
        block: &'a BlockEnv,
        block_fees: &'a mut u128,
        events: &'a mut dyn EventSink,
        sender: Address,
        tx_hash: B256,
        nonce: u64,
        max_fee: u128,
    ) -> Self {
        Self { block, sender, tx_hash, nonce, max_fee, fee_paid: 0, block_fees, events, modules: &[] }
    }

    /// The same context, with the chain's modules as movement guards.
    pub(crate) fn with_modules(mut self, modules: &'a [Shared<dyn DynModule>]) -> Self {
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

    /// Records one of the module's events in the receipt.
    pub fn emit<E: EventSet>(&mut self, event: E) {
        let mut slot = Some(event);
        let taken = self.events.push_any(&mut slot);
        // The chain's event type is composed from its modules' (`compose!`), so this only fails
        // for a module emitting another module's events in a chain built without that module.
        debug_assert!(taken, "event {slot:?} has no place in this chain's event type");
    }

    /// How many events the transaction has emitted so far.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Drops the events after the first `len` (the runtime does this for a failed call).
    pub(crate) fn truncate_events(&mut self, len: usize) {
        self.events.truncate(len)
    }
}

impl core::fmt::Debug for TxContext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let guards: Vec<_> = self.modules.iter().map(|m| m.name()).collect();
        f.debug_struct("TxContext")
            .field("block", &self.block)
            .field("sender", &self.sender)
            .field("tx_hash", &self.tx_hash)
            .field("nonce", &self.nonce)
            .field("max_fee", &self.max_fee)
            .field("fee_paid", &self.fee_paid)
            .field("block_fees", &self.block_fees)
            .field("events", &self.events.len())
            .field("modules", &guards)
            .finish()
    }
}
