//! The byte encoding of a [`StepProof`]: what a challenger posts to the L1 `step` and what the
//! Solidity verifier will parse, so it is fixed (docs/fault-proofs.md, "Step proofs").
//!
//! `pre` (209 bytes) ‖ instruction leaf (32) ‖ its 27 siblings (27 × 32) ‖ data leaf count (1
//! byte: 0, 1 or 2) ‖ per data leaf: leaf (32) ‖ 27 siblings ‖ preimage flag (1 byte: 0 or 1) ‖
//! if 1, the preimage part: its 32 bytes ‖ the preimage's length (8, big-endian). Siblings are
//! bottom up. Every length is fixed by the count and the flag, so there is one encoding per
//! proof.

use thiserror::Error;

use crate::{
    merkle::{LEAF_DEPTH, LeafProof},
    oracle::{PART_SIZE, PreimagePart},
    state::STATE_SIZE,
    step::StepProof,
};

/// Bytes of one encoded leaf proof.
pub const LEAF_PROOF_SIZE: usize = 32 * (1 + LEAF_DEPTH);
/// Bytes of an encoded preimage part: the part and the preimage's length.
pub const PREIMAGE_PART_SIZE: usize = PART_SIZE + 8;

/// Why bytes are not an encoded [`StepProof`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ProofDecodeError {
    /// The bytes end before the fixed part does.
    #[error("proof is {len} bytes, shorter than the {min} of a proof without data leaves")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes needed.
        min: usize,
    },
    /// The data leaf count is more than two.
    #[error("{count} data leaves; an access touches at most 2")]
    DataLeafCount {
        /// The count byte.
        count: u8,
    },
    /// The length does not match the data leaf count and the preimage flag.
    #[error("proof with {count} data leaves is {len} bytes, not {expected}")]
    Length {
        /// The count byte.
        count: u8,
        /// Bytes given.
        len: usize,
        /// Bytes the count (and the flag, if present) implies.
        expected: usize,
    },
    /// The preimage flag is neither 0 nor 1.
    #[error("preimage flag {flag} is neither 0 nor 1")]
    PreimageFlag {
        /// The flag byte.
        flag: u8,
    },
}

fn put_leaf(out: &mut Vec<u8>, p: &LeafProof) {
    out.extend_from_slice(&p.leaf);
    for s in &p.siblings {
        out.extend_from_slice(s);
    }
}

fn take_leaf(bytes: &[u8]) -> LeafProof {
    let hash = |i: usize| {
        let mut h = [0; 32];
        h.copy_from_slice(&bytes[32 * i..32 * (i + 1)]);
        h
    };
    LeafProof { leaf: hash(0), siblings: std::array::from_fn(|l| hash(l + 1)) }
}

impl StepProof {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(STATE_SIZE + 2 + LEAF_PROOF_SIZE * (1 + self.data.len()) + PREIMAGE_PART_SIZE);
        out.extend_from_slice(&self.pre);
        put_leaf(&mut out, &self.instruction);
        out.push(self.data.len() as u8);
        for p in &self.data {
            put_leaf(&mut out, p);
        }
        match &self.preimage {
            None => out.push(0),
            Some(part) => {
                out.push(1);
                out.extend_from_slice(&part.bytes);
                out.extend_from_slice(&part.len.to_be_bytes());
            }
        }
        out
    }

    /// Parses [`StepProof::encode`]'s layout. Only the layout is checked here; whether the proof
    /// is right is [`crate::verify_step`]'s question.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProofDecodeError> {
        let fixed = STATE_SIZE + LEAF_PROOF_SIZE + 1;
        if bytes.len() < fixed {
            return Err(ProofDecodeError::Truncated { len: bytes.len(), min: fixed });
        }
        let count = bytes[fixed - 1];
        if count > 2 {
            return Err(ProofDecodeError::DataLeafCount { count });
        }
        let leaves_end = fixed + LEAF_PROOF_SIZE * usize::from(count);
        let Some(&flag) = bytes.get(leaves_end) else {
            return Err(ProofDecodeError::Length { count, len: bytes.len(), expected: leaves_end + 1 });
        };
        let expected = leaves_end
            + 1
            + match flag {
                0 => 0,
                1 => PREIMAGE_PART_SIZE,
                flag => return Err(ProofDecodeError::PreimageFlag { flag }),
            };
        if bytes.len() != expected {
            return Err(ProofDecodeError::Length { count, len: bytes.len(), expected });
        }
        let mut pre = [0; STATE_SIZE];
        pre.copy_from_slice(&bytes[..STATE_SIZE]);
        let instruction = take_leaf(&bytes[STATE_SIZE..STATE_SIZE + LEAF_PROOF_SIZE]);
        let data = bytes[fixed..leaves_end].chunks_exact(LEAF_PROOF_SIZE).map(take_leaf).collect();
        let preimage = (flag == 1).then(|| {
            let p = &bytes[leaves_end + 1..];
            let mut part = [0; PART_SIZE];
            part.copy_from_slice(&p[..PART_SIZE]);
            let mut len = [0; 8];
            len.copy_from_slice(&p[PART_SIZE..]);
            PreimagePart { bytes: part, len: u64::from_be_bytes(len) }
        });
        Ok(Self { pre, instruction, data, preimage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(n: usize, part: bool) -> StepProof {
        let leaf = |k: u8| LeafProof {
            leaf: [k; 32],
            siblings: std::array::from_fn(|l| [k.wrapping_add(l as u8 + 1); 32]),
        };
        StepProof {
            pre: [0xee; STATE_SIZE],
            instruction: leaf(0x10),
            data: (0..n).map(|i| leaf(0x80 + i as u8)).collect(),
            preimage: part.then_some(PreimagePart { bytes: [0x5c; 32], len: 0x0102_0304_0506_0708 }),
        }
    }

    /// A fixed fixture of the layout: changing it is changing what the L1 `step` parses.
    #[test]
    fn layout_fixture_and_round_trip() {
        for n in 0..=2 {
            let p = proof(n, false);
            let b = p.encode();
            assert_eq!(b.len(), 209 + 896 + 1 + 896 * n + 1);
            assert_eq!(b[208], 0xee);
            assert_eq!(&b[209..211], &[0x10, 0x10]);
            assert_eq!(b[209 + 32], 0x11); // first sibling
            assert_eq!(b[209 + 895], 0x10 + 27); // last sibling
            assert_eq!(b[1105], n as u8);
            assert_eq!(b[b.len() - 1], 0); // no preimage part
            assert_eq!(StepProof::decode(&b), Ok(p));
        }
        // A preimage read: one data leaf, then the flag, the part and the length.
        let p = proof(1, true);
        let b = p.encode();
        assert_eq!(b.len(), 2002 + 1 + 40);
        assert_eq!(b[2002], 1);
        assert_eq!(&b[2003..2035], &[0x5c; 32]);
        assert_eq!(&b[2035..2043], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(StepProof::decode(&b), Ok(p));
    }

    #[test]
    fn decode_rejects_bad_lengths_and_counts() {
        let b = proof(1, false).encode();
        assert_eq!(StepProof::decode(&b[..1105]), Err(ProofDecodeError::Truncated { len: 1105, min: 1106 }));
        assert_eq!(
            StepProof::decode(&b[..2001]),
            Err(ProofDecodeError::Length { count: 1, len: 2001, expected: 2003 })
        );
        assert_eq!(
            StepProof::decode(&b[..2002]),
            Err(ProofDecodeError::Length { count: 1, len: 2002, expected: 2003 })
        );
        let mut c = b.clone();
        c[1105] = 3;
        assert_eq!(StepProof::decode(&c), Err(ProofDecodeError::DataLeafCount { count: 3 }));
        let mut extra = b.clone();
        extra.push(0);
        assert!(StepProof::decode(&extra).is_err());
        let mut flag = b.clone();
        flag[2002] = 2;
        assert_eq!(StepProof::decode(&flag), Err(ProofDecodeError::PreimageFlag { flag: 2 }));
        // Flag 1 without the part.
        flag[2002] = 1;
        assert_eq!(
            StepProof::decode(&flag),
            Err(ProofDecodeError::Length { count: 1, len: 2003, expected: 2043 })
        );
        let with = proof(1, true).encode();
        assert!(StepProof::decode(&with[..with.len() - 1]).is_err());
    }
}
