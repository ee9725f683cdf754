//! The durable chain: genesis, block execution and commit, and crash recovery.
//!
//! [`Chain`] owns the state (NOMT) and the [`Ledger`] (blocks, transactions and receipts in redb)
//! and is the only writer of both. The sequencer calls [`Chain::build_block_with`] with
//! transactions it has ordered; derivation imports the blocks it reads from L1 through the same
//! execution, so both reach the same roots. Every durable block is announced to
//! [`Chain::subscribe`]rs.
//!
//! Commit order, and why it survives `kill -9` at any instant:
//!
//! 1. execute on an overlay and compute the new state root (nothing written yet);
//! 2. append the block, its transactions and receipts to the ledger in one durable transaction;
//!    receipts are handed out only after this;
//! 3. commit the state to NOMT.
//!
//! If the process dies between 2 and 3, the ledger is one block ahead of the state. On open,
//! [`Chain::open`] sees that the state root is the parent's and re-executes the head block from
//! the ledger, checking that it reaches the recorded root.

mod chain;
mod error;
mod ledger;
mod notify;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;
mod witness_log;

pub use chain::{BlockInput, BlockTimings, Chain, ChainOptions, Heads, SealedBlock};
pub use error::ChainError;
pub use ledger::{Ledger, LedgerError, TxLocation};
pub use notify::{BlockNotification, Dropped};
pub use witness_log::BlockWitness;
