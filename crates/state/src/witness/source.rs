//! Where a witness's node preimages and values come from.

use alloc::{collections::BTreeMap, vec::Vec};

use alloy_primitives::B256;
use sha2::{Digest, Sha256};

use super::{Hash, NodePreimage, proof_nodes};
use crate::{ProofError, StateError, StateProof};

/// A source of trie node preimages and values, each looked up by its hash.
///
/// In the fault-proof program this is the preimage oracle, which checks what it hands out, so
/// [`super::WitnessState`] never rehashes what it fetches: a source must only return a preimage
/// whose hash (`sha256`, with NOMT's top-bit label) is `hash`, and a value whose sha256 is
/// `value_hash`. `Ok(None)` means the source does not have it; `Err` is the source's own failure.
pub trait WitnessSource {
    /// The 64-byte preimage of the node `hash`: `left ‖ right` for an internal node (top bit of
    /// the hash clear), `key_path ‖ value_hash` for a leaf (top bit set).
    fn node(&mut self, hash: &Hash) -> Result<Option<NodePreimage>, StateError>;

    /// The value whose sha256 is `value_hash`.
    fn value(&mut self, value_hash: &Hash) -> Result<Option<Vec<u8>>, StateError>;
}

impl<S: WitnessSource + ?Sized> WitnessSource for &mut S {
    fn node(&mut self, hash: &Hash) -> Result<Option<NodePreimage>, StateError> {
        (**self).node(hash)
    }

    fn value(&mut self, value_hash: &Hash) -> Result<Option<Vec<u8>>, StateError> {
        (**self).value(value_hash)
    }
}

/// A witness in memory: node preimages by node hash and values by their sha256, in hash order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WitnessMap {
    pub(super) nodes: BTreeMap<Hash, NodePreimage>,
    pub(super) values: BTreeMap<Hash, Vec<u8>>,
}

impl WitnessMap {
    /// An empty witness.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every node preimage `proof` reveals (the internal nodes on its path and its leaf) and
    /// returns the root they hash to, which the caller must compare with the root it expects.
    pub fn add_proof(&mut self, proof: &StateProof) -> Result<B256, ProofError> {
        let nodes = proof_nodes(proof)?;
        self.nodes.extend(nodes.nodes);
        Ok(nodes.root)
    }

    /// Adds a node preimage under `hash`, unchecked: the map then answers it as it is, as the
    /// oracle would. For tests and for loading a witness whose nodes were checked elsewhere.
    pub fn insert_node(&mut self, hash: Hash, preimage: NodePreimage) {
        self.nodes.insert(hash, preimage);
    }

    /// Adds a value and returns its sha256, under which it is kept.
    pub fn insert_value(&mut self, value: Vec<u8>) -> Hash {
        let hash: Hash = Sha256::digest(&value).into();
        self.values.insert(hash, value);
        hash
    }

    /// Number of node preimages held.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of values held.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// The witness's size as hash-keyed preimages: 32 + 64 bytes a node, 32 + its length a
    /// value.
    pub fn byte_len(&self) -> usize {
        self.nodes.len() * 96 + self.values.values().map(|v| 32 + v.len()).sum::<usize>()
    }

    /// The node preimages, by node hash.
    pub fn nodes(&self) -> impl Iterator<Item = (&Hash, &NodePreimage)> {
        self.nodes.iter()
    }

    /// The values, by their sha256.
    pub fn values(&self) -> impl Iterator<Item = (&Hash, &Vec<u8>)> {
        self.values.iter()
    }

    /// Adds everything in `other`.
    pub fn extend(&mut self, other: WitnessMap) {
        self.nodes.extend(other.nodes);
        self.values.extend(other.values);
    }
}

impl WitnessSource for WitnessMap {
    fn node(&mut self, hash: &Hash) -> Result<Option<NodePreimage>, StateError> {
        Ok(self.nodes.get(hash).copied())
    }

    fn value(&mut self, value_hash: &Hash) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.values.get(value_hash).cloned())
    }
}

impl WitnessSource for &WitnessMap {
    fn node(&mut self, hash: &Hash) -> Result<Option<NodePreimage>, StateError> {
        Ok(self.nodes.get(hash).copied())
    }

    fn value(&mut self, value_hash: &Hash) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.values.get(value_hash).cloned())
    }
}
