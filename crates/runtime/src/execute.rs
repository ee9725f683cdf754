//! Block execution.

use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

use crate::Shared;
use core::marker::PhantomData;

use pillar_primitives::{
    B256, CallSet, ChainTx, EventSet, ExecTx, L1Message, L1MessageKind, Receipt, SigVerifier,
    SignedTransaction, TxStatus, VerifiedTransaction, keccak256,
};
use pillar_state::{BlockOverlay, StateError, StateRead, StateWrite};

use crate::{
    BlockEnv, CallError, DynModule, Genesis, GenesisCall, GenesisError, Invalid, QueryError, Revert,
    TxContext, TxView, module::ValidateError,
};

/// Reason codes for L1 queue messages that could not be applied (the message is still consumed).
pub mod l1_codes {
    /// No module of this chain handles deposits.
    pub const NO_BRIDGE: u32 = 2;
    /// A forced transaction's payload does not decode or its signature does not verify.
    pub const FORCED_TX_UNREADABLE: u32 = 3;
    /// A forced transaction is invalid now (nonce, fee, chain id, unknown call).
    pub const FORCED_TX_INVALID: u32 = 4;
}

/// A chain's state transition function: its modules, in order, over the call and event types
/// composed from the modules the node is built with (`compose!`).
pub struct Runtime<C, E> {
    chain_id: u64,
    modules: Vec<Shared<dyn DynModule>>,
    /// Checks the signatures of forced transactions from the L1 queue.
    verifier: Shared<dyn SigVerifier + Send + Sync>,
    types: PhantomData<fn() -> (C, E)>,
}

impl<C, E> Clone for Runtime<C, E> {
    fn clone(&self) -> Self {
        Self {
            chain_id: self.chain_id,
            modules: self.modules.clone(),
            verifier: self.verifier.clone(),
            types: PhantomData,
        }
    }
}

/// What a block's transactions came to.
#[derive(Debug)]
pub struct BlockOutcome<C, E> {
    /// Included entries with their receipts, in order.
    pub included: Vec<(ChainTx<C>, Receipt<E>)>,
    /// Transactions left out, with why.
    pub dropped: Vec<(B256, Invalid)>,
    /// Fees collected.
    pub fees: u128,
}

impl<C, E> core::fmt::Debug for Runtime<C, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<_> = self.modules.iter().map(|m| m.name()).collect();
        f.debug_struct("Runtime").field("chain_id", &self.chain_id).field("modules", &names).finish()
    }
}

impl<C: CallSet, E: EventSet> Runtime<C, E> {
    /// A runtime for `chain_id` with `modules` (pre-dispatch hooks run in this order), checking
    /// forced transactions' signatures with the node's native verifier.
    #[cfg(feature = "std")]
    pub fn new(chain_id: u64, modules: Vec<Shared<dyn DynModule>>) -> Self {
        Self::with_verifier(chain_id, modules, Shared::new(pillar_primitives::Native))
    }

    /// A runtime whose forced transactions' signatures `verifier` checks (the fault-proof program
    /// answers them through L1's precompiles).
    pub fn with_verifier(
        chain_id: u64,
        modules: Vec<Shared<dyn DynModule>>,
        verifier: Shared<dyn SigVerifier + Send + Sync>,
    ) -> Self {
        Self { chain_id, modules, verifier, types: PhantomData }
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Names of the modules, in order.
    pub fn module_names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.name()).collect()
    }

    /// The chain's published ABI: its calls, events and EIP-712 types (`pillar_schema`).
    pub fn schema(&self) -> pillar_primitives::schema::ChainSchema {
        pillar_primitives::schema::ChainSchema::new::<C, E>(self.chain_id, self.module_names())
    }

    fn module(&self, name: &str) -> Option<&Shared<dyn DynModule>> {
        self.modules.iter().find(|m| m.name() == name)
    }

    /// Writes genesis state.
    pub fn genesis(&self, genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        for m in &self.modules {
            m.genesis(genesis, state)?;
        }
        let env = BlockEnv { chain_id: self.chain_id, height: 0, timestamp_ms: genesis.timestamp_ms };
        for (i, GenesisCall { sender, call }) in genesis.calls.iter().enumerate() {
            let call: C = serde_json::from_value(call.clone()).map_err(|e| GenesisError::Invalid {
                module: "runtime",
                reason: format!("genesis call {i} is not a call of this chain: {e}"),
            })?;
            let module_name = call.module();
            let invalid = |reason: String| GenesisError::Invalid { module: module_name, reason };
            let Some(module) = self.module(module_name) else {
                return Err(invalid(format!(
                    "genesis call {i} ({}): this chain has no {module_name} module",
                    call.type_name()
                )));
            };
            call.check_shape()
                .map_err(|reason| invalid(format!("genesis call {i} ({}): {reason}", call.type_name())))?;
            let mut fees = 0;
            // A distinct hash per call, for handlers that key anything by it.
            let hash = keccak256(format!("pillar genesis call {i}"));
            let mut events: Vec<E> = Vec::new();
            let mut ctx =
                TxContext::new(&env, &mut fees, &mut events, *sender, hash, 0, 0).with_modules(&self.modules);
            match module.call(&mut ctx, call.group(), state) {
                Ok(()) => {}
                Err(CallError::Revert(r)) => {
                    return Err(invalid(format!(
                        "genesis call {i} ({}) by {sender} failed: {} (code {})",
                        call.type_name(),
                        r.reason,
                        r.code
                    )));
                }
                Err(CallError::State(e)) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Stateless checks plus every module's admission check against `state`.
    pub fn validate(&self, tx: &VerifiedTransaction<C>, state: &dyn StateRead) -> Result<(), ValidateError> {
        self.check_static(&tx.tx)?;
        self.validate_state(tx, state)
    }

    /// Every module's admission check against `state`, for a transaction that passed
    /// [`Runtime::check_static`] (the sequencer runs that before recovering the signature).
    pub fn validate_state(
        &self,
        tx: &VerifiedTransaction<C>,
        state: &dyn StateRead,
    ) -> Result<(), ValidateError> {
        let view = TxView::of(tx);
        for m in &self.modules {
            m.validate(&view, state)?;
        }
        Ok(())
    }

    /// The checks that need neither the sender nor state: chain id, a module for the call, one
    /// for an envelope, and the call's arguments. Cheap enough to run before signature recovery.
    pub fn check_static(&self, tx: &SignedTransaction<C>) -> Result<(), Invalid> {
        let t = &tx.tx;
        if t.chain_id != self.chain_id {
            return Err(Invalid::WrongChain { expected: self.chain_id, got: t.chain_id });
        }
        let module = t.call.module();
        if self.module(module).is_none() {
            return Err(Invalid::UnknownCall { module });
        }
        // A chain with no module that enforces sponsors and sessions must not accept them
        // unchecked.
        if tx.envelope.is_some() && !self.modules.iter().any(|m| m.enforces_envelopes()) {
            return Err(Invalid::NoEnvelopes);
        }
        t.call.check_shape().map_err(|reason| Invalid::Malformed { reason })
    }

    /// Executes `txs` in order on `state`, then the end-of-block hooks. L1 messages are always
    /// included (consumed); signed transactions that are invalid are dropped.
    pub fn execute_block(
        &self,
        env: &BlockEnv,
        txs: Vec<ExecTx<C>>,
        state: &mut BlockOverlay<'_>,
    ) -> Result<BlockOutcome<C, E>, StateError> {
        let mut out = BlockOutcome { included: Vec::with_capacity(txs.len()), dropped: Vec::new(), fees: 0 };
        for tx in txs {
            let index = out.included.len() as u32;
            match tx {
                ExecTx::Signed(tx) => match self.execute_tx(env, &tx, index, &mut out.fees, state)? {
                    Ok(receipt) => out.included.push((ChainTx::Signed(tx.tx), receipt)),
                    Err(invalid) => out.dropped.push((tx.hash, invalid)),
                },
                ExecTx::L1(msg) => {
                    let receipt = self.execute_l1(env, &msg, index, &mut out.fees, state)?;
                    out.included.push((ChainTx::L1(msg), receipt));
                }
            }
        }
        for m in &self.modules {
            m.end_block(env, out.fees, state)?;
        }
        Ok(out)
    }

    /// Executes one transaction: `Ok(Err(_))` when it is invalid and has had no effect.
    pub fn execute_tx(
        &self,
        env: &BlockEnv,
        tx: &VerifiedTransaction<C>,
        index: u32,
        block_fees: &mut u128,
        state: &mut BlockOverlay<'_>,
    ) -> Result<Result<Receipt<E>, Invalid>, StateError> {
        if let Err(invalid) = self.check_static(&tx.tx) {
            return Ok(Err(invalid));
        }
        let t = &tx.tx.tx;
        let mut fees = *block_fees;
        let mut events: Vec<E> = Vec::new();
        let mut ctx = TxContext::new(env, &mut fees, &mut events, tx.sender, tx.hash, t.nonce, t.max_fee)
            .with_modules(&self.modules);
        let view = TxView::of(tx);

        // Nonce and fee: kept even if the call fails.
        let mut pre = state.begin_tx();
        for m in &self.modules {
            match m.pre_dispatch(&mut ctx, &view, &mut pre) {
                Ok(()) => {}
                Err(ValidateError::Invalid(invalid)) => return Ok(Err(invalid)),
                Err(ValidateError::State(e)) => return Err(e),
            }
        }
        pre.commit();
        let pre_events = ctx.event_count();

        let module = self.module(t.call.module()).expect("checked by check_static");
        let mut call_state = state.begin_tx();
        let status = match module.call(&mut ctx, t.call.group(), &mut call_state) {
            Ok(()) => {
                call_state.commit();
                TxStatus::Success
            }
            Err(CallError::Revert(r)) => {
                call_state.revert();
                ctx.truncate_events(pre_events);
                TxStatus::Failed { code: r.code, reason: r.reason }
            }
            Err(CallError::State(e)) => return Err(e),
        };
        let fee_paid = ctx.fee_paid;
        let receipt = Receipt {
            tx_hash: tx.hash,
            block_height: env.height,
            index,
            sender: tx.sender,
            nonce: t.nonce,
            fee_paid,
            status,
            events,
        };
        *block_fees = fees;
        Ok(Ok(receipt))
    }

    /// Applies one L1 queue message. Never refused: a message that cannot take effect is still
    /// consumed, with a failed receipt saying why.
    pub fn execute_l1(
        &self,
        env: &BlockEnv,
        msg: &L1Message,
        index: u32,
        block_fees: &mut u128,
        state: &mut BlockOverlay<'_>,
    ) -> Result<Receipt<E>, StateError> {
        let failed = |code, reason: String| Receipt {
            tx_hash: msg.hash(),
            block_height: env.height,
            index,
            sender: msg.sender,
            nonce: 0,
            fee_paid: 0,
            status: TxStatus::Failed { code, reason },
            events: vec![],
        };
        if let L1MessageKind::ForcedTx { tx } = &msg.kind {
            // Executed exactly as if its signer had sent it to the sequencer: same checks, same
            // fee, same module rules.
            let verified = match SignedTransaction::<C>::decode(tx) {
                Ok(stx) => match stx.verify_with(&*self.verifier) {
                    Ok(v) => v,
                    Err(e) => {
                        return Ok(failed(
                            l1_codes::FORCED_TX_UNREADABLE,
                            format!("forced transaction: {e}"),
                        ));
                    }
                },
                Err(e) => {
                    return Ok(failed(l1_codes::FORCED_TX_UNREADABLE, format!("forced transaction: {e}")));
                }
            };
            return Ok(match self.execute_tx(env, &verified, index, block_fees, state)? {
                Ok(receipt) => receipt,
                Err(invalid) => failed(l1_codes::FORCED_TX_INVALID, format!("forced transaction: {invalid}")),
            });
        }
        let Some(bridge) = self.modules.iter().find(|m| m.takes_l1_messages()) else {
            return Ok(failed(l1_codes::NO_BRIDGE, "this chain has no bridge module".into()));
        };
        let mut fees = 0;
        let mut events: Vec<E> = Vec::new();
        let mut ctx = TxContext::new(env, &mut fees, &mut events, msg.sender, msg.hash(), 0, 0)
            .with_modules(&self.modules);
        let mut tx_state = state.begin_tx();
        let status = match bridge.l1_message(&mut ctx, msg, &mut tx_state) {
            Ok(()) => {
                tx_state.commit();
                TxStatus::Success
            }
            Err(CallError::Revert(Revert { code, reason })) => {
                tx_state.revert();
                ctx.truncate_events(0);
                TxStatus::Failed { code, reason }
            }
            Err(CallError::State(e)) => return Err(e),
        };
        Ok(Receipt {
            tx_hash: msg.hash(),
            block_height: env.height,
            index,
            sender: msg.sender,
            nonce: 0,
            fee_paid: 0,
            status,
            events,
        })
    }

    /// The withdrawals root to commit in the header (zero when no module keeps withdrawals).
    pub fn withdrawals_root(&self, state: &dyn StateRead) -> Result<B256, StateError> {
        for m in &self.modules {
            if let Some(root) = m.withdrawals_root(state)? {
                return Ok(root);
            }
        }
        Ok(B256::ZERO)
    }

    /// Routes a query to a module.
    pub fn query(
        &self,
        state: &dyn StateRead,
        module: &str,
        method: &str,
        params: &serde_json::Value,
    ) -> Result<serde_json::Value, QueryError> {
        let m =
            self.module(module).ok_or_else(|| QueryError::UnknownModule { module: module.to_string() })?;
        m.query(state, method, params).map_err(|e| named(m.name(), e))
    }

    /// The key path of a named piece of a module's state.
    pub fn state_key(
        &self,
        module: &str,
        field: &str,
        params: &serde_json::Value,
    ) -> Result<pillar_state::KeyPath, QueryError> {
        let m =
            self.module(module).ok_or_else(|| QueryError::UnknownModule { module: module.to_string() })?;
        m.state_key(field, params).map_err(|e| named(m.name(), e))
    }
}

/// A module's "no such query" with the module's name.
fn named(module: &'static str, e: QueryError) -> QueryError {
    match e {
        QueryError::NoQuery { method } => QueryError::UnknownMethod { module, method },
        other => other,
    }
}
