//! A batch's payload read through the oracle: a calldata batch's bytes are the keccak preimage of
//! its data commitment; a blob batch's are read from its blobs' field elements ([`crate::blobs`]).

use alloc::vec::Vec;

use pillar_derive::BatchKind;
use pillar_preimage::{PreimageKey, PreimageOracle};

use crate::{Entry, ProgramError, blobs::blob_payload};

/// The payload of `entry`'s batch: `None` for a force entry, and for blobs that do not decode (the
/// node skips such a batch as unreadable).
pub fn payload(oracle: &mut impl PreimageOracle, entry: &Entry) -> Result<Option<Vec<u8>>, ProgramError> {
    match entry.kind {
        BatchKind::Force => Ok(None),
        BatchKind::Calldata => Ok(Some(oracle.get(PreimageKey::keccak_hash(entry.data_commitment.0))?)),
        BatchKind::Blob => blob_payload(oracle, entry.data_commitment),
    }
}
