//! The `sessions` module: session keys and sponsored fees, for games and agents.
//!
//! - An account authorizes a session key (ed25519 or P-256) with `AuthorizeSession`: allowed call
//!   kinds, spending caps per asset (over the session's life and per rolling window), a rate
//!   limit and an expiry. The key then signs transactions for the account (an
//!   [`Envelope::Session`](pillar_primitives::Envelope) that the runtime verified), with no
//!   wallet prompt. `RevokeSession` ends it at once.
//! - A sponsor sets a policy with `SetSponsorPolicy` (budget, call kinds, transactions per user
//!   per window); a transaction whose envelope names it has its fee paid by the sponsor (the
//!   `assets` module debits the payer).
//!
//! Both are enforced in [`Module::pre_dispatch`] with the rules of [`rules`], which
//! [`Module::validate`] also applies at mempool admission: a refusal makes the transaction
//! invalid (left out of the block), with a stable code 4001–4099 ([`SessionsError::code`]).
//! Deterministic: time is the block's timestamp. Specified in docs/games.md.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod call;
mod calls;
mod error;
mod events;
mod query;
pub mod rules;
mod state;

use pillar_runtime::TxView;
use pillar_runtime::{BlockEnv, CallError, Module, TxContext, ValidateError};
use pillar_state::{StateError, StateRead, StateWrite};

pub use calls::*;
pub use error::SessionsError;
pub use events::SessionsEvent;
pub use state::{
    ACCOUNT_SESSIONS, CapUsage, LAST_BLOCK_MS, MAX_SESSIONS_PER_ACCOUNT, SESSIONS, SPONSORED, SPONSORS,
    Session, SponsorPolicy, UserWindow,
};

/// Module name and state prefix.
pub const NAME: &str = "sessions";

/// The sessions module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sessions;

/// What admitting `tx` at block time `now` would write, or why it is refused. `None` parts are
/// untouched (a plain transaction changes nothing).
#[derive(Debug, Default)]
struct Admitted {
    session: Option<Session>,
    sponsor: Option<(SponsorPolicy, UserWindow)>,
}

fn admit(tx: &TxView<'_>, now: u64, state: &(impl StateRead + ?Sized)) -> Result<Admitted, ValidateError> {
    let mut out = Admitted::default();
    if tx.session.is_none() && tx.sponsor().is_none() {
        return Ok(out);
    }
    let call = tx.call;
    let fee = pillar_assets::fees(state)?.tx_fee;
    if let Some(key) = &tx.session {
        let id = key.id();
        let Some(session) = SESSIONS.get(state, &(tx.sender, id))? else {
            return Err(SessionsError::UnknownSession { account: tx.sender, key: id }.into());
        };
        let spends = rules::spends(call, fee, tx.sponsor().is_none())?;
        out.session = Some(rules::admit_session(&session, id, tx.sender, now, call, &spends)?);
    }
    if let Some(sponsor) = tx.sponsor() {
        let policy = SPONSORS.get(state, &sponsor)?;
        let window = SPONSORED.get(state, &(sponsor, tx.sender))?;
        out.sponsor = Some(rules::admit_sponsored(sponsor, policy.as_ref(), window, now, call, fee)?);
    }
    Ok(out)
}

impl Module for Sessions {
    const NAME: &'static str = NAME;
    type Call = SessionsCall;
    type Event = SessionsEvent;

    fn enforces_envelopes(&self) -> bool {
        true
    }

    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        // Admission has no block yet: judge expiry by the latest block, as the next one cannot
        // be earlier. Caps and rates are judged on committed usage (pending ones are not counted).
        let now = LAST_BLOCK_MS.get(state)?.unwrap_or(0);
        admit(tx, now, state).map(|_| ())
    }

    fn pre_dispatch(
        &self,
        ctx: &mut TxContext<'_>,
        tx: &TxView<'_>,
        state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError> {
        let admitted = admit(tx, ctx.block.timestamp_ms, state)?;
        if let (Some(session), Some(key)) = (admitted.session, &tx.session) {
            SESSIONS.set(state, &(tx.sender, key.id()), &session);
        }
        if let (Some((policy, window)), Some(sponsor)) = (admitted.sponsor, tx.sponsor()) {
            SPONSORS.set(state, &sponsor, &policy);
            SPONSORED.set(state, &(sponsor, tx.sender), &window);
        }
        Ok(())
    }

    fn end_block(&self, block: &BlockEnv, _fees: u128, state: &mut dyn StateWrite) -> Result<(), StateError> {
        LAST_BLOCK_MS.set(state, &block.timestamp_ms);
        Ok(())
    }

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &SessionsCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            SessionsCall::AuthorizeSession(c) => call::authorize(ctx, c, state),
            SessionsCall::RevokeSession(c) => call::revoke(ctx, c, state),
            SessionsCall::SetSponsorPolicy(c) => call::set_sponsor_policy(ctx, c, state),
        }
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
