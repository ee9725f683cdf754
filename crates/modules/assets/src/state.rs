//! The assets module's state layout (see docs/state.md).

use alloc::string::String;
use alloc::string::ToString;

use crate::AssetRole;
use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId};
use pillar_state::{StateMap, StateValue};
use serde::Serialize;

use crate::NAME;

/// An asset's metadata and supply.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetInfo {
    /// Name.
    pub name: String,
    /// Symbol.
    pub symbol: String,
    /// Display decimals.
    pub decimals: u8,
    /// Supply cap.
    #[serde(serialize_with = "as_string")]
    pub max_supply: u128,
    /// Units in existence.
    #[serde(serialize_with = "as_string")]
    pub total_supply: u128,
    /// Creator (zero for native ETH).
    pub creator: Address,
}

/// The per-transaction fee and who receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeConfig {
    /// Flat fee per transaction in native wei.
    #[serde(serialize_with = "as_string")]
    pub tx_fee: u128,
    /// Recipient of fees.
    pub recipient: Address,
}

fn as_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// Balance of each (holder, issuer asset); absent means zero, and zero balances are deleted.
/// Native ETH (asset 0) is not here but in `pillar_accounts::ACCOUNTS`, beside the nonce.
pub const BALANCES: StateMap<(Address, AssetId), u128> = StateMap::new(NAME, "balance");
/// Metadata and supply of each asset.
pub const ASSETS: StateMap<AssetId, AssetInfo> = StateMap::new(NAME, "asset");
/// Id the next created asset gets.
pub const NEXT_ASSET: StateValue<AssetId> = StateValue::new(NAME, "next_asset");
/// Role grants: present (true) when granted.
pub const ROLES: StateMap<(AssetId, AssetRole, Address), bool> = StateMap::new(NAME, "role");
/// Fee configuration.
pub const FEES: StateValue<FeeConfig> = StateValue::new(NAME, "fees");
