//! Pillar's module runtime: the state transition function of a chain.
//!
//! A module declares its calls and events in its own crate; [`compose!`] builds a node's `Call`
//! and `Event` types and its module registry from the list of modules it is built with. A chain
//! is a [`Runtime`] over those types: an ordered list of the registry's modules chosen for its
//! vertical ([`DynModule`]). For each transaction the runtime
//!
//! 1. runs every module's [`Module::pre_dispatch`] (nonce, fee) on a buffer that is kept even
//!    when the call fails; if any of them refuses, the transaction is [`Invalid`] and is left out
//!    of the block with no effect at all;
//! 2. dispatches the call to the module whose group it belongs to
//!    ([`CallSet::module`](pillar_primitives::CallSet::module)) on a second buffer, kept on success
//!    and reverted on failure;
//! 3. writes a [`Receipt`](pillar_primitives::Receipt) either way, with a stable reason code when
//!    the call failed.
//!
//! A module that moves balances asks the others to approve each movement through
//! [`TxContext::guard_move`] ([`guard`]); that is how `compliance` binds `assets` transfers.
//!
//! Modules are deterministic: they see only the block environment ([`BlockEnv`]), the
//! transaction and state through [`pillar_state::StateWrite`]; no clock, randomness or I/O.

#![cfg_attr(not(feature = "std"), no_std)]

#[macro_use]
extern crate alloc;

mod block;
mod compose;
mod context;
mod erased;
mod error;
mod execute;
mod genesis;
pub mod guard;
mod module;
#[cfg(all(feature = "std", any(test, feature = "test-utils")))]
pub mod testkit;
mod view;

pub use block::{BlockError, BlockInput, ExecutedBlock};
pub use compose::{Registration, Shared, construct};
pub use context::{BlockEnv, EventSink, TxContext};
pub use erased::{DynModule, MISROUTED, misrouted};
pub use error::{CallError, GenesisError, Invalid, ModuleError, QueryError, Refusal, Revert};
pub use execute::{BlockOutcome, Runtime, l1_codes};
pub use genesis::{Genesis, GenesisAccount, GenesisAsset, GenesisBalance, GenesisCall};
pub use guard::{AssetMove, MoveKind};
pub use module::{Module, Queries, ValidateError, query_params};
pub use view::TxView;

/// What `compose!` expands to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use alloc::{string::String, vec::Vec};
    pub use borsh;
    pub use pillar_primitives;
    pub use serde;
    pub use serde_json;
}
