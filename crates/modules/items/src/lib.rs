//! The `items` module: game items in collections under an issuer, fungible or unique.
//!
//! - `CreateCollection` numbers a collection from 1; the sender is its **issuer** (admin) and
//!   first minter. The issuer appoints and dismisses minters (`SetItemMinter`): a game's servers
//!   mint with their own keys.
//! - `DefineItems` (issuer) fixes an item class for good: a cap on the units **ever minted**
//!   (burning does not free room, so a burned unique item is never minted again) and whether
//!   holders may transfer it. A cap of 1 makes a unique (non-fungible) item, whose holder is
//!   also kept in an owner index so `ownerOf` is one read.
//! - `MintItems` (minters), `TransferItems` and `BurnItems` (holders, which includes a session
//!   key acting for the player) move batches of up to 64 items, all or nothing, with one
//!   `ItemsMoved` event per item. Soulbound (non-transferable) items are only minted and burned.
//!
//! Holdings are kept per (collection, item, holder), zero entries deleted. Every failure is a
//! failed call with a stable code 6000–6099 ([`ItemsError::code`]). Deterministic: the module
//! reads nothing but state and the transaction. Specified in docs/games.md.

#![cfg_attr(not(feature = "std"), no_std)]

#[macro_use]
extern crate alloc;

mod call;
mod calls;
mod error;
mod events;
mod query;
mod state;

use pillar_primitives::CallSet;
use pillar_runtime::{CallError, Module, TxContext};
use pillar_state::StateWrite;

pub use calls::*;
pub use error::ItemsError;
pub use events::ItemsEvent;
pub use query::MAX_QUERIED_ITEMS;
pub use state::{
    COLLECTIONS, Collection, HOLDINGS, ITEMS, ItemInfo, MINTERS, NEXT_COLLECTION, OWNERS, holding, is_minter,
};

/// Module name and state prefix.
pub const NAME: &str = "items";

/// The items module.
#[derive(Debug, Default, Clone, Copy)]
pub struct Items;

impl Module for Items {
    const NAME: &'static str = NAME;
    type Call = ItemsCall;
    type Event = ItemsEvent;

    fn call(
        &self,
        ctx: &mut TxContext<'_>,
        call: &ItemsCall,
        state: &mut dyn StateWrite,
    ) -> Result<(), CallError> {
        // The runtime refuses malformed calls before dispatch; checking again keeps the module
        // safe when driven directly (the handlers rely on distinct, positive entries).
        call.check_shape().map_err(|reason| ItemsError::Malformed { reason })?;
        match call {
            ItemsCall::CreateCollection(c) => call::create_collection(ctx, c, state),
            ItemsCall::SetItemMinter(c) => call::set_minter(ctx, c, state),
            ItemsCall::DefineItems(c) => call::define_items(ctx, c, state),
            ItemsCall::MintItems(c) => call::mint(ctx, c, state),
            ItemsCall::TransferItems(c) => call::transfer(ctx, c, state),
            ItemsCall::BurnItems(c) => call::burn(ctx, c, state),
        }
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
