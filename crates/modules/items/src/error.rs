//! The items module's failures and their stable codes (6000–6099).
//!
//! Every items call fails with a receipt ([`Revert`]): the nonce and fee are consumed and the
//! call changes nothing. The codes are listed in docs/games.md.

use crate::CollectionId;
use pillar_primitives::Address;

/// Why an items call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemsError {
    /// No such collection.
    #[error("unknown collection {collection}")]
    UnknownCollection {
        /// Collection named.
        collection: CollectionId,
    },
    /// Only the collection's issuer may do this.
    #[error("{account} is not the issuer of collection {collection}")]
    NotIssuer {
        /// Collection.
        collection: CollectionId,
        /// Sender.
        account: Address,
    },
    /// Only a minter of the collection may mint.
    #[error("{account} is not a minter of collection {collection}")]
    NotMinter {
        /// Collection.
        collection: CollectionId,
        /// Sender.
        account: Address,
    },
    /// The item class is not defined.
    #[error("item {item} of collection {collection} is not defined")]
    UnknownItem {
        /// Collection.
        collection: CollectionId,
        /// Item.
        item: u64,
    },
    /// The item class is already defined (classes never change).
    #[error("item {item} of collection {collection} is already defined")]
    ItemAlreadyDefined {
        /// Collection.
        collection: CollectionId,
        /// Item.
        item: u64,
    },
    /// Minting would take the units ever minted above the cap.
    #[error(
        "minting {amount} of item {item} of collection {collection} would exceed its max supply \
         {max_supply} ({minted} minted so far)"
    )]
    SupplyCapExceeded {
        /// Collection.
        collection: CollectionId,
        /// Item.
        item: u64,
        /// Units minted so far.
        minted: u128,
        /// Units asked.
        amount: u128,
        /// Cap.
        max_supply: u128,
    },
    /// The item is soulbound: it is minted and burned, never transferred.
    #[error("item {item} of collection {collection} is soulbound (not transferable)")]
    Soulbound {
        /// Collection.
        collection: CollectionId,
        /// Item.
        item: u64,
    },
    /// The holder has fewer units than the amount.
    #[error("{holder} holds {balance} of item {item} of collection {collection}, needs {needed}")]
    InsufficientItems {
        /// Collection.
        collection: CollectionId,
        /// Item.
        item: u64,
        /// Holder.
        holder: Address,
        /// Units held.
        balance: u128,
        /// Units needed.
        needed: u128,
    },
    /// Items cannot be minted or transferred to the zero address (it stands for "none" in
    /// `ItemsMoved` events).
    #[error("items cannot be sent to the zero address")]
    ZeroRecipient,
    /// Every collection id is taken.
    #[error("no collection ids left")]
    CollectionIdsExhausted,
    /// The call fails the stateless checks (the runtime refuses these before dispatch, so this
    /// is only seen when the module is driven directly).
    #[error("malformed call: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// A counter or holding would overflow u128.
    #[error("overflow: {what}")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

impl ItemsError {
    /// The stable reason code.
    pub fn code(&self) -> u32 {
        match self {
            Self::UnknownCollection { .. } => 6001,
            Self::NotIssuer { .. } => 6002,
            Self::NotMinter { .. } => 6003,
            Self::UnknownItem { .. } => 6004,
            Self::ItemAlreadyDefined { .. } => 6005,
            Self::SupplyCapExceeded { .. } => 6006,
            Self::Soulbound { .. } => 6007,
            Self::InsufficientItems { .. } => 6008,
            Self::ZeroRecipient => 6009,
            Self::CollectionIdsExhausted => 6010,
            Self::Malformed { .. } => 6098,
            Self::Overflow { .. } => 6099,
        }
    }
}

impl pillar_runtime::ModuleError for ItemsError {
    fn code(&self) -> u32 {
        ItemsError::code(self)
    }
}
