// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {DisputeGameFactory} from "./DisputeGameFactory.sol";
import {GameStatus, IDisputeGame} from "./interfaces/IDisputeGame.sol";

/// @title AnchorStateRegistry
/// @notice The one place that says which dispute games count: the anchor state new games start
///         from, the respected game type, the guardian's blacklist and retirement, and the
///         finality airgap. The Portal pays a withdrawal only against a game this registry calls
///         valid (`isGameClaimValid`).
/// @dev Roles:
///      - guardian (the Security Council): blacklists a game, sets the respected game type (which
///        retires every game created before it), at once; these can delay exits, never move funds;
///      - owner (the timelock): replaces the guardian.
///      The airgap is immutable: changing it is an upgrade, behind the timelock.
contract AnchorStateRegistry is Ownable2Step {
    /// @notice An output root and the L2 block it is of.
    struct OutputRoot {
        bytes32 root;
        uint64 l2BlockNumber;
    }

    /// @notice The factory whose games this registry knows.
    DisputeGameFactory public immutable factory;
    /// @notice Seconds after a game resolves before its result is final (the airgap, during which
    ///         the guardian can blacklist it).
    uint64 public immutable finalityDelay;

    /// @notice The account that may blacklist games and set the respected type.
    address public guardian;
    /// @notice The game type whose games the Portal accepts.
    uint32 public respectedGameType;
    /// @notice Games created at or before this L1 timestamp are retired (no longer proper).
    uint64 public retirementTimestamp;
    /// @notice Blacklisted games.
    mapping(address game => bool) public isGameBlacklisted;
    /// @notice The anchor game (zero until a game replaces the starting anchor).
    IDisputeGame public anchorGame;

    OutputRoot private _startingAnchor;

    /// @notice `game` was blacklisted by the guardian.
    event GameBlacklisted(address indexed game);
    /// @notice The respected game type changed; games created until now are retired.
    event RespectedGameTypeSet(uint32 indexed gameType, uint64 retirementTimestamp);
    /// @notice A game became the anchor.
    event AnchorUpdated(address indexed game, bytes32 root, uint64 l2BlockNumber);
    /// @notice The guardian changed.
    event GuardianUpdated(address indexed previous, address indexed current);

    /// @notice The caller is not the guardian.
    error NotGuardian(address caller);
    /// @notice The game cannot become the anchor: it is not valid, or not newer than the anchor.
    error AnchorNotUpdated(address game, uint64 l2BlockNumber, uint64 anchorBlockNumber);

    /// @param owner_ The owner (the timelock).
    /// @param guardian_ The guardian (the Security Council).
    /// @param factory_ The dispute game factory.
    /// @param startingAnchor The output new games start from until a game replaces it (genesis).
    /// @param respectedGameType_ The initially respected game type.
    /// @param finalityDelay_ The airgap in seconds.
    constructor(
        address owner_,
        address guardian_,
        DisputeGameFactory factory_,
        OutputRoot memory startingAnchor,
        uint32 respectedGameType_,
        uint64 finalityDelay_
    ) Ownable(owner_) {
        factory = factory_;
        finalityDelay = finalityDelay_;
        _startingAnchor = startingAnchor;
        respectedGameType = respectedGameType_;
        guardian = guardian_;
        emit GuardianUpdated(address(0), guardian_);
    }

    // ---------------------------------------------------------------- guardian

    /// @notice Guardian: blacklist `game`. A blacklisted game never proves a withdrawal and
    ///         refunds its bonds to their depositors.
    function blacklistDisputeGame(IDisputeGame game) external onlyGuardian {
        isGameBlacklisted[address(game)] = true;
        emit GameBlacklisted(address(game));
    }

    /// @notice Guardian: make `gameType` the respected type and retire every game created until
    ///         now (of any type).
    function setRespectedGameType(uint32 gameType) external onlyGuardian {
        respectedGameType = gameType;
        retirementTimestamp = uint64(block.timestamp);
        emit RespectedGameTypeSet(gameType, uint64(block.timestamp));
    }

    /// @notice Owner: replace the guardian.
    function setGuardian(address guardian_) external onlyOwner {
        emit GuardianUpdated(guardian, guardian_);
        guardian = guardian_;
    }

    modifier onlyGuardian() {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- anchors

    /// @notice The output new games start from: the anchor game's claim, or the starting anchor.
    function anchorRoot() public view returns (bytes32 root, uint64 l2BlockNumber) {
        IDisputeGame game = anchorGame;
        if (address(game) == address(0)) return (_startingAnchor.root, _startingAnchor.l2BlockNumber);
        return (game.rootClaim(), game.l2BlockNumber());
    }

    /// @notice Anyone: make `game` the anchor if its claim is valid and of a later block.
    function setAnchorState(IDisputeGame game) external {
        (, uint64 anchorBlock) = anchorRoot();
        uint64 l2Block = isGameRegistered(game) ? game.l2BlockNumber() : 0;
        if (!isGameClaimValid(game) || l2Block <= anchorBlock) {
            revert AnchorNotUpdated(address(game), l2Block, anchorBlock);
        }
        anchorGame = game;
        emit AnchorUpdated(address(game), game.rootClaim(), l2Block);
    }

    // ---------------------------------------------------------------- what counts

    /// @notice Whether the factory created `game`.
    function isGameRegistered(IDisputeGame game) public view returns (bool) {
        return factory.createdAt(address(game)) != 0;
    }

    /// @notice Whether `game`'s type was respected when it was created.
    function isGameRespected(IDisputeGame game) public view returns (bool) {
        return game.wasRespectedGameTypeWhenCreated();
    }

    /// @notice Whether `game` was created at or before the retirement timestamp.
    function isGameRetired(IDisputeGame game) public view returns (bool) {
        return game.createdAt() <= retirementTimestamp;
    }

    /// @notice Registered, not blacklisted and not retired. There is no pause: exits never stop.
    function isGameProper(IDisputeGame game) public view returns (bool) {
        return isGameRegistered(game) && !isGameBlacklisted[address(game)] && !isGameRetired(game);
    }

    /// @notice Whether `game` has resolved either way.
    function isGameResolved(IDisputeGame game) public view returns (bool) {
        GameStatus s = game.status();
        return s == GameStatus.CHALLENGER_WINS || s == GameStatus.DEFENDER_WINS;
    }

    /// @notice Resolved more than the airgap ago.
    function isGameFinalized(IDisputeGame game) public view returns (bool) {
        return isGameResolved(game) && block.timestamp > uint256(game.resolvedAt()) + finalityDelay;
    }

    /// @notice Proper, respected, finalized and resolved for the defender: a claim the Portal
    ///         may prove withdrawals against.
    function isGameClaimValid(IDisputeGame game) public view returns (bool) {
        return isGameProper(game) && isGameRespected(game) && isGameFinalized(game)
            && game.status() == GameStatus.DEFENDER_WINS;
    }
}
