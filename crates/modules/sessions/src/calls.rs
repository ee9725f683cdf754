//! Call kinds of the `sessions` module: session keys scoped by call kind, spending caps, rate and
//! expiry, and fee sponsorship policies. Semantics are in `docs/games.md`.

use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use pillar_primitives::{CallArgs, CallKind};

use pillar_primitives::SessionKey;
use pillar_primitives::{AssetId, u128_string};

/// Most assets a session may spend (one cap each).
pub const MAX_SESSION_CAPS: usize = 8;

/// Authorize a session key for the sender: it may then sign transactions for the sender within
/// the scope below, until `expires_ms` or a [`RevokeSession`]. Authorizing a key again replaces
/// its scope and resets its usage.
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
pub struct AuthorizeSession {
    /// The session's public key.
    pub key: SessionKey,
    /// Call kinds the session may send: bit `t` allows the call with borsh tag `t`
    /// ([`CallSet::tag`](pillar_primitives::CallSet::tag)). Session-management calls can never be allowed.
    pub calls: u64,
    /// Block timestamp (ms) from which the session no longer authorizes anything.
    pub expires_ms: u64,
    /// Length of the rolling window for `per_window` caps and `max_txs` (0: no window limits).
    pub window_ms: u64,
    /// Most transactions per window (0: no limit).
    pub max_txs: u32,
    /// What the session may spend, per asset; an asset not listed cannot be spent at all (the
    /// fee counts as native spending unless a sponsor pays it).
    pub caps: Vec<SpendCap>,
}

impl CallArgs for AuthorizeSession {
    fn check(&self) -> Result<(), &'static str> {
        if self.caps.len() > MAX_SESSION_CAPS {
            return Err("a session lists at most 8 spending caps");
        }
        if SESSION_MANAGEMENT_TAGS.iter().any(|t| self.calls & (1 << t) != 0) {
            return Err("a session may not be allowed session-management calls");
        }
        let mut assets: Vec<AssetId> = self.caps.iter().map(|x| x.asset).collect();
        assets.sort_unstable();
        if assets.windows(2).any(|w| w[0] == w[1]) {
            return Err("a session lists each asset's cap once");
        }
        if !self.key.is_valid_point() {
            return Err("the session public key is not a valid point of its curve");
        }
        Ok(())
    }
}

/// A spending cap of a session for one asset.
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
pub struct SpendCap {
    /// Asset.
    pub asset: AssetId,
    /// Most the session may spend over its life.
    #[serde(with = "u128_string")]
    pub total: u128,
    /// Most per window (ignored when the window is 0).
    #[serde(with = "u128_string")]
    pub per_window: u128,
}

/// Revoke a session key of the sender, effective from the next transaction.
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
pub struct RevokeSession {
    /// The key revoked.
    pub key: SessionKey,
}

impl CallArgs for RevokeSession {}

/// Set (or replace) the sender's sponsor policy: the sender then pays the fee of transactions
/// that name it as sponsor, within this policy. A zero budget stops sponsoring.
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
pub struct SetSponsorPolicy {
    /// Total fees the sponsor will still pay (replaces what was left).
    #[serde(with = "u128_string")]
    pub budget: u128,
    /// Call kinds sponsored (bit `t` for call tag `t`).
    pub calls: u64,
    /// Window for the per-user limit (0: no per-user limit).
    pub window_ms: u64,
    /// Most sponsored transactions per user per window (0: no limit).
    pub max_txs_per_user: u32,
}

impl CallArgs for SetSponsorPolicy {}

/// Call tags of the session-management calls, which a session key may never send (a session
/// that could authorize sessions or sponsor others could widen its own scope).
pub const SESSION_MANAGEMENT_TAGS: [u8; 2] = [AuthorizeSession::TAG, SetSponsorPolicy::TAG];

pillar_primitives::declare_calls! {
    /// The `sessions` module's calls.
    pub enum SessionsCall for crate::NAME {
        /// `sessions`: authorize a session key to act for the sender within a scope.
        20 => AuthorizeSession(AuthorizeSession),
        /// `sessions`: revoke a session key of the sender.
        21 => RevokeSession(RevokeSession),
        /// `sessions`: set the sender's fee sponsorship policy.
        22 => SetSponsorPolicy(SetSponsorPolicy),
    }
}
