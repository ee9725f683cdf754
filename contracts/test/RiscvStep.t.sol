// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PreimageOracle} from "../src/fp/PreimageOracle.sol";
import {RiscvStep} from "../src/fp/RiscvStep.sol";
import {RiscvStepFixtures as F} from "./RiscvStepFixtures.sol";
import {Test} from "./utils/Test.sol";

/// @notice Known answers from pillar-fpvm (RiscvStepFixtures.sol) and edge cases built here: one
///         instruction in otherwise empty memory, whose paths are the empty subtrees' roots.
///         The differential test (crates/l1/tests/it/step.rs) compares every step of random
///         programs with the Rust reference.
contract RiscvStepTest is Test {
    RiscvStep internal stepper;
    PreimageOracle internal oracle;

    uint32 internal constant PC = 0x10000;

    function setUp() public {
        oracle = new PreimageOracle();
        stepper = new RiscvStep(oracle);
    }

    // ---- Known answers from the Rust reference.

    function test_knownAnswers() public view {
        assertEq(stepper.step(F.ALU_PRE, F.ALU_PROOF), F.ALU_POST);
        assertEq(stepper.step(F.LOAD_PRE, F.LOAD_PROOF), F.LOAD_POST);
        assertEq(stepper.step(F.STORE_ACROSS_PRE, F.STORE_ACROSS_PROOF), F.STORE_ACROSS_POST);
        assertEq(stepper.step(F.WRITE_PRE, F.WRITE_PROOF), F.WRITE_POST);
    }

    function test_preimageReadKnownAnswer() public {
        bytes32 key = keccak256(F.READ_PREIMAGE);
        key = bytes32((uint256(key) & (type(uint256).max >> 8)) | (uint256(2) << 248));
        // The oracle lacks the part until it is loaded.
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, key));
        stepper.step(F.READ_PRE, F.READ_PROOF);
        assertEq(oracle.loadKeccak256PreimagePart(0, F.READ_PREIMAGE), key);
        assertEq(stepper.step(F.READ_PRE, F.READ_PROOF), F.READ_POST);
        // A part byte flipped (the proof's last 40 bytes are the part and the length).
        bytes memory p = F.READ_PROOF;
        p[p.length - 40] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreimagePartMismatch.selector, key, 0));
        stepper.step(F.READ_PRE, p);
        p = F.READ_PROOF;
        p[p.length - 1] ^= 0x01; // the length
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreimagePartMismatch.selector, key, 0));
        stepper.step(F.READ_PRE, p);
    }

    function test_exitedStateStepsToItself() public view {
        assertEq(F.EXITED_PRE, F.EXITED_POST);
        assertEq(stepper.step(F.EXITED_PRE, F.EXITED_PROOF), F.EXITED_PRE);
        // Status 1: exited with a non-zero code.
        assertEq(uint256(F.EXITED_PRE) >> 248, 1);
    }

    function test_exitedStateWithPreimagePartIsRejected() public {
        bytes memory p = _withPart(F.EXITED_PROOF);
        vm.expectRevert(RiscvStep.UnexpectedPreimagePart.selector);
        stepper.step(F.EXITED_PRE, p);
    }

    // ---- The proof's layout.

    function test_badLengthsAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofTruncated.selector, 1105, 1106));
        stepper.step(F.ALU_PRE, _slice(p, 0, 1105));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1106, 1107));
        stepper.step(F.ALU_PRE, _slice(p, 0, 1106));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1108, 1107));
        stepper.step(F.ALU_PRE, bytes.concat(p, hex"00"));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1108, 1147));
        stepper.step(F.ALU_PRE, bytes.concat(_slice(p, 0, 1106), hex"0100"));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofTruncated.selector, 0, 1106));
        stepper.step(F.ALU_PRE, new bytes(0));
    }

    function test_badCountAndFlagAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[1105] = 0x03;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofDataLeafCount.selector, 3));
        stepper.step(F.ALU_PRE, p);
        p = F.ALU_PROOF;
        p[1106] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofPreimageFlag.selector, 2));
        stepper.step(F.ALU_PRE, p);
    }

    // ---- The pre-state.

    function test_preStateMismatchIsRejected() public {
        bytes32 wrong = F.ALU_PRE ^ bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreStateMismatch.selector, wrong, F.ALU_PRE));
        stepper.step(wrong, F.ALU_PROOF);
    }

    function test_impossibleStatesAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[76] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ExitedFlag.selector, 2));
        stepper.step(F.ALU_PRE, p);
        p = F.ALU_PROOF;
        p[75] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ExitCodeWhileRunning.selector, 1));
        stepper.step(F.ALU_PRE, p);
    }

    // ---- Paths.

    function test_badPathsAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[209 + 32 + 5 * 32] ^= bytes1(0x01); // a sibling of the instruction's leaf
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 0, PC >> 5));
        stepper.step(F.ALU_PRE, p);
        p = F.LOAD_PROOF;
        p[1106 + 31] ^= bytes1(0x80); // the data leaf
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 1, 0x20004 >> 5));
        stepper.step(F.LOAD_PRE, p);
        p = F.STORE_ACROSS_PROOF;
        p[1106 + 896 + 32 + 26 * 32] ^= bytes1(0x01); // the second data leaf's top sibling
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 2, 0x20020 >> 5));
        stepper.step(F.STORE_ACROSS_PRE, p);
    }

    function test_wrongDataLeafCountsAreRejected() public {
        // The store crossing two leaves with its second leaf dropped.
        bytes memory p = bytes.concat(_slice(F.STORE_ACROSS_PROOF, 0, 1106 + 896), hex"00");
        p[1105] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.DataLeafCount.selector, 2, 1));
        stepper.step(F.STORE_ACROSS_PRE, p);
        // An ALU step carrying a data leaf.
        p = bytes.concat(_slice(F.ALU_PROOF, 0, 1106), _slice(F.ALU_PROOF, 209, 1105), hex"00");
        p[1105] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.DataLeafCount.selector, 0, 1));
        stepper.step(F.ALU_PRE, p);
    }

    // ---- Traps and syscalls, one instruction in empty memory.

    function test_trapsHaveNoPostState() public {
        uint32[32] memory regs;
        (bytes32 pre, bytes memory p) = _build(PC, 0x00100073, regs, 0); // ebreak
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.Breakpoint.selector, PC));
        stepper.step(pre, p);
        (pre, p) = _build(PC, 0, regs, 0);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.IllegalInstruction.selector, PC, 0));
        stepper.step(pre, p);
        (pre, p) = _build(PC, 0x0000100f, regs, 0); // fence.i
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.IllegalInstruction.selector, PC, 0x100f));
        stepper.step(pre, p);
        (pre, p) = _build(PC + 2, 0x00000013, regs, 0);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.MisalignedFetch.selector, PC + 2));
        stepper.step(pre, p);
        regs[17] = 62;
        (pre, p) = _build(PC, 0x73, regs, 0);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnsupportedSyscall.selector, PC, 62));
        stepper.step(pre, p);
    }

    function test_preimageReadNeedsAPartTheOracleHas() public {
        uint32[32] memory regs;
        regs[17] = 63;
        regs[10] = 5; // read(5, 0, 0): no data leaf
        (bytes32 pre, bytes memory p) = _build(PC, 0x73, regs, 0);
        vm.expectRevert(RiscvStep.MissingPreimagePart.selector);
        stepper.step(pre, p);
        // The state's key is zero, which no loader can store (byte 0 is a type).
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, bytes32(0)));
        stepper.step(pre, _withPart(p));
    }

    function test_writeCountIsCappedAndBadFdsAreEbadf() public view {
        uint32[32] memory regs;
        regs[17] = 64;
        regs[10] = 2;
        regs[12] = type(uint32).max;
        _expectStep(regs, 10, 1 << 20);
        regs[10] = 4; // a hint
        regs[12] = 77;
        _expectStep(regs, 10, 77);
        regs[10] = 7;
        _expectStep(regs, 10, 0xfffffff7);
        regs[17] = 63;
        regs[10] = 3; // the hint's acknowledgement
        regs[12] = 5;
        _expectStep(regs, 10, 5);
    }

    function test_divisionEdgeCases() public view {
        uint32[32] memory regs;
        regs[1] = 0x80000000;
        regs[2] = 0xffffffff;
        _expectAlu(regs, 0x0220c1b3, 0x80000000); // div x3, x1, x2
        _expectAlu(regs, 0x0220e1b3, 0); // rem x3, x1, x2
        regs[2] = 0;
        _expectAlu(regs, 0x0220c1b3, 0xffffffff); // div by zero
        _expectAlu(regs, 0x0220f1b3, 0x80000000); // remu by zero: the dividend
        regs[1] = 0xfffffff9; // -7
        regs[2] = 2;
        _expectAlu(regs, 0x0220c1b3, 0xfffffffd); // -3: truncates towards zero
        _expectAlu(regs, 0x0220e1b3, 0xffffffff); // -1: the dividend's sign
        _expectAlu(regs, 0x022091b3, 0xffffffff); // mulh: -14 >> 32
    }

    function test_exitSetsTheStatus() public view {
        uint32[32] memory regs;
        regs[17] = 94;
        (bytes32 pre, bytes memory p) = _build(PC, 0x73, regs, 0);
        assertEq(uint256(stepper.step(pre, p)) >> 248, 0); // exit_group(0): the claim holds
        regs[17] = 93;
        regs[10] = 5;
        (pre, p) = _build(PC, 0x73, regs, 0);
        assertEq(uint256(stepper.step(pre, p)) >> 248, 1);
    }

    function test_stepCounterOverflowIsRejected() public {
        uint32[32] memory regs;
        (bytes32 pre, bytes memory p) = _build(PC, 0x00000013, regs, type(uint64).max);
        vm.expectRevert(RiscvStep.StepOverflow.selector);
        stepper.step(pre, p);
    }

    // ---- Gas (docs/fault-proofs.md quotes these: `contracts/test.sh --match-test test_gas -vv`).

    event log_named_uint(string key, uint256 val);

    function test_gasOfStepKinds() public {
        stepper.step(F.EXITED_PRE, F.EXITED_PROOF); // warms the account: every call below pays the same
        _logGas("add", F.ALU_PRE, F.ALU_PROOF, F.ALU_POST);
        _logGas("lw, one leaf", F.LOAD_PRE, F.LOAD_PROOF, F.LOAD_POST);
        _logGas("sw across two leaves", F.STORE_ACROSS_PRE, F.STORE_ACROSS_PROOF, F.STORE_ACROSS_POST);
        _logGas("ecall write(1)", F.WRITE_PRE, F.WRITE_PROOF, F.WRITE_POST);
        oracle.loadKeccak256PreimagePart(0, F.READ_PREIMAGE);
        // The oracle's account and slots are cold for the step, as in a step transaction.
        _logGas("ecall read(5), 29 bytes", F.READ_PRE, F.READ_PROOF, F.READ_POST);
    }

    /// @dev The gas of the external call from the caller's side: the callee's execution, a warm
    ///      call and its calldata copy; not the transaction's 21,000 and calldata.
    function _logGas(string memory what, bytes32 pre, bytes memory proof, bytes32 post) internal {
        uint256 before = gasleft();
        bytes32 got = stepper.step(pre, proof);
        uint256 used = before - gasleft();
        assertEq(got, post);
        // A regression that doubles a step's cost should be seen.
        assertTrue(used < 60_000);
        emit log_named_uint(what, used);
    }

    // ---- Helpers.

    /// @dev Steps the `ecall` at PC with `regs` and requires register `r` to become `v`.
    function _expectStep(uint32[32] memory regs, uint256 r, uint32 v) internal view {
        _expectWord(regs, 0x73, r, v);
    }

    function _expectAlu(uint32[32] memory regs, uint32 word, uint32 v) internal view {
        _expectWord(regs, word, 3, v);
    }

    function _expectWord(uint32[32] memory regs, uint32 word, uint256 r, uint32 v) internal view {
        (bytes32 pre, bytes memory p) = _build(PC, word, regs, 0);
        bytes32 root = bytes32(_slice(p, 0, 32));
        uint32[32] memory post;
        for (uint256 i = 0; i < 32; i++) {
            post[i] = regs[i];
        }
        post[r] = v;
        assertEq(stepper.step(pre, p), _hashRunning(_state(root, PC + 4, post, 1)));
    }

    function _zeros() internal pure returns (bytes32[27] memory z) {
        for (uint256 h = 1; h < 27; h++) {
            z[h] = keccak256(abi.encodePacked(z[h - 1], z[h - 1]));
        }
    }

    function _state(bytes32 root, uint32 pc, uint32[32] memory regs, uint64 steps)
        internal
        pure
        returns (bytes memory st)
    {
        st = abi.encodePacked(root, bytes32(0), uint32(0), pc, uint32(0), uint8(0), steps);
        for (uint256 i = 1; i < 32; i++) {
            st = bytes.concat(st, bytes4(regs[i]));
        }
    }

    function _hashRunning(bytes memory st) internal pure returns (bytes32) {
        return bytes32((uint256(keccak256(st)) & (type(uint256).max >> 8)) | (uint256(3) << 248));
    }

    /// @dev A running state whose memory is `word` at `pc` and zero elsewhere, and the proof of its
    ///      step (no data leaves: only for instructions that touch no memory).
    function _build(uint32 pc, uint32 word, uint32[32] memory regs, uint64 steps)
        internal
        pure
        returns (bytes32 pre, bytes memory proof)
    {
        uint256 off = pc & 31 & ~uint256(3);
        uint256 le = (word & 0xff) << 24 | (word >> 8 & 0xff) << 16 | (word >> 16 & 0xff) << 8 | word >> 24;
        bytes32 leaf = bytes32(le << (224 - 8 * off));
        bytes32[27] memory z = _zeros();
        bytes32 node = leaf;
        for (uint256 l = 0; l < 27; l++) {
            node = (pc >> (5 + l)) & 1 == 0
                ? keccak256(abi.encodePacked(node, z[l]))
                : keccak256(abi.encodePacked(z[l], node));
        }
        bytes memory st = _state(node, pc, regs, steps);
        pre = _hashRunning(st);
        proof = bytes.concat(st, leaf, abi.encodePacked(z), hex"0000");
    }

    function _withPart(bytes memory p) internal pure returns (bytes memory) {
        bytes memory q = bytes.concat(p, new bytes(40));
        q[p.length - 1] = 0x01;
        return q;
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; i++) {
            out[i - from] = b[i];
        }
    }
}
