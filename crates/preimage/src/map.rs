//! An in-memory host oracle: a map from key to preimage, checked as it is filled.

use alloc::{collections::BTreeMap, vec::Vec};

use crate::{
    check::{KeyCheckError, check, check_blob_key},
    hash::sha256,
    key::PreimageKey,
    oracle::{MAX_HINT_SIZE, MAX_PREIMAGE_SIZE, OracleError, PreimageOracle},
};

/// Preimages by key, and the hints received. Every insert checks the preimage against its key as
/// the L1 oracle contract would ([`check`]), so a `MapOracle` serves only what L1 would serve
/// (for blobs, up to the KZG opening, which it takes on trust: [`check_blob_key`]).
///
/// It also keeps, beside the preimages, what the L1 oracle's loaders need for the two key types
/// whose key does not determine its preimage by a hash of it: a precompile key's call (address
/// and input: the contract calls the precompile itself) and a blob key's commitment and point,
/// with the whole blob when [`MapOracle::insert_blob_elements`] was given it (a KZG proof of an
/// element is computed from the blob). A challenger posting a step that reads such a key looks
/// them up ([`MapOracle::precompile_call`], [`MapOracle::blob_point`], [`MapOracle::blob`]).
/// [`MapOracle::to_bytes`] carries the preimages only.
#[derive(Debug, Clone, Default)]
pub struct MapOracle {
    preimages: BTreeMap<[u8; 32], Vec<u8>>,
    /// The hints received, in order.
    pub hints: Vec<Vec<u8>>,
    /// Precompile key → (address, input).
    precompile_calls: BTreeMap<[u8; 32], ([u8; 20], Vec<u8>)>,
    /// Blob key → (commitment, z).
    blob_points: BTreeMap<[u8; 32], ([u8; 48], [u8; 32])>,
    /// Commitment → the blob's bytes.
    blobs: BTreeMap<[u8; 48], Vec<u8>>,
}

impl MapOracle {
    /// An empty oracle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `preimage` under `key` if [`check`] accepts it (local, keccak256, sha256 and NOMT
    /// keys; blob and precompile keys have their own inserts).
    pub fn insert(&mut self, key: PreimageKey, preimage: &[u8]) -> Result<PreimageKey, KeyCheckError> {
        check(&key, preimage)?;
        self.preimages.insert(key.0, preimage.to_vec());
        Ok(key)
    }

    /// Stores `preimage` under its keccak256 key.
    pub fn insert_keccak(&mut self, preimage: &[u8]) -> Result<PreimageKey, KeyCheckError> {
        self.insert(PreimageKey::keccak(preimage), preimage)
    }

    /// Stores `preimage` under its sha256 key.
    pub fn insert_sha256(&mut self, preimage: &[u8]) -> Result<PreimageKey, KeyCheckError> {
        self.insert(PreimageKey::sha256(preimage), preimage)
    }

    /// Stores a NOMT node (its two children's hashes) under its key.
    pub fn insert_nomt_node(&mut self, node: &[u8; 64]) -> Result<PreimageKey, KeyCheckError> {
        self.insert(PreimageKey::nomt_node(&sha256(node)), node)
    }

    /// Stores the dispute input `value` under the local key with identifier `id`.
    pub fn insert_local(&mut self, id: [u8; 31], value: &[u8]) -> Result<PreimageKey, KeyCheckError> {
        self.insert(PreimageKey::local(id), value)
    }

    /// Stores the field element `element` at `z` of the blob with KZG commitment `commitment`.
    /// The key and the element's form are checked; that the blob has this value at `z` is taken
    /// on trust (the L1 contract checks the KZG proof).
    pub fn insert_blob(
        &mut self,
        commitment: &[u8; 48],
        z: &[u8; 32],
        element: &[u8; 32],
    ) -> Result<PreimageKey, KeyCheckError> {
        let key = PreimageKey::blob(commitment, z);
        check_blob_key(&key, commitment, z, element)?;
        self.preimages.insert(key.0, element.to_vec());
        self.blob_points.insert(key.0, (*commitment, *z));
        Ok(key)
    }

    /// Stores every field element of the blob with commitment `commitment`, each under its
    /// point ([`crate::blob::point`]): what a host gives the program for a blob batch. `blob`
    /// must be [`BYTES_PER_BLOB`](crate::blob::BYTES_PER_BLOB) long.
    pub fn insert_blob_elements(&mut self, commitment: &[u8; 48], blob: &[u8]) -> Result<(), KeyCheckError> {
        if blob.len() != crate::blob::BYTES_PER_BLOB {
            return Err(KeyCheckError::Length {
                key_type: crate::KeyType::Blob,
                len: blob.len(),
                expected: crate::blob::BYTES_PER_BLOB,
            });
        }
        for (z, element) in crate::blob::Points::new().zip(blob.chunks_exact(32)) {
            let element: &[u8; 32] = element.try_into().unwrap_or(&[0; 32]);
            self.insert_blob(commitment, &z, element)?;
        }
        self.blobs.insert(*commitment, blob.to_vec());
        Ok(())
    }

    /// Computes the precompile at `address` on `input` natively and stores its result (status
    /// byte ‖ output) under the precompile key.
    #[cfg(feature = "std")]
    pub fn insert_precompile(
        &mut self,
        address: &[u8; 20],
        input: &[u8],
    ) -> Result<PreimageKey, KeyCheckError> {
        let key = PreimageKey::precompile(address, input);
        let preimage = crate::precompile::call(address, input)?;
        crate::check::check_precompile(&key, address, input, &preimage)?;
        self.preimages.insert(key.0, preimage);
        self.precompile_calls.insert(key.0, (*address, input.to_vec()));
        Ok(key)
    }

    /// The call a precompile key stored by [`MapOracle::insert_precompile`] names: its address
    /// and input.
    pub fn precompile_call(&self, key: &PreimageKey) -> Option<(&[u8; 20], &[u8])> {
        self.precompile_calls.get(&key.0).map(|(a, i)| (a, i.as_slice()))
    }

    /// The commitment and point `z` of a blob key stored by [`MapOracle::insert_blob`] or
    /// [`MapOracle::insert_blob_elements`].
    pub fn blob_point(&self, key: &PreimageKey) -> Option<(&[u8; 48], &[u8; 32])> {
        self.blob_points.get(&key.0).map(|(c, z)| (c, z))
    }

    /// The whole blob with KZG commitment `commitment`, if [`MapOracle::insert_blob_elements`]
    /// stored it.
    pub fn blob(&self, commitment: &[u8; 48]) -> Option<&[u8]> {
        self.blobs.get(commitment).map(Vec::as_slice)
    }

    /// Every preimage as `key (32) ‖ length (4, big-endian) ‖ preimage`, in key order: how a host
    /// hands a prepared oracle to another process (`fpvm --preimages`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (key, pre) in &self.preimages {
            out.extend_from_slice(key);
            out.extend_from_slice(&(pre.len() as u32).to_be_bytes());
            out.extend_from_slice(pre);
        }
        out
    }

    /// Parses [`MapOracle::to_bytes`]. The bytes are a host's own file: preimages are not checked
    /// again (precompile and blob keys could not be), only framed, within [`MAX_PREIMAGE_SIZE`].
    pub fn from_bytes(mut bytes: &[u8]) -> Result<Self, OracleError> {
        let mut out = Self::new();
        while !bytes.is_empty() {
            let truncated = |got: usize| OracleError::Truncated { expected: 36, got: got as u64 };
            let (key, rest) = bytes.split_first_chunk::<32>().ok_or(truncated(bytes.len()))?;
            let (len, rest) = rest.split_first_chunk::<4>().ok_or(truncated(32 + rest.len()))?;
            let len = u32::from_be_bytes(*len) as usize;
            if len > MAX_PREIMAGE_SIZE {
                return Err(OracleError::TooLarge { len: len as u64, max: MAX_PREIMAGE_SIZE });
            }
            let pre = rest
                .get(..len)
                .ok_or(OracleError::Truncated { expected: len as u64, got: rest.len() as u64 })?;
            out.preimages.insert(*key, pre.to_vec());
            bytes = &rest[len..];
        }
        Ok(out)
    }

    /// The preimage of `key`, if stored.
    pub fn preimage(&self, key: &PreimageKey) -> Option<&[u8]> {
        self.preimages.get(&key.0).map(Vec::as_slice)
    }

    /// Preimages stored.
    pub fn len(&self) -> usize {
        self.preimages.len()
    }

    /// Whether no preimage is stored.
    pub fn is_empty(&self) -> bool {
        self.preimages.is_empty()
    }
}

impl PreimageOracle for MapOracle {
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        self.preimage(&key).map(<[u8]>::to_vec).ok_or(OracleError::Missing { key: key.0 })
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        if hint.len() > MAX_HINT_SIZE {
            return Err(OracleError::HintTooLarge { len: hint.len() as u64, max: MAX_HINT_SIZE });
        }
        self.hints.push(hint.to_vec());
        Ok(())
    }
}
