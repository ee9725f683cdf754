// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Safe} from "@safe-global/safe-smart-account/contracts/Safe.sol";
import {Enum} from "@safe-global/safe-smart-account/contracts/libraries/Enum.sol";
import {SafeProxyFactory} from "@safe-global/safe-smart-account/contracts/proxies/SafeProxyFactory.sol";

import {AnchorStateRegistry} from "../../src/dispute/AnchorStateRegistry.sol";
import {DelayedBondVault} from "../../src/dispute/DelayedBondVault.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {CouncilRules, IOwnedThreshold} from "../../src/governance/CouncilRules.sol";
import {DisputeFixture, Truth} from "../dispute/DisputeHarness.sol";

/// @notice The Security Council as a real Safe (8 signers, 6 to act: 75%): it blacklists a game
///         and holds bonds at once, with six signatures and not with five, and cannot use the
///         owner's powers (implementations, guardian) nor move funds.
contract SecurityCouncilTest is DisputeFixture {
    uint256 internal constant SIGNERS = 8;
    uint256 internal constant THRESHOLD = 6;

    Safe internal safe;
    uint256[] internal keys;

    function setUp() public {
        Safe singleton = new Safe();
        SafeProxyFactory proxies = new SafeProxyFactory();
        address[] memory owners = new address[](SIGNERS);
        for (uint256 i; i < SIGNERS; ++i) {
            keys.push(uint256(keccak256(abi.encode("council", i))));
        }
        // Signatures are checked in ascending signer order.
        _sortByAddress();
        for (uint256 i; i < SIGNERS; ++i) {
            owners[i] = vm.addr(keys[i]);
        }
        bytes memory init = abi.encodeCall(
            Safe.setup, (owners, THRESHOLD, address(0), "", address(0), address(0), 0, payable(address(0)))
        );
        safe = Safe(payable(address(proxies.createProxyWithNonce(address(singleton), init, 0))));
        council = address(safe);
        _deploy();
    }

    function _sortByAddress() internal {
        for (uint256 i; i < keys.length; ++i) {
            for (uint256 j = i + 1; j < keys.length; ++j) {
                if (vm.addr(keys[j]) < vm.addr(keys[i])) (keys[i], keys[j]) = (keys[j], keys[i]);
            }
        }
    }

    /// @dev `signers` of the council sign and execute a call to `to`.
    function _exec(address to, bytes memory data, uint256 signers) internal returns (bool) {
        bytes32 hash = safe.getTransactionHash(
            to, 0, data, Enum.Operation.Call, 0, 0, 0, address(0), payable(address(0)), safe.nonce()
        );
        bytes memory sigs;
        for (uint256 i; i < signers; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], hash);
            sigs = bytes.concat(sigs, r, s, bytes1(v));
        }
        return safe.execTransaction(to, 0, data, Enum.Operation.Call, 0, 0, 0, address(0), payable(address(0)), sigs);
    }

    function test_theCouncilMeetsStage1() public view {
        assertTrue(CouncilRules.meetsStage1(IOwnedThreshold(address(safe))));
        assertEq(safe.getOwners().length, SIGNERS);
        assertEq(safe.getThreshold(), THRESHOLD);
    }

    function test_sixOfEightBlacklistAGameAtOnce() public {
        FaultDisputeGame game = _create(makeAddr("proposer"), Truth.output(5), 5);
        assertTrue(_exec(address(registry), abi.encodeCall(AnchorStateRegistry.blacklistDisputeGame, (game)), 6));
        assertTrue(registry.isGameBlacklisted(address(game)));
        assertTrue(_exec(address(vault), abi.encodeCall(DelayedBondVault.hold, (address(game))), 6));
        assertTrue(vault.held(address(game)));
    }

    function test_fiveOfEightCannotAct() public {
        FaultDisputeGame game = _create(makeAddr("proposer"), Truth.output(5), 5);
        bytes memory data = abi.encodeCall(AnchorStateRegistry.blacklistDisputeGame, (game));
        // Safe's "GS020": the signatures are fewer than the threshold.
        vm.expectRevert(bytes("GS020"));
        this.execAs(address(registry), data, 5);
        assertFalse(registry.isGameBlacklisted(address(game)));
    }

    function test_theCouncilHasNoOwnerPowers() public {
        // Implementations and the guardian are the timelock's: the inner call fails and Safe
        // passes its revert on.
        bytes memory setImpl = abi.encodeWithSignature("setImplementation(uint32,address)", uint32(1), address(impl));
        bytes memory notOwner = abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", address(safe));
        vm.expectRevert(notOwner);
        this.execAs(address(factory), setImpl, 6);
        bytes memory setGuardian = abi.encodeCall(AnchorStateRegistry.setGuardian, (address(0)));
        vm.expectRevert(notOwner);
        this.execAs(address(registry), setGuardian, 6);
        assertEq(address(factory.gameImpls(1)), address(0));
        assertEq(registry.guardian(), address(safe));
    }

    function test_rulesRefuseSmallCouncilsAndLowThresholds() public {
        SafeProxyFactory proxies = new SafeProxyFactory();
        Safe singleton = new Safe();
        for (uint256 n = 7; n <= 9; ++n) {
            address[] memory owners = new address[](n);
            for (uint256 i; i < n; ++i) {
                owners[i] = address(uint160(0x1000 + i));
            }
            for (uint256 t = 1; t <= n; ++t) {
                bytes memory init = abi.encodeCall(
                    Safe.setup, (owners, t, address(0), "", address(0), address(0), 0, payable(address(0)))
                );
                address s = address(proxies.createProxyWithNonce(address(singleton), init, n * 100 + t));
                bool expected = n >= 8 && t * 4 >= n * 3;
                assertEq(CouncilRules.meetsStage1(IOwnedThreshold(s)), expected);
            }
        }
    }

    /// @dev External so that `expectRevert` sees the Safe's revert at this depth.
    function execAs(address to, bytes memory data, uint256 signers) external returns (bool) {
        return _exec(to, data, signers);
    }
}
