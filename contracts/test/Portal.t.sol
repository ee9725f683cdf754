// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IOutputOracle} from "../src/interfaces/IOutputOracle.sol";
import {DerivationCursor, Hashing, Withdrawal, WithdrawalProof} from "../src/lib/Hashing.sol";
import {Portal} from "../src/Portal.sol";
import {Rollup} from "../src/Rollup.sol";
import {
    CURSOR_ENTRY, FeeOnTransferERC20, MockERC20, ReentrantRecipient, RejectingRecipient
} from "./mocks/Mocks.sol";
import {Test, Vm} from "./utils/Test.sol";

/// @dev Builds keccak withdrawal trees exactly like the L2 (`merkle_root` in Rust): pairs hashed
///      as `keccak(left ‖ right)`, an odd last node carried up unchanged.
library TestTree {
    function nextLevel(bytes32[] memory level) internal pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i; i < level.length; i += 2) {
            next[i / 2] = i + 1 < level.length ? keccak256(abi.encodePacked(level[i], level[i + 1])) : level[i];
        }
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        if (leaves.length == 0) return bytes32(0);
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            level = nextLevel(level);
        }
        return level[0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (WithdrawalProof memory p) {
        bytes32[] memory tmp = new bytes32[](64);
        uint256 n;
        bytes32[] memory level = leaves;
        uint256 idx = index;
        while (level.length > 1) {
            uint256 sibling = idx ^ 1;
            if (sibling < level.length) tmp[n++] = level[sibling];
            level = nextLevel(level);
            idx >>= 1;
        }
        bytes32[] memory siblings = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            siblings[i] = tmp[i];
        }
        p = WithdrawalProof({leafIndex: index, leafCount: leaves.length, siblings: siblings});
    }
}

contract PortalTest is Test {
    event QueueMessage(
        uint64 indexed index,
        uint8 indexed kind,
        address indexed sender,
        uint64 timestamp,
        bytes payload,
        bytes32 queueHash
    );
    event WithdrawalFinalized(
        bytes32 indexed leaf,
        address indexed l1Recipient,
        address indexed token,
        uint256 amount,
        uint64 l2Block,
        uint32 index,
        uint256 outputIndex
    );

    uint64 constant CHALLENGE = 7 days;
    uint256 constant START = 1_800_000_000;
    /// The L1 block proposals are anchored to, and its hash.
    uint64 constant ANCHOR = 1000;
    bytes32 constant ANCHOR_HASH = keccak256("l1 block 1000");
    uint256 constant MIN_DEPOSIT = 1000;
    uint256 constant MAX_DEPOSIT = 1000 ether;
    bytes32 constant STATE_ROOT = keccak256("state root");
    bytes32 constant BLOCK_HASH = keccak256("block hash");

    /// The derivation cursor committed in the test outputs.
    function _cursor() internal pure returns (DerivationCursor memory) {
        return DerivationCursor(CURSOR_ENTRY, Hashing.CURSOR_FROM_BATCH);
    }

    address owner = makeAddr("owner");
    address sequencer = makeAddr("sequencer");
    address proposer = makeAddr("proposer");
    address guardian = makeAddr("guardian");
    address alice = makeAddr("alice");
    address bob = makeAddr("bob");
    address l2Alice = makeAddr("l2Alice");

    Rollup rollup;
    Portal portal;
    MockERC20 token;

    function setUp() public {
        vm.warp(START);
        // Proposals name an L1 block whose hash the Rollup checks with blockhash.
        vm.roll(ANCHOR + 1);
        vm.setBlockhash(ANCHOR, ANCHOR_HASH);
        rollup = new Rollup(owner, 424242, CHALLENGE, 1 days, 2 days, sequencer, proposer, guardian);
        portal = new Portal(IOutputOracle(address(rollup)), MIN_DEPOSIT, MAX_DEPOSIT);
        token = new MockERC20();
        vm.deal(alice, 10_000 ether);
        token.mint(alice, 1_000_000e18);
        vm.prank(alice);
        token.approve(address(portal), type(uint256).max);
    }

    // ------------------------------------------------------------ helpers

    /// @dev Appends batches up to `l2Block` (if needed) and proposes an output for it.
    function _propose(uint64 l2Block, bytes32 withdrawalsRoot) internal returns (uint256 index) {
        uint64 last = rollup.lastBatchBlock();
        if (last < l2Block) {
            bytes32 prev = rollup.lastBatchHash();
            vm.prank(sequencer);
            rollup.appendCalldataBatch(last + 1, l2Block, prev, hex"00");
        }
        vm.prank(proposer);
        index = rollup.proposeOutput(
            l2Block, Hashing.outputRoot(STATE_ROOT, withdrawalsRoot, BLOCK_HASH, _cursor()), ANCHOR, ANCHOR_HASH
        );
    }

    function _finalizedOutput(uint64 l2Block, bytes32 withdrawalsRoot) internal returns (uint256 index) {
        index = _propose(l2Block, withdrawalsRoot);
        vm.warp(block.timestamp + CHALLENGE);
        assertTrue(rollup.isFinalized(index));
    }

    function _withdrawal(uint64 l2Block, uint32 index, address recipient, address tok, uint256 amount)
        internal
        view
        returns (Withdrawal memory)
    {
        return Withdrawal({
            l2Block: l2Block, index: index, l2Sender: l2Alice, l1Recipient: recipient, token: tok, amount: amount
        });
    }

    /// @dev `count` ETH withdrawals in block `l2Block`, paying `amount + i` to `recipient`.
    function _ethWithdrawals(uint64 l2Block, uint256 count, address recipient, uint256 amount)
        internal
        view
        returns (Withdrawal[] memory ws, bytes32[] memory leaves)
    {
        ws = new Withdrawal[](count);
        leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            ws[i] = _withdrawal(l2Block, uint32(i), recipient, address(0), amount + i);
            leaves[i] = Hashing.withdrawalLeaf(ws[i]);
        }
    }

    function _single(Withdrawal memory w) internal returns (uint256 outputIndex, WithdrawalProof memory p) {
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = Hashing.withdrawalLeaf(w);
        outputIndex = _finalizedOutput(w.l2Block, TestTree.root(leaves));
        p = TestTree.proof(leaves, 0);
    }

    // ------------------------------------------------------------ construction

    function test_constructor_rejectsBadConfig() public {
        vm.expectRevert(Portal.InvalidConfig.selector);
        new Portal(IOutputOracle(address(0)), 1, 2);
        vm.expectRevert(Portal.InvalidConfig.selector);
        new Portal(IOutputOracle(address(rollup)), 10, 9);
        vm.expectRevert(Portal.InvalidConfig.selector);
        new Portal(IOutputOracle(address(rollup)), 1, uint256(type(uint128).max) + 1);
        Portal p = new Portal(IOutputOracle(address(rollup)), 0, 5);
        assertEq(p.minDeposit(), 1);
    }

    // ------------------------------------------------------------ deposits and the queue

    function test_depositETH_appendsMessage() public {
        bytes memory payload = abi.encode(l2Alice, uint256(1 ether));
        bytes32 expected = keccak256(
            abi.encode(bytes32(0), keccak256(abi.encode(uint64(0), uint64(START), alice, uint8(0), payload)))
        );
        vm.expectEmit(true, true, true, true, address(portal));
        emit QueueMessage(0, 0, alice, uint64(START), payload, expected);
        vm.prank(alice);
        assertEq(portal.depositETH{value: 1 ether}(l2Alice), 0);
        assertEq(portal.queueLength(), 1);
        assertEq(portal.queueHash(0), expected);
        assertEq(portal.lastQueueHash(), expected);
        assertEq(address(portal).balance, 1 ether);
    }

    function testFuzz_depositETH_bounds(uint256 amount) public {
        vm.deal(alice, type(uint256).max);
        vm.startPrank(alice);
        if (amount < MIN_DEPOSIT || amount > MAX_DEPOSIT) {
            vm.expectRevert(abi.encodeWithSelector(Portal.AmountOutOfRange.selector, amount, MIN_DEPOSIT, MAX_DEPOSIT));
            portal.depositETH{value: amount}(l2Alice);
            assertEq(portal.queueLength(), 0);
        } else {
            portal.depositETH{value: amount}(l2Alice);
            assertEq(portal.queueLength(), 1);
        }
        vm.expectRevert(Portal.ZeroRecipient.selector);
        portal.depositETH{value: MIN_DEPOSIT}(address(0));
        vm.stopPrank();
    }

    function test_depositERC20_appendsMessageAndLocks() public {
        bytes memory payload = abi.encode(address(token), l2Alice, uint256(500e18));
        bytes32 expected =
            Hashing.nextQueueHash(bytes32(0), Hashing.queueMessageHash(0, uint64(START), alice, 1, payload));
        vm.expectEmit(true, true, true, true, address(portal));
        emit QueueMessage(0, 1, alice, uint64(START), payload, expected);
        vm.prank(alice);
        portal.depositERC20(address(token), l2Alice, 500e18);
        assertEq(token.balanceOf(address(portal)), 500e18);
        assertEq(portal.lockedERC20(address(token)), 500e18);
        assertEq(portal.queueHash(0), expected);
    }

    function test_depositERC20_feeOnTransfer_creditsReceived() public {
        FeeOnTransferERC20 fee = new FeeOnTransferERC20();
        fee.mint(alice, 1000);
        vm.startPrank(alice);
        fee.approve(address(portal), 1000);
        vm.recordLogs();
        portal.depositERC20(address(fee), l2Alice, 1000);
        vm.stopPrank();
        assertEq(fee.balanceOf(address(portal)), 990);
        assertEq(portal.lockedERC20(address(fee)), 990);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        Vm.Log memory last = logs[logs.length - 1];
        (, bytes memory payload,) = abi.decode(last.data, (uint64, bytes, bytes32));
        assertEq(payload, abi.encode(address(fee), l2Alice, uint256(990)));
    }

    function test_depositERC20_guards() public {
        vm.startPrank(alice);
        vm.expectRevert(Portal.ZeroToken.selector);
        portal.depositERC20(address(0), l2Alice, 1);
        vm.expectRevert(Portal.ZeroRecipient.selector);
        portal.depositERC20(address(token), address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(Portal.AmountOutOfRange.selector, 0, 1, type(uint128).max));
        portal.depositERC20(address(token), l2Alice, 0);
        vm.stopPrank();
        // No allowance.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(portal), 0, 1));
        portal.depositERC20(address(token), l2Alice, 1);
        // Too large for an L2 amount (u128).
        uint256 huge = uint256(type(uint128).max) + 1;
        token.mint(alice, huge);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Portal.AmountOutOfRange.selector, huge, 1, type(uint128).max));
        portal.depositERC20(address(token), l2Alice, huge);
        assertEq(portal.queueLength(), 0);
    }

    function testFuzz_forceTransaction_size(uint256 size) public {
        size = bound(size, 0, 2 * portal.MAX_FORCED_TX_SIZE());
        bytes memory tx_ = new bytes(size);
        for (uint256 i; i < size; i += 31) {
            tx_[i] = bytes1(uint8(i));
        }
        vm.prank(bob);
        if (size == 0 || size > 4096) {
            vm.expectRevert(abi.encodeWithSelector(Portal.InvalidForcedTxSize.selector, size, 4096));
            portal.forceTransaction(tx_);
        } else {
            bytes32 expected =
                Hashing.nextQueueHash(bytes32(0), Hashing.queueMessageHash(0, uint64(START), bob, 2, tx_));
            vm.expectEmit(true, true, true, true, address(portal));
            emit QueueMessage(0, 2, bob, uint64(START), tx_, expected);
            portal.forceTransaction(tx_);
            assertEq(portal.lastQueueHash(), expected);
        }
    }

    function testFuzz_queue_orderAndRollingHash(uint8[12] memory kinds, uint16[12] memory gaps) public {
        bytes32 rolling;
        vm.recordLogs();
        for (uint256 i; i < kinds.length; ++i) {
            vm.warp(block.timestamp + gaps[i]);
            uint8 kind = kinds[i] % 3;
            bytes memory payload;
            vm.startPrank(alice);
            if (kind == 0) {
                portal.depositETH{value: MIN_DEPOSIT + i}(l2Alice);
                payload = abi.encode(l2Alice, MIN_DEPOSIT + i);
            } else if (kind == 1) {
                portal.depositERC20(address(token), l2Alice, 1 + i);
                payload = abi.encode(address(token), l2Alice, 1 + i);
            } else {
                payload = abi.encodePacked("signed tx", i);
                portal.forceTransaction(payload);
            }
            vm.stopPrank();
            rolling = Hashing.nextQueueHash(
                rolling, Hashing.queueMessageHash(uint64(i), uint64(block.timestamp), alice, kind, payload)
            );
            assertEq(portal.queueHash(i), rolling);
        }
        assertEq(portal.queueLength(), kinds.length);
        assertEq(portal.lastQueueHash(), rolling);

        // Events come out in queue order, each carrying the rolling hash after it.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 sig = QueueMessage.selector;
        uint256 seen;
        for (uint256 j; j < logs.length; ++j) {
            if (logs[j].emitter != address(portal) || logs[j].topics[0] != sig) continue;
            assertEq(uint256(logs[j].topics[1]), seen);
            assertEq(uint256(logs[j].topics[2]), kinds[seen] % 3);
            (,, bytes32 h) = abi.decode(logs[j].data, (uint64, bytes, bytes32));
            assertEq(h, portal.queueHash(seen));
            ++seen;
        }
        assertEq(seen, kinds.length);
    }

    function test_queueHash_outOfRange_reverts() public {
        assertEq(portal.lastQueueHash(), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(Portal.QueueIndexOutOfRange.selector, 0, 0));
        portal.queueHash(0);
    }

    // ------------------------------------------------------------ withdrawals: happy paths

    function testFuzz_withdrawETH_everyTreeShape(uint8 count, uint8 pick) public {
        uint256 n = bound(count, 1, 40);
        uint256 i = bound(pick, 0, n - 1);
        (Withdrawal[] memory ws, bytes32[] memory leaves) = _ethWithdrawals(12, n, bob, 1 ether);
        uint256 outputIndex = _finalizedOutput(12, TestTree.root(leaves));
        vm.deal(address(portal), 100 ether);
        WithdrawalProof memory p = TestTree.proof(leaves, i);
        assertEq(portal.computeWithdrawalsRoot(leaves[i], p), TestTree.root(leaves));

        vm.expectEmit(true, true, true, true, address(portal));
        emit WithdrawalFinalized(leaves[i], bob, address(0), 1 ether + i, 12, uint32(i), outputIndex);
        vm.prank(alice); // anyone may relay
        portal.finalizeWithdrawal(ws[i], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertEq(bob.balance, 1 ether + i);
        assertTrue(portal.finalizedWithdrawals(leaves[i]));

        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, leaves[i]));
        portal.finalizeWithdrawal(ws[i], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
    }

    function test_withdrawals_allLeavesOfOneTree() public {
        (Withdrawal[] memory ws, bytes32[] memory leaves) = _ethWithdrawals(3, 7, bob, 1 ether);
        uint256 outputIndex = _finalizedOutput(3, TestTree.root(leaves));
        vm.deal(address(portal), 100 ether);
        uint256 total;
        for (uint256 i; i < ws.length; ++i) {
            portal.finalizeWithdrawal(ws[i], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), TestTree.proof(leaves, i));
            total += ws[i].amount;
        }
        assertEq(bob.balance, total);
    }

    function test_erc20_roundTrip() public {
        vm.prank(alice);
        portal.depositERC20(address(token), l2Alice, 300e18);
        // On L2 the funds move and bob withdraws 120 of them.
        Withdrawal memory w = _withdrawal(9, 0, bob, address(token), 120e18);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        vm.expectEmit(true, true, true, true, address(portal));
        emit WithdrawalFinalized(Hashing.withdrawalLeaf(w), bob, address(token), 120e18, 9, 0, outputIndex);
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertEq(token.balanceOf(bob), 120e18);
        assertEq(token.balanceOf(address(portal)), 180e18);
        assertEq(portal.lockedERC20(address(token)), 180e18);
    }

    function test_eth_roundTrip() public {
        vm.prank(alice);
        portal.depositETH{value: 5 ether}(l2Alice);
        Withdrawal memory w = _withdrawal(4, 0, bob, address(0), 2 ether);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertEq(bob.balance, 2 ether);
        assertEq(address(portal).balance, 3 ether);
    }

    function test_withdrawal_provableAgainstLaterOutput() public {
        // A withdrawal from block 5 proven against an output for block 8 whose withdrawals root
        // includes it (e.g. a cumulative withdrawals tree).
        vm.deal(address(portal), 1 ether);
        Withdrawal memory w = _withdrawal(5, 0, bob, address(0), 1 ether);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = Hashing.withdrawalLeaf(w);
        uint256 outputIndex = _finalizedOutput(8, TestTree.root(leaves));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), TestTree.proof(leaves, 0));
        assertEq(bob.balance, 1 ether);
    }

    // ------------------------------------------------------------ withdrawals: guards

    function testFuzz_withdrawal_unfinalizedOutput_reverts(uint256 wait) public {
        vm.deal(address(portal), 1 ether);
        Withdrawal memory w = _withdrawal(4, 0, bob, address(0), 1 ether);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = Hashing.withdrawalLeaf(w);
        uint256 outputIndex = _propose(4, TestTree.root(leaves));
        wait = bound(wait, 0, CHALLENGE - 1);
        vm.warp(START + wait);
        WithdrawalProof memory p = TestTree.proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        // A nonexistent output is never final.
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex + 1));
        portal.finalizeWithdrawal(w, outputIndex + 1, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        vm.warp(START + CHALLENGE);
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertEq(bob.balance, 1 ether);
    }

    function test_withdrawal_invalidatedOutput_reverts() public {
        vm.deal(address(portal), 10 ether);
        Withdrawal memory w = _withdrawal(4, 0, bob, address(0), 1 ether);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = Hashing.withdrawalLeaf(w);
        WithdrawalProof memory p = TestTree.proof(leaves, 0);
        uint256 outputIndex = _propose(4, TestTree.root(leaves));
        vm.prank(guardian);
        rollup.invalidateOutput(outputIndex);
        vm.warp(START + CHALLENGE + 1);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);

        // The honest re-proposal at the same index has no such withdrawal: the old proof fails.
        uint256 again = _finalizedOutput(4, bytes32(0));
        assertEq(again, outputIndex);
        bytes32 honest = Hashing.outputRoot(STATE_ROOT, bytes32(0), BLOCK_HASH, _cursor());
        bytes32 forged = Hashing.outputRoot(STATE_ROOT, leaves[0], BLOCK_HASH, _cursor());
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputRootMismatch.selector, honest, forged));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertEq(bob.balance, 0);
    }

    function testFuzz_withdrawal_forgedFields_revert(uint8 field, uint256 noise) public {
        vm.deal(address(portal), 100 ether);
        (Withdrawal[] memory ws, bytes32[] memory leaves) = _ethWithdrawals(6, 5, bob, 1 ether);
        uint256 outputIndex = _finalizedOutput(6, TestTree.root(leaves));
        Withdrawal memory w = ws[2];
        WithdrawalProof memory p = TestTree.proof(leaves, 2);
        bytes32 stateRoot = STATE_ROOT;
        bytes32 blockHash = BLOCK_HASH;
        DerivationCursor memory cursor = _cursor();
        noise = bound(noise, 1, type(uint32).max);
        field = field % 10;
        if (field == 0) w.amount += noise;
        else if (field == 1) w.l1Recipient = address(uint160(w.l1Recipient) ^ uint160(noise));
        else if (field == 2) w.token = address(uint160(noise));
        else if (field == 3) w.index = uint32(w.index ^ uint32(noise));
        else if (field == 4) w.l2Sender = address(uint160(w.l2Sender) ^ uint160(noise));
        else if (field == 5) p.siblings[noise % p.siblings.length] ^= bytes32(noise);
        else if (field == 6) stateRoot ^= bytes32(noise);
        else if (field == 7) cursor.entry ^= bytes32(noise);
        else if (field == 8) cursor.phase ^= 1;
        else blockHash ^= bytes32(noise);
        vm.expectPartialRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(w, outputIndex, stateRoot, blockHash, cursor, p);
        assertEq(bob.balance, 0);
    }

    function test_withdrawal_leafFromAnotherTree_reverts() public {
        vm.deal(address(portal), 100 ether);
        (, bytes32[] memory leaves) = _ethWithdrawals(6, 4, bob, 1 ether);
        uint256 outputIndex = _finalizedOutput(6, TestTree.root(leaves));
        // A withdrawal that was never recorded, with a proof built from a tree containing it.
        Withdrawal memory evil = _withdrawal(6, 1, alice, address(0), 50 ether);
        bytes32[] memory evilLeaves = new bytes32[](4);
        evilLeaves[0] = leaves[0];
        evilLeaves[1] = Hashing.withdrawalLeaf(evil);
        evilLeaves[2] = leaves[2];
        evilLeaves[3] = leaves[3];
        WithdrawalProof memory p = TestTree.proof(evilLeaves, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                Portal.OutputRootMismatch.selector,
                Hashing.outputRoot(STATE_ROOT, TestTree.root(leaves), BLOCK_HASH, _cursor()),
                Hashing.outputRoot(STATE_ROOT, TestTree.root(evilLeaves), BLOCK_HASH, _cursor())
            )
        );
        portal.finalizeWithdrawal(evil, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
    }

    function test_withdrawal_malformedProofShape_reverts() public {
        vm.deal(address(portal), 100 ether);
        (Withdrawal[] memory ws, bytes32[] memory leaves) = _ethWithdrawals(6, 5, bob, 1 ether);
        uint256 outputIndex = _finalizedOutput(6, TestTree.root(leaves));
        WithdrawalProof memory good = TestTree.proof(leaves, 1); // 3 siblings

        // One sibling too many.
        bytes32[] memory longer = new bytes32[](4);
        for (uint256 i; i < 3; ++i) {
            longer[i] = good.siblings[i];
        }
        WithdrawalProof memory p = WithdrawalProof(1, 5, longer);
        vm.expectRevert(abi.encodeWithSelector(Hashing.InvalidProofLength.selector, 3, 4));
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);

        // One too few.
        bytes32[] memory shorter = new bytes32[](2);
        shorter[0] = good.siblings[0];
        shorter[1] = good.siblings[1];
        p = WithdrawalProof(1, 5, shorter);
        vm.expectRevert(abi.encodeWithSelector(Hashing.InvalidProofLength.selector, 3, 2));
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);

        // Impossible positions.
        p = WithdrawalProof(5, 5, good.siblings);
        vm.expectRevert(abi.encodeWithSelector(Hashing.InvalidLeafPosition.selector, 5, 5));
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        p = WithdrawalProof(0, 0, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Hashing.InvalidLeafPosition.selector, 0, 0));
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);

        // A wrong leaf index with the right siblings hashes to another root.
        p = WithdrawalProof(0, 5, good.siblings);
        vm.expectPartialRevert(Portal.OutputRootMismatch.selector);
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);

        // The last (carried-up) leaf of 5 needs exactly one sibling.
        WithdrawalProof memory lastP = TestTree.proof(leaves, 4);
        assertEq(lastP.siblings.length, 1);
        portal.finalizeWithdrawal(ws[4], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), lastP);
        portal.finalizeWithdrawal(ws[1], outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), good);
        assertEq(bob.balance, ws[4].amount + ws[1].amount);
    }

    function test_withdrawal_afterOutputBlock_reverts() public {
        vm.deal(address(portal), 1 ether);
        Withdrawal memory w = _withdrawal(9, 0, bob, address(0), 1 ether);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = Hashing.withdrawalLeaf(w);
        uint256 outputIndex = _finalizedOutput(8, TestTree.root(leaves));
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAfterOutput.selector, 9, 8));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), TestTree.proof(leaves, 0));
    }

    function test_withdrawal_moreThanLockedERC20_reverts() public {
        vm.prank(alice);
        portal.depositERC20(address(token), l2Alice, 10);
        token.mint(address(portal), 1000); // donated, not deposited: not withdrawable
        Withdrawal memory w = _withdrawal(2, 0, bob, address(token), 11);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        vm.expectRevert(abi.encodeWithSelector(Portal.InsufficientLocked.selector, address(token), 10, 11));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
    }

    function test_withdrawal_zeroRecipient_reverts() public {
        Withdrawal memory w = _withdrawal(2, 0, address(0), address(0), 1);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        vm.expectRevert(Portal.ZeroL1Recipient.selector);
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
    }

    function test_withdrawal_rejectingRecipient_staysClaimable() public {
        vm.deal(address(portal), 1 ether);
        RejectingRecipient r = new RejectingRecipient();
        Withdrawal memory w = _withdrawal(2, 0, address(r), address(0), 1 ether);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        vm.expectRevert(abi.encodeWithSelector(Portal.EthTransferFailed.selector, address(r), 1 ether));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertFalse(portal.finalizedWithdrawals(Hashing.withdrawalLeaf(w)));
    }

    function test_withdrawal_insufficientEth_reverts() public {
        Withdrawal memory w = _withdrawal(2, 0, bob, address(0), 1 ether);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        vm.expectRevert(abi.encodeWithSelector(Portal.EthTransferFailed.selector, bob, 1 ether));
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
    }

    function test_withdrawal_reentrancy_blocked() public {
        vm.deal(address(portal), 10 ether);
        ReentrantRecipient r = new ReentrantRecipient();
        Withdrawal memory w = _withdrawal(2, 0, address(r), address(0), 1 ether);
        (uint256 outputIndex, WithdrawalProof memory p) = _single(w);
        r.arm(portal, w, outputIndex, STATE_ROOT, BLOCK_HASH, p);
        portal.finalizeWithdrawal(w, outputIndex, STATE_ROOT, BLOCK_HASH, _cursor(), p);
        assertTrue(r.reentered());
        assertEq(r.reentryError(), abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        assertEq(address(r).balance, 1 ether);
        assertEq(address(portal).balance, 9 ether);
    }

    // ------------------------------------------------------------ tree shape

    function test_tree_matchesRustShapes() public view {
        bytes32 a = bytes32(uint256(0x0101010101010101010101010101010101010101010101010101010101010101));
        bytes32 b = bytes32(uint256(0x0202020202020202020202020202020202020202020202020202020202020202));
        bytes32 c = bytes32(uint256(0x0303030303030303030303030303030303030303030303030303030303030303));
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = a;
        leaves[1] = b;
        leaves[2] = c;
        bytes32 ab = keccak256(abi.encodePacked(a, b));
        bytes32 root = keccak256(abi.encodePacked(ab, c));
        assertEq(TestTree.root(leaves), root);
        for (uint256 i; i < 3; ++i) {
            assertEq(portal.computeWithdrawalsRoot(leaves[i], TestTree.proof(leaves, i)), root);
        }
        // A single leaf is its own root, with no siblings.
        assertEq(portal.computeWithdrawalsRoot(a, WithdrawalProof(0, 1, new bytes32[](0))), a);
    }

    function testFuzz_tree_everyLeafProves(bytes32 seed, uint8 count) public pure {
        uint256 n = bound(count, 1, 70);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = keccak256(abi.encode(seed, i));
        }
        bytes32 root = TestTree.root(leaves);
        for (uint256 i; i < n; ++i) {
            assertEq(Hashing.withdrawalsRootFromProof(leaves[i], TestTree.proof(leaves, i)), root);
        }
    }
}
