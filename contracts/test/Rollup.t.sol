// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {Output} from "../src/interfaces/IOutputOracle.sol";
import {BatchContext, DerivationCursor, Hashing} from "../src/lib/Hashing.sol";
import {IQueue} from "../src/interfaces/IQueue.sol";
import {Batch, Rollup} from "../src/Rollup.sol";
import {Test} from "./utils/Test.sol";

contract RollupTest is Test {
    event BatchAppended(
        uint256 indexed index,
        bytes32 indexed batchHash,
        address indexed submitter,
        bytes32 prevBatchHash,
        uint64 firstBlock,
        uint64 lastBlock,
        uint8 kind,
        bytes32 dataCommitment,
        bytes32[] blobHashes,
        BatchContext context
    );
    event PortalSet(address indexed portal);
    event CalldataBatchPayload(uint256 indexed index, bytes data);
    event OutputProposed(uint256 indexed index, uint64 indexed l2Block, bytes32 outputRoot, uint64 finalizesAt);
    event OutputsInvalidated(uint256 indexed fromIndex, uint256 previousCount, address indexed by);
    event SequencerUpdated(address indexed previous, address indexed current);
    event ProposerUpdated(address indexed previous, address indexed current);
    event GuardianUpdated(address indexed previous, address indexed current);
    event ChallengerUpdated(address indexed previous, address indexed current);
    event ChallengeWindowUpdated(uint64 previous, uint64 current);
    event InclusionDeadlineUpdated(uint64 previous, uint64 current);
    event InactivityWindowUpdated(uint64 previous, uint64 current);

    uint64 constant CHAIN_ID = 424242;
    uint64 constant CHALLENGE = 7 days;
    uint64 constant INCLUSION = 1 days;
    uint64 constant INACTIVITY = 2 days;
    uint256 constant START = 1_800_000_000;
    /// The L1 block proposals are anchored to, and its hash.
    uint64 constant ANCHOR = 1000;
    bytes32 constant ANCHOR_HASH = keccak256("l1 block 1000");

    address owner = makeAddr("owner");
    address sequencer = makeAddr("sequencer");
    address proposer = makeAddr("proposer");
    address guardian = makeAddr("guardian");
    address alice = makeAddr("alice");

    Rollup rollup;

    function setUp() public {
        vm.warp(START);
        // Proposals name an L1 block whose hash the Rollup checks with blockhash.
        vm.roll(ANCHOR + 1);
        vm.setBlockhash(ANCHOR, ANCHOR_HASH);
        rollup = new Rollup(owner, CHAIN_ID, CHALLENGE, INCLUSION, INACTIVITY, sequencer, proposer, guardian);
    }

    // ------------------------------------------------------------ helpers

    /// The context an entry appended now commits to, with the Rollup's queue (none by default).
    function _ctx() internal view returns (BatchContext memory) {
        return BatchContext(uint64(block.number), uint64(block.timestamp), 0, bytes32(0), INCLUSION);
    }

    function _calldataBatch(address from, uint64 first, uint64 last) internal returns (bytes32) {
        bytes32 prev = rollup.lastBatchHash();
        vm.prank(from);
        return rollup.appendCalldataBatch(first, last, prev, abi.encodePacked("batch", first, last));
    }

    function _nextBatch(uint64 blocks) internal returns (bytes32) {
        uint64 first = rollup.lastBatchBlock() + 1;
        return _calldataBatch(sequencer, first, first + blocks - 1);
    }

    function _propose(uint64 l2Block) internal returns (uint256) {
        vm.prank(proposer);
        return rollup.proposeOutput(l2Block, keccak256(abi.encode("output", l2Block)), ANCHOR, ANCHOR_HASH);
    }

    function _oneBlob(bytes32 h) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](1);
        hashes[0] = h;
    }

    // ------------------------------------------------------------ config and roles

    function test_constructor_setsConfigAndRoles() public view {
        assertEq(rollup.owner(), owner);
        assertEq(rollup.l2ChainId(), CHAIN_ID);
        assertEq(rollup.challengeWindow(), CHALLENGE);
        assertEq(rollup.inclusionDeadline(), INCLUSION);
        assertEq(rollup.inactivityWindow(), INACTIVITY);
        assertEq(rollup.sequencer(), sequencer);
        assertEq(rollup.proposer(), proposer);
        assertEq(rollup.guardian(), guardian);
        assertEq(rollup.challenger(), address(0));
        assertEq(rollup.batchCount(), 0);
        assertEq(rollup.lastBatchHash(), bytes32(0));
        assertEq(rollup.lastBatchBlock(), 0);
        assertEq(rollup.lastSequencerBatchTimestamp(), START);
        assertEq(rollup.outputCount(), 0);
    }

    function test_constructor_rejectsBadConfig() public {
        vm.expectRevert(Rollup.InvalidChainId.selector);
        new Rollup(owner, 0, CHALLENGE, INCLUSION, INACTIVITY, sequencer, proposer, guardian);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(owner, CHAIN_ID, CHALLENGE, INCLUSION, INACTIVITY, address(0), proposer, guardian);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(owner, CHAIN_ID, CHALLENGE, INCLUSION, INACTIVITY, sequencer, address(0), guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 0, 1, 365 days));
        new Rollup(owner, CHAIN_ID, CHALLENGE, INCLUSION, 0, sequencer, proposer, guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 0, 1, 1 days));
        new Rollup(owner, CHAIN_ID, CHALLENGE, 0, INACTIVITY, sequencer, proposer, guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 2 days, 1, 1 days));
        new Rollup(owner, CHAIN_ID, CHALLENGE, 2 days, INACTIVITY, sequencer, proposer, guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 366 days, 0, 365 days));
        new Rollup(owner, CHAIN_ID, 366 days, INCLUSION, INACTIVITY, sequencer, proposer, guardian);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new Rollup(address(0), CHAIN_ID, CHALLENGE, INCLUSION, INACTIVITY, sequencer, proposer, guardian);
    }

    function test_owner_updatesRolesWithEvents() public {
        address next = makeAddr("next");
        vm.startPrank(owner);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit SequencerUpdated(sequencer, next);
        rollup.setSequencer(next);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit ProposerUpdated(proposer, next);
        rollup.setProposer(next);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit GuardianUpdated(guardian, address(0));
        rollup.setGuardian(address(0));
        vm.expectEmit(true, true, true, true, address(rollup));
        emit ChallengerUpdated(address(0), next);
        rollup.setChallenger(next);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit ChallengeWindowUpdated(CHALLENGE, 1 hours);
        rollup.setChallengeWindow(1 hours);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit InclusionDeadlineUpdated(INCLUSION, 2 hours);
        rollup.setInclusionDeadline(2 hours);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit InactivityWindowUpdated(INACTIVITY, 3 hours);
        rollup.setInactivityWindow(3 hours);

        vm.expectRevert(Rollup.ZeroAddress.selector);
        rollup.setSequencer(address(0));
        vm.expectRevert(Rollup.ZeroAddress.selector);
        rollup.setProposer(address(0));
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 0, 1, 365 days));
        rollup.setInactivityWindow(0);
        vm.stopPrank();

        assertEq(rollup.sequencer(), next);
        assertEq(rollup.proposer(), next);
        assertEq(rollup.guardian(), address(0));
        assertEq(rollup.challenger(), next);
        assertEq(rollup.challengeWindow(), 1 hours);
        assertEq(rollup.inclusionDeadline(), 2 hours);
        assertEq(rollup.inactivityWindow(), 3 hours);
    }

    function testFuzz_setters_onlyOwner(address caller) public {
        vm.assume(caller != owner);
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);
        vm.startPrank(caller);
        vm.expectRevert(err);
        rollup.setSequencer(caller);
        vm.expectRevert(err);
        rollup.setProposer(caller);
        vm.expectRevert(err);
        rollup.setGuardian(caller);
        vm.expectRevert(err);
        rollup.setChallenger(caller);
        vm.expectRevert(err);
        rollup.setChallengeWindow(1);
        vm.expectRevert(err);
        rollup.setInclusionDeadline(1);
        vm.expectRevert(err);
        rollup.setInactivityWindow(1);
        vm.stopPrank();
    }

    function test_inclusionDeadlineIsAtMostADay() public {
        vm.startPrank(owner);
        rollup.setInclusionDeadline(1 days);
        assertEq(rollup.inclusionDeadline(), 1 days);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidWindow.selector, 1 days + 1, 1, 1 days));
        rollup.setInclusionDeadline(1 days + 1);
        vm.stopPrank();
    }

    function test_ownership_transfersInTwoSteps() public {
        address next = makeAddr("nextOwner");
        vm.prank(owner);
        rollup.transferOwnership(next);
        assertEq(rollup.owner(), owner);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        rollup.acceptOwnership();
        vm.prank(next);
        rollup.acceptOwnership();
        assertEq(rollup.owner(), next);
    }

    // ------------------------------------------------------------ batches

    function test_appendCalldataBatch_recordsAndEmits() public {
        bytes memory data = hex"01deadbeef";
        bytes32 expected = Hashing.batchHash(bytes32(0), 1, 10, 1, keccak256(data), _ctx());
        vm.expectEmit(true, true, true, true, address(rollup));
        emit BatchAppended(0, expected, sequencer, bytes32(0), 1, 10, 1, keccak256(data), new bytes32[](0), _ctx());
        vm.expectEmit(true, true, true, true, address(rollup));
        emit CalldataBatchPayload(0, data);
        vm.prank(sequencer);
        bytes32 got = rollup.appendCalldataBatch(1, 10, bytes32(0), data);
        assertEq(got, expected);
        assertEq(
            expected,
            keccak256(
                abi.encode(
                    bytes32(0),
                    uint64(1),
                    uint64(10),
                    uint8(1),
                    keccak256(data),
                    uint64(ANCHOR + 1),
                    uint64(START),
                    uint64(0),
                    bytes32(0),
                    INCLUSION
                )
            )
        );
        assertEq(rollup.batchCount(), 1);
        assertEq(rollup.lastBatchHash(), expected);
        assertEq(rollup.lastBatchBlock(), 10);
        Batch memory b = rollup.getBatch(0);
        assertEq(b.batchHash, expected);
        assertEq(b.firstBlock, 1);
        assertEq(b.lastBlock, 10);
        assertEq(b.timestamp, START);
        assertEq(b.l1Block, ANCHOR + 1);
    }

    function test_appendBlobBatch_readsVersionedHashes() public {
        bytes32[] memory hashes = new bytes32[](3);
        hashes[0] = bytes32(uint256(0x01) << 248 | 1);
        hashes[1] = bytes32(uint256(0x01) << 248 | 2);
        hashes[2] = bytes32(uint256(0x01) << 248 | 3);
        vm.blobhashes(hashes);
        bytes32 commitment = keccak256(abi.encodePacked(hashes[0], hashes[1], hashes[2]));
        bytes32 expected = Hashing.batchHash(bytes32(0), 1, 5, 0, commitment, _ctx());
        vm.expectEmit(true, true, true, true, address(rollup));
        emit BatchAppended(0, expected, sequencer, bytes32(0), 1, 5, 0, commitment, hashes, _ctx());
        vm.prank(sequencer);
        assertEq(rollup.appendBlobBatch(1, 5, bytes32(0)), expected);

        // The next batch links to it.
        vm.blobhashes(_oneBlob(bytes32(uint256(0x01) << 248 | 4)));
        bytes32 commitment2 = keccak256(abi.encodePacked(bytes32(uint256(0x01) << 248 | 4)));
        vm.prank(sequencer);
        bytes32 second = rollup.appendBlobBatch(6, 6, expected);
        assertEq(second, Hashing.batchHash(expected, 6, 6, 0, commitment2, _ctx()));
        assertEq(rollup.batchCount(), 2);
        assertEq(rollup.lastBatchBlock(), 6);
    }

    function test_appendBlobBatch_withoutBlobs_reverts() public {
        vm.prank(sequencer);
        vm.expectRevert(Rollup.NoBlobs.selector);
        rollup.appendBlobBatch(1, 1, bytes32(0));
    }

    function test_appendCalldataBatch_empty_reverts() public {
        vm.prank(sequencer);
        vm.expectRevert(Rollup.EmptyBatch.selector);
        rollup.appendCalldataBatch(1, 1, bytes32(0), "");
    }

    function testFuzz_append_wrongPrevBatchHash_reverts(bytes32 wrong) public {
        bytes32 head = _nextBatch(3);
        vm.assume(wrong != head);
        vm.warp(START + INACTIVITY + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Rollup.WrongPrevBatchHash.selector, head, wrong));
        rollup.appendCalldataBatch(4, 4, wrong, hex"01");
        vm.blobhashes(_oneBlob(bytes32(uint256(1))));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Rollup.WrongPrevBatchHash.selector, head, wrong));
        rollup.appendBlobBatch(4, 4, wrong);
    }

    /// While the escape hatch is open anyone could slip a batch in ahead of each of the
    /// sequencer's: its append must still land (and close the hatch), whatever the hash chain says.
    function testFuzz_sequencer_append_cannot_be_frontrun(bytes32 stale) public {
        _nextBatch(3);
        vm.warp(block.timestamp + INACTIVITY);
        vm.prank(alice);
        rollup.appendCalldataBatch(4, type(uint64).max, rollup.lastBatchHash(), hex"dead");
        bytes32 head = rollup.lastBatchHash();
        vm.prank(sequencer);
        bytes32 h = rollup.appendCalldataBatch(4, 4, stale, hex"01");
        assertEq(h, Hashing.batchHash(head, 4, 4, Hashing.BATCH_KIND_CALLDATA, keccak256(hex"01"), _ctx()));
        assertEq(rollup.lastBatchHash(), h);
        assertFalse(rollup.canAppend(alice));
    }

    /// A garbage batch claiming a low last block does not lower the proposer's bound.
    function test_garbage_low_claim_does_not_block_outputs() public {
        _nextBatch(10);
        vm.warp(block.timestamp + INACTIVITY);
        vm.prank(alice);
        rollup.appendCalldataBatch(1, 1, rollup.lastBatchHash(), hex"dead");
        assertEq(rollup.lastBatchBlock(), 1);
        assertEq(rollup.highestBatchBlock(), 10);
        vm.prank(proposer);
        rollup.proposeOutput(10, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function testFuzz_append_wrongRange_reverts(uint64 first, uint64 last) public {
        bytes32 head = _nextBatch(5); // blocks 1..5
        vm.assume(first == 0 || last < first);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.WrongBlockRange.selector, first, last));
        rollup.appendCalldataBatch(first, last, head, hex"01");
    }

    function testFuzz_append_rangeMayRestartOrJump(uint64 first, uint64 len) public {
        bytes32 head = _nextBatch(5); // blocks 1..5
        first = uint64(bound(first, 1, 1_000_000));
        uint64 last = first + uint64(bound(len, 0, 1000));
        vm.prank(sequencer);
        rollup.appendCalldataBatch(first, last, head, hex"01");
        assertEq(rollup.lastBatchBlock(), last);
        Batch memory b = rollup.getBatch(1);
        assertEq(b.firstBlock, first);
        assertEq(b.lastBlock, last);
    }

    function testFuzz_append_rangesChain(uint8[8] memory sizes) public {
        uint64 expectedLast;
        for (uint256 i; i < sizes.length; ++i) {
            uint64 n = uint64(bound(sizes[i], 1, 50));
            _nextBatch(n);
            expectedLast += n;
            assertEq(rollup.lastBatchBlock(), expectedLast);
            Batch memory b = rollup.getBatch(i);
            assertEq(b.firstBlock, expectedLast - n + 1);
            assertEq(b.lastBlock, expectedLast);
        }
        assertEq(rollup.batchCount(), sizes.length);
    }

    // ------------------------------------------------------------ entry context and force entries

    /// Every entry commits to the Portal's queue at the time of the append, and to the deadline
    /// in force then.
    function test_entries_commit_the_queue_and_deadline_of_their_time() public {
        QueueStub queue = new QueueStub();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        rollup.setPortal(IQueue(address(queue)));
        vm.prank(owner);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        rollup.setPortal(IQueue(address(0)));
        vm.expectEmit(true, true, true, true, address(rollup));
        emit PortalSet(address(queue));
        vm.prank(owner);
        rollup.setPortal(IQueue(address(queue)));
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(Rollup.PortalAlreadySet.selector, address(queue)));
        rollup.setPortal(IQueue(address(1)));

        queue.set(7, keccak256("head"));
        vm.prank(owner);
        rollup.setInclusionDeadline(3600);
        vm.roll(ANCHOR + 5);
        vm.warp(START + 60);
        BatchContext memory ctx = BatchContext(ANCHOR + 5, uint64(START + 60), 7, keccak256("head"), 3600);
        assertEq(abi.encode(rollup.currentContext()), abi.encode(ctx));
        vm.prank(sequencer);
        bytes32 h = rollup.appendCalldataBatch(1, 1, bytes32(0), hex"01");
        assertEq(h, Hashing.batchHash(bytes32(0), 1, 1, 1, keccak256(hex"01"), ctx));
        assertEq(rollup.getBatch(0).l1Block, ANCHOR + 5);
    }

    /// Anyone may append a force entry, at any time, once per L1 block; it links to the head,
    /// commits the L1 facts and claims no blocks.
    function test_forceInclusion_is_permissionless_once_per_block() public {
        bytes32 head = _nextBatch(3);
        vm.roll(ANCHOR + 9);
        vm.warp(START + 100);
        bytes32 expected = Hashing.batchHash(head, 0, 0, Hashing.BATCH_KIND_FORCE, bytes32(0), _ctx());
        vm.expectEmit(true, true, true, true, address(rollup));
        emit BatchAppended(1, expected, alice, head, 0, 0, 2, bytes32(0), new bytes32[](0), _ctx());
        vm.prank(alice);
        assertEq(rollup.forceInclusion(), expected);
        assertEq(rollup.lastBatchHash(), expected);
        assertEq(rollup.batchCount(), 2);
        // It claims nothing and does not count as sequencer activity.
        assertEq(rollup.lastBatchBlock(), 3);
        assertEq(rollup.highestBatchBlock(), 3);
        assertFalse(rollup.canAppend(alice));
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.AlreadyForcedThisBlock.selector, ANCHOR + 9));
        rollup.forceInclusion();
        vm.roll(ANCHOR + 10);
        vm.prank(sequencer);
        rollup.forceInclusion();
        // The sequencer's next batch links after the force entries.
        bytes32 last = rollup.lastBatchHash();
        vm.prank(sequencer);
        assertEq(
            rollup.appendCalldataBatch(4, 4, bytes32(0), hex"01"),
            Hashing.batchHash(last, 4, 4, 1, keccak256(hex"01"), _ctx())
        );
    }

    function test_getBatch_outOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 0, 0));
        rollup.getBatch(0);
    }

    function testFuzz_append_onlySequencerBeforeWindow(address caller, uint256 elapsed) public {
        vm.assume(caller != sequencer);
        elapsed = bound(elapsed, 0, INACTIVITY - 1);
        vm.warp(START + elapsed);
        assertFalse(rollup.canAppend(caller));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, caller, START + INACTIVITY));
        rollup.appendCalldataBatch(1, 1, bytes32(0), hex"01");
        vm.blobhashes(_oneBlob(bytes32(uint256(1))));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, caller, START + INACTIVITY));
        rollup.appendBlobBatch(1, 1, bytes32(0));
    }

    function testFuzz_escapeHatch_opensAfterWindowAndStaysOpen(address caller, uint256 extra) public {
        vm.assume(caller != sequencer && caller != address(0));
        extra = bound(extra, 0, 365 days);
        // The sequencer posts, then goes silent.
        vm.warp(START + 100);
        _nextBatch(2);
        uint64 opensAt = uint64(START + 100 + INACTIVITY);
        assertEq(rollup.escapeHatchOpensAt(), opensAt);

        vm.warp(opensAt - 1);
        assertFalse(rollup.canAppend(caller));
        bytes32 head = rollup.lastBatchHash();
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, caller, opensAt));
        rollup.appendCalldataBatch(3, 3, head, hex"01");

        vm.warp(opensAt + extra);
        assertTrue(rollup.canAppend(caller));
        _calldataBatch(caller, 3, 4);
        // Still open: a non-sequencer batch does not restart the window.
        assertTrue(rollup.canAppend(caller));
        _calldataBatch(caller, 5, 5);
        assertEq(rollup.lastBatchBlock(), 5);
        assertEq(rollup.escapeHatchOpensAt(), opensAt);

        // The sequencer comes back: the hatch closes for another window.
        _nextBatch(1);
        assertFalse(rollup.canAppend(caller));
        assertEq(rollup.escapeHatchOpensAt(), uint64(block.timestamp) + INACTIVITY);
    }

    function test_escapeHatch_beforeAnyBatch_countsFromDeployment() public {
        vm.warp(START + INACTIVITY - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, alice, START + INACTIVITY));
        rollup.appendCalldataBatch(1, 1, bytes32(0), hex"01");
        vm.warp(START + INACTIVITY);
        vm.blobhashes(_oneBlob(bytes32(uint256(7))));
        vm.prank(alice);
        rollup.appendBlobBatch(1, 1, bytes32(0));
        assertEq(rollup.batchCount(), 1);
    }

    function test_escapeHatch_stillChecksLinkAndRange() public {
        vm.warp(START + INACTIVITY);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Rollup.WrongBlockRange.selector, 0, 0));
        rollup.appendCalldataBatch(0, 0, bytes32(0), hex"01");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Rollup.WrongPrevBatchHash.selector, bytes32(0), bytes32(uint256(1))));
        rollup.appendCalldataBatch(1, 1, bytes32(uint256(1)), hex"01");
    }

    // ------------------------------------------------------------ outputs

    function test_proposeOutput_recordsAndEmits() public {
        _nextBatch(10);
        bytes32 root = rollup.computeOutputRoot(
            bytes32(uint256(1)), bytes32(uint256(2)), bytes32(uint256(3)), DerivationCursor(bytes32(uint256(4)), 0)
        );
        vm.expectEmit(true, true, true, true, address(rollup));
        emit OutputProposed(0, 10, root, uint64(START + CHALLENGE));
        vm.prank(proposer);
        assertEq(rollup.proposeOutput(10, root, ANCHOR, ANCHOR_HASH), 0);
        Output memory o = rollup.getOutput(0);
        assertEq(o.outputRoot, root);
        assertEq(o.l2Block, 10);
        assertEq(o.proposedAt, START);
        assertEq(o.finalizesAt, START + CHALLENGE);
        (uint256 idx, Output memory latest) = rollup.latestOutput();
        assertEq(idx, 0);
        assertEq(latest.outputRoot, root);
    }

    function testFuzz_proposeOutput_onlyProposer(address caller) public {
        vm.assume(caller != proposer);
        _nextBatch(10);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotProposer.selector, caller));
        rollup.proposeOutput(5, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function testFuzz_proposeOutput_beyondBatches_reverts(uint64 l2Block) public {
        _nextBatch(10);
        l2Block = uint64(bound(l2Block, 11, type(uint64).max));
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputBeyondBatches.selector, l2Block, 10));
        rollup.proposeOutput(l2Block, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function test_proposeOutput_beforeAnyBatch_reverts() public {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputBeyondBatches.selector, 1, 0));
        rollup.proposeOutput(1, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function testFuzz_proposeOutput_mustIncrease(uint64 l2Block) public {
        _nextBatch(20);
        _propose(10);
        l2Block = uint64(bound(l2Block, 0, 10));
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotIncreasing.selector, l2Block, 10));
        rollup.proposeOutput(l2Block, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function test_proposeOutput_genesisAndZeroRoot_revert() public {
        _nextBatch(5);
        vm.startPrank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotIncreasing.selector, 0, 0));
        rollup.proposeOutput(0, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
        vm.expectRevert(Rollup.ZeroOutputRoot.selector);
        rollup.proposeOutput(1, bytes32(0), ANCHOR, ANCHOR_HASH);
        vm.stopPrank();
    }

    function testFuzz_proposeOutput_wrongAnchorHash_reverts(bytes32 seen) public {
        vm.assume(seen != ANCHOR_HASH);
        _nextBatch(5);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1AnchorMismatch.selector, ANCHOR, seen, ANCHOR_HASH));
        rollup.proposeOutput(5, bytes32(uint256(1)), ANCHOR, seen);
    }

    function test_proposeOutput_anchorReplacedByReorg_reverts() public {
        // The proposer derived from L1 block ANCHOR; a reorg then replaced it.
        _nextBatch(5);
        bytes32 replaced = keccak256("the block a reorg put in place of ANCHOR");
        vm.setBlockhash(ANCHOR, replaced);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1AnchorMismatch.selector, ANCHOR, ANCHOR_HASH, replaced));
        rollup.proposeOutput(5, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH);
    }

    function testFuzz_proposeOutput_anchorOutsideBlockhashWindow_reverts(uint64 number) public {
        // blockhash sees only the 256 blocks before the current one; the anchor must be among them.
        _nextBatch(5);
        vm.roll(ANCHOR + 257);
        uint64 here = ANCHOR + 257;
        number = uint64(bound(number, 0, type(uint64).max));
        vm.assume(number >= here || number + 256 < here);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1AnchorMismatch.selector, number, ANCHOR_HASH, bytes32(0)));
        rollup.proposeOutput(5, bytes32(uint256(1)), number, ANCHOR_HASH);
    }

    function test_proposeOutput_anchorWithin256Blocks_accepted() public {
        _nextBatch(5);
        vm.roll(ANCHOR + 256);
        vm.prank(proposer);
        assertEq(rollup.proposeOutput(5, bytes32(uint256(1)), ANCHOR, ANCHOR_HASH), 0);
    }

    function testFuzz_finalization_afterChallengeWindow(uint256 wait) public {
        _nextBatch(5);
        _propose(5);
        wait = bound(wait, 0, 3 * CHALLENGE);
        vm.warp(START + wait);
        assertEq(rollup.isFinalized(0), wait >= CHALLENGE);
        assertFalse(rollup.isFinalized(1));
    }

    function test_finalization_monotoneWhenWindowShrinks() public {
        _nextBatch(5);
        _propose(1);
        vm.prank(owner);
        rollup.setChallengeWindow(1 hours);
        vm.warp(START + 10);
        _propose(2);
        assertEq(rollup.getOutput(1).finalizesAt, START + CHALLENGE);
        vm.warp(START + 2 hours);
        assertFalse(rollup.isFinalized(1));
        vm.warp(START + CHALLENGE);
        assertTrue(rollup.isFinalized(0));
        assertTrue(rollup.isFinalized(1));
        // A later output with a short window finalizes on its own schedule.
        _propose(3);
        assertEq(rollup.getOutput(2).finalizesAt, START + CHALLENGE + 1 hours);
    }

    function test_getOutput_missing_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 0, 0));
        rollup.getOutput(0);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 0, 0));
        rollup.latestOutput();
    }

    function test_computeOutputRoot_matchesEncoding() public view {
        bytes32 s = keccak256("state");
        bytes32 w = keccak256("withdrawals");
        bytes32 b = keccak256("block");
        bytes32 e = keccak256("entry");
        assertEq(
            rollup.computeOutputRoot(s, w, b, DerivationCursor(e, 1)),
            keccak256(abi.encode(uint256(1), s, w, b, e, uint8(1)))
        );
    }

    // ------------------------------------------------------------ invalidation

    function test_invalidate_dropsOutputAndLaterOnes() public {
        _nextBatch(30);
        _propose(10);
        _propose(20);
        _propose(30);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit OutputsInvalidated(1, 3, guardian);
        vm.prank(guardian);
        rollup.invalidateOutput(1);
        assertEq(rollup.outputCount(), 1);
        assertFalse(rollup.isFinalized(1));
        assertFalse(rollup.isFinalized(2));
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 1, 1));
        rollup.getOutput(1);
        vm.warp(START + CHALLENGE);
        assertTrue(rollup.isFinalized(0));
        assertFalse(rollup.isFinalized(1));
        assertFalse(rollup.isFinalized(2));

        // The proposer re-proposes from there, even for an earlier block than the dropped ones.
        uint256 idx = _propose(15);
        assertEq(idx, 1);
        assertEq(rollup.getOutput(1).l2Block, 15);
        assertEq(rollup.getOutput(1).finalizesAt, START + 2 * CHALLENGE);
    }

    function test_invalidate_byChallengerContract() public {
        address game = makeAddr("disputeGame");
        vm.prank(owner);
        rollup.setChallenger(game);
        _nextBatch(5);
        _propose(5);
        vm.prank(game);
        rollup.invalidateOutput(0);
        assertEq(rollup.outputCount(), 0);
    }

    function testFuzz_invalidate_onlyGuardianOrChallenger(address caller) public {
        vm.assume(caller != guardian);
        _nextBatch(5);
        _propose(5);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotChallenger.selector, caller));
        rollup.invalidateOutput(0);
    }

    function test_invalidate_zeroAddressIsNoRole() public {
        // Guardian removed and no challenger: the zero address must not count as either.
        vm.prank(owner);
        rollup.setGuardian(address(0));
        _nextBatch(5);
        _propose(5);
        vm.prank(address(0));
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotChallenger.selector, address(0)));
        rollup.invalidateOutput(0);
    }

    function test_invalidate_removedGuardianCannot() public {
        _nextBatch(5);
        _propose(5);
        vm.prank(owner);
        rollup.setGuardian(address(0));
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotChallenger.selector, guardian));
        rollup.invalidateOutput(0);
    }

    function testFuzz_invalidate_finalizedOutput_reverts(uint256 wait) public {
        _nextBatch(5);
        _propose(5);
        wait = bound(wait, CHALLENGE, 10 * CHALLENGE);
        vm.warp(START + wait);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputAlreadyFinalized.selector, 0, START + CHALLENGE));
        rollup.invalidateOutput(0);
    }

    function test_invalidate_missingOutput_reverts() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 0, 0));
        rollup.invalidateOutput(0);
        _nextBatch(5);
        _propose(5);
        vm.prank(guardian);
        rollup.invalidateOutput(0);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 0, 0));
        rollup.invalidateOutput(0);
    }
}

/// A stand-in queue whose length and head the test sets.
contract QueueStub is IQueue {
    uint64 public queueLength;
    bytes32 public lastQueueHash;

    function set(uint64 length, bytes32 head) external {
        queueLength = length;
        lastQueueHash = head;
    }
}
