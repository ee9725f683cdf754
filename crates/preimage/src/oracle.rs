//! The oracle the fault-proof program is written against, and the limits on what it serves.

use alloc::vec::Vec;

use thiserror::Error;

use crate::{check::KeyCheckError, key::PreimageKey};

/// The largest preimage the oracle serves: 16 MiB. The largest object the derivation asks for by
/// hash is an L1 block's transaction list, a few MiB at today's gas limits; the guest's heap is a
/// 96 MiB arena, so a preimage must be a small part of it. A host refuses to serve more (the VM
/// stops rather than allocate), and the guest client refuses a length prefix above it before it
/// allocates anything. The VM's preimage offset (a `u32`) covers 8 + this many bytes.
pub const MAX_PREIMAGE_SIZE: usize = 1 << 24;

/// The largest hint the host takes: 1 MiB. Hints are short descriptions ("l1-block-header
/// 0x…"); a larger length prefix is a broken guest, refused before the host buffers it.
pub const MAX_HINT_SIZE: usize = 1 << 20;

/// Why the oracle did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OracleError {
    /// The oracle has no preimage for this key.
    #[error("no preimage for key {key:02x?}")]
    Missing {
        /// The key asked for.
        key: [u8; 32],
    },
    /// A preimage (or a length prefix claiming one) above [`MAX_PREIMAGE_SIZE`].
    #[error("preimage of {len} bytes, more than the {max} allowed")]
    TooLarge {
        /// The length.
        len: u64,
        /// [`MAX_PREIMAGE_SIZE`].
        max: usize,
    },
    /// A hint above [`MAX_HINT_SIZE`].
    #[error("hint of {len} bytes, more than the {max} allowed")]
    HintTooLarge {
        /// The hint's length.
        len: u64,
        /// [`MAX_HINT_SIZE`].
        max: usize,
    },
    /// The preimage offered for a key is not its preimage.
    #[error("preimage rejected: {0}")]
    Check(#[from] KeyCheckError),
    /// A syscall on an oracle descriptor failed (the guest client).
    #[error("syscall on fd {fd} returned {code}")]
    Io {
        /// The descriptor.
        fd: u32,
        /// The negative return value.
        code: i32,
    },
    /// The preimage ended before its length prefix said (the guest client).
    #[error("preimage ended after {got} of {expected} bytes")]
    Truncated {
        /// Bytes the prefix announced (8 for the prefix itself).
        expected: u64,
        /// Bytes read.
        got: u64,
    },
    /// The host could not serve the request (its own failure, not the guest's).
    #[error("host failure: {reason}")]
    Host {
        /// What went wrong.
        reason: &'static str,
    },
}

/// The oracle as the fault-proof program sees it.
pub trait PreimageOracle {
    /// The preimage of `key`.
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError>;

    /// Tells the host what the program will ask for next, so it can fetch it (an L1 block by
    /// number, a state path). A hint never changes what [`PreimageOracle::get`] returns for a key
    /// and is not part of the VM's state: it is advice to the host.
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError>;
}

impl<O: PreimageOracle + ?Sized> PreimageOracle for &mut O {
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        (**self).get(key)
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        (**self).hint(hint)
    }
}
