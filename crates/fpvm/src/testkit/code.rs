//! A small assembler for hand-written test guests (feature `testkit`): the oracle tests here,
//! the L1 `step`'s read tests in pillar-l1 and the trace tests in pillar-dispute write their
//! guests with it, so the guest idioms (select a key, read a preimage to its end) are written once.

use crate::{AluOp, asm};

/// `a0`..`a2` and `a7`: the `ecall` argument and number registers.
const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;
const A7: u8 = 17;

/// A guest's code, one instruction word at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Code(pub Vec<u32>);

impl Code {
    /// Loads `v` into `rd`.
    pub fn li(&mut self, rd: u8, v: u32) {
        self.0.extend(asm::li(rd, v));
    }

    /// An `ecall` with `a7 = number`, `a0 = fd` and, when given, `a1 = buf` and `a2 = len`.
    pub fn ecall(&mut self, number: u32, fd: u32, buf: Option<u32>, len: Option<u32>) {
        self.li(A7, number);
        self.li(A0, fd);
        if let Some(b) = buf {
            self.li(A1, b);
        }
        if let Some(l) = len {
            self.li(A2, l);
        }
        self.0.push(asm::ECALL);
    }

    /// The index of the next instruction.
    pub fn here(&self) -> i32 {
        self.0.len() as i32
    }

    /// The branch offset from the next instruction back to `target`.
    pub fn back_to(&self, target: i32) -> i32 {
        (target - self.here()) * 4
    }

    /// Writes the 32-byte key at `addr` to fd 6, looping over partial writes (uses x9, x18).
    pub fn select_key(&mut self, addr: u32) {
        self.li(9, addr);
        self.li(18, 32);
        let top = self.here();
        self.li(A7, 64);
        self.li(A0, 6);
        self.0.push(asm::addi(A1, 9, 0));
        self.0.push(asm::addi(A2, 18, 0));
        self.0.push(asm::ECALL);
        self.0.push(asm::alu(AluOp::Add, 9, 9, A0));
        self.0.push(asm::alu(AluOp::Sub, 18, 18, A0));
        self.0.push(asm::bne(18, 0, self.back_to(top)));
    }

    /// Reads fd 5 to `buf` until a read returns 0 (uses x8).
    pub fn read_all(&mut self, buf: u32) {
        self.li(8, buf);
        let top = self.here();
        self.li(A7, 63);
        self.li(A0, 5);
        self.0.push(asm::addi(A1, 8, 0));
        self.li(A2, 4096);
        self.0.push(asm::ECALL);
        self.0.push(asm::beq(A0, 0, 12));
        self.0.push(asm::alu(AluOp::Add, 8, 8, A0));
        self.0.push(asm::jal(0, self.back_to(top)));
    }
}

/// go-ethereum's `ecrecover` vector (signed by 0xa94f…bf0b): `hash ‖ v ‖ r ‖ s`.
pub fn ecrecover_input() -> Vec<u8> {
    hex(
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
    )
}

/// The bytes of an even-length hex string (test vectors).
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}
