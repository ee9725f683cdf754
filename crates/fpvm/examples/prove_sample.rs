//! `prove_sample <elf> [samples]`: records a guest's run, seeks to pseudo-random steps, proves
//! each and checks the proof with the reference `verify_step` against the next state's hash.
//! A manual check for real guests (the rv32im smoke guest); the property tests cover random
//! programs.

use std::{process::ExitCode, time::Instant};

use pillar_fpvm::{LinuxSyscalls, Trace, load_elf, verify_step};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: prove_sample <elf> [samples]");
        return ExitCode::from(2);
    };
    let samples: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let elf = match std::fs::read(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut m = match load_elf(&elf) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let t = Instant::now();
    let trace = match Trace::record(&mut m, &mut LinuxSyscalls::default(), 1 << 18, 1 << 40) {
        Ok(trace) => trace,
        Err(e) => {
            eprintln!("the guest trapped: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "recorded {} steps, {} snapshots, in {:?}",
        trace.last_step(),
        trace.snapshot_count(),
        t.elapsed()
    );
    let mut k = 0x2545_f491_4f6c_dd1d_u64;
    let (mut ok, mut failed) = (0, 0);
    let t = Instant::now();
    for _ in 0..samples {
        k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let step = (k >> 11) % trace.last_step().max(1);
        let mut at = match trace.seek(step, &mut LinuxSyscalls::default()) {
            Ok(at) => at,
            Err(e) => {
                eprintln!("seek {step}: {e}");
                return ExitCode::from(1);
            }
        };
        let pre = at.state_hash();
        let proof = at.prove_step();
        let _ = at.step(&mut LinuxSyscalls::default());
        match verify_step(&pre, &proof) {
            Ok(post) if post == at.state_hash() => ok += 1,
            other => {
                failed += 1;
                eprintln!("step {step}: {other:?}");
            }
        }
    }
    println!("{ok} of {samples} sampled steps verified ({failed} failed) in {:?}", t.elapsed());
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
