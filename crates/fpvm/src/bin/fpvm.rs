//! `fpvm <elf> [max-steps]`: runs an RV32IM guest in pillar-fpvm with Linux `write` and `exit`.
//!
//! Writes the guest's stdout and stderr to ours, prints the step count and time to stderr, and
//! exits with the guest's code (its low 8 bits, as Linux would). A trap or the step limit
//! (default 2^40) prints the error and exits 2; an unreadable or malformed ELF exits 2 too.

use std::{io::Write, process::ExitCode, time::Instant};

use pillar_fpvm::{LinuxSyscalls, load_elf};

const DEFAULT_MAX_STEPS: u64 = 1 << 40;

fn fail(msg: &str) -> ExitCode {
    eprintln!("fpvm: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, max_steps) = match args.as_slice() {
        [path] => (path, DEFAULT_MAX_STEPS),
        [path, n] => match n.parse() {
            Ok(n) => (path, n),
            Err(_) => return fail(&format!("max-steps: not a number: {n}")),
        },
        _ => return fail("usage: fpvm <elf> [max-steps]"),
    };
    let file = match std::fs::read(path) {
        Ok(f) => f,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let mut machine = match load_elf(&file) {
        Ok(m) => m,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let mut sys = LinuxSyscalls::default();
    let start = Instant::now();
    let result = machine.run(&mut sys, max_steps);
    let elapsed = start.elapsed();
    // Output is buffered in the syscall handler and written once the guest stops, trap or not.
    let _ = std::io::stdout().write_all(&sys.stdout);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(&sys.stderr);
    let steps = machine.steps();
    let rate = steps as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6;
    eprintln!("fpvm: {steps} steps in {:.3} s ({rate:.1} M steps/s)", elapsed.as_secs_f64());
    match result {
        Ok(exit) => ExitCode::from(exit.code as u8),
        Err(e) => fail(&e.to_string()),
    }
}
