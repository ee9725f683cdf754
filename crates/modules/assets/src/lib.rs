//! The `assets` module: a multi-asset ledger.
//!
//! Native ETH (asset 0, bridged from L1 and used for fees) and issuer tokens (ids from 1) with
//! a name, symbol, decimals, a supply cap and admin/minter/burner roles. Amounts are u128 and
//! every operation is checked. The module also charges the flat per-transaction fee in its
//! pre-dispatch hook (to the sender, or to the sponsor a transaction's envelope names) and
//! credits the block's fees to the fee recipient at the end of the block.
//!
//! Every Transfer, Mint and Burn of an issuer token is first submitted to the chain's movement
//! guards ([`pillar_runtime::guard`]); on a chain with the `compliance` module that is where an
//! asset's rule set binds. Assets without rules, and chains without guards, behave as before.

#![cfg_attr(not(feature = "std"), no_std)]

use alloc::string::String;
use alloc::string::ToString;

#[macro_use]
extern crate alloc;

mod call;
mod calls;
mod eip712;
mod error;
mod events;
mod query;
mod state;

use pillar_primitives::{AssetId, CallView, NATIVE_ASSET};
use pillar_runtime::{
    BlockEnv, CallError, Genesis, GenesisError, Invalid, Module, TxContext, TxView, ValidateError,
};
use pillar_state::{StateError, StateRead, StateWrite};

pub use call::{balance, burn_unchecked, create, credit, debit, mint_unchecked};
pub use calls::*;
pub use error::AssetsError;
pub use events::AssetsEvent;
pub use query::MAX_SCANNED_ASSETS;
pub use state::{ASSETS, AssetInfo, BALANCES, FEES, FeeConfig, NEXT_ASSET, ROLES};

/// Module name and state prefix.
pub const NAME: &str = "assets";

/// The assets module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Assets;

/// The fee configuration in state (zero fee when unset).
pub fn fees(state: &(impl StateRead + ?Sized)) -> Result<FeeConfig, StateError> {
    Ok(FEES.get(state)?.unwrap_or(FeeConfig { tx_fee: 0, recipient: Default::default() }))
}

/// The asset a call operates on, if any: an assets call's, or the asset another module's call
/// spends from the sender (a withdrawal, a channel deposit). Compliance calls check their assets
/// themselves.
fn named_asset(call: &dyn CallView) -> Option<AssetId> {
    match call.get::<AssetsCall>() {
        Some(AssetsCall::Transfer(t)) => Some(t.asset),
        Some(AssetsCall::Mint(m)) => Some(m.asset),
        Some(AssetsCall::Burn(b)) => Some(b.asset),
        Some(AssetsCall::SetAssetRole(r)) => Some(r.asset),
        Some(AssetsCall::CreateAsset(_)) => None,
        None => call.spend().map(|(asset, _)| asset),
    }
}

fn invalid(e: CallError) -> ValidateError {
    match e {
        CallError::State(s) => ValidateError::State(s),
        CallError::Revert(_) => unreachable!("genesis-free helpers only revert on balances"),
    }
}

impl Module for Assets {
    const NAME: &'static str = NAME;
    type Call = AssetsCall;
    type Event = AssetsEvent;

    fn genesis(&self, genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        let bad = |reason: String| GenesisError::Invalid { module: NAME, reason };
        FEES.set(state, &FeeConfig { tx_fee: genesis.tx_fee, recipient: genesis.fee_recipient });
        let mut eth_supply: u128 = 0;
        for a in &genesis.accounts {
            eth_supply =
                eth_supply.checked_add(a.eth).ok_or_else(|| bad("total ETH overflows u128".into()))?;
        }
        ASSETS.set(
            state,
            &NATIVE_ASSET,
            &AssetInfo {
                name: "Ether".into(),
                symbol: "ETH".into(),
                decimals: 18,
                max_supply: u128::MAX,
                total_supply: eth_supply,
                creator: Default::default(),
            },
        );
        for t in &genesis.assets {
            call::create(state, t.admin, &t.name, &t.symbol, t.decimals, t.max_supply.unwrap_or(u128::MAX))
                .map_err(|e| bad(format!("asset {}: {e}", t.symbol)))?;
        }
        for a in &genesis.accounts {
            if a.eth > 0 {
                call::credit(state, a.address, NATIVE_ASSET, a.eth).map_err(|e| bad(e.to_string()))?;
            }
            for b in &a.tokens {
                if b.asset == NATIVE_ASSET {
                    return Err(bad("native ETH goes in `eth`, not `tokens`".into()));
                }
                mint_unchecked(state, b.asset, a.address, b.amount)
                    .map_err(|e| bad(format!("balance of {} in asset {}: {e}", a.address, b.asset)))?;
            }
        }
        Ok(())
    }

    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        let fee = fees(state)?.tx_fee;
        if tx.max_fee < fee {
            return Err(Invalid::FeeTooLow { max_fee: tx.max_fee, fee }.into());
        }
        if let Some(asset) = named_asset(tx.call)
            && asset != NATIVE_ASSET
            && ASSETS.get(state, &asset)?.is_none()
        {
            return Err(Invalid::UnknownAsset { asset }.into());
        }
        // A sponsor pays the fee from its own balance; the sender then needs only the amount.
        let payer = tx.payer();
        let mut native_needed = if payer == tx.sender { fee } else { 0 };
        if payer != tx.sender {
            let have = balance(state, payer, NATIVE_ASSET)?;
            if have < fee {
                return Err(
                    Invalid::InsufficientBalance { asset: NATIVE_ASSET, balance: have, needed: fee }.into()
                );
            }
        }
        // What the sender must hold beyond the fee for the call to succeed.
        if let Some((asset, amount)) = tx.call.spend() {
            if asset == NATIVE_ASSET {
                native_needed = native_needed.saturating_add(amount);
            } else {
                let have = balance(state, tx.sender, asset)?;
                if have < amount {
                    return Err(Invalid::InsufficientBalance { asset, balance: have, needed: amount }.into());
                }
            }
        }
        let have = balance(state, tx.sender, NATIVE_ASSET)?;
        if have < native_needed {
            return Err(Invalid::InsufficientBalance {
                asset: NATIVE_ASSET,
                balance: have,
                needed: native_needed,
            }
            .into());
        }
        Ok(())
    }

    fn pre_dispatch(
        &self,
        ctx: &mut TxContext<'_>,
        tx: &TxView<'_>,
        state: &mut dyn StateWrite,
    ) -> Result<(), ValidateError> {
        let fee = fees(state)?.tx_fee;
        if tx.max_fee < fee {
            return Err(Invalid::FeeTooLow { max_fee: tx.max_fee, fee }.into());
        }
        if fee == 0 {
            return Ok(());
        }
        // The sponsor named in the envelope, if any, pays (its policy is the `sessions` module's).
        let payer = tx.payer();
        let have = balance(state, payer, NATIVE_ASSET)?;
        if have < fee {
            return Err(
                Invalid::InsufficientBalance { asset: NATIVE_ASSET, balance: have, needed: fee }.into()
            );
        }
        debit(state, payer, NATIVE_ASSET, fee).map_err(invalid)?;
        ctx.fee_paid += fee;
        *ctx.block_fees = ctx.block_fees.saturating_add(fee);
        ctx.emit(AssetsEvent::FeePaid { from: payer, amount: fee });
        Ok(())
    }

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &AssetsCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            AssetsCall::Transfer(c) => call::transfer(ctx, c, state),
            AssetsCall::CreateAsset(c) => call::create_asset(ctx, c, state),
            AssetsCall::Mint(c) => call::mint(ctx, c, state),
            AssetsCall::Burn(c) => call::burn(ctx, c, state),
            AssetsCall::SetAssetRole(c) => call::set_role(ctx, c, state),
        }
    }

    fn end_block(
        &self,
        _block: &BlockEnv,
        fees_collected: u128,
        state: &mut dyn StateWrite,
    ) -> Result<(), StateError> {
        if fees_collected == 0 {
            return Ok(());
        }
        let recipient = fees(state)?.recipient;
        // Fees were debited from balances that fit in u128, so crediting them cannot overflow the
        // native supply; a holder's balance could only overflow if supply did.
        credit(state, recipient, NATIVE_ASSET, fees_collected).map_err(|e| match e {
            CallError::State(s) => s,
            CallError::Revert(r) => {
                StateError::Corrupt { key: "fee recipient balance".into(), reason: r.reason }
            }
        })
    }
}

#[cfg(test)]
mod tests;
