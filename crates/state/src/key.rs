//! Key paths: where a module's values live in the trie.

use sha2::{Digest, Sha256};

/// A 32-byte path in the NOMT trie.
pub type KeyPath = [u8; 32];

/// `sha256(module ‖ 0x00 ‖ field ‖ 0x00 ‖ key)`: modules cannot collide with each other, and
/// hashing spreads keys evenly across the trie, which keeps NOMT's pages balanced.
pub fn key_path(module: &str, field: &str, key: &[u8]) -> KeyPath {
    let mut h = Sha256::new();
    h.update(module.as_bytes());
    h.update([0]);
    h.update(field.as_bytes());
    h.update([0]);
    h.update(key);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_prevents_ambiguity() {
        assert_ne!(key_path("ab", "c", b""), key_path("a", "bc", b""));
        assert_ne!(key_path("a", "b", b"c"), key_path("a", "bc", b""));
        assert_eq!(key_path("m", "f", b"k"), key_path("m", "f", b"k"));
    }
}
