//! Chain errors.

use pillar_primitives::B256;
use pillar_runtime::GenesisError;
use pillar_state::StateError;

use crate::LedgerError;

/// A failure that stops the chain. None of these come from a user's transaction.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// State storage failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// Ledger storage failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Genesis could not be applied.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// Re-executing a stored block gave another root: the database or the binary changed.
    #[error("re-executing block {height} gave state root {got}, the ledger records {expected}")]
    Diverged {
        /// Block height.
        height: u64,
        /// Root in the ledger.
        expected: B256,
        /// Root computed.
        got: B256,
    },
    /// State and ledger disagree by more than one block.
    #[error("state root {state_root} matches neither ledger head {head} nor its parent")]
    Inconsistent {
        /// Current NOMT root.
        state_root: B256,
        /// Ledger head height.
        head: u64,
    },
    /// The data directory holds another chain than the config describes.
    #[error(
        "the data directory holds a chain with genesis fingerprint {stored}, the config describes {configured}; use another data directory"
    )]
    GenesisMismatch {
        /// Fingerprint stored with the data.
        stored: B256,
        /// Fingerprint of the config.
        configured: B256,
    },
    /// A block to import does not extend the head.
    #[error("block {height} does not extend the head {head}")]
    NotChild {
        /// Its height.
        height: u64,
        /// The head's height.
        head: u64,
    },
    /// Re-executing a block to import gives another header.
    #[error(
        "block {height} re-executes to header {got}, not {expected} (state root matches: {state_root_matches})"
    )]
    HeaderMismatch {
        /// Its height.
        height: u64,
        /// Hash of the header given.
        expected: B256,
        /// Hash of the header computed.
        got: B256,
        /// Whether at least the state roots agree.
        state_root_matches: bool,
    },
    /// A block to import cannot be what its header says.
    #[error("block {height} does not re-execute to its header: {what}")]
    ImportMismatch {
        /// Its height.
        height: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// L1 messages offered for a block do not continue the queue.
    #[error("L1 queue message {got} offered where {expected} is next")]
    QueueGap {
        /// Next index.
        expected: u64,
        /// Index offered.
        got: u64,
    },
    /// A stored transaction no longer verifies.
    #[error("stored transaction {index} of block {height} does not verify")]
    StoredTxInvalid {
        /// Block height.
        height: u64,
        /// Index.
        index: usize,
    },
    /// A rollback deeper than the rollback log, or below the finalized head.
    #[error(
        "cannot roll back from {head} to {to}: finalized head {finalized}, rollback window {window} blocks"
    )]
    RollbackRefused {
        /// Target height.
        to: u64,
        /// Head height.
        head: u64,
        /// Finalized height.
        finalized: u64,
        /// Blocks the rollback log keeps.
        window: u32,
    },
}
