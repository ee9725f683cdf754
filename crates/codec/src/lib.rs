//! Batch-frame decoding shared by the node and the fault-proof program.
//!
//! A version-0 batch (`docs/batches.md`) is a version byte followed by one
//! zstd frame of borsh blocks. This crate owns the byte-level half of reading one: the size
//! limits, the version byte and a bounded zstd decompression ([`batch_payload`]). Decoding the
//! borsh blocks and checking that they form a chain stays in `pillar-derive`.
//!
//! It is `#![no_std]` (with `alloc`) and depends only on `ruzstd`, a pure-Rust zstd decoder, so
//! the node and the rv32im fault-proof program run the *same* decoder: a malformed frame cannot be
//! accepted by one and refused by the other, as it could if the node used libzstd and the program
//! a different implementation. What counts as a valid frame is written down in [`decompress`]
//! (RFC 8878, one frame, no dictionary, bounded window); every refusal is a typed
//! [`FrameError`], never a panic.

#![no_std]

extern crate alloc;

mod frame;

use alloc::vec::Vec;

pub use frame::{BlockRule, FrameError, Section, decompress};

/// The batch version byte this code reads (and `pillar-derive` writes).
pub const BATCH_VERSION: u8 = 0;
/// Largest batch accepted: six blobs of 4096 field elements of 31 usable bytes, rounded up.
pub const MAX_BATCH_BYTES: usize = 800 * 1024;
/// Largest decompressed payload accepted (a compression bomb stops here). Also the largest zstd
/// window a frame may declare: no payload within this cap needs a larger one.
pub const MAX_DECOMPRESSED_BYTES: usize = 32 * 1024 * 1024;

/// Why bytes are not a batch payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// No bytes.
    #[error("empty batch")]
    Empty,
    /// Larger than [`MAX_BATCH_BYTES`].
    #[error("batch of {size} bytes exceeds {limit}")]
    TooLarge {
        /// Size.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// A version this code does not read.
    #[error("unknown batch version {version}")]
    UnknownVersion {
        /// Version byte.
        version: u8,
    },
    /// The zstd frame is refused.
    #[error("batch does not decompress: {0}")]
    Frame(#[from] FrameError),
}

/// The decompressed payload of untrusted batch bytes: checks the size, then the version byte,
/// then decompresses the one zstd frame after it to at most [`MAX_DECOMPRESSED_BYTES`].
pub fn batch_payload(bytes: &[u8]) -> Result<Vec<u8>, PayloadError> {
    let (&version, frame) = bytes.split_first().ok_or(PayloadError::Empty)?;
    if bytes.len() > MAX_BATCH_BYTES {
        return Err(PayloadError::TooLarge { size: bytes.len(), limit: MAX_BATCH_BYTES });
    }
    if version != BATCH_VERSION {
        return Err(PayloadError::UnknownVersion { version });
    }
    Ok(decompress(frame, MAX_DECOMPRESSED_BYTES)?)
}
