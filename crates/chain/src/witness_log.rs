//! The witness recorder's records: for each block height, the trie nodes and values of the parent
//! state that executing its candidates read or wrote, so that a challenger can replay any block
//! from the finalized anchor to the head in the fault-proof program after NOMT has moved on
//! (docs/fault-proofs.md, "The witness recorder").
//!
//! Every execution at a height is recorded (a batch block that turned out invalid, then the forced
//! block derivation made instead): the program tries the same candidates, so it needs the union.
//! Records live in the ledger (`witnesses` table), written in the same transaction as their block,
//! so they survive restarts and crashes exactly as blocks do. A record is
//! `parent_state_root ‖ WitnessMap::to_stored()`.

use pillar_state::WitnessMap;
use pillar_stf::B256;

use crate::ledger::{Ledger, LedgerError};

/// One height's witness: the parent state root it is against, and the nodes and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockWitness {
    /// The state root of the block's parent.
    pub parent_state_root: B256,
    /// Node preimages and values.
    pub witness: WitnessMap,
}

impl BlockWitness {
    /// The record as stored.
    pub(crate) fn to_record(&self) -> Vec<u8> {
        let mut out = self.parent_state_root.to_vec();
        out.extend(self.witness.to_stored());
        out
    }

    /// Reads the record of `height`.
    pub(crate) fn from_record(height: u64, bytes: &[u8]) -> Result<Self, LedgerError> {
        let corrupt = |reason: String| LedgerError::Corrupt { what: format!("witness {height}"), reason };
        if bytes.len() < 32 {
            return Err(corrupt(format!("{} bytes, shorter than a state root", bytes.len())));
        }
        let witness = WitnessMap::from_stored(&bytes[32..]).map_err(|e| corrupt(e.to_string()))?;
        Ok(Self { parent_state_root: B256::from_slice(&bytes[..32]), witness })
    }
}

/// The record of `height` after an execution over `parent_state_root` that touched `witness`:
/// added to what the height holds, or replacing it when that was over another parent state (the
/// parent was rolled back and replaced).
pub(crate) fn merged(
    ledger: &Ledger,
    height: u64,
    parent_state_root: B256,
    witness: WitnessMap,
) -> Result<Vec<u8>, LedgerError> {
    let mut record = BlockWitness { parent_state_root, witness };
    if let Some(bytes) = ledger.witness(height)? {
        let held = BlockWitness::from_record(height, &bytes)?;
        if held.parent_state_root == parent_state_root {
            record.witness.extend(held.witness);
        }
    }
    Ok(record.to_record())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_at_a_height_merge_unless_the_parent_changed() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("ledger.redb")).unwrap();
        let mut a = WitnessMap::new();
        a.insert_value(vec![1]);
        let mut b = WitnessMap::new();
        b.insert_value(vec![2]);
        let read = |h| BlockWitness::from_record(h, &ledger.witness(h).unwrap().unwrap()).unwrap();
        ledger.put_witness(5, &merged(&ledger, 5, B256::repeat_byte(1), a.clone()).unwrap()).unwrap();
        ledger.put_witness(5, &merged(&ledger, 5, B256::repeat_byte(1), b.clone()).unwrap()).unwrap();
        assert_eq!(read(5).witness.value_count(), 2);
        ledger.put_witness(5, &merged(&ledger, 5, B256::repeat_byte(2), b).unwrap()).unwrap();
        assert_eq!(read(5).witness.value_count(), 1);
        assert_eq!(read(5).parent_state_root, B256::repeat_byte(2));
    }

    #[test]
    fn a_damaged_record_is_a_corrupt_ledger_error() {
        assert!(matches!(BlockWitness::from_record(3, &[0; 31]), Err(LedgerError::Corrupt { .. })));
        let mut bytes =
            BlockWitness { parent_state_root: B256::ZERO, witness: WitnessMap::new() }.to_record();
        bytes.push(7);
        assert!(matches!(BlockWitness::from_record(3, &bytes), Err(LedgerError::Corrupt { .. })));
    }
}
