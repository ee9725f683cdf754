//! The commitment and the proofs: the memory root after a run, a step proof and its
//! verification (a store's, and a preimage read's), and seeking to a random step of a recorded run (issue 16's target: any step of
//! a 10^9-step trace in ≤ 5 s; docs/performance.md extrapolates from these figures).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use pillar_fpvm::{
    AluOp, LinuxSyscalls, Machine, OracleSyscalls, PAGE_SIZE, Trace, asm, verify_step, verify_step_with,
};
use pillar_preimage::MapOracle;

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
/// Pages written before the run, as a guest's heap and stack would be: 16 MiB.
const HEAP_PAGES: u32 = 4096;
const HEAP: u32 = 0x1000_0000;

/// 16 instructions per iteration (the interpreter bench's mix, simplified), `iterations` times.
fn machine(iterations: u32) -> Machine {
    let mut code = Vec::new();
    code.extend(asm::li(1, iterations));
    code.extend(asm::li(2, DATA));
    let body = [
        asm::alu(AluOp::Add, 3, 3, 1),
        asm::alu(AluOp::Xor, 4, 4, 3),
        asm::sw(2, 0, 3),
        asm::lw(6, 2, 4),
        asm::alu(AluOp::Add, 6, 6, 4),
        asm::sw(2, 4, 6),
        asm::alu(AluOp::Mul, 7, 3, 4),
        asm::alu_imm(AluOp::And, 8, 7, 0x7fc).expect("andi"),
        asm::alu(AluOp::Add, 8, 8, 2),
        asm::sw(8, 64, 7),
        asm::alu(AluOp::Srl, 9, 7, 1),
        asm::alu(AluOp::Add, 10, 10, 9),
        asm::lw(11, 8, 64),
        asm::alu(AluOp::Or, 12, 11, 10),
        asm::addi(1, 1, -1),
    ];
    code.extend(body);
    code.push(asm::bne(1, 0, -4 * body.len() as i32));
    code.extend([asm::addi(10, 0, 0), asm::addi(17, 0, 93), asm::ECALL]);
    let mut m = Machine::new(CODE);
    m.memory_mut().write(CODE, &asm::words_to_bytes(&code)).expect("no page limit");
    for p in 0..HEAP_PAGES {
        m.memory_mut().store_u32(HEAP + p * PAGE_SIZE as u32, p + 1).expect("no page limit");
    }
    m
}

fn proofs(c: &mut Criterion) {
    let mut g = c.benchmark_group("fpvm_proofs");
    g.sample_size(10);

    // Committing after a run: the heap's pages were committed before; the run writes 1 page.
    g.bench_function("memory_root_after_run_4098_pages", |b| {
        b.iter_batched(
            || {
                let mut m = machine(1 << 12);
                m.state_hash();
                m.run(&mut LinuxSyscalls::default(), u64::MAX).expect("exits");
                m
            },
            // The machine is returned so criterion drops it (8 MiB table, 4,098 pages) untimed.
            |mut m| (m.state_hash(), m),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("memory_root_cold_4098_pages", |b| {
        b.iter_batched(|| machine(1 << 12), |mut m| (m.state_hash(), m), BatchSize::LargeInput)
    });

    let mut m = machine(1 << 12);
    let mut sys = LinuxSyscalls::default();
    for _ in 0..1000 {
        m.step(&mut sys).expect("no trap");
    }
    // Step 1000 is inside the loop; step until a store, the largest proof.
    while m.memory().load_u32(m.pc()) & 0x7f != 0x23 {
        m.step(&mut sys).expect("no trap");
    }
    let pre = m.state_hash();
    g.bench_function("prove_step_store_4098_pages", |b| {
        b.iter_batched(
            || {
                let mut m = m.clone();
                // A write since the last commitment, as after stepping.
                m.memory_mut().store_u8(DATA + 100, 1).expect("no page limit");
                m
            },
            |mut m| (m.prove_step(), m),
            BatchSize::LargeInput,
        )
    });
    let proof = m.clone().prove_step();
    g.bench_function("verify_step_store", |b| b.iter(|| verify_step(&pre, &proof).expect("verifies")));

    // A preimage read of 32 bytes (one data leaf, one part), checked against a MapOracle.
    let mut oracle = MapOracle::new();
    let key = oracle.insert_keccak(&[7; 1000]).expect("checked");
    let mut code = Vec::new();
    for (number, fd, buf) in [(64, 6, DATA), (63, 5, DATA + 64)] {
        code.extend(asm::li(17, number));
        code.extend(asm::li(10, fd));
        code.extend(asm::li(11, buf));
        code.extend(asm::li(12, 32));
        code.push(asm::ECALL);
    }
    let mut m = Machine::new(CODE);
    m.memory_mut().write(CODE, &asm::words_to_bytes(&code)).expect("no page limit");
    m.memory_mut().write(DATA, &key.0).expect("no page limit");
    let mut sys = OracleSyscalls::new(oracle.clone());
    for _ in 0..code.len() - 1 {
        m.step(&mut sys).expect("no trap");
    }
    let pre = m.state_hash();
    let proof = m.prove_step_with(&mut sys);
    assert!(proof.preimage.is_some());
    g.bench_function("verify_step_preimage_read", |b| {
        b.iter(|| verify_step_with(&pre, &proof, &mut oracle).expect("verifies"))
    });

    // Seeking: a run of 2^24 steps with a snapshot every 2^20, to a pseudo-random step.
    let interval = 1 << 20;
    let mut m = machine(1 << 20);
    let trace = Trace::record(&mut m, &mut LinuxSyscalls::default(), interval, u64::MAX).expect("exits");
    let last = trace.last_step();
    let mut k = 0x9e37_79b9_7f4a_7c15_u64;
    g.bench_function("seek_random_step_interval_2^20_4098_pages", |b| {
        b.iter(|| {
            k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            trace.seek((k >> 11) % last, &mut LinuxSyscalls::default()).expect("seeks")
        })
    });
    g.bench_function("restore_snapshot_4098_pages", |b| {
        b.iter(|| trace.seek(3 * interval, &mut LinuxSyscalls::default()).expect("seeks"))
    });
    g.finish();
}

criterion_group!(benches, proofs);
criterion_main!(benches);
