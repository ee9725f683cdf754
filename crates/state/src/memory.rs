//! An in-memory state for unit tests and tooling.

use alloc::{collections::BTreeMap, vec::Vec};

use crate::{KeyPath, StateError, StateRead, StateWrite};

/// State held in a sorted map: no root, no durability.
#[derive(Debug, Default, Clone)]
pub struct MemoryState {
    values: BTreeMap<KeyPath, Vec<u8>>,
}

impl MemoryState {
    /// Number of keys stored.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl StateRead for MemoryState {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.values.get(key).cloned())
    }
}

impl StateWrite for MemoryState {
    fn set(&mut self, key: KeyPath, value: Option<Vec<u8>>) {
        match value {
            Some(v) => self.values.insert(key, v),
            None => self.values.remove(&key),
        };
    }
}
