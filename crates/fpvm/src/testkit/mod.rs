//! The random-program generator the property tests share (feature `testkit`): the differential
//! test against `qemu-riscv32`, the step-proof tests, and the L1 `step` contract's differential
//! test in pillar-l1 all draw their programs from here, so they exercise the same instructions.
//!
//! A program sets x1..x30 to random values, runs random ALU, M-extension, LUI/AUIPC, load and
//! store instructions and forward branches and jumps, then dumps all 32 registers into the last
//! 128 bytes of a 4 KiB scratch page, writes the page to stdout with `write` and exits with code
//! 0. x31 holds the scratch page's middle throughout and is never written, so every load and
//! store (any alignment, across 32-byte leaves) stays in the page.

use proptest::prelude::*;

use crate::{AluOp, BranchOp, LoadOp, StoreOp, asm};

mod code;

pub use code::{Code, ecrecover_input, hex};

/// Where the program's code starts (its entry point).
pub const CODE: u32 = 0x1_0000;
/// The 4 KiB scratch page that loads and stores address.
pub const SCRATCH: u32 = 0x2_0000;
/// x31: the scratch page's middle, so 12-bit offsets reach all of it.
pub const BASE: u32 = SCRATCH + 2048;
/// Offset from x31 of the register dump, the page's last 128 bytes; random stores stay below it.
pub const DUMP: i32 = 1920;

/// One generated instruction.
#[derive(Debug, Clone)]
pub enum Op {
    /// `op rd, rs1, rs2`.
    Alu(AluOp, u8, u8, u8),
    /// `opi rd, rs1, imm`.
    Imm(AluOp, u8, u8, i32),
    /// `lui rd, imm`.
    Lui(u8, u32),
    /// `auipc rd, imm`.
    Auipc(u8, u32),
    /// A load into `rd` from x31 + offset.
    Load(LoadOp, u8, i32),
    /// A store of `rs2` to x31 + offset.
    Store(StoreOp, u8, i32),
    /// A forward branch over `skip` instructions (taken or not, by the registers).
    Branch(BranchOp, u8, u8, i32),
    /// `jal rd` over `skip` instructions.
    Jal(u8, i32),
}

const ALU: [AluOp; 18] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Sll,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Srl,
    AluOp::Sra,
    AluOp::Or,
    AluOp::And,
    AluOp::Mul,
    AluOp::Mulh,
    AluOp::Mulhsu,
    AluOp::Mulhu,
    AluOp::Div,
    AluOp::Divu,
    AluOp::Rem,
    AluOp::Remu,
];
const IMM: [AluOp; 9] = [
    AluOp::Add,
    AluOp::Slt,
    AluOp::Sltu,
    AluOp::Xor,
    AluOp::Or,
    AluOp::And,
    AluOp::Sll,
    AluOp::Srl,
    AluOp::Sra,
];
const LOADS: [LoadOp; 5] = [LoadOp::Lb, LoadOp::Lh, LoadOp::Lw, LoadOp::Lbu, LoadOp::Lhu];
const STORES: [StoreOp; 3] = [StoreOp::Sb, StoreOp::Sh, StoreOp::Sw];
const BRANCHES: [BranchOp; 6] =
    [BranchOp::Beq, BranchOp::Bne, BranchOp::Blt, BranchOp::Bge, BranchOp::Bltu, BranchOp::Bgeu];

/// Any register but x31 (x0 included: writes to it must be dropped).
fn reg() -> impl Strategy<Value = u8> {
    0u8..31
}

/// Register values with the edge cases the M extension and shifts care about.
pub fn value() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => any::<u32>(),
        1 => prop::sample::select(vec![0, 1, 2, 31, 32, u32::MAX, i32::MIN as u32, i32::MAX as u32]),
        1 => 0u32..64,
    ]
}

/// One random instruction.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (prop::sample::select(&ALU[..]), reg(), reg(), reg()).prop_map(|(o, d, a, b)| Op::Alu(o, d, a, b)),
        3 => (prop::sample::select(&IMM[..]), reg(), reg(), -2048i32..2048).prop_map(|(o, d, a, i)| Op::Imm(o, d, a, i)),
        1 => (reg(), any::<u32>()).prop_map(|(d, i)| Op::Lui(d, i)),
        1 => (reg(), any::<u32>()).prop_map(|(d, i)| Op::Auipc(d, i)),
        2 => (prop::sample::select(&LOADS[..]), reg(), -2048i32..2045).prop_map(|(o, d, off)| Op::Load(o, d, off)),
        2 => (prop::sample::select(&STORES[..]), reg(), -2048i32..DUMP - 3).prop_map(|(o, s, off)| Op::Store(o, s, off)),
        // At most 4 ahead: past the last op a skip lands in the register dump, which then keeps
        // some scratch bytes instead, the same under every runner.
        1 => (prop::sample::select(&BRANCHES[..]), reg(), reg(), 0i32..4).prop_map(|(o, a, b, k)| Op::Branch(o, a, b, k)),
        1 => (reg(), 0i32..4).prop_map(|(d, k)| Op::Jal(d, k)),
    ]
}

/// The ELF of a program: x1..x30 set to `init`, then `ops`, then the register dump, a `write` of
/// the scratch page (initially `scratch`) to stdout and `exit(0)`.
pub fn program(init: &[u32], ops: &[Op], scratch: &[u8]) -> Vec<u8> {
    let mut code = Vec::new();
    for (r, v) in (1u8..).zip(init) {
        code.extend(asm::li(r, *v));
    }
    code.extend(asm::li(31, BASE));
    for op in ops {
        code.push(match *op {
            Op::Alu(o, d, a, b) => asm::alu(o, d, a, b),
            Op::Imm(o, d, a, i) => asm::alu_imm(o, d, a, i).expect("IMM lists immediate forms only"),
            Op::Lui(d, i) => asm::lui(d, i),
            Op::Auipc(d, i) => asm::auipc(d, i),
            Op::Load(o, d, off) => asm::load(o, d, 31, off),
            Op::Store(o, s, off) => asm::store(o, 31, off, s),
            Op::Branch(o, a, b, skip) => asm::branch(o, a, b, 4 * (skip + 1)),
            Op::Jal(d, skip) => asm::jal(d, 4 * (skip + 1)),
        });
    }
    for r in 0u8..32 {
        code.push(asm::sw(31, DUMP + 4 * i32::from(r), r));
    }
    code.extend(asm::li(11, SCRATCH));
    code.extend([asm::addi(10, 0, 1), asm::lui(12, 4096), asm::addi(17, 0, 64), asm::ECALL]);
    code.extend([asm::addi(10, 0, 0), asm::addi(17, 0, 93), asm::ECALL]);
    asm::elf(CODE, &[(CODE, &asm::words_to_bytes(&code)), (SCRATCH, scratch)])
}
