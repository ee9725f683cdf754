//! Storage errors.

use alloc::string::String;

/// A failure of the storage layer itself. Never the result of a user's input: the block
/// producer treats it as fatal rather than turning it into a receipt, so every node executes the
/// same way.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// NOMT reported an I/O or consistency failure.
    #[error("state database failure during {op}: {reason}")]
    Backend {
        /// What was being done.
        op: &'static str,
        /// The backend's message.
        reason: String,
    },
    /// A stored value does not decode as the type its accessor expects.
    #[error("stored value under {key} does not decode: {reason}")]
    Corrupt {
        /// Hex key path.
        key: String,
        /// Decoder message.
        reason: String,
    },
}
