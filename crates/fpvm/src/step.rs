//! Step proofs and the reference one-step verifier.
//!
//! [`Machine::prove_step`] gives, for the machine's current step, the pre-state and the memory
//! leaves the next instruction touches with their Merkle paths, and for a preimage read the
//! [`PreimagePart`] it reads. [`verify_step_with`] re-executes that one instruction from the proof
//! and the preimage store (the L1 oracle contract) and returns the post-state hash: it is the rule
//! the L1 `step` contract is held to (docs/fault-proofs.md, "The one-step rule"). A proof is
//! untrusted input, so every inconsistency is a [`StepError`], never a panic.

use thiserror::Error;

use crate::{
    decode::{Instr, LoadOp, StoreOp, decode},
    error::Trap,
    machine::{Machine, alu, branch_taken, reg},
    merkle::{Hash, LEAF_BITS, LEAF_SIZE, LeafProof},
    oracle::{
        NoPreimages, PreimagePart, PreimageParts, SYS_READ, is_preimage_read, key_write_len, oracle_access,
        preimage_read_len, shift_key,
    },
    state::{STATE_SIZE, State, StateError},
    syscall::{EBADF, MAX_WRITE, SYS_EXIT, SYS_EXIT_GROUP, SYS_WRITE},
};
use pillar_preimage::abi::{FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE};

/// Everything [`verify_step`] needs to execute one instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProof {
    /// The encoded pre-state ([`State::encode`]).
    pub pre: [u8; STATE_SIZE],
    /// The leaf holding the instruction at `pc`, leaf number `pc / 32`.
    pub instruction: LeafProof,
    /// The leaves a load or store touches, in address order from the access's first byte: one,
    /// or two when the access crosses a 32-byte boundary; for a preimage read or key write of at
    /// least one byte, the leaf holding the buffer; none for other instructions. Every path is
    /// against the pre-state's memory root.
    pub data: Vec<LeafProof>,
    /// For a preimage read (`read(5, ..)`), the part of the selected preimage at the pre-state's
    /// offset, as the L1 oracle returns it; `None` for every other step.
    pub preimage: Option<PreimagePart>,
}

/// Which leaf of a proof failed its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafRole {
    /// The instruction's leaf.
    Instruction,
    /// The `n`th data leaf.
    Data(usize),
}

/// Why a step proof does not give a post-state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StepError {
    /// The pre-state bytes are not a state.
    #[error("pre-state: {0}")]
    State(#[from] StateError),
    /// The pre-state does not hash to the hash being stepped from.
    #[error("pre-state hashes to {actual:02x?}, not the claimed {claimed:02x?}")]
    PreStateMismatch {
        /// The hash given to [`verify_step`].
        claimed: Hash,
        /// The proof's pre-state's hash.
        actual: Hash,
    },
    /// A leaf's path does not lead to the pre-state's memory root.
    #[error("{role:?} leaf {leaf_index:#x}: path does not match the memory root")]
    BadPath {
        /// Which leaf.
        role: LeafRole,
        /// The leaf's number (address / 32).
        leaf_index: u32,
    },
    /// The proof has a different number of data leaves than the instruction touches.
    #[error("instruction touches {expected} data leaves, proof has {got}")]
    DataLeafCount {
        /// Leaves the access touches.
        expected: usize,
        /// Leaves in the proof.
        got: usize,
    },
    /// A preimage read's proof has no preimage part.
    #[error("preimage read without a preimage part")]
    MissingPreimagePart,
    /// A proof of a step that reads no preimage carries a preimage part.
    #[error("preimage part in the proof of a step that reads none")]
    UnexpectedPreimagePart,
    /// The preimage store does not know the selected key.
    #[error("unknown preimage {key:02x?}")]
    UnknownPreimage {
        /// The pre-state's preimage key.
        key: Hash,
    },
    /// The proof's preimage part is not the store's part at (key, offset).
    #[error("preimage part of {key:02x?} at offset {offset} does not match the oracle's")]
    PreimagePartMismatch {
        /// The pre-state's preimage key.
        key: Hash,
        /// The pre-state's preimage offset.
        offset: u32,
    },
    /// The preimage offset would pass `u32::MAX` (only a preimage of nearly 4 GiB gets there).
    #[error("preimage offset overflow")]
    PreimageOffsetOverflow,
    /// The step counter would pass `u64::MAX`.
    #[error("step counter overflow")]
    StepOverflow,
}

/// The data access of a load or store: its first address and width in bytes; for an oracle
/// `ecall` that reads or writes guest memory, its buffer's address with width 1 (the access never
/// leaves the buffer's leaf).
fn access(instr: &Instr, regs: &[u32; 32]) -> Option<(u32, u32)> {
    let r = |i: u8| regs[usize::from(i & 31)];
    match *instr {
        Instr::Ecall => oracle_access(r(reg::A7), [r(reg::A0), r(reg::A1), r(reg::A2)]).map(|addr| (addr, 1)),
        Instr::Load { op, rs1, imm, .. } => {
            let len = match op {
                LoadOp::Lb | LoadOp::Lbu => 1,
                LoadOp::Lh | LoadOp::Lhu => 2,
                LoadOp::Lw => 4,
            };
            Some((r(rs1).wrapping_add(imm), len))
        }
        Instr::Store { op, rs1, imm, .. } => {
            let len = match op {
                StoreOp::Sb => 1,
                StoreOp::Sh => 2,
                StoreOp::Sw => 4,
            };
            Some((r(rs1).wrapping_add(imm), len))
        }
        _ => None,
    }
}

/// The leaf numbers an access of `len` bytes from `addr` touches, in address order.
fn leaves_of(addr: u32, len: u32) -> ([u32; 2], usize) {
    let first = addr >> LEAF_BITS;
    let last = addr.wrapping_add(len - 1) >> LEAF_BITS;
    if first == last { ([first, first], 1) } else { ([first, last], 2) }
}

impl Machine {
    /// The proof of the machine's next step, against [`Machine::state_hash`], for a step that
    /// reads no preimage ([`Machine::prove_step_with`] proves any step). Always succeeds; a step
    /// that traps has a proof like any other (its instruction leaf, or none needed for a
    /// misaligned `pc`, and no data leaves), which verifies to the trap's exit.
    pub fn prove_step(&mut self) -> StepProof {
        self.prove_step_with(&mut NoPreimages)
    }

    /// The proof of the machine's next step, with the preimage part from `parts` if the step
    /// reads a preimage (an [`crate::OracleSyscalls`] running the machine, or the oracle's
    /// store). If `parts` does not know the selected key, the proof has no part and does not
    /// verify.
    pub fn prove_step_with(&mut self, parts: &mut impl PreimageParts) -> StepProof {
        let state = self.state();
        let memory = self.memory();
        let instruction = memory.prove_leaf_committed(state.pc);
        let mut data = Vec::new();
        let mut preimage = None;
        if !state.exited && state.pc & 3 == 0 {
            let word = memory.load_u32(state.pc);
            let instr = decode(word);
            if let Some((addr, len)) = instr.and_then(|i| access(&i, &state.regs)) {
                let (leaves, n) = leaves_of(addr, len);
                data.extend(leaves[..n].iter().map(|l| memory.prove_leaf_committed(l << LEAF_BITS)));
            }
            let r = |i: u8| state.regs[usize::from(i)];
            if instr == Some(Instr::Ecall) && is_preimage_read(r(reg::A7), r(reg::A0)) {
                preimage = parts.part(&state.preimage_key, state.preimage_offset);
            }
        }
        StepProof { pre: state.encode(), instruction, data, preimage }
    }
}

/// The two leaves (or one) of a data access, with their contents as the step changes them.
struct DataLeaves<'a> {
    proofs: &'a [LeafProof],
    indices: [u32; 2],
    values: [Hash; 2],
}

impl DataLeaves<'_> {
    /// The byte at `addr`, which lies in one of the leaves.
    fn slot(&self, addr: u32) -> (usize, usize) {
        let which = usize::from(addr >> LEAF_BITS != self.indices[0]);
        (which, (addr as usize) & (LEAF_SIZE - 1))
    }

    fn get(&self, addr: u32) -> u8 {
        let (w, o) = self.slot(addr);
        self.values[w][o]
    }

    fn put(&mut self, addr: u32, byte: u8) {
        let (w, o) = self.slot(addr);
        self.values[w][o] = byte;
    }

    fn load(&self, addr: u32, len: u32) -> u32 {
        let mut bytes = [0; 4];
        for (i, b) in bytes.iter_mut().enumerate().take(len as usize) {
            let (w, o) = self.slot(addr.wrapping_add(i as u32));
            *b = self.values[w][o];
        }
        u32::from_le_bytes(bytes)
    }

    fn store(&mut self, addr: u32, len: u32, value: u32) {
        for (i, b) in value.to_le_bytes().iter().enumerate().take(len as usize) {
            let (w, o) = self.slot(addr.wrapping_add(i as u32));
            self.values[w][o] = *b;
        }
    }

    /// The memory root after the writes. The second leaf's path was given against the pre-root;
    /// where it meets the first leaf's path (the sibling at the height where their numbers last
    /// differ) it takes the first leaf's new node.
    /// `None` without leaves, which the count check before execution rules out.
    fn root(&self) -> Option<Hash> {
        let first = self.proofs.first()?.ancestors(self.indices[0], &self.values[0]);
        let Some(second) = self.proofs.get(1) else {
            return Some(first[crate::merkle::LEAF_DEPTH]);
        };
        let meet = (31 - (self.indices[0] ^ self.indices[1]).leading_zeros()) as usize;
        let mut patched = second.clone();
        patched.siblings[meet] = first[meet];
        Some(patched.root(self.indices[1], &self.values[1]))
    }
}

/// [`verify_step_with`] with a store that knows no preimage: every step but a preimage read.
pub fn verify_step(pre_state_hash: &Hash, proof: &StepProof) -> Result<Hash, StepError> {
    verify_step_with(pre_state_hash, proof, &mut NoPreimages)
}

/// The reference one-step rule: checks `proof` against `pre_state_hash`, executes the one
/// instruction it shows, and returns the post-state's hash. An exited state steps to itself; a
/// trap exits ([`Trap`]). A preimage read's part must be the one `parts` has for the pre-state's
/// key and offset. `parts` is one dispute's own view of the oracle, with raw keys: on L1 a local
/// key (type 1) is looked up localized by the game and its context, which gives the same part.
pub fn verify_step_with(
    pre_state_hash: &Hash,
    proof: &StepProof,
    parts: &mut impl PreimageParts,
) -> Result<Hash, StepError> {
    let mut s = State::decode(&proof.pre)?;
    let actual = s.hash();
    if actual != *pre_state_hash {
        return Err(StepError::PreStateMismatch { claimed: *pre_state_hash, actual });
    }
    if s.exited {
        if proof.preimage.is_some() {
            return Err(StepError::UnexpectedPreimagePart);
        }
        return Ok(actual);
    }
    let pc = s.pc;
    // `Err(trap)`: a misaligned `pc` (no word is fetched, the instruction leaf is not checked) or
    // an illegal word. Either touches no memory and reads no preimage.
    let instr = if pc & 3 != 0 {
        Err(Trap::MisalignedFetch)
    } else {
        let leaf_index = pc >> LEAF_BITS;
        let ins = &proof.instruction;
        if ins.root(leaf_index, &ins.leaf) != s.memory_root {
            return Err(StepError::BadPath { role: LeafRole::Instruction, leaf_index });
        }
        let off = (pc as usize) & (LEAF_SIZE - 1);
        let word =
            u32::from_le_bytes([ins.leaf[off], ins.leaf[off + 1], ins.leaf[off + 2], ins.leaf[off + 3]]);
        decode(word).ok_or(Trap::IllegalInstruction)
    };

    let mut data = None;
    let (expected, got) = match instr.ok().and_then(|i| access(&i, &s.regs)) {
        Some((addr, len)) => {
            let (indices, n) = leaves_of(addr, len);
            for (i, (p, idx)) in proof.data.iter().zip(indices).enumerate().take(n) {
                if p.root(idx, &p.leaf) != s.memory_root {
                    return Err(StepError::BadPath { role: LeafRole::Data(i), leaf_index: idx });
                }
            }
            let values = [
                proof.data.first().map_or([0; 32], |p| p.leaf),
                proof.data.get(1).map_or([0; 32], |p| p.leaf),
            ];
            data = Some((addr, len, DataLeaves { proofs: &proof.data, indices, values }));
            (n, proof.data.len())
        }
        None => (0, proof.data.len()),
    };
    if expected != got {
        return Err(StepError::DataLeafCount { expected, got });
    }
    let reads_preimage = instr == Ok(Instr::Ecall) && is_preimage_read(s.regs[17], s.regs[10]);
    let part = match (reads_preimage, proof.preimage) {
        (true, None) => return Err(StepError::MissingPreimagePart),
        (false, Some(_)) => return Err(StepError::UnexpectedPreimagePart),
        (false, None) => None,
        (true, Some(part)) => {
            let (key, offset) = (s.preimage_key, s.preimage_offset);
            match parts.part(&key, offset) {
                None => return Err(StepError::UnknownPreimage { key }),
                Some(p) if p != part => return Err(StepError::PreimagePartMismatch { key, offset }),
                Some(p) => Some(p),
            }
        }
    };

    let r = |s: &State, i: u8| s.regs[usize::from(i & 31)];
    let set = |s: &mut State, i: u8, v: u32| {
        if i & 31 != 0 {
            s.regs[usize::from(i & 31)] = v;
        }
    };
    let instr = match instr {
        Ok(instr) => instr,
        Err(trap) => return trapped(s, trap),
    };
    let mut next = pc.wrapping_add(4);
    match instr {
        Instr::Alu { op, rd, rs1, rs2 } => {
            let v = alu(op, r(&s, rs1), r(&s, rs2));
            set(&mut s, rd, v);
        }
        Instr::AluImm { op, rd, rs1, imm } => {
            let v = alu(op, r(&s, rs1), imm);
            set(&mut s, rd, v);
        }
        Instr::Lui { rd, imm } => set(&mut s, rd, imm),
        Instr::Auipc { rd, imm } => set(&mut s, rd, pc.wrapping_add(imm)),
        Instr::Load { op, rd, .. } => {
            let Some((addr, len, leaves)) = &data else {
                return Err(StepError::DataLeafCount { expected: 1, got: 0 });
            };
            let raw = leaves.load(*addr, *len);
            let v = match op {
                LoadOp::Lb => raw as u8 as i8 as u32,
                LoadOp::Lh => raw as u16 as i16 as u32,
                LoadOp::Lw | LoadOp::Lbu | LoadOp::Lhu => raw,
            };
            set(&mut s, rd, v);
        }
        Instr::Store { rs2, .. } => {
            let v = r(&s, rs2);
            let Some((addr, len, leaves)) = &mut data else {
                return Err(StepError::DataLeafCount { expected: 1, got: 0 });
            };
            leaves.store(*addr, *len, v);
            s.memory_root = leaves.root().ok_or(StepError::DataLeafCount { expected: 1, got: 0 })?;
        }
        Instr::Branch { op, rs1, rs2, imm } => {
            if branch_taken(op, r(&s, rs1), r(&s, rs2)) {
                next = pc.wrapping_add(imm);
            }
        }
        Instr::Jal { rd, imm } => {
            set(&mut s, rd, next);
            next = pc.wrapping_add(imm);
        }
        Instr::Jalr { rd, rs1, imm } => {
            let target = r(&s, rs1).wrapping_add(imm) & !1;
            set(&mut s, rd, next);
            next = target;
        }
        Instr::Fence => {}
        Instr::Ebreak => return trapped(s, Trap::Breakpoint),
        Instr::Ecall => {
            let (fd, buf, len) = (r(&s, reg::A0), r(&s, reg::A1), r(&s, reg::A2));
            match (r(&s, reg::A7), fd) {
                // The bytes written to stdout, stderr or the hint fd are output, not state: only
                // the count returned is committed.
                (SYS_WRITE, 1 | 2 | FD_HINT_WRITE) => set(&mut s, reg::A0, len.min(MAX_WRITE)),
                (SYS_WRITE, FD_PREIMAGE_WRITE) => {
                    let n = key_write_len(buf, len);
                    if let Some((_, _, leaves)) = &data {
                        let bytes: Vec<u8> = (0..n).map(|i| leaves.get(buf.wrapping_add(i))).collect();
                        s.preimage_key = shift_key(&s.preimage_key, &bytes);
                    }
                    s.preimage_offset = 0;
                    set(&mut s, reg::A0, n);
                }
                // The acknowledgement of a hint: its bytes are not state, nothing is written.
                (SYS_READ, FD_HINT_READ) => set(&mut s, reg::A0, len),
                (SYS_READ, FD_PREIMAGE_READ) => {
                    let part = part.ok_or(StepError::MissingPreimagePart)?;
                    let n = preimage_read_len(s.preimage_offset, part.len, buf, len);
                    if n > 0 {
                        let Some((_, _, leaves)) = &mut data else {
                            return Err(StepError::DataLeafCount { expected: 1, got: 0 });
                        };
                        for i in 0..n {
                            leaves.put(buf.wrapping_add(i), part.bytes[i as usize]);
                        }
                        s.memory_root =
                            leaves.root().ok_or(StepError::DataLeafCount { expected: 1, got: 0 })?;
                    }
                    s.preimage_offset =
                        s.preimage_offset.checked_add(n).ok_or(StepError::PreimageOffsetOverflow)?;
                    set(&mut s, reg::A0, n);
                }
                (SYS_READ | SYS_WRITE, _) => set(&mut s, reg::A0, EBADF.wrapping_neg()),
                (SYS_EXIT | SYS_EXIT_GROUP, _) => {
                    s.exit_code = fd;
                    s.exited = true;
                }
                _ => return trapped(s, Trap::UnsupportedSyscall),
            }
        }
    }
    s.pc = next;
    s.steps = s.steps.checked_add(1).ok_or(StepError::StepOverflow)?;
    Ok(s.hash())
}

/// The post-state of a step that traps: exited with the trap's code, `pc` unchanged, the step
/// counted (`Machine::step` does the same).
fn trapped(mut s: State, trap: Trap) -> Result<Hash, StepError> {
    s.exited = true;
    s.exit_code = trap.exit_code();
    s.steps = s.steps.checked_add(1).ok_or(StepError::StepOverflow)?;
    Ok(s.hash())
}
