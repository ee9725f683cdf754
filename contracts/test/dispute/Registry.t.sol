// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {AnchorStateRegistry} from "../../src/dispute/AnchorStateRegistry.sol";
import {DelayedBondVault} from "../../src/dispute/DelayedBondVault.sol";
import {DisputeGameFactory} from "../../src/dispute/DisputeGameFactory.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {IDisputeGame} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {Position} from "../../src/dispute/lib/Position.sol";
import {DisputeFixture, Truth} from "./DisputeHarness.sol";

/// @notice Who may do what around the games (the council's powers are only to blacklist, to
///         change the respected type and to hold bonds; the timelock's are the rest), what counts
///         as a valid claim, and the position arithmetic.
contract RegistryTest is DisputeFixture {
    address internal anyone = makeAddr("anyone");

    function setUp() public {
        _deploy();
    }

    function _resolvedUnchallenged(bytes32 root, uint64 l2Block) internal returns (FaultDisputeGame game) {
        game = _create(anyone, root, l2Block);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
    }

    function test_validClaimNeedsTheAirgapAndNoBlacklist() public {
        FaultDisputeGame game = _resolvedUnchallenged(Truth.output(5), 5);
        assertTrue(registry.isGameProper(game));
        assertFalse(registry.isGameClaimValid(game));
        vm.warp(block.timestamp + AIRGAP);
        assertFalse(registry.isGameClaimValid(game));
        vm.warp(block.timestamp + 1);
        assertTrue(registry.isGameClaimValid(game));
        vm.prank(council);
        registry.blacklistDisputeGame(game);
        assertFalse(registry.isGameClaimValid(game));
        assertFalse(registry.isGameProper(game));
    }

    function test_challengerWinsIsNeverValid() public {
        FaultDisputeGame game = _create(anyone, Truth.output(5), 5);
        vm.deal(anyone, 1 ether);
        uint256 bond = game.getRequiredBond(2);
        vm.prank(anyone);
        game.attack{value: bond}(Truth.output(5), 0, bytes32(uint256(1)));
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        vm.warp(block.timestamp + AIRGAP + 1);
        assertTrue(registry.isGameFinalized(game));
        assertFalse(registry.isGameClaimValid(game));
        vm.expectRevert(abi.encodeWithSelector(AnchorStateRegistry.AnchorNotUpdated.selector, address(game), 5, 0));
        registry.setAnchorState(game);
    }

    function test_changingTheRespectedTypeRetiresEarlierGames() public {
        FaultDisputeGame before = _create(anyone, Truth.output(5), 5);
        vm.warp(block.timestamp + 1);
        vm.prank(council);
        registry.setRespectedGameType(7);
        assertTrue(registry.isGameRetired(before));
        // A game of the old type created afterwards is proper but not respected.
        vm.warp(block.timestamp + 1);
        FaultDisputeGame later = _create(anyone, Truth.output(6), 6);
        assertTrue(registry.isGameProper(later));
        assertFalse(registry.isGameRespected(later));
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(later);
        vm.warp(block.timestamp + AIRGAP + 1);
        assertFalse(registry.isGameClaimValid(later));
    }

    function test_anchorMovesOnlyForward() public {
        FaultDisputeGame g6 = _resolvedUnchallenged(Truth.output(6), 6);
        FaultDisputeGame g3 = _resolvedUnchallenged(Truth.output(3), 3);
        vm.warp(block.timestamp + AIRGAP + 1);
        registry.setAnchorState(g6);
        vm.expectRevert(abi.encodeWithSelector(AnchorStateRegistry.AnchorNotUpdated.selector, address(g3), 3, 6));
        registry.setAnchorState(g3);
        // Closing an older game does not fail: it just is not the anchor.
        g3.closeGame();
        (bytes32 root, uint64 l2Block) = registry.anchorRoot();
        assertEq(root, Truth.output(6));
        assertEq(l2Block, 6);
        // New games start from the anchor and reach 2^split blocks past it.
        FaultDisputeGame next = _create(anyone, Truth.output(14), 14);
        assertEq(next.startingBlockNumber(), 6);
        assertEq(next.startingRootHash(), Truth.output(6));
    }

    function test_gamesOfOtherFactoriesDoNotCount() public {
        DisputeGameFactory other = new DisputeGameFactory(address(this));
        FaultDisputeGame otherImpl = new FaultDisputeGame(_params());
        other.setImplementation(GAME_TYPE, IDisputeGame(address(otherImpl)));
        // The implementation only accepts its registry's factory.
        vm.expectRevert(abi.encodeWithSelector(FaultDisputeGame.NotFactory.selector, address(other)));
        other.create{value: BASE_BOND}(GAME_TYPE, Truth.output(5), 5);
        assertFalse(registry.isGameRegistered(impl));
        assertFalse(registry.isGameProper(impl));
        assertFalse(registry.isGameClaimValid(IDisputeGame(anyone)));
    }

    function test_onlyTheCouncilBlacklistsAndSetsTheType() public {
        FaultDisputeGame game = _create(anyone, Truth.output(5), 5);
        vm.expectRevert(abi.encodeWithSelector(AnchorStateRegistry.NotGuardian.selector, address(this)));
        registry.blacklistDisputeGame(game);
        vm.expectRevert(abi.encodeWithSelector(AnchorStateRegistry.NotGuardian.selector, timelock));
        vm.prank(timelock);
        registry.setRespectedGameType(1);
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", council));
        vm.prank(council);
        registry.setGuardian(anyone);
        vm.prank(timelock);
        registry.setGuardian(anyone);
        assertEq(registry.guardian(), anyone);
    }

    function test_onlyTheTimelockSetsImplementations() public {
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", council));
        vm.prank(council);
        factory.setImplementation(1, impl);
        vm.prank(timelock);
        factory.setImplementation(1, impl);
        assertEq(address(factory.gameImpls(1)), address(impl));
    }

    // ---------------------------------------------------------------- vault

    function test_vaultPaysOnlyUnlockedAmountsAfterTheDelay() public {
        address game = makeAddr("game");
        address winner = makeAddr("winner");
        vm.deal(game, 10 ether);
        vm.startPrank(game);
        vault.deposit{value: 3 ether}();
        vm.expectRevert(abi.encodeWithSelector(DelayedBondVault.InsufficientBalance.selector, game, 3 ether, 4 ether));
        vault.unlock(winner, 4 ether);
        vault.unlock(winner, 2 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                DelayedBondVault.UnlockPending.selector, game, winner, uint64(block.timestamp) + VAULT_DELAY
            )
        );
        vault.withdraw(winner, 1 ether);
        vm.warp(block.timestamp + VAULT_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(DelayedBondVault.InsufficientUnlocked.selector, game, winner, 2 ether, 3 ether)
        );
        vault.withdraw(winner, 3 ether);
        vault.withdraw(winner, 2 ether);
        vm.stopPrank();
        assertEq(winner.balance, 2 ether);
        assertEq(vault.balanceOf(game), 1 ether);
        // Another caller cannot move the game's balance: its own sub-account is empty.
        vm.expectRevert(abi.encodeWithSelector(DelayedBondVault.InsufficientBalance.selector, anyone, 0, 1 ether));
        vm.prank(anyone);
        vault.unlock(anyone, 1 ether);
    }

    function test_onlyCouncilOrTimelockHold() public {
        vm.expectRevert(abi.encodeWithSelector(DelayedBondVault.NotGuardian.selector, anyone));
        vm.prank(anyone);
        vault.hold(anyone);
        vm.prank(council);
        vault.hold(anyone);
        assertTrue(vault.held(anyone));
        vm.prank(timelock);
        vault.release(anyone);
        assertFalse(vault.held(anyone));
    }

    // ---------------------------------------------------------------- positions

    /// @dev The position arithmetic against its definition by walking the tree.
    function testFuzz_positions(uint256 depthSeed, uint256 indexSeed, uint256 belowSeed) public pure {
        uint256 d = depthSeed % 100;
        uint256 index = indexSeed % (uint256(1) << d);
        uint256 p = (uint256(1) << d) + index;
        assertEq(Position.depth(p), d);
        assertEq(Position.indexAtDepth(p), index);
        assertEq(Position.attack(p), 2 * p);
        assertEq(Position.defend(p), 2 * (p + 1));
        // The trace index: go right to the deeper level.
        uint256 below = belowSeed % 20;
        uint256 q = p;
        for (uint256 i; i < below; ++i) {
            q = 2 * q + 1;
        }
        assertEq(Position.traceIndex(p, d + below), q - (uint256(1) << (d + below)));
        // The trace ancestor commits to the same index, and its parent (if any) does not.
        uint256 a = Position.traceAncestor(p, 0);
        assertEq(Position.traceIndex(a, d + 2), Position.traceIndex(p, d + 2));
        if (a > 1) assertTrue(Position.traceIndex(a >> 1, d + 2) != Position.traceIndex(p, d + 2));
        uint256 floor = d / 2;
        assertTrue(Position.depth(Position.traceAncestor(p, floor)) >= floor);
    }
}
