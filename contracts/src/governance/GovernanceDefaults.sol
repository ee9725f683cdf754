// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {GameDefaults} from "../dispute/lib/GameDefaults.sol";

/// @title GovernanceDefaults
/// @notice The delay of the `TimelockController` (OpenZeppelin) that owns every setter and upgrade
///         of a production chain: at least 7 days plus the longest exit without the operator, so
///         that users who dislike an upgrade can leave before it lands (L2BEAT Stage 1;
///         docs/stages.md derives the numbers).
library GovernanceDefaults {
    /// @notice A forced withdrawal is in the chain within the inclusion deadline (at most a day).
    uint256 internal constant FORCED_INCLUSION = 1 days;
    /// @notice The longest game: both clocks run out, and the team that moves last before its
    ///         clock does gains at most one extension per move of its own (half the levels), one
    ///         of them doubled.
    uint256 internal constant LONGEST_GAME =
        2 * GameDefaults.MAX_CLOCK_DURATION + (GameDefaults.MAX_GAME_DEPTH / 2 + 1) * GameDefaults.CLOCK_EXTENSION;
    /// @notice The longest exit: inclusion, the game over a block that includes it, the airgap.
    uint256 internal constant LONGEST_EXIT = FORCED_INCLUSION + LONGEST_GAME + GameDefaults.FINALITY_DELAY;
    /// @notice The timelock's delay: 7 days of warning after the longest exit, rounded up to a
    ///         whole day (24 days).
    // Dividing first is the rounding up to whole days.
    // forge-lint: disable-next-line(divide-before-multiply)
    uint256 internal constant TIMELOCK_DELAY = ((7 days + LONGEST_EXIT + 1 days - 1) / 1 days) * 1 days;
}
