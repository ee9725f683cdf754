//! The admission rules of session-signed and sponsored transactions, as pure functions of the
//! stored record, the block time and the transaction: the same code decides at mempool
//! admission (`validate`, on committed state) and at execution (`pre_dispatch`).

use alloc::vec::Vec;

use crate::SESSION_MANAGEMENT_TAGS;
use pillar_primitives::{AssetId, CallView, NATIVE_ASSET};

use crate::{
    SessionsError,
    state::{Session, SponsorPolicy, UserWindow},
};

/// Whether bit `tag` is set in `mask`.
pub fn allows(mask: u64, tag: u8) -> bool {
    tag < 64 && mask & (1u64 << tag) != 0
}

/// Whether a window that started at `start` has ended at `now` (never for a zero window).
fn window_over(start: u64, window_ms: u64, now: u64) -> bool {
    window_ms > 0 && now >= start.saturating_add(window_ms)
}

/// What a transaction takes from the account's balances, per asset: the call's amount, plus the
/// fee when the account pays it.
pub fn spends(
    call: &dyn CallView,
    fee: u128,
    account_pays_fee: bool,
) -> Result<Vec<(AssetId, u128)>, SessionsError> {
    let mut out: Vec<(AssetId, u128)> = Vec::with_capacity(2);
    if let Some((asset, amount)) = call.spend() {
        out.push((asset, amount));
    }
    if account_pays_fee && fee > 0 {
        match out.iter_mut().find(|(a, _)| *a == NATIVE_ASSET) {
            Some((_, amount)) => {
                *amount = amount.checked_add(fee).ok_or(SessionsError::Overflow { what: "spend and fee" })?
            }
            None => out.push((NATIVE_ASSET, fee)),
        }
    }
    Ok(out)
}

/// The session after it sends `call` at block time `now` taking `spends`, or why it may not.
pub fn admit_session(
    session: &Session,
    key: pillar_primitives::B256,
    account: pillar_primitives::Address,
    now: u64,
    call: &dyn CallView,
    spends: &[(AssetId, u128)],
) -> Result<Session, SessionsError> {
    if session.revoked {
        return Err(SessionsError::Revoked { account, key });
    }
    if now >= session.expires_ms {
        return Err(SessionsError::Expired { expires_ms: session.expires_ms, now_ms: now });
    }
    let tag = call.tag();
    if SESSION_MANAGEMENT_TAGS.contains(&tag) {
        return Err(SessionsError::SessionManagementBySession { call: call.type_name() });
    }
    if !allows(session.calls, tag) {
        return Err(SessionsError::CallNotAllowed { call: call.type_name(), tag });
    }
    let mut next = session.clone();
    if window_over(next.window_start_ms, next.window_ms, now) || next.total_txs == 0 {
        next.window_start_ms = now;
        next.window_txs = 0;
        for c in &mut next.caps {
            c.window_spent = 0;
        }
    }
    let windowed = next.window_ms > 0;
    if windowed && next.max_txs > 0 && next.window_txs >= next.max_txs {
        return Err(SessionsError::RateLimited { max_txs: next.max_txs, window_ms: next.window_ms });
    }
    for &(asset, amount) in spends {
        if amount == 0 {
            continue;
        }
        let Some(cap) = next.caps.iter_mut().find(|c| c.asset == asset) else {
            return Err(SessionsError::TotalCapExceeded { asset, spent: 0, cap: 0, amount });
        };
        let spent = cap
            .spent
            .checked_add(amount)
            .filter(|s| *s <= cap.total)
            .ok_or(SessionsError::TotalCapExceeded { asset, spent: cap.spent, cap: cap.total, amount })?;
        if windowed {
            cap.window_spent = cap.window_spent.checked_add(amount).filter(|s| *s <= cap.per_window).ok_or(
                SessionsError::WindowCapExceeded {
                    asset,
                    spent: cap.window_spent,
                    cap: cap.per_window,
                    amount,
                },
            )?;
        }
        cap.spent = spent;
    }
    next.window_txs =
        next.window_txs.checked_add(1).ok_or(SessionsError::Overflow { what: "window count" })?;
    next.total_txs =
        next.total_txs.checked_add(1).ok_or(SessionsError::Overflow { what: "session count" })?;
    Ok(next)
}

/// The sponsor's policy and the user's window after the sponsor pays `fee` for `call`, or why
/// it will not.
pub fn admit_sponsored(
    sponsor: pillar_primitives::Address,
    policy: Option<&SponsorPolicy>,
    window: Option<UserWindow>,
    now: u64,
    call: &dyn CallView,
    fee: u128,
) -> Result<(SponsorPolicy, UserWindow), SessionsError> {
    let Some(policy) = policy else { return Err(SessionsError::NoSponsor { sponsor }) };
    let tag = call.tag();
    if !allows(policy.calls, tag) {
        return Err(SessionsError::CallNotSponsored { sponsor, call: call.type_name(), tag });
    }
    let budget = policy.budget.checked_sub(fee).ok_or(SessionsError::BudgetExhausted {
        sponsor,
        budget: policy.budget,
        fee,
    })?;
    let mut w = match window {
        Some(w) if !window_over(w.start_ms, policy.window_ms, now) => w,
        _ => UserWindow { start_ms: now, txs: 0 },
    };
    if policy.window_ms > 0 && policy.max_txs_per_user > 0 && w.txs >= policy.max_txs_per_user {
        return Err(SessionsError::SponsorRateLimited {
            sponsor,
            max_txs: policy.max_txs_per_user,
            window_ms: policy.window_ms,
        });
    }
    w.txs = w.txs.checked_add(1).ok_or(SessionsError::Overflow { what: "sponsored count" })?;
    let paid = policy.paid.checked_add(fee).ok_or(SessionsError::Overflow { what: "sponsor paid" })?;
    Ok((SponsorPolicy { budget, paid, ..policy.clone() }, w))
}
