//! The one function that decides whether a movement of a compliant asset may happen
//! ([`decide`]), and the bookkeeping that follows an approved one ([`apply`]).
//!
//! `canTransfer` calls [`decide`] and nothing else; every enforcement path (assets' Transfer,
//! Mint and Burn through the movement guard, forced transfers) calls [`decide`] and then
//! [`apply`] before balances move. So a prediction and the enforcement cannot disagree.

use crate::{SetComplianceRules, TOPIC_COUNTRY};
use pillar_assets::balance;
use pillar_primitives::{Address, AssetId};
use pillar_runtime::CallError;
use pillar_state::{StateError, StateRead, StateWrite};

use crate::{
    ComplianceError, Restriction,
    state::{
        CLAIMS, COUNTRY_HOLDERS, FROZEN_AMOUNTS, FROZEN_WALLETS, HOLDERS, HOLDINGS, LOTS, Lot, PAUSED,
        POSITIONS, Position, SANCTIONED_IDENTITIES, SANCTIONED_WALLETS, TRUSTED_ISSUERS, WALLET_IDENTITY,
        WINDOWS, Window,
    },
};

/// What kind of movement is decided; the number is the `action` of the audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// A holder's transfer: every rule applies.
    Transfer = 0,
    /// A mint: recipient rules and caps apply; the units are locked up.
    Mint = 1,
    /// A burn of the sender's own units: only the frozen parts are protected.
    Burn = 2,
    /// An agent's forced transfer: recipient rules and caps apply, sender rules do not, and
    /// frozen or locked units may move.
    Forced = 3,
}

/// One movement as compliance sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Movement {
    pub(crate) asset: AssetId,
    pub(crate) action: Action,
    pub(crate) from: Option<Address>,
    pub(crate) to: Option<Address>,
    pub(crate) amount: u128,
}

/// What [`decide`] learned, for [`apply`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Sender identity and its wallet balance before the move.
    from: Option<(u64, u128)>,
    /// Recipient identity, wallet balance before the move and country (0: unknown).
    to: Option<(u64, u128, u16)>,
}

/// The identity of `wallet` in `registry`.
pub(crate) fn identity_of(
    state: &(impl StateRead + ?Sized),
    registry: Address,
    wallet: Address,
) -> Result<Option<u64>, StateError> {
    WALLET_IDENTITY.get(state, &(registry, wallet))
}

/// Whether the wallet or its identity is on the registry's sanctions list.
pub(crate) fn sanctioned(
    state: &(impl StateRead + ?Sized),
    registry: Address,
    wallet: Address,
    identity: u64,
) -> Result<bool, StateError> {
    Ok(SANCTIONED_WALLETS.get(state, &(registry, wallet))?.unwrap_or(false)
        || SANCTIONED_IDENTITIES.get(state, &(registry, identity))?.unwrap_or(false))
}

/// The value of a claim that counts now: from an issuer still trusted for the topic, unexpired.
pub(crate) fn valid_claim(
    state: &(impl StateRead + ?Sized),
    registry: Address,
    identity: u64,
    topic: u8,
    now: u64,
) -> Result<Option<u64>, StateError> {
    let Some(c) = CLAIMS.get(state, &(identity, topic))? else { return Ok(None) };
    let trusted = TRUSTED_ISSUERS.get(state, &(registry, topic, c.issuer))?.unwrap_or(false);
    let live = c.expires_ms == 0 || now < c.expires_ms;
    Ok((trusted && live).then_some(c.value))
}

fn has_required_claims(
    state: &(impl StateRead + ?Sized),
    rules: &SetComplianceRules,
    identity: u64,
    now: u64,
) -> Result<bool, StateError> {
    for r in &rules.required_claims {
        match valid_claim(state, rules.registry, identity, r.topic, now)? {
            Some(v) if v >= r.min_value => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Units of a wallet's lots still locked at `now`.
pub(crate) fn locked(lots: &[Lot], now: u64) -> u128 {
    lots.iter().filter(|l| l.until_ms > now).fold(0u128, |acc, l| acc.saturating_add(l.amount))
}

/// The frozen part of a wallet's balance.
pub(crate) fn frozen_amount(
    state: &(impl StateRead + ?Sized),
    asset: AssetId,
    wallet: Address,
) -> Result<u128, StateError> {
    Ok(FROZEN_AMOUNTS.get(state, &(asset, wallet))?.unwrap_or(0))
}

/// Decides `m` under `rules` at block time `now`: `Ok(Err(_))` names the first rule it breaks,
/// in the order listed in docs/rwa.md.
pub(crate) fn decide(
    state: &(impl StateRead + ?Sized),
    rules: &SetComplianceRules,
    now: u64,
    m: &Movement,
) -> Result<Result<Plan, Restriction>, StateError> {
    use Action::*;
    use Restriction as R;
    let (asset, reg) = (m.asset, rules.registry);
    let sender_rules = m.action == Transfer;
    let recipient_rules = matches!(m.action, Transfer | Mint | Forced);

    if sender_rules && PAUSED.get(state, &asset)?.unwrap_or(false) {
        return Ok(Err(R::Paused));
    }
    if let Some(from) = m.from
        && matches!(m.action, Transfer | Burn)
        && FROZEN_WALLETS.get(state, &(asset, from))?.unwrap_or(false)
    {
        return Ok(Err(R::SenderFrozen));
    }
    if let Some(to) = m.to
        && matches!(m.action, Transfer | Mint)
        && FROZEN_WALLETS.get(state, &(asset, to))?.unwrap_or(false)
    {
        return Ok(Err(R::RecipientFrozen));
    }

    // Registration: every holder wallet has an identity, so a sender without one cannot hold.
    let from_id = match m.from {
        Some(w) => match identity_of(state, reg, w)? {
            Some(id) => Some((w, id)),
            None => return Ok(Err(R::SenderNotRegistered)),
        },
        None => None,
    };
    let to_id = match m.to {
        Some(w) => match identity_of(state, reg, w)? {
            Some(id) => Some((w, id)),
            None => return Ok(Err(R::RecipientNotRegistered)),
        },
        None => None,
    };

    if sender_rules
        && let Some((w, id)) = from_id
        && sanctioned(state, reg, w, id)?
    {
        return Ok(Err(R::SenderSanctioned));
    }
    if recipient_rules
        && let Some((w, id)) = to_id
        && sanctioned(state, reg, w, id)?
    {
        return Ok(Err(R::RecipientSanctioned));
    }
    if sender_rules
        && let Some((_, id)) = from_id
        && !has_required_claims(state, rules, id, now)?
    {
        return Ok(Err(R::SenderClaimMissing));
    }
    let mut country = 0u16;
    if recipient_rules && let Some((_, id)) = to_id {
        if !has_required_claims(state, rules, id, now)? {
            return Ok(Err(R::RecipientClaimMissing));
        }
        country =
            valid_claim(state, reg, id, TOPIC_COUNTRY, now)?.and_then(|v| u16::try_from(v).ok()).unwrap_or(0);
        let needs_country = !rules.allowed_countries.is_empty() || !rules.country_caps.is_empty();
        if needs_country
            && (country == 0
                || (!rules.allowed_countries.is_empty() && !rules.allowed_countries.contains(&country)))
        {
            return Ok(Err(R::CountryNotAllowed));
        }
        if country != 0 && rules.blocked_countries.contains(&country) {
            return Ok(Err(R::CountryBlocked));
        }
    }

    let mut from_plan = None;
    if let Some((w, id)) = from_id {
        let bal = balance(state, w, asset)?;
        if bal < m.amount {
            return Ok(Err(R::InsufficientBalance));
        }
        if matches!(m.action, Transfer | Burn) {
            let free = bal - frozen_amount(state, asset, w)?.min(bal);
            if free < m.amount {
                return Ok(Err(R::AmountFrozen));
            }
            if m.action == Transfer {
                let lots = LOTS.get(state, &(asset, w))?.unwrap_or_default();
                if free.saturating_sub(locked(&lots, now)) < m.amount {
                    return Ok(Err(R::TokensLocked));
                }
            }
        }
        from_plan = Some((id, bal));
    }

    let crosses = match (from_id, to_id) {
        (Some((_, a)), Some((_, b))) => a != b,
        _ => true,
    };
    if m.action == Transfer
        && crosses
        && rules.limit_window_ms > 0
        && let Some((_, id)) = from_id
    {
        let spent = window_after(state, asset, id, rules, now, m.amount)?;
        if spent.is_none_or(|w| w.spent > rules.limit_amount) {
            return Ok(Err(R::TransferLimitExceeded));
        }
    }

    let mut to_plan = None;
    if let Some((w, id)) = to_id {
        if crosses {
            let pos = POSITIONS.get(state, &(asset, id))?.unwrap_or(Position { balance: 0, country: 0 });
            let Some(new_balance) = pos.balance.checked_add(m.amount) else {
                return Ok(Err(R::MaxBalanceExceeded));
            };
            if rules.max_balance > 0 && new_balance > rules.max_balance {
                return Ok(Err(R::MaxBalanceExceeded));
            }
            if pos.balance == 0 && m.amount > 0 {
                // The sender's identity may stop being a holder in the same move.
                let leaving = match from_id {
                    Some((_, fid)) => POSITIONS.get(state, &(asset, fid))?.filter(|p| p.balance == m.amount),
                    None => None,
                };
                let holders = HOLDERS.get(state, &asset)?.unwrap_or(0);
                let after = (u64::from(holders) + 1).saturating_sub(u64::from(leaving.is_some()));
                if rules.max_holders > 0 && after > u64::from(rules.max_holders) {
                    return Ok(Err(R::MaxHoldersReached));
                }
                if let Some(cap) = rules.country_caps.iter().find(|c| c.country == country) {
                    let n = COUNTRY_HOLDERS.get(state, &(asset, country))?.unwrap_or(0);
                    let same = leaving.is_some_and(|p| p.country == country);
                    let after = (u64::from(n) + 1).saturating_sub(u64::from(same));
                    if after > u64::from(cap.max_holders) {
                        return Ok(Err(R::CountryCapReached));
                    }
                }
            }
        }
        to_plan = Some((id, balance(state, w, asset)?, country));
    }
    Ok(Ok(Plan { from: from_plan, to: to_plan }))
}

/// The sender identity's window after sending `amount` (`None` on overflow).
fn window_after(
    state: &(impl StateRead + ?Sized),
    asset: AssetId,
    identity: u64,
    rules: &SetComplianceRules,
    now: u64,
    amount: u128,
) -> Result<Option<Window>, StateError> {
    // T-REX semantics: a window opens with the first transfer after the previous one ended.
    let w = match WINDOWS.get(state, &(asset, identity))? {
        Some(w) if now < w.start_ms.saturating_add(rules.limit_window_ms) => w,
        _ => Window { start_ms: now, spent: 0 },
    };
    Ok(w.spent.checked_add(amount).map(|spent| Window { start_ms: w.start_ms, spent }))
}

fn add_count<K: borsh::BorshSerialize>(
    state: &mut (impl StateWrite + ?Sized),
    map: &pillar_state::StateMap<K, u32>,
    key: &K,
    up: bool,
) -> Result<(), CallError> {
    let n = map.get(state, key)?.unwrap_or(0);
    let n = if up { n.checked_add(1) } else { n.checked_sub(1) }
        .ok_or(ComplianceError::Overflow { what: "holder counter" })?;
    if n == 0 {
        map.remove(state, key)
    } else {
        map.set(state, key, &n)
    }
    Ok(())
}

/// Records an approved movement, before the balances move: per-wallet holdings, positions and
/// holder counts, the transfer window, lock-up lots, and the frozen and locked parts a forced
/// transfer or burn has to release.
pub(crate) fn apply(
    state: &mut (impl StateWrite + ?Sized),
    rules: &SetComplianceRules,
    now: u64,
    m: &Movement,
    plan: &Plan,
) -> Result<(), CallError> {
    let (asset, reg) = (m.asset, rules.registry);
    if m.amount == 0 || (m.from.is_some() && m.from == m.to) {
        return Ok(());
    }
    let crosses = match (plan.from, plan.to) {
        (Some((a, _)), Some((b, _, _))) => a != b,
        _ => true,
    };
    if let (Some(w), Some((id, bal))) = (m.from, plan.from) {
        let after = bal - m.amount;
        if after == 0 {
            add_count(state, &HOLDINGS, &(reg, w), false)?;
        }
        // Frozen and locked parts never exceed the balance (only forced transfers and burns
        // can get here with less free balance than the amount).
        let frozen = frozen_amount(state, asset, w)?;
        if frozen > after {
            set_or_remove(state, asset, w, after);
        }
        if let Some(mut lots) = LOTS.get(state, &(asset, w))? {
            lots.retain(|l| l.until_ms > now);
            let mut excess = locked(&lots, now).saturating_sub(after);
            while excess > 0 {
                let Some(last) = lots.last_mut() else { break };
                let cut = last.amount.min(excess);
                last.amount -= cut;
                excess -= cut;
                if last.amount == 0 {
                    lots.pop();
                }
            }
            if lots.is_empty() {
                LOTS.remove(state, &(asset, w))
            } else {
                LOTS.set(state, &(asset, w), &lots)
            }
        }
        if crosses {
            let mut pos = POSITIONS.get(state, &(asset, id))?.unwrap_or(Position { balance: 0, country: 0 });
            pos.balance =
                pos.balance.checked_sub(m.amount).ok_or(ComplianceError::Overflow { what: "position" })?;
            if pos.balance == 0 {
                POSITIONS.remove(state, &(asset, id));
                add_count(state, &HOLDERS, &asset, false)?;
                if pos.country != 0 {
                    add_count(state, &COUNTRY_HOLDERS, &(asset, pos.country), false)?;
                }
            } else {
                POSITIONS.set(state, &(asset, id), &pos);
            }
            if m.action == Action::Transfer && rules.limit_window_ms > 0 {
                let w = window_after(state, asset, id, rules, now, m.amount)?
                    .ok_or(ComplianceError::Overflow { what: "transfer window" })?;
                WINDOWS.set(state, &(asset, id), &w);
            }
        }
    }
    if let (Some(w), Some((id, bal, country))) = (m.to, plan.to) {
        if bal == 0 {
            add_count(state, &HOLDINGS, &(reg, w), true)?;
        }
        if crosses {
            let mut pos = POSITIONS.get(state, &(asset, id))?.unwrap_or(Position { balance: 0, country });
            if pos.balance == 0 {
                pos.country = country;
                add_count(state, &HOLDERS, &asset, true)?;
                if country != 0 {
                    add_count(state, &COUNTRY_HOLDERS, &(asset, country), true)?;
                }
            }
            pos.balance =
                pos.balance.checked_add(m.amount).ok_or(ComplianceError::Overflow { what: "position" })?;
            POSITIONS.set(state, &(asset, id), &pos);
        }
        if m.action == Action::Mint && rules.lockup_ms > 0 {
            let lot = Lot { until_ms: now.saturating_add(rules.lockup_ms), amount: m.amount };
            add_lots(state, asset, w, &[lot], now)?;
        }
    }
    Ok(())
}

fn set_or_remove(state: &mut (impl StateWrite + ?Sized), asset: AssetId, wallet: Address, frozen: u128) {
    if frozen == 0 {
        FROZEN_AMOUNTS.remove(state, &(asset, wallet));
    } else {
        FROZEN_AMOUNTS.set(state, &(asset, wallet), &frozen);
    }
}

/// Sets a wallet's frozen amount (deleting zero).
pub(crate) fn set_frozen(
    state: &mut (impl StateWrite + ?Sized),
    asset: AssetId,
    wallet: Address,
    frozen: u128,
) {
    set_or_remove(state, asset, wallet, frozen);
}

/// Adds lock-up lots to a wallet, dropping expired ones and merging beyond
/// [`MAX_LOTS`](crate::state::MAX_LOTS) into the latest lot.
pub(crate) fn add_lots(
    state: &mut (impl StateWrite + ?Sized),
    asset: AssetId,
    wallet: Address,
    new: &[Lot],
    now: u64,
) -> Result<(), StateError> {
    let mut lots = LOTS.get(state, &(asset, wallet))?.unwrap_or_default();
    lots.retain(|l| l.until_ms > now);
    for lot in new.iter().filter(|l| l.until_ms > now && l.amount > 0) {
        if lots.len() < crate::state::MAX_LOTS {
            lots.push(*lot);
        } else if let Some(last) = lots.last_mut() {
            last.until_ms = last.until_ms.max(lot.until_ms);
            last.amount = last.amount.saturating_add(lot.amount);
        }
    }
    if lots.is_empty() {
        LOTS.remove(state, &(asset, wallet));
    } else {
        LOTS.set(state, &(asset, wallet), &lots);
    }
    Ok(())
}
