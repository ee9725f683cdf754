//! Pillar's authenticated state.
//!
//! - [`StateRead`] / [`StateWrite`]: the only view modules get of state. Keys are 32-byte
//!   [`KeyPath`]s derived from a module prefix ([`key_path`]); values are borsh bytes.
//! - [`StateValue`] and [`StateMap`]: typed accessors under a per-module prefix.
//! - [`BlockOverlay`] and [`TxOverlay`]: write buffers for a block and for one transaction, so a
//!   failed call reverts its own writes and a block commits once.
//! - [`MemoryState`]: state in memory, for tests and tooling.
//! - `NomtStore` (feature `nomt`): the state in NOMT with the sha2 hasher, so every root and
//!   proof can be checked on Ethereum with the SHA-256 precompile.
//! - [`StateProof`] and [`verify_proof`]: Merkle proofs of presence or absence, and a verifier
//!   that depends on nothing but SHA-256.
//! - [`WitnessState`]: state read from a witness of trie nodes (the fault-proof program has no
//!   database), and the root after a block recomputed from it; [`WitnessMap`] holds a witness
//!   in memory, and `witness_for_block` (feature `nomt`) records one from NOMT.
//!
//! The crate is `no_std` (with `alloc`). Without its default feature `nomt` it is the core the
//! fault-proof program runs, built for `riscv32im-unknown-none-elf` in CI
//! (`docs/fault-proof-target.md`); `nomt` adds the NOMT store (`NomtStore`, `NomtOptions`,
//! `Snapshot`, `PendingCommit`) and `std`.
//!
//! Layout and proof format are specified in `docs/state.md`.

#![no_std]

extern crate alloc;
#[cfg(any(test, feature = "nomt"))]
extern crate std;

use alloc::vec::Vec;

mod accessors;
mod error;
mod key;
mod memory;
#[cfg(feature = "nomt")]
mod nomt_store;
mod overlay;
mod proof;
mod witness;

pub use accessors::{StateMap, StateValue};
pub use error::{StateError, WitnessItem};
pub use key::{KeyPath, key_path};
pub use memory::MemoryState;
#[cfg(feature = "nomt")]
pub use nomt_store::{NomtOptions, NomtStore, PendingCommit, Snapshot};
pub use overlay::{BlockChanges, BlockOverlay, TxOverlay};
pub use proof::leaf_hash;
pub use proof::{ProofError, ProofOutcome, ProofTerminal, StateProof, verify_proof};
pub use witness::{HashWork, ProofNodes, RootUpdate, WitnessMap, WitnessSource, WitnessState, proof_nodes};
#[cfg(feature = "nomt")]
pub use witness::{StoredWitnessError, witness_for, witness_for_block};

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
