//! Reads that walk the trie through a witness.

use alloc::vec::Vec;
use core::cell::RefCell;

use alloy_primitives::B256;
use hashbrown::HashMap;

use super::{Hash, Kind, NodePreimage, WitnessSource, kind, split};
use crate::{KeyPath, StateError, StateRead, error::WitnessItem, proof::bit};

/// State read from a witness: the trie under `root`, walked node by node through a
/// [`WitnessSource`]. Every node and value is fetched from the source at most once and kept.
///
/// Reads hash nothing (the source is trusted to answer only true preimages); a node or value the
/// source lacks is [`StateError::WitnessMissing`], a walk that cannot be a trie of 256-bit paths
/// [`StateError::WitnessMalformed`]. [`WitnessState::root_after`] gives the root after a block.
pub struct WitnessState<S> {
    root: Hash,
    source: RefCell<S>,
    nodes: RefCell<HashMap<Hash, NodePreimage>>,
    values: RefCell<HashMap<Hash, Vec<u8>>>,
}

impl<S: WitnessSource> WitnessState<S> {
    /// The state whose root is `root`, read through `source`.
    pub fn new(root: B256, source: S) -> Self {
        Self {
            root: root.0,
            source: RefCell::new(source),
            nodes: RefCell::new(HashMap::new()),
            values: RefCell::new(HashMap::new()),
        }
    }

    /// The root this state reads.
    pub fn root(&self) -> B256 {
        B256::from(self.root)
    }

    /// The source back.
    pub fn into_source(self) -> S {
        self.source.into_inner()
    }

    /// How many distinct nodes and values have been fetched so far.
    pub fn fetched(&self) -> (usize, usize) {
        (self.nodes.borrow().len(), self.values.borrow().len())
    }

    pub(super) fn root_hash(&self) -> &Hash {
        &self.root
    }

    /// The preimage of node `hash`, from the cache or else the source.
    pub(super) fn node(&self, hash: &Hash) -> Result<NodePreimage, StateError> {
        if let Some(p) = self.nodes.borrow().get(hash) {
            return Ok(*p);
        }
        let p = self
            .source
            .borrow_mut()
            .node(hash)?
            .ok_or(StateError::WitnessMissing { item: WitnessItem::Node, hash: B256::from(*hash) })?;
        self.nodes.borrow_mut().insert(*hash, p);
        Ok(p)
    }

    fn value(&self, value_hash: &Hash) -> Result<Vec<u8>, StateError> {
        if let Some(v) = self.values.borrow().get(value_hash) {
            return Ok(v.clone());
        }
        let v = self
            .source
            .borrow_mut()
            .value(value_hash)?
            .ok_or(StateError::WitnessMissing { item: WitnessItem::Value, hash: B256::from(*value_hash) })?;
        self.values.borrow_mut().insert(*value_hash, v.clone());
        Ok(v)
    }

    /// The leaf `(key_path, value_hash)` that `key`'s path ends in, or `None` if it ends in an
    /// empty subtree.
    fn terminal(&self, key: &KeyPath) -> Result<Option<(Hash, Hash)>, StateError> {
        let mut node = self.root;
        let mut depth = 0;
        loop {
            match kind(&node) {
                Kind::Terminator => return Ok(None),
                Kind::Leaf => return Ok(Some(split(&self.node(&node)?))),
                Kind::Internal => {
                    if depth >= 256 {
                        return Err(StateError::WitnessMalformed {
                            depth: 256,
                            reason: "an internal node below the deepest possible leaf",
                        });
                    }
                    let (left, right) = split(&self.node(&node)?);
                    node = if bit(key, depth) { right } else { left };
                    depth += 1;
                }
            }
        }
    }
}

impl<S: WitnessSource> StateRead for WitnessState<S> {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        match self.terminal(key)? {
            Some((leaf_key, value_hash)) if leaf_key == *key => Ok(Some(self.value(&value_hash)?)),
            _ => Ok(None),
        }
    }
}
