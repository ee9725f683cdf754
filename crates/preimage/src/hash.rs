//! The two hashes keys are made of.

/// keccak256 of `bytes`.
pub fn keccak256(bytes: &[u8]) -> [u8; 32] {
    <sha3::Keccak256 as sha3::Digest>::digest(bytes).into()
}

/// sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    <sha2::Sha256 as sha2::Digest>::digest(bytes).into()
}
