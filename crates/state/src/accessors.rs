//! Typed accessors over raw state: a single value or a map, under a module prefix.

use alloc::string::ToString;
use core::marker::PhantomData;

use borsh::{BorshDeserialize, BorshSerialize};

use crate::{KeyPath, StateError, StateRead, StateWrite, key_path};

fn decode<V: BorshDeserialize>(key: &KeyPath, bytes: &[u8]) -> Result<V, StateError> {
    borsh::from_slice(bytes).map_err(|e| StateError::Corrupt { key: hex::encode(key), reason: e.to_string() })
}

/// One value of type `V` at a fixed key.
#[derive(Debug, Clone, Copy)]
pub struct StateValue<V> {
    module: &'static str,
    field: &'static str,
    _v: PhantomData<fn() -> V>,
}

impl<V: BorshSerialize + BorshDeserialize> StateValue<V> {
    /// Declares the value `module.field`.
    pub const fn new(module: &'static str, field: &'static str) -> Self {
        Self { module, field, _v: PhantomData }
    }

    /// Its key path.
    pub fn key(&self) -> KeyPath {
        key_path(self.module, self.field, &[])
    }

    /// Reads it.
    pub fn get(&self, state: &(impl StateRead + ?Sized)) -> Result<Option<V>, StateError> {
        let key = self.key();
        state.get(&key)?.map(|b| decode(&key, &b)).transpose()
    }

    /// Writes it.
    pub fn set(&self, state: &mut (impl StateWrite + ?Sized), value: &V) {
        state.set(self.key(), Some(borsh::to_vec(value).expect("borsh to Vec cannot fail")));
    }

    /// Deletes it.
    pub fn remove(&self, state: &mut (impl StateWrite + ?Sized)) {
        state.set(self.key(), None);
    }
}

/// A map from `K` to `V`, each entry at `key_path(module, field, borsh(k))`.
#[derive(Debug, Clone, Copy)]
pub struct StateMap<K, V> {
    module: &'static str,
    field: &'static str,
    _kv: PhantomData<fn() -> (K, V)>,
}

impl<K: BorshSerialize, V: BorshSerialize + BorshDeserialize> StateMap<K, V> {
    /// Declares the map `module.field`.
    pub const fn new(module: &'static str, field: &'static str) -> Self {
        Self { module, field, _kv: PhantomData }
    }

    /// The key path of one entry (what `pillar_getProof` proves).
    pub fn key(&self, k: &K) -> KeyPath {
        key_path(self.module, self.field, &borsh::to_vec(k).expect("borsh to Vec cannot fail"))
    }

    /// Reads an entry.
    pub fn get(&self, state: &(impl StateRead + ?Sized), k: &K) -> Result<Option<V>, StateError> {
        let key = self.key(k);
        state.get(&key)?.map(|b| decode(&key, &b)).transpose()
    }

    /// Writes an entry.
    pub fn set(&self, state: &mut (impl StateWrite + ?Sized), k: &K, v: &V) {
        state.set(self.key(k), Some(borsh::to_vec(v).expect("borsh to Vec cannot fail")));
    }

    /// Deletes an entry.
    pub fn remove(&self, state: &mut (impl StateWrite + ?Sized), k: &K) {
        state.set(self.key(k), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryState;
    use alloc::vec;

    #[test]
    fn typed_round_trip_and_isolation() {
        let mut s = MemoryState::default();
        let a: StateMap<u32, u128> = StateMap::new("m", "a");
        let b: StateMap<u32, u128> = StateMap::new("m", "b");
        let v: StateValue<u64> = StateValue::new("m", "v");
        a.set(&mut s, &1, &10);
        b.set(&mut s, &1, &20);
        v.set(&mut s, &7);
        assert_eq!(a.get(&s, &1).unwrap(), Some(10));
        assert_eq!(b.get(&s, &1).unwrap(), Some(20));
        assert_eq!(a.get(&s, &2).unwrap(), None);
        assert_eq!(v.get(&s).unwrap(), Some(7));
        a.remove(&mut s, &1);
        assert_eq!(a.get(&s, &1).unwrap(), None);
    }

    #[test]
    fn corrupt_value_is_an_error_not_a_panic() {
        let mut s = MemoryState::default();
        let m: StateMap<u32, u128> = StateMap::new("m", "a");
        s.set(m.key(&1), Some(vec![1, 2, 3]));
        assert!(matches!(m.get(&s, &1), Err(StateError::Corrupt { .. })));
    }
}
