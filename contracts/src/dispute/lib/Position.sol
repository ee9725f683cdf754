// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title Position
/// @notice Positions in the dispute game's binary tree as generalized indices: the node at depth
///         `d` and index `i` (from the left) is `2^d + i`; the root is 1. A claim at a position
///         commits to the state at its **trace index**: the index of the rightmost leaf below it at
///         a given depth (docs/fault-proofs.md, "The dispute game").
/// @dev Every function takes a valid position (at least 1); depths stay below 128 (the game
///      checks its depths at construction).
library Position {
    /// @notice The root's position.
    uint256 internal constant ROOT = 1;

    /// @notice The depth of `p`: the index of its highest set bit.
    function depth(uint256 p) internal pure returns (uint256 d) {
        // Binary search on the highest set bit; p < 2^128.
        if (p >> 64 != 0) {
            p >>= 64;
            d += 64;
        }
        if (p >> 32 != 0) {
            p >>= 32;
            d += 32;
        }
        if (p >> 16 != 0) {
            p >>= 16;
            d += 16;
        }
        if (p >> 8 != 0) {
            p >>= 8;
            d += 8;
        }
        if (p >> 4 != 0) {
            p >>= 4;
            d += 4;
        }
        if (p >> 2 != 0) {
            p >>= 2;
            d += 2;
        }
        if (p >> 1 != 0) d += 1;
    }

    /// @notice The index of `p` among the positions at its depth, from the left.
    function indexAtDepth(uint256 p) internal pure returns (uint256) {
        return p - (uint256(1) << depth(p));
    }

    /// @notice The position an attack on `p` takes: its left child, which bisects `p`'s range.
    function attack(uint256 p) internal pure returns (uint256) {
        return p << 1;
    }

    /// @notice The position a defense of `p` takes: the left child of `p`'s right neighbour, which
    ///         bisects the range between `p`'s trace index and the next committed one.
    function defend(uint256 p) internal pure returns (uint256) {
        return (p + 1) << 1;
    }

    /// @notice The trace index of `p` at depth `atDepth` (>= depth(p)): the index of the rightmost
    ///         position below `p` at that depth.
    function traceIndex(uint256 p, uint256 atDepth) internal pure returns (uint256) {
        uint256 below = atDepth - depth(p);
        return ((p << below) | ((uint256(1) << below) - 1)) - (uint256(1) << atDepth);
    }

    /// @notice The highest ancestor of `p` (or `p` itself) with `p`'s trace index, not above
    ///         depth `floor`: a right child shares its parent's trace index, so right children are
    ///         climbed. `floor` 0 climbs the whole tree.
    function traceAncestor(uint256 p, uint256 floor) internal pure returns (uint256) {
        while (p & 1 == 1 && p > 1 && depth(p) > floor) {
            p >>= 1;
        }
        return p;
    }
}
