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
    //! Just enough of a runtime for pillar-fpvm (Linux-numbered `write` and `exit`; the oracle's
    //! calls are `pillar_preimage::FdOracle`'s).

    extern crate alloc;

    use core::{
        alloc::{GlobalAlloc, Layout},
        cell::UnsafeCell,
        fmt::{self, Write},
    };

    const SYS_WRITE: usize = 64;
    const SYS_EXIT: usize = 93;

    fn syscall3(n: usize, a0: usize, a1: usize, a2: usize) -> isize {
        let ret: isize;
        // SAFETY: a Linux syscall on riscv32; the arguments are plain values or a live buffer.
        unsafe {
            core::arch::asm!("ecall", in("a7") n, inlateout("a0") a0 as isize => ret, in("a1") a1, in("a2") a2);
        }
        ret
    }

    fn exit(code: usize) -> ! {
        syscall3(SYS_EXIT, code, 0, 0);
        loop {}
    }

    /// Linux `write` to fd 1 (`Stdout`) or 2 (`Stderr`).
    fn write_fd(fd: usize, s: &str) -> fmt::Result {
        let mut rest = s.as_bytes();
        while !rest.is_empty() {
            let n = syscall3(SYS_WRITE, fd, rest.as_ptr() as usize, rest.len());
            if n <= 0 {
                return Err(fmt::Error);
            }
            rest = &rest[n as usize..];
        }
        Ok(())
    }

    struct Stdout;

    impl fmt::Write for Stdout {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            write_fd(1, s)
        }
    }

    struct Stderr;

    impl fmt::Write for Stderr {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            write_fd(2, s)
        }
    }

    /// A bump allocator over a static arena; nothing is freed (the program decides one block).
    struct Bump {
        arena: UnsafeCell<[u8; ARENA]>,
        next: UnsafeCell<usize>,
    }

    // 96 MiB, as the smoke guest: one block's witness, payload and execution with room to spare.
    const ARENA: usize = 96 << 20;

    // SAFETY: the guest is single-threaded.
    unsafe impl Sync for Bump {}

    // SAFETY: every block handed out lies inside the arena, aligned, and is never handed out twice.
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: single-threaded, so no other reference to `next` is live.
            let next = unsafe { &mut *self.next.get() };
            let base = self.arena.get() as usize;
            let start = (base + *next).next_multiple_of(layout.align());
            let end = start + layout.size();
            if end > base + ARENA {
                return core::ptr::null_mut();
            }
            *next = end - base;
            start as *mut u8
        }

        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    /// portable-atomic's critical section: one hart and no interrupts, so nothing to mask.
    struct SingleHart;
    critical_section::set_impl!(SingleHart);

    // SAFETY: the guest runs on one hart without interrupts; no other code can run in between.
    unsafe impl critical_section::Impl for SingleHart {
        unsafe fn acquire() -> critical_section::RawRestoreState {}
        unsafe fn release(_: critical_section::RawRestoreState) {}
    }

    #[global_allocator]
    static ALLOC: Bump = Bump { arena: UnsafeCell::new([0; ARENA]), next: UnsafeCell::new(0) };

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        let _ = fmt::write(&mut Stderr, format_args!("panic: {info}\n"));
        exit(101)
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
