//! State proofs and their verifier.
//!
//! The verifier depends on SHA-256 alone, mirroring NOMT's binary trie so that the same check
//! can run in Solidity (`sha256` precompile) or a fault-proof program:
//!
//! - leaf node: `sha256(key_path ‖ sha256(value))` with the top bit set;
//! - internal node: `sha256(left ‖ right)` with the top bit cleared;
//! - empty subtree: 32 zero bytes.
//!
//! `siblings[i]` is the sibling at depth `i + 1` (root side first); the bits of the key path,
//! most significant first, say which side the path takes at each depth.

use alloc::vec::Vec;

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a proven path ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ProofTerminal {
    /// A leaf: the key itself (presence) or another key sharing the path (absence).
    #[serde(rename_all = "camelCase")]
    Leaf {
        /// The leaf's full key path.
        key_path: B256,
        /// sha256 of the leaf's value.
        value_hash: B256,
    },
    /// An empty subtree (absence).
    Empty,
}

/// A Merkle proof that a key holds a value, or holds none, under a state root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateProof {
    /// The key proven.
    pub key_path: B256,
    /// Where its path ends.
    pub terminal: ProofTerminal,
    /// Sibling hashes from the root down.
    pub siblings: Vec<B256>,
}

/// What a valid proof shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofOutcome {
    /// The key holds a value with this sha256.
    Present {
        /// sha256 of the value.
        value_hash: B256,
    },
    /// The key holds nothing.
    Absent,
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// More than 256 siblings: deeper than any key path.
    #[error("proof has {count} siblings, at most 256 are possible")]
    TooManySiblings {
        /// Count given.
        count: usize,
    },
    /// The terminal leaf is not on the key's path.
    #[error("the proof's leaf is not on the path of the key")]
    LeafOffPath,
    /// The recomputed root differs.
    #[error("proof computes root {computed}, expected {expected}")]
    RootMismatch {
        /// Root from the proof.
        computed: B256,
        /// Root expected.
        expected: B256,
    },
    /// The proof is valid but shows a different value than the one claimed.
    #[error("the proof shows {shown:?}, not the claimed value")]
    ValueMismatch {
        /// What the proof shows.
        shown: ProofOutcome,
    },
}

pub(crate) fn bit(key: &[u8; 32], i: usize) -> bool {
    (key[i / 8] >> (7 - (i % 8))) & 1 == 1
}

pub(crate) fn hash_pair(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The leaf node hash NOMT stores for `key_path` holding a value with `value_hash`.
pub fn leaf_hash(key_path: &[u8; 32], value_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = hash_pair(key_path, value_hash);
    h[0] |= 0x80;
    h
}

/// Checks `proof` against `root` and says what it shows about `proof.key_path`.
pub fn verify_proof(root: B256, proof: &StateProof) -> Result<ProofOutcome, ProofError> {
    let depth = proof.siblings.len();
    if depth > 256 {
        return Err(ProofError::TooManySiblings { count: depth });
    }
    let key = &proof.key_path.0;
    let mut node = match &proof.terminal {
        ProofTerminal::Leaf { key_path, value_hash } => {
            // The leaf must sit where the key's path leads, or it proves nothing about the key.
            if (0..depth).any(|i| bit(&key_path.0, i) != bit(key, i)) {
                return Err(ProofError::LeafOffPath);
            }
            leaf_hash(&key_path.0, &value_hash.0)
        }
        ProofTerminal::Empty => [0u8; 32],
    };
    for i in (0..depth).rev() {
        let sibling = &proof.siblings[i].0;
        let mut next = if bit(key, i) { hash_pair(sibling, &node) } else { hash_pair(&node, sibling) };
        next[0] &= 0x7f;
        node = next;
    }
    if node != root.0 {
        return Err(ProofError::RootMismatch { computed: B256::from(node), expected: root });
    }
    Ok(match &proof.terminal {
        ProofTerminal::Leaf { key_path, value_hash } if key_path == &proof.key_path => {
            ProofOutcome::Present { value_hash: *value_hash }
        }
        _ => ProofOutcome::Absent,
    })
}

impl StateProof {
    /// Checks the proof and that it shows exactly `value` (`None`: absence).
    pub fn verify_value(&self, root: B256, value: Option<&[u8]>) -> Result<(), ProofError> {
        let shown = verify_proof(root, self)?;
        let ok = match (shown, value) {
            (ProofOutcome::Present { value_hash }, Some(v)) => {
                value_hash.0 == <[u8; 32]>::from(Sha256::digest(v))
            }
            (ProofOutcome::Absent, None) => true,
            _ => false,
        };
        if ok { Ok(()) } else { Err(ProofError::ValueMismatch { shown }) }
    }
}
