//! Just enough of a runtime for Pillar's bare rv32im guests (`scripts/rv32im`): Linux-numbered
//! `write` and `exit` (what `qemu-riscv32` and `pillar-fpvm` serve), a bump allocator over a static
//! arena, the critical section portable-atomic needs, and a panic handler that reports and exits
//! 101. A guest links it and defines only its `_start`.
//!
//! Built for the host it is empty, so a guest can also be built as an ordinary program.

#![no_std]

#[cfg(target_os = "none")]
mod guest {
    use core::{
        alloc::{GlobalAlloc, Layout},
        cell::UnsafeCell,
        fmt,
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

    /// Linux `exit(code)`.
    pub fn exit(code: usize) -> ! {
        syscall3(SYS_EXIT, code, 0, 0);
        loop {}
    }

    /// Linux `write(fd, s)`, looping over partial writes.
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

    /// File descriptor 1.
    pub struct Stdout;

    impl fmt::Write for Stdout {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            write_fd(1, s)
        }
    }

    /// File descriptor 2.
    pub struct Stderr;

    impl fmt::Write for Stderr {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            write_fd(2, s)
        }
    }

    /// A bump allocator over a static arena; nothing is freed (a guest runs once and exits).
    struct Bump {
        arena: UnsafeCell<[u8; ARENA]>,
        next: UnsafeCell<usize>,
    }

    // 96 MiB: the batch decoder's bounds (32 MiB of window plus output), or one block's payload,
    // witness and execution, with room to spare.
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
}

#[cfg(target_os = "none")]
pub use guest::{Stderr, Stdout, exit};
