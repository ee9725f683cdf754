//! The Module trait: one vertical feature (accounts, assets, sessions, …) with its own state,
//! calls and events.

use alloc::string::ToString;

use pillar_primitives::{B256, CallSet, EventSet, L1Message};
use pillar_state::{KeyPath, StateError, StateRead, StateWrite};

use crate::{
    AssetMove, BlockEnv, CallError, Genesis, GenesisError, Invalid, QueryError, Revert, TxContext, TxView,
    misrouted,
};

/// A module's read-only side, implemented in its `query.rs`: JSON answers to `pillar_query` and the
/// key paths `pillar_getProof` proves. By default a module answers nothing.
pub trait Queries {
    /// Answers a read-only query with JSON. Parse parameters with [`query_params`].
    fn query(
        &self,
        _state: &dyn StateRead,
        method: &str,
        _params: &serde_json::Value,
    ) -> Result<serde_json::Value, QueryError> {
        Err(QueryError::NoQuery { method: method.to_string() })
    }

    /// The key path of a named piece of state, for `pillar_getProof`.
    fn state_key(&self, field: &str, _params: &serde_json::Value) -> Result<KeyPath, QueryError> {
        Err(QueryError::NoQuery { method: field.to_string() })
    }
}

/// A runtime module. Implementations hold no mutable state of their own: everything lives in
/// the state passed in, which is what makes execution replayable and provable.
pub trait Module: Queries + Default + Send + Sync + 'static {
    /// Name used in state prefixes, call routing and queries.
    const NAME: &'static str;

    /// The module's calls: its group declared with `pillar_primitives::declare_calls!`, or
    /// [`NoCalls<Self>`](pillar_primitives::NoCalls).
    type Call: CallSet;

    /// The module's events: its enum deriving `pillar_macros::Events`, or
    /// [`NoEvents<Self>`](pillar_primitives::NoEvents). Emit them with [`TxContext::emit`].
    type Event: EventSet;

    /// Writes the module's genesis state (by default none: absent keys read as zero).
    fn genesis(&self, _genesis: &Genesis, _state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        Ok(())
    }

    /// Admission check against committed state, for the mempool: refuse what could not be
    /// included now (stale nonce, a balance that cannot cover the fee and amount).
    fn validate(&self, _tx: &TxView<'_>, _state: &dyn StateRead) -> Result<(), ValidateError> {
        Ok(())
    }

    /// Runs before the call; its writes stay even when the call fails (nonce, fee). Refusing
    /// makes the transaction invalid.
    fn pre_dispatch(
        &self,
        _ctx: &mut TxContext<'_>,
        _tx: &TxView<'_>,
        _state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError> {
        Ok(())
    }

    /// Handles one of the module's calls (the runtime routes each call to its module).
    fn call(
        &self,
        _ctx: &mut TxContext<'_>,
        call: &Self::Call,
        _state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        Err(misrouted(Self::NAME, call.type_name()))
    }

    /// Approves or refuses a movement of units that another module is about to apply (see
    /// [`crate::guard`]); may record what it needs in `state`. The default approves everything.
    fn guard_move(
        &self,
        _ctx: &mut TxContext<'_>,
        _mv: &AssetMove,
        _state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        Ok(())
    }

    /// Whether this module enforces envelopes (session keys and fee sponsors) in its
    /// [`Module::validate`] and [`Module::pre_dispatch`]. A chain with no such module refuses
    /// every transaction that carries one, rather than accepting it unchecked.
    fn enforces_envelopes(&self) -> bool {
        false
    }

    /// Whether this module takes the L1 queue's deposits ([`Module::l1_message`]); the first
    /// such module of the chain gets them all.
    fn takes_l1_messages(&self) -> bool {
        false
    }

    /// Applies a deposit from the L1 queue (the module that [`Module::takes_l1_messages`]).
    /// `ctx.sender` is the L1 sender; no nonce or fee applies.
    fn l1_message(
        &self,
        _ctx: &mut TxContext<'_>,
        _msg: &L1Message,
        _state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        Err(Revert { code: 2, reason: format!("module {} does not handle L1 messages", Self::NAME) }.into())
    }

    /// The root of the module's withdrawals tree, if it keeps one (committed in every header).
    fn withdrawals_root(&self, _state: &dyn StateRead) -> Result<Option<B256>, StateError> {
        Ok(None)
    }

    /// Runs once after the block's transactions (for example, to credit collected fees).
    fn end_block(
        &self,
        _block: &BlockEnv,
        _fees: u128,
        _state: &mut dyn StateWrite,
    ) -> Result<(), StateError> {
        Ok(())
    }
}

/// A query's parameters as `T`, or `BadParams` saying why not.
pub fn query_params<T: serde::de::DeserializeOwned>(
    method: &str,
    params: &serde_json::Value,
) -> Result<T, QueryError> {
    T::deserialize(params)
        .map_err(|e| QueryError::BadParams { method: method.to_string(), reason: e.to_string() })
}

/// A refusal from `validate` or `pre_dispatch`: either the transaction is invalid or storage
/// failed.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The transaction cannot be included.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Storage failed.
    #[error(transparent)]
    State(#[from] StateError),
}
