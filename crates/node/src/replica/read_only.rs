//! What a replica puts where a sequencer takes transactions: a sink that refuses every
//! submission, and counts the blocks the replica imports for `/metrics`. The replica announces
//! its imports on the chain itself; it runs no `Sequencer`.

use std::sync::Arc;

use pillar_chain::{BlockNotification, BlockTimings, Chain};
use pillar_rpc::{Production, TxSink};
use pillar_sequencer::{Rejection, Sequencer, SequencerMetrics};
use pillar_stf::{B256, Header, Receipt, SignedTransaction};

/// Where derivation and the feed report the blocks they made durable.
pub(crate) trait Imports: Send + Sync + 'static {
    /// `header`'s block is durable: count it and announce it.
    fn imported(&self, header: &Header, receipts: Vec<Receipt>);
}

/// The sequencer's own derivation counts and announces through the sequencer.
impl Imports for Sequencer {
    fn imported(&self, header: &Header, receipts: Vec<Receipt>) {
        self.announce(header, receipts);
    }
}

/// A replica's transaction sink: every submission is refused with [`Rejection::ReadOnly`].
pub(crate) struct ReadOnly {
    chain: Arc<Chain>,
    production: Production,
    metrics: SequencerMetrics,
}

impl ReadOnly {
    pub(crate) fn new(chain: Arc<Chain>, production: Production) -> Self {
        Self { chain, production, metrics: SequencerMetrics::default() }
    }
}

impl Imports for ReadOnly {
    fn imported(&self, header: &Header, receipts: Vec<Receipt>) {
        self.metrics.on_block(receipts.len() as u64, &BlockTimings::default());
        self.chain.announce(BlockNotification::imported(header, receipts));
    }
}

impl TxSink for ReadOnly {
    fn submit(&self, _: SignedTransaction) -> Result<B256, Rejection> {
        Err(Rejection::ReadOnly)
    }
    fn submit_batch(&self, txs: Vec<SignedTransaction>) -> Vec<Result<B256, Rejection>> {
        txs.iter().map(|_| Err(Rejection::ReadOnly)).collect()
    }
    fn pending(&self) -> usize {
        0
    }
    fn halted(&self) -> Option<String> {
        None
    }
    fn production(&self) -> Production {
        self.production
    }
    fn metrics(&self) -> &SequencerMetrics {
        &self.metrics
    }
}
