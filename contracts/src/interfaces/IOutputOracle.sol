// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {DerivationCursor} from "../lib/Hashing.sol";

/// @notice An output proposal: a claim about the L2 state after block `l2Block`.
struct Output {
    /// @notice `Hashing.outputRoot(stateRoot, withdrawalsRoot, blockHash, cursor)`.
    bytes32 outputRoot;
    /// @notice The L2 block the output describes.
    uint64 l2Block;
    /// @notice L1 timestamp of the proposal.
    uint64 proposedAt;
    /// @notice L1 timestamp from which the output is final (unless invalidated before).
    uint64 finalizesAt;
}

/// @title IOutputOracle
/// @notice Read access to proposed L2 outputs, as used by the Portal to prove withdrawals.
interface IOutputOracle {
    /// @notice Number of live (not invalidated) outputs; valid indices are `0..outputCount()-1`.
    function outputCount() external view returns (uint256);

    /// @notice The live output at `index`; reverts if there is none.
    function getOutput(uint256 index) external view returns (Output memory);

    /// @notice True if output `index` exists, was not invalidated and its challenge window passed.
    function isFinalized(uint256 index) external view returns (bool);

    /// @notice The output root for the given components (see `Hashing.outputRoot`).
    function computeOutputRoot(
        bytes32 stateRoot,
        bytes32 withdrawalsRoot,
        bytes32 blockHash,
        DerivationCursor calldata cursor
    ) external pure returns (bytes32);
}

/// @title IOutputChallenger
/// @notice The surface through which an output can be invalidated before it finalizes.
/// @dev At Stage 0 the guardian calls it; a permissionless dispute game contract can later be
///      installed as the rollup's `challenger` and call the same function once it has decided a
///      dispute against output `index`.
interface IOutputChallenger {
    /// @notice Invalidate the unfinalized output `index` and every later output (they build on it).
    /// @dev The proposer then proposes again from `index`.
    function invalidateOutput(uint256 index) external;
}
