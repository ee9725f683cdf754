//! The sessions module's failures and their stable codes (4000–4099).
//!
//! Calls (`AuthorizeSession`, `RevokeSession`, `SetSponsorPolicy`) fail with a receipt
//! ([`Revert`]); a session or sponsor refusal makes the transaction invalid (kept out of the
//! block, like a bad nonce), reported as an [`Invalid::Refused`] of kind `session_refused` or
//! `sponsor_refused` with the same code.

use alloc::string::ToString;

use pillar_primitives::{Address, AssetId, B256};
use pillar_runtime::{Invalid, Refusal, ValidateError};

/// Why a sessions call failed, or a session or sponsor refused a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionsError {
    /// The key is not a session of the account.
    #[error("key {key} is not a session of {account}")]
    UnknownSession {
        /// Account.
        account: Address,
        /// Key id.
        key: B256,
    },
    /// The account revoked the session.
    #[error("session {key} of {account} was revoked")]
    Revoked {
        /// Account.
        account: Address,
        /// Key id.
        key: B256,
    },
    /// The session expired.
    #[error("session expired at {expires_ms} ms (block time {now_ms} ms)")]
    Expired {
        /// Expiry.
        expires_ms: u64,
        /// Block time.
        now_ms: u64,
    },
    /// The call kind is not in the session's scope.
    #[error("call {call} (tag {tag}) is not in the session's scope")]
    CallNotAllowed {
        /// Call type name.
        call: &'static str,
        /// Call tag.
        tag: u8,
    },
    /// The spend would pass the session's total cap of the asset (no cap means zero).
    #[error("session spending cap of asset {asset}: spent {spent}, cap {cap}, asked {amount}")]
    TotalCapExceeded {
        /// Asset.
        asset: AssetId,
        /// Spent so far.
        spent: u128,
        /// Cap.
        cap: u128,
        /// Amount asked.
        amount: u128,
    },
    /// The spend would pass the session's per-window cap of the asset.
    #[error("session window cap of asset {asset}: spent {spent} this window, cap {cap}, asked {amount}")]
    WindowCapExceeded {
        /// Asset.
        asset: AssetId,
        /// Spent this window.
        spent: u128,
        /// Cap.
        cap: u128,
        /// Amount asked.
        amount: u128,
    },
    /// The session sent its most transactions for this window.
    #[error("session rate limit: {max_txs} transactions per {window_ms} ms")]
    RateLimited {
        /// Limit.
        max_txs: u32,
        /// Window.
        window_ms: u64,
    },
    /// The account has the most sessions allowed.
    #[error("account has {max} sessions, the most allowed; revoke one and authorize over it")]
    TooManySessions {
        /// Limit.
        max: usize,
    },
    /// Authorizing a session that is already expired.
    #[error("session would expire at {expires_ms} ms, not after the block time {now_ms} ms")]
    AlreadyExpired {
        /// Expiry given.
        expires_ms: u64,
        /// Block time.
        now_ms: u64,
    },
    /// The named sponsor has no policy (or a zero budget).
    #[error("{sponsor} sponsors no transactions")]
    NoSponsor {
        /// Sponsor.
        sponsor: Address,
    },
    /// The sponsor does not pay for this call kind.
    #[error("sponsor {sponsor} does not pay for {call} (tag {tag})")]
    CallNotSponsored {
        /// Sponsor.
        sponsor: Address,
        /// Call type name.
        call: &'static str,
        /// Call tag.
        tag: u8,
    },
    /// The fee is more than the sponsor's remaining budget.
    #[error("sponsor {sponsor} budget {budget} cannot cover fee {fee}")]
    BudgetExhausted {
        /// Sponsor.
        sponsor: Address,
        /// Remaining budget.
        budget: u128,
        /// Fee.
        fee: u128,
    },
    /// The user sent the most sponsored transactions for this window.
    #[error("sponsor {sponsor} pays at most {max_txs} transactions per user per {window_ms} ms")]
    SponsorRateLimited {
        /// Sponsor.
        sponsor: Address,
        /// Limit.
        max_txs: u32,
        /// Window.
        window_ms: u64,
    },
    /// A session-management call was signed by a session key.
    #[error("a session key cannot send {call}")]
    SessionManagementBySession {
        /// Call type name.
        call: &'static str,
    },
    /// A counter or amount would overflow.
    #[error("overflow: {what}")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

impl SessionsError {
    /// The stable reason code.
    pub fn code(&self) -> u32 {
        match self {
            Self::UnknownSession { .. } => 4001,
            Self::Revoked { .. } => 4002,
            Self::Expired { .. } => 4003,
            Self::CallNotAllowed { .. } => 4004,
            Self::TotalCapExceeded { .. } => 4005,
            Self::WindowCapExceeded { .. } => 4006,
            Self::RateLimited { .. } => 4007,
            Self::TooManySessions { .. } => 4008,
            Self::AlreadyExpired { .. } => 4009,
            Self::SessionManagementBySession { .. } => 4010,
            Self::NoSponsor { .. } => 4020,
            Self::CallNotSponsored { .. } => 4021,
            Self::BudgetExhausted { .. } => 4022,
            Self::SponsorRateLimited { .. } => 4023,
            Self::Overflow { .. } => 4099,
        }
    }

    /// Whether the refusal is the sponsor's (else the session's).
    pub fn is_sponsor(&self) -> bool {
        matches!(
            self,
            Self::NoSponsor { .. }
                | Self::CallNotSponsored { .. }
                | Self::BudgetExhausted { .. }
                | Self::SponsorRateLimited { .. }
        )
    }

    /// The refusal as an invalid transaction.
    pub fn invalid(&self) -> Invalid {
        let (kind, rpc_code) =
            if self.is_sponsor() { ("sponsor_refused", -38019) } else { ("session_refused", -38018) };
        Invalid::Refused(Refusal {
            module: crate::NAME,
            code: self.code(),
            kind,
            rpc_code,
            reason: self.to_string(),
        })
    }
}

impl From<SessionsError> for ValidateError {
    fn from(e: SessionsError) -> Self {
        ValidateError::Invalid(e.invalid())
    }
}

impl pillar_runtime::ModuleError for SessionsError {
    fn code(&self) -> u32 {
        SessionsError::code(self)
    }
}
