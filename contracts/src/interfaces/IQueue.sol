// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title IQueue
/// @notice What the Rollup reads of the Portal's L1 queue when it links a batch-chain entry.
interface IQueue {
    /// @notice Number of queue messages appended so far.
    function queueLength() external view returns (uint64);

    /// @notice Rolling queue hash after the last message (zero for an empty queue).
    function lastQueueHash() external view returns (bytes32);
}
