//! The chain's state transition function as this node builds it: the modules it can run,
//! composed into one `Call` and one `Event` type (`pillar_runtime::compose!`), the registry of
//! their constructors ([`MODULES`]), and the concrete types every other crate uses
//! ([`Transaction`], [`SignedTransaction`], [`Block`], [`Receipt`], [`Runtime`], …).
//!
//! Modules declare their calls and events in their own crates. Adding a module to the node is one
//! line in the list below (plus a preset and docs); a chain configuration then runs it by naming
//! it in `[chain] modules`. Everything else in `pillar_primitives` is re-exported unchanged.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;

// Everything in primitives, with the generic types below shadowing their generic originals.
pub use pillar_primitives::*;

#[cfg(all(feature = "std", any(test, feature = "test-utils")))]
pub mod testkit;

pillar_runtime::compose! {
    /// A call of any module this node is built with. It encodes exactly as the module's call it
    /// holds: the borsh tag is the call kind's own, global across modules.
    pub enum Call;
    /// An event of any module this node is built with, encoded as the module's event it holds.
    pub enum Event;
    /// The modules this node can run, by name, in tag order: what chain configurations list in
    /// `[chain] modules`.
    pub const MODULES;
    {
        Accounts => pillar_accounts::Accounts,
        Assets => pillar_assets::Assets,
        Bridge => pillar_bridge::Bridge,
        Compliance => pillar_compliance::Compliance,
        Sessions => pillar_sessions::Sessions,
        Agents => pillar_agents::Agents,
        Items => pillar_items::Items,
    }
}

/// What a user signs: [`pillar_primitives::Transaction`] over this node's calls.
pub type Transaction = pillar_primitives::Transaction<Call>;
/// A signed transaction of this node's calls.
pub type SignedTransaction = pillar_primitives::SignedTransaction<Call>;
/// A signed transaction whose signature is checked.
pub type VerifiedTransaction = pillar_primitives::VerifiedTransaction<Call>;
/// A block entry: an L1 message or a signed transaction.
pub type ChainTx = pillar_primitives::ChainTx<Call>;
/// A block entry ready for execution.
pub type ExecTx = pillar_primitives::ExecTx<Call>;
/// A block of this node's transactions.
pub type Block = pillar_primitives::Block<Call>;
/// A receipt with this node's events.
pub type Receipt = pillar_primitives::Receipt<Event>;
/// The runtime over this node's types.
pub type Runtime = pillar_runtime::Runtime<Call, Event>;
/// What a block's transactions came to.
pub type BlockOutcome = pillar_runtime::BlockOutcome<Call, Event>;
/// What goes into a new block.
pub type BlockInput = pillar_runtime::BlockInput<Call>;
/// A block executed over its parent, before its state root.
pub type ExecutedBlock = pillar_runtime::ExecutedBlock<Call, Event>;
pub use pillar_runtime::BlockError;

/// The module named `name`, built, if this node has it.
pub fn module(name: &str) -> Option<pillar_runtime::Shared<dyn pillar_runtime::DynModule>> {
    MODULES.iter().find(|r| r.name == name).map(|r| (r.new)())
}

/// The names of the modules this node can run.
pub fn module_names() -> Vec<&'static str> {
    MODULES.iter().map(|r| r.name).collect()
}
