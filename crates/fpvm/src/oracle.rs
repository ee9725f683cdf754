//! The preimage oracle's syscalls: Linux `read`/`write` on the oracle's descriptors
//! ([`pillar_preimage::abi`]), their one-step rule, and [`OracleSyscalls`], the embedder that
//! serves them from a [`PreimageOracle`].
//!
//! The VM's state holds the selected key and the read offset ([`PreimageState`]), so the state
//! hash covers them:
//!
//! - `write(6, buf, len)` takes `n = min(len, 32 − buf mod 32)` bytes (never past the 32-byte
//!   leaf holding `buf`), shifts them into the key (`key = key << 8n | bytes`), sets the offset to
//!   0 and returns `n`.
//! - `read(5, buf, len)` reads the stream `len_be8 ‖ preimage` of the selected key from the
//!   offset: `n = min(len, 32 − buf mod 32, 8 + preimage_len − offset)` (0 at the end), never
//!   past the 32-byte leaf holding `buf`, so the bytes lie in one leaf and in the one 32-byte
//!   [`PreimagePart`] the L1 oracle returns for (key, offset). It returns `n` and advances the
//!   offset by `n`.
//! - `write(4, buf, len)` is a hint: it returns `min(len, 1 MiB)` and changes no state (the host
//!   reads the bytes; the step does not). A hint the host cannot take is dropped, never a reason
//!   to stop: the only host failure that stops the machine is a preimage it cannot serve.
//! - `read(3, buf, len)` is the hint acknowledgement: it returns `len` and writes nothing
//!   (Cannon's rule: the guest must not depend on the bytes).
//!
//! docs/fault-proofs.md, "The preimage oracle", is the specification.

use pillar_preimage::{
    MAX_HINT_SIZE, MAX_PREIMAGE_SIZE, MapOracle, OracleError, PreimageKey, PreimageOracle,
    abi::{
        FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE, HINT_PREFIX_SIZE,
        LENGTH_PREFIX_SIZE,
    },
};

use crate::{
    memory::Memory,
    merkle::{Hash, LEAF_SIZE},
    syscall::{EBADF, MAX_WRITE, SYS_EXIT, SYS_EXIT_GROUP, SYS_WRITE, SyscallError, SyscallResult, Syscalls},
};

/// Linux `read(fd, buf, len)`.
pub const SYS_READ: u32 = pillar_preimage::abi::SYS_READ;

/// Bytes of a preimage part: what one L1 oracle lookup returns.
pub const PART_SIZE: usize = 32;

/// The oracle's part of the VM state: the selected key and how far into `len_be8 ‖ preimage` the
/// guest has read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreimageState {
    /// The key, as the guest's writes to fd 6 have shifted it.
    pub key: Hash,
    /// Bytes of `len_be8 ‖ preimage` read since the key was last written.
    pub offset: u32,
}

/// What the L1 oracle contract returns for (key, offset): the 32 bytes of `len_be8 ‖ preimage`
/// from `offset` (zero past the end) and the preimage's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreimagePart {
    /// 32 bytes of the stream from the offset, zero-padded.
    pub bytes: [u8; PART_SIZE],
    /// The preimage's length, without the 8-byte prefix.
    pub len: u64,
}

impl PreimagePart {
    /// The part of `preimage` at `offset`.
    pub fn of(preimage: &[u8], offset: u32) -> Self {
        let len = preimage.len() as u64;
        let mut bytes = [0; PART_SIZE];
        for (i, b) in bytes.iter_mut().enumerate() {
            let at = u64::from(offset) + i as u64;
            *b = match at {
                0..8 => len.to_be_bytes()[at as usize],
                _ => preimage.get((at - 8) as usize).copied().unwrap_or(0),
            };
        }
        Self { bytes, len }
    }
}

/// A store of preimage parts: the L1 oracle contract as the one-step rule sees it.
pub trait PreimageParts {
    /// The part of the preimage of `key` at `offset`, or `None` if the preimage is unknown.
    fn part(&mut self, key: &Hash, offset: u32) -> Option<PreimagePart>;
}

/// Knows no preimage: a step that reads one cannot be proven or verified with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPreimages;

impl PreimageParts for NoPreimages {
    fn part(&mut self, _: &Hash, _: u32) -> Option<PreimagePart> {
        None
    }
}

impl PreimageParts for MapOracle {
    fn part(&mut self, key: &Hash, offset: u32) -> Option<PreimagePart> {
        self.preimage(&PreimageKey(*key)).map(|p| PreimagePart::of(p, offset))
    }
}

/// Bytes a `read(5, addr, want)` returns at `offset` into a preimage of `preimage_len` bytes:
/// at most `want`, never past the 32-byte leaf holding `addr`, never past the stream's end.
pub fn preimage_read_len(offset: u32, preimage_len: u64, addr: u32, want: u32) -> u32 {
    let room = LEAF_SIZE as u32 - (addr & (LEAF_SIZE as u32 - 1));
    let available =
        (preimage_len.saturating_add(LENGTH_PREFIX_SIZE as u64)).saturating_sub(u64::from(offset));
    want.min(room).min(available.min(u64::from(u32::MAX)) as u32)
}

/// Bytes a `write(6, addr, want)` takes: at most `want`, never past the 32-byte leaf holding
/// `addr`.
pub fn key_write_len(addr: u32, want: u32) -> u32 {
    want.min(LEAF_SIZE as u32 - (addr & (LEAF_SIZE as u32 - 1)))
}

/// `key << 8·len(bytes) | bytes` (`bytes` at most 32).
pub fn shift_key(key: &Hash, bytes: &[u8]) -> Hash {
    let n = bytes.len().min(32);
    let mut out = [0; 32];
    out[..32 - n].copy_from_slice(&key[n..]);
    out[32 - n..].copy_from_slice(&bytes[bytes.len() - n..]);
    out
}

/// The data access of an oracle `ecall` with registers `a7`, `a0`, `a1`, `a2`: the address of the
/// one leaf it reads or writes (a preimage read or a key write of at least one byte), if any.
pub(crate) fn oracle_access(number: u32, [fd, addr, len]: [u32; 3]) -> Option<u32> {
    match (number, fd) {
        (SYS_READ, FD_PREIMAGE_READ) | (SYS_WRITE, FD_PREIMAGE_WRITE) if len > 0 => Some(addr),
        _ => None,
    }
}

/// Whether the `ecall` reads a preimage (so its proof carries a [`PreimagePart`]).
pub(crate) fn is_preimage_read(number: u32, fd: u32) -> bool {
    number == SYS_READ && fd == FD_PREIMAGE_READ
}

/// [`crate::LinuxSyscalls`]' `write` and `exit` plus the oracle's calls, served from `oracle`.
#[derive(Debug, Clone, Default)]
pub struct OracleSyscalls<O> {
    /// The host's oracle.
    pub oracle: O,
    /// Bytes written to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2.
    pub stderr: Vec<u8>,
    /// Hints the host could not take (longer than [`pillar_preimage::MAX_HINT_SIZE`], or refused
    /// by the oracle), in order. A hint is advice: a bad one is dropped, never a reason to stop.
    pub hint_errors: Vec<OracleError>,
    /// Hint bytes received and not yet a whole `len_be4 ‖ hint`.
    hint_buf: Vec<u8>,
    /// Bytes of an oversized hint still to drop.
    hint_skip: u64,
    /// The last preimage fetched, as `len_be8 ‖ preimage`, with its key.
    cached: Option<(Hash, Vec<u8>)>,
}

/// What a guest run with the oracle's syscalls gave: its exit (or why it stopped) and its output.
#[derive(Debug)]
pub struct OracleRun {
    /// The guest's exit, or the trap or step limit that stopped it.
    pub exit: Result<crate::Exit, crate::VmError>,
    /// Bytes written to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2.
    pub stderr: Vec<u8>,
}

/// Runs `machine` for at most `max_steps` with [`OracleSyscalls`] over `oracle`. Not generic, so
/// the interpreter's loop is compiled in this crate, optimised whatever the caller's profile: a
/// host built unoptimised (`cargo test`'s `pillar`) would otherwise run the guest some twenty
/// times slower.
pub fn run_with_oracle(
    machine: &mut crate::Machine,
    oracle: &mut dyn PreimageOracle,
    max_steps: u64,
) -> OracleRun {
    let mut sys = OracleSyscalls::new(oracle);
    let exit = machine.run(&mut sys, max_steps);
    OracleRun { exit, stdout: sys.stdout, stderr: sys.stderr }
}

impl<O: PreimageOracle> OracleSyscalls<O> {
    /// Serves the oracle's calls from `oracle`.
    pub fn new(oracle: O) -> Self {
        Self {
            oracle,
            stdout: Vec::new(),
            stderr: Vec::new(),
            hint_errors: Vec::new(),
            hint_buf: Vec::new(),
            hint_skip: 0,
            cached: None,
        }
    }

    /// `len_be8 ‖ preimage` of `key`, fetched once per key in a row.
    fn stream(&mut self, key: &Hash) -> Result<&[u8], OracleError> {
        if self.cached.as_ref().is_none_or(|(k, _)| k != key) {
            let preimage = self.oracle.get(PreimageKey(*key))?;
            if preimage.len() > MAX_PREIMAGE_SIZE {
                return Err(OracleError::TooLarge { len: preimage.len() as u64, max: MAX_PREIMAGE_SIZE });
            }
            let mut stream = Vec::with_capacity(LENGTH_PREFIX_SIZE + preimage.len());
            stream.extend_from_slice(&(preimage.len() as u64).to_be_bytes());
            stream.extend_from_slice(&preimage);
            self.cached = Some((*key, stream));
        }
        Ok(self.cached.as_ref().map_or(&[], |(_, s)| s.as_slice()))
    }

    /// Passes each whole `len_be4 ‖ hint` in the buffer to the oracle. An oversized hint is
    /// dropped as its bytes arrive (never buffered), keeping the framing; a hint the oracle refuses
    /// is dropped too. Both are recorded in `hint_errors`.
    fn take_hints(&mut self) {
        loop {
            if self.hint_skip > 0 {
                let n = self.hint_buf.len().min(usize::try_from(self.hint_skip).unwrap_or(usize::MAX));
                self.hint_buf.drain(..n);
                self.hint_skip -= n as u64;
                if self.hint_skip > 0 {
                    return;
                }
            }
            let Some(prefix) = self.hint_buf.first_chunk::<HINT_PREFIX_SIZE>() else {
                return;
            };
            let len = u32::from_be_bytes(*prefix) as usize;
            if len > MAX_HINT_SIZE {
                self.hint_errors.push(OracleError::HintTooLarge { len: len as u64, max: MAX_HINT_SIZE });
                self.hint_buf.drain(..HINT_PREFIX_SIZE);
                self.hint_skip = len as u64;
                continue;
            }
            let Some(hint) = self.hint_buf.get(HINT_PREFIX_SIZE..HINT_PREFIX_SIZE + len) else {
                return;
            };
            if let Err(e) = self.oracle.hint(hint) {
                self.hint_errors.push(e);
            }
            self.hint_buf.drain(..HINT_PREFIX_SIZE + len);
        }
    }
}

impl<O: PreimageOracle> PreimageParts for OracleSyscalls<O> {
    fn part(&mut self, key: &Hash, offset: u32) -> Option<PreimagePart> {
        let stream = self.stream(key).ok()?;
        let len = (stream.len() - LENGTH_PREFIX_SIZE) as u64;
        let mut bytes = [0; PART_SIZE];
        let start = (offset as usize).min(stream.len());
        let end = start.saturating_add(PART_SIZE).min(stream.len());
        bytes[..end - start].copy_from_slice(&stream[start..end]);
        Some(PreimagePart { bytes, len })
    }
}

impl<O: PreimageOracle> Syscalls for OracleSyscalls<O> {
    fn syscall(
        &mut self,
        number: u32,
        [a0, a1, a2]: [u32; 3],
        memory: &mut Memory,
        preimage: &mut PreimageState,
    ) -> Result<SyscallResult, SyscallError> {
        let ret = match (number, a0) {
            (SYS_WRITE, 1 | 2) => {
                let len = a2.min(MAX_WRITE);
                let out = if a0 == 1 { &mut self.stdout } else { &mut self.stderr };
                out.extend(memory.read(a1, len as usize));
                len
            }
            (SYS_WRITE, FD_HINT_WRITE) => {
                let len = a2.min(MAX_WRITE);
                self.hint_buf.extend(memory.read(a1, len as usize));
                self.take_hints();
                len
            }
            (SYS_WRITE, FD_PREIMAGE_WRITE) => {
                let n = key_write_len(a1, a2);
                preimage.key = shift_key(&preimage.key, &memory.read(a1, n as usize));
                preimage.offset = 0;
                n
            }
            (SYS_READ, FD_HINT_READ) => a2,
            (SYS_READ, FD_PREIMAGE_READ) => {
                let offset = preimage.offset;
                let stream = self.stream(&preimage.key)?;
                let len = (stream.len() - LENGTH_PREFIX_SIZE) as u64;
                let n = preimage_read_len(offset, len, a1, a2);
                let start = offset as usize;
                memory.write(a1, &stream[start..start + n as usize])?;
                preimage.offset = offset + n;
                n
            }
            (SYS_READ | SYS_WRITE, _) => EBADF.wrapping_neg(),
            (SYS_EXIT | SYS_EXIT_GROUP, _) => return Ok(SyscallResult::Exit(a0)),
            (number, _) => return Err(SyscallError::Unknown { number }),
        };
        Ok(SyscallResult::Return(ret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_shift_in_from_the_right() {
        let k = shift_key(&[0; 32], &[1, 2, 3]);
        assert_eq!(&k[29..], &[1, 2, 3]);
        let k = shift_key(&k, &[4]);
        assert_eq!(&k[28..], &[1, 2, 3, 4]);
        let full: Vec<u8> = (0..32).collect();
        assert_eq!(shift_key(&[0xff; 32], &full).to_vec(), full);
    }

    #[test]
    fn reads_stop_at_the_leaf_and_the_end() {
        assert_eq!(preimage_read_len(0, 100, 0x1000, 1000), 32);
        assert_eq!(preimage_read_len(0, 100, 0x101c, 1000), 4);
        assert_eq!(preimage_read_len(100, 100, 0x1000, 1000), 8);
        assert_eq!(preimage_read_len(108, 100, 0x1000, 1000), 0);
        assert_eq!(preimage_read_len(200, 100, 0x1000, 1000), 0);
        assert_eq!(preimage_read_len(0, 0, 0x1000, 3), 3);
        assert_eq!(preimage_read_len(0, u64::MAX, 0x1000, 7), 7);
        assert_eq!(key_write_len(0x1001, 64), 31);
        assert_eq!(key_write_len(0x1000, 5), 5);
    }

    #[test]
    fn hints_are_framed_and_oversized_ones_dropped() {
        let mut sys = OracleSyscalls::new(MapOracle::new());
        let mut stream = vec![0, 0, 0, 2, b'h', b'i'];
        let big = MAX_HINT_SIZE as u32 + 1;
        stream.extend(big.to_be_bytes());
        stream.extend(vec![7; big as usize]);
        stream.extend([0, 0, 0, 1, b'!', 0, 0]);
        // Fed in uneven pieces, as a guest's partial writes would.
        for piece in stream.chunks(1 << 19) {
            sys.hint_buf.extend_from_slice(piece);
            sys.take_hints();
        }
        assert_eq!(sys.oracle.hints, vec![b"hi".to_vec(), b"!".to_vec()]);
        assert_eq!(
            sys.hint_errors,
            vec![OracleError::HintTooLarge { len: u64::from(big), max: MAX_HINT_SIZE }]
        );
        assert_eq!(sys.hint_buf, vec![0, 0]); // half a prefix, waiting
    }

    #[test]
    fn parts_are_the_stream_from_the_offset_zero_padded() {
        let pre: Vec<u8> = (1..=40).collect();
        let p = PreimagePart::of(&pre, 0);
        assert_eq!(&p.bytes[..8], &40u64.to_be_bytes());
        assert_eq!(&p.bytes[8..], &pre[..24]);
        let p = PreimagePart::of(&pre, 30);
        assert_eq!(&p.bytes[..18], &pre[22..]);
        assert_eq!(&p.bytes[18..], &[0; 14]);
        assert_eq!(PreimagePart::of(&pre, u32::MAX).bytes, [0; 32]);
        let mut o = MapOracle::new();
        let key = o.insert_keccak(&pre).expect("checked");
        let mut sys = OracleSyscalls::new(o.clone());
        for offset in [0, 5, 8, 30, 47, 48, 49, 1000] {
            assert_eq!(sys.part(&key.0, offset), Some(PreimagePart::of(&pre, offset)));
            assert_eq!(o.part(&key.0, offset), Some(PreimagePart::of(&pre, offset)));
        }
        assert_eq!(o.part(&[9; 32], 0), None);
    }
}
