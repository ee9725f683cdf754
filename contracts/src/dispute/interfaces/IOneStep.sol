// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title ILocalDataOracle
/// @notice The part of the preimage oracle a dispute game writes: its own inputs (local keys,
///         type 1), stored under keys localized by the game's address and a context.
interface ILocalDataOracle {
    /// @notice Stores part `partOffset` of the first `size` bytes of `word` as the preimage of the
    ///         local key `ident`, localized by `msg.sender` and `localContext`.
    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256 partOffset)
        external
        returns (bytes32 key);
}

/// @title IOneStep
/// @notice The one-step rule of the fault-proof VM (`RiscvStep`): the state hash one instruction
///         after `preStateHash`, as `proof` shows; reverts on a bad proof. Local keys read in the
///         step are localized by `msg.sender` and `localContext`.
interface IOneStep {
    function step(bytes32 preStateHash, bytes calldata proof, bytes32 localContext)
        external
        view
        returns (bytes32 postStateHash);

    /// @notice The preimage oracle the step reads.
    function oracle() external view returns (ILocalDataOracle);
}
