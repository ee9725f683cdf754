// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title GameDefaults
/// @notice The dispute parameters of a production Pillar chain (docs/fault-proofs.md, "The
///         dispute game", which derives each). A devnet scales the clocks, the airgap and the
///         delays down by flags; the depths and bonds stay.
library GameDefaults {
    /// @notice Pillar's fault-proof game type: the rv32im program `pillar-fp-program`.
    uint32 internal constant GAME_TYPE = 0;
    /// @notice Output bisection over up to 2^32 blocks from the anchor: 99 days of 2 ms blocks.
    uint256 internal constant SPLIT_DEPTH = 32;
    /// @notice 2^39 instructions per block trace below the split (a 10,000-move session block is
    ///         about 4.4 × 10^10); even, so the leaves are the proposer's team's and a lying
    ///         proposer is refuted by the challenger's `step`.
    uint256 internal constant MAX_GAME_DEPTH = 72;
    /// @notice Each team's chess clock.
    uint64 internal constant MAX_CLOCK_DURATION = 3.5 days;
    /// @notice Time a team is guaranteed after the other moves (doubled before a block's trace).
    uint64 internal constant CLOCK_EXTENSION = 3 hours;
    /// @notice The airgap after resolution during which the Security Council can blacklist.
    uint64 internal constant FINALITY_DELAY = 3.5 days;
    /// @notice The delay between unlocking and paying a bond.
    uint64 internal constant BOND_DELAY = 7 days;
    /// @notice The root's bond: 400,000 gas at 30 gwei, about twice a top-level counter's cost.
    uint256 internal constant BASE_BOND = 0.012 ether;
    /// @notice Growth per level: 15× over 72 levels, so the deepest bond (about 6 M gas at 30
    ///         gwei) covers a step with its preimage loads, the largest a calldata batch's.
    uint256 internal constant BOND_GROWTH_WAD = 1.0383e18;
}
