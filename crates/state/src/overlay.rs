//! Write buffers: one for the block, one per transaction on top of it.
//!
//! The buffers are hash maps (hashbrown with foldhash): every state access of a block goes
//! through them. What leaves the block, [`BlockChanges`], is sorted, so nothing downstream (NOMT,
//! a witness, the fault-proof program) ever sees a hash map's iteration order.

use alloc::{collections::BTreeMap, vec::Vec};
use core::cell::RefCell;

use hashbrown::HashMap;

use crate::{KeyPath, StateError, StateRead, StateWrite};

/// Changes a block makes on top of committed state. Remembers what it read from the base, so the
/// commit can hand NOMT the prior values (and a witness can be built later for fault proofs).
pub struct BlockOverlay<'a> {
    base: &'a dyn StateRead,
    reads: RefCell<HashMap<KeyPath, Option<Vec<u8>>>>,
    writes: HashMap<KeyPath, Option<Vec<u8>>>,
}

/// What a block did to state: the prior value of every key it touched and the new value of every
/// key it wrote, each in key order.
#[derive(Debug, Default)]
pub struct BlockChanges {
    /// Values read from committed state, by key.
    pub reads: BTreeMap<KeyPath, Option<Vec<u8>>>,
    /// Final values written, by key (`None` deletes).
    pub writes: BTreeMap<KeyPath, Option<Vec<u8>>>,
}

impl<'a> BlockOverlay<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a dyn StateRead) -> Self {
        Self { base, reads: RefCell::new(HashMap::new()), writes: HashMap::new() }
    }

    /// Starts a transaction's buffer.
    pub fn begin_tx(&mut self) -> TxOverlay<'_, 'a> {
        TxOverlay { parent: self, writes: HashMap::new() }
    }

    /// Number of keys written so far.
    pub fn written_keys(&self) -> usize {
        self.writes.len()
    }

    /// Ends the block.
    pub fn into_changes(self) -> BlockChanges {
        BlockChanges { reads: sorted(self.reads.into_inner()), writes: sorted(self.writes) }
    }
}

/// A buffer's entries as a sorted map. Sorts first, comparing the first 8 bytes of the keys as one
/// integer (keys are hashes, so that nearly always decides) before the whole key: `BTreeMap`
/// compares whole keys, which is most of the cost on random input, and builds from sorted input
/// in linear time.
fn sorted(map: HashMap<KeyPath, Option<Vec<u8>>>) -> BTreeMap<KeyPath, Option<Vec<u8>>> {
    fn prefix(key: &KeyPath) -> u64 {
        let mut head = [0; 8];
        head.copy_from_slice(&key[..8]);
        u64::from_be_bytes(head)
    }
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_unstable_by(|(a, _), (b, _)| prefix(a).cmp(&prefix(b)).then_with(|| a.cmp(b)));
    entries.into_iter().collect()
}

impl StateRead for BlockOverlay<'_> {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.reads.borrow().get(key) {
            return Ok(v.clone());
        }
        let v = self.base.get(key)?;
        self.reads.borrow_mut().insert(*key, v.clone());
        Ok(v)
    }
}

impl StateWrite for BlockOverlay<'_> {
    fn set(&mut self, key: KeyPath, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }
}

/// One transaction's writes. [`TxOverlay::commit`] folds them into the block; dropping the
/// overlay reverts them.
pub struct TxOverlay<'p, 'a> {
    parent: &'p mut BlockOverlay<'a>,
    writes: HashMap<KeyPath, Option<Vec<u8>>>,
}

impl TxOverlay<'_, '_> {
    /// Keeps this transaction's writes.
    pub fn commit(self) {
        self.parent.writes.extend(self.writes);
    }

    /// Discards this transaction's writes (the same as dropping it, but says so).
    pub fn revert(self) {}
}

impl StateRead for TxOverlay<'_, '_> {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.parent.get(key),
        }
    }
}

impl StateWrite for TxOverlay<'_, '_> {
    fn set(&mut self, key: KeyPath, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryState;
    use alloc::vec;

    fn k(b: u8) -> KeyPath {
        [b; 32]
    }

    #[test]
    fn commit_keeps_and_revert_drops() {
        let mut base = MemoryState::default();
        base.set(k(1), Some(vec![1]));
        let mut block = BlockOverlay::new(&base);
        {
            let mut tx = block.begin_tx();
            tx.set(k(1), Some(vec![2]));
            tx.set(k(2), Some(vec![3]));
            assert_eq!(tx.get(&k(1)).unwrap(), Some(vec![2]));
            tx.commit();
        }
        {
            let mut tx = block.begin_tx();
            tx.set(k(1), None);
            tx.set(k(3), Some(vec![9]));
            tx.revert();
        }
        assert_eq!(block.get(&k(1)).unwrap(), Some(vec![2]));
        assert_eq!(block.get(&k(3)).unwrap(), None);
        let changes = block.into_changes();
        assert_eq!(changes.writes.len(), 2);
        // k(1) was never read from the base (the write shadowed it); k(3) was read as absent.
        assert_eq!(changes.reads.get(&k(3)), Some(&None));
        assert_eq!(base.get(&k(1)).unwrap(), Some(vec![1]));
    }
}
