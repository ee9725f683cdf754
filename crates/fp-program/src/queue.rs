//! The L1 queue read through the oracle: walking back from an entry's committed queue head
//! through the rolling hashes (`queueHash[i] = keccak256(queueHash[i-1] ‖ messageHash_i)`,
//! docs/bridge.md §4.2), then each message by its hash.

use alloc::{string::ToString, vec::Vec};

use alloy_sol_types::{SolType, sol_data};
use pillar_derive::BatchContext;
use pillar_preimage::{PreimageKey, PreimageOracle};
use pillar_stf::{B256, L1Message};

use crate::ProgramError;

/// `abi.encode(uint64 index, uint64 timestamp, address sender, uint8 kind, bytes payload)`.
type MessageAbi =
    (sol_data::Uint<64>, sol_data::Uint<64>, sol_data::Address, sol_data::Uint<8>, sol_data::Bytes);

/// The messages `from..ctx.queue_length` that the entry commits to, checked to continue
/// `from_hash` (the rolling hash after message `from - 1`, the safe head's `queue_hash`).
///
/// A message's `l1_block` is not committed on L1 (docs/derivation.md §3): it is left 0 here and
/// derivation compares messages by their hash.
pub fn window(
    oracle: &mut impl PreimageOracle,
    entry: B256,
    ctx: &BatchContext,
    from: u64,
    from_hash: B256,
) -> Result<Vec<L1Message>, ProgramError> {
    if ctx.queue_length < from {
        // The entry saw fewer messages than the agreed block consumed: none are for it.
        return Ok(Vec::new());
    }
    let mut hashes = Vec::with_capacity((ctx.queue_length - from) as usize);
    let mut at = ctx.queue_head;
    for _ in from..ctx.queue_length {
        let link = oracle.get(PreimageKey::keccak_hash(at.0))?;
        if link.len() != 64 {
            return Err(ProgramError::Malformed { what: "queue hash", reason: "not 64 bytes".to_string() });
        }
        hashes.push(B256::from_slice(&link[32..]));
        at = B256::from_slice(&link[..32]);
    }
    if at != from_hash {
        return Err(ProgramError::QueueMismatch { entry });
    }
    hashes.reverse();
    let mut out = Vec::with_capacity(hashes.len());
    for (i, h) in hashes.iter().enumerate() {
        let bytes = oracle.get(PreimageKey::keccak_hash(h.0))?;
        let bad =
            |reason: &str| ProgramError::Malformed { what: "queue message", reason: reason.to_string() };
        let (index, timestamp, sender, kind, payload) =
            MessageAbi::abi_decode_params(&bytes).map_err(|e| bad(&e.to_string()))?;
        if index != from + i as u64 {
            return Err(bad("index out of place"));
        }
        let m = L1Message::from_event(index, 0, timestamp, sender, kind, &payload)
            .map_err(|e| bad(&e.to_string()))?;
        out.push(m);
    }
    Ok(out)
}
