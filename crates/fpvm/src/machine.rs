//! The machine: all of its state in one struct, and the fetch-decode-execute step.
//!
//! The state is the 32 registers, `pc`, the memory, the step count, the exit code and the
//! preimage key and offset ([`PreimageState`], changed only by the oracle's syscalls). Nothing
//! else influences execution, which is what [`Machine::state_hash`] commits to.

use crate::{
    decode::{AluOp, BranchOp, Instr, LoadOp, Reg, StoreOp, decode},
    error::{Trap, VmError},
    memory::Memory,
    merkle::Hash,
    oracle::PreimageState,
    state::State,
    syscall::{SyscallError, SyscallResult, Syscalls},
};

/// Register numbers of the ABI names the VM itself uses.
pub mod reg {
    /// `sp`, set by the ELF loader.
    pub const SP: u8 = 2;
    /// `a0`: first syscall argument and the result.
    pub const A0: u8 = 10;
    /// `a1`: second syscall argument.
    pub const A1: u8 = 11;
    /// `a2`: third syscall argument.
    pub const A2: u8 = 12;
    /// `a7`: the syscall number.
    pub const A7: u8 = 17;
}

/// The guest exited: its code (the full `a0` of `exit`; Linux would keep the low 8 bits) and the
/// machine's step count, the `ecall` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// `a0` at the `exit` call.
    pub code: u32,
    /// Instructions executed since the machine was created.
    pub steps: u64,
}

/// An RV32IM hart with its memory.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// `regs[0]` is always 0: writes to x0 are dropped in [`Machine::set_reg`].
    regs: [u32; 32],
    pc: u32,
    memory: Memory,
    steps: u64,
    exit_code: Option<u32>,
    /// The preimage key the guest selected and its read offset.
    preimage: PreimageState,
}

impl Machine {
    /// A machine with zeroed registers and memory, at `pc`.
    pub fn new(pc: u32) -> Self {
        Self { pc, ..Self::default() }
    }

    /// Register `r` (`r` in 0..32; x0 reads 0).
    #[inline]
    pub fn reg(&self, r: Reg) -> u32 {
        self.regs[usize::from(r & 31)]
    }

    /// Sets register `r`; a write to x0 is ignored, as in the ISA.
    #[inline]
    pub fn set_reg(&mut self, r: Reg, value: u32) {
        let r = usize::from(r & 31);
        if r != 0 {
            self.regs[r] = value;
        }
    }

    /// All registers, x0 first.
    pub fn regs(&self) -> &[u32; 32] {
        &self.regs
    }

    /// The address of the next instruction.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Moves `pc`.
    pub fn set_pc(&mut self, pc: u32) {
        self.pc = pc;
    }

    /// The memory.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// The memory, for loading a program or serving a syscall.
    pub fn memory_mut(&mut self) -> &mut Memory {
        &mut self.memory
    }

    /// Instructions executed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The exit code, once the guest has exited.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_code
    }

    /// The oracle's part of the state: the selected preimage key and the read offset.
    pub fn preimage(&self) -> PreimageState {
        self.preimage
    }

    /// The state as the state hash commits to it, hashing the pages written since the last
    /// commitment.
    pub fn state(&mut self) -> State {
        State { memory_root: self.memory.memory_root(), ..self.core_state() }
    }

    /// The state without the memory root (left zero): what a snapshot keeps beside the pages.
    pub(crate) fn core_state(&self) -> State {
        State {
            memory_root: [0; 32],
            preimage_key: self.preimage.key,
            preimage_offset: self.preimage.offset,
            pc: self.pc,
            exit_code: self.exit_code.unwrap_or(0),
            exited: self.exit_code.is_some(),
            steps: self.steps,
            regs: self.regs,
        }
    }

    /// The VM state hash ([`State::hash`]).
    pub fn state_hash(&mut self) -> Hash {
        self.state().hash()
    }

    /// A machine in `state` (its `memory_root` ignored) with `memory`: a restored snapshot.
    pub(crate) fn from_parts(state: &State, memory: Memory) -> Self {
        Self {
            regs: state.regs,
            pc: state.pc,
            memory,
            steps: state.steps,
            exit_code: state.exited.then_some(state.exit_code),
            preimage: PreimageState { key: state.preimage_key, offset: state.preimage_offset },
        }
    }

    /// Runs until the guest exits (a trap exits too), or `max_steps` more instructions. Once the
    /// guest has exited, returns its [`Exit`] again without executing anything.
    pub fn run<S: Syscalls + ?Sized>(&mut self, sys: &mut S, max_steps: u64) -> Result<Exit, VmError> {
        for _ in 0..max_steps {
            if self.exit_code.is_some() {
                break;
            }
            self.step(sys)?;
        }
        match self.exit_code {
            Some(code) => Ok(Exit { code, steps: self.steps }),
            None => Err(VmError::StepLimit { steps: self.steps }),
        }
    }

    /// Executes one instruction. A trap exits the guest ([`Trap`]): `pc` stays at the trapping
    /// instruction, the step is counted. On an error (a limit of the host) nothing changes
    /// (registers, `pc`, memory, step count), so the failing state is the one to inspect. After
    /// the guest has exited, does nothing.
    #[inline]
    pub fn step<S: Syscalls + ?Sized>(&mut self, sys: &mut S) -> Result<(), VmError> {
        if self.exit_code.is_some() {
            return Ok(());
        }
        let pc = self.pc;
        if pc & 3 != 0 {
            return self.trap(Trap::MisalignedFetch);
        }
        let word = self.memory.load_u32(pc);
        let Some(instr) = decode(word) else {
            return self.trap(Trap::IllegalInstruction);
        };
        let mut next = pc.wrapping_add(4);
        match instr {
            Instr::Alu { op, rd, rs1, rs2 } => {
                let v = alu(op, self.reg(rs1), self.reg(rs2));
                self.set_reg(rd, v);
            }
            Instr::AluImm { op, rd, rs1, imm } => {
                let v = alu(op, self.reg(rs1), imm);
                self.set_reg(rd, v);
            }
            Instr::Lui { rd, imm } => self.set_reg(rd, imm),
            Instr::Auipc { rd, imm } => self.set_reg(rd, pc.wrapping_add(imm)),
            Instr::Load { op, rd, rs1, imm } => {
                let addr = self.reg(rs1).wrapping_add(imm);
                let m = &self.memory;
                let v = match op {
                    LoadOp::Lb => m.load_u8(addr) as i8 as u32,
                    LoadOp::Lh => m.load_u16(addr) as i16 as u32,
                    LoadOp::Lw => m.load_u32(addr),
                    LoadOp::Lbu => u32::from(m.load_u8(addr)),
                    LoadOp::Lhu => u32::from(m.load_u16(addr)),
                };
                self.set_reg(rd, v);
            }
            Instr::Store { op, rs1, rs2, imm } => {
                let addr = self.reg(rs1).wrapping_add(imm);
                let v = self.reg(rs2);
                match op {
                    StoreOp::Sb => self.memory.store_u8(addr, v as u8),
                    StoreOp::Sh => self.memory.store_u16(addr, v as u16),
                    StoreOp::Sw => self.memory.store_u32(addr, v),
                }
                .map_err(|source| VmError::Memory { pc, source })?;
            }
            Instr::Branch { op, rs1, rs2, imm } => {
                if branch_taken(op, self.reg(rs1), self.reg(rs2)) {
                    next = pc.wrapping_add(imm);
                }
            }
            Instr::Jal { rd, imm } => {
                self.set_reg(rd, next);
                next = pc.wrapping_add(imm);
            }
            Instr::Jalr { rd, rs1, imm } => {
                // The target is computed before rd is written: rd may equal rs1.
                let target = self.reg(rs1).wrapping_add(imm) & !1;
                self.set_reg(rd, next);
                next = target;
            }
            Instr::Fence => {}
            Instr::Ebreak => return self.trap(Trap::Breakpoint),
            Instr::Ecall => {
                let args = [self.reg(reg::A0), self.reg(reg::A1), self.reg(reg::A2)];
                match sys.syscall(self.reg(reg::A7), args, &mut self.memory, &mut self.preimage) {
                    Ok(SyscallResult::Return(v)) => self.set_reg(reg::A0, v),
                    Ok(SyscallResult::Exit(code)) => self.exit_code = Some(code),
                    Err(SyscallError::Unknown { .. }) => return self.trap(Trap::UnsupportedSyscall),
                    Err(source) => return Err(VmError::Syscall { pc, source }),
                }
            }
        }
        self.pc = next;
        self.steps += 1;
        Ok(())
    }

    /// The guest exits with `trap`'s code; `pc` stays, the step counts (the one-step rule's
    /// post-state of a trapping step).
    #[cold]
    fn trap(&mut self, trap: Trap) -> Result<(), VmError> {
        self.exit_code = Some(trap.exit_code());
        self.steps += 1;
        Ok(())
    }
}

/// Whether branch `op` on `a` and `b` is taken.
#[inline]
pub(crate) fn branch_taken(op: BranchOp, a: u32, b: u32) -> bool {
    match op {
        BranchOp::Beq => a == b,
        BranchOp::Bne => a != b,
        BranchOp::Blt => (a as i32) < (b as i32),
        BranchOp::Bge => (a as i32) >= (b as i32),
        BranchOp::Bltu => a < b,
        BranchOp::Bgeu => a >= b,
    }
}

/// `a op b` for the register-register and register-immediate operations, with the M extension's
/// results for division by zero (quotient all ones, remainder the dividend) and for
/// `i32::MIN / -1` (quotient `i32::MIN`, remainder 0): RISC-V defines them instead of trapping.
#[inline]
pub(crate) fn alu(op: AluOp, a: u32, b: u32) -> u32 {
    match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        // Register shift amounts are the low 5 bits of rs2.
        AluOp::Sll => a << (b & 31),
        AluOp::Srl => a >> (b & 31),
        AluOp::Sra => ((a as i32) >> (b & 31)) as u32,
        AluOp::Slt => u32::from((a as i32) < (b as i32)),
        AluOp::Sltu => u32::from(a < b),
        AluOp::Xor => a ^ b,
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::Mulh => ((i64::from(a as i32) * i64::from(b as i32)) >> 32) as u32,
        AluOp::Mulhsu => ((i64::from(a as i32) * i64::from(b)) >> 32) as u32,
        AluOp::Mulhu => ((u64::from(a) * u64::from(b)) >> 32) as u32,
        AluOp::Div => match b {
            0 => u32::MAX,
            _ => (a as i32).wrapping_div(b as i32) as u32,
        },
        AluOp::Divu => a.checked_div(b).unwrap_or(u32::MAX),
        AluOp::Rem => match b {
            0 => a,
            _ => (a as i32).wrapping_rem(b as i32) as u32,
        },
        AluOp::Remu => a.checked_rem(b).unwrap_or(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        asm::{self, alu as r, alu_imm as ri},
        syscall::{LinuxSyscalls, SyscallError},
    };

    const BASE: u32 = 0x1_0000;
    const MIN: u32 = i32::MIN as u32;
    const NEG1: u32 = u32::MAX;

    /// Runs `code` from `BASE` with registers `init`, one step per word.
    fn exec(init: &[(Reg, u32)], code: &[u32]) -> Machine {
        let mut m = Machine::new(BASE);
        m.memory_mut().write(BASE, &asm::words_to_bytes(code)).unwrap();
        for &(r, v) in init {
            m.set_reg(r, v);
        }
        for _ in code {
            m.step(&mut LinuxSyscalls::default()).unwrap();
        }
        m
    }

    /// `rd = a op b` through `op x3, x1, x2`.
    fn rr(op: AluOp, a: u32, b: u32) -> u32 {
        exec(&[(1, a), (2, b)], &[r(op, 3, 1, 2)]).reg(3)
    }

    /// `rd = a op imm` through `opi x3, x1, imm`.
    fn ri_(op: AluOp, a: u32, imm: i32) -> u32 {
        exec(&[(1, a)], &[ri(op, 3, 1, imm).unwrap()]).reg(3)
    }

    #[test]
    fn add_sub_wrap() {
        assert_eq!(rr(AluOp::Add, u32::MAX, 2), 1);
        assert_eq!(rr(AluOp::Sub, 0, 1), NEG1);
        assert_eq!(ri_(AluOp::Add, 5, -6), NEG1);
        assert_eq!(ri_(AluOp::Add, 0, -2048), (-2048i32) as u32);
    }

    #[test]
    fn shifts_use_the_low_five_bits() {
        assert_eq!(rr(AluOp::Sll, 1, 32), 1);
        assert_eq!(rr(AluOp::Sll, 1, 33), 2);
        assert_eq!(rr(AluOp::Srl, MIN, 31), 1);
        assert_eq!(rr(AluOp::Srl, MIN, 63), 1);
        assert_eq!(rr(AluOp::Sra, MIN, 31), NEG1);
        assert_eq!(rr(AluOp::Sra, MIN, 0xffff_ffe4), 0xf800_0000); // shift by 4
        assert_eq!(ri_(AluOp::Srl, NEG1, 28), 0xf);
        assert_eq!(ri_(AluOp::Sra, 0x8000_0000, 28), 0xffff_fff8);
        assert_eq!(ri_(AluOp::Sll, 3, 31), MIN);
    }

    #[test]
    fn set_less_than_signed_and_unsigned() {
        assert_eq!(rr(AluOp::Slt, NEG1, 0), 1);
        assert_eq!(rr(AluOp::Sltu, NEG1, 0), 0);
        assert_eq!(rr(AluOp::Slt, 0, 0), 0);
        assert_eq!(rr(AluOp::Sltu, 0, 1), 1);
        // sltiu compares against the sign-extended immediate as unsigned: x < 0xffffffff.
        assert_eq!(ri_(AluOp::Sltu, 5, -1), 1);
        assert_eq!(ri_(AluOp::Slt, 5, -1), 0);
        assert_eq!(ri_(AluOp::Sltu, 0, 1), 1); // seqz
    }

    #[test]
    fn logic_with_sign_extended_immediates() {
        assert_eq!(ri_(AluOp::Xor, 0x1234_5678, -1), !0x1234_5678);
        assert_eq!(ri_(AluOp::And, NEG1, -2048), 0xffff_f800);
        assert_eq!(ri_(AluOp::Or, 0, 0x7ff), 0x7ff);
        assert_eq!(rr(AluOp::And, 0xf0f0, 0xff00), 0xf000);
    }

    #[test]
    fn multiplication_high_words_by_signedness() {
        assert_eq!(rr(AluOp::Mul, 0x1_0001, 0x1_0001), 0x2_0001);
        assert_eq!(rr(AluOp::Mulh, NEG1, NEG1), 0); // (-1)(-1) = 1
        assert_eq!(rr(AluOp::Mulhu, NEG1, NEG1), 0xffff_fffe);
        assert_eq!(rr(AluOp::Mulhsu, NEG1, NEG1), NEG1); // (-1)(2^32-1) = -(2^32-1)
        assert_eq!(rr(AluOp::Mulh, MIN, MIN), 0x4000_0000);
        assert_eq!(rr(AluOp::Mulhsu, MIN, NEG1), 0x8000_0000);
        assert_eq!(rr(AluOp::Mulhsu, 2, NEG1), 1);
        assert_eq!(rr(AluOp::Mulh, 2, NEG1), NEG1);
    }

    #[test]
    fn division_by_zero_and_overflow_follow_the_spec() {
        assert_eq!(rr(AluOp::Div, 7, 0), NEG1);
        assert_eq!(rr(AluOp::Divu, 7, 0), NEG1);
        assert_eq!(rr(AluOp::Rem, 7, 0), 7);
        assert_eq!(rr(AluOp::Remu, 7, 0), 7);
        assert_eq!(rr(AluOp::Div, MIN, NEG1), MIN);
        assert_eq!(rr(AluOp::Rem, MIN, NEG1), 0);
        // Signed division truncates toward zero; the remainder has the dividend's sign.
        assert_eq!(rr(AluOp::Div, (-7i32) as u32, 2), (-3i32) as u32);
        assert_eq!(rr(AluOp::Rem, (-7i32) as u32, 2), NEG1);
        assert_eq!(rr(AluOp::Divu, (-7i32) as u32, 2), 0x7fff_fffc);
        assert_eq!(rr(AluOp::Remu, (-7i32) as u32, 2), 1);
    }

    #[test]
    fn writes_to_x0_are_ignored() {
        let m = exec(&[(1, 5)], &[asm::addi(0, 1, 1), asm::lui(0, 0x1000), r(AluOp::Mul, 0, 1, 1)]);
        assert_eq!(m.reg(0), 0);
        assert_eq!(m.regs()[0], 0);
    }

    #[test]
    fn lui_and_auipc() {
        let m = exec(&[], &[asm::lui(1, 0xdead_b000), asm::auipc(2, 0xffff_f000)]);
        assert_eq!(m.reg(1), 0xdead_b000);
        assert_eq!(m.reg(2), BASE + 4 - 0x1000);
    }

    #[test]
    fn loads_sign_or_zero_extend() {
        let mut m = exec(&[], &[]);
        m.memory_mut().write(0x2000, &[0x80, 0xff, 0x7f, 0x01]).unwrap();
        let code = [
            asm::load(LoadOp::Lb, 3, 1, 0),
            asm::load(LoadOp::Lbu, 4, 1, 0),
            asm::load(LoadOp::Lh, 5, 1, 0),
            asm::load(LoadOp::Lhu, 6, 1, 0),
            asm::load(LoadOp::Lh, 7, 1, 2),
            asm::lw(8, 1, 0),
            asm::load(LoadOp::Lhu, 9, 1, 1), // misaligned: bytes 1 and 2
        ];
        m.memory_mut().write(BASE, &asm::words_to_bytes(&code)).unwrap();
        m.set_reg(1, 0x2000);
        for _ in code {
            m.step(&mut LinuxSyscalls::default()).unwrap();
        }
        assert_eq!(m.reg(3), 0xffff_ff80);
        assert_eq!(m.reg(4), 0x80);
        assert_eq!(m.reg(5), 0xffff_ff80);
        assert_eq!(m.reg(6), 0xff80);
        assert_eq!(m.reg(7), 0x017f);
        assert_eq!(m.reg(8), 0x017f_ff80);
        assert_eq!(m.reg(9), 0x7fff);
    }

    #[test]
    fn stores_write_their_width_only() {
        let m = exec(
            &[(1, 0x3001), (2, 0xaabb_ccdd)],
            &[asm::sw(1, -1, 2), asm::store(StoreOp::Sh, 1, 4, 2), asm::store(StoreOp::Sb, 1, 7, 2)],
        );
        assert_eq!(m.memory().read(0x3000, 10), [0xdd, 0xcc, 0xbb, 0xaa, 0, 0xdd, 0xcc, 0, 0xdd, 0]);
    }

    #[test]
    fn branches_compare_signed_and_unsigned() {
        for (op, a, b, taken) in [
            (BranchOp::Beq, 1, 1, true),
            (BranchOp::Bne, 1, 1, false),
            (BranchOp::Blt, NEG1, 0, true),
            (BranchOp::Bltu, NEG1, 0, false),
            (BranchOp::Bge, 0, NEG1, true),
            (BranchOp::Bge, 3, 3, true),
            (BranchOp::Bgeu, 0, NEG1, false),
        ] {
            let m = exec(&[(1, a), (2, b)], &[asm::branch(op, 1, 2, -8)]);
            assert_eq!(m.pc(), if taken { BASE - 8 } else { BASE + 4 }, "{op:?} {a:#x} {b:#x}");
        }
    }

    #[test]
    fn jal_links_and_jalr_clears_bit_zero() {
        let m = exec(&[], &[asm::jal(1, 0x800)]);
        assert_eq!((m.reg(1), m.pc()), (BASE + 4, BASE + 0x800));
        let m = exec(&[(5, 0x4003)], &[asm::jalr(1, 5, 2)]);
        assert_eq!((m.reg(1), m.pc()), (BASE + 4, 0x4004));
        // rd = rs1: the target uses the old value.
        let m = exec(&[(5, 0x4001)], &[asm::jalr(5, 5, 0)]);
        assert_eq!((m.reg(5), m.pc()), (BASE + 4, 0x4000));
    }

    #[test]
    fn fence_is_a_no_op() {
        let m = exec(&[(1, 9)], &[asm::FENCE]);
        assert_eq!((m.reg(1), m.pc(), m.steps()), (9, BASE + 4, 1));
    }

    #[test]
    fn traps_exit_with_the_signals_code() {
        // (pc, code at BASE, registers): each traps at its first step.
        type Case<'a> = (u32, u32, &'a [(Reg, u32)], Trap);
        let cases: [Case<'_>; 5] = [
            (BASE, asm::EBREAK, &[], Trap::Breakpoint),
            (BASE, 0x3000_2573, &[], Trap::IllegalInstruction), // csrr
            (BASE, 0, &[], Trap::IllegalInstruction),
            (BASE + 2, asm::addi(1, 1, 1), &[], Trap::MisalignedFetch),
            (BASE, asm::ECALL, &[(reg::A7, 1234)], Trap::UnsupportedSyscall),
        ];
        for (pc, word, regs, trap) in cases {
            let mut m = Machine::new(pc);
            m.memory_mut().write(BASE, &asm::words_to_bytes(&[word, word])).unwrap();
            for &(r, v) in regs {
                m.set_reg(r, v);
            }
            let before = *m.regs();
            assert_eq!(
                m.run(&mut LinuxSyscalls::default(), 10),
                Ok(Exit { code: trap.exit_code(), steps: 1 })
            );
            // Only the exit and the step count change: pc stays at the trapping instruction.
            assert_eq!((m.pc(), *m.regs(), m.exit_code()), (pc, before, Some(trap.exit_code())), "{trap:?}");
            assert_eq!(Trap::from_exit_code(trap.exit_code()), Some(trap));
        }
        assert_eq!(Trap::ALL.map(Trap::exit_code), [132, 133, 135, 159]);
        assert_eq!(Trap::from_exit_code(1), None);
    }

    #[test]
    fn host_errors_leave_the_state_unchanged() {
        // A syscall the host cannot serve (here a store beyond the page limit) is not a trap.
        let mut m = Machine::new(BASE);
        m.memory_mut().write(BASE, &asm::words_to_bytes(&[asm::ECALL])).unwrap();
        m.set_reg(reg::A7, 63);
        m.set_reg(reg::A0, 5);
        let mut sys = crate::OracleSyscalls::new(pillar_preimage::MapOracle::new());
        let err = m.step(&mut sys).unwrap_err();
        assert!(matches!(err, VmError::Syscall { pc: BASE, source: SyscallError::Oracle(_) }), "{err:?}");
        assert_eq!((m.pc(), m.steps(), m.exit_code()), (BASE, 0, None));
    }

    #[test]
    fn write_and_exit() {
        let mut code = Vec::new();
        code.extend(asm::li(reg::A1, 0x2000));
        code.extend([
            asm::addi(reg::A0, 0, 1),
            asm::addi(reg::A2, 0, 3),
            asm::addi(reg::A7, 0, 64),
            asm::ECALL,
            asm::addi(reg::A0, 0, 9), // not 1 or 2: EBADF
            asm::ECALL,
            asm::addi(reg::A0, 0, 42),
            asm::addi(reg::A7, 0, 93),
            asm::ECALL,
            asm::EBREAK,
        ]);
        let mut m = Machine::new(BASE);
        m.memory_mut().write(BASE, &asm::words_to_bytes(&code)).unwrap();
        m.memory_mut().write(0x2000, b"hi\n").unwrap();
        let mut sys = LinuxSyscalls::default();
        assert_eq!(m.run(&mut sys, 100), Ok(Exit { code: 42, steps: 11 }));
        assert_eq!(sys.stdout, b"hi\n");
        // Running an exited machine again changes nothing.
        assert_eq!(m.run(&mut sys, 100), Ok(Exit { code: 42, steps: 11 }));
    }

    #[test]
    fn step_limit() {
        let mut m = Machine::new(BASE);
        m.memory_mut().write(BASE, &asm::words_to_bytes(&[asm::jal(0, 0)])).unwrap();
        assert_eq!(m.run(&mut LinuxSyscalls::default(), 1000), Err(VmError::StepLimit { steps: 1000 }));
    }

    #[test]
    fn store_beyond_the_page_limit_is_an_error() {
        let mut m = Machine::new(BASE);
        m.memory_mut().write(BASE, &asm::words_to_bytes(&[asm::sw(0, 0x100, 0)])).unwrap();
        m.memory_mut().set_page_limit(1);
        let err = m.step(&mut LinuxSyscalls::default()).unwrap_err();
        assert!(matches!(err, VmError::Memory { pc: BASE, .. }), "{err:?}");
    }
}
