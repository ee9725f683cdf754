// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {FaultDisputeGame, GameParams} from "../../src/dispute/FaultDisputeGame.sol";
import {AnchorStateRegistry} from "../../src/dispute/AnchorStateRegistry.sol";
import {DelayedBondVault} from "../../src/dispute/DelayedBondVault.sol";
import {GameStatus, IDisputeGame} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {Position} from "../../src/dispute/lib/Position.sol";
import {DisputeFixture, Player, Truth} from "./DisputeHarness.sol";

/// @notice The fault dispute game played out whole over the `Truth` model's mock VM: a liar
///         against the honest challenger, a griefer against an honest root, the rules of moves,
///         clocks, bonds, steps and local data, and the payout through the registry and vault.
contract FaultDisputeGameTest is DisputeFixture {
    using Position for uint256;

    event log_named_uint(string key, uint256 val);

    Player internal honest;
    address internal anyone = makeAddr("anyone");

    function setUp() public {
        _deploy();
        honest = new Player(0);
        vm.deal(address(honest), 1_000 ether);
    }

    function _player(uint64 fakeFrom) internal returns (Player p) {
        p = new Player(fakeFrom);
        vm.deal(address(p), 1_000 ether);
    }

    /// @dev Both players answer each other until neither has anything left; returns the moves.
    function _playOut(FaultDisputeGame game, Player a, Player b) internal returns (uint256 moves) {
        uint256 n;
        do {
            n = a.respondAll(game) + b.respondAll(game);
            moves += n;
            vm.warp(block.timestamp + 1 hours);
        } while (n > 0);
    }

    // ---------------------------------------------------------------- whole games

    function test_lyingProposerLosesAtStepAndPaysTheChallenger() public {
        Player liar = _player(4);
        FaultDisputeGame game = liar.propose(factory, GAME_TYPE, 6, BASE_BOND);
        assertEq(game.rootClaim(), Truth.output(6, 4));
        uint256 moves = _playOut(game, honest, liar);
        emit log_named_uint("moves of a full game (split 3, max 8)", moves);
        // With an even maximum depth the leaves are the proposer's team's: the challenger steps.
        assertEq(honest.steps(), 1);
        assertEq(honest.failed(), 0);
        assertEq(liar.steps(), 0);
        // One claim per level and the step: the whole branch.
        assertEq(game.claimDataLen(), MAX_DEPTH + 1);
        assertEq(moves, MAX_DEPTH + 1);

        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        assertTrue(game.status() == GameStatus.CHALLENGER_WINS);
        uint256 total = _totalBonds(game);
        assertEq(vault.balanceOf(address(game)), total);
        // Every bond, the liar's root included, is the challenger's.
        assertEq(game.normalModeCredit(address(honest)), total);
        assertEq(game.normalModeCredit(address(liar)), 0);
        assertTrue(total > honest.bondsPosted());

        _payOut(game, address(honest), total);
    }

    function test_grieferAgainstAnHonestRootLosesItsBonds() public {
        FaultDisputeGame game = honest.propose(factory, GAME_TYPE, 7, BASE_BOND);
        Player griefer = _player(3);
        _playOut(game, honest, griefer);
        assertTrue(griefer.bondsPosted() > 0);
        assertEq(honest.failed(), 0);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        assertTrue(game.status() == GameStatus.DEFENDER_WINS);
        uint256 total = _totalBonds(game);
        assertEq(total, honest.bondsPosted() + griefer.bondsPosted());
        assertEq(game.normalModeCredit(address(honest)), total);
        assertEq(game.normalModeCredit(address(griefer)), 0);

        // Once final, it is a valid claim and the new anchor.
        vm.warp(block.timestamp + AIRGAP + 1);
        assertTrue(registry.isGameClaimValid(game));
        game.closeGame();
        (bytes32 root, uint64 l2Block) = registry.anchorRoot();
        assertEq(root, Truth.output(7));
        assertEq(l2Block, 7);
        _payOut(game, address(honest), total);
    }

    function test_liesAboutEveryBlockAfterTheAnchorLose() public {
        // Lies from the first block (the agreed output is the anchor) and lies about the claimed
        // block only (the last), and a claimed block past the split's reach is refused.
        for (uint64 fakeFrom = 1; fakeFrom <= 8; ++fakeFrom) {
            Player liar = _player(fakeFrom);
            FaultDisputeGame game = liar.propose(factory, GAME_TYPE, 8, BASE_BOND);
            _playOut(game, honest, liar);
            assertEq(honest.failed(), 0);
            vm.warp(block.timestamp + MAX_CLOCK);
            _resolveAll(game);
            assertTrue(game.status() == GameStatus.CHALLENGER_WINS);
            assertEq(game.normalModeCredit(address(honest)), _totalBonds(game));
        }
    }

    function test_honestRootBelowTheSplitRangeIsDefendedThroughClampedBlocks() public {
        // Block 2 of a split reaching 8: every point past 2 is block 2's output.
        FaultDisputeGame game = honest.propose(factory, GAME_TYPE, 2, BASE_BOND);
        for (uint64 fakeFrom = 1; fakeFrom <= 2; ++fakeFrom) {
            _playOut(game, honest, _player(fakeFrom));
        }
        assertEq(honest.failed(), 0);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        assertTrue(game.status() == GameStatus.DEFENDER_WINS);
        assertEq(game.normalModeCredit(address(honest)), _totalBonds(game));
    }

    // ---------------------------------------------------------------- creation

    function test_createRecordsTheGameAndItsInputs() public {
        FaultDisputeGame game = _create(anyone, Truth.output(3), 3);
        assertEq(factory.createdAt(address(game)), block.timestamp);
        assertEq(address(factory.games(GAME_TYPE, Truth.output(3), 3)), address(game));
        assertEq(factory.gameCount(), 1);
        assertEq(game.gameCreator(), anyone);
        assertEq(game.startingRootHash(), Truth.output(0));
        assertEq(game.startingBlockNumber(), 0);
        assertEq(game.batchHead(), rollup.lastBatchHash());
        assertTrue(game.wasRespectedGameTypeWhenCreated());
        assertEq(vault.balanceOf(address(game)), BASE_BOND);
        assertEq(game.refundModeCredit(anyone), BASE_BOND);
    }

    function test_createRefusesDuplicatesWrongBondsAndBlocksOutOfReach() public {
        FaultDisputeGame game = _create(anyone, Truth.output(3), 3);
        vm.deal(anyone, 1 ether);
        vm.startPrank(anyone);
        bytes32 uuid = factory.gameUuid(GAME_TYPE, Truth.output(3), 3);
        vm.expectRevert(abi.encodeWithSignature("GameAlreadyExists(bytes32,address)", uuid, address(game)));
        factory.create{value: BASE_BOND}(GAME_TYPE, Truth.output(3), 3);
        vm.expectRevert(abi.encodeWithSignature("NoImplementation(uint32)", uint32(9)));
        factory.create{value: BASE_BOND}(9, Truth.output(3), 3);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.IncorrectBondAmount.selector, BASE_BOND - 1, BASE_BOND));
        factory.create{value: BASE_BOND - 1}(GAME_TYPE, Truth.output(4), 4);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.InvalidL2BlockNumber.selector, 0, 0, 8));
        factory.create{value: BASE_BOND}(GAME_TYPE, Truth.output(0), 0);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.InvalidL2BlockNumber.selector, 9, 0, 8));
        factory.create{value: BASE_BOND}(GAME_TYPE, Truth.output(9), 9);
        vm.stopPrank();
    }

    function test_onlyTheFactoryInitializesAndOnlyOnce() public {
        vm.expectRevert(FaultDisputeGame.AlreadyInitialized.selector);
        impl.initialize{value: BASE_BOND}(bytes32(0), 1, anyone);
        FaultDisputeGame game = _create(anyone, Truth.output(3), 3);
        vm.expectRevert(FaultDisputeGame.AlreadyInitialized.selector);
        game.initialize{value: BASE_BOND}(bytes32(0), 1, anyone);
    }

    function test_paramsAreChecked() public {
        GameParams memory p = _params();
        p.maxGameDepth = SPLIT + 1;
        vm.expectRevert(FaultDisputeGame.InvalidParams.selector);
        new FaultDisputeGame(p);
        p = _params();
        p.bondGrowthWad = 1e18 - 1;
        vm.expectRevert(FaultDisputeGame.InvalidParams.selector);
        new FaultDisputeGame(p);
        p = _params();
        p.clockExtension = MAX_CLOCK / 2;
        vm.expectRevert(FaultDisputeGame.InvalidParams.selector);
        new FaultDisputeGame(p);
    }

    // ---------------------------------------------------------------- moves

    function test_moveRules() public {
        FaultDisputeGame game = _create(anyone, Truth.output(5), 5);
        bytes32 root = game.rootClaim();
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);
        uint256 bond1 = game.getRequiredBond(2);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.DisputedClaimMismatch.selector, root, bytes32(0)));
        game.attack{value: bond1}(bytes32(0), 0, bytes32(uint256(1)));
        vm.expectRevert(FaultDisputeGame.CannotDefendRootClaim.selector);
        game.defend{value: bond1}(root, 0, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.IncorrectBondAmount.selector, bond1 + 1, bond1));
        game.attack{value: bond1 + 1}(root, 0, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.ClaimNotFound.selector, 1));
        game.attack{value: bond1}(root, 1, bytes32(uint256(1)));
        game.attack{value: bond1}(root, 0, bytes32(uint256(1)));
        vm.expectRevert(FaultDisputeGame.ClaimAlreadyExists.selector);
        game.attack{value: bond1}(root, 0, bytes32(uint256(1)));
        // The same value against the same claim from elsewhere is another claim.
        game.attack{value: bond1}(root, 0, bytes32(uint256(2)));
        // Depth 2 and 3 (the split), then the execution root at depth 4 must carry a status.
        uint256 parent = 1;
        bytes32 parentClaim = bytes32(uint256(1));
        for (uint256 d = 2; d <= SPLIT; ++d) {
            (,,,,,,, uint128 pos,) = game.claimData(parent);
            uint256 next = uint256(pos).attack();
            game.attack{value: game.getRequiredBond(next)}(parentClaim, parent, bytes32(d));
            parent = game.claimDataLen() - 1;
            parentClaim = bytes32(d);
        }
        (,,,,,,, uint128 splitPos,) = game.claimData(parent);
        uint256 execBond = game.getRequiredBond(uint256(splitPos).attack());
        bytes32 running = Truth.withStatus(keccak256("x"), 3);
        bytes32 valid = Truth.withStatus(keccak256("x"), 0);
        bytes32 invalid = Truth.withStatus(keccak256("x"), 1);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.UnexpectedRootClaim.selector, running));
        game.attack{value: execBond}(parentClaim, parent, running);
        // An attack on an output disputes it: the trace must end invalid.
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.UnexpectedRootClaim.selector, valid));
        game.attack{value: execBond}(parentClaim, parent, valid);
        game.attack{value: execBond}(parentClaim, parent, invalid);
        uint256 execRoot = game.claimDataLen() - 1;
        // An execution root cannot be defended.
        uint256 defendBond = game.getRequiredBond(uint256(splitPos).attack().defend());
        vm.expectRevert(FaultDisputeGame.CannotDefendRootClaim.selector);
        game.defend{value: defendBond}(invalid, execRoot, running);
        vm.stopPrank();
    }

    function test_defendingAnOutputNeedsTheStatusOfWhoseOutputIsDisputed() public {
        // root (position 1) ← A attacks (2, block 4) ← B defends A (6, block 6) ← C attacks B
        // (12, block 5, the split). A defense of C disputes the output after C, B's, of the
        // defenders like the defense at depth 4: it must say valid.
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);
        bytes32 a = bytes32(uint256(0xa));
        bytes32 b = bytes32(uint256(0xb));
        bytes32 c = bytes32(uint256(0xc));
        game.attack{value: game.getRequiredBond(2)}(game.rootClaim(), 0, a);
        game.defend{value: game.getRequiredBond(6)}(a, 1, b);
        game.attack{value: game.getRequiredBond(12)}(b, 2, c);
        uint256 bond = game.getRequiredBond(26);
        bytes32 invalid = Truth.withStatus(keccak256("t"), 1);
        bytes32 valid = Truth.withStatus(keccak256("t"), 0);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.UnexpectedRootClaim.selector, invalid));
        game.defend{value: bond}(c, 3, invalid);
        game.defend{value: bond}(c, 3, valid);
        // Its subgame: C (block 5) agreed, B's (block 6) disputed.
        FaultDisputeGame.ExecSubgame memory s = game.execSubgame(4);
        assertEq(s.startingRoot, c);
        assertEq(s.disputedRoot, b);
        assertEq(uint256(s.startingBlock), 5);
        assertEq(uint256(s.disputedBlock), 6);
        // An attack on C disputes C itself, after A's block 4.
        game.attack{value: bond}(c, 3, invalid);
        s = game.execSubgame(5);
        assertEq(s.startingRoot, a);
        assertEq(s.disputedRoot, c);
        assertEq(uint256(s.startingBlock), 4);
        assertEq(uint256(s.disputedBlock), 5);
        vm.stopPrank();
    }

    function test_firstBlockDisputeStartsFromTheAnchor() public {
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);
        bytes32 parent = game.rootClaim();
        for (uint256 i; i < SPLIT; ++i) {
            bytes32 next = bytes32(i + 100);
            game.attack{value: game.getRequiredBond(uint256(1) << (i + 1))}(parent, i, next);
            parent = next;
        }
        game.attack{value: game.getRequiredBond(16)}(parent, SPLIT, Truth.withStatus(0, 1));
        FaultDisputeGame.ExecSubgame memory s = game.execSubgame(SPLIT + 1);
        assertEq(s.startingRoot, Truth.output(0));
        assertEq(s.startingPosition, 0);
        assertEq(uint256(s.startingBlock), 0);
        assertEq(uint256(s.disputedBlock), 1);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- block-number challenge

    /// @dev A 228-byte header whose height is `height` (little-endian first 8 bytes) and an output
    ///      preimage naming it.
    function _outputOf(uint64 height) internal pure returns (bytes memory preimage, bytes memory header) {
        header = new bytes(228);
        for (uint256 i; i < 8; ++i) {
            header[i] = bytes1(uint8(height >> (8 * i)));
        }
        header[100] = 0x42;
        preimage =
            abi.encode(uint256(1), keccak256("state"), keccak256("withdrawals"), keccak256(header), bytes32(0), 0);
    }

    function test_rootOfAnotherBlockIsCounteredByTheBlockNumberChallenge() public {
        (bytes memory preimage, bytes memory header) = _outputOf(5);
        FaultDisputeGame game = _create(anyone, keccak256(preimage), 7);
        address challenger = makeAddr("challenger");
        vm.expectRevert(FaultDisputeGame.InvalidOutputPreimage.selector);
        game.challengeRootL2Block(bytes.concat(preimage, hex"00"), header);
        vm.expectRevert(FaultDisputeGame.InvalidHeader.selector);
        game.challengeRootL2Block(preimage, bytes.concat(header, hex"00"));
        vm.prank(challenger);
        game.challengeRootL2Block(preimage, header);
        assertEq(game.l2BlockNumberChallenger(), challenger);
        vm.expectRevert(FaultDisputeGame.L2BlockNumberAlreadyChallenged.selector);
        game.challengeRootL2Block(preimage, header);
        // No move needed: the root is countered at resolution and its bond is the challenger's.
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        assertTrue(game.status() == GameStatus.CHALLENGER_WINS);
        assertEq(game.normalModeCredit(challenger), BASE_BOND);
    }

    function test_blockNumberChallengeOfAMatchingRootFails() public {
        (bytes memory preimage, bytes memory header) = _outputOf(7);
        FaultDisputeGame game = _create(anyone, keccak256(preimage), 7);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.L2BlockNumberMatches.selector, 7));
        game.challengeRootL2Block(preimage, header);
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(FaultDisputeGame.ClockTimeExceeded.selector);
        game.challengeRootL2Block(preimage, header);
    }

    // ---------------------------------------------------------------- local data

    function test_addLocalDataLoadsTheSubgamesInputs() public {
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);
        game.attack{value: game.getRequiredBond(2)}(game.rootClaim(), 0, Truth.output(4));
        game.defend{value: game.getRequiredBond(6)}(Truth.output(4), 1, Truth.output(6));
        game.attack{value: game.getRequiredBond(12)}(Truth.output(6), 2, Truth.output(5));
        game.attack{value: game.getRequiredBond(24)}(Truth.output(5), 3, Truth.withStatus(0, 1));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.ClaimAboveSplit.selector, 3));
        game.addLocalData(1, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.InvalidLocalIdent.selector, 6));
        game.addLocalData(6, 4, 0);
        for (uint256 ident = 1; ident <= 5; ++ident) {
            game.addLocalData(ident, 4, 0);
        }
        bytes32 ctx = game.execSubgame(4).localContext;
        assertEq(localOracle.local(address(game), ctx, 1), Truth.output(4));
        assertEq(localOracle.local(address(game), ctx, 2), Truth.output(5));
        assertEq(localOracle.local(address(game), ctx, 3), bytes32(uint256(5) << 192));
        assertEq(localOracle.local(address(game), ctx, 4), rollup.lastBatchHash());
        assertEq(localOracle.local(address(game), ctx, 5), keccak256("config"));
    }

    // ---------------------------------------------------------------- clocks

    /// @dev A move's clock is its team's time so far: the grandparent's time plus the time since
    ///      the parent, never within an extension of the limit; a move with no time left fails.
    function testFuzz_clocks(uint64 wait1, uint64 wait2, uint64 wait3) public {
        wait1 = uint64(bound(wait1, 0, MAX_CLOCK + 1));
        wait2 = uint64(bound(wait2, 0, MAX_CLOCK + 1));
        wait3 = uint64(bound(wait3, 0, MAX_CLOCK + 1));
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);

        uint256 bond1 = game.getRequiredBond(2);
        uint256 bond2 = game.getRequiredBond(4);
        uint256 bond3 = game.getRequiredBond(8);
        bytes32 root = game.rootClaim();
        vm.warp(block.timestamp + wait1);
        if (wait1 >= MAX_CLOCK) {
            vm.expectRevert(FaultDisputeGame.ClockTimeExceeded.selector);
            game.attack{value: bond1}(root, 0, bytes32(uint256(1)));
            return;
        }
        game.attack{value: bond1}(root, 0, bytes32(uint256(1)));
        // Depth 1 + 1 == split - 1: the doubled extension.
        uint64 d1 = wait1 > MAX_CLOCK - EXTENSION ? MAX_CLOCK - EXTENSION : wait1;
        (,, uint64 dur1,,,,,,) = game.claimData(1);
        assertEq(dur1, d1);

        vm.warp(block.timestamp + wait2);
        if (wait2 >= MAX_CLOCK) {
            vm.expectRevert(FaultDisputeGame.ClockTimeExceeded.selector);
            game.attack{value: bond2}(bytes32(uint256(1)), 1, bytes32(uint256(2)));
            return;
        }
        game.attack{value: bond2}(bytes32(uint256(1)), 1, bytes32(uint256(2)));
        uint64 d2 = wait2 > MAX_CLOCK - 2 * EXTENSION ? MAX_CLOCK - 2 * EXTENSION : wait2;
        (,, uint64 dur2,,,,,,) = game.claimData(2);
        assertEq(dur2, d2);

        // The challengers' clock resumes from d1.
        vm.warp(block.timestamp + wait3);
        assertEq(game.getChallengerDuration(2), d1 + wait3 > MAX_CLOCK ? MAX_CLOCK : d1 + wait3);
        if (d1 + wait3 >= MAX_CLOCK) {
            vm.expectRevert(FaultDisputeGame.ClockTimeExceeded.selector);
            game.attack{value: bond3}(bytes32(uint256(2)), 2, bytes32(uint256(3)));
            vm.stopPrank();
            // Now the subgames resolve: claim 2 stands, 1 is countered by it, the root stands.
            game.resolveClaim(2, 0);
            // The defenders' clock against claim 1: the root's 0 plus the time since claim 1.
            if (wait2 + wait3 < MAX_CLOCK) {
                vm.expectRevert(FaultDisputeGame.ClockNotExpired.selector);
                game.resolveClaim(1, 0);
            }
            return;
        }
        vm.expectRevert(FaultDisputeGame.ClockNotExpired.selector);
        game.resolveClaim(2, 0);
        vm.stopPrank();
    }

    function test_resolutionNeedsChildrenFirstAndHappensOnce() public {
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        uint256 bond = game.getRequiredBond(2);
        bytes32 root = game.rootClaim();
        vm.prank(anyone);
        game.attack{value: bond}(root, 0, bytes32(uint256(1)));
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(FaultDisputeGame.OutOfOrderResolution.selector);
        game.resolveClaim(0, 0);
        vm.expectRevert(FaultDisputeGame.OutOfOrderResolution.selector);
        game.resolve();
        game.resolveClaim(1, 0);
        vm.expectRevert(FaultDisputeGame.ClaimAlreadyResolved.selector);
        game.resolveClaim(1, 0);
        game.resolveClaim(0, 0);
        game.resolve();
        assertTrue(game.status() == GameStatus.CHALLENGER_WINS);
        vm.expectRevert(FaultDisputeGame.GameNotInProgress.selector);
        game.resolve();
        // The uncountered attacker takes the root's bond and keeps its own.
        assertEq(game.normalModeCredit(anyone), _totalBonds(game));
    }

    function test_resolutionInBatchesOfChildren() public {
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.deal(anyone, 10 ether);
        vm.startPrank(anyone);
        for (uint256 i = 1; i <= 5; ++i) {
            game.attack{value: game.getRequiredBond(2)}(game.rootClaim(), 0, bytes32(i));
        }
        vm.stopPrank();
        vm.warp(block.timestamp + MAX_CLOCK);
        for (uint256 i = 1; i <= 5; ++i) {
            game.resolveClaim(i, 0);
        }
        game.resolveClaim(0, 2);
        assertFalse(game.resolvedSubgames(0));
        game.resolveClaim(0, 2);
        assertFalse(game.resolvedSubgames(0));
        game.resolveClaim(0, 2);
        assertTrue(game.resolvedSubgames(0));
    }

    // ---------------------------------------------------------------- bonds

    /// @dev Bonds grow by the growth factor per level, from the base at the root.
    function testFuzz_bondsGrowPerDepth(uint256 position) public view {
        position = bound(position, 1, (uint256(1) << (MAX_DEPTH + 1)) - 1);
        FaultDisputeGame game = impl;
        uint256 d = position.depth();
        uint256 expected = BASE_BOND;
        for (uint256 i; i < d; ++i) {
            expected = expected * GROWTH / 1e18;
        }
        assertEq(game.getRequiredBond(position), expected);
        if (d > 0) assertTrue(game.getRequiredBond(position) > game.getRequiredBond(position >> 1));
    }

    // ---------------------------------------------------------------- steps

    function test_stepRules() public {
        Player liar = _player(4);
        FaultDisputeGame game = liar.propose(factory, GAME_TYPE, 6, BASE_BOND);
        _playOut(game, honest, liar);
        // Find the stepped leaf.
        uint256 leaf = type(uint256).max;
        for (uint256 i; i < game.claimDataLen(); ++i) {
            (, address counteredBy,,,,,, uint128 pos,) = game.claimData(i);
            if (uint256(pos).depth() == MAX_DEPTH && counteredBy == address(honest)) leaf = i;
        }
        assertTrue(leaf != type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.NotAtMaxDepth.selector, 0));
        game.step(0, true, abi.encode(uint256(0)));
        // Stepping again, either way, fails: the step agreeing with the claim is no counter.
        (,,,,,,, uint128 leafPos,) = game.claimData(leaf);
        uint256 t = uint256(leafPos).traceIndex(MAX_DEPTH) % 16;
        vm.expectRevert(FaultDisputeGame.DuplicateStep.selector);
        game.step(leaf, true, abi.encode(t));
        vm.warp(block.timestamp + MAX_CLOCK);
        vm.expectRevert(FaultDisputeGame.ClockTimeExceeded.selector);
        game.step(leaf, true, abi.encode(t));
    }

    // ---------------------------------------------------------------- payout

    function test_blacklistedGameRefundsItsBonds() public {
        Player liar = _player(4);
        FaultDisputeGame game = liar.propose(factory, GAME_TYPE, 6, BASE_BOND);
        _playOut(game, honest, liar);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        vm.prank(council);
        registry.blacklistDisputeGame(game);
        vm.warp(block.timestamp + AIRGAP + 1);
        game.closeGame();
        assertTrue(game.bondDistributionMode() == FaultDisputeGame.BondDistributionMode.REFUND);
        // Each gets back what it posted, the liar included: the blacklist punishes nobody.
        _payOut(game, address(liar), liar.bondsPosted());
        _payOut(game, address(honest), honest.bondsPosted());
        assertEq(vault.balanceOf(address(game)), 0);
        assertFalse(registry.isGameClaimValid(game));
    }

    function test_creditWaitsForTheAirgapAndTheVaultDelay() public {
        FaultDisputeGame game = _create(anyone, Truth.output(8), 8);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        vm.expectRevert(FaultDisputeGame.GameNotFinalized.selector);
        game.claimCredit(anyone);
        vm.warp(block.timestamp + AIRGAP + 1);
        game.claimCredit(anyone);
        vm.expectRevert(
            abi.encodeWithSelector(
                DelayedBondVault.UnlockPending.selector, address(game), anyone, uint64(block.timestamp) + VAULT_DELAY
            )
        );
        game.claimCredit(anyone);
        // The council may hold the game's payouts, never take them.
        vm.prank(council);
        vault.hold(address(game));
        vm.warp(block.timestamp + VAULT_DELAY);
        vm.expectRevert(abi.encodeWithSelector(DelayedBondVault.GameHeld.selector, address(game)));
        game.claimCredit(anyone);
        vm.prank(council);
        vault.release(address(game));
        uint256 before = anyone.balance;
        game.claimCredit(anyone);
        assertEq(anyone.balance - before, BASE_BOND);
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.NoCreditToClaim.selector, anyone));
        game.claimCredit(anyone);
    }

    /// @dev Unlock, wait the vault's delay, withdraw; `account` receives `amount`.
    function _payOut(FaultDisputeGame game, address account, uint256 amount) internal {
        if (!registry.isGameFinalized(game)) vm.warp(block.timestamp + AIRGAP + 1);
        game.claimCredit(account);
        vm.warp(block.timestamp + VAULT_DELAY);
        uint256 before = account.balance;
        game.claimCredit(account);
        assertEq(account.balance - before, amount);
    }
}
