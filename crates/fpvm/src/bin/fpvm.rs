//! `fpvm <elf> [max-steps] [--preimages FILE]`: runs an RV32IM guest in pillar-fpvm.
//! `--profile` also prints, to stderr, where the steps went: per crate, the top functions (by the
//! ELF's symbols; each step counted in the function it executed in, not its callers) and who calls
//! the five heaviest.
//! `fpvm <elf> --prestate`: prints the VM state hash of the loaded guest before its first step
//! (the program's absolute prestate, docs/fault-proofs.md) and exits 0.
//!
//! Without `--preimages` the guest gets Linux `write` and `exit`; with it, also the preimage
//! oracle's calls, served from FILE (a `MapOracle::to_bytes` dump a host prepared). Writes the
//! guest's stdout and stderr to ours, prints the step count and time to stderr, and exits with the
//! guest's code (its low 8 bits, as Linux would); a trap is an exit with 128 + its signal (132
//! illegal instruction, 133 `ebreak`, 135 misaligned `pc`, 159 unknown syscall), named on stderr.
//! A host error (a preimage the file lacks) or the step limit (default 2^40) prints the error and
//! exits 2; an unreadable or malformed ELF or preimage file exits 2 too.

use std::{io::Write, process::ExitCode, time::Instant};

use pillar_fpvm::{
    LinuxSyscalls, Machine, OracleSyscalls, Syscalls, Trap, VmError, load_elf,
    profile::{Profile, Symbol, demangle, function_symbols},
};
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

/// Runs the machine and reports; with `symbols`, profiled.
fn run<S: Syscalls + Output>(
    machine: &mut Machine,
    sys: &mut S,
    max_steps: u64,
    symbols: Option<&[Symbol]>,
) -> Result<u32, VmError> {
    let start = Instant::now();
    let result = match symbols {
        None => machine.run(sys, max_steps),
        Some(symbols) => {
            let (profile, result) = Profile::run(machine, sys, max_steps);
            report_profile(&profile, symbols);
            result
        }
    };
    let elapsed = start.elapsed();
    // Output is buffered in the syscall handler and written once the guest stops, trap or not.
    let (stdout, stderr) = sys.output();
    let _ = std::io::stdout().write_all(stdout);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(stderr);
    let steps = machine.steps();
    let rate = steps as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6;
    eprintln!("fpvm: {steps} steps in {:.3} s ({rate:.1} M steps/s)", elapsed.as_secs_f64());
    if let Ok(exit) = &result
        && let Some(trap) = Trap::from_exit_code(exit.code)
    {
        // The guest may have exited with this code itself; the state does not say which.
        eprintln!("fpvm: exit code {} is a {trap:?} trap's (or the guest's own)", exit.code);
    }
    result.map(|exit| exit.code)
}

/// Prints a profile: steps per crate (the first path segment of each function's name), then the
/// top functions.
fn report_profile(profile: &Profile, symbols: &[Symbol]) {
    let functions = profile.by_function(symbols);
    let total: u64 = functions.iter().map(|(_, n)| n).sum::<u64>().max(1);
    let mut crates: std::collections::BTreeMap<String, u64> = Default::default();
    let named: Vec<(String, u64)> = functions.iter().map(|(f, n)| (demangle(f), *n)).collect();
    for (name, n) in &named {
        let krate = name
            .trim_start_matches(['<', '&', ' '])
            .trim_start_matches("mut ")
            .split("::")
            .next()
            .unwrap_or(name)
            .to_string();
        *crates.entry(krate).or_default() += n;
    }
    let mut crates: Vec<_> = crates.into_iter().collect();
    crates.sort_by_key(|c| std::cmp::Reverse(c.1));
    eprintln!("fpvm profile: {total} steps by crate (self steps)");
    for (krate, n) in &crates {
        eprintln!("  {n:>12} {:>5.1}%  {krate}", 100.0 * *n as f64 / total as f64);
    }
    eprintln!("fpvm profile: top functions (self steps, calls)");
    let starts: std::collections::HashMap<&str, u32> =
        symbols.iter().map(|s| (s.name.as_str(), s.start)).collect();
    for ((mangled, _), (name, n)) in functions.iter().zip(&named).take(30) {
        let calls = starts.get(mangled).map_or(0, |start| profile.calls(*start));
        eprintln!("  {n:>12} {:>5.1}% {calls:>8}  {name}", 100.0 * *n as f64 / total as f64);
    }
    // Who calls the five heaviest functions, and the C entry points of memcpy and its kin (which
    // tail-call compiler_builtins' bodies, so those have no callers of their own).
    let heaviest = functions.iter().zip(&named).take(5).map(|((m, _), (n, _))| (*m, n.as_str()));
    let kin = ["memcpy", "memmove", "memset", "memcmp"].map(|n| (n, n));
    for (mangled, name) in heaviest.chain(kin) {
        let Some(start) = starts.get(mangled) else { continue };
        eprintln!("fpvm profile: calls of {name} by caller");
        for (caller, n) in profile.callers(*start, symbols).into_iter().take(8) {
            eprintln!("  {n:>12}  {}", demangle(caller));
        }
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut flag = |name: &str| match args.iter().position(|a| a == name) {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    let prestate = flag("--prestate");
    let profile = flag("--profile");
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
        _ => {
            return fail(
                "usage: fpvm <elf> [max-steps] [--preimages FILE] [--profile] | fpvm <elf> --prestate",
            );
        }
    };
    let file = match std::fs::read(path) {
        Ok(f) => f,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let mut machine = match load_elf(&file) {
        Ok(m) => m,
        Err(e) => return fail(&format!("{path}: {e}")),
    };
    let symbols = profile.then(|| function_symbols(&file));
    if prestate {
        let hash: String = machine.state_hash().iter().map(|b| format!("{b:02x}")).collect();
        println!("0x{hash}");
        return ExitCode::SUCCESS;
    }
    let result = match preimages {
        None => run(&mut machine, &mut LinuxSyscalls::default(), max_steps, symbols.as_deref()),
        Some(p) => {
            let oracle = match std::fs::read(&p)
                .map_err(|e| e.to_string())
                .and_then(|b| MapOracle::from_bytes(&b).map_err(|e| e.to_string()))
            {
                Ok(o) => o,
                Err(e) => return fail(&format!("{p}: {e}")),
            };
            run(&mut machine, &mut OracleSyscalls::new(oracle), max_steps, symbols.as_deref())
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => fail(&e.to_string()),
    }
}
