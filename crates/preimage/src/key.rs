//! Preimage keys: 32 bytes, the first of which is the key's type.
//!
//! The numbers are Cannon's where Cannon has the type (1 local, 2 keccak256, 4 sha256, 5 blob,
//! 6 precompile; 3, Cannon's "global generic", is reserved and unused) and 7 for a NOMT node,
//! which is Pillar's. Every type but local is global: the key is derived from the data, so the
//! same key means the same preimage in every dispute. A local key names an input of one dispute
//! (the claim, the L1 head), which the L1 game contract serves from its own storage.

use crate::hash::{keccak256, sha256};

/// The type byte of a key (byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum KeyType {
    /// An input of this dispute: key = 1 ‖ 31 bytes of local identifier. Not checkable by
    /// hashing: the game contract serves it.
    Local = 1,
    /// key = 2 ‖ keccak256(preimage)[1..32].
    Keccak256 = 2,
    /// key = 4 ‖ sha256(preimage)[1..32].
    Sha256 = 4,
    /// key = 5 ‖ keccak256(commitment (48) ‖ z (32))[1..32]; the preimage is the blob's 32-byte
    /// field element at `z`, proven on L1 by the point-evaluation precompile.
    Blob = 5,
    /// key = 6 ‖ keccak256(address (20) ‖ input)[1..32]; the preimage is the status byte (1
    /// success, 0 failure) ‖ the output, exactly what the L1 precompile returns.
    Precompile = 6,
    /// key = 7 ‖ node_hash[1..32]: a NOMT node, whose 64-byte preimage's sha256 is the node hash
    /// in bytes 1..32 (byte 0 of a NOMT hash carries the leaf bit).
    NomtNode = 7,
}

impl KeyType {
    /// The type with this byte, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::Local,
            2 => Self::Keccak256,
            4 => Self::Sha256,
            5 => Self::Blob,
            6 => Self::Precompile,
            7 => Self::NomtNode,
            _ => return None,
        })
    }
}

/// A preimage key: 32 bytes, byte 0 the [`KeyType`]. Any 32 bytes are a key (the guest writes it
/// to the oracle byte by byte); [`PreimageKey::key_type`] says whether the type is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PreimageKey(pub [u8; 32]);

/// `digest` with byte 0 replaced by `ty`.
fn typed(ty: KeyType, mut digest: [u8; 32]) -> PreimageKey {
    digest[0] = ty as u8;
    PreimageKey(digest)
}

impl PreimageKey {
    /// The local key with identifier `id`: 1 ‖ id.
    pub fn local(id: [u8; 31]) -> Self {
        let mut k = [0; 32];
        k[0] = KeyType::Local as u8;
        k[1..].copy_from_slice(&id);
        Self(k)
    }

    /// The local key with identifier `n`, big-endian in the identifier's last 8 bytes.
    pub fn local_index(n: u64) -> Self {
        let mut id = [0; 31];
        id[23..].copy_from_slice(&n.to_be_bytes());
        Self::local(id)
    }

    /// The key under which the L1 oracle stores this local key's data for one dispute: a local
    /// key is the same in every dispute, so `PreimageOracle.loadLocalData` stores under it
    /// localized by the loader (`caller`, the game) and a context of its choosing, and `RiscvStep`
    /// reads a local key localized by its own caller and the context it is given (OP's
    /// `PreimageKeyLib.localize`): keccak256(abi.encode(key, caller, context)) with byte 0 = 1.
    /// The VM's state and a dispute's own oracle keep the raw key; only L1's storage sees this.
    pub fn localize(&self, caller: &[u8; 20], context: &[u8; 32]) -> Self {
        let mut pre = [0; 96];
        pre[..32].copy_from_slice(&self.0);
        pre[44..64].copy_from_slice(caller);
        pre[64..].copy_from_slice(context);
        typed(KeyType::Local, keccak256(&pre))
    }

    /// The keccak256 key of `preimage`.
    pub fn keccak(preimage: &[u8]) -> Self {
        typed(KeyType::Keccak256, keccak256(preimage))
    }

    /// The keccak256 key of the preimage whose keccak256 is `hash` (what a program knows when it
    /// holds a hash and wants what it commits to).
    pub fn keccak_hash(hash: [u8; 32]) -> Self {
        typed(KeyType::Keccak256, hash)
    }

    /// The sha256 key of the preimage whose sha256 is `hash`.
    pub fn sha256_hash(hash: [u8; 32]) -> Self {
        typed(KeyType::Sha256, hash)
    }

    /// The sha256 key of `preimage`.
    pub fn sha256(preimage: &[u8]) -> Self {
        typed(KeyType::Sha256, sha256(preimage))
    }

    /// The key of the field element at `z` of the blob with KZG commitment `commitment`.
    pub fn blob(commitment: &[u8; 48], z: &[u8; 32]) -> Self {
        let mut pre = [0; 80];
        pre[..48].copy_from_slice(commitment);
        pre[48..].copy_from_slice(z);
        typed(KeyType::Blob, keccak256(&pre))
    }

    /// The key of the result of calling the precompile at `address` with `input`.
    pub fn precompile(address: &[u8; 20], input: &[u8]) -> Self {
        let mut pre = alloc::vec::Vec::with_capacity(20 + input.len());
        pre.extend_from_slice(address);
        pre.extend_from_slice(input);
        typed(KeyType::Precompile, keccak256(&pre))
    }

    /// The key of the NOMT node with hash `node_hash` (its leaf bit, in byte 0, is dropped with
    /// the rest of byte 0).
    pub fn nomt_node(node_hash: &[u8; 32]) -> Self {
        typed(KeyType::NomtNode, *node_hash)
    }

    /// The key's type, or `None` for a byte 0 that names no type.
    pub fn key_type(&self) -> Option<KeyType> {
        KeyType::from_byte(self.0[0])
    }

    /// The 32 bytes.
    pub fn to_bytes(self) -> [u8; 32] {
        self.0
    }
}

impl From<[u8; 32]> for PreimageKey {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_replace_byte_zero_with_the_type() {
        let k = PreimageKey::keccak(b"");
        // keccak256("") = c5d2...a470
        assert_eq!(k.0[0], 2);
        assert_eq!(&k.0[1..4], &[0xd2, 0x46, 0x01]);
        assert_eq!(PreimageKey::sha256(b"").0[..3], [4, 0xb0, 0xc4]); // e3b0c4...
        assert_eq!(PreimageKey::local_index(0x0102).0, {
            let mut k = [0; 32];
            k[0] = 1;
            k[30] = 1;
            k[31] = 2;
            k
        });
        assert_eq!(PreimageKey::nomt_node(&[0xff; 32]).0[..2], [7, 0xff]);
        // localize: the ABI encoding of (bytes32, address, bytes32), hashed, typed local.
        let raw = PreimageKey::local_index(5);
        let mut abi = [0u8; 96];
        abi[..32].copy_from_slice(&raw.0);
        abi[44..64].copy_from_slice(&[0x12; 20]);
        abi[95] = 7;
        let mut expected = keccak256(&abi);
        expected[0] = 1;
        let mut context = [0; 32];
        context[31] = 7;
        assert_eq!(raw.localize(&[0x12; 20], &context).0, expected);
        assert_ne!(raw.localize(&[0x13; 20], &context), raw.localize(&[0x12; 20], &context));
        for (b, t) in
            [(0u8, None), (3, None), (8, None), (5, Some(KeyType::Blob)), (6, Some(KeyType::Precompile))]
        {
            assert_eq!(KeyType::from_byte(b), t);
        }
    }
}
