// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @notice Where a dispute game stands.
enum GameStatus {
    /// @notice Moves may still be made.
    IN_PROGRESS,
    /// @notice The root claim was countered.
    CHALLENGER_WINS,
    /// @notice The root claim stood.
    DEFENDER_WINS
}

/// @title IDisputeGame
/// @notice What the factory, the anchor state registry and the Portal read of a dispute game.
interface IDisputeGame {
    /// @notice The game type (the factory's key to its implementation).
    function gameType() external view returns (uint32);

    /// @notice The claimed output root.
    function rootClaim() external view returns (bytes32);

    /// @notice The L2 block the root claim is about.
    function l2BlockNumber() external view returns (uint64);

    /// @notice The account that created the game (and bonded the root claim).
    function gameCreator() external view returns (address);

    /// @notice L1 timestamp of creation.
    function createdAt() external view returns (uint64);

    /// @notice L1 timestamp of resolution (0 while in progress).
    function resolvedAt() external view returns (uint64);

    /// @notice The game's status.
    function status() external view returns (GameStatus);

    /// @notice Whether the game's type was the registry's respected type when it was created.
    function wasRespectedGameTypeWhenCreated() external view returns (bool);

    /// @notice Called once by the factory right after cloning, with the root claim's bond.
    function initialize(bytes32 rootClaim, uint64 l2BlockNumber, address creator) external payable;
}
