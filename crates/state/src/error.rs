//! Storage errors.

use alloc::string::String;
use core::fmt;

use alloy_primitives::B256;

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
    /// A witness (`WitnessState`) lacks a node preimage or a value that reading or updating the
    /// trie needs: the block touched a key the witness was not recorded for.
    #[error("witness has no {item} for hash {hash}")]
    WitnessMissing {
        /// What was asked for.
        item: WitnessItem,
        /// The node hash, or the value's sha256.
        hash: B256,
    },
    /// A witness's nodes do not form a trie of 256-bit key paths (a tampered or wrong witness).
    #[error("witness is malformed at depth {depth}: {reason}")]
    WitnessMalformed {
        /// Depth of the node where the walk found the fault (0 = root).
        depth: u16,
        /// What is wrong.
        reason: &'static str,
    },
}

/// What a witness was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessItem {
    /// A trie node's 64-byte preimage, by node hash.
    Node,
    /// A value, by its sha256.
    Value,
}

impl fmt::Display for WitnessItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Node => "node preimage",
            Self::Value => "value",
        })
    }
}
