// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";

import {AnchorStateRegistry} from "../../src/dispute/AnchorStateRegistry.sol";
import {DelayedBondVault} from "../../src/dispute/DelayedBondVault.sol";
import {DisputeGameFactory} from "../../src/dispute/DisputeGameFactory.sol";
import {ClaimData, FaultDisputeGame, GameParams, IBatchHead} from "../../src/dispute/FaultDisputeGame.sol";
import {IDisputeGame} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {ILocalDataOracle, IOneStep} from "../../src/dispute/interfaces/IOneStep.sol";
import {Position} from "../../src/dispute/lib/Position.sol";

/// @notice A model of the chain and the program that the mock VM and the players share. A world
///         is the true chain (`fakeFrom` 0) or a liar's belief that every block from `fakeFrom` on
///         has another output. For any dispute of one block the model gives a trace of states
///         whose final state says whether the claimed output follows from the agreed one; a false
///         agreed output gives a garbage (but deterministic) verdict, as a real program deriving
///         from a wrong state would. A liar's trace leaves the true one at `DIVERGE_AT`.
library Truth {
    /// @notice States at trace index FINAL_AT and beyond are the exited state.
    uint256 internal constant FINAL_AT = 5;
    /// @notice Where a liar's trace of a block it lies about leaves the true trace.
    uint256 internal constant DIVERGE_AT = 2;

    function output(uint256 n, uint64 fakeFrom) internal pure returns (bytes32) {
        if (fakeFrom != 0 && n >= fakeFrom) return keccak256(abi.encode("fake output", n, fakeFrom));
        return keccak256(abi.encode("output", n));
    }

    function output(uint256 n) internal pure returns (bytes32) {
        return output(n, 0);
    }

    function prestate() internal pure returns (bytes32) {
        return withStatus(keccak256("prestate"), 3);
    }

    /// @notice What the program computes for block `n` from `agreed`, in a world.
    function programOutput(bytes32 agreed, uint64 n, uint64 fakeFrom) internal pure returns (bytes32) {
        if (n > 0 && agreed == output(n - 1, fakeFrom)) return output(n, fakeFrom);
        // The clamped case: both ends are the claimed block.
        if (agreed == output(n, fakeFrom)) return agreed;
        return keccak256(abi.encode("garbage", agreed, n));
    }

    function withStatus(bytes32 h, uint8 s) internal pure returns (bytes32) {
        return bytes32((uint256(h) & (type(uint256).max >> 8)) | (uint256(s) << 248));
    }

    /// @notice The VM state after trace index `t` of the dispute `(ctx, agreed, claimed, n)` as a
    ///         world sees it.
    function state(bytes32 ctx, bytes32 agreed, bytes32 claimed, uint64 n, uint256 t, uint64 fakeFrom)
        internal
        pure
        returns (bytes32)
    {
        bool valid = claimed == programOutput(agreed, n, fakeFrom);
        bool trulyValid = claimed == programOutput(agreed, n, 0);
        bool lies = valid != trulyValid;
        if (t >= FINAL_AT) return withStatus(keccak256(abi.encode("final", ctx)), valid ? 0 : 1);
        if (lies && t >= DIVERGE_AT) return withStatus(keccak256(abi.encode("liar run", ctx, t)), 3);
        return withStatus(keccak256(abi.encode("run", ctx, t)), 3);
    }
}

/// @notice The game's local data, stored per (caller, context, ident) as the real oracle
///         localizes it.
contract MockLocalOracle is ILocalDataOracle {
    mapping(address => mapping(bytes32 => mapping(uint256 => bytes32))) public local;
    mapping(address => mapping(bytes32 => mapping(uint256 => bool))) public loaded;

    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256)
        external
        returns (bytes32 key)
    {
        require(size <= 32, "size");
        bytes32 mask = size == 32 ? bytes32(type(uint256).max) : ~(bytes32(type(uint256).max) >> (8 * size));
        local[msg.sender][localContext][ident] = word & mask;
        loaded[msg.sender][localContext][ident] = true;
        key = keccak256(abi.encode(ident, msg.sender, localContext));
    }
}

/// @notice The one-step rule of the `Truth` model: a proof is the trace index stepped to; the
///         pre-state must be the model's state before it (only true states have preimages, as
///         with the real VM), and the step reads the dispute's local data from the oracle as the
///         guest does.
contract MockStepVM is IOneStep {
    MockLocalOracle public immutable localOracle;

    error PreStateMismatch(bytes32 claimed, bytes32 actual);
    error UnknownPreimage(uint256 ident);

    constructor(MockLocalOracle oracle_) {
        localOracle = oracle_;
    }

    function oracle() external view returns (ILocalDataOracle) {
        return localOracle;
    }

    function step(bytes32 preStateHash, bytes calldata proof, bytes32 localContext) external view returns (bytes32) {
        uint256 t = abi.decode(proof, (uint256));
        for (uint256 ident = 1; ident <= 3; ++ident) {
            if (!localOracle.loaded(msg.sender, localContext, ident)) revert UnknownPreimage(ident);
        }
        bytes32 agreed = localOracle.local(msg.sender, localContext, 1);
        bytes32 claimed = localOracle.local(msg.sender, localContext, 2);
        uint64 n = uint64(uint256(localOracle.local(msg.sender, localContext, 3)) >> 192);
        bytes32 expected = t == 0 ? Truth.prestate() : Truth.state(localContext, agreed, claimed, n, t - 1, 0);
        if (preStateHash != expected) revert PreStateMismatch(preStateHash, expected);
        return Truth.state(localContext, agreed, claimed, n, t, 0);
    }
}

contract MockRollup is IBatchHead {
    bytes32 public lastBatchHash = keccak256("batch head");
}

/// @notice A player of the honest strategy (OP's honest challenger) in its world: it counters
///         every claim that counters one of its own (attacks what it disagrees with, defends
///         what it agrees with), attacks a root it disagrees with, and at the deepest level
///         steps. In the true world (`fakeFrom` 0) it is the honest challenger; in a false one it
///         is a liar that plays its lie out consistently. Actions that revert are counted, not
///         propagated: a liar's steps fail, an honest player's never should.
contract Player {
    using Position for uint256;

    uint64 public immutable fakeFrom;
    uint256 public bondsPosted;
    uint256 public steps;
    uint256 public failed;

    constructor(uint64 fakeFrom_) {
        fakeFrom = fakeFrom_;
    }

    receive() external payable {}

    /// @notice One pass over the claims; the number of moves and steps made.
    /// @dev As OP's honest challenger, a claim is this player's own if it is the move the player
    ///      would make there (whoever posted it): the root if it agrees with it, and the answer it
    ///      would give to a claim that counters one of its own. Only claims countering its own are
    ///      answered, so it never strays onto a path where no claim supports its step.
    function respond(FaultDisputeGame game) public returns (uint256 acted) {
        uint256 len = game.claimDataLen();
        bool[] memory own = new bool[](len);
        for (uint256 i; i < len; ++i) {
            ClaimData memory c = _claim(game, i);
            own[i] = i == 0 ? agrees(game, 0) : _answers(game, c.parentIndex, own) && _isMyMove(game, c);
            if (_answers(game, i, own)) acted += _answer(game, i);
        }
    }

    /// @dev Whether this player answers the claim at `i`: a root it disagrees with, or a claim
    ///      countering one of its own.
    function _answers(FaultDisputeGame game, uint256 i, bool[] memory own) internal view returns (bool) {
        if (i == 0) return !agrees(game, 0);
        return own[_claim(game, i).parentIndex];
    }

    /// @dev Whether `c` is the move this player makes against `c`'s parent.
    function _isMyMove(FaultDisputeGame game, ClaimData memory c) internal view returns (bool) {
        uint256 parentDepth = uint256(_claim(game, c.parentIndex).position).depth();
        if (parentDepth == game.maxGameDepth()) return false;
        bool isAttack = !agrees(game, c.parentIndex);
        if (!isAttack && parentDepth == game.splitDepth() + 1) return false;
        (bytes32 value, uint256 pos) = moveValue(game, c.parentIndex, isAttack);
        return c.position == pos && c.claim == value;
    }

    /// @notice Pass until nothing is left to answer.
    function respondAll(FaultDisputeGame game) external returns (uint256 acted) {
        uint256 n;
        do {
            n = respond(game);
            acted += n;
        } while (n > 0);
    }

    /// @notice Propose `root` for `l2Block` through `factory` (the root bond is this player's).
    function propose(DisputeGameFactory factory, uint32 gameType, uint64 l2Block, uint256 bond)
        external
        returns (FaultDisputeGame game)
    {
        bondsPosted += bond;
        game =
            FaultDisputeGame(address(factory.create{value: bond}(gameType, Truth.output(l2Block, fakeFrom), l2Block)));
    }

    function _answer(FaultDisputeGame game, uint256 i) internal returns (uint256) {
        ClaimData memory c = _claim(game, i);
        bool agree = agrees(game, i);
        uint256 d = uint256(c.position).depth();
        if (d == game.maxGameDepth()) return c.counteredBy == address(0) ? _step(game, i, !agree) : 0;
        if (agree) {
            // An execution root countering one's own output: nothing to defend there.
            if (d == game.splitDepth() + 1) return 0;
            return _move(game, i, false);
        }
        return _move(game, i, true);
    }

    function agrees(FaultDisputeGame game, uint256 i) public view returns (bool) {
        return _claim(game, i).claim == claimAt(game, i);
    }

    /// @notice This world's value of the claim at `i`'s position (in its execution subgame).
    function claimAt(FaultDisputeGame game, uint256 i) public view returns (bytes32) {
        uint256 pos = _claim(game, i).position;
        if (pos.depth() <= game.splitDepth()) return Truth.output(game.blockOf(pos), fakeFrom);
        return _traceState(game, game.execSubgame(i), pos);
    }

    /// @notice This world's value for a move against `parent`, and its position.
    function moveValue(FaultDisputeGame game, uint256 parent, bool isAttack) public view returns (bytes32, uint256) {
        uint256 parentPos = _claim(game, parent).position;
        uint256 pos = isAttack ? parentPos.attack() : parentPos.defend();
        uint256 d = pos.depth();
        if (d <= game.splitDepth()) return (Truth.output(game.blockOf(pos), fakeFrom), pos);
        FaultDisputeGame.ExecSubgame memory s =
            d == game.splitDepth() + 1 ? game.execSubgameFor(parent, isAttack) : game.execSubgame(parent);
        return (_traceState(game, s, pos), pos);
    }

    function _traceState(FaultDisputeGame game, FaultDisputeGame.ExecSubgame memory s, uint256 pos)
        internal
        view
        returns (bytes32)
    {
        uint256 leaves = uint256(1) << (game.maxGameDepth() - game.splitDepth() - 1);
        uint256 t = pos.traceIndex(game.maxGameDepth()) % leaves;
        return Truth.state(s.localContext, s.startingRoot, s.disputedRoot, s.disputedBlock, t, fakeFrom);
    }

    function _move(FaultDisputeGame game, uint256 parent, bool isAttack) internal returns (uint256) {
        (bytes32 value, uint256 pos) = moveValue(game, parent, isAttack);
        if (game.claims(keccak256(abi.encode(value, pos, parent)))) return 0;
        uint256 bond = game.getRequiredBond(pos);
        try game.move{value: bond}(_claim(game, parent).claim, parent, value, isAttack) {
            bondsPosted += bond;
            return 1;
        } catch {
            failed++;
            return 0;
        }
    }

    function _step(FaultDisputeGame game, uint256 i, bool isAttack) internal returns (uint256) {
        for (uint256 ident = 1; ident <= 3; ++ident) {
            game.addLocalData(ident, i, 0);
        }
        uint256 leaves = uint256(1) << (game.maxGameDepth() - game.splitDepth() - 1);
        uint256 t = uint256(_claim(game, i).position).traceIndex(game.maxGameDepth()) % leaves;
        // An attack steps to the claim's own index; a defense from it to the next.
        try game.step(i, isAttack, abi.encode(isAttack ? t : t + 1)) {
            steps++;
            return 1;
        } catch {
            failed++;
            return 0;
        }
    }

    function _claim(FaultDisputeGame game, uint256 i) internal view returns (ClaimData memory) {
        // The getter's tuple is ABI-encoded exactly as the (static) struct.
        (bool ok, bytes memory data) = address(game).staticcall(abi.encodeCall(game.claimData, (i)));
        require(ok, "claimData");
        return abi.decode(data, (ClaimData));
    }
}

/// @notice Deploys the dispute contracts around the mock VM, with small depths so that games are
///         played out whole in a test.
abstract contract DisputeFixture is Test {
    uint32 internal constant GAME_TYPE = 0;
    uint256 internal constant SPLIT = 3;
    uint256 internal constant MAX_DEPTH = 8;
    uint64 internal constant MAX_CLOCK = 3.5 days;
    uint64 internal constant EXTENSION = 3 hours;
    uint64 internal constant AIRGAP = 3.5 days;
    uint64 internal constant VAULT_DELAY = 7 days;
    uint256 internal constant BASE_BOND = 0.01 ether;
    uint256 internal constant GROWTH = 1.1e18;

    address internal timelock = makeAddr("timelock");
    address internal council = makeAddr("council");
    DisputeGameFactory internal factory;
    AnchorStateRegistry internal registry;
    DelayedBondVault public vault;
    MockLocalOracle internal localOracle;
    MockStepVM internal stepVm;
    MockRollup internal rollup;
    FaultDisputeGame internal impl;

    function _deploy() internal {
        vm.warp(1_000_000);
        factory = new DisputeGameFactory(timelock);
        registry = new AnchorStateRegistry(
            timelock,
            council,
            factory,
            AnchorStateRegistry.OutputRoot({root: Truth.output(0), l2BlockNumber: 0}),
            GAME_TYPE,
            AIRGAP
        );
        vault = new DelayedBondVault(timelock, council, VAULT_DELAY);
        localOracle = new MockLocalOracle();
        stepVm = new MockStepVM(localOracle);
        rollup = new MockRollup();
        impl = new FaultDisputeGame(_params());
        vm.prank(timelock);
        factory.setImplementation(GAME_TYPE, IDisputeGame(address(impl)));
    }

    function _params() internal view returns (GameParams memory) {
        return GameParams({
            gameType: GAME_TYPE,
            absolutePrestate: Truth.prestate(),
            configHash: keccak256("config"),
            maxGameDepth: MAX_DEPTH,
            splitDepth: SPLIT,
            maxClockDuration: MAX_CLOCK,
            clockExtension: EXTENSION,
            vm: stepVm,
            anchorStateRegistry: registry,
            vault: vault,
            rollup: rollup,
            baseBond: BASE_BOND,
            bondGrowthWad: GROWTH
        });
    }

    /// @dev A game created by `proposer` for `root` at `l2Block`.
    function _create(address proposer, bytes32 root, uint64 l2Block) internal returns (FaultDisputeGame game) {
        vm.deal(proposer, proposer.balance + BASE_BOND);
        vm.prank(proposer);
        game = FaultDisputeGame(address(factory.create{value: BASE_BOND}(GAME_TYPE, root, l2Block)));
    }

    /// @dev Resolve every subgame bottom-up (children always follow their parent), then the game.
    function _resolveAll(FaultDisputeGame game) internal {
        uint256 len = game.claimDataLen();
        for (uint256 i = len; i > 0; --i) {
            game.resolveClaim(i - 1, 0);
        }
        game.resolve();
    }

    /// @dev The sum of every claim's bond.
    function _totalBonds(FaultDisputeGame game) internal view returns (uint256 total) {
        uint256 len = game.claimDataLen();
        for (uint256 i; i < len; ++i) {
            (,,,,,, uint128 bond,,) = game.claimData(i);
            total += bond;
        }
    }
}
