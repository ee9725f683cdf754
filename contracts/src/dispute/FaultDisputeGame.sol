// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {AnchorStateRegistry} from "./AnchorStateRegistry.sol";
import {DelayedBondVault} from "./DelayedBondVault.sol";
import {GameStatus, IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {ILocalDataOracle, IOneStep} from "./interfaces/IOneStep.sol";
import {Position} from "./lib/Position.sol";

/// @notice What a game reads of the Rollup: the head of the batch chain, which pins the L1 data
///         every block of the dispute is derived from.
interface IBatchHead {
    function lastBatchHash() external view returns (bytes32);
}

/// @notice One claim of a game.
struct ClaimData {
    /// @notice The claim this one counters (`NO_PARENT` for the root).
    uint32 parentIndex;
    /// @notice Who countered it: set by `step` at the deepest level, and by `resolveClaim` to the
    ///         leftmost uncountered child's claimant.
    address counteredBy;
    /// @notice The claimant's team clock when the claim was made: seconds it had used.
    uint64 clockDuration;
    /// @notice Who made the claim (and posted its bond).
    address claimant;
    /// @notice L1 timestamp of the claim.
    uint64 clockTimestamp;
    /// @notice Below the split depth: the index of the execution subgame's root claim (its own
    ///         for the root), whose subgame `execSubgame` serves without walking the path again.
    uint32 execRoot;
    /// @notice The bond posted with it.
    uint128 bond;
    /// @notice Its position in the game tree.
    uint128 position;
    /// @notice An output root (at or above the split depth) or a VM state hash (below it).
    bytes32 claim;
}

/// @notice The parameters of a game type, fixed in its implementation.
struct GameParams {
    /// @notice The game type.
    uint32 gameType;
    /// @notice The program prestate: the VM state hash of the guest loaded and not yet stepped.
    bytes32 absolutePrestate;
    /// @notice The chain configuration's hash (local key 5).
    bytes32 configHash;
    /// @notice The deepest level claims are made at; `step` counters claims there.
    uint256 maxGameDepth;
    /// @notice The deepest level of output roots; below it, VM state hashes of one block's trace.
    uint256 splitDepth;
    /// @notice Seconds each team's chess clock may run.
    uint64 maxClockDuration;
    /// @notice Seconds a team is guaranteed after the other team moves (doubled before the
    ///         execution trace starts).
    uint64 clockExtension;
    /// @notice The one-step rule.
    IOneStep vm;
    /// @notice The registry of anchors and valid games.
    AnchorStateRegistry anchorStateRegistry;
    /// @notice Where bonds are held.
    DelayedBondVault vault;
    /// @notice The Rollup, whose batch-chain head the game pins at creation.
    IBatchHead rollup;
    /// @notice The bond of a claim at depth 0, in wei.
    uint256 baseBond;
    /// @notice Bond multiplier per level, as a fraction of 1e18 (at least 1e18).
    uint256 bondGrowthWad;
}

/// @title FaultDisputeGame
/// @notice A permissionless dispute over one output root: anyone may counter any claim with a
///         bond; claims bisect the blocks from the anchor down to one block (the split depth),
///         then that block's VM trace down to one instruction, which `step` settles on L1. Chess
///         clocks bound the game; subgames resolve bottom-up and the leftmost uncountered
///         counter of a wrong claim is paid its bond (docs/fault-proofs.md, "The dispute game").
/// @dev OP Stack's FaultDisputeGame mechanics (positions, clocks and extensions, subgame
///      resolution, local data per execution subgame), with Pillar's VM and program, bonds that
///      grow slowly with depth, and no large-preimage proposals (every preimage the program
///      reads was posted to L1 in one transaction). Deployed once per game type; the factory
///      clones it per game.
contract FaultDisputeGame is IDisputeGame {
    using Position for uint256;

    /// @notice `parentIndex` of the root claim.
    uint32 public constant NO_PARENT = type(uint32).max;
    /// @notice Status byte of a VM state hash: the guest exited with code 0 (the claim holds).
    uint8 public constant STATUS_VALID = 0;
    /// @notice Status byte: the guest exited with another code (the claim does not hold).
    uint8 public constant STATUS_INVALID = 1;

    /// @notice Size of an output root's preimage (docs/bridge.md §3.1).
    uint256 internal constant OUTPUT_PREIMAGE_SIZE = 192;
    /// @notice Size of a block header's encoding; its height is its first 8 bytes, little-endian.
    uint256 internal constant HEADER_SIZE = 228;

    /// @notice Local key: the agreed output root (block N - 1).
    uint256 public constant LOCAL_AGREED_OUTPUT = 1;
    /// @notice Local key: the disputed output root (block N).
    uint256 public constant LOCAL_CLAIMED_OUTPUT = 2;
    /// @notice Local key: N, 8 bytes big-endian.
    uint256 public constant LOCAL_BLOCK_NUMBER = 3;
    /// @notice Local key: the batch chain's head when the game was created.
    uint256 public constant LOCAL_BATCH_HEAD = 4;
    /// @notice Local key: the chain configuration's hash.
    uint256 public constant LOCAL_CONFIG_HASH = 5;

    uint32 internal immutable GAME_TYPE;
    bytes32 public immutable absolutePrestate;
    bytes32 public immutable configHash;
    uint256 public immutable maxGameDepth;
    uint256 public immutable splitDepth;
    uint64 public immutable maxClockDuration;
    uint64 public immutable clockExtension;
    IOneStep public immutable vm;
    AnchorStateRegistry public immutable anchorStateRegistry;
    DelayedBondVault public immutable vault;
    IBatchHead public immutable rollup;
    uint256 public immutable baseBond;
    uint256 public immutable bondGrowthWad;

    /// @notice How credits are paid out once the game is closed.
    enum BondDistributionMode {
        /// @notice Not closed yet.
        UNDECIDED,
        /// @notice To the winners of each subgame.
        NORMAL,
        /// @notice Back to each depositor (the game was blacklisted or retired).
        REFUND
    }

    /// @inheritdoc IDisputeGame
    bytes32 public rootClaim;
    /// @inheritdoc IDisputeGame
    uint64 public l2BlockNumber;
    /// @inheritdoc IDisputeGame
    address public gameCreator;
    /// @inheritdoc IDisputeGame
    uint64 public createdAt;
    /// @inheritdoc IDisputeGame
    uint64 public resolvedAt;
    /// @inheritdoc IDisputeGame
    GameStatus public status;
    /// @inheritdoc IDisputeGame
    bool public wasRespectedGameTypeWhenCreated;
    /// @notice How credits are paid (decided when the game is closed).
    BondDistributionMode public bondDistributionMode;
    /// @notice The anchor output the game starts from.
    bytes32 public startingRootHash;
    /// @notice The anchor's L2 block.
    uint64 public startingBlockNumber;
    /// @notice `Rollup.lastBatchHash()` at creation (local key 4).
    bytes32 public batchHead;
    /// @notice Who proved the root claim is the output of another block than `l2BlockNumber`
    ///         (zero: nobody); it counters the root.
    address public l2BlockNumberChallenger;

    /// @notice Every claim, in the order made; the root is index 0.
    ClaimData[] public claimData;
    /// @notice Whether a (claim, position, parent) was already made.
    mapping(bytes32 => bool) public claims;
    /// @notice The claims countering each claim.
    mapping(uint256 parentIndex => uint256[]) internal _subgames;
    /// @notice Whether a claim's subgame is resolved.
    mapping(uint256 index => bool) public resolvedSubgames;
    /// @notice Credit each account wins in normal mode.
    mapping(address account => uint256) public normalModeCredit;
    /// @notice Credit each account deposited, paid back in refund mode.
    mapping(address account => uint256) public refundModeCredit;
    /// @notice Whether an account's credit was unlocked in the vault.
    mapping(address account => bool) public hasUnlockedCredit;

    struct Checkpoint {
        bool started;
        uint32 cursor;
        uint128 leftmostPosition;
        address counteredBy;
    }

    mapping(uint256 index => Checkpoint) internal _checkpoints;
    /// @notice Each execution subgame, by its root claim's index.
    mapping(uint256 execRootIndex => ExecSubgame) internal _execSubgames;
    bool internal _initialized;

    /// @notice A claim was made against the claim at `parentIndex`.
    event Move(uint256 indexed parentIndex, bytes32 indexed claim, address indexed claimant);
    /// @notice The claim at `claimIndex` was countered by a step.
    event Stepped(uint256 indexed claimIndex, address indexed by);
    /// @notice The game resolved.
    event Resolved(GameStatus indexed status);
    /// @notice The root claim was shown to be the output of block `height`, not the game's block.
    event L2BlockNumberChallenged(address indexed challenger, uint256 height);
    /// @notice The game was closed with a bond distribution mode.
    event GameClosed(BondDistributionMode mode);

    /// @notice The parameters are inconsistent.
    error InvalidParams();
    /// @notice `initialize` was called twice, or not by the factory.
    error AlreadyInitialized();
    /// @notice Only the registry's factory creates games.
    error NotFactory(address caller);
    /// @notice The root claim's block is not after the anchor, or beyond what the split reaches.
    error InvalidL2BlockNumber(uint64 l2BlockNumber, uint64 anchorBlock, uint64 maxBlock);
    /// @notice The game is resolved.
    error GameNotInProgress();
    /// @notice No claim at this index.
    error ClaimNotFound(uint256 index);
    /// @notice The claim at the index is not the one the mover meant (a reorg moved it).
    error DisputedClaimMismatch(bytes32 actual, bytes32 expected);
    /// @notice A root claim (of the game or of an execution subgame) cannot be defended.
    error CannotDefendRootClaim();
    /// @notice Moves below the maximum depth are steps.
    error GameDepthExceeded(uint256 depth, uint256 maxDepth);
    /// @notice The bond is not `getRequiredBond` of the position.
    error IncorrectBondAmount(uint256 sent, uint256 required);
    /// @notice The clock of the team to move has run out.
    error ClockTimeExceeded();
    /// @notice The same claim at the same position against the same parent exists.
    error ClaimAlreadyExists();
    /// @notice An execution subgame's root claim has the wrong status byte.
    error UnexpectedRootClaim(bytes32 claim);
    /// @notice `step` is only against claims at the maximum depth.
    error NotAtMaxDepth(uint256 depth);
    /// @notice The step agrees with the claim it was meant to counter.
    error ValidStep();
    /// @notice The claim was already countered by a step.
    error DuplicateStep();
    /// @notice No claim commits to the trace index the rule needs (never, for positions a game
    ///         can reach).
    error TraceAncestorNotFound(uint256 position);
    /// @notice The claim is not at the split depth.
    error NotAtSplitDepth(uint256 depth);
    /// @notice Local data is for claims below the split depth.
    error ClaimAboveSplit(uint256 index);
    /// @notice No local key with this identifier.
    error InvalidLocalIdent(uint256 ident);
    /// @notice The clock of the would-be counter has not run out.
    error ClockNotExpired();
    /// @notice The subgame is resolved.
    error ClaimAlreadyResolved();
    /// @notice A child subgame is unresolved (or, for `resolve`, the root's subgame).
    error OutOfOrderResolution();
    /// @notice The game is not finalized in the registry (resolved and past the airgap).
    error GameNotFinalized();
    /// @notice The bytes are not the root claim's output preimage.
    error InvalidOutputPreimage();
    /// @notice The bytes are not the header of the output's block.
    error InvalidHeader();
    /// @notice The root claim's output is of the game's block.
    error L2BlockNumberMatches(uint256 height);
    /// @notice The root's block number was already challenged.
    error L2BlockNumberAlreadyChallenged();
    /// @notice Nothing to claim.
    error NoCreditToClaim(address account);

    constructor(GameParams memory p) {
        if (
            p.splitDepth == 0 || p.splitDepth > 62 || p.maxGameDepth < p.splitDepth + 2 || p.maxGameDepth > 125
                || p.bondGrowthWad < 1e18 || p.maxClockDuration <= 2 * uint256(p.clockExtension)
        ) revert InvalidParams();
        GAME_TYPE = p.gameType;
        absolutePrestate = p.absolutePrestate;
        configHash = p.configHash;
        maxGameDepth = p.maxGameDepth;
        splitDepth = p.splitDepth;
        maxClockDuration = p.maxClockDuration;
        clockExtension = p.clockExtension;
        vm = p.vm;
        anchorStateRegistry = p.anchorStateRegistry;
        vault = p.vault;
        rollup = p.rollup;
        baseBond = p.baseBond;
        bondGrowthWad = p.bondGrowthWad;
        // The implementation itself is never a game.
        _initialized = true;
    }

    /// @inheritdoc IDisputeGame
    function gameType() external view returns (uint32) {
        return GAME_TYPE;
    }

    /// @inheritdoc IDisputeGame
    function initialize(bytes32 rootClaim_, uint64 l2BlockNumber_, address creator) external payable {
        if (_initialized) revert AlreadyInitialized();
        if (msg.sender != address(anchorStateRegistry.factory())) revert NotFactory(msg.sender);
        _initialized = true;
        (bytes32 anchorRoot, uint64 anchorBlock) = anchorStateRegistry.anchorRoot();
        uint256 maxBlock = uint256(anchorBlock) + (uint256(1) << splitDepth);
        if (l2BlockNumber_ <= anchorBlock || l2BlockNumber_ > maxBlock) {
            // Safe enough: a wrap would only garble an error argument.
            // forge-lint: disable-next-line(unsafe-typecast)
            revert InvalidL2BlockNumber(l2BlockNumber_, anchorBlock, uint64(maxBlock));
        }
        uint256 bond = getRequiredBond(Position.ROOT);
        if (msg.value != bond) revert IncorrectBondAmount(msg.value, bond);
        rootClaim = rootClaim_;
        l2BlockNumber = l2BlockNumber_;
        gameCreator = creator;
        createdAt = uint64(block.timestamp);
        startingRootHash = anchorRoot;
        startingBlockNumber = anchorBlock;
        batchHead = rollup.lastBatchHash();
        wasRespectedGameTypeWhenCreated = anchorStateRegistry.respectedGameType() == GAME_TYPE;
        claimData.push(
            ClaimData({
                parentIndex: NO_PARENT,
                counteredBy: address(0),
                clockDuration: 0,
                claimant: creator,
                clockTimestamp: uint64(block.timestamp),
                execRoot: 0,
                bond: uint128(msg.value),
                position: uint128(Position.ROOT),
                claim: rootClaim_
            })
        );
        refundModeCredit[creator] += msg.value;
        vault.deposit{value: msg.value}();
    }

    // ---------------------------------------------------------------- moves

    /// @notice Counter the claim at `parentIndex` (whose value the mover saw as `disputed`) with
    ///         `claim`: an attack disagrees with it, a defense agrees with it and disagrees with
    ///         the next committed point. `msg.value` must be `getRequiredBond` of the new
    ///         position.
    function move(bytes32 disputed, uint256 parentIndex, bytes32 claim, bool isAttack) public payable {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (parentIndex >= claimData.length) revert ClaimNotFound(parentIndex);
        ClaimData storage parent = claimData[parentIndex];
        if (parent.claim != disputed) revert DisputedClaimMismatch(parent.claim, disputed);
        uint256 parentPos = parent.position;
        uint256 nextPos = isAttack ? parentPos.attack() : parentPos.defend();
        uint256 nextDepth = nextPos.depth();
        // A root claim commits to its whole range: agreeing with it leaves nothing to dispute.
        if (!isAttack && (parentIndex == 0 || nextDepth == splitDepth + 2)) revert CannotDefendRootClaim();
        if (nextDepth > maxGameDepth) revert GameDepthExceeded(nextDepth, maxGameDepth);
        uint32 execRoot = _execRootOfMove(parentIndex, nextDepth, claim, isAttack);
        uint256 bond = getRequiredBond(nextPos);
        if (msg.value != bond) revert IncorrectBondAmount(msg.value, bond);

        uint64 duration = getChallengerDuration(parentIndex);
        if (duration >= maxClockDuration) revert ClockTimeExceeded();
        // The mover's teammate who answers the reply inherits this clock: guarantee it an
        // extension, doubled where that answer starts a block's trace (the VM run).
        uint64 extension = nextDepth + 1 == splitDepth ? 2 * clockExtension : clockExtension;
        if (duration > maxClockDuration - extension) duration = maxClockDuration - extension;

        uint256 index = _pushClaim(parentIndex, claim, nextPos, duration, execRoot);
        _subgames[parentIndex].push(index);
        refundModeCredit[msg.sender] += msg.value;
        vault.deposit{value: msg.value}();
        emit Move(parentIndex, claim, msg.sender);
    }

    /// @dev Records a new claim (refusing a duplicate) and returns its index.
    function _pushClaim(uint256 parentIndex, bytes32 claim, uint256 nextPos, uint64 duration, uint32 execRoot)
        internal
        returns (uint256 index)
    {
        bytes32 key = keccak256(abi.encode(claim, nextPos, parentIndex));
        if (claims[key]) revert ClaimAlreadyExists();
        claims[key] = true;
        index = claimData.length;
        // Safe: parentIndex < claimData.length, which no game can take past 2^32.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint32 parent32 = uint32(parentIndex);
        // Safe: positions stay below 2^126 (maxGameDepth <= 125).
        // forge-lint: disable-next-line(unsafe-typecast)
        uint128 position128 = uint128(nextPos);
        claimData.push(
            ClaimData({
                parentIndex: parent32,
                counteredBy: address(0),
                clockDuration: duration,
                claimant: msg.sender,
                clockTimestamp: uint64(block.timestamp),
                execRoot: execRoot,
                bond: uint128(msg.value),
                position: position128,
                claim: claim
            })
        );
    }

    /// @notice `move` with `isAttack`.
    function attack(bytes32 disputed, uint256 parentIndex, bytes32 claim) external payable {
        move(disputed, parentIndex, claim, true);
    }

    /// @notice `move` with `!isAttack`.
    function defend(bytes32 disputed, uint256 parentIndex, bytes32 claim) external payable {
        move(disputed, parentIndex, claim, false);
    }

    /// @notice Counter the claim at `claimIndex` (at the maximum depth) by one VM step. An attack
    ///         steps from the state before it (the previous committed state, or the absolute
    ///         prestate at the trace's start) and shows the claim is not the result; a defense
    ///         steps from the claim and shows the next committed state is not its result.
    /// @param proof A step proof (docs/fault-proofs.md, "Step proofs"); the preimage it reads must
    ///        be in the oracle first (`addLocalData` for local keys).
    function step(uint256 claimIndex, bool isAttack, bytes calldata proof) external {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (claimIndex >= claimData.length) revert ClaimNotFound(claimIndex);
        uint256 parentDepth = uint256(claimData[claimIndex].position).depth();
        if (parentDepth != maxGameDepth) revert NotAtMaxDepth(parentDepth);
        if (getChallengerDuration(claimIndex) >= maxClockDuration) revert ClockTimeExceeded();
        (bytes32 pre, bytes32 post, bool parentPostAgree) = _stepStates(claimIndex, isAttack);
        bool validStep = vm.step(pre, proof, _localContext(claimIndex)) == post;
        // A post-state of the stepped claim's own team must not follow; one of the other team's
        // must.
        if (parentPostAgree == validStep) revert ValidStep();
        ClaimData storage parent = claimData[claimIndex];
        if (parent.counteredBy != address(0)) revert DuplicateStep();
        parent.counteredBy = msg.sender;
        emit Stepped(claimIndex, msg.sender);
    }

    /// @dev The pre-state and expected post-state of a step against the claim at `claimIndex`,
    ///      and whether the post-state's claim is of the stepped claim's team.
    function _stepStates(uint256 claimIndex, bool isAttack)
        internal
        view
        returns (bytes32 pre, bytes32 post, bool parentPostAgree)
    {
        ClaimData storage parent = claimData[claimIndex];
        uint256 parentPos = parent.position;
        ClaimData storage postClaim;
        if (isAttack) {
            uint256 leavesPerTrace = uint256(1) << (maxGameDepth - splitDepth - 1);
            pre = parentPos.indexAtDepth() % leavesPerTrace == 0
                ? absolutePrestate
                : _findTraceAncestor(parentPos - 1, parent.parentIndex, splitDepth + 1).claim;
            postClaim = parent;
        } else {
            pre = parent.claim;
            postClaim = _findTraceAncestor(parentPos + 1, parent.parentIndex, splitDepth + 1);
        }
        post = postClaim.claim;
        parentPostAgree = (parentPos.depth() - uint256(postClaim.position).depth()) % 2 == 0;
    }

    /// @notice Load local input `ident` of the execution subgame of the claim at `execLeafIdx`
    ///         (any claim below the split depth) into the oracle, part `partOffset`.
    function addLocalData(uint256 ident, uint256 execLeafIdx, uint256 partOffset) external {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        ExecSubgame memory s = execSubgame(execLeafIdx);
        ILocalDataOracle oracle = vm.oracle();
        if (ident == LOCAL_AGREED_OUTPUT) {
            oracle.loadLocalData(ident, s.localContext, s.startingRoot, 32, partOffset);
        } else if (ident == LOCAL_CLAIMED_OUTPUT) {
            oracle.loadLocalData(ident, s.localContext, s.disputedRoot, 32, partOffset);
        } else if (ident == LOCAL_BLOCK_NUMBER) {
            oracle.loadLocalData(ident, s.localContext, bytes32(uint256(s.disputedBlock) << 192), 8, partOffset);
        } else if (ident == LOCAL_BATCH_HEAD) {
            oracle.loadLocalData(ident, s.localContext, batchHead, 32, partOffset);
        } else if (ident == LOCAL_CONFIG_HASH) {
            oracle.loadLocalData(ident, s.localContext, configHash, 32, partOffset);
        } else {
            revert InvalidLocalIdent(ident);
        }
    }

    /// @notice Counter the root claim by showing it is the output of another block than the
    ///         game's: its preimage (192 bytes, hashing to the root claim) names a block hash,
    ///         whose header (228 bytes) starts with another height. A root claiming the output of
    ///         the chain's last block for a later block (which the program holds, since a chain
    ///         that stops keeps its last output) is refuted here. The challenger takes the root's
    ///         bond.
    function challengeRootL2Block(bytes calldata outputPreimage, bytes calldata header) external {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (l2BlockNumberChallenger != address(0)) revert L2BlockNumberAlreadyChallenged();
        if (getChallengerDuration(0) >= maxClockDuration) revert ClockTimeExceeded();
        if (outputPreimage.length != OUTPUT_PREIMAGE_SIZE || keccak256(outputPreimage) != rootClaim) {
            revert InvalidOutputPreimage();
        }
        bytes32 blockHash = bytes32(outputPreimage[96:128]);
        if (header.length != HEADER_SIZE || keccak256(header) != blockHash) revert InvalidHeader();
        // The first 8 bytes, little-endian (borsh).
        uint256 height;
        for (uint256 i; i < 8; ++i) {
            height |= uint256(uint8(header[i])) << (8 * i);
        }
        if (height == l2BlockNumber) revert L2BlockNumberMatches(height);
        l2BlockNumberChallenger = msg.sender;
        emit L2BlockNumberChallenged(msg.sender, height);
    }

    // ---------------------------------------------------------------- resolution

    /// @notice Resolve the subgame rooted at `claimIndex` once its would-be counter's clock has
    ///         run out and its children are resolved: it is countered if any child stands, and its
    ///         bond goes to the leftmost standing child's claimant (or to the stepper, or back to
    ///         its claimant). `numToResolve` children are read per call (0: all), so a subgame
    ///         with many children resolves over several transactions.
    function resolveClaim(uint256 claimIndex, uint256 numToResolve) external {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (claimIndex >= claimData.length) revert ClaimNotFound(claimIndex);
        if (getChallengerDuration(claimIndex) < maxClockDuration) revert ClockNotExpired();
        if (resolvedSubgames[claimIndex]) revert ClaimAlreadyResolved();
        ClaimData storage subject = claimData[claimIndex];
        uint256[] storage children = _subgames[claimIndex];
        uint256 count = children.length;

        if (count == 0 && claimIndex != 0) {
            // A leaf: stepped against, or standing.
            address counter = subject.counteredBy;
            _payBond(counter == address(0) ? subject.claimant : counter, subject);
            resolvedSubgames[claimIndex] = true;
            return;
        }

        Checkpoint memory cp = _checkpoints[claimIndex];
        if (!cp.started) {
            cp.started = true;
            cp.leftmostPosition = type(uint128).max;
            if (numToResolve == 0) numToResolve = count;
        }
        uint256 end = cp.cursor + numToResolve;
        if (end > count) end = count;
        for (uint256 i = cp.cursor; i < end; ++i) {
            uint256 childIndex = children[i];
            if (!resolvedSubgames[childIndex]) revert OutOfOrderResolution();
            ClaimData storage child = claimData[childIndex];
            // The leftmost standing counter is paid: it found the earliest disagreement.
            if (child.counteredBy == address(0) && child.position < cp.leftmostPosition) {
                cp.counteredBy = child.claimant;
                cp.leftmostPosition = child.position;
            }
        }
        // Safe: end <= the number of children, below 2^32.
        // forge-lint: disable-next-line(unsafe-typecast)
        cp.cursor = uint32(end);
        _checkpoints[claimIndex] = cp;
        if (end == count) {
            // A shown block-number mismatch counters the root whatever its children did.
            if (claimIndex == 0 && l2BlockNumberChallenger != address(0)) cp.counteredBy = l2BlockNumberChallenger;
            resolvedSubgames[claimIndex] = true;
            _payBond(cp.counteredBy == address(0) ? subject.claimant : cp.counteredBy, subject);
            subject.counteredBy = cp.counteredBy;
        }
    }

    /// @notice Resolve the game from its root subgame: the defender wins if the root stands.
    function resolve() external returns (GameStatus status_) {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (!resolvedSubgames[0]) revert OutOfOrderResolution();
        status_ = claimData[0].counteredBy == address(0) ? GameStatus.DEFENDER_WINS : GameStatus.CHALLENGER_WINS;
        status = status_;
        resolvedAt = uint64(block.timestamp);
        emit Resolved(status_);
    }

    /// @notice Close the game once the registry calls it finalized: offer it as the new anchor and
    ///         fix the bond mode (refund if the game is not proper: blacklisted or retired).
    function closeGame() public {
        if (bondDistributionMode != BondDistributionMode.UNDECIDED) return;
        if (!anchorStateRegistry.isGameFinalized(this)) revert GameNotFinalized();
        // Not every valid game is newer than the anchor; that is no reason not to close.
        try anchorStateRegistry.setAnchorState(this) {} catch {}
        BondDistributionMode mode =
            anchorStateRegistry.isGameProper(this) ? BondDistributionMode.NORMAL : BondDistributionMode.REFUND;
        bondDistributionMode = mode;
        emit GameClosed(mode);
    }

    /// @notice Pay `account` its credit, in two calls: the first unlocks it in the vault, the
    ///         second, after the vault's delay, pays it out.
    function claimCredit(address account) external {
        closeGame();
        uint256 credit =
            bondDistributionMode == BondDistributionMode.REFUND ? refundModeCredit[account] : normalModeCredit[account];
        if (!hasUnlockedCredit[account]) {
            hasUnlockedCredit[account] = true;
            vault.unlock(account, credit);
            return;
        }
        if (credit == 0) revert NoCreditToClaim(account);
        normalModeCredit[account] = 0;
        refundModeCredit[account] = 0;
        vault.withdraw(account, credit);
    }

    // ---------------------------------------------------------------- views

    /// @notice The bond a claim at `position` requires: `baseBond × growth^depth`.
    function getRequiredBond(uint256 position) public view returns (uint256 bond) {
        uint256 d = position.depth();
        bond = baseBond;
        for (uint256 i; i < d; ++i) {
            bond = (bond * bondGrowthWad) / 1e18;
        }
    }

    /// @notice Seconds the team that would counter the claim at `claimIndex` has used: its clock
    ///         when the claim's parent was made plus the time since the claim, at most the max.
    function getChallengerDuration(uint256 claimIndex) public view returns (uint64) {
        ClaimData storage subject = claimData[claimIndex];
        uint256 used = subject.parentIndex == NO_PARENT ? 0 : claimData[subject.parentIndex].clockDuration;
        used += block.timestamp - subject.clockTimestamp;
        // Safe: used <= maxClockDuration here.
        // forge-lint: disable-next-line(unsafe-typecast)
        return used > maxClockDuration ? maxClockDuration : uint64(used);
    }

    /// @notice Number of claims.
    function claimDataLen() external view returns (uint256) {
        return claimData.length;
    }

    /// @notice The claims countering the claim at `index`.
    function subgames(uint256 index) external view returns (uint256[] memory) {
        return _subgames[index];
    }

    /// @notice One block's dispute: the outputs around the transition an execution subgame is
    ///         about (positions at the split depth; starting position 0 is the anchor), their
    ///         blocks, and the context its local keys are stored under.
    struct ExecSubgame {
        bytes32 startingRoot;
        bytes32 disputedRoot;
        bytes32 localContext;
        uint64 startingPosition;
        uint64 disputedPosition;
        uint64 startingBlock;
        uint64 disputedBlock;
    }

    /// @notice The execution subgame the claim at `index` (below the split depth) belongs to.
    function execSubgame(uint256 index) public view returns (ExecSubgame memory) {
        if (index >= claimData.length) revert ClaimNotFound(index);
        ClaimData storage c = claimData[index];
        if (uint256(c.position).depth() <= splitDepth) revert ClaimAboveSplit(index);
        return _execSubgames[c.execRoot];
    }

    /// @notice The execution subgame that an attack (or a defense) of the claim at `outputIndex`,
    ///         at the split depth, opens: what a mover needs to compute its execution root claim.
    function execSubgameFor(uint256 outputIndex, bool isAttack) external view returns (ExecSubgame memory) {
        if (outputIndex >= claimData.length) revert ClaimNotFound(outputIndex);
        uint256 d = uint256(claimData[outputIndex].position).depth();
        if (d != splitDepth) revert NotAtSplitDepth(d);
        return _execSubgame(outputIndex, isAttack);
    }

    /// @dev The split-depth claim at `outputIndex` is the disputed output if the subgame's root
    ///      attacked it (the agreed one is the committed output before it, or the anchor), and
    ///      the agreed output if the root defended it (the disputed one is the committed output
    ///      after it). Starting position 0 means the anchor.
    function _execSubgame(uint256 outputIndex, bool wasAttack) internal view returns (ExecSubgame memory s) {
        ClaimData storage c = claimData[outputIndex];
        // Safe: split-depth positions are below 2^63 (splitDepth <= 62).
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 outputPos = uint64(c.position);
        if (wasAttack) {
            (s.disputedRoot, s.disputedPosition) = (c.claim, outputPos);
            if (uint256(outputPos).indexAtDepth() == 0) {
                s.startingRoot = startingRootHash;
            } else {
                ClaimData storage starting = _findTraceAncestor(outputPos - 1, outputIndex, 0);
                // Safe: at or above the split depth (<= 62).
                // forge-lint: disable-next-line(unsafe-typecast)
                (s.startingRoot, s.startingPosition) = (starting.claim, uint64(starting.position));
            }
        } else {
            (s.startingRoot, s.startingPosition) = (c.claim, outputPos);
            ClaimData storage disputed = _findTraceAncestor(outputPos + 1, outputIndex, 0);
            // Safe: at or above the split depth (<= 62).
            // forge-lint: disable-next-line(unsafe-typecast)
            (s.disputedRoot, s.disputedPosition) = (disputed.claim, uint64(disputed.position));
        }
        s.startingBlock = s.startingPosition == 0 ? startingBlockNumber : _blockOf(s.startingPosition);
        s.disputedBlock = _blockOf(s.disputedPosition);
        s.localContext = keccak256(abi.encode(s.startingRoot, s.startingPosition, s.disputedRoot, s.disputedPosition));
    }

    /// @notice The L2 block an output claim at `position` (at or above the split) is about: the
    ///         anchor's block plus its trace index at the split plus one, at most the root's
    ///         block (every point past the claimed block is the claimed block's output).
    function blockOf(uint256 position) external view returns (uint64) {
        return _blockOf(position);
    }

    function _blockOf(uint256 position) internal view returns (uint64) {
        uint256 b = uint256(startingBlockNumber) + position.traceIndex(splitDepth) + 1;
        // Safe: b < l2BlockNumber, a uint64.
        // forge-lint: disable-next-line(unsafe-typecast)
        return b < l2BlockNumber ? uint64(b) : l2BlockNumber;
    }

    function _localContext(uint256 index) internal view returns (bytes32) {
        return execSubgame(index).localContext;
    }

    /// @dev The execution root index of a claim made at depth `nextDepth` against the claim at
    ///      `parentIndex`. A move that opens an execution subgame (the depth below the split)
    ///      finds and caches its outputs, and its claim must say how the disputed block's trace
    ///      ends: invalid if the disputed output is the other team's, valid if it is the mover's
    ///      own team's.
    function _execRootOfMove(uint256 parentIndex, uint256 nextDepth, bytes32 claim, bool isAttack)
        internal
        returns (uint32)
    {
        if (nextDepth <= splitDepth) return 0;
        if (nextDepth > splitDepth + 1) return claimData[parentIndex].execRoot;
        ExecSubgame memory sub = _execSubgame(parentIndex, isAttack);
        bool disputedIsOpponents = isAttack || uint256(sub.disputedPosition).depth() % 2 == splitDepth % 2;
        uint8 vmStatus = uint8(claim[0]);
        if (disputedIsOpponents ? vmStatus != STATUS_INVALID : vmStatus != STATUS_VALID) {
            revert UnexpectedRootClaim(claim);
        }
        uint256 index = claimData.length;
        _execSubgames[index] = sub;
        // Safe: claim indices stay below 2^32.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint32(index);
    }

    /// @dev The claim on the path from `start` to the root at the trace ancestor of `position`
    ///      (climbing no higher than depth `floor`).
    function _findTraceAncestor(uint256 position, uint256 start, uint256 floor)
        internal
        view
        returns (ClaimData storage)
    {
        uint256 target = position.traceAncestor(floor);
        uint256 index = start;
        while (claimData[index].position != target) {
            index = claimData[index].parentIndex;
            if (index == NO_PARENT) revert TraceAncestorNotFound(position);
        }
        return claimData[index];
    }

    function _payBond(address recipient, ClaimData storage claim) internal {
        normalModeCredit[recipient] += claim.bond;
    }
}
