//! What the server needs from the node besides the chain: somewhere to send transactions. The
//! server reads blocks, and subscribes to them, on the chain itself, so it depends on no block
//! producer; a replica passes a sink that refuses every submission.

use std::time::Duration;

use pillar_sequencer::{Rejection, Sequencer, SequencerMetrics};
use pillar_stf::{B256, SignedTransaction};

/// How blocks are produced, for `pillar_chainInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Production {
    /// Target block interval.
    pub block_time: Duration,
    /// Most transactions in one block.
    pub max_block_txs: usize,
}

/// Takes transactions for inclusion.
pub trait TxSink: Send + Sync + 'static {
    /// Admits one transaction: its hash, or why not.
    fn submit(&self, tx: SignedTransaction) -> Result<B256, Rejection>;
    /// Admits several, in order, each on its own.
    fn submit_batch(&self, txs: Vec<SignedTransaction>) -> Vec<Result<B256, Rejection>>;
    /// Transactions waiting.
    fn pending(&self) -> usize;
    /// Why production stopped, if it did.
    fn halted(&self) -> Option<String>;
    /// How blocks are produced.
    fn production(&self) -> Production;
    /// Producer counters for `/metrics`.
    fn metrics(&self) -> &SequencerMetrics;
}

impl TxSink for Sequencer {
    fn submit(&self, tx: SignedTransaction) -> Result<B256, Rejection> {
        Sequencer::submit(self, tx)
    }
    fn submit_batch(&self, txs: Vec<SignedTransaction>) -> Vec<Result<B256, Rejection>> {
        Sequencer::submit_batch(self, txs)
    }
    fn pending(&self) -> usize {
        self.pool_len()
    }
    fn halted(&self) -> Option<String> {
        Sequencer::halted(self)
    }
    fn production(&self) -> Production {
        let c = self.config();
        Production { block_time: c.block_time, max_block_txs: c.max_block_txs }
    }
    fn metrics(&self) -> &SequencerMetrics {
        Sequencer::metrics(self)
    }
}
