//! A witness as bytes for the node's disk (the witness recorder's records).
//!
//! Node hashes are not stored: decoding recomputes each one from its preimage, which makes the
//! record a third smaller than hash-keyed preimages and means a damaged record cannot answer a
//! node under the wrong hash. Layout, integers little-endian:
//!
//! ```text
//! version: u8 = 0
//! internal: u32 count, then count × 64-byte preimages (left ‖ right)
//! leaves:   u32 count, then count × 64-byte preimages (key_path ‖ value_hash)
//! values:   u32 count, then count × (u32 length ‖ bytes)
//! ```

use alloc::vec::Vec;

use super::{Kind, WitnessMap, internal_hash, kind, split};
use crate::leaf_hash;

const VERSION: u8 = 0;

/// Why stored witness bytes do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredWitnessError {
    /// The first byte names a layout this build does not know.
    #[error("stored witness has version {got}, expected {VERSION}")]
    Version {
        /// The version byte found.
        got: u8,
    },
    /// The bytes end inside a count or an item.
    #[error("stored witness is truncated at byte {at} reading {what}")]
    Truncated {
        /// Offset where more bytes were needed.
        at: usize,
        /// What was being read.
        what: &'static str,
    },
    /// Bytes are left after the last value.
    #[error("stored witness has {extra} bytes after its values")]
    Trailing {
        /// How many.
        extra: usize,
    },
}

impl WitnessMap {
    /// The witness as a stored record (module docs): its node preimages by kind and its values.
    pub fn to_stored(&self) -> Vec<u8> {
        let (leaves, internal): (Vec<_>, Vec<_>) =
            self.nodes.iter().partition(|(hash, _)| kind(hash) == Kind::Leaf);
        let values_len: usize = self.values.values().map(|v| 4 + v.len()).sum();
        let mut out = Vec::with_capacity(13 + 64 * self.nodes.len() + values_len);
        out.push(VERSION);
        for list in [internal, leaves] {
            out.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for (_, preimage) in list {
                out.extend_from_slice(preimage);
            }
        }
        out.extend_from_slice(&(self.values.len() as u32).to_le_bytes());
        for value in self.values.values() {
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        out
    }

    /// Reads a record written by [`WitnessMap::to_stored`], rehashing every node and value.
    /// Never allocates more than the input's length implies.
    pub fn from_stored(bytes: &[u8]) -> Result<Self, StoredWitnessError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.take(1, "the version")?[0];
        if version != VERSION {
            return Err(StoredWitnessError::Version { got: version });
        }
        let mut map = WitnessMap::new();
        for leaf in [false, true] {
            let count = r.u32("a node count")?;
            for _ in 0..count {
                let preimage: [u8; 64] = r.array("a node preimage")?;
                let (a, b) = split(&preimage);
                let hash = if leaf { leaf_hash(&a, &b) } else { internal_hash(&a, &b) };
                map.nodes.insert(hash, preimage);
            }
        }
        let count = r.u32("the value count")?;
        for _ in 0..count {
            let len = r.u32("a value length")? as usize;
            map.insert_value(r.take(len, "a value")?.to_vec());
        }
        match bytes.len() - r.at {
            0 => Ok(map),
            extra => Err(StoredWitnessError::Trailing { extra }),
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], StoredWitnessError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(StoredWitnessError::Truncated { at: self.at, what })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], StoredWitnessError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, StoredWitnessError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;
    use proptest::prelude::*;

    /// A witness whose node hashes are its preimages' hashes, as the recorder makes them.
    fn witness(internal: &[[u8; 64]], leaves: &[[u8; 64]], values: &[Vec<u8>]) -> WitnessMap {
        let mut map = WitnessMap::new();
        for p in internal {
            let (a, b) = split(p);
            map.insert_node(internal_hash(&a, &b), *p);
        }
        for p in leaves {
            let (a, b) = split(p);
            map.insert_node(leaf_hash(&a, &b), *p);
        }
        for v in values {
            map.insert_value(v.clone());
        }
        map
    }

    fn preimages(max: usize) -> impl Strategy<Value = Vec<[u8; 64]>> {
        let half = || proptest::array::uniform32(any::<u8>());
        proptest::collection::vec((half(), half()), 0..max)
            .prop_map(|v| v.iter().map(|(a, b)| super::super::join(a, b)).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn a_stored_witness_reads_back_whole(
            internal in preimages(40),
            leaves in preimages(20),
            values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 0..10),
        ) {
            let map = witness(&internal, &leaves, &values);
            let bytes = map.to_stored();
            prop_assert_eq!(bytes.len(), 13 + 64 * map.node_count() + values_total(&map));
            prop_assert_eq!(WitnessMap::from_stored(&bytes), Ok(map));
        }

        #[test]
        fn damaged_records_are_refused_or_differ_never_panic(
            internal in preimages(10),
            values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..4),
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
            xor in 1u8..,
        ) {
            let map = witness(&internal, &[], &values);
            let bytes = map.to_stored();
            let cut = cut.index(bytes.len());
            prop_assert!(
                matches!(WitnessMap::from_stored(&bytes[..cut]), Err(StoredWitnessError::Truncated { .. })),
                "a record cut at {} of {} is truncated", cut, bytes.len()
            );
            let mut longer = bytes.clone();
            longer.push(0);
            prop_assert_eq!(WitnessMap::from_stored(&longer), Err(StoredWitnessError::Trailing { extra: 1 }));
            let mut flipped = bytes.clone();
            flipped[flip.index(bytes.len())] ^= xor;
            prop_assert_ne!(WitnessMap::from_stored(&flipped), Ok(map));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = WitnessMap::from_stored(&bytes);
        }
    }

    fn values_total(map: &WitnessMap) -> usize {
        map.values().map(|(_, v)| 4 + v.len()).sum()
    }

    #[test]
    fn counts_larger_than_the_input_allocate_nothing() {
        let mut bytes = vec![VERSION];
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            WitnessMap::from_stored(&bytes),
            Err(StoredWitnessError::Truncated { at: 5, what: "a node preimage" })
        );
        assert_eq!(WitnessMap::from_stored(&[1]), Err(StoredWitnessError::Version { got: 1 }));
    }
}
