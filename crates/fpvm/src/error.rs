//! Why the machine stopped without the guest exiting.

use thiserror::Error;

use crate::{memory::MemoryError, syscall::SyscallError};

/// A trap or a limit: the machine stopped before the guest called `exit`. The machine's state is
/// left as it was before the instruction at `pc`, so it can be inspected (and, in later slices,
/// proven). A guest that exits, whatever its code, is not an error but an [`crate::Exit`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VmError {
    /// The word at `pc` is not an RV32IM instruction (compressed, A, F, CSR, reserved encodings).
    #[error("illegal instruction {word:#010x} at pc {pc:#010x}")]
    IllegalInstruction {
        /// Address of the word.
        pc: u32,
        /// The word fetched.
        word: u32,
    },
    /// A jump or branch left `pc` not a multiple of 4 (the VM has no compressed instructions).
    #[error("instruction fetch from misaligned pc {pc:#010x}")]
    MisalignedFetch {
        /// The misaligned address.
        pc: u32,
    },
    /// The guest executed `ebreak`.
    #[error("ebreak at pc {pc:#010x}")]
    Breakpoint {
        /// Address of the `ebreak`.
        pc: u32,
    },
    /// The `ecall` at `pc` failed (an unknown number, or a syscall's store failed).
    #[error("ecall at pc {pc:#010x}: {source}")]
    Syscall {
        /// Address of the `ecall`.
        pc: u32,
        /// What the syscall handler refused.
        source: SyscallError,
    },
    /// A store at `pc` needed more memory than the machine may hold.
    #[error("store at pc {pc:#010x}: {source}")]
    Memory {
        /// Address of the store.
        pc: u32,
        /// The memory's refusal.
        source: MemoryError,
    },
    /// `run` executed its step budget without the guest exiting.
    #[error("no exit after {steps} steps")]
    StepLimit {
        /// Steps executed by the machine in total.
        steps: u64,
    },
}
