//! The items module's state layout (listed in docs/games.md).
//!
//! A transfer of one item reads its class and writes two holdings (plus the owner index when the
//! item is unique); a mint or burn also writes the class record, which carries the supply
//! counters so that a supply check costs one key.

use alloc::string::String;
use alloc::string::ToString;

use crate::CollectionId;
use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::Address;
use pillar_state::{StateError, StateMap, StateRead, StateValue, StateWrite};
use serde::Serialize;

use crate::NAME;

/// A collection: who runs it and how it is described.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// The creator: admin of minters and item classes (its game servers mint with their own
    /// keys once appointed).
    pub issuer: Address,
    /// Display name.
    pub name: String,
    /// Metadata URI template of its items.
    pub uri: String,
}

/// An item class and its supply counters.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemInfo {
    /// Most units that may ever be minted (1: a unique item). Burned units are not given back:
    /// the cap bounds `minted`, not what circulates.
    #[serde(serialize_with = "as_string")]
    pub max_supply: u128,
    /// Whether holders may transfer it (false: soulbound).
    pub transferable: bool,
    /// Units minted over the item's life.
    #[serde(serialize_with = "as_string")]
    pub minted: u128,
    /// Units burned over the item's life.
    #[serde(serialize_with = "as_string")]
    pub burned: u128,
}

impl ItemInfo {
    /// A unique (non-fungible) item: at most one unit ever exists.
    pub fn is_unique(&self) -> bool {
        self.max_supply == 1
    }

    /// Units held by someone: minted minus burned.
    pub fn circulating(&self) -> u128 {
        self.minted.saturating_sub(self.burned)
    }
}

/// Id the next created collection gets (1 when unset).
pub const NEXT_COLLECTION: StateValue<CollectionId> = StateValue::new(NAME, "next_collection");
/// Collections by id.
pub const COLLECTIONS: StateMap<CollectionId, Collection> = StateMap::new(NAME, "collection");
/// Minters of each collection: present (true) while appointed, deleted when dismissed.
pub const MINTERS: StateMap<(CollectionId, Address), bool> = StateMap::new(NAME, "minter");
/// Item classes with their supply, by (collection, item).
pub const ITEMS: StateMap<(CollectionId, u64), ItemInfo> = StateMap::new(NAME, "item");
/// Units held, by (collection, item, holder); absent means zero, and zero holdings are deleted.
pub const HOLDINGS: StateMap<(CollectionId, u64, Address), u128> = StateMap::new(NAME, "holding");
/// Holder of each unique item while it exists (never written for fungible items).
pub const OWNERS: StateMap<(CollectionId, u64), Address> = StateMap::new(NAME, "owner");

/// Units of `item` that `holder` has.
pub fn holding(
    state: &(impl StateRead + ?Sized),
    collection: CollectionId,
    item: u64,
    holder: Address,
) -> Result<u128, StateError> {
    Ok(HOLDINGS.get(state, &(collection, item, holder))?.unwrap_or(0))
}

/// Whether `account` may mint in `collection`.
pub fn is_minter(
    state: &(impl StateRead + ?Sized),
    collection: CollectionId,
    account: Address,
) -> Result<bool, StateError> {
    Ok(MINTERS.get(state, &(collection, account))?.unwrap_or(false))
}

pub(crate) fn set_holding(
    state: &mut (impl StateWrite + ?Sized),
    collection: CollectionId,
    item: u64,
    holder: Address,
    amount: u128,
) {
    // Zero holdings are deleted so the trie holds only live entries.
    if amount == 0 {
        HOLDINGS.remove(state, &(collection, item, holder));
    } else {
        HOLDINGS.set(state, &(collection, item, holder), &amount);
    }
}

pub(crate) fn as_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}
