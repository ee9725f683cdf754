//! The VM state and its hash: the fixed byte layout that the dispute game bisects over and the
//! one-step verifier starts from (docs/fault-proofs.md, "The state hash", is the consensus rule).
//!
//! Integers are big-endian so the layout reads the same as Solidity's `abi.encodePacked` of the
//! same fields, which is how the L1 `step` will hash it.

use thiserror::Error;

use crate::merkle::{Hash, keccak256};

/// Bytes in the encoded state.
pub const STATE_SIZE: usize = 209;

/// Status byte of a state hash: the guest exited with code 0 (the claim holds).
pub const STATUS_VALID: u8 = 0;
/// Status byte of a state hash: the guest exited with a non-zero code.
pub const STATUS_INVALID: u8 = 1;
/// Status byte of a state hash: the guest has not exited.
pub const STATUS_UNFINISHED: u8 = 3;

/// Everything that determines the VM's next step, with memory as its Merkle root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Root of the memory tree ([`crate::Memory::memory_root`]).
    pub memory_root: Hash,
    /// The preimage key the guest last selected (zero until the oracle slice defines it).
    pub preimage_key: Hash,
    /// Offset into that preimage (zero until the oracle slice defines it).
    pub preimage_offset: u32,
    /// The address of the next instruction.
    pub pc: u32,
    /// `a0` at `exit`; 0 while running.
    pub exit_code: u32,
    /// Whether the guest has exited.
    pub exited: bool,
    /// Instructions executed; it stops counting at `exit`.
    pub steps: u64,
    /// x0..x31; x0 is 0 and not encoded.
    pub regs: [u32; 32],
}

/// Why bytes are not an encoded [`State`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum StateError {
    /// The encoding is not [`STATE_SIZE`] bytes.
    #[error("state is {len} bytes, not {STATE_SIZE}")]
    Length {
        /// Bytes given.
        len: usize,
    },
    /// The exited byte is neither 0 nor 1.
    #[error("exited flag {value} is neither 0 nor 1")]
    ExitedFlag {
        /// The byte.
        value: u8,
    },
    /// A running state with a non-zero exit code: no machine is in it, and allowing it would give
    /// one machine state two hashes.
    #[error("running state with exit code {code}")]
    ExitCodeWhileRunning {
        /// The exit code field.
        code: u32,
    },
}

impl State {
    /// The layout: memory root (32), preimage key (32), preimage offset (u32), pc (u32), exit
    /// code (u32), exited (u8: 0 or 1), step count (u64), x1..x31 (u32 each), integers
    /// big-endian.
    pub fn encode(&self) -> [u8; STATE_SIZE] {
        let mut out = [0; STATE_SIZE];
        out[0..32].copy_from_slice(&self.memory_root);
        out[32..64].copy_from_slice(&self.preimage_key);
        out[64..68].copy_from_slice(&self.preimage_offset.to_be_bytes());
        out[68..72].copy_from_slice(&self.pc.to_be_bytes());
        out[72..76].copy_from_slice(&self.exit_code.to_be_bytes());
        out[76] = u8::from(self.exited);
        out[77..85].copy_from_slice(&self.steps.to_be_bytes());
        for (i, r) in self.regs[1..].iter().enumerate() {
            out[85 + 4 * i..89 + 4 * i].copy_from_slice(&r.to_be_bytes());
        }
        out
    }

    /// Parses [`State::encode`]'s layout, rejecting what no machine can be in.
    pub fn decode(bytes: &[u8]) -> Result<Self, StateError> {
        let b: &[u8; STATE_SIZE] = bytes.try_into().map_err(|_| StateError::Length { len: bytes.len() })?;
        let u32_at = |o: usize| u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let exited = match b[76] {
            0 => false,
            1 => true,
            value => return Err(StateError::ExitedFlag { value }),
        };
        let exit_code = u32_at(72);
        if !exited && exit_code != 0 {
            return Err(StateError::ExitCodeWhileRunning { code: exit_code });
        }
        let mut regs = [0; 32];
        for (i, r) in regs[1..].iter_mut().enumerate() {
            *r = u32_at(85 + 4 * i);
        }
        let mut steps = [0; 8];
        steps.copy_from_slice(&b[77..85]);
        let mut memory_root = [0; 32];
        memory_root.copy_from_slice(&b[0..32]);
        let mut preimage_key = [0; 32];
        preimage_key.copy_from_slice(&b[32..64]);
        Ok(Self {
            memory_root,
            preimage_key,
            preimage_offset: u32_at(64),
            pc: u32_at(68),
            exit_code,
            exited,
            steps: u64::from_be_bytes(steps),
            regs,
        })
    }

    /// The status byte of the hash: valid, invalid or unfinished.
    pub fn status(&self) -> u8 {
        match (self.exited, self.exit_code) {
            (false, _) => STATUS_UNFINISHED,
            (true, 0) => STATUS_VALID,
            (true, _) => STATUS_INVALID,
        }
    }

    /// keccak256 of the encoding with its first byte replaced by [`State::status`], so the
    /// dispute game can read from a claimed hash whether the guest exited and how, as in Cannon.
    pub fn hash(&self) -> Hash {
        let mut h = keccak256(&self.encode());
        h[0] = self.status();
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        let mut regs = [0; 32];
        for (i, r) in regs.iter_mut().enumerate().skip(1) {
            *r = 0x0101_0101 * i as u32;
        }
        State {
            memory_root: [0xaa; 32],
            preimage_key: [0xbb; 32],
            preimage_offset: 0x0c0d_0e0f,
            pc: 0x1_0000,
            exit_code: 0,
            exited: false,
            steps: 0x0102_0304_0506_0708,
            regs,
        }
    }

    /// A fixed fixture: changing it is changing the consensus layout.
    #[test]
    fn layout_fixture() {
        let b = sample().encode();
        assert_eq!(&b[64..85], &[0x0c, 0x0d, 0x0e, 0x0f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&b[85..89], &[1, 1, 1, 1]);
        assert_eq!(&b[205..209], &[31, 31, 31, 31]);
        assert_eq!(State::decode(&b), Ok(sample()));
        assert_eq!(sample().hash()[0], STATUS_UNFINISHED);
    }

    #[test]
    fn decode_rejects_non_states() {
        let mut b = sample().encode();
        assert_eq!(State::decode(&b[..208]), Err(StateError::Length { len: 208 }));
        b[76] = 2;
        assert_eq!(State::decode(&b), Err(StateError::ExitedFlag { value: 2 }));
        b[76] = 0;
        b[75] = 1;
        assert_eq!(State::decode(&b), Err(StateError::ExitCodeWhileRunning { code: 1 }));
        b[76] = 1;
        let s = State::decode(&b).unwrap();
        assert_eq!((s.exited, s.exit_code, s.hash()[0]), (true, 1, STATUS_INVALID));
    }
}
