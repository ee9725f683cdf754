//! Pillar's authenticated state.
//!
//! - [`StateRead`] / [`StateWrite`]: the only view modules get of state. Keys are 32-byte
//!   [`KeyPath`]s derived from a module prefix ([`key_path`]); values are borsh bytes.
//! - [`StateValue`] and [`StateMap`]: typed accessors under a per-module prefix.
//! - [`BlockOverlay`] and [`TxOverlay`]: write buffers for a block and for one transaction, so a
//!   failed call reverts its own writes and a block commits once.
//! - [`NomtStore`]: the state in NOMT with the sha2 hasher, so every root and proof can be
//!   checked on Ethereum with the SHA-256 precompile.
//! - [`StateProof`] and [`verify_proof`]: Merkle proofs of presence or absence, and a verifier
//!   that depends on nothing but SHA-256.
//!
//! Layout and proof format are specified in `docs/state.md`.

mod accessors;
mod error;
mod key;
mod memory;
mod nomt_store;
mod overlay;
mod proof;

pub use accessors::{StateMap, StateValue};
pub use error::StateError;
pub use key::{KeyPath, key_path};
pub use memory::MemoryState;
pub use nomt_store::{NomtOptions, NomtStore, PendingCommit, Snapshot};
pub use overlay::{BlockChanges, BlockOverlay, TxOverlay};
pub use proof::leaf_hash;
pub use proof::{ProofError, ProofOutcome, ProofTerminal, StateProof, verify_proof};

/// Read access to state.
pub trait StateRead {
    /// The value under `key`, if any.
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError>;
}

/// Write access to state. Writes are buffered until the block commits.
pub trait StateWrite: StateRead {
    /// Sets (`Some`) or deletes (`None`) the value under `key`.
    fn set(&mut self, key: KeyPath, value: Option<Vec<u8>>);
}
