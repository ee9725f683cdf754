// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PreimageKeyLib} from "../src/fp/PreimageKeyLib.sol";
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
    /// @dev The local context every step here is given (a game would pass its own).
    bytes32 internal constant CTX = keccak256("RiscvStepTest");

    function setUp() public {
        oracle = new PreimageOracle();
        stepper = new RiscvStep(oracle);
    }

    // ---- Known answers from the Rust reference.

    function test_knownAnswers() public view {
        assertEq(stepper.step(F.ALU_PRE, F.ALU_PROOF, CTX), F.ALU_POST);
        assertEq(stepper.step(F.LOAD_PRE, F.LOAD_PROOF, CTX), F.LOAD_POST);
        assertEq(stepper.step(F.STORE_ACROSS_PRE, F.STORE_ACROSS_PROOF, CTX), F.STORE_ACROSS_POST);
        assertEq(stepper.step(F.WRITE_PRE, F.WRITE_PROOF, CTX), F.WRITE_POST);
        // A trap exits with 132 (SIGILL): status 1.
        assertEq(stepper.step(F.TRAP_PRE, F.TRAP_PROOF, CTX), F.TRAP_POST);
        assertEq(uint256(F.TRAP_POST) >> 248, 1);
    }

    function test_preimageReadKnownAnswer() public {
        bytes32 key = keccak256(F.READ_PREIMAGE);
        key = bytes32((uint256(key) & (type(uint256).max >> 8)) | (uint256(2) << 248));
        // The oracle lacks the part until it is loaded.
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, key));
        stepper.step(F.READ_PRE, F.READ_PROOF, CTX);
        assertEq(oracle.loadKeccak256PreimagePart(0, F.READ_PREIMAGE), key);
        assertEq(stepper.step(F.READ_PRE, F.READ_PROOF, CTX), F.READ_POST);
        // A part byte flipped (the proof's last 40 bytes are the part and the length).
        bytes memory p = F.READ_PROOF;
        p[p.length - 40] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreimagePartMismatch.selector, key, 0));
        stepper.step(F.READ_PRE, p, CTX);
        p = F.READ_PROOF;
        p[p.length - 1] ^= 0x01; // the length
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreimagePartMismatch.selector, key, 0));
        stepper.step(F.READ_PRE, p, CTX);
    }

    function test_exitedStateStepsToItself() public view {
        assertEq(F.EXITED_PRE, F.EXITED_POST);
        assertEq(stepper.step(F.EXITED_PRE, F.EXITED_PROOF, CTX), F.EXITED_PRE);
        // Status 1: exited with a non-zero code.
        assertEq(uint256(F.EXITED_PRE) >> 248, 1);
    }

    function test_exitedStateWithPreimagePartIsRejected() public {
        bytes memory p = _withPart(F.EXITED_PROOF);
        vm.expectRevert(RiscvStep.UnexpectedPreimagePart.selector);
        stepper.step(F.EXITED_PRE, p, CTX);
    }

    // ---- The proof's layout.

    function test_badLengthsAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofTruncated.selector, 1105, 1106));
        stepper.step(F.ALU_PRE, _slice(p, 0, 1105), CTX);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1106, 1107));
        stepper.step(F.ALU_PRE, _slice(p, 0, 1106), CTX);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1108, 1107));
        stepper.step(F.ALU_PRE, bytes.concat(p, hex"00"), CTX);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofLength.selector, 0, 1108, 1147));
        stepper.step(F.ALU_PRE, bytes.concat(_slice(p, 0, 1106), hex"0100"), CTX);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofTruncated.selector, 0, 1106));
        stepper.step(F.ALU_PRE, new bytes(0), CTX);
    }

    function test_badCountAndFlagAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[1105] = 0x03;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofDataLeafCount.selector, 3));
        stepper.step(F.ALU_PRE, p, CTX);
        p = F.ALU_PROOF;
        p[1106] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ProofPreimageFlag.selector, 2));
        stepper.step(F.ALU_PRE, p, CTX);
    }

    // ---- The pre-state.

    function test_preStateMismatchIsRejected() public {
        bytes32 wrong = F.ALU_PRE ^ bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.PreStateMismatch.selector, wrong, F.ALU_PRE));
        stepper.step(wrong, F.ALU_PROOF, CTX);
    }

    function test_impossibleStatesAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[76] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ExitedFlag.selector, 2));
        stepper.step(F.ALU_PRE, p, CTX);
        p = F.ALU_PROOF;
        p[75] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.ExitCodeWhileRunning.selector, 1));
        stepper.step(F.ALU_PRE, p, CTX);
    }

    // ---- Paths.

    function test_badPathsAreRejected() public {
        bytes memory p = F.ALU_PROOF;
        p[209 + 32 + 5 * 32] ^= bytes1(0x01); // a sibling of the instruction's leaf
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 0, PC >> 5));
        stepper.step(F.ALU_PRE, p, CTX);
        p = F.LOAD_PROOF;
        p[1106 + 31] ^= bytes1(0x80); // the data leaf
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 1, 0x20004 >> 5));
        stepper.step(F.LOAD_PRE, p, CTX);
        p = F.STORE_ACROSS_PROOF;
        p[1106 + 896 + 32 + 26 * 32] ^= bytes1(0x01); // the second data leaf's top sibling
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.BadPath.selector, 2, 0x20020 >> 5));
        stepper.step(F.STORE_ACROSS_PRE, p, CTX);
    }

    function test_wrongDataLeafCountsAreRejected() public {
        // The store crossing two leaves with its second leaf dropped.
        bytes memory p = bytes.concat(_slice(F.STORE_ACROSS_PROOF, 0, 1106 + 896), hex"00");
        p[1105] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.DataLeafCount.selector, 2, 1));
        stepper.step(F.STORE_ACROSS_PRE, p, CTX);
        // An ALU step carrying a data leaf.
        p = bytes.concat(_slice(F.ALU_PROOF, 0, 1106), _slice(F.ALU_PROOF, 209, 1105), hex"00");
        p[1105] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.DataLeafCount.selector, 0, 1));
        stepper.step(F.ALU_PRE, p, CTX);
    }

    // ---- Traps and syscalls, one instruction in empty memory.

    function test_trapsExitWithTheSignalsCode() public view {
        uint32[32] memory regs;
        _expectTrap(PC, 0x00100073, regs, 133); // ebreak: SIGTRAP
        _expectTrap(PC, 0, regs, 132); // the all-zero word: SIGILL
        _expectTrap(PC, 0x0000100f, regs, 132); // fence.i
        _expectTrap(PC + 2, 0x00000013, regs, 135); // a misaligned pc: SIGBUS
        regs[17] = 62;
        _expectTrap(PC, 0x73, regs, 159); // an ecall without one-step semantics: SIGSYS
    }

    function test_trapsCarryNothingElse() public {
        uint32[32] memory regs;
        (bytes32 pre, bytes memory p) = _build(PC, 0x00100073, regs, 0);
        vm.expectRevert(RiscvStep.UnexpectedPreimagePart.selector);
        stepper.step(pre, _withPart(p), CTX);
        (pre, p) = _build(PC, 0, regs, type(uint64).max);
        vm.expectRevert(RiscvStep.StepOverflow.selector);
        stepper.step(pre, p, CTX);
    }

    function test_preimageReadNeedsAPartTheOracleHas() public {
        uint32[32] memory regs;
        regs[17] = 63;
        regs[10] = 5; // read(5, 0, 0): no data leaf
        (bytes32 pre, bytes memory p) = _build(PC, 0x73, regs, 0);
        vm.expectRevert(RiscvStep.MissingPreimagePart.selector);
        stepper.step(pre, p, CTX);
        // The state's key is zero, which no loader can store (byte 0 is a type).
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, bytes32(0)));
        stepper.step(pre, _withPart(p), CTX);
    }

    function test_localKeyIsReadLocalizedByCallerAndContext() public {
        uint32[32] memory regs;
        regs[17] = 63;
        regs[10] = 5; // read(5, 0, 0): no data leaf, the part is checked all the same
        bytes32 raw = bytes32((uint256(1) << 248) | 3); // local_index(3)
        (bytes32 pre, bytes memory p) = _buildWithKey(PC, 0x73, regs, raw);
        // 8 bytes of local data: the part at offset 0 is len_be8 ‖ the 8 bytes ‖ zeros.
        bytes32 word = hex"0102030405060708ffffffffffffffffffffffffffffffffffffffffffffffff";
        bytes32 part = bytes32(uint256(8) << 192 | uint256(word) >> 64 & ~(type(uint256).max >> 128));
        p = _withPartOf(p, part, 8);
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, raw));
        stepper.step(pre, p, CTX);
        bytes32 key = oracle.loadLocalData(3, CTX, word, 8, 0);
        assertEq(key, PreimageKeyLib.localize(raw, address(this), CTX));
        (, bytes32 stored,) = oracle.tryReadPreimage(key, 0);
        assertEq(stored, part);
        // The post-state keeps the raw key; the read returned 0 bytes.
        regs[10] = 0;
        bytes32 root = bytes32(_slice(p, 0, 32));
        bytes memory st = _state(root, PC + 4, regs, 1);
        for (uint256 i = 0; i < 32; i++) {
            st[32 + i] = raw[i];
        }
        assertEq(stepper.step(pre, p, CTX), _hashRunning(st));
        // Another context, or another caller with this one, reads nothing.
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, raw));
        stepper.step(pre, p, bytes32(uint256(CTX) ^ 1));
        vm.prank(address(0xbeef));
        vm.expectRevert(abi.encodeWithSelector(RiscvStep.UnknownPreimage.selector, raw));
        stepper.step(pre, p, CTX);
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
        assertEq(uint256(stepper.step(pre, p, CTX)) >> 248, 0); // exit_group(0): the claim holds
        regs[17] = 93;
        regs[10] = 5;
        (pre, p) = _build(PC, 0x73, regs, 0);
        assertEq(uint256(stepper.step(pre, p, CTX)) >> 248, 1);
    }

    function test_stepCounterOverflowIsRejected() public {
        uint32[32] memory regs;
        (bytes32 pre, bytes memory p) = _build(PC, 0x00000013, regs, type(uint64).max);
        vm.expectRevert(RiscvStep.StepOverflow.selector);
        stepper.step(pre, p, CTX);
    }

    // ---- Gas (docs/fault-proofs.md quotes these: `contracts/test.sh --match-test test_gas -vv`).

    event log_named_uint(string key, uint256 val);

    function test_gasOfStepKinds() public {
        stepper.step(F.EXITED_PRE, F.EXITED_PROOF, CTX); // warms the account: every call below pays the same
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
        bytes32 got = stepper.step(pre, proof, CTX);
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
        assertEq(stepper.step(pre, p, CTX), _hashRunning(_state(root, PC + 4, post, 1)));
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

    /// @dev Steps the one instruction `word` at `pc` and requires the trap's post-state: exited
    ///      with `code`, `pc` unchanged, one more step, status 1.
    function _expectTrap(uint32 pc, uint32 word, uint32[32] memory regs, uint32 code) internal view {
        (bytes32 pre, bytes memory p) = _build(pc, word, regs, 0);
        bytes memory st = _slice(p, 0, 209);
        bytes memory post =
            bytes.concat(_slice(st, 0, 72), bytes4(code), bytes1(0x01), bytes8(uint64(1)), _slice(st, 85, 209));
        bytes32 hash = bytes32((uint256(keccak256(post)) & (type(uint256).max >> 8)) | (uint256(1) << 248));
        assertEq(stepper.step(pre, p, CTX), hash);
    }

    /// @dev `_build` with the preimage key `key` selected (offset 0).
    function _buildWithKey(uint32 pc, uint32 word, uint32[32] memory regs, bytes32 key)
        internal
        pure
        returns (bytes32 pre, bytes memory proof)
    {
        (, proof) = _build(pc, word, regs, 0);
        for (uint256 i = 0; i < 32; i++) {
            proof[32 + i] = key[i];
        }
        pre = _hashRunning(_slice(proof, 0, 209));
    }

    /// @dev `p` (without a part) with the preimage part `part` of a preimage of `len` bytes.
    function _withPartOf(bytes memory p, bytes32 part, uint64 len) internal pure returns (bytes memory) {
        bytes memory q = bytes.concat(p, part, bytes8(len));
        q[p.length - 1] = 0x01;
        return q;
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
