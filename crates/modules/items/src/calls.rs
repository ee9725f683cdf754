//! Call kinds of the `items` module: game items under an issuer (the game), fungible or unique,
//! in collections. An item class with a supply cap of 1 is a unique (non-fungible) item.
//! Semantics are in `docs/games.md`.

use alloc::string::String;
use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::Address;
use serde::{Deserialize, Serialize};

use pillar_primitives::{CallArgs, MAX_NAME_LEN};

use pillar_primitives::u128_string;

/// Identifier of an item collection (numbered from 1 in creation order).
pub type CollectionId = u32;

/// Most entries in one item batch call.
pub const MAX_ITEM_BATCH: usize = 64;
/// Longest collection or item metadata URI, in bytes.
pub const MAX_ITEM_URI_LEN: usize = 256;

/// Create a collection; the sender becomes its issuer (admin and first minter).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct CreateCollection {
    /// Display name, 1 to 64 bytes.
    pub name: String,
    /// Metadata URI template for the collection's items, at most 256 bytes.
    pub uri: String,
}

impl CallArgs for CreateCollection {
    fn check(&self) -> Result<(), &'static str> {
        if self.name.is_empty() || self.name.len() > MAX_NAME_LEN {
            return Err("a collection name must be 1 to 64 bytes");
        }
        if self.uri.len() > MAX_ITEM_URI_LEN {
            return Err("a collection URI is at most 256 bytes");
        }
        Ok(())
    }
}

/// Appoint (`enabled`) or dismiss a minter of a collection (issuer only).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct SetItemMinter {
    /// Collection.
    pub collection: CollectionId,
    /// Minter.
    pub minter: Address,
    /// Appoint when true, dismiss when false.
    pub enabled: bool,
}

impl CallArgs for SetItemMinter {}

/// One item class of a collection.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemClass {
    /// Item id within the collection.
    pub item: u64,
    /// Most units that may ever exist (1: a unique item).
    #[serde(with = "u128_string")]
    pub max_supply: u128,
    /// Whether players may move it (false: soulbound, only minted and burned).
    pub transferable: bool,
}

/// Define item classes of a collection (issuer only; a class, once defined, never changes).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct DefineItems {
    /// Collection.
    pub collection: CollectionId,
    /// Classes, 1 to 64, distinct item ids.
    pub classes: Vec<ItemClass>,
}

impl CallArgs for DefineItems {
    fn check(&self) -> Result<(), &'static str> {
        check_classes(&self.classes)
    }
}

/// An amount of one item.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct ItemAmount {
    /// Item id.
    pub item: u64,
    /// Units (1 for a unique item).
    #[serde(with = "u128_string")]
    pub amount: u128,
}

/// Mint items to a player (minter only).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct MintItems {
    /// Collection.
    pub collection: CollectionId,
    /// Recipient.
    pub to: Address,
    /// Items, 1 to 64 entries.
    pub items: Vec<ItemAmount>,
}

impl CallArgs for MintItems {
    fn check(&self) -> Result<(), &'static str> {
        check_amounts(&self.items)
    }
}

/// Move the sender's items to another player.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct TransferItems {
    /// Collection.
    pub collection: CollectionId,
    /// Recipient.
    pub to: Address,
    /// Items, 1 to 64 entries.
    pub items: Vec<ItemAmount>,
}

impl CallArgs for TransferItems {
    fn check(&self) -> Result<(), &'static str> {
        check_amounts(&self.items)
    }
}

/// Burn items from the sender's own holdings (consumables, crafting).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
    pillar_macros::Eip712,
)]
#[serde(deny_unknown_fields)]
pub struct BurnItems {
    /// Collection.
    pub collection: CollectionId,
    /// Items, 1 to 64 entries.
    pub items: Vec<ItemAmount>,
}

impl CallArgs for BurnItems {
    fn check(&self) -> Result<(), &'static str> {
        check_amounts(&self.items)
    }
}

pub(super) fn check_amounts(items: &[ItemAmount]) -> Result<(), &'static str> {
    if items.is_empty() || items.len() > MAX_ITEM_BATCH {
        return Err("an item batch holds 1 to 64 entries");
    }
    if items.iter().any(|i| i.amount == 0) {
        return Err("an item amount must be positive");
    }
    for (i, e) in items.iter().enumerate() {
        if items[..i].iter().any(|o| o.item == e.item) {
            return Err("an item batch lists each item once");
        }
    }
    Ok(())
}

pub(super) fn check_classes(classes: &[ItemClass]) -> Result<(), &'static str> {
    if classes.is_empty() || classes.len() > MAX_ITEM_BATCH {
        return Err("an item batch holds 1 to 64 entries");
    }
    if classes.iter().any(|c| c.max_supply == 0) {
        return Err("an item's supply cap must be positive");
    }
    for (i, e) in classes.iter().enumerate() {
        if classes[..i].iter().any(|o| o.item == e.item) {
            return Err("an item batch lists each item once");
        }
    }
    Ok(())
}

pillar_primitives::declare_calls! {
    /// The `items` module's calls.
    pub enum ItemsCall for crate::NAME {
        /// `items`: create an item collection; the sender is its issuer.
        33 => CreateCollection(CreateCollection),
        /// `items`: appoint or dismiss a minter (issuer).
        34 => SetItemMinter(SetItemMinter),
        /// `items`: define item classes, fungible or unique (issuer).
        35 => DefineItems(DefineItems),
        /// `items`: mint items to a player (minter).
        36 => MintItems(MintItems),
        /// `items`: move the sender's items to another player.
        37 => TransferItems(TransferItems),
        /// `items`: burn items the sender holds.
        38 => BurnItems(BurnItems),
    }
}
