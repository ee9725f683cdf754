//! Why the sequencer refused a transaction at the door.

use pillar_runtime::{Invalid, Refusal};
use pillar_stf::{DecodeError, RecoverError};

/// A refused submission. Each case has a stable JSON-RPC error code ([`Rejection::code`]) and a
/// stable machine name ([`Rejection::kind`]), listed in docs/rpc.md.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The bytes are not a transaction.
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// Larger than the limit.
    #[error("transaction of {size} bytes exceeds the limit of {limit} bytes")]
    Oversize {
        /// Size given.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// The signature does not yield a sender.
    #[error("bad signature: {0}")]
    BadSignature(#[from] RecoverError),
    /// Signed for another chain.
    #[error("wrong chain id: this chain is {expected}, the transaction is for {got}")]
    WrongChain {
        /// This chain.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// Nonce already used or already pending.
    #[error("nonce too low: next nonce is {expected}, got {got}")]
    NonceTooLow {
        /// Next usable nonce.
        expected: u64,
        /// Given.
        got: u64,
    },
    /// Nonce too far ahead.
    #[error("nonce gap too large: next nonce is {expected}, got {got}, at most {max_gap} ahead is accepted")]
    NonceGapTooLarge {
        /// Next usable nonce.
        expected: u64,
        /// Given.
        got: u64,
        /// Largest accepted gap.
        max_gap: u64,
    },
    /// The sender's balance cannot cover fee and amount.
    #[error("insufficient balance of asset {asset}: have {balance}, need {needed}")]
    InsufficientBalance {
        /// Asset.
        asset: u32,
        /// Balance.
        balance: u128,
        /// Needed.
        needed: u128,
    },
    /// The fee bound is below the chain's fee.
    #[error("max fee {max_fee} is below the chain fee {fee}")]
    FeeTooLow {
        /// Given.
        max_fee: u128,
        /// Chain fee.
        fee: u128,
    },
    /// The call names an asset that does not exist.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// Asset named.
        asset: u32,
    },
    /// No module on this chain handles the call.
    #[error("unknown call: {0}")]
    UnknownCall(String),
    /// Call arguments fail stateless checks.
    #[error("invalid call arguments: {0}")]
    InvalidArguments(String),
    /// The same transaction is already pending.
    #[error("transaction already known")]
    AlreadyKnown,
    /// Another transaction with this nonce is pending.
    #[error("another transaction with nonce {nonce} is already pending")]
    NonceAlreadyPending {
        /// The nonce.
        nonce: u64,
    },
    /// The pool is full.
    #[error("transaction pool is full ({capacity} transactions)")]
    PoolFull {
        /// Capacity.
        capacity: usize,
    },
    /// The sender has too many pending.
    #[error("sender has {limit} pending transactions, the most allowed")]
    SenderLimit {
        /// Limit.
        limit: usize,
    },
    /// The node could not read its own state; the submission may be retried.
    #[error("node storage unavailable: {0}")]
    Unavailable(String),
    /// The node stopped producing blocks after a storage failure.
    #[error("node is halted: {0}")]
    Halted(String),
    /// A module refused the transaction; its code and kind at the door are the module's
    /// ([`Refusal::rpc_code`], [`Refusal::kind`]).
    #[error(transparent)]
    Refused(Refusal),
    /// This node is a replica: it follows L1 (and the sequencer's feed) and takes no
    /// transactions.
    #[error("this node is a read-only replica; send transactions to the sequencer")]
    ReadOnly,
}

impl Rejection {
    /// Stable JSON-RPC error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Malformed(_) => -38001,
            Self::BadSignature(_) => -38002,
            Self::WrongChain { .. } => -38003,
            Self::NonceTooLow { .. } => -38004,
            Self::NonceGapTooLarge { .. } => -38005,
            Self::InsufficientBalance { .. } => -38006,
            Self::Oversize { .. } => -38007,
            Self::PoolFull { .. } => -38008,
            Self::UnknownCall(_) => -38009,
            Self::AlreadyKnown => -38010,
            Self::NonceAlreadyPending { .. } => -38011,
            Self::SenderLimit { .. } => -38012,
            Self::FeeTooLow { .. } => -38013,
            Self::InvalidArguments(_) => -38014,
            Self::UnknownAsset { .. } => -38016,
            Self::Unavailable(_) => -38098,
            Self::Halted(_) => -38099,
            Self::ReadOnly => -38017,
            Self::Refused(r) => r.rpc_code,
        }
    }

    /// Stable machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::BadSignature(_) => "bad_signature",
            Self::WrongChain { .. } => "wrong_chain_id",
            Self::NonceTooLow { .. } => "nonce_too_low",
            Self::NonceGapTooLarge { .. } => "nonce_gap_too_large",
            Self::InsufficientBalance { .. } => "insufficient_balance",
            Self::Oversize { .. } => "oversize",
            Self::PoolFull { .. } => "pool_full",
            Self::UnknownCall(_) => "unknown_call",
            Self::AlreadyKnown => "already_known",
            Self::NonceAlreadyPending { .. } => "nonce_already_pending",
            Self::SenderLimit { .. } => "sender_limit",
            Self::FeeTooLow { .. } => "fee_too_low",
            Self::InvalidArguments(_) => "invalid_arguments",
            Self::UnknownAsset { .. } => "unknown_asset",
            Self::Unavailable(_) => "unavailable",
            Self::Halted(_) => "halted",
            Self::ReadOnly => "read_only",
            Self::Refused(r) => r.kind,
        }
    }
}

impl From<DecodeError> for Rejection {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::TooLarge { len, limit } => Self::Oversize { size: len, limit },
            other => Self::Malformed(other.to_string()),
        }
    }
}

impl From<Invalid> for Rejection {
    fn from(i: Invalid) -> Self {
        match i {
            Invalid::WrongChain { expected, got } => Self::WrongChain { expected, got },
            Invalid::NonceTooLow { expected, got } => Self::NonceTooLow { expected, got },
            // Admission does not refuse nonces ahead (the pool holds them); execution does.
            Invalid::NonceAhead { expected, got } => Self::NonceGapTooLarge { expected, got, max_gap: 0 },
            Invalid::FeeTooLow { max_fee, fee } => Self::FeeTooLow { max_fee, fee },
            Invalid::InsufficientBalance { asset, balance, needed } => {
                Self::InsufficientBalance { asset, balance, needed }
            }
            Invalid::UnknownAsset { asset } => Self::UnknownAsset { asset },
            Invalid::UnknownCall { .. } | Invalid::NoEnvelopes => Self::UnknownCall(i.to_string()),
            Invalid::Malformed { reason } => Self::InvalidArguments(reason.to_string()),
            Invalid::Refused(r) => Self::Refused(r),
        }
    }
}
