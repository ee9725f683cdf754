//! The compliance module's state layout (listed in docs/rwa.md).
//!
//! Registries are named by their owner's address; identities are numbered from 1 across all
//! registries. Per-asset tracking (positions, holder counts) is kept per identity, which is what
//! caps and limits count, and exists only for assets bound from birth (no supply when bound), so
//! it always matches the balances.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::SetComplianceRules;
use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId};
use pillar_state::{StateMap, StateValue};
use serde::Serialize;

use crate::NAME;

/// An identity: the registry it belongs to and how many wallets it has.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInfo {
    /// Registry (its owner's address).
    pub registry: Address,
    /// Wallets linked.
    pub wallets: u32,
}

/// A claim on an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// Value.
    pub value: u64,
    /// Issuer (the claim counts only while the issuer is trusted for the topic).
    pub issuer: Address,
    /// Expiry in ms (0: never).
    pub expires_ms: u64,
}

/// An identity's holding of one compliant asset, summed over its wallets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Units held across the identity's wallets.
    #[serde(serialize_with = "as_string")]
    pub balance: u128,
    /// Country it was counted under when it became a holder (0: unknown), so that a later
    /// change of its country claim cannot unbalance the per-country counts.
    pub country: u16,
}

/// Units minted to a wallet that stay locked until `until_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lot {
    /// Unlock time in ms.
    pub until_ms: u64,
    /// Units locked.
    #[serde(serialize_with = "as_string")]
    pub amount: u128,
}

/// An identity's outgoing transfers in its current limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// When the window opened (its first transfer).
    pub start_ms: u64,
    /// Units sent since.
    #[serde(serialize_with = "as_string")]
    pub spent: u128,
}

pub(crate) fn as_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// Most lock-up lots kept per wallet; a new lot beyond that merges into the latest one (keeping
/// the later unlock time, so merging never unlocks anything early).
pub const MAX_LOTS: usize = 16;
/// Most wallets per identity.
pub const MAX_WALLETS: u32 = 64;

/// Registry agents: present (true) when appointed. The owner is always an agent.
pub const REGISTRY_AGENTS: StateMap<(Address, Address), bool> = StateMap::new(NAME, "registry_agent");
/// Trusted claim issuers per (registry, topic).
pub const TRUSTED_ISSUERS: StateMap<(Address, u8, Address), bool> = StateMap::new(NAME, "trusted_issuer");
/// Id the next identity gets.
pub const NEXT_IDENTITY: StateValue<u64> = StateValue::new(NAME, "next_identity");
/// Identities.
pub const IDENTITIES: StateMap<u64, IdentityInfo> = StateMap::new(NAME, "identity");
/// The identity of a wallet in a registry.
pub const WALLET_IDENTITY: StateMap<(Address, Address), u64> = StateMap::new(NAME, "wallet_identity");
/// Claims per (identity, topic).
pub const CLAIMS: StateMap<(u64, u8), Claim> = StateMap::new(NAME, "claim");
/// Sanctioned wallets per registry.
pub const SANCTIONED_WALLETS: StateMap<(Address, Address), bool> = StateMap::new(NAME, "sanctioned_wallet");
/// Sanctioned identities per registry.
pub const SANCTIONED_IDENTITIES: StateMap<(Address, u64), bool> = StateMap::new(NAME, "sanctioned_identity");
/// How many compliant assets of a registry a wallet holds; a wallet is unlinked only at zero.
pub const HOLDINGS: StateMap<(Address, Address), u32> = StateMap::new(NAME, "holdings");
/// Rule sets; an asset with an entry is a compliant asset.
pub const RULES: StateMap<AssetId, SetComplianceRules> = StateMap::new(NAME, "rules");
/// Asset agents: present (true) when appointed. Asset admins are always agents.
pub const AGENTS: StateMap<(AssetId, Address), bool> = StateMap::new(NAME, "agent");
/// Paused assets.
pub const PAUSED: StateMap<AssetId, bool> = StateMap::new(NAME, "paused");
/// Frozen wallets per asset.
pub const FROZEN_WALLETS: StateMap<(AssetId, Address), bool> = StateMap::new(NAME, "frozen_wallet");
/// Frozen part of a wallet's balance (never above the balance).
pub const FROZEN_AMOUNTS: StateMap<(AssetId, Address), u128> = StateMap::new(NAME, "frozen_amount");
/// Lock-up lots of a wallet.
pub const LOTS: StateMap<(AssetId, Address), Vec<Lot>> = StateMap::new(NAME, "lots");
/// Positions per (asset, identity).
pub const POSITIONS: StateMap<(AssetId, u64), Position> = StateMap::new(NAME, "position");
/// Holder (identity) count per asset.
pub const HOLDERS: StateMap<AssetId, u32> = StateMap::new(NAME, "holders");
/// Holder count per (asset, country).
pub const COUNTRY_HOLDERS: StateMap<(AssetId, u16), u32> = StateMap::new(NAME, "country_holders");
/// Transfer-limit windows per (asset, identity).
pub const WINDOWS: StateMap<(AssetId, u64), Window> = StateMap::new(NAME, "window");
/// Timestamp of the last block, so queries judge time-dependent rules as of the chain's head.
pub const CLOCK: StateValue<u64> = StateValue::new(NAME, "clock");
