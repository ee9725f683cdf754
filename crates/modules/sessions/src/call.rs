//! Handlers of the sessions calls.

use crate::{AuthorizeSession, RevokeSession, SetSponsorPolicy};
use pillar_primitives::Address;
use pillar_runtime::{CallError, TxContext};
use pillar_state::StateWrite;

use crate::SessionsEvent;
use crate::{
    SessionsError,
    state::{
        ACCOUNT_SESSIONS, CapUsage, MAX_SESSIONS_PER_ACCOUNT, SESSIONS, SPONSORS, Session, SponsorPolicy,
    },
};

/// Authorizes `c.key` for the sender, replacing the scope and usage of the same key if it was
/// authorized before. A full list makes room by dropping its oldest revoked or expired session.
pub(crate) fn authorize(
    ctx: &mut TxContext<'_>,
    c: &AuthorizeSession,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let now = ctx.block.timestamp_ms;
    if c.expires_ms <= now {
        return Err(SessionsError::AlreadyExpired { expires_ms: c.expires_ms, now_ms: now }.into());
    }
    let account = ctx.sender;
    let id = c.key.id();
    let mut ids = ACCOUNT_SESSIONS.get(state, &account)?.unwrap_or_default();
    if !ids.contains(&id) {
        if ids.len() >= MAX_SESSIONS_PER_ACCOUNT {
            let mut dead = None;
            for (i, other) in ids.iter().enumerate() {
                if let Some(s) = SESSIONS.get(state, &(account, *other))?
                    && (s.revoked || now >= s.expires_ms)
                {
                    dead = Some(i);
                    break;
                }
            }
            let Some(i) = dead else {
                return Err(SessionsError::TooManySessions { max: MAX_SESSIONS_PER_ACCOUNT }.into());
            };
            let old = ids.remove(i);
            SESSIONS.remove(state, &(account, old));
        }
        ids.push(id);
        ACCOUNT_SESSIONS.set(state, &account, &ids);
    }
    let session = Session {
        key: c.key,
        calls: c.calls,
        expires_ms: c.expires_ms,
        window_ms: c.window_ms,
        max_txs: c.max_txs,
        caps: c
            .caps
            .iter()
            .map(|x| CapUsage {
                asset: x.asset,
                total: x.total,
                per_window: x.per_window,
                spent: 0,
                window_spent: 0,
            })
            .collect(),
        revoked: false,
        window_start_ms: now,
        window_txs: 0,
        total_txs: 0,
    };
    SESSIONS.set(state, &(account, id), &session);
    ctx.emit(SessionsEvent::SessionAuthorized { account, key: c.key, expires_ms: c.expires_ms });
    Ok(())
}

/// Revokes a session of the sender; it authorizes nothing from the next transaction on.
pub(crate) fn revoke(
    ctx: &mut TxContext<'_>,
    c: &RevokeSession,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let account = ctx.sender;
    let id = c.key.id();
    let Some(mut s) = SESSIONS.get(state, &(account, id))? else {
        return Err(SessionsError::UnknownSession { account, key: id }.into());
    };
    s.revoked = true;
    SESSIONS.set(state, &(account, id), &s);
    ctx.emit(SessionsEvent::SessionRevoked { account, key: c.key });
    Ok(())
}

/// Sets the sender's sponsor policy (what it has paid so far is kept).
pub(crate) fn set_sponsor_policy(
    ctx: &mut TxContext<'_>,
    c: &SetSponsorPolicy,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let sponsor: Address = ctx.sender;
    let paid = SPONSORS.get(state, &sponsor)?.map_or(0, |p| p.paid);
    SPONSORS.set(
        state,
        &sponsor,
        &SponsorPolicy {
            budget: c.budget,
            calls: c.calls,
            window_ms: c.window_ms,
            max_txs_per_user: c.max_txs_per_user,
            paid,
        },
    );
    ctx.emit(SessionsEvent::SponsorPolicySet { sponsor, budget: c.budget });
    Ok(())
}
