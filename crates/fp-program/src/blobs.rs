//! A blob batch's payload read through the oracle, one field element at a time.
//!
//! The entry's data commitment is `keccak256(versionedHash_0 ‖ versionedHash_1 ‖ …)`, the blob
//! hashes the Rollup read with `blobhash` ([bridge.md §2.2](../../../docs/bridge.md)). A versioned
//! hash is `0x01 ‖ sha256(commitment)[1..]`, so its sha256 key names the blob's 48-byte KZG
//! commitment, and the commitment with a point ([`pillar_preimage::blob`]) names each field
//! element (a blob key). The payload is decoded by derivation's own rule,
//! [`pillar_derive::decode_blob_payload`], which reads the header element and the elements the
//! payload spans and nothing else: a small batch in a blob costs a handful of oracle reads, not
//! 4,096.

use alloc::vec::Vec;

use pillar_derive::{ELEMENTS_PER_BLOB, decode_blob_payload};
use pillar_preimage::{PreimageKey, PreimageOracle, blob::Points};
use pillar_stf::B256;

use crate::ProgramError;

/// The hint sent before a blob's elements are read: `blob ` ‖ its versioned hash, so that a host
/// serving the program live can fetch the blob.
pub const HINT_BLOB: &[u8] = b"blob ";

/// The payload of the blob batch whose data commitment is `data_commitment`: `Some` the bytes, or
/// `None` when the blobs hold none (unreadable: derivation skips the batch).
pub fn blob_payload(
    oracle: &mut impl PreimageOracle,
    data_commitment: B256,
) -> Result<Option<Vec<u8>>, ProgramError> {
    let bad = |reason: &str| ProgramError::Malformed { what: "blob batch", reason: reason.into() };
    let hashes = oracle.get(PreimageKey::keccak_hash(data_commitment.0))?;
    if hashes.is_empty() || hashes.len() % 32 != 0 {
        return Err(bad("the versioned hashes are not a non-empty list of words"));
    }
    let mut commitments = Vec::with_capacity(hashes.len() / 32);
    for hash in hashes.chunks_exact(32) {
        let hash: [u8; 32] = hash.try_into().map_err(|_| bad("a versioned hash is not 32 bytes"))?;
        // EIP-4844's only version: KZG.
        if hash[0] != 0x01 {
            return Err(bad("a versioned hash of another version than KZG's (0x01)"));
        }
        let commitment: [u8; 48] = oracle
            .get(PreimageKey::sha256_hash(hash))?
            .try_into()
            .map_err(|_| bad("a KZG commitment is not 48 bytes"))?;
        commitments.push((hash, commitment));
    }
    let mut elements = Elements::new(commitments);
    let total = elements.commitments.len() * ELEMENTS_PER_BLOB;
    decode_blob_payload(total, |i| elements.next(i, oracle))
}

/// The blobs' elements in order, across blobs, each read by its blob key.
struct Elements {
    /// Each blob's versioned hash and commitment.
    commitments: Vec<([u8; 32], [u8; 48])>,
    /// The blob being read.
    blob: usize,
    /// The next element's index in it.
    index: usize,
    /// Its points from the next element on.
    points: Points,
}

impl Elements {
    fn new(commitments: Vec<([u8; 32], [u8; 48])>) -> Self {
        Self { commitments, blob: 0, index: 0, points: Points::new() }
    }

    /// Element `i`, which must be the next in order (the decoding reads them so).
    fn next(&mut self, i: usize, oracle: &mut impl PreimageOracle) -> Result<[u8; 32], ProgramError> {
        let bad = |reason: &str| ProgramError::Malformed { what: "blob element", reason: reason.into() };
        if i != self.blob * ELEMENTS_PER_BLOB + self.index {
            return Err(bad("elements read out of order"));
        }
        if self.index == ELEMENTS_PER_BLOB {
            (self.blob, self.index, self.points) = (self.blob + 1, 0, Points::new());
        }
        let (hash, commitment) = *self.commitments.get(self.blob).ok_or_else(|| bad("past the last blob"))?;
        if self.index == 0 {
            let mut hint = Vec::with_capacity(HINT_BLOB.len() + 32);
            hint.extend_from_slice(HINT_BLOB);
            hint.extend_from_slice(&hash);
            oracle.hint(&hint)?;
        }
        let z = self.points.next().ok_or_else(|| bad("past the blob's last point"))?;
        self.index += 1;
        oracle
            .get(PreimageKey::blob(&commitment, &z))?
            .try_into()
            .map_err(|_| bad("a field element is not 32 bytes"))
    }
}
