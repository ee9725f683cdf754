//! The events the `items` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use alloc::string::String;

use pillar_primitives::{Address, u128_string};
use serde::{Deserialize, Serialize};

/// Something the `items` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 35)]
pub enum ItemsEvent {
    /// An item collection was created.
    CollectionCreated {
        /// Collection id.
        collection: u32,
        /// Issuer.
        issuer: Address,
        /// Name.
        name: String,
    },
    /// A collection's issuer appointed or dismissed a minter.
    ItemMinterChanged {
        /// Collection id.
        collection: u32,
        /// Minter.
        minter: Address,
        /// Appointed (true) or dismissed.
        enabled: bool,
    },
    /// An item class was defined.
    ItemDefined {
        /// Collection id.
        collection: u32,
        /// Item id.
        item: u64,
        /// Supply cap (1: unique).
        #[serde(with = "u128_string")]
        max_supply: u128,
        /// Whether players may move it.
        transferable: bool,
    },
    /// Items moved: minted (`from` zero), transferred, or burned (`to` zero). One event per item.
    ItemsMoved {
        /// Collection id.
        collection: u32,
        /// Item id.
        item: u64,
        /// Holder debited (zero for a mint).
        from: Address,
        /// Holder credited (zero for a burn).
        to: Address,
        /// Units.
        #[serde(with = "u128_string")]
        amount: u128,
    },
}
