//! Recording a block's witness from NOMT.

use alloc::{format, string::String, vec::Vec};

use alloy_primitives::B256;

use super::WitnessMap;
use crate::{BlockChanges, KeyPath, ProofTerminal, Snapshot, StateError, StateRead};

fn failed(reason: String) -> StateError {
    StateError::Backend { op: "record witness", reason }
}

/// Adds `key`'s path (every internal node from the root down and its terminal leaf) to
/// `witness`, and with `with_value` its value if present.
fn record(
    snapshot: &Snapshot,
    root: B256,
    key: &KeyPath,
    with_value: bool,
    witness: &mut WitnessMap,
) -> Result<(), StateError> {
    let proof = snapshot.prove(key)?;
    let proven =
        witness.add_proof(&proof).map_err(|e| failed(format!("proof of {}: {e}", B256::from(*key))))?;
    if proven != root {
        return Err(failed(format!(
            "proof of {} gives root {proven}, the snapshot has {root}",
            B256::from(*key)
        )));
    }
    if !with_value {
        return Ok(());
    }
    if let ProofTerminal::Leaf { key_path, value_hash } = &proof.terminal
        && key_path.0 == *key
    {
        let value = snapshot
            .get(key)?
            .ok_or_else(|| failed(format!("{key_path} is proven present but reads absent")))?;
        let stored = witness.insert_value(value);
        if stored != value_hash.0 {
            return Err(failed(format!("the value of {key_path} does not hash to its leaf's value hash")));
        }
    }
    Ok(())
}

/// The witness for reading and writing `keys` against `snapshot`: every node on each key's path
/// and the values of those that are present. Enough for [`super::WitnessState`] to read any of
/// the keys and to compute the root after any writes to them (see docs/state.md).
pub fn witness_for<'k>(
    snapshot: &Snapshot,
    keys: impl IntoIterator<Item = &'k KeyPath>,
) -> Result<WitnessMap, StateError> {
    let root = snapshot.root();
    let mut witness = WitnessMap::new();
    for key in keys {
        record(snapshot, root, key, true, &mut witness)?;
    }
    Ok(witness)
}

/// The witness of a block executed against `snapshot`: the paths of every key it read or wrote
/// and the values of the keys it read (a key only written needs its path, not its old value).
pub fn witness_for_block(snapshot: &Snapshot, changes: &BlockChanges) -> Result<WitnessMap, StateError> {
    let root = snapshot.root();
    let mut witness = WitnessMap::new();
    for key in changes.reads.keys() {
        record(snapshot, root, key, true, &mut witness)?;
    }
    for key in changes.writes.keys() {
        if !changes.reads.contains_key(key) {
            record(snapshot, root, key, false, &mut witness)?;
        }
    }
    Ok(witness)
}

/// The witness NOMT's update walk saw: each path to a terminal the block's keys reach (shared by
/// the keys under it), checked against `parent_root`, and the values read.
pub(crate) fn witness_from_paths(
    parent_root: B256,
    paths: Vec<nomt::WitnessedPath>,
    values: Vec<Vec<u8>>,
) -> Result<WitnessMap, StateError> {
    let mut witness = WitnessMap::new();
    for path in paths {
        // The terminal's position, zero-padded, is a key path through it: only its first
        // `depth` bits steer the walk up.
        let position = path.path.raw_path();
        let proof = crate::nomt_store::state_proof(position, path.inner);
        let proven = witness
            .add_proof(&proof)
            .map_err(|e| failed(format!("NOMT's path to {}: {e}", B256::from(position))))?;
        if proven != parent_root {
            return Err(failed(format!(
                "NOMT's path to {} gives root {proven}, the parent has {parent_root}",
                B256::from(position)
            )));
        }
    }
    for value in values {
        witness.insert_value(value);
    }
    Ok(witness)
}
