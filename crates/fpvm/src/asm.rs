//! A minimal RV32IM assembler and ELF32 writer, for tests, benches and tools that need a guest
//! without a cross compiler: the differential tests against `qemu-riscv32` generate programs with
//! it, and the benches their hot loops.
//!
//! Encoders take register numbers and signed immediates and keep only the bits the format has;
//! they do not check ranges (a test that wants an out-of-range immediate gets the truncation the
//! hardware encoding implies).

use crate::decode::{AluOp, BranchOp, LoadOp, Reg, StoreOp};

fn r(funct7: u32, rs2: Reg, rs1: Reg, funct3: u32, rd: Reg, opcode: u32) -> u32 {
    (funct7 << 25)
        | (u32::from(rs2 & 31) << 20)
        | (u32::from(rs1 & 31) << 15)
        | (funct3 << 12)
        | (u32::from(rd & 31) << 7)
        | opcode
}

fn i(imm: i32, rs1: Reg, funct3: u32, rd: Reg, opcode: u32) -> u32 {
    ((imm as u32) << 20) | (u32::from(rs1 & 31) << 15) | (funct3 << 12) | (u32::from(rd & 31) << 7) | opcode
}

fn s(imm: i32, rs2: Reg, rs1: Reg, funct3: u32, opcode: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5 & 0x7f) << 25)
        | (u32::from(rs2 & 31) << 20)
        | (u32::from(rs1 & 31) << 15)
        | (funct3 << 12)
        | ((imm & 31) << 7)
        | opcode
}

/// `op rd, rs1, rs2`.
pub fn alu(op: AluOp, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
    let (funct7, funct3) = match op {
        AluOp::Add => (0x00, 0),
        AluOp::Sub => (0x20, 0),
        AluOp::Sll => (0x00, 1),
        AluOp::Slt => (0x00, 2),
        AluOp::Sltu => (0x00, 3),
        AluOp::Xor => (0x00, 4),
        AluOp::Srl => (0x00, 5),
        AluOp::Sra => (0x20, 5),
        AluOp::Or => (0x00, 6),
        AluOp::And => (0x00, 7),
        AluOp::Mul => (0x01, 0),
        AluOp::Mulh => (0x01, 1),
        AluOp::Mulhsu => (0x01, 2),
        AluOp::Mulhu => (0x01, 3),
        AluOp::Div => (0x01, 4),
        AluOp::Divu => (0x01, 5),
        AluOp::Rem => (0x01, 6),
        AluOp::Remu => (0x01, 7),
    };
    r(funct7, rs2, rs1, funct3, rd, 0x33)
}

/// `opi rd, rs1, imm`, or `None` for an operation without an immediate form (`sub` and the M
/// extension). Shift amounts keep their low 5 bits.
pub fn alu_imm(op: AluOp, rd: Reg, rs1: Reg, imm: i32) -> Option<u32> {
    let (funct3, imm) = match op {
        AluOp::Add => (0, imm),
        AluOp::Slt => (2, imm),
        AluOp::Sltu => (3, imm),
        AluOp::Xor => (4, imm),
        AluOp::Or => (6, imm),
        AluOp::And => (7, imm),
        AluOp::Sll => (1, imm & 31),
        AluOp::Srl => (5, imm & 31),
        AluOp::Sra => (5, (imm & 31) | 0x400),
        _ => return None,
    };
    Some(i(imm, rs1, funct3, rd, 0x13))
}

/// `op rd, imm(rs1)`.
pub fn load(op: LoadOp, rd: Reg, rs1: Reg, imm: i32) -> u32 {
    let funct3 = match op {
        LoadOp::Lb => 0,
        LoadOp::Lh => 1,
        LoadOp::Lw => 2,
        LoadOp::Lbu => 4,
        LoadOp::Lhu => 5,
    };
    i(imm, rs1, funct3, rd, 0x03)
}

/// `op rs2, imm(rs1)`.
pub fn store(op: StoreOp, rs1: Reg, imm: i32, rs2: Reg) -> u32 {
    let funct3 = match op {
        StoreOp::Sb => 0,
        StoreOp::Sh => 1,
        StoreOp::Sw => 2,
    };
    s(imm, rs2, rs1, funct3, 0x23)
}

/// `op rs1, rs2, pc + imm` (`imm` even, within ±4 KiB).
pub fn branch(op: BranchOp, rs1: Reg, rs2: Reg, imm: i32) -> u32 {
    let funct3 = match op {
        BranchOp::Beq => 0,
        BranchOp::Bne => 1,
        BranchOp::Blt => 4,
        BranchOp::Bge => 5,
        BranchOp::Bltu => 6,
        BranchOp::Bgeu => 7,
    };
    let imm = imm as u32;
    ((imm >> 12 & 1) << 31)
        | ((imm >> 5 & 0x3f) << 25)
        | (u32::from(rs2 & 31) << 20)
        | (u32::from(rs1 & 31) << 15)
        | (funct3 << 12)
        | ((imm >> 1 & 0xf) << 8)
        | ((imm >> 11 & 1) << 7)
        | 0x63
}

/// `addi rd, rs1, imm`.
pub fn addi(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}

/// `lw rd, imm(rs1)`.
pub fn lw(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    load(LoadOp::Lw, rd, rs1, imm)
}

/// `sw rs2, imm(rs1)`.
pub fn sw(rs1: Reg, imm: i32, rs2: Reg) -> u32 {
    store(StoreOp::Sw, rs1, imm, rs2)
}

/// `beq rs1, rs2, pc + imm`.
pub fn beq(rs1: Reg, rs2: Reg, imm: i32) -> u32 {
    branch(BranchOp::Beq, rs1, rs2, imm)
}

/// `bne rs1, rs2, pc + imm`.
pub fn bne(rs1: Reg, rs2: Reg, imm: i32) -> u32 {
    branch(BranchOp::Bne, rs1, rs2, imm)
}

/// `lui rd, imm >> 12` (`imm`'s low 12 bits are dropped).
pub fn lui(rd: Reg, imm: u32) -> u32 {
    (imm & 0xffff_f000) | (u32::from(rd & 31) << 7) | 0x37
}

/// `auipc rd, imm >> 12`.
pub fn auipc(rd: Reg, imm: u32) -> u32 {
    (imm & 0xffff_f000) | (u32::from(rd & 31) << 7) | 0x17
}

/// `jal rd, pc + imm` (`imm` even, within ±1 MiB).
pub fn jal(rd: Reg, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 20 & 1) << 31)
        | ((imm >> 1 & 0x3ff) << 21)
        | ((imm >> 11 & 1) << 20)
        | (imm & 0xf_f000)
        | (u32::from(rd & 31) << 7)
        | 0x6f
}

/// `jalr rd, imm(rs1)`.
pub fn jalr(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x67)
}

/// `ecall`.
pub const ECALL: u32 = 0x0000_0073;
/// `ebreak`.
pub const EBREAK: u32 = 0x0010_0073;
/// `fence` (iorw, iorw).
pub const FENCE: u32 = 0x0ff0_000f;

/// `li rd, value` as `lui` + `addi`: the `addi`'s sign-extended low 12 bits are compensated in
/// the `lui`.
pub fn li(rd: Reg, value: u32) -> [u32; 2] {
    let lo = ((value << 20) as i32) >> 20;
    [lui(rd, value.wrapping_sub(lo as u32)), addi(rd, rd, lo)]
}

/// Little-endian bytes of instruction words.
pub fn words_to_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A static little-endian ELF32 RISC-V executable (`ET_EXEC`) with one readable, writable and
/// executable `PT_LOAD` segment per `(vaddr, bytes)`, entering at `entry`. Each segment's file
/// offset is congruent to its address modulo 4 KiB, as Linux (and so `qemu-riscv32`) requires
/// to map it.
pub fn elf(entry: u32, segments: &[(u32, &[u8])]) -> Vec<u8> {
    const EHSIZE: usize = 52;
    const PHENTSIZE: usize = 32;
    let mut out = vec![0u8; EHSIZE + PHENTSIZE * segments.len()];
    out[..16].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let put16 = |out: &mut Vec<u8>, at: usize, v: u16| out[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |out: &mut Vec<u8>, at: usize, v: u32| out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut out, 16, 2); // ET_EXEC
    put16(&mut out, 18, 0xf3); // EM_RISCV
    put32(&mut out, 20, 1); // EV_CURRENT
    put32(&mut out, 24, entry);
    put32(&mut out, 28, EHSIZE as u32); // e_phoff
    put16(&mut out, 40, EHSIZE as u16);
    put16(&mut out, 42, PHENTSIZE as u16);
    put16(&mut out, 44, segments.len() as u16);
    put16(&mut out, 46, 40); // e_shentsize, no section headers
    for (n, (vaddr, bytes)) in segments.iter().enumerate() {
        let mut offset = out.len();
        while offset % 4096 != *vaddr as usize % 4096 {
            offset += 1;
        }
        out.resize(offset, 0);
        out.extend_from_slice(bytes);
        let ph = EHSIZE + n * PHENTSIZE;
        put32(&mut out, ph, 1); // PT_LOAD
        put32(&mut out, ph + 4, offset as u32);
        put32(&mut out, ph + 8, *vaddr);
        put32(&mut out, ph + 12, *vaddr);
        put32(&mut out, ph + 16, bytes.len() as u32);
        put32(&mut out, ph + 20, bytes.len() as u32);
        put32(&mut out, ph + 24, 7); // PF_R | PF_W | PF_X
        put32(&mut out, ph + 28, 4096);
    }
    out
}
