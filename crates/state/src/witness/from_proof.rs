//! The node preimages a state proof reveals.

use alloc::vec::Vec;

use alloy_primitives::B256;

use super::{Hash, NodePreimage, TERMINATOR, internal_hash, join};
use crate::{ProofError, ProofTerminal, StateProof, leaf_hash, proof::bit};

/// The nodes on one proven path and the root they hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofNodes {
    /// The root the path hashes to. Compare it with the expected root before trusting `nodes`.
    pub root: B256,
    /// `(node hash, preimage)`, from the terminal leaf (if any) up to the root.
    pub nodes: Vec<(Hash, NodePreimage)>,
}

/// The preimages of every node on `proof`'s path: its terminal leaf (`key_path ‖ value_hash`;
/// nothing for an empty terminal) and each internal node above it (`left ‖ right`, one side
/// being the proof's sibling at that depth and the other the node just computed). Costs one
/// hash per node; refuses a proof whose leaf is off the key's path or that is deeper than 256.
pub fn proof_nodes(proof: &StateProof) -> Result<ProofNodes, ProofError> {
    let depth = proof.siblings.len();
    if depth > 256 {
        return Err(ProofError::TooManySiblings { count: depth });
    }
    let key = &proof.key_path.0;
    let mut nodes = Vec::with_capacity(depth + 1);
    let mut node = match &proof.terminal {
        ProofTerminal::Leaf { key_path, value_hash } => {
            if (0..depth).any(|i| bit(&key_path.0, i) != bit(key, i)) {
                return Err(ProofError::LeafOffPath);
            }
            let h = leaf_hash(&key_path.0, &value_hash.0);
            nodes.push((h, join(&key_path.0, &value_hash.0)));
            h
        }
        ProofTerminal::Empty => TERMINATOR,
    };
    for i in (0..depth).rev() {
        let sibling = &proof.siblings[i].0;
        let (left, right) = if bit(key, i) { (sibling, &node) } else { (&node, sibling) };
        let preimage = join(left, right);
        node = internal_hash(left, right);
        nodes.push((node, preimage));
    }
    Ok(ProofNodes { root: B256::from(node), nodes })
}
