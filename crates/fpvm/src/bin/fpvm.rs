//! `fpvm <elf> [max-steps] [--preimages FILE]`: runs an RV32IM guest in pillar-fpvm.
//! `fpvm <elf> --prestate`: prints the VM state hash of the loaded guest before its first step
//! (the program's absolute prestate, docs/fault-proofs.md) and exits 0.
//!
//! Without `--preimages` the guest gets Linux `write` and `exit`; with it, also the preimage
//! oracle's calls, served from FILE (a `MapOracle::to_bytes` dump a host prepared). Writes the
//! guest's stdout and stderr to ours, prints the step count and time to stderr, and exits with the
//! guest's code (its low 8 bits, as Linux would). A trap or the step limit (default 2^40) prints
//! the error and exits 2; an unreadable or malformed ELF or preimage file exits 2 too.

use std::{io::Write, process::ExitCode, time::Instant};

use pillar_fpvm::{LinuxSyscalls, Machine, OracleSyscalls, Syscalls, VmError, load_elf};
use pillar_preimage::MapOracle;

const DEFAULT_MAX_STEPS: u64 = 1 << 40;

fn fail(msg: &str) -> ExitCode {
    eprintln!("fpvm: {msg}");
    ExitCode::from(2)
}

/// The guest's stdout and stderr, as a syscall handler buffered them.
trait Output {
    fn output(&self) -> (&[u8], &[u8]);
}

impl Output for LinuxSyscalls {
    fn output(&self) -> (&[u8], &[u8]) {
        (&self.stdout, &self.stderr)
    }
}

impl Output for OracleSyscalls<MapOracle> {
    fn output(&self) -> (&[u8], &[u8]) {
        (&self.stdout, &self.stderr)
    }
}

/// Runs the machine and reports.
fn run<S: Syscalls + Output>(machine: &mut Machine, sys: &mut S, max_steps: u64) -> Result<u32, VmError> {
    let start = Instant::now();
    let result = machine.run(sys, max_steps);
    let elapsed = start.elapsed();
    // Output is buffered in the syscall handler and written once the guest stops, trap or not.
    let (stdout, stderr) = sys.output();
    let _ = std::io::stdout().write_all(stdout);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(stderr);
    let steps = machine.steps();
    let rate = steps as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6;
    eprintln!("fpvm: {steps} steps in {:.3} s ({rate:.1} M steps/s)", elapsed.as_secs_f64());
    result.map(|exit| exit.code)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let prestate = match args.iter().position(|a| a == "--prestate") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    let preimages = match args.iter().position(|a| a == "--preimages") {
        Some(i) if i + 1 < args.len() => {
            let file = args.remove(i + 1);
            args.remove(i);
            Some(file)
        }
        Some(_) => return fail("--preimages needs a file"),
        None => None,
    };
    let (path, max_steps) = match args.as_slice() {
        [path] => (path, DEFAULT_MAX_STEPS),
        [path, n] => match n.parse() {
            Ok(n) => (path, n),
            Err(_) => return fail(&format!("max-steps: not a number: {n}")),
        },
        _ => return fail("usage: fpvm <elf> [max-steps] [--preimages FILE] | fpvm <elf> --prestate"),
    };
    let file = match std::fs::read(path) {
        Ok(f) => f,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let mut machine = match load_elf(&file) {
        Ok(m) => m,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    if prestate {
        let hash: String = machine.state_hash().iter().map(|b| format!("{b:02x}")).collect();
        println!("0x{hash}");
        return ExitCode::SUCCESS;
    }
    let result = match preimages {
        None => run(&mut machine, &mut LinuxSyscalls::default(), max_steps),
        Some(p) => {
            let oracle = match std::fs::read(&p)
                .map_err(|e| e.to_string())
                .and_then(|b| MapOracle::from_bytes(&b).map_err(|e| e.to_string()))
            {
                Ok(o) => o,
                Err(e) => return fail(&format!("{p}: {e}")),
            };
            run(&mut machine, &mut OracleSyscalls::new(oracle), max_steps)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => fail(&e.to_string()),
    }
}
