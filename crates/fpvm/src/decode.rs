//! Decoding a 32-bit word into an RV32IM instruction.
//!
//! The VM's ISA is RV32I plus M, nothing else: every word outside it (compressed, atomics, float,
//! CSR instructions, reserved encodings) decodes to `None`, on which the machine traps
//! ([`crate::Trap::IllegalInstruction`]). Immediates come out sign-extended as the spec says, so
//! execution never looks at raw bits again.

/// A register number, 0..=31.
pub type Reg = u8;

/// Register-register operations (opcode OP, and OP-IMM with the immediate as the second operand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // the spec's mnemonics
pub enum AluOp {
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
}

/// Conditional branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BranchOp {
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
}

/// Loads, by width and extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum LoadOp {
    Lb,
    Lh,
    Lw,
    Lbu,
    Lhu,
}

/// Stores, by width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum StoreOp {
    Sb,
    Sh,
    Sw,
}

/// One decoded RV32IM instruction. Immediates are sign-extended (`imm` of `Lui`/`Auipc` is the
/// upper 20 bits already shifted into place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Instr {
    Lui {
        rd: Reg,
        imm: u32,
    },
    Auipc {
        rd: Reg,
        imm: u32,
    },
    Jal {
        rd: Reg,
        imm: u32,
    },
    Jalr {
        rd: Reg,
        rs1: Reg,
        imm: u32,
    },
    Branch {
        op: BranchOp,
        rs1: Reg,
        rs2: Reg,
        imm: u32,
    },
    Load {
        op: LoadOp,
        rd: Reg,
        rs1: Reg,
        imm: u32,
    },
    Store {
        op: StoreOp,
        rs1: Reg,
        rs2: Reg,
        imm: u32,
    },
    /// OP-IMM: `rd = rs1 op imm` (shift amounts are already the low 5 bits).
    AluImm {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        imm: u32,
    },
    /// OP: `rd = rs1 op rs2`.
    Alu {
        op: AluOp,
        rd: Reg,
        rs1: Reg,
        rs2: Reg,
    },
    /// FENCE and FENCE.I's neighbour FENCE: a no-op on one hart without caches to order.
    Fence,
    Ecall,
    Ebreak,
}

#[inline]
fn rd(w: u32) -> Reg {
    ((w >> 7) & 31) as Reg
}
#[inline]
fn rs1(w: u32) -> Reg {
    ((w >> 15) & 31) as Reg
}
#[inline]
fn rs2(w: u32) -> Reg {
    ((w >> 20) & 31) as Reg
}
#[inline]
fn imm_i(w: u32) -> u32 {
    ((w as i32) >> 20) as u32
}
#[inline]
fn imm_s(w: u32) -> u32 {
    (((w as i32) >> 20) as u32 & !31) | ((w >> 7) & 31)
}
#[inline]
fn imm_b(w: u32) -> u32 {
    (((w as i32) >> 19) as u32 & !0xfff) // bit 31 → 12 and above
        | ((w << 4) & 0x800) // bit 7 → 11
        | ((w >> 20) & 0x7e0) // bits 30..25 → 10..5
        | ((w >> 7) & 0x1e) // bits 11..8 → 4..1
}
#[inline]
fn imm_j(w: u32) -> u32 {
    (((w as i32) >> 11) as u32 & !0xf_ffff) // bit 31 → 20 and above
        | (w & 0xf_f000) // bits 19..12
        | ((w >> 9) & 0x800) // bit 20 → 11
        | ((w >> 20) & 0x7fe) // bits 30..21 → 10..1
}

/// Decodes `word`, or `None` if it is not an RV32IM instruction.
#[inline]
pub fn decode(word: u32) -> Option<Instr> {
    let funct3 = (word >> 12) & 7;
    let funct7 = word >> 25;
    Some(match word & 0x7f {
        0x37 => Instr::Lui { rd: rd(word), imm: word & 0xffff_f000 },
        0x17 => Instr::Auipc { rd: rd(word), imm: word & 0xffff_f000 },
        0x6f => Instr::Jal { rd: rd(word), imm: imm_j(word) },
        0x67 if funct3 == 0 => Instr::Jalr { rd: rd(word), rs1: rs1(word), imm: imm_i(word) },
        0x63 => {
            let op = match funct3 {
                0 => BranchOp::Beq,
                1 => BranchOp::Bne,
                4 => BranchOp::Blt,
                5 => BranchOp::Bge,
                6 => BranchOp::Bltu,
                7 => BranchOp::Bgeu,
                _ => return None,
            };
            Instr::Branch { op, rs1: rs1(word), rs2: rs2(word), imm: imm_b(word) }
        }
        0x03 => {
            let op = match funct3 {
                0 => LoadOp::Lb,
                1 => LoadOp::Lh,
                2 => LoadOp::Lw,
                4 => LoadOp::Lbu,
                5 => LoadOp::Lhu,
                _ => return None,
            };
            Instr::Load { op, rd: rd(word), rs1: rs1(word), imm: imm_i(word) }
        }
        0x23 => {
            let op = match funct3 {
                0 => StoreOp::Sb,
                1 => StoreOp::Sh,
                2 => StoreOp::Sw,
                _ => return None,
            };
            Instr::Store { op, rs1: rs1(word), rs2: rs2(word), imm: imm_s(word) }
        }
        0x13 => {
            let imm = imm_i(word);
            let op = match (funct3, funct7) {
                (0, _) => AluOp::Add,
                (2, _) => AluOp::Slt,
                (3, _) => AluOp::Sltu,
                (4, _) => AluOp::Xor,
                (6, _) => AluOp::Or,
                (7, _) => AluOp::And,
                // Shifts by an immediate: RV32 has 5-bit shift amounts, so imm[5] must be 0.
                (1, 0x00) => AluOp::Sll,
                (5, 0x00) => AluOp::Srl,
                (5, 0x20) => AluOp::Sra,
                _ => return None,
            };
            let imm = if matches!(funct3, 1 | 5) { imm & 31 } else { imm };
            Instr::AluImm { op, rd: rd(word), rs1: rs1(word), imm }
        }
        0x33 => {
            let op = match (funct7, funct3) {
                (0x00, 0) => AluOp::Add,
                (0x20, 0) => AluOp::Sub,
                (0x00, 1) => AluOp::Sll,
                (0x00, 2) => AluOp::Slt,
                (0x00, 3) => AluOp::Sltu,
                (0x00, 4) => AluOp::Xor,
                (0x00, 5) => AluOp::Srl,
                (0x20, 5) => AluOp::Sra,
                (0x00, 6) => AluOp::Or,
                (0x00, 7) => AluOp::And,
                (0x01, 0) => AluOp::Mul,
                (0x01, 1) => AluOp::Mulh,
                (0x01, 2) => AluOp::Mulhsu,
                (0x01, 3) => AluOp::Mulhu,
                (0x01, 4) => AluOp::Div,
                (0x01, 5) => AluOp::Divu,
                (0x01, 6) => AluOp::Rem,
                (0x01, 7) => AluOp::Remu,
                _ => return None,
            };
            Instr::Alu { op, rd: rd(word), rs1: rs1(word), rs2: rs2(word) }
        }
        // FENCE (funct3 0); its fields (predecessor/successor sets, fm) do not matter on one hart.
        // FENCE.I (funct3 1) belongs to Zifencei, not RV32I, and is refused.
        0x0f if funct3 == 0 => Instr::Fence,
        // ECALL and EBREAK exactly; every other SYSTEM word is a CSR instruction or MRET/WFI/….
        0x73 => match word {
            0x0000_0073 => Instr::Ecall,
            0x0010_0073 => Instr::Ebreak,
            _ => return None,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm;

    #[test]
    fn immediates_round_trip_through_the_encoder() {
        for imm in [-4096i32, -2048, -2, 0, 2, 2046, 4094] {
            assert_eq!(
                decode(asm::beq(1, 2, imm)),
                Some(Instr::Branch { op: BranchOp::Beq, rs1: 1, rs2: 2, imm: imm as u32 })
            );
        }
        for imm in [-(1 << 20), -2, 0, 2, (1 << 20) - 2] {
            assert_eq!(decode(asm::jal(1, imm)), Some(Instr::Jal { rd: 1, imm: imm as u32 }));
        }
        for imm in [-2048i32, -1, 0, 1, 2047] {
            assert_eq!(
                decode(asm::sw(3, imm, 4)),
                Some(Instr::Store { op: StoreOp::Sw, rs1: 3, rs2: 4, imm: imm as u32 })
            );
            assert_eq!(
                decode(asm::lw(5, 6, imm)),
                Some(Instr::Load { op: LoadOp::Lw, rd: 5, rs1: 6, imm: imm as u32 })
            );
        }
    }

    #[test]
    fn words_outside_rv32im_are_refused() {
        for word in [
            0x0000_0000,             // all zeros: defined illegal
            0xffff_ffff,             // all ones: defined illegal
            0x0000_4501,             // c.li a0, 0 (compressed) padded with zeros
            0x1002_a52f,             // lr.w a0, (t0) (A)
            0x0000_2007,             // flw (F)
            0x3000_2573,             // csrrs a0, mstatus, x0 (Zicsr)
            0x0000_100f,             // fence.i (Zifencei)
            0x3020_0073,             // mret
            0x0200_1093,             // slli x1, x0, 32: shamt[5] set, reserved on RV32
            0x4000_0013 | (1 << 12), // slli with funct7 0x20
            0x0400_0033,             // OP with funct7 0x02
            0x0000_2063,             // branch funct3 2
            0x0000_3003,             // ld (RV64)
            0x0000_3023,             // sd (RV64)
            0x0000_1067,             // jalr with funct3 1
        ] {
            assert_eq!(decode(word), None, "{word:#010x}");
        }
    }

    #[test]
    fn fence_ecall_ebreak() {
        assert_eq!(decode(0x0ff0_000f), Some(Instr::Fence));
        assert_eq!(decode(0x0000_0073), Some(Instr::Ecall));
        assert_eq!(decode(0x0010_0073), Some(Instr::Ebreak));
    }
}
