//! The guest's oracle client: [`PreimageOracle`] over Linux `read`/`write` on the oracle's
//! descriptors ([`crate::abi`]), via `ecall`. Compiled only for `riscv32`; under the VM the
//! syscalls are the oracle's one-step semantics, under `qemu-riscv32` they go to pipes on the
//! same fds, so the same ELF runs in both.
#![allow(unsafe_code)]

use alloc::{vec, vec::Vec};

use crate::{
    abi::{
        FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE, HINT_PREFIX_SIZE,
        LENGTH_PREFIX_SIZE, SYS_READ, SYS_WRITE,
    },
    key::PreimageKey,
    oracle::{MAX_HINT_SIZE, MAX_PREIMAGE_SIZE, OracleError, PreimageOracle},
};

/// `ecall` with number `n` and arguments `a0`..`a2`; the result is `a0`.
fn syscall3(n: u32, a0: u32, a1: u32, a2: u32) -> i32 {
    let ret: i32;
    // SAFETY: a Linux syscall on riscv32. The callers pass a live buffer of `a2` bytes in `a1`
    // (mutable for `read`); the asm block is not `nomem`, so the compiler assumes memory changes.
    unsafe {
        core::arch::asm!(
            "ecall",
            in("a7") n,
            inlateout("a0") a0 as i32 => ret,
            in("a1") a1,
            in("a2") a2,
            options(nostack),
        );
    }
    ret
}

fn check(fd: u32, ret: i32) -> Result<usize, OracleError> {
    if ret < 0 { Err(OracleError::Io { fd, code: ret }) } else { Ok(ret as usize) }
}

fn write_all(fd: u32, mut bytes: &[u8]) -> Result<(), OracleError> {
    while !bytes.is_empty() {
        let n = check(fd, syscall3(SYS_WRITE, fd, bytes.as_ptr() as u32, bytes.len() as u32))?;
        if n == 0 || n > bytes.len() {
            return Err(OracleError::Io { fd, code: n as i32 });
        }
        bytes = &bytes[n..];
    }
    Ok(())
}

/// Fills `buf` from `fd`; `done` bytes of an object of `total` came before (for the error).
fn read_exact(fd: u32, buf: &mut [u8], done: u64, total: u64) -> Result<(), OracleError> {
    let mut at = 0;
    while at < buf.len() {
        let rest = &mut buf[at..];
        let n = check(fd, syscall3(SYS_READ, fd, rest.as_mut_ptr() as u32, rest.len() as u32))?;
        if n == 0 || n > rest.len() {
            return Err(OracleError::Truncated { expected: total, got: done + at as u64 });
        }
        at += n;
    }
    Ok(())
}

/// The guest's oracle: each call is a few syscalls on the oracle's descriptors. It has no state;
/// the VM keeps the selected key and the read offset.
#[derive(Debug, Clone, Copy, Default)]
pub struct FdOracle;

impl FdOracle {
    /// The client.
    pub const fn new() -> Self {
        Self
    }
}

impl PreimageOracle for FdOracle {
    /// Selects `key`, reads the 8-byte length (refusing more than [`MAX_PREIMAGE_SIZE`] before
    /// allocating) and then the preimage. The bytes are the oracle's: the VM's oracle serves only
    /// checked preimages, so the guest does not hash them again.
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        write_all(FD_PREIMAGE_WRITE, &key.0)?;
        let mut prefix = [0; LENGTH_PREFIX_SIZE];
        read_exact(FD_PREIMAGE_READ, &mut prefix, 0, LENGTH_PREFIX_SIZE as u64)?;
        let len = u64::from_be_bytes(prefix);
        if len > MAX_PREIMAGE_SIZE as u64 {
            return Err(OracleError::TooLarge { len, max: MAX_PREIMAGE_SIZE });
        }
        let mut preimage = vec![0; len as usize];
        read_exact(
            FD_PREIMAGE_READ,
            &mut preimage,
            LENGTH_PREFIX_SIZE as u64,
            LENGTH_PREFIX_SIZE as u64 + len,
        )?;
        Ok(preimage)
    }

    /// Writes `len (4 bytes, big-endian) ‖ hint` and waits for the host's one-byte acknowledgement.
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        if hint.len() > MAX_HINT_SIZE {
            return Err(OracleError::HintTooLarge { len: hint.len() as u64, max: MAX_HINT_SIZE });
        }
        let prefix: [u8; HINT_PREFIX_SIZE] = (hint.len() as u32).to_be_bytes();
        write_all(FD_HINT_WRITE, &prefix)?;
        write_all(FD_HINT_WRITE, hint)?;
        let mut ack = [0; 1];
        check(FD_HINT_READ, syscall3(SYS_READ, FD_HINT_READ, ack.as_mut_ptr() as u32, 1))?;
        Ok(())
    }
}
