// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IOutputOracle} from "../src/interfaces/IOutputOracle.sol";
import {DerivationCursor, Hashing, Withdrawal, WithdrawalProof} from "../src/lib/Hashing.sol";
import {Portal} from "../src/Portal.sol";
import {Rollup} from "../src/Rollup.sol";
import {Test} from "./utils/Test.sol";

/// @notice Known-answer vectors, computed independently with ethers.js (AbiCoder + keccak256) and
///         listed in docs/bridge.md so the Rust side can assert the same values.
contract VectorsTest is Test {
    bytes32 constant R11 = 0x1111111111111111111111111111111111111111111111111111111111111111;
    bytes32 constant R22 = 0x2222222222222222222222222222222222222222222222222222222222222222;
    bytes32 constant R33 = 0x3333333333333333333333333333333333333333333333333333333333333333;
    address constant A11 = 0x1111111111111111111111111111111111111111;
    address constant A22 = 0x2222222222222222222222222222222222222222;
    address constant A44 = 0x4444444444444444444444444444444444444444;
    address constant AAA = 0xaAaAaAaaAaAaAaaAaAAAAAAAAaaaAaAaAaaAaaAa;
    address constant ABB = 0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB;

    function test_vector_outputRoot() public pure {
        bytes32 r44 = 0x4444444444444444444444444444444444444444444444444444444444444444;
        assertEq(
            Hashing.outputRoot(R11, R22, R33, DerivationCursor(r44, 0)),
            0x35c3d6b0f5dd4fde134ffcf0f742eb7bd3ba2244144a3426addabf8104452d03
        );
        assertEq(
            Hashing.outputRoot(R11, R22, R33, DerivationCursor(r44, 1)),
            0xcb3901271b99d756894a7c591c5b7f0c5b838a379354e7a72f2d691609f8ee7c
        );
    }

    function test_vector_withdrawalLeaves() public pure {
        Withdrawal memory eth = Withdrawal(7, 2, A11, A22, address(0), 1e18);
        assertEq(Hashing.withdrawalLeaf(eth), 0xe3b66e6eea925762f6810f183a6b6642a0f03875855f6389aed01f19dfd90e97);
        Withdrawal memory erc20 = Withdrawal(7, 3, A11, A22, A44, 5_000_000);
        assertEq(Hashing.withdrawalLeaf(erc20), 0xae29f3e1a8de71f059f7135ab9f3231fa55c10b78630cfa861b600fa3ee72e87);
    }

    function test_vector_tree3() public pure {
        bytes32 a = 0x0101010101010101010101010101010101010101010101010101010101010101;
        bytes32 b = 0x0202020202020202020202020202020202020202020202020202020202020202;
        bytes32 c = 0x0303030303030303030303030303030303030303030303030303030303030303;
        bytes32 root = 0xf8f23a80fd4d99d9d231122e1f115145412be3856b23abcc338903e32a80c4ef;
        bytes32[] memory s = new bytes32[](1);
        s[0] = keccak256(abi.encodePacked(a, b));
        // Leaf 2 of 3: one sibling (the pair (a, b)); it was carried up past level 0.
        assertEq(Hashing.withdrawalsRootFromProof(c, WithdrawalProof(2, 3, s)), root);
        bytes32[] memory s0 = new bytes32[](2);
        s0[0] = b;
        s0[1] = c;
        assertEq(Hashing.withdrawalsRootFromProof(a, WithdrawalProof(0, 3, s0)), root);
    }

    function test_vector_queue() public {
        Rollup rollup = new Rollup(address(this), 1, 0, 1, 1, address(this), address(this), address(0));
        Portal portal = new Portal(IOutputOracle(address(rollup)), 1, 100 ether);
        vm.deal(AAA, 10 ether);
        vm.warp(1_800_000_000);
        vm.prank(AAA);
        portal.depositETH{value: 1 ether}(ABB);
        assertEq(portal.queueHash(0), 0xc5311edb26c4ab9c44c8db883cd6b8c991ee487081fdd5d7bce21f0acea469c2);
        assertEq(
            Hashing.queueMessageHash(0, 1_800_000_000, AAA, 0, abi.encode(ABB, uint256(1 ether))),
            0x223d587bc2a3baf15fc914db48d45e81234905a23ef1a4f6466d5746a5a022d5
        );
        vm.warp(1_800_000_012);
        vm.prank(AAA);
        portal.forceTransaction(hex"c0ffee");
        assertEq(portal.queueHash(1), 0x9f2eb65bf603cdf1b01755c6dd1f368644136cb5e11966710dc8fe5d130f2f31);
    }

    /// Entries commit to the L1 facts of their append: block, time, the Portal's queue (one
    /// message, the ETH deposit of `test_vector_queue`) and the inclusion deadline (1 s here).
    function test_vector_batches() public {
        Rollup rollup = new Rollup(address(this), 1, 0, 1, 1, address(this), address(this), address(0));
        Portal portal = new Portal(IOutputOracle(address(rollup)), 1, 100 ether);
        rollup.setPortal(portal);
        vm.deal(AAA, 10 ether);
        vm.warp(1_800_000_000);
        vm.prank(AAA);
        portal.depositETH{value: 1 ether}(ABB);
        vm.roll(100);
        bytes32 h1 = rollup.appendCalldataBatch(1, 10, bytes32(0), hex"01deadbeef");
        assertEq(h1, 0x977c864c422c548ba8a67eaa0a4537693634379a7ae3c0bb1130c239171e43ff);
        bytes32[] memory blobs = new bytes32[](2);
        blobs[0] = 0x0101010101010101010101010101010101010101010101010101010101010101;
        blobs[1] = 0x0202020202020202020202020202020202020202020202020202020202020202;
        vm.blobhashes(blobs);
        assertEq(Hashing.blobCommitment(blobs), 0x346d8c96a2454213fcc0daff3c96ad0398148181b9fa6488f7ae2c0af5b20aa0);
        vm.roll(101);
        vm.warp(1_800_000_012);
        bytes32 h2 = rollup.appendBlobBatch(11, 20, h1);
        assertEq(h2, 0x8ec5725f9c3b21ca164e8c70a201570b760f57792cbc6c17b50583ee31e6f806);
        vm.roll(102);
        vm.warp(1_800_000_024);
        assertEq(rollup.forceInclusion(), 0xfa7cb50cdc0604fa1b1fe7eb267fadbd184ff900bd85df6f1d44a0145657095d);
    }
}
