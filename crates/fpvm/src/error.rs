//! Why the machine stopped without the guest exiting, and the traps that make it exit.

use thiserror::Error;

use crate::{memory::MemoryError, syscall::SyscallError};

/// An instruction the machine cannot execute. The trace is total: a trap is not an error but an
/// exit with [`Trap::exit_code`] (128 + the signal Linux sends for it, the shell's convention),
/// `pc` left at the trapping instruction and the step counted, so the one-step rule has a
/// post-state for it and a dispute that bisects to a trap is settled like any other step
/// (docs/fault-proofs.md, "What traps").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trap {
    /// The word at `pc` is not an RV32IM instruction (compressed, A, F, CSR, reserved encodings).
    IllegalInstruction,
    /// `ebreak`.
    Breakpoint,
    /// A jump or branch left `pc` not a multiple of 4 (the VM has no compressed instructions).
    MisalignedFetch,
    /// An `ecall` whose number the embedder does not serve: under the one-step rule
    /// ([`crate::OracleSyscalls`]) any but `read`, `write`, `exit` and `exit_group`.
    UnsupportedSyscall,
}

impl Trap {
    /// Every trap, in exit-code order.
    pub const ALL: [Trap; 4] =
        [Trap::IllegalInstruction, Trap::Breakpoint, Trap::MisalignedFetch, Trap::UnsupportedSyscall];

    /// The Linux signal for the trap (what `qemu-riscv32` kills the guest with; for an unknown
    /// syscall Linux returns `-ENOSYS` instead, and SIGSYS is seccomp's signal for a forbidden
    /// one).
    pub const fn signal(self) -> u32 {
        match self {
            Trap::IllegalInstruction => 4,  // SIGILL
            Trap::Breakpoint => 5,          // SIGTRAP
            Trap::MisalignedFetch => 7,     // SIGBUS
            Trap::UnsupportedSyscall => 31, // SIGSYS
        }
    }

    /// The exit code the machine exits with: 128 + [`Trap::signal`].
    pub const fn exit_code(self) -> u32 {
        128 + self.signal()
    }

    /// The trap an exit code names, if any. A guest may also `exit` with these codes itself: the
    /// state does not tell the two apart, and need not (either way the claim fails).
    pub fn from_exit_code(code: u32) -> Option<Trap> {
        Trap::ALL.into_iter().find(|t| t.exit_code() == code)
    }
}

/// A limit of the host: the machine stopped before the guest exited, with nothing the one-step
/// rule decides. The machine's state is left as it was before the instruction at `pc`, so it can
/// be inspected. A guest that exits, whatever its code, and a trap ([`Trap`]) are not errors but
/// an [`crate::Exit`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VmError {
    /// The host could not serve the `ecall` at `pc` (a syscall's store failed, or the host's
    /// oracle lacks the preimage read).
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
