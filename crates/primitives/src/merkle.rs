//! A keccak binary Merkle root over 32-byte leaves (transaction and receipt roots).

use alloc::vec::Vec;

use alloy_primitives::{B256, keccak256};

/// Root of a binary keccak tree: the empty list hashes to zero, a single leaf is its own root,
/// each level pairs neighbours as `keccak(left ‖ right)` and carries an odd last node up unchanged.
pub fn merkle_root(leaves: &[B256]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let mut level: Vec<B256> = leaves.to_vec();
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        for pair in level.chunks(2) {
            match pair {
                [l, r] => {
                    let mut buf = [0u8; 64];
                    buf[..32].copy_from_slice(l.as_slice());
                    buf[32..].copy_from_slice(r.as_slice());
                    next.push(keccak256(buf));
                }
                [single] => next.push(*single),
                _ => unreachable!("chunks(2) yields one or two items"),
            }
        }
        level = next;
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let a = B256::repeat_byte(1);
        let b = B256::repeat_byte(2);
        let c = B256::repeat_byte(3);
        assert_eq!(merkle_root(&[]), B256::ZERO);
        assert_eq!(merkle_root(&[a]), a);
        let ab = keccak256([a.as_slice(), b.as_slice()].concat());
        assert_eq!(merkle_root(&[a, b]), ab);
        assert_eq!(merkle_root(&[a, b, c]), keccak256([ab.as_slice(), c.as_slice()].concat()));
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
    }
}

/// The siblings proving `leaves[index]` under [`merkle_root`]`(leaves)`, from the leaf level up,
/// skipping levels where the node is carried up without a sibling (docs/bridge.md §5.3).
pub fn merkle_proof(leaves: &[B256], index: usize) -> Vec<B256> {
    let mut siblings = Vec::new();
    let mut level = leaves.to_vec();
    let mut index = index;
    while level.len() > 1 {
        if let Some(s) = level.get(index ^ 1) {
            siblings.push(*s);
        }
        level = level
            .chunks(2)
            .map(|p| match p {
                [l, r] => keccak256([l.as_slice(), r.as_slice()].concat()),
                [x] => *x,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
        index /= 2;
    }
    siblings
}

/// The root a proof leads to, as `Portal` computes it; `None` if the proof's shape is wrong.
pub fn merkle_root_from_proof(leaf: B256, index: usize, count: usize, siblings: &[B256]) -> Option<B256> {
    if count == 0 || index >= count {
        return None;
    }
    let (mut node, mut idx, mut width, mut used) = (leaf, index, count, 0);
    while width > 1 {
        if idx % 2 == 1 {
            node = keccak256([siblings.get(used)?.as_slice(), node.as_slice()].concat());
            used += 1;
        } else if idx + 1 < width {
            node = keccak256([node.as_slice(), siblings.get(used)?.as_slice()].concat());
            used += 1;
        }
        idx /= 2;
        width = width.div_ceil(2);
    }
    (used == siblings.len()).then_some(node)
}

/// An append-only form of [`merkle_root`]: the perfect subtrees ("peaks") of the leaves so far,
/// largest first, so appending is O(log n) and the root needs no other leaf.
#[derive(Debug, Clone, Default, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct MerklePeaks {
    /// Number of leaves.
    pub count: u64,
    /// Roots of the perfect subtrees, largest first (one per set bit of `count`).
    pub peaks: Vec<B256>,
}

impl MerklePeaks {
    /// Appends a leaf.
    pub fn push(&mut self, leaf: B256) {
        let mut node = leaf;
        // Each trailing one bit of the count is a peak of the same size: merge it.
        let mut n = self.count;
        while n & 1 == 1 {
            let left = self.peaks.pop().expect("a peak per set bit");
            node = keccak256([left.as_slice(), node.as_slice()].concat());
            n >>= 1;
        }
        self.peaks.push(node);
        self.count += 1;
    }

    /// Equals [`merkle_root`] of all leaves pushed: with the odd-carried-up rule the root is the
    /// peaks folded from the right.
    pub fn root(&self) -> B256 {
        let mut it = self.peaks.iter().rev();
        let Some(mut acc) = it.next().copied() else { return B256::ZERO };
        for p in it {
            acc = keccak256([p.as_slice(), acc.as_slice()].concat());
        }
        acc
    }
}

#[cfg(test)]
mod peak_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn peaks_match_the_full_tree_and_proofs_verify(n in 0usize..70, seed in any::<u8>()) {
            let leaves: Vec<B256> = (0..n).map(|i| keccak256([seed, i as u8, (i >> 8) as u8])).collect();
            let mut peaks = MerklePeaks::default();
            for l in &leaves {
                peaks.push(*l);
            }
            prop_assert_eq!(peaks.root(), merkle_root(&leaves));
            for i in 0..n {
                let proof = merkle_proof(&leaves, i);
                prop_assert_eq!(merkle_root_from_proof(leaves[i], i, n, &proof), Some(merkle_root(&leaves)));
                if !proof.is_empty() {
                    prop_assert_eq!(merkle_root_from_proof(leaves[i], i, n, &proof[1..]), None);
                }
            }
        }
    }

    #[test]
    fn three_leaves_vector() {
        // docs/bridge.md §7: keccak(keccak(a ‖ b) ‖ c).
        let l = [B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3)];
        assert_eq!(
            merkle_root(&l),
            "0xf8f23a80fd4d99d9d231122e1f115145412be3856b23abcc338903e32a80c4ef".parse::<B256>().unwrap()
        );
    }
}
