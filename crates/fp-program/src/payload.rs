//! A batch's payload read through the oracle: a calldata batch's bytes are the keccak preimage of
//! its data commitment.

use alloc::vec::Vec;

use pillar_derive::BatchKind;
use pillar_preimage::{PreimageKey, PreimageOracle};

use crate::{Entry, ProgramError};

/// The payload of `entry`'s batch (`None` for a force entry).
pub fn payload(oracle: &mut impl PreimageOracle, entry: &Entry) -> Result<Option<Vec<u8>>, ProgramError> {
    match entry.kind {
        BatchKind::Force => Ok(None),
        BatchKind::Calldata => Ok(Some(oracle.get(PreimageKey::keccak_hash(entry.data_commitment.0))?)),
        // Blob batches need the blob coding over field elements read one by one (blob keys):
        // the next slice. Until then the program refuses them rather than judge them.
        BatchKind::Blob => Err(ProgramError::BlobsUnsupported { entry: entry.hash }),
    }
}
