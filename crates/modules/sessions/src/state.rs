//! The sessions module's state layout (listed in docs/games.md).
//!
//! A session-signed transfer touches one session record (scope and usage together, so the check
//! costs one key) and, when sponsored, the sponsor's policy and the sponsor's counter for the
//! user.

use alloc::string::ToString;
use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};
use pillar_primitives::{Address, AssetId, B256, SessionKey};
use pillar_state::{StateMap, StateValue};
use serde::Serialize;

use crate::NAME;

/// Most sessions (live, expired or revoked) an account keeps; authorize over a revoked or
/// expired one to reuse its slot.
pub const MAX_SESSIONS_PER_ACCOUNT: usize = 16;

/// A session key of an account: its scope and what it has used.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The key.
    pub key: SessionKey,
    /// Allowed call kinds (bit per call tag).
    pub calls: u64,
    /// Block time (ms) from which it no longer authorizes.
    pub expires_ms: u64,
    /// Rolling window length in ms (0: no window limits).
    pub window_ms: u64,
    /// Most transactions per window (0: no limit).
    pub max_txs: u32,
    /// Spending caps and what was spent, per asset.
    pub caps: Vec<CapUsage>,
    /// Revoked by the account.
    pub revoked: bool,
    /// Start of the current window (a window opens with the first transaction after the
    /// previous one ended).
    pub window_start_ms: u64,
    /// Transactions in the current window.
    pub window_txs: u32,
    /// Transactions sent over the session's life.
    pub total_txs: u64,
}

/// One asset's cap and usage.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapUsage {
    /// Asset.
    pub asset: AssetId,
    /// Cap over the session's life.
    #[serde(serialize_with = "as_string")]
    pub total: u128,
    /// Cap per window.
    #[serde(serialize_with = "as_string")]
    pub per_window: u128,
    /// Spent over the session's life.
    #[serde(serialize_with = "as_string")]
    pub spent: u128,
    /// Spent in the current window.
    #[serde(serialize_with = "as_string")]
    pub window_spent: u128,
}

/// A sponsor's policy and what it has paid.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SponsorPolicy {
    /// Fees it will still pay.
    #[serde(serialize_with = "as_string")]
    pub budget: u128,
    /// Call kinds it pays for (bit per call tag).
    pub calls: u64,
    /// Window of the per-user limit (0: none).
    pub window_ms: u64,
    /// Most sponsored transactions per user per window (0: no limit).
    pub max_txs_per_user: u32,
    /// Fees paid so far under any policy.
    #[serde(serialize_with = "as_string")]
    pub paid: u128,
}

/// A user's sponsored transactions in the current window of one sponsor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserWindow {
    /// Start of the window.
    pub start_ms: u64,
    /// Transactions in it.
    pub txs: u32,
}

/// Timestamp of the latest block (ms): the time mempool admission judges expiry by.
pub const LAST_BLOCK_MS: StateValue<u64> = StateValue::new(NAME, "last_block_ms");
/// Sessions by (account, key id).
pub const SESSIONS: StateMap<(Address, B256), Session> = StateMap::new(NAME, "session");
/// Key ids of each account's sessions, in authorization order.
pub const ACCOUNT_SESSIONS: StateMap<Address, Vec<B256>> = StateMap::new(NAME, "account_sessions");
/// Sponsor policies.
pub const SPONSORS: StateMap<Address, SponsorPolicy> = StateMap::new(NAME, "sponsor");
/// Per (sponsor, user) window counters.
pub const SPONSORED: StateMap<(Address, Address), UserWindow> = StateMap::new(NAME, "sponsored");

pub(crate) fn as_string<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}
