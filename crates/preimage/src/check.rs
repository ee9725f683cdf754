//! What makes a preimage right for its key: the rule the L1 oracle contract applies before it
//! stores a preimage, so the VM is only ever served checked data.
//!
//! | type | [`check`] |
//! |---|---|
//! | local | none: the game contract serves the dispute's own inputs |
//! | keccak256 | `keccak256(pre)[1..] == key[1..]` |
//! | sha256 | `sha256(pre)[1..] == key[1..]` |
//! | NOMT node | `len == 64` and `sha256(pre)[1..] == key[1..]` |
//! | blob | needs the commitment, `z` and a KZG proof: [`check_blob_key`] checks the key and the field element's form; the KZG opening is the L1 contract's (point-evaluation precompile) |
//! | precompile | needs the address and input: [`check_precompile`] (feature `std`) recomputes the result |
//!
//! Every preimage is at most [`MAX_PREIMAGE_SIZE`] bytes.

use thiserror::Error;

use crate::{
    hash::{keccak256, sha256},
    key::{KeyType, PreimageKey},
    oracle::MAX_PREIMAGE_SIZE,
};

/// Bytes of a NOMT node's preimage: its two children's hashes.
pub const NOMT_NODE_SIZE: usize = 64;

/// The BLS12-381 scalar field's modulus, big-endian: a blob's field elements are below it.
pub const BLS_MODULUS: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53,
    0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// Why a preimage is not right for a key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyCheckError {
    /// Byte 0 of the key names no type.
    #[error("key type byte {byte} names no key type")]
    UnknownType {
        /// Byte 0.
        byte: u8,
    },
    /// The preimage is longer than [`MAX_PREIMAGE_SIZE`].
    #[error("preimage of {len} bytes, more than the {max} allowed")]
    TooLarge {
        /// Its length.
        len: usize,
        /// [`MAX_PREIMAGE_SIZE`].
        max: usize,
    },
    /// The preimage does not hash (or compute) to the key, or the data given does not derive it.
    #[error("{key_type:?} preimage does not match its key")]
    Mismatch {
        /// The key's type.
        key_type: KeyType,
    },
    /// The preimage has the wrong length for its type (a NOMT node is 64 bytes, a blob field
    /// element 32).
    #[error("{key_type:?} preimage is {len} bytes, not {expected}")]
    Length {
        /// The key's type.
        key_type: KeyType,
        /// Its length.
        len: usize,
        /// The type's length.
        expected: usize,
    },
    /// A blob field element not below the BLS12-381 scalar modulus.
    #[error("blob field element is not canonical (not below the BLS modulus)")]
    NonCanonicalFieldElement,
    /// The key alone does not determine the preimage: a blob needs its commitment, `z` and a KZG
    /// proof, a precompile its address and input ([`check_blob_key`], [`check_precompile`]).
    #[error("a {key_type:?} key is checked with its context, not by hashing")]
    NeedsContext {
        /// The key's type.
        key_type: KeyType,
    },
    /// A precompile key names an address whose semantics this crate does not have.
    #[error("no precompile at {address:02x?}")]
    UnsupportedPrecompile {
        /// The address.
        address: [u8; 20],
    },
}

fn size(preimage: &[u8]) -> Result<(), KeyCheckError> {
    if preimage.len() > MAX_PREIMAGE_SIZE {
        return Err(KeyCheckError::TooLarge { len: preimage.len(), max: MAX_PREIMAGE_SIZE });
    }
    Ok(())
}

fn tail_matches(key: &PreimageKey, key_type: KeyType, digest: [u8; 32]) -> Result<(), KeyCheckError> {
    if digest[1..] == key.0[1..] { Ok(()) } else { Err(KeyCheckError::Mismatch { key_type }) }
}

/// Whether `preimage` is the preimage of `key`, for the types whose key determines it (local,
/// keccak256, sha256, NOMT node). Blob and precompile keys give
/// [`KeyCheckError::NeedsContext`]: check them with [`check_blob_key`] or [`check_precompile`].
pub fn check(key: &PreimageKey, preimage: &[u8]) -> Result<(), KeyCheckError> {
    size(preimage)?;
    let key_type = key.key_type().ok_or(KeyCheckError::UnknownType { byte: key.0[0] })?;
    match key_type {
        KeyType::Local => Ok(()),
        KeyType::Keccak256 => tail_matches(key, key_type, keccak256(preimage)),
        KeyType::Sha256 => tail_matches(key, key_type, sha256(preimage)),
        KeyType::NomtNode => {
            if preimage.len() != NOMT_NODE_SIZE {
                return Err(KeyCheckError::Length {
                    key_type,
                    len: preimage.len(),
                    expected: NOMT_NODE_SIZE,
                });
            }
            tail_matches(key, key_type, sha256(preimage))
        }
        KeyType::Blob | KeyType::Precompile => Err(KeyCheckError::NeedsContext { key_type }),
    }
}

/// Whether `key` is the blob key of (`commitment`, `z`) and `element` a canonical field element
/// (32 bytes, big-endian, below [`BLS_MODULUS`]). Whether `element` is the blob's value at `z`
/// needs a KZG proof; the L1 oracle contract checks it with the point-evaluation precompile, and
/// this crate does not (the next issue tests that path against L1).
pub fn check_blob_key(
    key: &PreimageKey,
    commitment: &[u8; 48],
    z: &[u8; 32],
    element: &[u8],
) -> Result<(), KeyCheckError> {
    let key_type = KeyType::Blob;
    if *key != PreimageKey::blob(commitment, z) {
        return Err(KeyCheckError::Mismatch { key_type });
    }
    let element: &[u8; 32] = element.try_into().map_err(|_| KeyCheckError::Length {
        key_type,
        len: element.len(),
        expected: 32,
    })?;
    if *element >= BLS_MODULUS || *z >= BLS_MODULUS {
        return Err(KeyCheckError::NonCanonicalFieldElement);
    }
    Ok(())
}

/// Whether `key` is the precompile key of (`address`, `input`) and `preimage` the status byte ‖
/// output the precompile returns for `input` ([`crate::precompile::call`]).
#[cfg(feature = "std")]
pub fn check_precompile(
    key: &PreimageKey,
    address: &[u8; 20],
    input: &[u8],
    preimage: &[u8],
) -> Result<(), KeyCheckError> {
    size(preimage)?;
    let key_type = KeyType::Precompile;
    if *key != PreimageKey::precompile(address, input) {
        return Err(KeyCheckError::Mismatch { key_type });
    }
    let expected = crate::precompile::call(address, input)?;
    if expected != preimage {
        return Err(KeyCheckError::Mismatch { key_type });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_keys_check_their_preimages() {
        let pre = b"pillar";
        assert_eq!(check(&PreimageKey::keccak(pre), pre), Ok(()));
        assert_eq!(check(&PreimageKey::sha256(pre), pre), Ok(()));
        assert_eq!(
            check(&PreimageKey::keccak(pre), b"pillaR"),
            Err(KeyCheckError::Mismatch { key_type: KeyType::Keccak256 })
        );
        // A sha256 preimage under a keccak key: the type decides the hash.
        let mut k = PreimageKey::sha256(pre);
        k.0[0] = KeyType::Keccak256 as u8;
        assert!(check(&k, pre).is_err());
        assert_eq!(check(&PreimageKey::local_index(7), b"anything"), Ok(()));
        assert_eq!(check(&PreimageKey([3; 32]), b""), Err(KeyCheckError::UnknownType { byte: 3 }));
        let big = alloc::vec![0; MAX_PREIMAGE_SIZE + 1];
        assert_eq!(
            check(&PreimageKey::local_index(0), &big),
            Err(KeyCheckError::TooLarge { len: MAX_PREIMAGE_SIZE + 1, max: MAX_PREIMAGE_SIZE })
        );
    }

    #[test]
    fn nomt_nodes_are_64_bytes_hashing_to_the_key() {
        let node = [0x11; 64];
        let mut hash = sha256(&node);
        hash[0] |= 0x80; // the leaf bit, which the key drops
        assert_eq!(check(&PreimageKey::nomt_node(&hash), &node), Ok(()));
        hash[0] &= 0x7f;
        assert_eq!(check(&PreimageKey::nomt_node(&hash), &node), Ok(()));
        let key = PreimageKey::nomt_node(&sha256(&node[..63]));
        assert_eq!(
            check(&key, &node[..63]),
            Err(KeyCheckError::Length { key_type: KeyType::NomtNode, len: 63, expected: 64 })
        );
    }

    #[test]
    fn blob_keys_need_their_context() {
        let (c, z) = ([9; 48], [1; 32]);
        let key = PreimageKey::blob(&c, &z);
        assert_eq!(check(&key, &[0; 32]), Err(KeyCheckError::NeedsContext { key_type: KeyType::Blob }));
        assert_eq!(check_blob_key(&key, &c, &z, &[0; 32]), Ok(()));
        assert_eq!(check_blob_key(&key, &c, &z, &BLS_MODULUS), Err(KeyCheckError::NonCanonicalFieldElement));
        assert!(check_blob_key(&key, &c, &[2; 32], &[0; 32]).is_err());
        assert!(check_blob_key(&key, &c, &z, &[0; 31]).is_err());
    }
}
