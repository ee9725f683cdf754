//! The root after a block's writes, from the witness: NOMT's update, recomputed.

use alloc::{collections::BTreeMap, vec::Vec};

use alloy_primitives::B256;
use sha2::{Digest, Sha256};

use super::{Hash, Kind, TERMINATOR, WitnessSource, WitnessState, internal_hash, kind, shared_bits, split};
use crate::{BlockChanges, KeyPath, StateError, leaf_hash, proof::bit};

/// The hashing a root recomputation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HashWork {
    /// Internal nodes hashed (64-byte input: 2 SHA-256 compressions each).
    pub internal: u64,
    /// Leaves hashed (64-byte input: 2 compressions each).
    pub leaves: u64,
    /// Written values hashed.
    pub values: u64,
    /// SHA-256 compressions those values took: `ceil((len + 9) / 64)` each.
    pub value_compressions: u64,
}

impl HashWork {
    /// All SHA-256 compressions: nodes and values.
    pub fn compressions(&self) -> u64 {
        2 * (self.internal + self.leaves) + self.value_compressions
    }
}

/// A recomputed root and what it cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootUpdate {
    /// The root after the writes.
    pub root: B256,
    /// The hashing done.
    pub work: HashWork,
}

/// A write: the key and its new value's hash (`None` deletes).
type Op = (KeyPath, Option<Hash>);

impl<S: WitnessSource> WitnessState<S> {
    /// The root NOMT computes after committing `changes.writes` on top of this state.
    pub fn root_after(&self, changes: &BlockChanges) -> Result<B256, StateError> {
        Ok(self.update_root(&changes.writes)?.root)
    }

    /// The root after `writes` (`None` deletes), with the hashing it took.
    ///
    /// One recursive pass over the old trie with the sorted writes: a subtree no write reaches
    /// keeps its hash; an internal node's children are updated and recombined; a leaf or empty
    /// subtree a write reaches is rebuilt from the keys that end up in it. Recombining compacts
    /// as NOMT does: two empty children give an empty subtree, a leaf beside an empty subtree
    /// moves up, anything else is an internal node. Each witness node on a written key's path is
    /// fetched once; nothing beside the paths is (a sibling's hash tells whether it is a leaf).
    pub fn update_root(&self, writes: &BTreeMap<KeyPath, Option<Vec<u8>>>) -> Result<RootUpdate, StateError> {
        let mut work = HashWork::default();
        let ops: Vec<Op> = writes
            .iter()
            .map(|(k, v)| {
                let vh = v.as_ref().map(|v| {
                    work.values += 1;
                    work.value_compressions += (v.len() as u64 + 9).div_ceil(64);
                    <Hash>::from(Sha256::digest(v))
                });
                (*k, vh)
            })
            .collect();
        let mut update = Update { state: self, work, old_leaf: None };
        let root = update.subtree(*self.root_hash(), 0, &ops)?;
        Ok(RootUpdate { root: B256::from(root), work: update.work })
    }
}

struct Update<'a, S> {
    state: &'a WitnessState<S>,
    work: HashWork,
    /// The old leaf (key, value hash, node hash) of the subtree being rebuilt: if it stays as
    /// it was, its hash is reused rather than recomputed.
    old_leaf: Option<(KeyPath, Hash, Hash)>,
}

fn malformed(depth: usize, reason: &'static str) -> StateError {
    StateError::WitnessMalformed { depth: depth.min(256) as u16, reason }
}

impl<S: WitnessSource> Update<'_, S> {
    fn internal(&mut self, left: &Hash, right: &Hash) -> Hash {
        self.work.internal += 1;
        internal_hash(left, right)
    }

    fn leaf(&mut self, key: &KeyPath, value_hash: &Hash) -> Hash {
        self.work.leaves += 1;
        leaf_hash(key, value_hash)
    }

    /// The new hash of the subtree at `depth` whose old hash is `node`, after `ops` (sorted, all
    /// under this subtree's position).
    fn subtree(&mut self, node: Hash, depth: usize, ops: &[Op]) -> Result<Hash, StateError> {
        if ops.is_empty() {
            return Ok(node);
        }
        match kind(&node) {
            Kind::Terminator => {
                let items: Vec<(KeyPath, Hash)> =
                    ops.iter().filter_map(|(k, v)| v.map(|v| (*k, v))).collect();
                self.build(depth, &items)
            }
            Kind::Leaf => {
                let (leaf_key, leaf_value) = split(&self.state.node(&node)?);
                if shared_bits(&leaf_key, &ops[0].0) < depth {
                    return Err(malformed(depth, "a leaf off the path that leads to it"));
                }
                // The old leaf stays unless a write replaces or deletes it.
                let keep = ops.binary_search_by(|(k, _)| k.cmp(&leaf_key)).err();
                let mut items = Vec::with_capacity(ops.len() + 1);
                let at = keep.unwrap_or(ops.len());
                items.extend(ops[..at].iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
                if keep.is_some() {
                    items.push((leaf_key, leaf_value));
                }
                items.extend(ops[at..].iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
                self.old_leaf = Some((leaf_key, leaf_value, node));
                self.build(depth, &items)
            }
            Kind::Internal => {
                if depth >= 256 {
                    return Err(malformed(depth, "an internal node below the deepest possible leaf"));
                }
                let (left, right) = split(&self.state.node(&node)?);
                let mid = ops.partition_point(|(k, _)| !bit(k, depth));
                let new_left = self.subtree(left, depth + 1, &ops[..mid])?;
                let new_right = self.subtree(right, depth + 1, &ops[mid..])?;
                if new_left == left && new_right == right {
                    return Ok(node);
                }
                Ok(match (kind(&new_left), kind(&new_right)) {
                    (Kind::Terminator, Kind::Terminator) => TERMINATOR,
                    (Kind::Leaf, Kind::Terminator) => new_left,
                    (Kind::Terminator, Kind::Leaf) => new_right,
                    _ => self.internal(&new_left, &new_right),
                })
            }
        }
    }

    /// A fresh subtree at `depth` holding `items` (sorted, distinct keys, all under this
    /// position): `root(S, depth)` of docs/state.md §3.
    fn build(&mut self, depth: usize, items: &[(KeyPath, Hash)]) -> Result<Hash, StateError> {
        let (first, last) = match items {
            [] => return Ok(TERMINATOR),
            [(k, v)] => {
                return Ok(match self.old_leaf {
                    Some((old_key, old_value, old_node)) if old_key == *k && old_value == *v => old_node,
                    _ => self.leaf(k, v),
                });
            }
            [first, .., last] => (&first.0, &last.0),
        };
        // Every key shares the first and last key's common prefix; they part at bit `fork`.
        let fork = shared_bits(first, last);
        if fork < depth || fork >= 256 {
            return Err(malformed(depth, "keys that do not belong under one subtree"));
        }
        let mid = items.partition_point(|(k, _)| !bit(k, fork));
        let left = self.build(fork + 1, &items[..mid])?;
        let right = self.build(fork + 1, &items[mid..])?;
        let mut node = self.internal(&left, &right);
        // Above the fork every key takes the same side: internal nodes with an empty sibling.
        for d in (depth..fork).rev() {
            node = if bit(first, d) {
                self.internal(&TERMINATOR, &node)
            } else {
                self.internal(&node, &TERMINATOR)
            };
        }
        Ok(node)
    }
}
