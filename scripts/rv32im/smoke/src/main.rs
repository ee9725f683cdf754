//! The rv32im smoke test of the batch decoder (`scripts/rv32im/build.sh`).
//!
//! Decodes every file of the batch corpus with `pillar_codec::batch_payload` and prints one
//! line per file: the payload's length and XXH64, or the error; then decodes it to blocks of the
//! node's composed types with `pillar_derive::decode_batch` (borsh, the chain checks) and prints
//! the blocks' heights, entry counts and an XXH64 over every header hash and entry hash (keccak),
//! and the call kinds of the signed entries, or the error. Natively, `--check-isa <elf>`
//! also checks that the guest ELF holds only RV32IM instructions. Built for the host it is an
//! ordinary program; built for `riscv32im-unknown-none-elf` it is a bare guest (its own `_start`,
//! bump allocator, and Linux `write`/`exit` calls, which `qemu-riscv32` serves). The script runs
//! both and requires identical output: the node and the fault-proof program must give the same
//! verdict on every batch.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

use core::fmt::Write;

/// The corpus, as `pillar-derive`'s fuzz test keeps it.
const CORPUS: &[(&str, &[u8])] = &[
    (
        "err-compression-bomb",
        include_bytes!("../../../../crates/derive/tests/corpus/err-compression-bomb.bin"),
    ),
    ("err-empty", include_bytes!("../../../../crates/derive/tests/corpus/err-empty.bin")),
    ("err-garbage-payload", include_bytes!("../../../../crates/derive/tests/corpus/err-garbage-payload.bin")),
    (
        "err-huge-length-prefix",
        include_bytes!("../../../../crates/derive/tests/corpus/err-huge-length-prefix.bin"),
    ),
    ("err-no-blocks", include_bytes!("../../../../crates/derive/tests/corpus/err-no-blocks.bin")),
    ("err-not-a-chain", include_bytes!("../../../../crates/derive/tests/corpus/err-not-a-chain.bin")),
    ("err-trailing-byte", include_bytes!("../../../../crates/derive/tests/corpus/err-trailing-byte.bin")),
    ("err-truncated", include_bytes!("../../../../crates/derive/tests/corpus/err-truncated.bin")),
    ("err-unknown-version", include_bytes!("../../../../crates/derive/tests/corpus/err-unknown-version.bin")),
    ("err-version-only", include_bytes!("../../../../crates/derive/tests/corpus/err-version-only.bin")),
    ("ok-one-empty-block", include_bytes!("../../../../crates/derive/tests/corpus/ok-one-empty-block.bin")),
    ("ok-three-blocks", include_bytes!("../../../../crates/derive/tests/corpus/ok-three-blocks.bin")),
];

/// One line per corpus file.
fn report(out: &mut impl Write) -> core::fmt::Result {
    for (name, bytes) in CORPUS {
        match pillar_codec::batch_payload(bytes) {
            Ok(p) => writeln!(
                out,
                "{name}: ok {} bytes, xxh64 {:016x}",
                p.len(),
                twox_hash::XxHash64::oneshot(0, &p)
            )?,
            Err(e) => writeln!(out, "{name}: refused: {e}")?,
        }
        match pillar_derive::decode_batch(bytes) {
            Ok(blocks) => {
                let mut hashes = alloc::vec::Vec::new();
                let mut kinds = alloc::vec::Vec::new();
                let mut entries = 0;
                for b in &blocks {
                    hashes.extend_from_slice(b.header.hash().as_slice());
                    for tx in &b.transactions {
                        entries += 1;
                        hashes.extend_from_slice(tx.hash().as_slice());
                        if let pillar_stf::ChainTx::Signed(stx) = tx {
                            kinds.push(pillar_stf::CallSet::type_name(&stx.tx.call));
                        }
                    }
                }
                let (first, last) = (blocks[0].header.height, blocks[blocks.len() - 1].header.height);
                writeln!(
                    out,
                    "{name}: blocks {first}..={last}, {entries} entries, xxh64 {:016x}, calls {kinds:?}",
                    twox_hash::XxHash64::oneshot(0, &hashes)
                )?
            }
            Err(e) => writeln!(out, "{name}: blocks refused: {e}")?,
        }
    }
    Ok(())
}

/// Natively: the corpus report, or with `--check-isa <elf>` the check that an ELF's code is
/// plain RV32IM.
#[cfg(not(target_os = "none"))]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice()
        && flag == "--check-isa"
    {
        let elf = std::fs::read(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        match isa::check(&elf) {
            Ok(summary) => println!("{path}: {summary}"),
            Err(e) => fail(&format!("{path}: {e}")),
        }
        return;
    }
    let mut s = String::new();
    report(&mut s).expect("writing to a String");
    print!("{s}");
}

#[cfg(not(target_os = "none"))]
fn fail(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

/// qemu-riscv32 emulates far more than RV32IM (atomics, compressed and float instructions, CSRs),
/// so a guest that runs under qemu could still hold an instruction the fault-proof VM lacks. This
/// walks every executable section as 32-bit words (RV32IM has no 16-bit encodings) and refuses
/// any word outside the base integer ISA and the M extension.
#[cfg(not(target_os = "none"))]
mod isa {
    use std::collections::BTreeMap;

    fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
        b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]])).ok_or_else(|| "truncated ELF".into())
    }

    fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .ok_or_else(|| "truncated ELF".into())
    }

    /// The major opcode's name if `word` is an RV32IM instruction.
    fn rv32im(word: u32) -> Option<&'static str> {
        // `unimp` (`csrrw x0, cycle, x0`): the compiler's abort (`panic = "abort"`, unreachable
        // code). It is never meant to run: it traps in pillar-fpvm as an illegal instruction, as
        // in qemu, which is what an abort is.
        if word == 0xc000_1073 {
            return Some("unimp");
        }
        let (funct3, funct7) = ((word >> 12) & 7, word >> 25);
        Some(match word & 0x7f {
            0x37 => "lui",
            0x17 => "auipc",
            0x6f => "jal",
            0x67 => "jalr",
            0x63 => "branch",
            0x03 => "load",
            0x23 => "store",
            0x13 => "op-imm",
            // Base ALU operations (funct7 0 or 0x20) and MUL/DIV (funct7 1).
            0x33 if matches!(funct7, 0x00 | 0x20 | 0x01) => "op",
            0x0f => "fence",
            // ecall and ebreak only: CSR instructions (Zicsr) are not RV32IM.
            0x73 if funct3 == 0 => "system",
            _ => return None,
        })
    }

    /// A summary of the instructions, or the first words that are not RV32IM.
    pub(crate) fn check(elf: &[u8]) -> Result<String, String> {
        if elf.get(..6) != Some(&[0x7f, b'E', b'L', b'F', 1, 1][..]) {
            return Err("not a little-endian ELF32 file".into());
        }
        if u16_at(elf, 0x12)? != 0xf3 {
            return Err("not a RISC-V ELF".into());
        }
        let (shoff, shentsize, shnum) =
            (u32_at(elf, 0x20)? as usize, u16_at(elf, 0x2e)? as usize, u16_at(elf, 0x30)? as usize);
        let mut counts = BTreeMap::new();
        let mut bad = Vec::new();
        for i in 0..shnum {
            let h = shoff + i * shentsize;
            let (kind, flags, addr) = (u32_at(elf, h + 4)?, u32_at(elf, h + 8)?, u32_at(elf, h + 12)?);
            let (offset, size) = (u32_at(elf, h + 16)? as usize, u32_at(elf, h + 20)? as usize);
            // PROGBITS with SHF_EXECINSTR: code.
            if kind != 1 || flags & 4 == 0 {
                continue;
            }
            for at in (0..size - size % 4).step_by(4) {
                let word = u32_at(elf, offset + at)?;
                match rv32im(word) {
                    Some(name) => *counts.entry(name).or_insert(0usize) += 1,
                    None => bad.push(format!("{:#010x}: {word:#010x}", addr as usize + at)),
                }
            }
        }
        if !bad.is_empty() {
            return Err(format!(
                "{} words outside RV32IM, first: {}",
                bad.len(),
                bad[..bad.len().min(5)].join(", ")
            ));
        }
        let total: usize = counts.values().sum();
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        Ok(format!("{total} instructions, all RV32IM ({})", parts.join(", ")))
    }
}

#[cfg(target_os = "none")]
mod guest {
    //! The guest's entry; the runtime (syscalls, allocator, panic handler) is pillar-guest-rt's.

    use pillar_guest_rt::{Stdout, exit};

    #[unsafe(no_mangle)]
    extern "C" fn _start() -> ! {
        match super::report(&mut Stdout) {
            Ok(()) => exit(0),
            Err(_) => exit(1),
        }
    }
}
