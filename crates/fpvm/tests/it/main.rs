//! Integration tests of pillar-fpvm: the interpreter against `qemu-riscv32`, and the ELF loader
//! against arbitrary bytes.

mod elf_fuzz;
mod qemu;
