//! Differential test against Debian's `qemu-riscv32` (package `qemu-user`; CI installs it).
//!
//! Each case is a random program: registers x1..x30 set to random values, then random ALU,
//! M-extension, LUI/AUIPC, load and store instructions and forward branches and jumps, then a dump of all 32
//! registers and a 4 KiB scratch page to stdout with `write`, and `exit`. The same ELF runs here
//! and under qemu; the dumps must be identical. x31 holds the scratch page's middle throughout
//! and is never written, so every load and store (any alignment: misaligned accesses are part of
//! the semantics compared) stays in the page. The generator is `pillar_fpvm::testkit`, shared
//! with the step-proof tests and the L1 `step`'s differential test.

use std::{path::PathBuf, process::Command};

use pillar_fpvm::{
    LinuxSyscalls, load_elf,
    testkit::{DUMP, op, program, value},
};
use proptest::prelude::*;

/// Whether Debian's `qemu-riscv32` is here; without it (on a developer machine) the test says
/// SKIPPED once. It cannot come from npm, so CI (`CI` set) installs it and fails without it.
fn qemu() -> bool {
    static FOUND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FOUND.get_or_init(|| {
        let found = Command::new("qemu-riscv32").arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            let how = "the differential test needs Debian's qemu-riscv32: `apt-get install qemu-user` (.ci/run installs it)";
            assert!(std::env::var_os("CI").is_none(), "{how}");
            eprintln!("SKIPPED: {how}");
        }
        found
    })
}

fn run_qemu(elf: &[u8]) -> Vec<u8> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path: PathBuf = std::env::temp_dir().join(format!("pillar-fpvm-qemu-{}-{n}.elf", std::process::id()));
    std::fs::write(&path, elf).expect("writing the test ELF");
    // qemu's loader, like the kernel's, runs only files with an execute bit.
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let out = Command::new("qemu-riscv32").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let out = out.expect("running qemu-riscv32: install Debian's qemu-user (apt-get install qemu-user)");
    assert!(
        out.status.success(),
        "qemu-riscv32 failed: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn regs(dump: &[u8]) -> Vec<u32> {
    dump[(2048 + DUMP) as usize..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_programs_match_qemu(
        init in proptest::collection::vec(value(), 30),
        ops in proptest::collection::vec(op(), 1..96),
        scratch in proptest::collection::vec(any::<u8>(), 4096),
    ) {
        if !qemu() {
            return Ok(());
        }
        let elf = program(&init, &ops, &scratch);
        let mut m = load_elf(&elf).expect("the test ELF loads");
        let mut sys = LinuxSyscalls::default();
        let exit = m.run(&mut sys, 10_000).expect("the program exits");
        prop_assert_eq!(exit.code, 0);
        let expected = run_qemu(&elf);
        prop_assert_eq!(expected.len(), 4096);
        prop_assert_eq!(regs(&sys.stdout), regs(&expected), "registers x0..x31");
        prop_assert!(sys.stdout == expected, "scratch memory differs");
    }
}

/// How `qemu-riscv32` ended: its exit code, or the signal that killed the guest.
fn qemu_status(elf: &[u8], args: &[&str]) -> (Option<i32>, Option<i32>, Vec<u8>, String) {
    use std::os::unix::process::ExitStatusExt;
    let path: PathBuf =
        std::env::temp_dir().join(format!("pillar-fpvm-qemu-trap-{}.elf", std::process::id()));
    std::fs::write(&path, elf).expect("writing the test ELF");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let out = Command::new("qemu-riscv32").args(args).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let out = out.expect("running qemu-riscv32");
    (out.status.code(), out.status.signal(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A trap exits the VM with 128 + the signal Linux sends for it (pillar-fpvm's `Trap`), and
/// `qemu-riscv32` kills the same guest with that signal, after the same output. qemu runs with
/// the C extension off (`-cpu rv32,c=false`), as the VM has none: with it, a jump to a 2-aligned
/// address is no trap there; without it qemu's user mode aborts on that exception (cause 0)
/// instead of sending Linux's SIGBUS, which the test takes as the match. An unknown syscall is
/// not compared: Linux returns `-ENOSYS` where the VM exits with 159 (SIGSYS), the one trap that
/// is the VM's own rule.
#[test]
fn traps_exit_with_the_signal_qemu_kills_with() {
    if !qemu() {
        return;
    }
    use pillar_fpvm::{Trap, asm::*};
    // (what, the instructions after a `write(1, "ok", 2)`, the trap).
    let cases: Vec<(&str, Vec<u32>, Trap)> = vec![
        ("ebreak", vec![EBREAK], Trap::Breakpoint),
        ("the all-zero word", vec![0], Trap::IllegalInstruction),
        ("the all-one word", vec![u32::MAX], Trap::IllegalInstruction),
        ("csrr a0, mstatus", vec![0x3000_2573], Trap::IllegalInstruction),
        ("mret", vec![0x3020_0073], Trap::IllegalInstruction),
        // jalr to `pc + 6`: 2-aligned, not 4.
        (
            "a jump to a 2-aligned pc",
            vec![auipc(5, 0), jalr(0, 5, 6), addi(0, 0, 0), addi(0, 0, 0)],
            Trap::MisalignedFetch,
        ),
    ];
    const TEXT: u32 = 0x2_0000;
    for (what, tail, trap) in cases {
        let mut code = Vec::new();
        code.extend(li(11, TEXT));
        code.extend([addi(10, 0, 1), addi(12, 0, 2), addi(17, 0, 64), ECALL]);
        code.extend(tail);
        let elf = elf(0x1_0000, &[(0x1_0000, &words_to_bytes(&code)), (TEXT, b"ok")]);
        let mut m = load_elf(&elf).expect("the test ELF loads");
        let mut sys = LinuxSyscalls::default();
        let exit = m.run(&mut sys, 100).expect("a trap is an exit");
        assert_eq!(exit.code, trap.exit_code(), "{what}");
        let (code, signal, stdout, stderr) = qemu_status(&elf, &["-cpu", "rv32,c=false"]);
        if trap == Trap::MisalignedFetch {
            // qemu's user mode has no handler for RISC-V's cause 0 (instruction address
            // misaligned), where Linux sends SIGBUS: it aborts, naming the cause.
            assert!(
                code == Some(1) && stderr.contains("unhandled CPU exception 0 "),
                "{what}: qemu: {stderr}"
            );
        } else {
            assert_eq!((code, signal), (None, Some(trap.signal() as i32)), "{what}: qemu: {stderr}");
        }
        assert_eq!((sys.stdout.as_slice(), stdout.as_slice()), (&b"ok"[..], &b"ok"[..]), "{what}");
    }
}
