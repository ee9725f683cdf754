//! Integration tests of pillar-fpvm: the interpreter against `qemu-riscv32`, the ELF loader against
//! arbitrary bytes, step proofs against the machine, the preimage oracle's syscalls, and seeking.

mod elf_fuzz;
mod oracle;
mod qemu;
mod step_proofs;
