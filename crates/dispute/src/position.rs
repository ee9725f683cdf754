//! Positions in the game tree as generalized indices (`2^depth + index`; the root is 1): the
//! twin of `contracts/src/dispute/lib/Position.sol`. A claim commits to the state at its trace
//! index, the index of the rightmost position below it at the depth of interest.

/// A position; the root is 1. Depths stay below 127.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(pub u128);

impl Position {
    /// The root's position.
    pub const ROOT: Self = Self(1);

    /// The position at `depth` and `index` (`index < 2^depth`).
    pub fn new(depth: u32, index: u128) -> Self {
        Self((1u128 << depth) + index)
    }

    /// Its depth: the index of its highest set bit.
    pub fn depth(self) -> u32 {
        127 - self.0.leading_zeros()
    }

    /// Its index among the positions at its depth, from the left.
    pub fn index_at_depth(self) -> u128 {
        self.0 - (1u128 << self.depth())
    }

    /// An attack's position: the left child.
    pub fn attack(self) -> Self {
        Self(self.0 << 1)
    }

    /// A defense's position: the left child of the right neighbour.
    pub fn defend(self) -> Self {
        Self((self.0 + 1) << 1)
    }

    /// The move's position.
    pub fn moved(self, is_attack: bool) -> Self {
        if is_attack { self.attack() } else { self.defend() }
    }

    /// Its trace index at depth `at` (at least its own depth).
    pub fn trace_index(self, at: u32) -> u128 {
        let below = at - self.depth();
        ((self.0 << below) | ((1u128 << below) - 1)) - (1u128 << at)
    }

    /// The highest ancestor (or itself) with its trace index, not above depth `floor`.
    pub fn trace_ancestor(self, floor: u32) -> Self {
        let mut p = self.0;
        while p & 1 == 1 && p > 1 && Self(p).depth() > floor {
            p >>= 1;
        }
        Self(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The arithmetic against its definition by walking the tree (as Registry.t.sol's fuzz).
        #[test]
        fn positions_match_their_definition(d in 0u32..100, index_seed: u128, below in 0u32..20) {
            let index = index_seed % (1u128 << d);
            let p = Position::new(d, index);
            prop_assert_eq!(p.depth(), d);
            prop_assert_eq!(p.index_at_depth(), index);
            prop_assert_eq!(p.attack().0, 2 * p.0);
            prop_assert_eq!(p.defend().0, 2 * (p.0 + 1));
            let mut q = p.0;
            for _ in 0..below {
                q = 2 * q + 1;
            }
            prop_assert_eq!(p.trace_index(d + below), q - (1u128 << (d + below)));
            let a = p.trace_ancestor(0);
            prop_assert_eq!(a.trace_index(d + 2), p.trace_index(d + 2));
            if a.0 > 1 {
                prop_assert_ne!(Position(a.0 >> 1).trace_index(d + 2), p.trace_index(d + 2));
            }
            prop_assert!(p.trace_ancestor(d / 2).depth() >= d / 2);
        }
    }
}
