//! The fault-proof VM: an RV32IM interpreter that runs the fault-proof program.
//!
//! The fault-proof program is the node's own derivation and runtime compiled to
//! `riscv32im-unknown-none-elf` (docs/fault-proof-target.md). This crate executes such a program
//! off-chain, one instruction at a time, with the semantics the one-step contract on L1 will
//! check. This first slice is the interpreter: RV32I plus M, nothing else ([`decode`]); all of the
//! machine's state in one struct ([`Machine`]); memory as sparse 4 KiB pages over the 32-bit
//! address space ([`Memory`]); an ELF32 loader ([`load_elf`]); and `ecall` served by an embedder
//! through [`Syscalls`], with Linux numbers so the same guest runs under `qemu-riscv32`
//! ([`LinuxSyscalls`]: `write` and `exit`). Memory is committed by a keccak Merkle tree
//! ([`merkle`]), the whole state by [`State::hash`]; [`Machine::prove_step`] proves one step and
//! [`verify_step`] is the reference one-step rule the L1 contract is held to; [`Trace`] keeps
//! snapshots so any step can be reached quickly. The preimage oracle's syscalls (Linux `read` and
//! `write` on fds 3 to 6, Cannon's ABI) are served by [`OracleSyscalls`] from a
//! `pillar_preimage::PreimageOracle`; the selected key and read offset are state
//! ([`PreimageState`]), and a step that reads a preimage carries the [`PreimagePart`] it read,
//! which [`verify_step_with`] checks against a [`PreimageParts`] store (the L1 oracle contract).
//! [`profile`] attributes a run's steps to the guest's functions (a developer's tool).
//! docs/fault-proofs.md specifies the VM.
//!
//! Guest input is adversarial: a malformed ELF is an [`ElfError`]; an instruction outside RV32IM,
//! `ebreak`, a misaligned `pc` or an unknown syscall is a [`Trap`], which exits the guest with a
//! code naming it; nothing a guest does panics the host.

pub mod asm;
mod decode;
mod elf;
mod error;
mod machine;
mod memory;
pub mod merkle;
mod oracle;
pub mod profile;
mod snapshot;
mod state;
mod step;
mod step_codec;
mod syscall;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use decode::{AluOp, BranchOp, Instr, LoadOp, Reg, StoreOp, decode};
pub use elf::{ElfError, STACK_TOP, load_elf, load_elf_into};
pub use error::{Trap, VmError};
pub use machine::{Exit, Machine, reg};
pub use memory::{Memory, MemoryError, PAGE_BITS, PAGE_COUNT, PAGE_SIZE, Page};
pub use merkle::{Hash, LeafProof};
pub use oracle::{
    NoPreimages, OracleRun, OracleSyscalls, PART_SIZE, PreimagePart, PreimageParts, PreimageState, SYS_READ,
    key_write_len, preimage_read_len, run_with_oracle, shift_key,
};
pub use snapshot::{SeekError, Trace};
pub use state::{STATE_SIZE, STATUS_INVALID, STATUS_UNFINISHED, STATUS_VALID, State, StateError};
pub use step::{LeafRole, StepError, StepProof, verify_step, verify_step_with};
pub use step_codec::{LEAF_PROOF_SIZE, PREIMAGE_PART_SIZE, ProofDecodeError};
pub use syscall::{
    EBADF, LinuxSyscalls, MAX_WRITE, SYS_EXIT, SYS_EXIT_GROUP, SYS_WRITE, SyscallError, SyscallResult,
    Syscalls,
};
