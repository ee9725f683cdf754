//! The witness recorder: for each block height, the trie nodes and values of the parent state that
//! executing its candidates read or wrote, so that a challenger can replay any block from the
//! finalized anchor to the head in the fault-proof program after NOMT has moved on
//! (docs/fault-proofs.md, "The witness recorder").
//!
//! Every execution at a height is recorded (a batch block that turned out invalid, then the forced
//! block derivation made instead): the program tries the same candidates, so it needs the union.
//! Records are in memory; a restart starts an empty log (blocks it already holds are not
//! re-executed).

use std::collections::BTreeMap;

use pillar_state::WitnessMap;
use pillar_stf::B256;

/// One height's witness: the parent state root it is against, and the nodes and values.
#[derive(Debug, Clone)]
pub struct BlockWitness {
    /// The state root of the block's parent.
    pub parent_state_root: B256,
    /// Node preimages and values.
    pub witness: WitnessMap,
}

/// Witnesses by height.
#[derive(Debug, Default)]
pub(crate) struct WitnessLog {
    blocks: BTreeMap<u64, BlockWitness>,
}

impl WitnessLog {
    /// Adds an execution at `height` over the state `parent_state_root`. An execution over another
    /// parent state replaces what the height held (the parent was rolled back and replaced).
    pub(crate) fn record(&mut self, height: u64, parent_state_root: B256, witness: WitnessMap) {
        match self.blocks.get_mut(&height) {
            Some(b) if b.parent_state_root == parent_state_root => b.witness.extend(witness),
            _ => {
                self.blocks.insert(height, BlockWitness { parent_state_root, witness });
            }
        }
    }

    pub(crate) fn get(&self, height: u64) -> Option<&BlockWitness> {
        self.blocks.get(&height)
    }

    /// Drops the witnesses of blocks at or below `height` (the finalized anchor: no dispute can
    /// reach them).
    pub(crate) fn prune_through(&mut self, height: u64) {
        self.blocks = self.blocks.split_off(&(height + 1));
    }

    /// Node and value bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.blocks.values().map(|b| b.witness.byte_len()).sum()
    }

    pub(crate) fn len(&self) -> usize {
        self.blocks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_at_a_height_merge_unless_the_parent_changed() {
        let mut log = WitnessLog::default();
        let mut a = WitnessMap::new();
        a.insert_value(vec![1]);
        let mut b = WitnessMap::new();
        b.insert_value(vec![2]);
        log.record(5, B256::repeat_byte(1), a.clone());
        log.record(5, B256::repeat_byte(1), b.clone());
        assert_eq!(log.get(5).unwrap().witness.value_count(), 2);
        log.record(5, B256::repeat_byte(2), b);
        assert_eq!(log.get(5).unwrap().witness.value_count(), 1);
        assert_eq!(log.get(5).unwrap().parent_state_root, B256::repeat_byte(2));
        log.record(6, B256::repeat_byte(3), a);
        log.prune_through(5);
        assert!(log.get(5).is_none());
        assert!(log.get(6).is_some());
        assert_eq!(log.len(), 1);
        assert!(log.bytes() > 0);
    }
}
