//! Loading a static ELF32 RISC-V executable into a fresh machine.
//!
//! Only what a bare `riscv32im-unknown-none-elf` binary needs: a little-endian ELF32 `ET_EXEC`
//! for `EM_RISCV`, whose `PT_LOAD` segments are copied to their virtual addresses (`p_filesz`
//! bytes from the file, zeros up to `p_memsz`). Other program headers (`PT_PHDR`,
//! `PT_GNU_STACK`, `PT_RISCV_ATTRIBUTES`) and section headers are ignored. Every field is
//! untrusted: each offset and size is checked against the file and the address space, and a bad
//! one is an [`ElfError`], never a panic.
//!
//! The initial state: `pc` is `e_entry`, `sp` is [`STACK_TOP`], every other register and every
//! byte outside the segments is zero. Unlike Linux (and `qemu-riscv32`), nothing is put on the
//! stack (no `argc`, `argv`, environment or auxiliary vector): a fault-proof guest takes its
//! inputs from the oracle, and a bare guest's `_start` does not read them. Under qemu `sp` points
//! at `argc` somewhere near the top of its guest space; the exact address differs, so a guest
//! must not depend on it.

use thiserror::Error;

use crate::{
    machine::{Machine, reg},
    memory::MemoryError,
};

/// The initial stack pointer: the stack grows down from just below 3 GiB, far from where linkers
/// put code and data (lld's default is 0x10000 upward), and 16-byte aligned as the RISC-V psABI
/// requires at a call.
pub const STACK_TOP: u32 = 0xc000_0000;

const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;
const EM_RISCV: u16 = 0xf3;
const ET_EXEC: u16 = 2;
const PT_LOAD: u32 = 1;

/// Why a file is not a loadable RV32 executable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ElfError {
    /// Shorter than what it declares (`needed` bytes at least).
    #[error("truncated ELF: {what} needs {needed} bytes, the file has {len}")]
    Truncated {
        /// The structure that does not fit.
        what: &'static str,
        /// Bytes the structure needs from the start of the file.
        needed: u64,
        /// The file's length.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    #[error("not an ELF file")]
    BadMagic,
    /// `EI_CLASS` is not ELFCLASS32.
    #[error("not ELF32 (class {class})")]
    NotElf32 {
        /// The class byte.
        class: u8,
    },
    /// `EI_DATA` is not little-endian.
    #[error("not little-endian (data encoding {data})")]
    NotLittleEndian {
        /// The data-encoding byte.
        data: u8,
    },
    /// `EI_VERSION` or `e_version` is not 1.
    #[error("unsupported ELF version {version}")]
    BadVersion {
        /// The version found.
        version: u32,
    },
    /// `e_type` is not `ET_EXEC` (relocatable, shared or core files cannot run as they are).
    #[error("not an executable (e_type {e_type})")]
    NotExecutable {
        /// The type found.
        e_type: u16,
    },
    /// `e_machine` is not `EM_RISCV`.
    #[error("not RISC-V (e_machine {machine})")]
    NotRiscv {
        /// The machine found.
        machine: u16,
    },
    /// `e_phentsize` is smaller than an ELF32 program header.
    #[error("program header entry size {size} is below {PHDR_SIZE}")]
    BadPhentsize {
        /// The entry size found.
        size: u16,
    },
    /// A segment's `p_filesz` exceeds its `p_memsz`.
    #[error("segment {index}: file size {filesz} exceeds memory size {memsz}")]
    FileSizeExceedsMemSize {
        /// The program header's index.
        index: usize,
        /// `p_filesz`.
        filesz: u32,
        /// `p_memsz`.
        memsz: u32,
    },
    /// A segment runs past the end of the 32-bit address space.
    #[error("segment {index}: {memsz} bytes at {vaddr:#010x} pass the end of the address space")]
    SegmentWraps {
        /// The program header's index.
        index: usize,
        /// `p_vaddr`.
        vaddr: u32,
        /// `p_memsz`.
        memsz: u32,
    },
    /// No `PT_LOAD` segment: nothing to run.
    #[error("no loadable segment")]
    NoLoadableSegment,
    /// Copying a segment exceeded the memory's page limit.
    #[error("segment {index}: {source}")]
    Memory {
        /// The program header's index.
        index: usize,
        /// The memory's refusal.
        source: MemoryError,
    },
}

fn bytes<const N: usize>(file: &[u8], at: usize, what: &'static str) -> Result<[u8; N], ElfError> {
    at.checked_add(N)
        .and_then(|end| file.get(at..end))
        .and_then(|s| s.try_into().ok())
        .ok_or(ElfError::Truncated { what, needed: at as u64 + N as u64, len: file.len() })
}

fn u16_at(file: &[u8], at: usize, what: &'static str) -> Result<u16, ElfError> {
    bytes(file, at, what).map(u16::from_le_bytes)
}

fn u32_at(file: &[u8], at: usize, what: &'static str) -> Result<u32, ElfError> {
    bytes(file, at, what).map(u32::from_le_bytes)
}

/// A machine with `file`'s segments loaded, at its entry point, with `sp` at [`STACK_TOP`].
pub fn load_elf(file: &[u8]) -> Result<Machine, ElfError> {
    let mut m = Machine::default();
    load_elf_into(&mut m, file)?;
    Ok(m)
}

/// Loads `file` into `m` (whose memory may carry a page limit), setting `pc` and `sp`.
pub fn load_elf_into(m: &mut Machine, file: &[u8]) -> Result<(), ElfError> {
    let ident: [u8; 16] = bytes(file, 0, "ELF header")?;
    if ident[..4] != [0x7f, b'E', b'L', b'F'] {
        return Err(ElfError::BadMagic);
    }
    if ident[4] != 1 {
        return Err(ElfError::NotElf32 { class: ident[4] });
    }
    if ident[5] != 1 {
        return Err(ElfError::NotLittleEndian { data: ident[5] });
    }
    if ident[6] != 1 {
        return Err(ElfError::BadVersion { version: u32::from(ident[6]) });
    }
    bytes::<EHDR_SIZE>(file, 0, "ELF header")?;
    let e_type = u16_at(file, 16, "ELF header")?;
    if e_type != ET_EXEC {
        return Err(ElfError::NotExecutable { e_type });
    }
    let machine = u16_at(file, 18, "ELF header")?;
    if machine != EM_RISCV {
        return Err(ElfError::NotRiscv { machine });
    }
    let version = u32_at(file, 20, "ELF header")?;
    if version != 1 {
        return Err(ElfError::BadVersion { version });
    }
    let entry = u32_at(file, 24, "ELF header")?;
    let phoff = u32_at(file, 28, "ELF header")? as usize;
    let phentsize = u16_at(file, 42, "ELF header")?;
    let phnum = usize::from(u16_at(file, 44, "ELF header")?);
    if phnum > 0 && usize::from(phentsize) < PHDR_SIZE {
        return Err(ElfError::BadPhentsize { size: phentsize });
    }
    // The whole table must be in the file before anything is loaded.
    let table_end = phoff as u64 + phnum as u64 * u64::from(phentsize);
    if table_end > file.len() as u64 {
        return Err(ElfError::Truncated { what: "program headers", needed: table_end, len: file.len() });
    }

    let mut loaded = 0;
    for index in 0..phnum {
        let ph = phoff + index * usize::from(phentsize);
        if u32_at(file, ph, "program header")? != PT_LOAD {
            continue;
        }
        let offset = u32_at(file, ph + 4, "program header")?;
        let vaddr = u32_at(file, ph + 8, "program header")?;
        let filesz = u32_at(file, ph + 16, "program header")?;
        let memsz = u32_at(file, ph + 20, "program header")?;
        if filesz > memsz {
            return Err(ElfError::FileSizeExceedsMemSize { index, filesz, memsz });
        }
        if u64::from(vaddr) + u64::from(memsz) > 1 << 32 {
            return Err(ElfError::SegmentWraps { index, vaddr, memsz });
        }
        let end = u64::from(offset) + u64::from(filesz);
        let data = file.get(offset as usize..end as usize).ok_or(ElfError::Truncated {
            what: "segment data",
            needed: end,
            len: file.len(),
        })?;
        let memory = m.memory_mut();
        memory.write(vaddr, data).map_err(|source| ElfError::Memory { index, source })?;
        // Zero-fill what an earlier overlapping segment may have written; untouched pages are
        // zero already and stay unallocated.
        memory.zero(vaddr.wrapping_add(filesz), u64::from(memsz - filesz));
        loaded += 1;
    }
    if loaded == 0 {
        return Err(ElfError::NoLoadableSegment);
    }
    m.set_pc(entry);
    m.set_reg(reg::SP, STACK_TOP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Exit, asm, syscall::LinuxSyscalls};

    fn program() -> Vec<u8> {
        let mut code = Vec::new();
        code.extend([asm::addi(reg::A0, reg::SP, 0), asm::addi(reg::A7, 0, 93), asm::ECALL]);
        asm::elf(0x1_0000, &[(0x1_0000, &asm::words_to_bytes(&code)), (0x2_0000, b"data")])
    }

    #[test]
    fn loads_segments_and_sets_entry_and_stack() {
        let mut m = load_elf(&program()).unwrap();
        assert_eq!(m.pc(), 0x1_0000);
        assert_eq!(m.reg(reg::SP), STACK_TOP);
        assert_eq!(m.memory().read(0x2_0000, 5), b"data\0");
        assert_eq!(m.run(&mut LinuxSyscalls::default(), 10), Ok(Exit { code: STACK_TOP, steps: 3 }));
    }

    #[test]
    fn bss_is_zero_and_costs_no_pages() {
        let mut elf = program();
        // memsz of the second segment: 256 MiB.
        let ph = EHDR_SIZE + PHDR_SIZE + 20;
        elf[ph..ph + 4].copy_from_slice(&0x1000_0000u32.to_le_bytes());
        let m = load_elf(&elf).unwrap();
        assert_eq!(m.memory().load_u32(0x2_0000 + 0x0800_0000), 0);
        assert_eq!(m.memory().page_count(), 2);
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        let good = program();
        let patch = |at: usize, bytes: &[u8]| {
            let mut f = good.clone();
            f[at..at + bytes.len()].copy_from_slice(bytes);
            load_elf(&f).unwrap_err()
        };
        assert_eq!(
            load_elf(&good[..10]).unwrap_err(),
            ElfError::Truncated { what: "ELF header", needed: 16, len: 10 }
        );
        assert_eq!(patch(0, b"\x7fELG"), ElfError::BadMagic);
        assert_eq!(patch(4, &[2]), ElfError::NotElf32 { class: 2 });
        assert_eq!(patch(5, &[2]), ElfError::NotLittleEndian { data: 2 });
        assert_eq!(patch(16, &[3, 0]), ElfError::NotExecutable { e_type: 3 });
        assert_eq!(patch(18, &[0x3e, 0]), ElfError::NotRiscv { machine: 0x3e });
        assert_eq!(patch(42, &[8, 0]), ElfError::BadPhentsize { size: 8 });
        assert!(matches!(patch(44, &[0xff, 0xff]), ElfError::Truncated { what: "program headers", .. }));
        assert_eq!(patch(44, &[0, 0]), ElfError::NoLoadableSegment);
        let ph = EHDR_SIZE;
        assert!(matches!(
            patch(ph + 4, &[0xff, 0xff, 0xff, 0x7f]),
            ElfError::Truncated { what: "segment data", .. }
        ));
        assert!(matches!(
            patch(ph + 16, &[0xff, 0xff, 0, 0]),
            ElfError::FileSizeExceedsMemSize { index: 0, .. }
        ));
        // 12 bytes at 0xfffffff8 would pass 2^32.
        assert!(matches!(patch(ph + 8, &[0xf8, 0xff, 0xff, 0xff]), ElfError::SegmentWraps { index: 0, .. }));
    }
}
