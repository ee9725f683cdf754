// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @notice What CouncilRules reads of a Safe multisig.
interface IOwnedThreshold {
    function getOwners() external view returns (address[] memory);
    function getThreshold() external view returns (uint256);
}

/// @title CouncilRules
/// @notice L2BEAT's Stage 1 rule for a Security Council (docs/stages.md): at least 8 signers and a
///         threshold of at least 75% of them. The Council is a Safe (npm: safe-smart-account 1.5.0,
///         pinned on npm); deployment and monitors check it with `meetsStage1`. Whether at least
///         half of the signers are external is a fact about people, not code: docs/stages.md says
///         how a chain states it.
library CouncilRules {
    /// @notice Fewest signers.
    uint256 internal constant MIN_SIGNERS = 8;

    /// @notice Whether `council`'s signers and threshold meet Stage 1.
    function meetsStage1(IOwnedThreshold council) internal view returns (bool) {
        uint256 signers = council.getOwners().length;
        uint256 threshold = council.getThreshold();
        return signers >= MIN_SIGNERS && threshold * 4 >= signers * 3 && threshold <= signers;
    }
}
