//! The canonical encoding: borsh with explicit size limits.
//!
//! Every decoder that sees external bytes goes through [`decode`], which refuses input over the
//! caller's limit before parsing and refuses trailing bytes after it, so one value has exactly one
//! encoding.

use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

use borsh::{BorshDeserialize, BorshSerialize};

/// Why bytes did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is larger than the decoder accepts.
    #[error("input of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Input length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a valid encoding of the type.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// The type being decoded.
        what: &'static str,
        /// What the parser reported.
        reason: String,
    },
    /// A valid value was followed by extra bytes.
    #[error("{extra} trailing bytes after {what}")]
    TrailingBytes {
        /// The type being decoded.
        what: &'static str,
        /// How many bytes were left over.
        extra: usize,
    },
}

/// Encodes a value canonically.
pub fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).expect("writing borsh into a Vec cannot fail")
}

/// Decodes exactly one value from `bytes`, refusing more than `limit` bytes.
pub fn decode<T: BorshDeserialize>(bytes: &[u8], limit: usize, what: &'static str) -> Result<T, DecodeError> {
    if bytes.len() > limit {
        return Err(DecodeError::TooLarge { len: bytes.len(), limit });
    }
    let mut rest = bytes;
    let value =
        T::deserialize(&mut rest).map_err(|e| DecodeError::Malformed { what, reason: e.to_string() })?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes { what, extra: rest.len() });
    }
    Ok(value)
}
