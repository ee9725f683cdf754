//! Interpreter speed: instructions per second on a hot loop of ALU, M, load/store and branch
//! instructions, with nothing committed (no memory root is computed during the run;
//! benches/proofs.rs measures committing). Criterion reports it as elements per second, one
//! element per instruction. The target is ≥ 150 M/s on one core (issue 16).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pillar_fpvm::{AluOp, LinuxSyscalls, LoadOp, Machine, asm};

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
const ITERATIONS: u32 = 1 << 20;

/// 16 instructions per iteration, the mix of a hashing or decoding loop: 9 ALU (one multiply),
/// 3 loads, 2 stores, the counter and the branch.
fn hot_loop() -> Vec<u32> {
    let mut code = Vec::new();
    code.extend(asm::li(1, ITERATIONS));
    code.extend(asm::li(2, DATA));
    let body = [
        asm::alu(AluOp::Add, 3, 3, 1),
        asm::alu(AluOp::Xor, 4, 4, 3),
        asm::alu_imm(AluOp::Sll, 5, 3, 3).expect("slli"),
        asm::sw(2, 0, 3),
        asm::lw(6, 2, 4),
        asm::alu(AluOp::Add, 6, 6, 5),
        asm::sw(2, 4, 6),
        asm::alu(AluOp::Mul, 7, 3, 4),
        asm::alu(AluOp::Srl, 8, 7, 1),
        asm::alu(AluOp::Sltu, 9, 8, 7),
        asm::alu(AluOp::Add, 10, 10, 9),
        asm::alu_imm(AluOp::And, 11, 10, 255).expect("andi"),
        asm::load(LoadOp::Lbu, 12, 2, 1),
        asm::alu(AluOp::Or, 13, 12, 11),
        asm::addi(1, 1, -1),
    ];
    code.extend(body);
    code.push(asm::bne(1, 0, -4 * body.len() as i32));
    code.extend([asm::addi(10, 0, 0), asm::addi(17, 0, 93), asm::ECALL]);
    code
}

fn machine() -> Machine {
    let mut m = Machine::new(CODE);
    m.memory_mut().write(CODE, &asm::words_to_bytes(&hot_loop())).expect("no page limit");
    m
}

fn interpreter(c: &mut Criterion) {
    let steps = {
        let mut m = machine();
        m.run(&mut LinuxSyscalls::default(), u64::MAX).expect("the loop exits").steps
    };
    let mut g = c.benchmark_group("fpvm");
    g.throughput(Throughput::Elements(steps));
    g.sample_size(10);
    g.bench_function("hot_loop_instructions", |b| {
        // A fresh machine per run, built outside the timing (its page table is 8 MiB).
        b.iter_batched(
            machine,
            |mut m| m.run(&mut LinuxSyscalls::default(), u64::MAX).expect("the loop exits"),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, interpreter);
criterion_main!(benches);
