//! The two hashes keys are made of.

/// keccak256 of `bytes`: on the rv32im guest the bit-interleaved 32-bit implementation
/// ([`crate::keccak32`]), elsewhere `sha3`'s 64-bit one. The same function either way (tested).
pub fn keccak256(bytes: &[u8]) -> [u8; 32] {
    #[cfg(target_arch = "riscv32")]
    {
        crate::keccak32::keccak256(bytes)
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        <sha3::Keccak256 as sha3::Digest>::digest(bytes).into()
    }
}

/// sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    <sha2::Sha256 as sha2::Digest>::digest(bytes).into()
}
