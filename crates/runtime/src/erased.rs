//! [`DynModule`]: a [`Module`] with its call and event types erased, which is what a runtime
//! holds (modules of one chain have different `Call` and `Event` types).

use core::any::Any;

use pillar_primitives::{B256, L1Message};
use pillar_state::{KeyPath, StateError, StateRead, StateWrite};

use crate::{
    AssetMove, BlockEnv, CallError, Genesis, GenesisError, Module, Queries, QueryError, Revert, TxContext,
    TxView, ValidateError,
};

/// The failure of a call that reached a module which has no such call kind. The runtime routes
/// each call to the module its group belongs to, so this is a bug in a chain's composition,
/// reported as a failed call rather than a panic.
pub fn misrouted(module: &'static str, type_name: &'static str) -> CallError {
    Revert { code: MISROUTED, reason: format!("{module} does not handle {type_name}") }.into()
}

/// The reason code of [`misrouted`].
pub const MISROUTED: u32 = 1;

/// A [`Module`] with its call and event types erased: what a [`crate::Runtime`] holds, one per
/// module of the chain. Implemented for every module.
pub trait DynModule: Send + Sync {
    /// [`Module::NAME`].
    fn name(&self) -> &'static str;
    /// [`Module::genesis`].
    fn genesis(&self, genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError>;
    /// [`Module::validate`].
    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError>;
    /// [`Module::pre_dispatch`].
    fn pre_dispatch(
        &self,
        ctx: &mut TxContext<'_>,
        tx: &TxView<'_>,
        state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError>;
    /// [`Module::call`] with the module's group of the call ([`CallSet::group`]).
    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        group: &dyn Any,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError>;
    /// [`Module::guard_move`].
    fn guard_move(
        &self,
        ctx: &mut TxContext<'_>,
        mv: &AssetMove,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError>;
    /// [`Module::enforces_envelopes`].
    fn enforces_envelopes(&self) -> bool;
    /// [`Module::takes_l1_messages`].
    fn takes_l1_messages(&self) -> bool;
    /// [`Module::l1_message`].
    fn l1_message(
        &self,
        ctx: &mut TxContext<'_>,
        msg: &L1Message,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError>;
    /// [`Module::withdrawals_root`].
    fn withdrawals_root(&self, state: &dyn StateRead) -> Result<Option<B256>, StateError>;
    /// [`Module::end_block`].
    fn end_block(&self, block: &BlockEnv, fees: u128, state: &mut dyn StateWrite) -> Result<(), StateError>;
    /// [`Queries::query`].
    fn query(
        &self,
        state: &dyn StateRead,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<serde_json::Value, QueryError>;
    /// [`Queries::state_key`].
    fn state_key(&self, field: &str, params: &serde_json::Value) -> Result<KeyPath, QueryError>;
}

impl<M: Module> DynModule for M {
    fn name(&self) -> &'static str {
        M::NAME
    }
    fn genesis(&self, genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        Module::genesis(self, genesis, state)
    }
    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        Module::validate(self, tx, state)
    }
    fn pre_dispatch(
        &self,
        ctx: &mut TxContext<'_>,
        tx: &TxView<'_>,
        state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError> {
        Module::pre_dispatch(self, ctx, tx, state)
    }
    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        group: &dyn Any,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match group.downcast_ref::<M::Call>() {
            Some(call) => Module::call(self, ctx, call, state),
            None => Err(misrouted(M::NAME, "a call of another module")),
        }
    }
    fn guard_move(
        &self,
        ctx: &mut TxContext<'_>,
        mv: &AssetMove,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        Module::guard_move(self, ctx, mv, state)
    }
    fn enforces_envelopes(&self) -> bool {
        Module::enforces_envelopes(self)
    }
    fn takes_l1_messages(&self) -> bool {
        Module::takes_l1_messages(self)
    }
    fn l1_message(
        &self,
        ctx: &mut TxContext<'_>,
        msg: &L1Message,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        Module::l1_message(self, ctx, msg, state)
    }
    fn withdrawals_root(&self, state: &dyn StateRead) -> Result<Option<B256>, StateError> {
        Module::withdrawals_root(self, state)
    }
    fn end_block(&self, block: &BlockEnv, fees: u128, state: &mut dyn StateWrite) -> Result<(), StateError> {
        Module::end_block(self, block, fees, state)
    }
    fn query(
        &self,
        state: &dyn StateRead,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<serde_json::Value, QueryError> {
        Queries::query(self, state, method, params)
    }
    fn state_key(&self, field: &str, params: &serde_json::Value) -> Result<KeyPath, QueryError> {
        Queries::state_key(self, field, params)
    }
}
