// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {FaultDisputeGame, GameParams} from "../../src/dispute/FaultDisputeGame.sol";
import {IDisputeGame} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {GameDefaults} from "../../src/dispute/lib/GameDefaults.sol";
import {Position} from "../../src/dispute/lib/Position.sol";
import {DisputeFixture, Player, Truth} from "./DisputeHarness.sol";

/// @notice Gas and bonds at the production depths (`GameDefaults`), over the mock VM: the cost of
///         each move of a full branch, of the game's part of a step, and the bond total of a
///         branch. docs/fault-proofs.md quotes these:
///         `contracts/test.sh --match-path test/dispute/Gas.t.sol --isolate -vv` (each call its
///         own transaction, so storage is cold as on L1).
contract GasTest is DisputeFixture {
    using Position for uint256;

    event log_named_uint(string key, uint256 val);

    FaultDisputeGame internal prod;

    function setUp() public {
        _deploy();
        GameParams memory p = _params();
        p.splitDepth = GameDefaults.SPLIT_DEPTH;
        p.maxGameDepth = GameDefaults.MAX_GAME_DEPTH;
        p.baseBond = GameDefaults.BASE_BOND;
        p.bondGrowthWad = GameDefaults.BOND_GROWTH_WAD;
        prod = new FaultDisputeGame(p);
        vm.prank(timelock);
        factory.setImplementation(GAME_TYPE, IDisputeGame(address(prod)));
    }

    function test_bondsOfAFullBranch() public {
        uint256 total;
        for (uint256 d; d <= GameDefaults.MAX_GAME_DEPTH; ++d) {
            total += prod.getRequiredBond(uint256(1) << d);
        }
        emit log_named_uint("root bond (wei)", prod.getRequiredBond(1));
        emit log_named_uint("deepest bond (wei)", prod.getRequiredBond(uint256(1) << GameDefaults.MAX_GAME_DEPTH));
        emit log_named_uint("bonds of a full branch, root to leaf (wei)", total);
        // Proportionate: a few ETH, against OP's ~631.
        assertTrue(total < 5 ether);
        assertTrue(total > 4 ether);
    }

    struct Branch {
        uint256 parent;
        uint256 moves;
        uint256 gas;
        uint256 largest;
    }

    function test_gasOfAFullGame() public {
        Player honest = new Player(0);
        Player liar = new Player(1 << 20);
        vm.deal(address(liar), 100 ether);
        uint256 before = gasleft();
        FaultDisputeGame game = liar.propose(factory, GAME_TYPE, uint64(1) << 31, GameDefaults.BASE_BOND);
        emit log_named_uint("create (clone, initialize, deposit)", before - gasleft());

        Branch memory b = _playBranch(game, honest, liar);
        emit log_named_uint("moves", b.moves);
        emit log_named_uint("gas of all moves (execution)", b.gas);
        emit log_named_uint("largest move (execution)", b.largest);
        assertEq(b.moves, GameDefaults.MAX_GAME_DEPTH);

        // The leaf is the liar's: the challenger loads the local data and steps.
        before = gasleft();
        for (uint256 ident = 1; ident <= 3; ++ident) {
            game.addLocalData(ident, b.parent, 0);
        }
        emit log_named_uint("addLocalData x3 (mock oracle)", before - gasleft());
        _step(game, honest, b.parent);

        vm.warp(block.timestamp + MAX_CLOCK);
        before = gasleft();
        _resolveAll(game);
        emit log_named_uint("resolve every claim and the game", before - gasleft());
    }

    /// @dev Each side answers the other's last claim down to the maximum depth.
    function _playBranch(FaultDisputeGame game, Player honest, Player liar) internal returns (Branch memory b) {
        Player mover = honest;
        while (true) {
            (,,,,,,, uint128 parentPos, bytes32 parentClaim) = game.claimData(b.parent);
            if (uint256(parentPos).depth() == GameDefaults.MAX_GAME_DEPTH) return b;
            bool isAttack = !mover.agrees(game, b.parent);
            (bytes32 value, uint256 pos) = mover.moveValue(game, b.parent, isAttack);
            uint256 bond = game.getRequiredBond(pos);
            vm.deal(address(this), bond);
            uint256 before = gasleft();
            game.move{value: bond}(parentClaim, b.parent, value, isAttack);
            uint256 used = before - gasleft();
            b.gas += used;
            if (used > b.largest) b.largest = used;
            b.moves++;
            b.parent = game.claimDataLen() - 1;
            mover = mover == honest ? liar : honest;
        }
    }

    function _step(FaultDisputeGame game, Player honest, uint256 leaf) internal {
        (,,,,,,, uint128 leafPos,) = game.claimData(leaf);
        uint256 leaves = uint256(1) << (GameDefaults.MAX_GAME_DEPTH - GameDefaults.SPLIT_DEPTH - 1);
        uint256 t = uint256(leafPos).traceIndex(GameDefaults.MAX_GAME_DEPTH) % leaves;
        bool agree = honest.agrees(game, leaf);
        uint256 before = gasleft();
        game.step(leaf, !agree, abi.encode(agree ? t + 1 : t));
        emit log_named_uint("step, the game's part (mock VM)", before - gasleft());
    }
}
