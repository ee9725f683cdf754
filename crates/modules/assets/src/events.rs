//! The events the `assets` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use alloc::string::String;

use pillar_primitives::{Address, AssetId, u128_string};

use crate::AssetRole;
use serde::{Deserialize, Serialize};

/// Something the `assets` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 0)]
pub enum AssetsEvent {
    /// A fee was charged.
    FeePaid {
        /// Payer.
        from: Address,
        /// Amount in native wei.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Units moved between accounts.
    Transfer {
        /// Asset.
        asset: AssetId,
        /// Sender.
        from: Address,
        /// Recipient.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// An issuer token was created.
    AssetCreated {
        /// New asset id.
        asset: AssetId,
        /// Creator (first admin).
        creator: Address,
        /// Name.
        name: String,
        /// Symbol.
        symbol: String,
        /// Decimals.
        decimals: u8,
    },
    /// Units were minted.
    Minted {
        /// Asset.
        asset: AssetId,
        /// Recipient.
        to: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// Units were burned.
    Burned {
        /// Asset.
        asset: AssetId,
        /// Holder whose units were burned.
        from: Address,
        /// Amount.
        #[serde(with = "u128_string")]
        amount: u128,
    },
    /// A role was granted or revoked.
    RoleChanged {
        /// Asset.
        asset: AssetId,
        /// Role.
        role: AssetRole,
        /// Account.
        account: Address,
        /// Granted (true) or revoked.
        enabled: bool,
    },
}
