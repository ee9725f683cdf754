// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PreimageKeyLib} from "./PreimageKeyLib.sol";
import {PreimageOracle} from "./PreimageOracle.sol";

/// @title RiscvStep
/// @notice The L1 one-step rule of Pillar's fault-proof VM (RV32IM): from a state hash and a step
///         proof, the hash of the state one instruction later. It is the twin of pillar-fpvm's
///         `verify_step` (crates/fpvm/src/step.rs; docs/fault-proofs.md, "The one-step rule"), and
///         a differential test (crates/l1/tests/it/step.rs) holds it to that reference: same
///         post-state hash, same rejections, same error names.
/// @dev A preimage read (`read(5, …)`) is checked against the `PreimageOracle` given at
///      construction: the proof's part must be the oracle's part for the pre-state's key and
///      offset (`verify_step_with` with the oracle as its `PreimageParts`). A local key (type 1)
///      is looked up localized by `step`'s caller and its `localContext` (`PreimageKeyLib`), so a
///      dispute reads the inputs its game loaded; the state keeps the raw key.
///
///      The trace is total: a step that traps (a misaligned `pc`, an illegal word, `ebreak`, an
///      `ecall` without one-step semantics) exits with 128 + the signal Linux would send, so a
///      dispute that bisects to a trap is settled like any other step.
///
///      The proof is `StepProof::encode`'s layout (docs/fault-proofs.md, "Step proofs"):
///      pre-state (209) ‖ instruction leaf (32) ‖ 27 siblings ‖ data leaf count (1) ‖ per data
///      leaf: leaf (32) ‖ 27 siblings ‖ preimage flag (1) ‖ if 1: part (32) ‖ length (8).
///      The state is kept as its 209-byte encoding in memory and edited in place, so the
///      post-state hash is one keccak over the same buffer.
contract RiscvStep {
    // ---- Errors: the names of pillar-fpvm's `ProofDecodeError`, `StateError` and `StepError`.

    /// @notice `ProofDecodeError::Truncated`: shorter than a proof without data leaves.
    error ProofTruncated(uint256 len, uint256 min);
    /// @notice `ProofDecodeError::DataLeafCount`: more than two data leaves.
    error ProofDataLeafCount(uint256 count);
    /// @notice `ProofDecodeError::Length`: the length does not match the count and the flag.
    error ProofLength(uint256 count, uint256 len, uint256 expected);
    /// @notice `ProofDecodeError::PreimageFlag`: the preimage flag is neither 0 nor 1.
    error ProofPreimageFlag(uint256 flag);
    /// @notice `StateError::ExitedFlag`: the exited byte is neither 0 nor 1.
    error ExitedFlag(uint256 value);
    /// @notice `StateError::ExitCodeWhileRunning`: a running state with a non-zero exit code.
    error ExitCodeWhileRunning(uint256 code);
    /// @notice The pre-state does not hash to the hash being stepped from.
    error PreStateMismatch(bytes32 claimed, bytes32 actual);
    /// @notice A leaf's path does not lead to the memory root. `role` 0 is the instruction's
    ///         leaf, 1 + i the data leaf i (`LeafRole::Data(i)`).
    error BadPath(uint256 role, uint256 leafIndex);
    /// @notice The proof has a different number of data leaves than the instruction touches.
    error DataLeafCount(uint256 expected, uint256 got);
    /// @notice A preimage read's proof has no preimage part.
    error MissingPreimagePart();
    /// @notice A step that reads no preimage carries a preimage part.
    error UnexpectedPreimagePart();
    /// @notice The oracle has no part of the pre-state's key at its offset (Rust's store does not
    ///         know the key: a part the oracle lacks is a preimage it does not know).
    error UnknownPreimage(bytes32 key);
    /// @notice The proof's preimage part (bytes or length) is not the oracle's at (key, offset).
    error PreimagePartMismatch(bytes32 key, uint256 offset);
    /// @notice The preimage offset would pass 2^32 - 1.
    error PreimageOffsetOverflow();
    /// @notice The step counter would pass 2^64 - 1.
    error StepOverflow();

    // ---- The proof's layout.

    uint256 internal constant STATE_SIZE = 209;
    uint256 internal constant LEAF_PROOF_SIZE = 32 * 28;
    /// @dev Pre-state, the instruction's leaf proof and the data leaf count.
    uint256 internal constant FIXED_SIZE = STATE_SIZE + LEAF_PROOF_SIZE + 1;
    uint256 internal constant PREIMAGE_PART_SIZE = 40;
    uint256 internal constant DEPTH = 27;

    // ---- The state's layout (big-endian fields).

    uint256 internal constant KEY = 32;
    uint256 internal constant OFFSET = 64;
    uint256 internal constant PC = 68;
    uint256 internal constant EXIT_CODE = 72;
    uint256 internal constant EXITED = 76;
    uint256 internal constant STEPS = 77;
    /// @dev x1 is at 85, so xi is at 81 + 4i.
    uint256 internal constant REGS = 81;

    uint256 internal constant MASK32 = 0xffffffff;
    uint256 internal constant MAX_WRITE = 1 << 20;
    uint256 internal constant EBADF_NEG = 0xfffffff7;

    uint256 internal constant SYS_READ = 63;
    uint256 internal constant SYS_WRITE = 64;
    uint256 internal constant SYS_EXIT = 93;
    uint256 internal constant SYS_EXIT_GROUP = 94;
    uint256 internal constant FD_HINT_READ = 3;
    uint256 internal constant FD_HINT_WRITE = 4;
    uint256 internal constant FD_PREIMAGE_READ = 5;
    uint256 internal constant FD_PREIMAGE_WRITE = 6;

    // ---- Decoded instructions. `op` is funct3 for branches, loads and stores; for the ALU,
    //      funct3 for the base operations, 8 + funct3 for `sub`/`sra`, 16 + funct3 for M.

    uint256 internal constant K_LUI = 0;
    uint256 internal constant K_AUIPC = 1;
    uint256 internal constant K_JAL = 2;
    uint256 internal constant K_JALR = 3;
    uint256 internal constant K_BRANCH = 4;
    uint256 internal constant K_LOAD = 5;
    uint256 internal constant K_STORE = 6;
    uint256 internal constant K_ALU_IMM = 7;
    uint256 internal constant K_ALU = 8;
    uint256 internal constant K_FENCE = 9;
    uint256 internal constant K_ECALL = 10;
    uint256 internal constant K_EBREAK = 11;
    /// @dev A misaligned `pc` or an illegal word: the step traps; `op` holds the exit code.
    uint256 internal constant K_TRAP = 12;

    // ---- Trap exit codes: 128 + the signal Linux sends (pillar-fpvm's `Trap::exit_code`).

    uint256 internal constant TRAP_ILLEGAL_INSTRUCTION = 132; // SIGILL
    uint256 internal constant TRAP_BREAKPOINT = 133; // SIGTRAP
    uint256 internal constant TRAP_MISALIGNED_FETCH = 135; // SIGBUS
    uint256 internal constant TRAP_UNSUPPORTED_SYSCALL = 159; // SIGSYS

    /// @notice The preimage oracle a read's part is checked against.
    PreimageOracle public immutable oracle;

    constructor(PreimageOracle oracle_) {
        oracle = oracle_;
    }

    struct Instr {
        uint256 kind;
        uint256 op;
        uint256 rd;
        uint256 rs1;
        uint256 rs2;
        /// @dev Sign-extended to 32 bits (`lui`/`auipc`: the upper 20 bits in place).
        uint256 imm;
    }

    /// @dev A data access and the (one or two) leaves it touches, as the step changes them.
    struct Data {
        bool some;
        uint256 addr;
        uint256 len;
        uint256[2] index;
        bytes32[2] leaf;
        /// @dev Absolute calldata offsets of each leaf's 27 siblings.
        uint256[2] siblings;
        uint256 count;
    }

    /// @notice The post-state hash of the step `proof` shows from `preStateHash`; reverts with
    ///         the custom error of the first check that fails, in `verify_step`'s order. A read of
    ///         a local key is served the oracle's data loaded by this function's caller with
    ///         `localContext`.
    function step(bytes32 preStateHash, bytes calldata proof, bytes32 localContext)
        external
        view
        returns (bytes32 postStateHash)
    {
        (uint256 count, bool hasPart) = _layout(proof);
        bytes memory st = _loadState(proof);
        bytes32 actual = _hash(st);
        if (actual != preStateHash) revert PreStateMismatch(preStateHash, actual);
        if (uint8(st[EXITED]) == 1) {
            if (hasPart) revert UnexpectedPreimagePart();
            return actual;
        }
        uint256 pc = _u32(st, PC);
        bytes32 memoryRoot = _memoryRoot(st);
        Instr memory ins;
        if (pc & 3 != 0) {
            // No word to fetch: the instruction leaf is not checked.
            ins.kind = K_TRAP;
            ins.op = TRAP_MISALIGNED_FETCH;
        } else {
            ins = _decode(_fetch(proof, pc, memoryRoot));
        }
        Data memory d = _data(ins, st, proof, count, memoryRoot);
        uint256 next;
        if (ins.kind == K_ECALL && _reg(st, 17) == SYS_READ && _reg(st, 10) == FD_PREIMAGE_READ) {
            if (!hasPart) revert MissingPreimagePart();
            _preimageRead(st, d, proof, localContext);
            next = (pc + 4) & MASK32;
        } else {
            if (hasPart) revert UnexpectedPreimagePart();
            next = _execute(ins, st, d, pc);
        }
        _setU32(st, PC, next);
        uint256 steps = _u64(st, STEPS);
        if (steps == type(uint64).max) revert StepOverflow();
        _setU64(st, STEPS, steps + 1);
        return _hash(st);
    }

    /// @dev `read(5, buf, len)`: the proof's part must be the oracle's for the pre-state's key and
    ///      offset; then `n = min(len, 32 − buf mod 32, 8 + preimage length − offset)` bytes of it
    ///      (0 at or past the end) go to the buffer's leaf, the offset advances by `n`, `a0 = n`.
    ///      `n` never leaves the buffer's leaf, so the one data leaf holds every byte written.
    function _preimageRead(bytes memory st, Data memory d, bytes calldata proof, bytes32 localContext) internal view {
        (bytes32 part, uint256 partLen) = _checkedPart(st, proof, localContext);
        uint256 offset = _u32(st, OFFSET);
        uint256 buf = _reg(st, 11);
        uint256 n = _reg(st, 12);
        uint256 room = 32 - (buf & 31);
        if (room < n) n = room;
        uint256 available = partLen + 8 > offset ? partLen + 8 - offset : 0;
        if (available < n) n = available;
        if (n > 0) {
            d.leaf[0] = _splice(d.leaf[0], part, buf & 31, n);
            _setMemoryRoot(st, _dataRoot(d));
        }
        if (offset + n > MASK32) revert PreimageOffsetOverflow();
        _setU32(st, OFFSET, offset + n);
        _setReg(st, 10, n);
    }

    /// @dev The proof's part (its last 40 bytes: part (32) ‖ length (8, big-endian)), after
    ///      checking it is the oracle's for the pre-state's key and offset. A local key is looked
    ///      up localized by the caller and `localContext`; errors name the state's raw key, as
    ///      `verify_step_with`'s do (its store is one dispute's own view, with raw keys).
    function _checkedPart(bytes memory st, bytes calldata proof, bytes32 localContext)
        internal
        view
        returns (bytes32 part, uint256 len)
    {
        bytes32 key = _word(st, KEY);
        uint256 offset = _u32(st, OFFSET);
        uint256 at = proof.length - PREIMAGE_PART_SIZE;
        part = bytes32(proof[at:at + 32]);
        len = uint64(bytes8(proof[at + 32:at + 40]));
        bytes32 stored = PreimageKeyLib.isLocal(key) ? PreimageKeyLib.localize(key, msg.sender, localContext) : key;
        (bool known, bytes32 oraclePart, uint256 oracleLen) = oracle.tryReadPreimage(stored, offset);
        if (!known) revert UnknownPreimage(key);
        if (oraclePart != part || oracleLen != len) revert PreimagePartMismatch(key, offset);
    }

    /// @dev `leaf` with bytes [at, at + n) replaced by `part`'s first n bytes (at + n <= 32).
    function _splice(bytes32 leaf, bytes32 part, uint256 at, uint256 n) internal pure returns (bytes32) {
        uint256 top = n == 32 ? type(uint256).max : ((uint256(1) << (8 * n)) - 1) << (256 - 8 * n);
        uint256 mask = top >> (8 * at);
        return bytes32((uint256(leaf) & ~mask) | ((uint256(part) >> (8 * at)) & mask));
    }

    /// @dev `StepProof::decode`'s checks, in its order: the data leaf count and the preimage flag.
    function _layout(bytes calldata proof) internal pure returns (uint256 count, bool hasPart) {
        uint256 len = proof.length;
        if (len < FIXED_SIZE) revert ProofTruncated(len, FIXED_SIZE);
        count = uint8(proof[FIXED_SIZE - 1]);
        if (count > 2) revert ProofDataLeafCount(count);
        uint256 leavesEnd = FIXED_SIZE + LEAF_PROOF_SIZE * count;
        if (len <= leavesEnd) revert ProofLength(count, len, leavesEnd + 1);
        uint256 flag = uint8(proof[leavesEnd]);
        if (flag > 1) revert ProofPreimageFlag(flag);
        uint256 expected = leavesEnd + 1 + (flag == 1 ? PREIMAGE_PART_SIZE : 0);
        if (len != expected) revert ProofLength(count, len, expected);
        hasPart = flag == 1;
    }

    /// @dev The pre-state, copied to a 256-byte buffer so a 32-byte read-modify-write of the last
    ///      register stays inside it. `State::decode`'s checks.
    function _loadState(bytes calldata proof) internal pure returns (bytes memory st) {
        st = new bytes(256);
        assembly ("memory-safe") {
            calldatacopy(add(st, 32), proof.offset, STATE_SIZE)
        }
        uint256 exited = uint8(st[EXITED]);
        if (exited > 1) revert ExitedFlag(exited);
        uint256 code = _u32(st, EXIT_CODE);
        if (exited == 0 && code != 0) revert ExitCodeWhileRunning(code);
    }

    /// @dev keccak256 of the 209-byte encoding with the first byte replaced by the status: 0 exited
    ///      with 0, 1 exited with another code, 3 running.
    function _hash(bytes memory st) internal pure returns (bytes32 h) {
        uint256 status = uint8(st[EXITED]) == 0 ? 3 : (_u32(st, EXIT_CODE) == 0 ? 0 : 1);
        assembly ("memory-safe") {
            h := keccak256(add(st, 32), STATE_SIZE)
        }
        h = bytes32((uint256(h) & (type(uint256).max >> 8)) | (status << 248));
    }

    /// @dev The instruction word at `pc` (little-endian), after checking its leaf's path.
    function _fetch(bytes calldata proof, uint256 pc, bytes32 memoryRoot) internal pure returns (uint256 word) {
        uint256 leafIndex = pc >> 5;
        uint256 at = _offsetOf(proof) + STATE_SIZE;
        bytes32 leaf = bytes32(proof[STATE_SIZE:STATE_SIZE + 32]);
        if (_climb(leafIndex, leaf, at + 32, DEPTH, DEPTH, 0) != memoryRoot) {
            revert BadPath(0, leafIndex);
        }
        uint256 off = pc & 31;
        for (uint256 k = 0; k < 4; k++) {
            word |= _byteAt(leaf, off + k) << (8 * k);
        }
    }

    /// @dev pillar-fpvm's `decode`: RV32IM exactly; every other word is a trap
    ///      (`TRAP_ILLEGAL_INSTRUCTION`).
    function _decode(uint256 w) internal pure returns (Instr memory ins) {
        uint256 opcode = w & 0x7f;
        uint256 f3 = (w >> 12) & 7;
        uint256 f7 = w >> 25;
        ins.rd = (w >> 7) & 31;
        ins.rs1 = (w >> 15) & 31;
        ins.rs2 = (w >> 20) & 31;
        ins.op = f3;
        bool ok = true;
        if (opcode == 0x37 || opcode == 0x17) {
            ins.kind = opcode == 0x37 ? K_LUI : K_AUIPC;
            ins.imm = w & 0xfffff000;
        } else if (opcode == 0x6f) {
            ins.kind = K_JAL;
            ins.imm = _sext(
                ((w >> 31) << 20) | (((w >> 12) & 0xff) << 12) | (((w >> 20) & 1) << 11) | (((w >> 21) & 0x3ff) << 1),
                21
            );
        } else if (opcode == 0x67) {
            ins.kind = K_JALR;
            ins.imm = _sext(w >> 20, 12);
            ok = f3 == 0;
        } else if (opcode == 0x63) {
            ins.kind = K_BRANCH;
            ins.imm = _sext(
                ((w >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 0x3f) << 5) | (((w >> 8) & 0xf) << 1), 13
            );
            ok = f3 != 2 && f3 != 3;
        } else if (opcode == 0x03) {
            ins.kind = K_LOAD;
            ins.imm = _sext(w >> 20, 12);
            ok = f3 != 3 && f3 < 6;
        } else if (opcode == 0x23) {
            ins.kind = K_STORE;
            ins.imm = _sext(((w >> 25) << 5) | ((w >> 7) & 31), 12);
            ok = f3 < 3;
        } else if (opcode == 0x13) {
            ins.kind = K_ALU_IMM;
            ins.imm = _sext(w >> 20, 12);
            if (f3 == 1) {
                ok = f7 == 0;
            } else if (f3 == 5) {
                ok = f7 == 0 || f7 == 0x20;
                if (f7 == 0x20) ins.op = 13;
            }
            if (f3 == 1 || f3 == 5) ins.imm &= 31;
        } else if (opcode == 0x33) {
            ins.kind = K_ALU;
            if (f7 == 0x01) {
                ins.op = 16 + f3;
            } else if (f7 == 0x20) {
                ok = f3 == 0 || f3 == 5;
                ins.op = 8 + f3;
            } else {
                ok = f7 == 0;
            }
        } else if (opcode == 0x0f) {
            ins.kind = K_FENCE;
            ok = f3 == 0;
        } else if (w == 0x73) {
            ins.kind = K_ECALL;
        } else if (w == 0x100073) {
            ins.kind = K_EBREAK;
        } else {
            ok = false;
        }
        if (!ok) {
            ins.kind = K_TRAP;
            ins.op = TRAP_ILLEGAL_INSTRUCTION;
        }
    }

    /// @dev The instruction's data access, its leaves' paths and their count, in `verify_step`'s
    ///      order: each leaf present (up to the number the access touches) is checked before the
    ///      count.
    function _data(Instr memory ins, bytes memory st, bytes calldata proof, uint256 count, bytes32 memoryRoot)
        internal
        pure
        returns (Data memory d)
    {
        d.count = count;
        if (ins.kind == K_LOAD || ins.kind == K_STORE) {
            d.some = true;
            d.addr = (_reg(st, ins.rs1) + ins.imm) & MASK32;
            uint256 w = ins.op & 3;
            d.len = w == 0 ? 1 : (w == 1 ? 2 : 4);
        } else if (ins.kind == K_ECALL) {
            uint256 number = _reg(st, 17);
            uint256 fd = _reg(st, 10);
            bool oracleCall =
                (number == SYS_READ && fd == FD_PREIMAGE_READ) || (number == SYS_WRITE && fd == FD_PREIMAGE_WRITE);
            if (oracleCall && _reg(st, 12) > 0) {
                // The call never leaves the buffer's leaf.
                d.some = true;
                d.addr = _reg(st, 11);
                d.len = 1;
            }
        }
        if (!d.some) {
            if (count != 0) revert DataLeafCount(0, count);
            return d;
        }
        d.index[0] = d.addr >> 5;
        d.index[1] = ((d.addr + d.len - 1) & MASK32) >> 5;
        uint256 n = d.index[0] == d.index[1] ? 1 : 2;
        uint256 base = _offsetOf(proof) + FIXED_SIZE;
        for (uint256 i = 0; i < n && i < count; i++) {
            uint256 at = base + i * LEAF_PROOF_SIZE;
            bytes32 leaf;
            assembly ("memory-safe") {
                leaf := calldataload(at)
            }
            d.leaf[i] = leaf;
            d.siblings[i] = at + 32;
            if (_climb(d.index[i], leaf, at + 32, DEPTH, DEPTH, 0) != memoryRoot) {
                revert BadPath(1 + i, d.index[i]);
            }
        }
        if (n != count) revert DataLeafCount(n, count);
    }

    /// @dev Executes `ins` on the state in `st`; returns the next `pc`.
    function _execute(Instr memory ins, bytes memory st, Data memory d, uint256 pc) internal pure returns (uint256) {
        uint256 next = (pc + 4) & MASK32;
        uint256 kind = ins.kind;
        if (kind == K_ALU) {
            _setReg(st, ins.rd, _alu(ins.op, _reg(st, ins.rs1), _reg(st, ins.rs2)));
        } else if (kind == K_ALU_IMM) {
            _setReg(st, ins.rd, _alu(ins.op, _reg(st, ins.rs1), ins.imm));
        } else if (kind == K_LUI) {
            _setReg(st, ins.rd, ins.imm);
        } else if (kind == K_AUIPC) {
            _setReg(st, ins.rd, pc + ins.imm);
        } else if (kind == K_LOAD) {
            uint256 raw = _load(d);
            if (ins.op == 0) raw = _sext(raw, 8);
            else if (ins.op == 1) raw = _sext(raw, 16);
            _setReg(st, ins.rd, raw);
        } else if (kind == K_STORE) {
            _store(d, _reg(st, ins.rs2));
            _setMemoryRoot(st, _dataRoot(d));
        } else if (kind == K_BRANCH) {
            if (_branchTaken(ins.op, _reg(st, ins.rs1), _reg(st, ins.rs2))) next = (pc + ins.imm) & MASK32;
        } else if (kind == K_JAL) {
            _setReg(st, ins.rd, next);
            next = (pc + ins.imm) & MASK32;
        } else if (kind == K_JALR) {
            // The target before `rd` is written: `jalr ra, 0(ra)` jumps to the old `ra`.
            uint256 target = (_reg(st, ins.rs1) + ins.imm) & (MASK32 - 1);
            _setReg(st, ins.rd, next);
            next = target;
        } else if (kind == K_EBREAK) {
            _trap(st, TRAP_BREAKPOINT);
            next = pc;
        } else if (kind == K_TRAP) {
            _trap(st, ins.op);
            next = pc;
        } else if (kind == K_ECALL) {
            if (!_ecall(st, d)) {
                _trap(st, TRAP_UNSUPPORTED_SYSCALL);
                next = pc;
            }
        }
        // K_FENCE: nothing to order on one hart.
        return next;
    }

    /// @dev A trap: the machine exits with `code`, `pc` stays at the trapping instruction.
    function _trap(bytes memory st, uint256 code) internal pure {
        _setU32(st, EXIT_CODE, code);
        st[EXITED] = bytes1(uint8(1));
    }

    /// @dev The one-step syscalls but the preimage read, which `step` executes itself; false for a
    ///      number without one-step semantics (the step traps).
    function _ecall(bytes memory st, Data memory d) internal pure returns (bool) {
        uint256 number = _reg(st, 17);
        uint256 fd = _reg(st, 10);
        uint256 buf = _reg(st, 11);
        uint256 len = _reg(st, 12);
        if (number == SYS_WRITE && (fd == 1 || fd == 2 || fd == FD_HINT_WRITE)) {
            // The bytes written are output or a hint, not state: only the count is committed.
            _setReg(st, 10, len < MAX_WRITE ? len : MAX_WRITE);
        } else if (number == SYS_WRITE && fd == FD_PREIMAGE_WRITE) {
            uint256 room = 32 - (buf & 31);
            uint256 n = len < room ? len : room;
            if (d.some) {
                uint256 bytes_ = (uint256(d.leaf[0]) << (8 * (buf & 31))) >> (256 - 8 * n);
                bytes32 key = _word(st, KEY);
                _setWord(st, KEY, bytes32((n == 32 ? 0 : uint256(key) << (8 * n)) | bytes_));
            }
            _setU32(st, OFFSET, 0);
            _setReg(st, 10, n);
        } else if (number == SYS_READ && fd == FD_HINT_READ) {
            // The hint's acknowledgement: nothing is written (Cannon's rule).
            _setReg(st, 10, len);
        } else if (number == SYS_READ || number == SYS_WRITE) {
            _setReg(st, 10, EBADF_NEG);
        } else if (number == SYS_EXIT || number == SYS_EXIT_GROUP) {
            _setU32(st, EXIT_CODE, fd);
            st[EXITED] = bytes1(uint8(1));
        } else {
            return false;
        }
        return true;
    }

    /// @dev pillar-fpvm's `alu`, with RISC-V's results for division by zero and overflow.
    function _alu(uint256 op, uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            if (op < 8) {
                if (op == 0) return (a + b) & MASK32;
                if (op == 1) return (a << (b & 31)) & MASK32;
                if (op == 2) return _signed(a) < _signed(b) ? 1 : 0;
                if (op == 3) return a < b ? 1 : 0;
                if (op == 4) return a ^ b;
                if (op == 5) return a >> (b & 31);
                if (op == 6) return a | b;
                return a & b;
            }
            if (op == 8) return (a + (1 << 32) - b) & MASK32;
            if (op == 13) return uint256(_signed(a) >> (b & 31)) & MASK32;
            if (op == 16) return (a * b) & MASK32;
            if (op == 17) return uint256((_signed(a) * _signed(b)) >> 32) & MASK32;
            // b < 2^32: the cast is exact.
            // forge-lint: disable-next-line(unsafe-typecast)
            if (op == 18) return uint256((_signed(a) * int256(b)) >> 32) & MASK32;
            if (op == 19) return (a * b) >> 32;
            if (op == 20) {
                if (b == 0) return MASK32;
                // i32::MIN / -1 is i32::MIN in 256 bits too once masked.
                return uint256(_signed(a) / _signed(b)) & MASK32;
            }
            if (op == 21) return b == 0 ? MASK32 : a / b;
            if (op == 22) {
                if (b == 0) return a;
                return uint256(_signed(a) % _signed(b)) & MASK32;
            }
            return b == 0 ? a : a % b;
        }
    }

    function _branchTaken(uint256 op, uint256 a, uint256 b) internal pure returns (bool) {
        if (op == 0) return a == b;
        if (op == 1) return a != b;
        if (op == 4) return _signed(a) < _signed(b);
        if (op == 5) return _signed(a) >= _signed(b);
        if (op == 6) return a < b;
        return a >= b;
    }

    // ---- Data leaves.

    /// @dev Which leaf holds `addr` and the byte's offset in it.
    function _slot(Data memory d, uint256 addr) internal pure returns (uint256 which, uint256 off) {
        which = addr >> 5 == d.index[0] ? 0 : 1;
        off = addr & 31;
    }

    /// @dev Little-endian, byte by byte: a misaligned access may wrap into the second leaf.
    function _load(Data memory d) internal pure returns (uint256 v) {
        for (uint256 k = 0; k < d.len; k++) {
            (uint256 w, uint256 o) = _slot(d, (d.addr + k) & MASK32);
            v |= _byteAt(d.leaf[w], o) << (8 * k);
        }
    }

    function _store(Data memory d, uint256 value) internal pure {
        for (uint256 k = 0; k < d.len; k++) {
            (uint256 w, uint256 o) = _slot(d, (d.addr + k) & MASK32);
            uint256 shift = 8 * (31 - o);
            uint256 leaf = uint256(d.leaf[w]) & ~(uint256(0xff) << shift);
            d.leaf[w] = bytes32(leaf | (((value >> (8 * k)) & 0xff) << shift));
        }
    }

    /// @dev The memory root after a write. The second leaf's path was given against the pre-root;
    ///      at the height where the two leaf numbers last differ its sibling is the first leaf's
    ///      new ancestor (below, the paths are disjoint; above, they coincide).
    function _dataRoot(Data memory d) internal pure returns (bytes32) {
        if (d.count == 1) return _climb(d.index[0], d.leaf[0], d.siblings[0], DEPTH, DEPTH, 0);
        uint256 diff = d.index[0] ^ d.index[1];
        uint256 meet = 0;
        while (diff > 1) {
            diff >>= 1;
            meet++;
        }
        bytes32 node = _climb(d.index[0], d.leaf[0], d.siblings[0], meet, DEPTH, 0);
        return _climb(d.index[1], d.leaf[1], d.siblings[1], DEPTH, meet, node);
    }

    /// @dev Hashes `node` up `levels` levels of the path of leaf `index` whose siblings start at
    ///      calldata offset `siblings`, bottom up, with the sibling at level `patchLevel` replaced
    ///      by `patch` (none if `patchLevel` is `DEPTH`). Assembly: the 27 keccaks of a path are
    ///      most of a step's gas, and scratch space spares an allocation each.
    function _climb(uint256 index, bytes32 node, uint256 siblings, uint256 levels, uint256 patchLevel, bytes32 patch)
        internal
        pure
        returns (bytes32 out)
    {
        assembly ("memory-safe") {
            out := node
            for { let l := 0 } lt(l, levels) { l := add(l, 1) } {
                let sibling := calldataload(add(siblings, shl(5, l)))
                if eq(l, patchLevel) { sibling := patch }
                switch and(shr(l, index), 1)
                case 0 {
                    mstore(0, out)
                    mstore(32, sibling)
                }
                default {
                    mstore(0, sibling)
                    mstore(32, out)
                }
                out := keccak256(0, 64)
            }
        }
    }

    // ---- Fields of the encoded state in memory.

    function _u32(bytes memory st, uint256 off) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(224, mload(add(add(st, 32), off)))
        }
    }

    function _setU32(bytes memory st, uint256 off, uint256 v) internal pure {
        assembly ("memory-safe") {
            let p := add(add(st, 32), off)
            mstore(p, or(shr(32, shl(32, mload(p))), shl(224, and(v, 0xffffffff))))
        }
    }

    function _u64(bytes memory st, uint256 off) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(192, mload(add(add(st, 32), off)))
        }
    }

    function _setU64(bytes memory st, uint256 off, uint256 v) internal pure {
        assembly ("memory-safe") {
            let p := add(add(st, 32), off)
            mstore(p, or(shr(64, shl(64, mload(p))), shl(192, and(v, 0xffffffffffffffff))))
        }
    }

    function _word(bytes memory st, uint256 off) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(add(st, 32), off))
        }
    }

    function _setWord(bytes memory st, uint256 off, bytes32 v) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(st, 32), off), v)
        }
    }

    function _memoryRoot(bytes memory st) internal pure returns (bytes32) {
        return _word(st, 0);
    }

    function _setMemoryRoot(bytes memory st, bytes32 root) internal pure {
        _setWord(st, 0, root);
    }

    /// @dev x0 reads as zero and is not encoded.
    function _reg(bytes memory st, uint256 i) internal pure returns (uint256) {
        return i == 0 ? 0 : _u32(st, REGS + 4 * i);
    }

    /// @dev Writes to x0 are dropped.
    function _setReg(bytes memory st, uint256 i, uint256 v) internal pure {
        if (i != 0) _setU32(st, REGS + 4 * i, v & MASK32);
    }

    // ---- Bits.

    /// @dev Where `b` starts in calldata.
    function _offsetOf(bytes calldata b) internal pure returns (uint256 o) {
        assembly ("memory-safe") {
            o := b.offset
        }
    }

    function _byteAt(bytes32 leaf, uint256 off) internal pure returns (uint256) {
        return uint256(uint8(leaf[off]));
    }

    /// @dev The low `bits` bits of `v` sign-extended to 32 bits.
    function _sext(uint256 v, uint256 bits) internal pure returns (uint256) {
        uint256 low = type(uint256).max >> (256 - bits);
        v &= low;
        if (v >> (bits - 1) == 1) v |= MASK32 ^ low;
        return v;
    }

    /// @dev A 32-bit register value as a signed integer.
    function _signed(uint256 v) internal pure returns (int256) {
        // Reinterprets the low 32 bits as two's complement, which is the point.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int256(int32(uint32(v)));
    }
}
