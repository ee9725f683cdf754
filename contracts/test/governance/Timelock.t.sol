// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {DisputeGameFactory} from "../../src/dispute/DisputeGameFactory.sol";
import {IDisputeGame} from "../../src/dispute/interfaces/IDisputeGame.sol";
import {GovernanceDefaults} from "../../src/governance/GovernanceDefaults.sol";
import {DisputeFixture} from "../dispute/DisputeHarness.sol";

/// @notice An upgrade of the proof system (a new game implementation) through OpenZeppelin's
///         `TimelockController` takes the whole delay, and the delay covers 7 days after the
///         longest exit.
contract TimelockTest is DisputeFixture {
    TimelockController internal lock;
    address internal governance = makeAddr("governance");

    event log_named_uint(string key, uint256 val);

    function setUp() public {
        _deploy();
        address[] memory proposers = new address[](1);
        proposers[0] = governance;
        address[] memory executors = new address[](1);
        executors[0] = address(0); // anyone executes a ripe operation
        lock = new TimelockController(GovernanceDefaults.TIMELOCK_DELAY, proposers, executors, address(0));
        // The factory moves to the timelock (two steps: the timelock accepts through itself).
        vm.prank(timelock);
        factory.transferOwnership(address(lock));
        _through(address(factory), abi.encodeCall(factory.acceptOwnership, ()), bytes32("accept"));
        assertEq(factory.owner(), address(lock));
    }

    /// @dev Schedules `data` on `target` as governance and executes it after the delay.
    function _through(address target, bytes memory data, bytes32 salt) internal {
        vm.prank(governance);
        lock.schedule(target, 0, data, bytes32(0), salt, GovernanceDefaults.TIMELOCK_DELAY);
        vm.warp(block.timestamp + GovernanceDefaults.TIMELOCK_DELAY);
        lock.execute(target, 0, data, bytes32(0), salt);
    }

    function test_theDelayCoversSevenDaysAfterTheLongestExit() public {
        emit log_named_uint("longest game (s)", GovernanceDefaults.LONGEST_GAME);
        emit log_named_uint("longest exit (s)", GovernanceDefaults.LONGEST_EXIT);
        emit log_named_uint("timelock delay (s)", GovernanceDefaults.TIMELOCK_DELAY);
        assertTrue(GovernanceDefaults.TIMELOCK_DELAY >= 7 days + GovernanceDefaults.LONGEST_EXIT);
        assertEq(GovernanceDefaults.TIMELOCK_DELAY, 24 days);
    }

    function test_anUpgradeTakesTheFullDelay() public {
        bytes memory upgrade = abi.encodeCall(DisputeGameFactory.setImplementation, (7, IDisputeGame(address(impl))));
        vm.prank(governance);
        lock.schedule(address(factory), 0, upgrade, bytes32(0), bytes32("upgrade"), GovernanceDefaults.TIMELOCK_DELAY);
        bytes32 id = lock.hashOperation(address(factory), 0, upgrade, bytes32(0), bytes32("upgrade"));
        // A second short of the delay, nobody can execute it.
        vm.warp(block.timestamp + GovernanceDefaults.TIMELOCK_DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector, id, bytes32(uint256(1) << 2)
            )
        );
        lock.execute(address(factory), 0, upgrade, bytes32(0), bytes32("upgrade"));
        // A shorter delay is refused outright.
        vm.prank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockInsufficientDelay.selector, 1 days, GovernanceDefaults.TIMELOCK_DELAY
            )
        );
        lock.schedule(address(factory), 0, upgrade, bytes32(0), bytes32("quick"), 1 days);
        vm.warp(block.timestamp + 1);
        lock.execute(address(factory), 0, upgrade, bytes32(0), bytes32("upgrade"));
        assertEq(address(factory.gameImpls(7)), address(impl));
    }

    function test_nobodyButTheTimelockUpgrades() public {
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", governance));
        vm.prank(governance);
        factory.setImplementation(7, impl);
        vm.expectRevert();
        vm.prank(makeAddr("anyone"));
        lock.schedule(address(factory), 0, "", bytes32(0), bytes32(0), GovernanceDefaults.TIMELOCK_DELAY);
    }
}
