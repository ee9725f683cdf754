//! A keccak binary Merkle root over 32-byte leaves (transaction and receipt roots).

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
