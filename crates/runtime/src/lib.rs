//! Pillar's module runtime: the state transition function of a chain.
//!
//! A chain is a [`Runtime`]: an ordered list of [`Module`]s chosen for its vertical. For each
//! transaction the runtime
//!
//! 1. runs every module's [`Module::pre_dispatch`] (nonce, fee) on a buffer that is kept even
//!    when the call fails; if any of them refuses, the transaction is [`Invalid`] and is left out
//!    of the block with no effect at all;
//! 2. dispatches the call to the module named by [`Call::module`](pillar_primitives::Call::module)
//!    on a second buffer, kept on success and reverted on failure;
//! 3. writes a [`Receipt`](pillar_primitives::Receipt) either way, with a stable reason code when
//!    the call failed.
//!
//! A module that moves balances asks the others to approve each movement through
//! [`TxContext::guard_move`] ([`guard`]); that is how `compliance` binds `assets` transfers.
//!
//! Modules are deterministic: they see only the block environment ([`BlockEnv`]), the
//! transaction and state through [`pillar_state::StateWrite`]; no clock, randomness or I/O.

mod context;
mod error;
mod execute;
mod genesis;
pub mod guard;
mod module;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;

pub use context::{BlockEnv, TxContext};
pub use error::{CallError, GenesisError, Invalid, ModuleError, QueryError, Refusal, Revert, misrouted};
pub use execute::{BlockOutcome, Runtime, l1_codes};
pub use genesis::{Genesis, GenesisAccount, GenesisAsset, GenesisBalance, GenesisCall};
pub use guard::{AssetMove, MoveKind};
pub use module::{Module, Queries, ValidateError, query_params};
