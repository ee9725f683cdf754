// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {ClaimData, FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {GameStatus} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {Position} from "../../src/dispute/lib/Position.sol";
import {Test} from "../utils/Test.sol";
import {DisputeFixture, Player, Truth} from "./DisputeHarness.sol";

/// @notice Random play against the honest challenger: an adversary moves anywhere with any value
///         (true ones, false ones, a liar's consistent lie, garbage, wrong statuses), steps
///         anywhere and lets time pass; the honest player answers after each action. `finish`
///         plays the game out and resolves it.
contract GameHandler is DisputeFixture {
    using Position for uint256;

    FaultDisputeGame public game;
    Player public honest;
    Player public liar;
    bool public rootIsTrue;
    bool public finished;
    uint256 public adversaryBonds;

    constructor(bool rootIsTrue_, uint64 liarFakeFrom) {
        _deploy();
        honest = new Player(0);
        liar = new Player(liarFakeFrom);
        vm.deal(address(honest), 100_000 ether);
        vm.deal(address(liar), 100_000 ether);
        vm.deal(address(this), 100_000 ether);
        rootIsTrue = rootIsTrue_;
        Player proposer = rootIsTrue_ ? honest : liar;
        game = proposer.propose(factory, GAME_TYPE, 6, BASE_BOND);
    }

    receive() external payable {}

    function randomMove(uint256 claimSeed, uint256 valueSeed, bool isAttack) external {
        if (finished) return;
        uint256 parent = claimSeed % game.claimDataLen();
        (,,,,,,, uint128 parentPos, bytes32 parentClaim) = game.claimData(parent);
        uint256 pos = isAttack ? uint256(parentPos).attack() : uint256(parentPos).defend();
        if (pos.depth() > MAX_DEPTH) return;
        bytes32 value = _value(parent, isAttack, valueSeed);
        uint256 bond = game.getRequiredBond(pos);
        try game.move{value: bond}(parentClaim, parent, value, isAttack) {
            adversaryBonds += bond;
        } catch {}
        honest.respondAll(game);
    }

    function randomStep(uint256 claimSeed, uint256 t, bool isAttack) external {
        if (finished) return;
        uint256 index = claimSeed % game.claimDataLen();
        (,,,,,,, uint128 pos,) = game.claimData(index);
        if (uint256(pos).depth() == MAX_DEPTH) {
            for (uint256 ident = 1; ident <= 3; ++ident) {
                game.addLocalData(ident, index, 0);
            }
        }
        try game.step(index, isAttack, abi.encode(t % 17)) {} catch {}
        honest.respondAll(game);
    }

    /// @notice The liar plays its lie out consistently for a while.
    function liarRespond() external {
        if (finished) return;
        liar.respond(game);
        honest.respondAll(game);
    }

    function wait(uint256 secs) external {
        if (finished) return;
        vm.warp(block.timestamp + bound(secs, 0, 1 days));
    }

    /// @notice Let the clocks run out and resolve the game.
    function finish() public {
        if (finished) return;
        honest.respondAll(game);
        vm.warp(block.timestamp + MAX_CLOCK);
        _resolveAll(game);
        finished = true;
    }

    /// @notice A value for a move: the truth, the liar's, garbage, or the truth with another
    ///         status byte.
    function _value(uint256 parent, bool isAttack, uint256 seed) internal view returns (bytes32) {
        uint256 kind = seed % 4;
        if (kind == 0 || kind == 3) {
            try honest.moveValue(game, parent, isAttack) returns (bytes32 v, uint256) {
                return kind == 0 ? v : Truth.withStatus(v, uint8(seed >> 8) % 4);
            } catch {}
        } else if (kind == 1) {
            try liar.moveValue(game, parent, isAttack) returns (bytes32 v, uint256) {
                return v;
            } catch {}
        }
        return Truth.withStatus(keccak256(abi.encode(seed)), uint8(seed >> 8) % 2);
    }

    function totalBonds() external view returns (uint256) {
        return _totalBonds(game);
    }
}

/// @notice The invariants of random play, for a true root (the honest player defends it) and a
///         false one (the honest player challenges it).
abstract contract GameInvariants is Test {
    GameHandler internal handler;

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The honest player always wins, and is never out of pocket: every bond it posts
    ///         comes back, with the bonds of the claims it countered. Checked whenever the random
    ///         sequence finished the game, and at the end of every run.
    function invariant_honestChallengerAlwaysWins() public view {
        if (handler.finished()) _checkOutcome();
    }

    function afterInvariant() public {
        handler.finish();
        _checkOutcome();
    }

    function _checkOutcome() internal view {
        FaultDisputeGame game = handler.game();
        GameStatus expected = handler.rootIsTrue() ? GameStatus.DEFENDER_WINS : GameStatus.CHALLENGER_WINS;
        assertTrue(game.status() == expected);
        Player honest = handler.honest();
        assertEq(honest.failed(), 0);
        assertTrue(game.normalModeCredit(address(honest)) >= honest.bondsPosted());
    }

    /// @notice The vault holds exactly the game's bonds, and the credits of either payout mode
    ///         add up to them.
    function invariant_bondsAreConserved() public view {
        FaultDisputeGame game = handler.game();
        uint256 total = handler.totalBonds();
        assertEq(handler.vault().balanceOf(address(game)), total);
        address honest = address(handler.honest());
        address liar = address(handler.liar());
        address adversary = address(handler);
        assertEq(game.refundModeCredit(honest) + game.refundModeCredit(liar) + game.refundModeCredit(adversary), total);
        assertEq(handler.honest().bondsPosted() + handler.liar().bondsPosted() + handler.adversaryBonds(), total);
        if (handler.finished()) {
            assertEq(
                game.normalModeCredit(honest) + game.normalModeCredit(liar) + game.normalModeCredit(adversary), total
            );
        }
    }
}

contract TrueRootInvariants is GameInvariants {
    function setUp() public {
        handler = new GameHandler(true, 3);
    }
}

contract FalseRootInvariants is GameInvariants {
    function setUp() public {
        handler = new GameHandler(false, 4);
    }
}
