// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IDisputeGame} from "./interfaces/IDisputeGame.sol";

/// @title DisputeGameFactory
/// @notice Anyone creates a dispute game about an output root at an L2 block, bonding the root
///         claim; the game is a minimal clone of its type's implementation. One game per
///         (type, root claim, block): a second proposal of the same claim adds nothing.
/// @dev The owner (the timelock) sets implementations: a new implementation is an upgrade of
///      the proof system and waits the timelock's delay.
contract DisputeGameFactory is Ownable2Step {
    /// @notice One created game, in creation order.
    struct GameRecord {
        IDisputeGame game;
        uint32 gameType;
        uint64 createdAt;
    }

    /// @notice The implementation cloned for each game type (zero: the type cannot be created).
    mapping(uint32 gameType => IDisputeGame) public gameImpls;
    /// @notice The game for a (type, root claim, L2 block), if created.
    mapping(bytes32 uuid => IDisputeGame) internal _games;
    /// @notice When each game was created (0: not a game of this factory).
    mapping(address game => uint64) public createdAt;

    GameRecord[] internal _gameList;

    /// @notice A game was created.
    event DisputeGameCreated(
        address indexed game, uint32 indexed gameType, bytes32 indexed rootClaim, uint64 l2BlockNumber, address creator
    );
    /// @notice The implementation of a game type changed.
    event ImplementationSet(uint32 indexed gameType, address indexed impl);

    /// @notice No implementation for the game type.
    error NoImplementation(uint32 gameType);
    /// @notice A game for this (type, root claim, block) exists.
    error GameAlreadyExists(bytes32 uuid, address game);
    /// @notice No game at this index.
    error GameIndexOutOfRange(uint256 index, uint256 count);

    /// @param owner_ The owner (the timelock).
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Create a game of `gameType` claiming `rootClaim` as the output of `l2BlockNumber`.
    ///         `msg.value` is the root claim's bond (the game checks the amount).
    function create(uint32 gameType, bytes32 rootClaim, uint64 l2BlockNumber)
        external
        payable
        returns (IDisputeGame game)
    {
        IDisputeGame impl = gameImpls[gameType];
        if (address(impl) == address(0)) revert NoImplementation(gameType);
        bytes32 uuid = gameUuid(gameType, rootClaim, l2BlockNumber);
        if (address(_games[uuid]) != address(0)) revert GameAlreadyExists(uuid, address(_games[uuid]));
        game = IDisputeGame(Clones.clone(address(impl)));
        _games[uuid] = game;
        createdAt[address(game)] = uint64(block.timestamp);
        _gameList.push(GameRecord({game: game, gameType: gameType, createdAt: uint64(block.timestamp)}));
        game.initialize{value: msg.value}(rootClaim, l2BlockNumber, msg.sender);
        emit DisputeGameCreated(address(game), gameType, rootClaim, l2BlockNumber, msg.sender);
    }

    /// @notice The key of a (type, root claim, block).
    function gameUuid(uint32 gameType, bytes32 rootClaim, uint64 l2BlockNumber) public pure returns (bytes32) {
        return keccak256(abi.encode(gameType, rootClaim, l2BlockNumber));
    }

    /// @notice The game for (type, root claim, block), or zero.
    function games(uint32 gameType, bytes32 rootClaim, uint64 l2BlockNumber) external view returns (IDisputeGame) {
        return _games[gameUuid(gameType, rootClaim, l2BlockNumber)];
    }

    /// @notice Number of games created.
    function gameCount() external view returns (uint256) {
        return _gameList.length;
    }

    /// @notice The game created `index`-th (0-based).
    function gameAtIndex(uint256 index) external view returns (GameRecord memory) {
        if (index >= _gameList.length) revert GameIndexOutOfRange(index, _gameList.length);
        return _gameList[index];
    }

    /// @notice Owner: set (or, with zero, remove) the implementation of `gameType`.
    function setImplementation(uint32 gameType, IDisputeGame impl) external onlyOwner {
        gameImpls[gameType] = impl;
        emit ImplementationSet(gameType, address(impl));
    }
}
