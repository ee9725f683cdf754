//! The memory commitment: a binary keccak256 Merkle tree over the 32-bit address space.
//!
//! Leaves are 32 bytes of memory, taken as they are (a leaf is not hashed): 2^27 leaves, 27
//! levels. An internal node is `keccak256(left ‖ right)`. A leaf of 32 bytes is what Cannon and
//! Asterisc use: a word-aligned instruction lies in one leaf, and a load or store of at most
//! 4 bytes touches one leaf, or two when it crosses a 32-byte boundary, so a step proof carries at
//! most three paths. Smaller leaves would lengthen every path; larger ones would make the L1
//! verifier copy more calldata per leaf.
//!
//! A 4 KiB page is the subtree of 128 leaves (7 levels) under one node, so a page's root can be
//! cached and recomputed only when the page is written; the 20 levels above combine the page roots.
//! An all-zero subtree of height `h` has the root [`zero_hash`]`(h)`, so memory never written
//! costs no hashing, and a written page that is zero again has the same root as one never written:
//! the root depends on the bytes only.

use sha3::{Digest, Keccak256};

/// A keccak256 digest.
pub type Hash = [u8; 32];

/// log2 of [`LEAF_SIZE`].
pub const LEAF_BITS: u32 = 5;
/// Bytes per leaf.
pub const LEAF_SIZE: usize = 1 << LEAF_BITS;
/// Levels from a leaf to the memory root: a path has this many siblings.
pub const LEAF_DEPTH: usize = 32 - LEAF_BITS as usize;
/// Levels from a leaf to its page's root (128 leaves per page).
pub const PAGE_DEPTH: usize = crate::memory::PAGE_BITS as usize - LEAF_BITS as usize;
/// Levels from a page's root to the memory root.
pub const UPPER_DEPTH: usize = LEAF_DEPTH - PAGE_DEPTH;

/// A leaf and its siblings, bottom up: `siblings[l]` is the sibling of the leaf's ancestor at
/// height `l` (height 0 is the leaf). The leaf's index (its address over 32) is not part of the
/// proof: the verifier derives it from the address accessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafProof {
    /// The 32 bytes of memory at the leaf.
    pub leaf: Hash,
    /// One sibling per level.
    pub siblings: [Hash; LEAF_DEPTH],
}

impl LeafProof {
    /// The root this path implies for leaf number `index` holding `leaf`.
    pub fn root(&self, index: u32, leaf: &Hash) -> Hash {
        self.ancestors(index, leaf)[LEAF_DEPTH]
    }

    /// The leaf's ancestors for leaf number `index` holding `leaf`, height 0 (the leaf) to
    /// [`LEAF_DEPTH`] (the root).
    pub fn ancestors(&self, index: u32, leaf: &Hash) -> [Hash; LEAF_DEPTH + 1] {
        let mut nodes = [[0; 32]; LEAF_DEPTH + 1];
        nodes[0] = *leaf;
        for (l, sibling) in self.siblings.iter().enumerate() {
            nodes[l + 1] = match (index >> l) & 1 {
                0 => hash_pair(&nodes[l], sibling),
                _ => hash_pair(sibling, &nodes[l]),
            };
        }
        nodes
    }
}

/// `keccak256(left ‖ right)`.
pub fn hash_pair(left: &Hash, right: &Hash) -> Hash {
    let mut h = Keccak256::new();
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// keccak256 of `bytes`.
pub fn keccak256(bytes: &[u8]) -> Hash {
    Keccak256::digest(bytes).into()
}

/// The root of an all-zero subtree of height `height` (0: a zero leaf); heights above
/// [`LEAF_DEPTH`] give the memory root of empty memory.
pub fn zero_hash(height: usize) -> Hash {
    static ZEROS: std::sync::OnceLock<[Hash; LEAF_DEPTH + 1]> = std::sync::OnceLock::new();
    let zeros = ZEROS.get_or_init(|| {
        let mut z = [[0; 32]; LEAF_DEPTH + 1];
        for h in 1..=LEAF_DEPTH {
            z[h] = hash_pair(&z[h - 1], &z[h - 1]);
        }
        z
    });
    zeros[height.min(LEAF_DEPTH)]
}

/// The page's 128 leaves and the levels above them: `levels[h]` holds the nodes at height `h`.
fn page_levels(page: &crate::memory::Page) -> Vec<Vec<Hash>> {
    let mut levels = Vec::with_capacity(PAGE_DEPTH + 1);
    let leaves: Vec<Hash> = page
        .chunks_exact(LEAF_SIZE)
        .map(|c| {
            let mut leaf = [0; 32];
            leaf.copy_from_slice(c);
            leaf
        })
        .collect();
    levels.push(leaves);
    for h in 0..PAGE_DEPTH {
        let next = levels[h].chunks_exact(2).map(|p| hash_pair(&p[0], &p[1])).collect();
        levels.push(next);
    }
    levels
}

/// The root of one page's subtree.
pub fn page_root(page: &crate::memory::Page) -> Hash {
    // An all-zero page is common (zeroed .bss, fresh stack) and needs no hashing.
    if page.iter().all(|b| *b == 0) {
        return zero_hash(PAGE_DEPTH);
    }
    page_levels(page)[PAGE_DEPTH][0]
}

/// Siblings of leaf `leaf_in_page` (0..128) up to the page's root.
pub(crate) fn page_path(page: &crate::memory::Page, leaf_in_page: usize) -> impl Iterator<Item = Hash> {
    let levels = page_levels(page);
    (0..PAGE_DEPTH).map(move |h| levels[h][((leaf_in_page >> h) ^ 1) & (levels[h].len() - 1)])
}

/// The 20 levels above the pages, cached: only nodes over written pages are kept (an absent
/// node is the zero subtree), and a commitment recomputes only the paths above the pages written
/// since the last one.
#[derive(Debug, Clone, Default)]
pub(crate) struct UpperTree {
    /// `nodes[h]`: index at height `h` above the pages (0: the page roots) to its root.
    nodes: Vec<std::collections::HashMap<u32, Hash>>,
}

impl UpperTree {
    fn get(&self, height: usize, index: u32) -> Hash {
        match self.nodes.get(height).and_then(|level| level.get(&index)) {
            Some(h) => *h,
            None => zero_hash(PAGE_DEPTH + height),
        }
    }

    /// Sets the roots of `changed` pages (page number, root; sorted by page number) and
    /// recomputes their ancestors.
    pub(crate) fn update(&mut self, changed: &[(u32, Hash)]) {
        if self.nodes.is_empty() {
            self.nodes = vec![Default::default(); UPPER_DEPTH + 1];
        }
        let mut indices: Vec<u32> = Vec::with_capacity(changed.len());
        for (n, root) in changed {
            self.nodes[0].insert(*n, *root);
            indices.push(*n);
        }
        for h in 0..UPPER_DEPTH {
            for i in indices.iter_mut() {
                *i >>= 1;
            }
            indices.dedup();
            for &i in &indices {
                let node = hash_pair(&self.get(h, 2 * i), &self.get(h, 2 * i + 1));
                self.nodes[h + 1].insert(i, node);
            }
        }
    }

    /// The memory root.
    pub(crate) fn root(&self) -> Hash {
        self.get(UPPER_DEPTH, 0)
    }

    /// Siblings of page `page_no` from its page root up to the memory root.
    pub(crate) fn path(&self, page_no: u32) -> impl Iterator<Item = Hash> + '_ {
        (0..UPPER_DEPTH).map(move |h| self.get(h, (page_no >> h) ^ 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Memory;

    /// The root computed naively over all 2^27 leaves would take minutes; instead check against a
    /// naive tree over a small address range placed at address 0, with the rest zero.
    #[test]
    fn empty_memory_root_is_the_zero_hash_of_the_full_height() {
        assert_eq!(Memory::new().memory_root(), zero_hash(LEAF_DEPTH));
        assert_eq!(zero_hash(1), keccak256(&[0; 64]));
    }

    #[test]
    fn a_written_then_zeroed_page_commits_like_an_untouched_one() {
        let mut m = Memory::new();
        m.store_u32(0x5000, 7).unwrap();
        assert_ne!(m.memory_root(), zero_hash(LEAF_DEPTH));
        m.store_u32(0x5000, 0).unwrap();
        assert_eq!(m.memory_root(), zero_hash(LEAF_DEPTH));
    }

    #[test]
    fn one_leaf_root_follows_its_path_by_hand() {
        let mut m = Memory::new();
        let addr = 0x8765_4320;
        m.store_u32(addr + 4, 0xdead_beef).unwrap();
        let mut leaf = [0; 32];
        leaf[4..8].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        let index = addr >> LEAF_BITS;
        let mut node = leaf;
        for h in 0..LEAF_DEPTH {
            node = match (index >> h) & 1 {
                0 => hash_pair(&node, &zero_hash(h)),
                _ => hash_pair(&zero_hash(h), &node),
            };
        }
        assert_eq!(m.memory_root(), node);
    }

    #[test]
    fn leaf_proofs_verify_against_the_root_everywhere() {
        let mut m = Memory::new();
        for (i, addr) in [0u32, 0x1fe0, 0x2000, 0x1_0004, 0x7fff_fff0, 0xffff_ffe0].into_iter().enumerate() {
            m.store_u32(addr, 0x0101_0101 * (i as u32 + 1)).unwrap();
        }
        let root = m.memory_root();
        for addr in [0u32, 0x1fe4, 0x2000, 0x1_0000, 0x7fff_fff8, 0xffff_fffc, 0x4000_0000] {
            let p = m.prove_leaf(addr);
            assert_eq!(&p.leaf[..], &m.read(addr & !31, 32)[..], "{addr:#x}");
            assert_eq!(p.root(addr >> LEAF_BITS, &p.leaf), root, "{addr:#x}");
            // The same path claimed for the neighbouring leaf fails, unless both are zero (then
            // swapping them changes nothing).
            if p.leaf != p.siblings[0] {
                assert_ne!(p.root((addr >> LEAF_BITS) ^ 1, &p.leaf), root, "{addr:#x}");
            }
        }
    }

    /// Interleaved writes, commitments and clones give the root a fresh memory with the same
    /// bytes gives.
    #[test]
    fn the_cached_tree_matches_a_fresh_one() {
        let mut m = Memory::new();
        let mut x = 0x1234_5678u32;
        for round in 0..20 {
            for _ in 0..50 {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                // A few hot pages and a spread of cold ones.
                let addr = if x & 1 == 0 { (x >> 8) & 0x3fff } else { x };
                m.store_u32(addr, x).unwrap();
            }
            if round % 3 == 0 {
                m = m.clone();
            }
            let mut fresh = Memory::new();
            for (addr, page) in m.pages() {
                fresh.write(addr, page).unwrap();
            }
            assert_eq!(m.memory_root(), fresh.memory_root(), "round {round}");
        }
    }

    #[test]
    fn cached_page_roots_follow_writes() {
        let mut m = Memory::new();
        m.store_u32(0x3000, 1).unwrap();
        let a = m.memory_root();
        m.store_u8(0x3fff, 1).unwrap();
        let b = m.memory_root();
        assert_ne!(a, b);
        let mut fresh = Memory::new();
        fresh.store_u32(0x3000, 1).unwrap();
        fresh.store_u8(0x3fff, 1).unwrap();
        assert_eq!(fresh.memory_root(), b);
    }
}
