//! Call handlers.

use alloc::string::ToString;

use crate::{AssetRole, Burn, CreateAsset, Mint, SetAssetRole, Transfer};
use pillar_primitives::{Address, AssetId, NATIVE_ASSET};
use pillar_runtime::{AssetMove, CallError, MoveKind, TxContext};
use pillar_state::{StateError, StateRead, StateWrite};

use crate::AssetsEvent;
use crate::{
    AssetsError,
    state::{ASSETS, AssetInfo, BALANCES, NEXT_ASSET, ROLES},
};

/// Balance of `who` in `asset`. Native ETH lives in the `accounts` record, beside the nonce.
pub fn balance(state: &(impl StateRead + ?Sized), who: Address, asset: AssetId) -> Result<u128, StateError> {
    if asset == NATIVE_ASSET {
        return pillar_accounts::native_balance(state, &who);
    }
    Ok(BALANCES.get(state, &(who, asset))?.unwrap_or(0))
}

fn set_balance(
    state: &mut (impl StateWrite + ?Sized),
    who: Address,
    asset: AssetId,
    amount: u128,
) -> Result<(), StateError> {
    if asset == NATIVE_ASSET {
        return pillar_accounts::set_native_balance(state, &who, amount);
    }
    // Zero balances are deleted so the trie holds only live entries.
    if amount == 0 {
        BALANCES.remove(state, &(who, asset));
    } else {
        BALANCES.set(state, &(who, asset), &amount);
    }
    Ok(())
}

/// Debits `amount`, refusing to go below zero.
pub fn debit(
    state: &mut (impl StateWrite + ?Sized),
    who: Address,
    asset: AssetId,
    amount: u128,
) -> Result<(), CallError> {
    let have = balance(state, who, asset)?;
    let left = have.checked_sub(amount).ok_or(AssetsError::InsufficientBalance {
        asset,
        balance: have,
        needed: amount,
    })?;
    set_balance(state, who, asset, left)?;
    Ok(())
}

/// Credits `amount`, refusing to overflow.
pub fn credit(
    state: &mut (impl StateWrite + ?Sized),
    who: Address,
    asset: AssetId,
    amount: u128,
) -> Result<(), CallError> {
    let have = balance(state, who, asset)?;
    let new = have.checked_add(amount).ok_or(AssetsError::Overflow { what: "balance" })?;
    set_balance(state, who, asset, new)?;
    Ok(())
}

fn info(state: &(impl StateRead + ?Sized), asset: AssetId) -> Result<AssetInfo, CallError> {
    Ok(ASSETS.get(state, &asset)?.ok_or(AssetsError::UnknownAsset { asset })?)
}

fn require_role(
    state: &(impl StateRead + ?Sized),
    asset: AssetId,
    role: AssetRole,
    account: Address,
) -> Result<(), CallError> {
    if asset == NATIVE_ASSET {
        return Err(AssetsError::NativeAsset.into());
    }
    info(state, asset)?;
    if ROLES.get(state, &(asset, role, account))?.unwrap_or(false) {
        Ok(())
    } else {
        Err(AssetsError::MissingRole { asset, role, account }.into())
    }
}

pub(crate) fn transfer(
    ctx: &mut TxContext<'_>,
    c: &Transfer,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    if c.asset != NATIVE_ASSET {
        info(state, c.asset)?;
        // Native ETH pays fees and never has rules, so only issuer tokens are guarded.
        let mv = AssetMove {
            asset: c.asset,
            kind: MoveKind::Transfer,
            from: Some(ctx.sender),
            to: Some(c.to),
            amount: c.amount,
        };
        ctx.guard_move(&mv, state)?;
    }
    debit(state, ctx.sender, c.asset, c.amount)?;
    credit(state, c.to, c.asset, c.amount)?;
    ctx.emit(AssetsEvent::Transfer { asset: c.asset, from: ctx.sender, to: c.to, amount: c.amount });
    Ok(())
}

/// Creates an asset without any role check; the creator gets every role. Shared by the call,
/// genesis and the bridge (whose tokens have the zero address as creator, which no key controls).
pub fn create(
    state: &mut (impl StateWrite + ?Sized),
    creator: Address,
    name: &str,
    symbol: &str,
    decimals: u8,
    max_supply: u128,
) -> Result<AssetId, CallError> {
    let id = NEXT_ASSET.get(state)?.unwrap_or(1);
    let next = id.checked_add(1).ok_or(AssetsError::AssetIdsExhausted)?;
    NEXT_ASSET.set(state, &next);
    ASSETS.set(
        state,
        &id,
        &AssetInfo {
            name: name.to_string(),
            symbol: symbol.to_string(),
            decimals,
            max_supply,
            total_supply: 0,
            creator,
        },
    );
    for role in [AssetRole::Admin, AssetRole::Minter, AssetRole::Burner] {
        ROLES.set(state, &(id, role, creator), &true);
    }
    Ok(id)
}

pub(crate) fn create_asset(
    ctx: &mut TxContext<'_>,
    c: &CreateAsset,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    let asset = create(state, ctx.sender, &c.name, &c.symbol, c.decimals, c.max_supply)?;
    ctx.emit(AssetsEvent::AssetCreated {
        asset,
        creator: ctx.sender,
        name: c.name.clone(),
        symbol: c.symbol.clone(),
        decimals: c.decimals,
    });
    Ok(())
}

/// Mints without a role check; shared by the call, genesis and (later) bridge deposits.
pub fn mint_unchecked(
    state: &mut (impl StateWrite + ?Sized),
    asset: AssetId,
    to: Address,
    amount: u128,
) -> Result<(), CallError> {
    let mut i = info(state, asset)?;
    let supply = i.total_supply.checked_add(amount).ok_or(AssetsError::Overflow { what: "supply" })?;
    if supply > i.max_supply {
        return Err(AssetsError::SupplyCapExceeded { asset, amount, max_supply: i.max_supply }.into());
    }
    i.total_supply = supply;
    ASSETS.set(state, &asset, &i);
    credit(state, to, asset, amount)
}

/// Burns without a role check (the bridge burns what is withdrawn to L1).
pub fn burn_unchecked(
    state: &mut (impl StateWrite + ?Sized),
    asset: AssetId,
    from: Address,
    amount: u128,
) -> Result<(), CallError> {
    debit(state, from, asset, amount)?;
    let mut i = info(state, asset)?;
    i.total_supply = i.total_supply.checked_sub(amount).ok_or(AssetsError::Overflow { what: "supply" })?;
    ASSETS.set(state, &asset, &i);
    Ok(())
}

pub(crate) fn mint(ctx: &mut TxContext<'_>, c: &Mint, state: &mut dyn StateWrite) -> Result<(), CallError> {
    require_role(state, c.asset, AssetRole::Minter, ctx.sender)?;
    let mv = AssetMove { asset: c.asset, kind: MoveKind::Mint, from: None, to: Some(c.to), amount: c.amount };
    ctx.guard_move(&mv, state)?;
    mint_unchecked(state, c.asset, c.to, c.amount)?;
    ctx.emit(AssetsEvent::Minted { asset: c.asset, to: c.to, amount: c.amount });
    Ok(())
}

pub(crate) fn burn(ctx: &mut TxContext<'_>, c: &Burn, state: &mut dyn StateWrite) -> Result<(), CallError> {
    require_role(state, c.asset, AssetRole::Burner, ctx.sender)?;
    let mv = AssetMove {
        asset: c.asset,
        kind: MoveKind::Burn,
        from: Some(ctx.sender),
        to: None,
        amount: c.amount,
    };
    ctx.guard_move(&mv, state)?;
    burn_unchecked(state, c.asset, ctx.sender, c.amount)?;
    ctx.emit(AssetsEvent::Burned { asset: c.asset, from: ctx.sender, amount: c.amount });
    Ok(())
}

pub(crate) fn set_role(
    ctx: &mut TxContext<'_>,
    c: &SetAssetRole,
    state: &mut dyn StateWrite,
) -> Result<(), CallError> {
    require_role(state, c.asset, AssetRole::Admin, ctx.sender)?;
    if c.enabled {
        ROLES.set(state, &(c.asset, c.role, c.account), &true);
    } else {
        ROLES.remove(state, &(c.asset, c.role, c.account));
    }
    ctx.emit(AssetsEvent::RoleChanged {
        asset: c.asset,
        role: c.role,
        account: c.account,
        enabled: c.enabled,
    });
    Ok(())
}
