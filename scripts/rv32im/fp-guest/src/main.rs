//! The fault-proof program as an rv32im guest (`scripts/rv32im/build.sh`, docs/fault-proofs.md).
//!
//! `pillar_fp_program::run_configured` over the guest's `FdOracle`: the claim, the agreed output
//! and the chain configuration come from local preimages, everything else by hash. Exit code 0:
//! the claim holds; 1: it does not; 2: no verdict (a preimage missing or malformed), with the
//! reason on stderr; 101: a panic, which no input should cause.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("pillar-fp-guest is built for riscv32im-unknown-none-elf only (scripts/rv32im/build.sh)");
    std::process::exit(2);
}

#[cfg(target_os = "none")]
mod guest {
    //! The guest's entry; the runtime (syscalls, allocator, panic handler) is pillar-guest-rt's,
    //! the oracle's calls `pillar_preimage::FdOracle`'s.

    use core::fmt::Write;

    use pillar_guest_rt::{Stderr, Stdout, exit};

    /// alloy-primitives' keccak256 hook (its `native-keccak` feature): every keccak256 of the
    /// program (header and signing hashes, queue links, entries) runs pillar-preimage's 32-bit
    /// implementation instead of the 64-bit-lane one, which costs 2.5 times the steps here.
    ///
    /// # Safety
    /// `bytes` points to `len` readable bytes and `output` to 32 writable ones (alloy's call).
    #[unsafe(no_mangle)]
    unsafe extern "C" fn native_keccak256(bytes: *const u8, len: usize, output: *mut u8) {
        // SAFETY: alloy passes a slice's pointer and length, and a 32-byte output.
        let input = unsafe { core::slice::from_raw_parts(bytes, len) };
        let hash = pillar_preimage::keccak256(input);
        // SAFETY: as above.
        unsafe { core::ptr::copy_nonoverlapping(hash.as_ptr(), output, 32) };
    }

    #[unsafe(no_mangle)]
    extern "C" fn _start() -> ! {
        match pillar_fp_program::run_configured(pillar_preimage::FdOracle::new()) {
            Ok(verdict) => {
                // The root the program computed, for the host to report (`pillar fp run`).
                let _ = writeln!(Stdout, "{}", verdict.output_root());
                exit(verdict.exit_code() as usize)
            }
            Err(e) => {
                let _ = writeln!(Stderr, "no verdict: {e}");
                exit(2)
            }
        }
    }
}
