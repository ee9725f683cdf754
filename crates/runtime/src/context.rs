//! What a module sees of the world while it runs.

use pillar_primitives::{Address, B256, Event};

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
#[derive(Debug)]
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
        Self { block, sender, tx_hash, nonce, max_fee, fee_paid: 0, block_fees, events: Vec::new() }
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
