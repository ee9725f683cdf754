//! The `ecall` interface: what the guest asks of its embedder.
//!
//! The ABI is Linux's on RISC-V, so a guest runs unchanged under `qemu-riscv32`: `a7` holds the
//! syscall number, `a0`, `a1` and `a2` the arguments, and the result comes back in `a0`. The
//! machine reads the registers and writes `a0`; a [`Syscalls`] implementation sees only the
//! number, the arguments, the memory and the oracle's part of the state ([`PreimageState`]).
//! [`LinuxSyscalls`] serves `write` and `exit`, enough for a guest that prints and exits (and what
//! `qemu-riscv32` does with no oracle behind the fds); [`crate::OracleSyscalls`] adds the preimage
//! oracle's `read` and `write` on fds 3 to 6, and is what the one-step rule follows.

use thiserror::Error;

use pillar_preimage::OracleError;

use crate::{
    memory::{Memory, MemoryError},
    oracle::PreimageState,
};

/// Linux `write(fd, buf, len)`.
pub const SYS_WRITE: u32 = 64;
/// Linux `exit(code)`.
pub const SYS_EXIT: u32 = 93;
/// Linux `exit_group(code)`: the same as `exit` for a one-hart guest.
pub const SYS_EXIT_GROUP: u32 = 94;

/// Linux's `EBADF`, returned (negated, in `a0`) for a write to a descriptor other than 1 or 2.
pub const EBADF: u32 = 9;

/// Bytes one `write` takes at most. A guest's `len` is untrusted: copying it whole could make the
/// host allocate gigabytes. Linux may also write less than asked, so guests loop (the smoke guest
/// does).
pub const MAX_WRITE: u32 = 1 << 20;

/// What a syscall does to the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallResult {
    /// Continue after the `ecall` with this value in `a0`.
    Return(u32),
    /// Stop the machine: the guest exited with this code.
    Exit(u32),
}

/// Why a syscall could not be served. An unknown number is the guest's fault and the machine
/// traps ([`crate::Trap::UnsupportedSyscall`]); any other refusal is the host's, which the machine
/// wraps in [`crate::VmError::Syscall`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SyscallError {
    /// The handler does not know the number in `a7`: the machine traps (exit 159).
    #[error("unknown syscall {number}")]
    Unknown {
        /// The value of `a7`.
        number: u32,
    },
    /// Writing the result to guest memory failed.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// The host's oracle could not serve a preimage read (it lacks the preimage, or it is larger
    /// than the VM takes): the host cannot run the guest on, though the one-step rule would go
    /// on.
    #[error("oracle: {0}")]
    Oracle(#[from] OracleError),
}

/// The embedder's side of `ecall`.
pub trait Syscalls {
    /// Serves syscall `number` with arguments `args` (`a0`, `a1`, `a2`). `preimage` is the
    /// machine's oracle state (selected key and read offset), which only oracle calls change. On
    /// an error, nothing the machine commits to (memory, `preimage`) may have changed.
    fn syscall(
        &mut self,
        number: u32,
        args: [u32; 3],
        memory: &mut Memory,
        preimage: &mut PreimageState,
    ) -> Result<SyscallResult, SyscallError>;
}

/// Linux `write` (to buffers) and `exit`: what the smoke guest and the differential tests need.
/// A guest that uses the oracle's fds needs [`crate::OracleSyscalls`]: here its writes return
/// `-EBADF` and `read` is unknown, as under `qemu-riscv32` with nothing on those fds.
#[derive(Debug, Clone, Default)]
pub struct LinuxSyscalls {
    /// Bytes written to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2.
    pub stderr: Vec<u8>,
}

impl Syscalls for LinuxSyscalls {
    fn syscall(
        &mut self,
        number: u32,
        [a0, a1, a2]: [u32; 3],
        memory: &mut Memory,
        _: &mut PreimageState,
    ) -> Result<SyscallResult, SyscallError> {
        match number {
            SYS_WRITE => {
                let out = match a0 {
                    1 => &mut self.stdout,
                    2 => &mut self.stderr,
                    _ => return Ok(SyscallResult::Return(EBADF.wrapping_neg())),
                };
                let len = a2.min(MAX_WRITE);
                out.extend(memory.read(a1, len as usize));
                Ok(SyscallResult::Return(len))
            }
            SYS_EXIT | SYS_EXIT_GROUP => Ok(SyscallResult::Exit(a0)),
            number => Err(SyscallError::Unknown { number }),
        }
    }
}
