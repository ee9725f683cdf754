//! The batch chain read through the oracle: each entry is the 320-byte preimage of its hash
//! (docs/bridge.md §2.2), and the chain is walked back from the dispute's head to the agreed
//! cursor's entry.

use alloc::{string::ToString, vec::Vec};

use pillar_derive::{BatchContext, BatchKind, batch_hash};
use pillar_preimage::{PreimageKey, PreimageOracle};
use pillar_stf::B256;

use crate::ProgramError;

/// One entry of the batch chain, as its hash commits to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its `batchHash`.
    pub hash: B256,
    /// The previous entry's hash (zero for the first).
    pub prev: B256,
    /// First L2 block claimed (0 for a force entry).
    pub first_block: u64,
    /// Last L2 block claimed (0 for a force entry).
    pub last_block: u64,
    /// Blobs, calldata or force entry.
    pub kind: BatchKind,
    /// keccak of the calldata, or of the blobs' versioned hashes.
    pub data_commitment: B256,
    /// The L1 facts it commits to.
    pub context: BatchContext,
}

fn u64_word(w: &[u8]) -> Option<u64> {
    w[..24].iter().all(|b| *b == 0).then(|| u64::from_be_bytes(w[24..32].try_into().unwrap_or_default()))
}

impl Entry {
    /// Decodes the preimage of `hash`: ten words, each integer canonical (an oracle-checked
    /// preimage always is; anything else is a broken setup, refused).
    pub fn decode(hash: B256, bytes: &[u8]) -> Result<Self, ProgramError> {
        let bad =
            |reason: &str| ProgramError::Malformed { what: "batch-chain entry", reason: reason.to_string() };
        if bytes.len() != 320 {
            return Err(bad("not 320 bytes"));
        }
        let w = |i: usize| &bytes[32 * i..32 * (i + 1)];
        let int = |i: usize| u64_word(w(i)).ok_or_else(|| bad("an integer wider than 64 bits"));
        let kind = u64_word(w(3))
            .and_then(|k| u8::try_from(k).ok())
            .and_then(BatchKind::from_u8)
            .ok_or_else(|| bad("unknown kind"))?;
        let entry = Self {
            hash,
            prev: B256::from_slice(w(0)),
            first_block: int(1)?,
            last_block: int(2)?,
            kind,
            data_commitment: B256::from_slice(w(4)),
            context: BatchContext {
                l1_block: int(5)?,
                l1_timestamp: int(6)?,
                queue_length: int(7)?,
                queue_head: B256::from_slice(w(8)),
                inclusion_deadline: int(9)?,
            },
        };
        // The oracle checked the preimage against `hash`; recomputing it here is what a host
        // without that check (a native run) relies on.
        let again = batch_hash(
            entry.prev,
            entry.first_block,
            entry.last_block,
            entry.kind.as_u8(),
            entry.data_commitment,
            &entry.context,
        );
        if again != hash {
            return Err(bad("does not hash to its key"));
        }
        Ok(entry)
    }

    /// Reads the entry whose hash is `hash`.
    pub fn read(oracle: &mut impl PreimageOracle, hash: B256) -> Result<Self, ProgramError> {
        Self::decode(hash, &oracle.get(PreimageKey::keccak_hash(hash.0))?)
    }
}

/// The entries after `cursor_entry` up to `head`, oldest first, found by walking back from
/// `head`. `cursor_entry` zero (genesis) means every entry.
pub fn entries_after(
    oracle: &mut impl PreimageOracle,
    head: B256,
    cursor_entry: B256,
) -> Result<Vec<Entry>, ProgramError> {
    let mut out = Vec::new();
    let mut at = head;
    while at != cursor_entry {
        if at == B256::ZERO {
            return Err(ProgramError::CursorNotInChain { entry: cursor_entry });
        }
        let entry = Entry::read(oracle, at)?;
        at = entry.prev;
        out.push(entry);
    }
    out.reverse();
    Ok(out)
}
