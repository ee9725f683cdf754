//! The preimage oracle: how the fault-proof program asks for data it cannot compute, and the rule
//! by which an answer is known to be right.
//!
//! The fault-proof program (the node's derivation and runtime on the rv32im VM, `pillar-fpvm`)
//! takes every input through this oracle: the claim it checks (local keys), L1 data by hash
//! (keccak256, sha256), L2 state by NOMT node hash, blob field elements, and the results of L1
//! precompiles. A 32-byte [`PreimageKey`] names each preimage; its first byte is the
//! [`KeyType`], and [`check()`] is the rule the L1 oracle contract applies before it serves a
//! preimage, so a dispute never depends on an unchecked answer. The design follows the OP Stack's
//! Cannon/Asterisc oracle (docs/fault-proofs.md, "The preimage oracle"):
//!
//! - [`key`]: the key types and their constructors from data;
//! - [`blob`]: the evaluation points of a blob's field elements, which blob keys name;
//! - [`keccak32`]: Keccak-256 for a 32-bit machine, the guest's hash (its host twin is `sha3`);
//! - [`check`](mod@check): what makes a preimage right for its key;
//! - [`precompile`] (feature `std`): the native semantics of the precompiles a precompile key may
//!   name (`ecrecover` at 0x01, `P256VERIFY` at 0x100), exactly as L1 computes them;
//! - [`oracle`]: the [`PreimageOracle`] trait the program is written against, and the size limits;
//! - [`map`]: [`MapOracle`], an in-memory host oracle that checks every preimage it is given;
//! - [`abi`]: the fd numbers and framing of the VM's oracle syscalls, shared by the guest client
//!   and the VM;
//! - `fd` (only on `riscv32`): `FdOracle`, the guest's client over Linux `read`/`write`.
//!
//! Without the default `std` feature the crate is `no_std` + `alloc` and builds for the guest.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod abi;
pub mod blob;
pub mod check;
#[cfg(target_arch = "riscv32")]
mod fd;
mod hash;
pub mod keccak32;
pub mod key;
pub mod map;
pub mod oracle;
#[cfg(feature = "std")]
pub mod precompile;

/// The addresses of the precompiles a precompile key may name (their semantics are in
/// `precompile`, feature `std`).
pub mod precompile_address {
    /// `ecrecover` (0x01).
    pub const ECRECOVER: [u8; 20] = address(0x01);
    /// `P256VERIFY` (0x100, EIP-7951).
    pub const P256VERIFY: [u8; 20] = address(0x100);

    /// The 20-byte address of a small number.
    const fn address(n: u16) -> [u8; 20] {
        let mut a = [0; 20];
        a[18] = (n >> 8) as u8;
        a[19] = n as u8;
        a
    }
}

#[cfg(feature = "std")]
pub use check::check_precompile;
pub use check::{KeyCheckError, check, check_blob_key};
#[cfg(target_arch = "riscv32")]
pub use fd::FdOracle;
pub use hash::{keccak256, sha256};
pub use key::{KeyType, PreimageKey};
pub use map::MapOracle;
pub use oracle::{MAX_HINT_SIZE, MAX_PREIMAGE_SIZE, OracleError, PreimageOracle};
