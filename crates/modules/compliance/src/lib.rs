//! The `compliance` module: regulated assets, natively, in the shape of ERC-3643 (T-REX).
//!
//! - **Identity registry**: registries named by their owner's address, with agents who register
//!   identities and link wallets to them (several wallets per identity), trusted claim issuers
//!   per topic who add claims (KYC level, ISO 3166 country, investor type, custom topics, each
//!   with an expiry), and a sanctions list of wallets and identities.
//! - **Rule sets per asset**, bound by the asset's admin before its first mint: country allow
//!   and block lists, per-country holder caps, a holder cap, a maximum balance per identity,
//!   lock-up of minted units, a transfer limit per identity per window, required claims.
//! - **Agent controls**: pause, freeze wallets, freeze parts of balances, forced transfers and
//!   wallet recovery, each in batch form.
//!
//! Rules bind every movement of a compliant asset: `assets` submits each Transfer, Mint and
//! Burn to this module's movement guard ([`pillar_runtime::guard`]), whether the transaction
//! came from the sequencer or as a forced L1 transaction. One function, `decide`, answers both
//! the `canTransfer` query (an ERC-1404 restriction code) and enforcement. Every decision and
//! agent action leaves an event. The user-facing description is `docs/rwa.md`.

#![cfg_attr(not(feature = "std"), no_std)]

use alloc::string::ToString;

#[macro_use]
extern crate alloc;

mod agent;
mod calls;
mod decide;
mod error;
mod events;
mod query;
mod registry;
mod restriction;
mod state;

use pillar_assets::ASSETS;
use pillar_primitives::NATIVE_ASSET;
use pillar_runtime::{
    AssetMove, BlockEnv, CallError, Genesis, GenesisError, Invalid, Module, MoveKind, Refusal, TxContext,
    TxView, ValidateError,
};
use pillar_state::{StateError, StateRead, StateWrite};

pub use calls::*;
pub use error::ComplianceError;
pub use events::ComplianceEvent;
pub use query::can_transfer;
pub use restriction::{OK_MESSAGE, Restriction};
pub use state::{
    AGENTS, CLAIMS, CLOCK, COUNTRY_HOLDERS, Claim, FROZEN_AMOUNTS, FROZEN_WALLETS, HOLDERS, HOLDINGS,
    IDENTITIES, IdentityInfo, LOTS, Lot, MAX_LOTS, MAX_WALLETS, NEXT_IDENTITY, PAUSED, POSITIONS, Position,
    REGISTRY_AGENTS, RULES, SANCTIONED_IDENTITIES, SANCTIONED_WALLETS, TRUSTED_ISSUERS, WALLET_IDENTITY,
    WINDOWS, Window,
};

/// Module name and state prefix.
pub const NAME: &str = "compliance";

/// The compliance module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Compliance;

impl Module for Compliance {
    const NAME: &'static str = NAME;
    type Call = ComplianceCall;
    type Event = ComplianceEvent;

    fn genesis(&self, _genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        // Rule sets name assets and read their roles and balances.
        if ASSETS.get(state, &NATIVE_ASSET)?.is_none() {
            return Err(GenesisError::Invalid {
                module: NAME,
                reason: format!("the {} module must come before compliance", pillar_assets::NAME),
            });
        }
        Ok(())
    }

    fn validate(&self, tx: &TxView<'_>, state: &dyn StateRead) -> Result<(), ValidateError> {
        // Screen holder transfers at the door, judged on the latest block as `canTransfer` is, so
        // a refused transfer costs the sender nothing. Inclusion decides again (the guard), which
        // is what binds forced transactions. Mints and agent actions are not screened: issuers
        // send registration and mint back to back, before either is in a block.
        let Some(pillar_assets::AssetsCall::Transfer(t)) = tx.call.get::<pillar_assets::AssetsCall>() else {
            return Ok(());
        };
        if t.asset == NATIVE_ASSET || RULES.get(state, &t.asset)?.is_none() {
            return Ok(());
        }
        let now = CLOCK.get(state)?.unwrap_or(0);
        match can_transfer(state, t.asset, tx.sender, t.to, t.amount, now)? {
            None | Some(Restriction::InsufficientBalance) => Ok(()),
            Some(r) => {
                let e = ComplianceError::from(r);
                let refusal = Refusal {
                    module: NAME,
                    code: e.code(),
                    kind: "compliance_refused",
                    rpc_code: -38020,
                    reason: e.to_string(),
                };
                Err(Invalid::Refused(refusal).into())
            }
        }
    }

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &ComplianceCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            ComplianceCall::SetRegistryAgent(c) => registry::set_registry_agent(ctx, c, state),
            ComplianceCall::SetTrustedIssuer(c) => registry::set_trusted_issuer(ctx, c, state),
            ComplianceCall::RegisterIdentity(c) => registry::register_identity(ctx, c, state),
            ComplianceCall::LinkWallet(c) => registry::link_wallet(ctx, c, state),
            ComplianceCall::AddClaim(c) => registry::add_claim(ctx, c, state),
            ComplianceCall::RemoveClaim(c) => registry::remove_claim(ctx, c, state),
            ComplianceCall::SetSanctions(c) => registry::set_sanctions(ctx, c, state),
            ComplianceCall::SetComplianceRules(c) => agent::set_rules(ctx, c, state),
            ComplianceCall::SetComplianceAgent(c) => agent::set_agent(ctx, c, state),
            ComplianceCall::SetPaused(c) => agent::set_paused(ctx, c, state),
            ComplianceCall::FreezeWallets(c) => agent::freeze_wallets(ctx, c, state),
            ComplianceCall::FreezeAmounts(c) => agent::freeze_amounts(ctx, c, state),
            ComplianceCall::ForcedTransfers(c) => agent::forced_transfers(ctx, c, state),
            ComplianceCall::RecoverWallets(c) => agent::recover_wallets(ctx, c, state),
        }
    }

    fn guard_move(
        &self,
        ctx: &mut TxContext<'_>,
        mv: &AssetMove,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        // Assets without a rule set cost one read and are otherwise untouched.
        let Some(rules) = RULES.get(state, &mv.asset)? else { return Ok(()) };
        let action = match mv.kind {
            MoveKind::Transfer => decide::Action::Transfer,
            MoveKind::Mint => decide::Action::Mint,
            MoveKind::Burn => decide::Action::Burn,
        };
        let m = decide::Movement { asset: mv.asset, action, from: mv.from, to: mv.to, amount: mv.amount };
        let now = ctx.block.timestamp_ms;
        let plan = decide::decide(state, &rules, now, &m)?.map_err(ComplianceError::from)?;
        decide::apply(state, &rules, now, &m, &plan)?;
        ctx.emit(ComplianceEvent::ComplianceApproved {
            asset: mv.asset,
            action: action as u8,
            from: mv.from.unwrap_or_default(),
            to: mv.to.unwrap_or_default(),
            amount: mv.amount,
        });
        Ok(())
    }

    fn end_block(&self, block: &BlockEnv, _fees: u128, state: &mut dyn StateWrite) -> Result<(), StateError> {
        CLOCK.set(state, &block.timestamp_ms);
        Ok(())
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
