//! Outcomes that are not success.
//!
//! Three kinds, handled differently: [`Invalid`] keeps a transaction out of the block (it never
//! happened), [`Revert`] is a failed call that still consumes nonce and fee and gets a receipt,
//! and [`pillar_state::StateError`] is a storage failure that stops block production.

use alloc::string::String;
use alloc::string::ToString;

use pillar_primitives::AssetId;
use pillar_state::StateError;

/// Why a transaction cannot be included at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// Signed for another chain.
    #[error("transaction is for chain {got}, this chain is {expected}")]
    WrongChain {
        /// This chain.
        expected: u64,
        /// Chain in the transaction.
        got: u64,
    },
    /// Nonce already used.
    #[error("nonce too low: account nonce is {expected}, transaction has {got}")]
    NonceTooLow {
        /// Next nonce of the account.
        expected: u64,
        /// Nonce given.
        got: u64,
    },
    /// Nonce ahead of the account's next nonce.
    #[error("nonce {got} is ahead of the account nonce {expected}")]
    NonceAhead {
        /// Next nonce of the account.
        expected: u64,
        /// Nonce given.
        got: u64,
    },
    /// The transaction's fee bound is below the chain's fee.
    #[error("max fee {max_fee} is below the chain fee {fee}")]
    FeeTooLow {
        /// Bound given.
        max_fee: u128,
        /// Fee charged per transaction.
        fee: u128,
    },
    /// The sender cannot cover the fee and amount.
    #[error("insufficient balance of asset {asset}: have {balance}, need {needed}")]
    InsufficientBalance {
        /// Asset.
        asset: AssetId,
        /// Balance.
        balance: u128,
        /// Amount required.
        needed: u128,
    },
    /// The call names an asset that does not exist.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// Asset named.
        asset: AssetId,
    },
    /// No module of this chain handles the call.
    #[error("unknown call: this chain has no {module} module")]
    UnknownCall {
        /// Module named by the call.
        module: &'static str,
    },
    /// The transaction carries an envelope (a session key or a fee sponsor) and no module of this
    /// chain enforces envelopes.
    #[error("unknown call: this chain has no module that checks session keys and sponsors")]
    NoEnvelopes,
    /// Arguments fail stateless checks.
    #[error("malformed call: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// A module refused the transaction (a session out of scope, a sponsor that will not pay, a
    /// compliance rule, an unbacked withdrawal…): the module, its stable code and why.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// A module's refusal to admit a transaction. The runtime and the sequencer carry it as is, so a
/// new module's refusals need no new variant anywhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} (code {code}): {reason}", kind.replace('_', " "))]
pub struct Refusal {
    /// The module that refused.
    pub module: &'static str,
    /// The module's stable reason code (module ranges in docs/transactions.md).
    pub code: u32,
    /// Stable machine name at the RPC door (`data.kind`, e.g. `session_refused`).
    pub kind: &'static str,
    /// JSON-RPC error code at the door (docs/rpc.md; the module's own, in -38018…-38099).
    pub rpc_code: i32,
    /// Readable reason.
    pub reason: String,
}

/// A failed call: stable code and readable reason, recorded in the receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (code {code})")]
pub struct Revert {
    /// Stable reason code (module ranges are listed in docs/transactions.md).
    pub code: u32,
    /// Human-readable reason.
    pub reason: String,
}

/// A module's error enum: a stable code in the module's range and a readable reason. With it,
/// `?` turns the error into a failed call ([`Revert`], [`CallError`]); no module writes those
/// conversions itself.
pub trait ModuleError: core::fmt::Display {
    /// Stable reason code (module ranges are listed in docs/transactions.md).
    fn code(&self) -> u32;
}

impl<E: ModuleError> From<E> for Revert {
    fn from(e: E) -> Self {
        Revert { code: e.code(), reason: e.to_string() }
    }
}

impl<E: ModuleError> From<E> for CallError {
    fn from(e: E) -> Self {
        CallError::Revert(e.into())
    }
}

/// What a call handler can return besides success.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The call failed; the receipt says why.
    #[error(transparent)]
    Revert(#[from] Revert),
    /// Storage failed; block production stops.
    #[error(transparent)]
    State(#[from] StateError),
}

/// A genesis configuration the modules cannot apply.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// Invalid configuration.
    #[error("invalid genesis for module {module}: {reason}")]
    Invalid {
        /// Module.
        module: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    State(#[from] StateError),
}

/// A query that cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No such module on this chain.
    #[error("no module {module} on this chain")]
    UnknownModule {
        /// Name asked for.
        module: String,
    },
    /// The module has no such query.
    #[error("module {module} has no query {method}")]
    UnknownMethod {
        /// Module.
        module: &'static str,
        /// Query asked for.
        method: String,
    },
    /// A module's default answer to a query it does not have; the runtime reports it as
    /// [`QueryError::UnknownMethod`] with the module's name.
    #[error("no query {method}")]
    NoQuery {
        /// Query asked for.
        method: String,
    },
    /// Parameters do not parse.
    #[error("invalid parameters for {method}: {reason}")]
    BadParams {
        /// Query.
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    State(#[from] StateError),
}
