//! The `agents` module: identities, reputation and pay-per-request payment channels for AI
//! agents.
//!
//! - **Identities** (in the spirit of ERC-8004): `RegisterAgent` gives the sender a numbered
//!   agent (ids from 1) with a card URI, a payment wallet (zero: the owner) and metadata;
//!   `UpdateAgent` and `TransferAgent` are the owner's.
//! - **Reputation**: anyone but the agent's owner or wallet leaves scored feedback
//!   (`GiveFeedback`), flagged `paid` when the author has paid the agent through a channel; the
//!   author may revoke it. Per-agent aggregates give the average in one read.
//! - **Payment channels**: a payer escrows a deposit (`OpenChannel`, `FundChannel`) in the
//!   module's escrow account ([`escrow_address`]), signs one cumulative [`Voucher`] per request
//!   off chain, and the agent collects the latest one in a single `SettleChannel`. The payer
//!   recovers the unsettled rest after a close timeout (`RequestChannelClose`, `CloseChannel`).
//!   Payees check vouchers off chain with [`VoucherCheck`], the same rules as settlement.
//!
//! Escrow movements of issuer tokens pass the chain's movement guards ([`pillar_runtime::guard`]),
//! so compliance rules bind channels. Failures carry stable codes 5001–5099
//! ([`AgentsError::code`]). Deterministic: time is the block's timestamp. Specified in
//! docs/agents.md.
//!
//! [`Voucher`]: pillar_primitives::Voucher

#![cfg_attr(not(feature = "std"), no_std)]

#[macro_use]
extern crate alloc;

mod calls;
mod channel;
mod error;
mod events;
mod identity;
mod query;
mod reputation;
mod state;
mod voucher;

use pillar_primitives::{Address, keccak256};
use pillar_runtime::{CallError, Genesis, GenesisError, Module, TxContext};
use pillar_state::StateWrite;

pub use calls::*;
pub use error::AgentsError;
pub use events::AgentsEvent;
pub use query::{MAX_PAGE, channel_json};
pub use state::{
    AGENTS, Agent, CHANNELS, Channel, FEEDBACK, Feedback, NEXT_AGENT, NEXT_CHANNEL, OWNED_AGENTS,
    OWNER_AGENTS, PAID, REPUTATION, Reputation,
};
pub use voucher::{VoucherCheck, check_voucher};

/// Module name and state prefix.
pub const NAME: &str = "agents";

/// The seed of the escrow account's address.
pub const ESCROW_SEED: &[u8] = b"pillar.agents.escrow";

/// The account holding every channel's deposit: the last 20 bytes of
/// `keccak256("pillar.agents.escrow")`, `0xa20adcb7…c597db` (no key controls it; only this module
/// moves its balances).
pub fn escrow_address() -> Address {
    Address::from_slice(&keccak256(ESCROW_SEED)[12..])
}

/// The agents module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Agents;

impl Module for Agents {
    const NAME: &'static str = NAME;
    type Call = AgentsCall;
    type Event = AgentsEvent;

    fn genesis(&self, _genesis: &Genesis, state: &mut dyn StateWrite) -> Result<(), GenesisError> {
        // Channels escrow balances of the `assets` ledger.
        if pillar_assets::ASSETS.get(state, &pillar_primitives::NATIVE_ASSET)?.is_none() {
            return Err(GenesisError::Invalid {
                module: NAME,
                reason: format!("the {} module must come before agents", pillar_assets::NAME),
            });
        }
        Ok(())
    }

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &AgentsCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        match call {
            AgentsCall::RegisterAgent(c) => identity::register(ctx, c, state),
            AgentsCall::UpdateAgent(c) => identity::update(ctx, c, state),
            AgentsCall::TransferAgent(c) => identity::transfer(ctx, c, state),
            AgentsCall::GiveFeedback(c) => reputation::give(ctx, c, state),
            AgentsCall::RevokeFeedback(c) => reputation::revoke(ctx, c, state),
            AgentsCall::OpenChannel(c) => channel::open(ctx, c, state),
            AgentsCall::FundChannel(c) => channel::fund(ctx, c, state),
            AgentsCall::SettleChannel(c) => channel::settle(ctx, c, state),
            AgentsCall::RequestChannelClose(c) => channel::request_close(ctx, c, state),
            AgentsCall::CloseChannel(c) => channel::close_channel(ctx, c, state),
        }
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
