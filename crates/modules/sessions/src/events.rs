//! The events the `sessions` module emits. Tags are global and append-only: the first is
//! `first_tag`, the rest follow in declaration order.

use pillar_primitives::{Address, SessionKey, u128_string};
use serde::{Deserialize, Serialize};

/// Something the `sessions` module reports happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, pillar_macros::Events)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[events(module = crate::NAME, first_tag = 23)]
pub enum SessionsEvent {
    /// An account authorized (or re-authorized) a session key.
    SessionAuthorized {
        /// Account.
        account: Address,
        /// Session key.
        key: SessionKey,
        /// Expiry (block time, ms).
        expires_ms: u64,
    },
    /// An account revoked a session key.
    SessionRevoked {
        /// Account.
        account: Address,
        /// Session key.
        key: SessionKey,
    },
    /// A sponsor set its policy.
    SponsorPolicySet {
        /// Sponsor.
        sponsor: Address,
        /// Fees it will still pay.
        #[serde(with = "u128_string")]
        budget: u128,
    },
}
