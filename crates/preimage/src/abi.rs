//! The oracle's syscall ABI, Cannon's: Linux `read` and `write` on fixed descriptors, so a guest
//! built for the VM also runs under `qemu-riscv32` with the host behind pipes on these fds.
//!
//! - **Hints**: the guest writes `len (4 bytes, big-endian) ‖ hint` to [`FD_HINT_WRITE`] (the VM
//!   takes at most 1 MiB per `write`, so the guest loops), then reads one byte from
//!   [`FD_HINT_READ`]: the host's acknowledgement that it has acted on the hint.
//! - **Preimages**: the guest writes the 32-byte key to [`FD_PREIMAGE_WRITE`] (each write shifts
//!   the bytes written into the VM's preimage key and rewinds its offset to 0; a write takes at
//!   most the bytes up to the next 32-byte boundary of guest memory, so the guest loops), then
//!   reads `len (8 bytes, big-endian) ‖ preimage` from [`FD_PREIMAGE_READ`] until it has all of it
//!   (each read returns at most the bytes up to the next 32-byte boundary of the destination).
//!
//! docs/fault-proofs.md, "The preimage oracle", has what each call does to the VM's state.

/// Linux `read(fd, buf, len)` on RISC-V.
pub const SYS_READ: u32 = 63;
/// Linux `write(fd, buf, len)` on RISC-V.
pub const SYS_WRITE: u32 = 64;

/// The guest reads hint acknowledgements here.
pub const FD_HINT_READ: u32 = 3;
/// The guest writes hints here.
pub const FD_HINT_WRITE: u32 = 4;
/// The guest reads `len_be8 ‖ preimage` of the selected key here.
pub const FD_PREIMAGE_READ: u32 = 5;
/// The guest writes the key it selects here.
pub const FD_PREIMAGE_WRITE: u32 = 6;

/// Bytes of the length prefix before a preimage.
pub const LENGTH_PREFIX_SIZE: usize = 8;
/// Bytes of the length prefix before a hint.
pub const HINT_PREFIX_SIZE: usize = 4;
