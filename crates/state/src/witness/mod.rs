//! Executing a block against state without a database: reads walk the NOMT trie from the
//! pre-state root through a witness of node preimages and values, and the new root is recomputed
//! once, over the block's writes, hashing only what changed.
//!
//! - [`WitnessSource`]: where node preimages and values come from (the fault-proof program's
//!   preimage oracle; [`WitnessMap`] in memory).
//! - [`WitnessState`]: [`crate::StateRead`] over a source, and
//!   [`WitnessState::root_after`], the root NOMT computes after committing a block's writes.
//! - [`proof_nodes`]: the node preimages a [`crate::StateProof`] reveals, which is how the
//!   recorder (`witness_for_block`, feature `nomt`) builds a witness from NOMT.
//!
//! The rules (node forms, walks, which nodes a witness must hold) are in `docs/state.md`,
//! "Witness reads and root recomputation".

mod from_proof;
#[cfg(feature = "nomt")]
mod recorder;
mod root;
mod source;
mod state;
#[cfg(feature = "nomt")]
mod stored;

#[cfg(test)]
mod differential;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub use from_proof::{ProofNodes, proof_nodes};
#[cfg(feature = "nomt")]
pub(crate) use recorder::witness_from_paths;
#[cfg(feature = "nomt")]
pub use recorder::{witness_for, witness_for_block};
pub use root::{HashWork, RootUpdate};
pub use source::{WitnessMap, WitnessSource};
pub use state::WitnessState;
#[cfg(feature = "nomt")]
pub use stored::StoredWitnessError;

/// A node hash or a value hash.
pub(crate) type Hash = [u8; 32];

/// A node's preimage: `left ‖ right` (internal) or `key_path ‖ value_hash` (leaf).
pub(crate) type NodePreimage = [u8; 64];

/// The empty subtree.
const TERMINATOR: Hash = [0; 32];

/// What a node hash says about its node: NOMT's most-significant-bit labelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Terminator,
    Leaf,
    Internal,
}

fn kind(node: &Hash) -> Kind {
    if node[0] & 0x80 != 0 {
        Kind::Leaf
    } else if *node == TERMINATOR {
        Kind::Terminator
    } else {
        Kind::Internal
    }
}

/// `sha256(left ‖ right)` with the top bit cleared.
fn internal_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = crate::proof::hash_pair(left, right);
    h[0] &= 0x7f;
    h
}

fn split(preimage: &NodePreimage) -> (Hash, Hash) {
    let mut a = [0; 32];
    let mut b = [0; 32];
    a.copy_from_slice(&preimage[..32]);
    b.copy_from_slice(&preimage[32..]);
    (a, b)
}

fn join(a: &Hash, b: &Hash) -> NodePreimage {
    let mut p = [0; 64];
    p[..32].copy_from_slice(a);
    p[32..].copy_from_slice(b);
    p
}

/// How many leading bits `a` and `b` share (256 if equal).
fn shared_bits(a: &Hash, b: &Hash) -> usize {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let d = x ^ y;
        if d != 0 {
            return i * 8 + d.leading_zeros() as usize;
        }
    }
    256
}
