//! The agents module's failures and their stable codes (5000–5099).
//!
//! Every call failure is a [`Revert`] with one of these codes in the receipt (the call's writes
//! are undone, its nonce and fee are not). The off-chain voucher check
//! ([`crate::check_voucher`]) refuses with the same errors a settlement would.

use pillar_primitives::{Address, AssetId};

/// Why an agents call failed, or a voucher was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentsError {
    /// No such agent.
    #[error("unknown agent {agent}")]
    UnknownAgent {
        /// Agent id asked for.
        agent: u64,
    },
    /// The sender does not own the agent.
    #[error("{account} is not the owner of agent {agent}")]
    NotOwner {
        /// Agent id.
        agent: u64,
        /// Sender.
        account: Address,
    },
    /// The agent's owner or payment wallet rating the agent.
    #[error("{account} is the owner or wallet of agent {agent} and cannot rate it")]
    SelfFeedback {
        /// Agent id.
        agent: u64,
        /// Sender.
        account: Address,
    },
    /// No feedback entry at that index.
    #[error("agent {agent} has no feedback entry {index}")]
    UnknownFeedback {
        /// Agent id.
        agent: u64,
        /// Index asked for.
        index: u64,
    },
    /// Revoking someone else's feedback.
    #[error("{account} did not write feedback {index} of agent {agent}")]
    NotFeedbackAuthor {
        /// Agent id.
        agent: u64,
        /// Index.
        index: u64,
        /// Sender.
        account: Address,
    },
    /// The feedback entry was already revoked.
    #[error("feedback {index} of agent {agent} is already revoked")]
    FeedbackAlreadyRevoked {
        /// Agent id.
        agent: u64,
        /// Index.
        index: u64,
    },
    /// No such channel.
    #[error("unknown channel {channel}")]
    UnknownChannel {
        /// Channel id asked for.
        channel: u64,
    },
    /// A payer-only call from someone else.
    #[error("{account} is not the payer of channel {channel}")]
    NotPayer {
        /// Channel id.
        channel: u64,
        /// Sender.
        account: Address,
    },
    /// A settlement from someone other than the payee agent's owner or wallet.
    #[error("{account} is neither the owner nor the wallet of agent {agent}, payee of channel {channel}")]
    NotPayee {
        /// Channel id.
        channel: u64,
        /// Payee agent.
        agent: u64,
        /// Sender.
        account: Address,
    },
    /// The signature is not the channel's voucher key's over this voucher (chain, channel and
    /// cumulative amount).
    #[error("bad voucher signature for channel {channel}, cumulative {cumulative}")]
    BadVoucherSignature {
        /// Channel id.
        channel: u64,
        /// Cumulative amount claimed.
        cumulative: u128,
    },
    /// The voucher does not owe more than what was already settled or accepted: a replayed or
    /// reordered voucher.
    #[error(
        "voucher for channel {channel} owes {cumulative} in total, not more than the {settled} already counted"
    )]
    VoucherNotIncreasing {
        /// Channel id.
        channel: u64,
        /// Cumulative amount of the voucher.
        cumulative: u128,
        /// Already settled (on chain) or accepted (off chain).
        settled: u128,
    },
    /// The voucher owes more than the channel holds.
    #[error("voucher for channel {channel} owes {cumulative}, above its deposit {deposit}")]
    VoucherAboveDeposit {
        /// Channel id.
        channel: u64,
        /// Cumulative amount of the voucher.
        cumulative: u128,
        /// Deposit.
        deposit: u128,
    },
    /// The channel has ended.
    #[error("channel {channel} is closed")]
    ChannelClosed {
        /// Channel id.
        channel: u64,
    },
    /// `CloseChannel` without a close request.
    #[error("channel {channel} has no close request; send RequestChannelClose first")]
    CloseNotRequested {
        /// Channel id.
        channel: u64,
    },
    /// `CloseChannel` before the payee's settlement window ended.
    #[error("channel {channel} may close from {closes_at_ms} ms (block time {now_ms} ms)")]
    CloseTimeoutNotPassed {
        /// Channel id.
        channel: u64,
        /// When it may close.
        closes_at_ms: u64,
        /// Block time.
        now_ms: u64,
    },
    /// A settlement after the close request's timeout ran out.
    #[error("settlement window of channel {channel} ended at {closes_at_ms} ms (block time {now_ms} ms)")]
    SettlementWindowOver {
        /// Channel id.
        channel: u64,
        /// End of the window.
        closes_at_ms: u64,
        /// Block time.
        now_ms: u64,
    },
    /// The channel names an asset that does not exist.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// Asset.
        asset: AssetId,
    },
    /// A balance cannot cover an escrow movement.
    #[error("insufficient balance of asset {asset}: have {balance}, need {needed}")]
    InsufficientBalance {
        /// Asset.
        asset: AssetId,
        /// Balance.
        balance: u128,
        /// Amount required.
        needed: u128,
    },
    /// A counter, id or amount would overflow.
    #[error("overflow: {what}")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

impl AgentsError {
    /// The stable reason code.
    pub fn code(&self) -> u32 {
        match self {
            Self::UnknownAgent { .. } => 5001,
            Self::NotOwner { .. } => 5002,
            Self::SelfFeedback { .. } => 5003,
            Self::UnknownFeedback { .. } => 5004,
            Self::NotFeedbackAuthor { .. } => 5005,
            Self::FeedbackAlreadyRevoked { .. } => 5006,
            Self::UnknownChannel { .. } => 5010,
            Self::NotPayer { .. } => 5011,
            Self::NotPayee { .. } => 5012,
            Self::BadVoucherSignature { .. } => 5013,
            Self::VoucherNotIncreasing { .. } => 5014,
            Self::VoucherAboveDeposit { .. } => 5015,
            Self::ChannelClosed { .. } => 5016,
            Self::CloseNotRequested { .. } => 5017,
            Self::CloseTimeoutNotPassed { .. } => 5018,
            Self::SettlementWindowOver { .. } => 5019,
            Self::UnknownAsset { .. } => 5020,
            Self::InsufficientBalance { .. } => 5021,
            Self::Overflow { .. } => 5099,
        }
    }
}

impl pillar_runtime::ModuleError for AgentsError {
    fn code(&self) -> u32 {
        AgentsError::code(self)
    }
}
