//! One block executed over its parent: what building a block, importing one and the fault-proof
//! program's re-execution have in common.
//!
//! [`Runtime::execute_on`] checks that the L1 messages continue the parent's queue, runs every
//! entry, and computes every header field but the state root, which only the state backend can
//! compute from the block's writes ([`ExecutedBlock::changes`]): NOMT in the node, the witness
//! store in the fault-proof program. [`ExecutedBlock::seal`] puts the root in.

use alloc::vec::Vec;

use pillar_primitives::{
    B256, CallSet, ChainTx, EventSet, ExecTx, Header, L1Message, Receipt, VerifiedTransaction, merkle_root,
    next_queue_hash,
};
use pillar_state::{BlockChanges, BlockOverlay, StateError, StateRead};

use crate::{BlockEnv, Invalid, Runtime};

/// What goes into a new block.
#[derive(Debug, Clone)]
pub struct BlockInput<C> {
    /// Proposed timestamp (raised to the parent's if earlier).
    pub timestamp_ms: u64,
    /// Latest L1 block the sequencer has seen (never lowered).
    pub l1_origin: u64,
    /// L1 queue messages to consume, continuing from the parent's `queue_index`.
    pub l1_messages: Vec<L1Message>,
    /// Signed transactions, in order.
    pub txs: Vec<VerifiedTransaction<C>>,
}

impl<C> Default for BlockInput<C> {
    fn default() -> Self {
        Self { timestamp_ms: 0, l1_origin: 0, l1_messages: Vec::new(), txs: Vec::new() }
    }
}

/// A block executed over its parent, before its state root is known.
#[derive(Debug)]
pub struct ExecutedBlock<C, E> {
    /// The header, with a zero `state_root` for the caller to fill in.
    pub header: Header,
    /// The included entries, in order.
    pub transactions: Vec<ChainTx<C>>,
    /// The receipts' transaction hashes, in order (a forced transaction keeps its own L2 hash).
    pub tx_hashes: Vec<B256>,
    /// Receipts, in order.
    pub receipts: Vec<Receipt<E>>,
    /// Signed transactions left out, with why.
    pub dropped: Vec<(B256, Invalid)>,
    /// The block's writes, for the state backend to compute the root from.
    pub changes: BlockChanges,
}

/// Why a block could not be executed. Neither comes from a user's transaction.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// The L1 messages do not continue the parent's queue.
    #[error("L1 queue message {got} offered where {expected} is next")]
    QueueGap {
        /// Next index.
        expected: u64,
        /// Index offered.
        got: u64,
    },
    /// Reading state failed.
    #[error(transparent)]
    State(#[from] StateError),
}

impl<C: CallSet, E: EventSet> Runtime<C, E> {
    /// Executes `input` as the child of `parent` over `state` (the parent's state).
    pub fn execute_on(
        &self,
        parent: &Header,
        input: BlockInput<C>,
        state: &dyn StateRead,
    ) -> Result<ExecutedBlock<C, E>, BlockError> {
        let BlockInput { timestamp_ms, l1_origin, l1_messages, txs } = input;
        let mut queue_hash = parent.queue_hash;
        for (i, m) in l1_messages.iter().enumerate() {
            let expected = parent.queue_index + i as u64;
            if m.index != expected {
                return Err(BlockError::QueueGap { expected, got: m.index });
            }
            queue_hash = next_queue_hash(queue_hash, m.hash());
        }
        let queue_index = parent.queue_index + l1_messages.len() as u64;
        let mut items: Vec<ExecTx<C>> = l1_messages.into_iter().map(ExecTx::L1).collect();
        items.extend(txs.into_iter().map(ExecTx::Signed));
        let env = BlockEnv {
            chain_id: self.chain_id(),
            height: parent.height + 1,
            // Time never goes backwards, whatever the host clock does.
            timestamp_ms: timestamp_ms.max(parent.timestamp_ms),
        };
        let (outcome, withdrawals_root, changes) = {
            let mut overlay = BlockOverlay::new(state);
            let outcome = self.execute_block(&env, items, &mut overlay)?;
            let withdrawals_root = self.withdrawals_root(&overlay)?;
            (outcome, withdrawals_root, overlay.into_changes())
        };
        let n = outcome.included.len();
        let (mut transactions, mut entry_hashes, mut tx_hashes, mut receipts) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        for (tx, receipt) in outcome.included {
            // A signed entry's hash is its receipt's (computed once, at admission); only L1
            // entries need hashing here.
            entry_hashes.push(match &tx {
                ChainTx::L1(m) => m.hash(),
                ChainTx::Signed(_) => receipt.tx_hash,
            });
            tx_hashes.push(receipt.tx_hash);
            transactions.push(tx);
            receipts.push(receipt);
        }
        let receipt_hashes: Vec<B256> = receipts.iter().map(Receipt::hash).collect();
        let header = Header {
            height: env.height,
            parent_hash: parent.hash(),
            timestamp_ms: env.timestamp_ms,
            l1_origin: l1_origin.max(parent.l1_origin),
            queue_index,
            queue_hash,
            state_root: B256::ZERO,
            tx_root: merkle_root(&entry_hashes),
            receipts_root: merkle_root(&receipt_hashes),
            withdrawals_root,
            tx_count: transactions.len() as u32,
        };
        Ok(ExecutedBlock { header, transactions, tx_hashes, receipts, dropped: outcome.dropped, changes })
    }
}
