//! Asset-side calls: binding rule sets (asset admin) and the issuer agent controls (pause,
//! freezes, forced transfers, wallet recovery). Batches are atomic: one failing entry fails the
//! call and nothing of it stays.

use crate::{
    ForcedTransfers, FreezeAmounts, FreezeWallets, RecoverWallets, SetComplianceAgent, SetComplianceRules,
    SetPaused,
};
use pillar_assets::AssetRole;
use pillar_assets::{ASSETS, ROLES, balance, credit, debit};
use pillar_primitives::{Address, AssetId, NATIVE_ASSET};
use pillar_runtime::{CallError, TxContext};
use pillar_state::{StateRead, StateWrite};

use crate::ComplianceEvent;
use crate::{
    ComplianceError, Restriction,
    decide::{Action, Movement, add_lots, apply, decide, frozen_amount, identity_of, set_frozen},
    registry::{link, unlink},
    state::{AGENTS, FROZEN_WALLETS, HOLDINGS, LOTS, PAUSED, RULES, SANCTIONED_WALLETS},
};

fn is_admin(state: &(impl StateRead + ?Sized), asset: AssetId, account: Address) -> Result<bool, CallError> {
    Ok(ROLES.get(state, &(asset, AssetRole::Admin, account))?.unwrap_or(false))
}

/// The rules of `asset`, if `account` is one of its agents (admins are agents).
fn rules_as_agent(
    state: &(impl StateRead + ?Sized),
    asset: AssetId,
    account: Address,
) -> Result<SetComplianceRules, CallError> {
    let rules = RULES.get(state, &asset)?.ok_or(ComplianceError::NoRules { asset })?;
    if is_admin(state, asset, account)? || AGENTS.get(state, &(asset, account))?.unwrap_or(false) {
        Ok(rules)
    } else {
        Err(ComplianceError::NotAgent { asset, account }.into())
    }
}

pub(crate) fn set_rules(
    ctx: &mut TxContext<'_>,
    c: &SetComplianceRules,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    if c.asset == NATIVE_ASSET {
        return Err(ComplianceError::NativeAsset.into());
    }
    let info = ASSETS.get(state, &c.asset)?.ok_or(ComplianceError::UnknownAsset { asset: c.asset })?;
    if !is_admin(state, c.asset, ctx.sender)? {
        return Err(ComplianceError::NotAssetAdmin { asset: c.asset, account: ctx.sender }.into());
    }
    match RULES.get(state, &c.asset)? {
        // Positions are kept per identity of the bound registry, so it cannot change.
        Some(old) if old.registry != c.registry => {
            return Err(ComplianceError::RegistryChanged { asset: c.asset, bound: old.registry }.into());
        }
        Some(_) => {}
        None if info.total_supply > 0 => {
            return Err(ComplianceError::AssetHasSupply { asset: c.asset, supply: info.total_supply }.into());
        }
        None => {}
    }
    RULES.set(state, &c.asset, c);
    ctx.emit(ComplianceEvent::ComplianceRulesSet { asset: c.asset, registry: c.registry, by: ctx.sender });
    Ok(())
}

pub(crate) fn set_agent(
    ctx: &mut TxContext<'_>,
    c: &SetComplianceAgent,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    if !is_admin(state, c.asset, ctx.sender)? {
        return Err(ComplianceError::NotAssetAdmin { asset: c.asset, account: ctx.sender }.into());
    }
    if c.enabled {
        AGENTS.set(state, &(c.asset, c.agent), &true);
    } else {
        AGENTS.remove(state, &(c.asset, c.agent));
    }
    ctx.emit(ComplianceEvent::ComplianceAgentChanged {
        asset: c.asset,
        agent: c.agent,
        enabled: c.enabled,
        by: ctx.sender,
    });
    Ok(())
}

pub(crate) fn set_paused(
    ctx: &mut TxContext<'_>,
    c: &SetPaused,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    for &asset in &c.assets {
        rules_as_agent(state, asset, ctx.sender)?;
        if c.paused {
            PAUSED.set(state, &asset, &true);
        } else {
            PAUSED.remove(state, &asset);
        }
        ctx.emit(ComplianceEvent::AssetPaused { asset, paused: c.paused, by: ctx.sender });
    }
    Ok(())
}

pub(crate) fn freeze_wallets(
    ctx: &mut TxContext<'_>,
    c: &FreezeWallets,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    rules_as_agent(state, c.asset, ctx.sender)?;
    for &wallet in &c.wallets {
        if c.frozen {
            FROZEN_WALLETS.set(state, &(c.asset, wallet), &true);
        } else {
            FROZEN_WALLETS.remove(state, &(c.asset, wallet));
        }
        ctx.emit(ComplianceEvent::WalletFrozen { asset: c.asset, wallet, frozen: c.frozen, by: ctx.sender });
    }
    Ok(())
}

pub(crate) fn freeze_amounts(
    ctx: &mut TxContext<'_>,
    c: &FreezeAmounts,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    rules_as_agent(state, c.asset, ctx.sender)?;
    for e in &c.entries {
        let frozen = frozen_amount(state, c.asset, e.wallet)?;
        let total = if c.frozen {
            let bal = balance(state, e.wallet, c.asset)?;
            match frozen.checked_add(e.amount) {
                Some(t) if t <= bal => t,
                _ => {
                    return Err(ComplianceError::FreezeExceedsBalance {
                        wallet: e.wallet,
                        amount: e.amount,
                        balance: bal,
                        frozen,
                    }
                    .into());
                }
            }
        } else {
            frozen.checked_sub(e.amount).ok_or(ComplianceError::UnfreezeExceedsFrozen {
                wallet: e.wallet,
                amount: e.amount,
                frozen,
            })?
        };
        set_frozen(state, c.asset, e.wallet, total);
        ctx.emit(ComplianceEvent::AmountFrozen {
            asset: c.asset,
            wallet: e.wallet,
            amount: e.amount,
            frozen: c.frozen,
            total_frozen: total,
            by: ctx.sender,
        });
    }
    Ok(())
}

pub(crate) fn forced_transfers(
    ctx: &mut TxContext<'_>,
    c: &ForcedTransfers,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let rules = rules_as_agent(state, c.asset, ctx.sender)?;
    let now = ctx.block.timestamp_ms;
    for e in &c.entries {
        let m = Movement {
            asset: c.asset,
            action: Action::Forced,
            from: Some(e.from),
            to: Some(e.to),
            amount: e.amount,
        };
        let plan = decide(state, &rules, now, &m)?.map_err(ComplianceError::from)?;
        let frozen_before = frozen_amount(state, c.asset, e.from)?;
        apply(state, &rules, now, &m, &plan)?;
        let unfrozen = frozen_before - frozen_amount(state, c.asset, e.from)?.min(frozen_before);
        debit(state, e.from, c.asset, e.amount)?;
        credit(state, e.to, c.asset, e.amount)?;
        ctx.emit(ComplianceEvent::ComplianceApproved {
            asset: c.asset,
            action: Action::Forced as u8,
            from: e.from,
            to: e.to,
            amount: e.amount,
        });
        ctx.emit(ComplianceEvent::ForcedTransfer {
            asset: c.asset,
            from: e.from,
            to: e.to,
            amount: e.amount,
            unfrozen,
            by: ctx.sender,
        });
        ctx.emit(pillar_assets::AssetsEvent::Transfer {
            asset: c.asset,
            from: e.from,
            to: e.to,
            amount: e.amount,
        });
    }
    Ok(())
}

pub(crate) fn recover_wallets(
    ctx: &mut TxContext<'_>,
    c: &RecoverWallets,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let rules = rules_as_agent(state, c.asset, ctx.sender)?;
    let (asset, reg, now) = (c.asset, rules.registry, ctx.block.timestamp_ms);
    for e in &c.entries {
        let (lost, new) = (e.lost_wallet, e.new_wallet);
        let identity = identity_of(state, reg, lost)?
            .ok_or(ComplianceError::LostWalletNotRegistered { wallet: lost })?;
        if SANCTIONED_WALLETS.get(state, &(reg, new))?.unwrap_or(false) {
            return Err(Restriction::RecipientSanctioned.into());
        }
        match identity_of(state, reg, new)? {
            Some(other) if other != identity => {
                return Err(ComplianceError::RecoveryToOtherIdentity { wallet: new, identity, other }.into());
            }
            Some(_) => {}
            None => link(ctx, state, identity, new)?,
        }
        // Same identity on both sides: positions, holder counts and windows do not change.
        let amount = balance(state, lost, asset)?;
        if amount > 0 {
            if balance(state, new, asset)? == 0 {
                let n = HOLDINGS.get(state, &(reg, new))?.unwrap_or(0);
                HOLDINGS.set(
                    state,
                    &(reg, new),
                    &n.checked_add(1).ok_or(ComplianceError::Overflow { what: "holdings" })?,
                );
            }
            let n = HOLDINGS.get(state, &(reg, lost))?.unwrap_or(0).saturating_sub(1);
            if n == 0 {
                HOLDINGS.remove(state, &(reg, lost))
            } else {
                HOLDINGS.set(state, &(reg, lost), &n)
            }
            debit(state, lost, asset, amount)?;
            credit(state, new, asset, amount)?;
        }
        let frozen = frozen_amount(state, asset, lost)?;
        if frozen > 0 {
            let total = frozen_amount(state, asset, new)?
                .checked_add(frozen)
                .ok_or(ComplianceError::Overflow { what: "frozen amount" })?;
            set_frozen(state, asset, new, total);
            set_frozen(state, asset, lost, 0);
        }
        if let Some(lots) = LOTS.get(state, &(asset, lost))? {
            add_lots(state, asset, new, &lots, now)?;
            LOTS.remove(state, &(asset, lost));
        }
        if FROZEN_WALLETS.get(state, &(asset, lost))?.unwrap_or(false) {
            FROZEN_WALLETS.set(state, &(asset, new), &true);
        }
        if HOLDINGS.get(state, &(reg, lost))?.unwrap_or(0) == 0 {
            unlink(ctx, state, identity, lost)?;
        }
        ctx.emit(ComplianceEvent::ComplianceApproved { asset, action: 4, from: lost, to: new, amount });
        if amount > 0 {
            ctx.emit(pillar_assets::AssetsEvent::Transfer { asset, from: lost, to: new, amount });
        }
        ctx.emit(ComplianceEvent::WalletRecovered {
            asset,
            lost_wallet: lost,
            new_wallet: new,
            identity,
            amount,
            by: ctx.sender,
        });
    }
    Ok(())
}
