//! Step proofs against the machine: for random programs (the qemu test's generator: ALU, M,
//! loads and stores of any alignment, branches, `write` and `exit`), every step's proof verifies
//! to the hash of the machine's next state, and tampered proofs are rejected. Seeking in a
//! recorded trace gives the same states as running from the start.

use pillar_fpvm::{
    LeafRole, LinuxSyscalls, Machine, STATE_SIZE, State, StepError, StepProof, Trace, Trap, asm, load_elf,
    verify_step,
};
use proptest::prelude::*;

use pillar_fpvm::testkit::{op, program, value};

/// Runs the program in `elf` to its exit: the state hash before each step and after the last,
/// and the proof of each step (the last one of the exited state, which steps to itself).
fn trace(elf: &[u8]) -> (Vec<[u8; 32]>, Vec<StepProof>) {
    let mut m = load_elf(elf).expect("the test ELF loads");
    let mut sys = LinuxSyscalls::default();
    let mut hashes = vec![m.state_hash()];
    let mut proofs = Vec::new();
    while m.exit_code().is_none() {
        proofs.push(m.prove_step());
        m.step(&mut sys).expect("the program does not trap");
        hashes.push(m.state_hash());
    }
    // An exited machine steps to itself.
    proofs.push(m.prove_step());
    hashes.push(m.state_hash());
    (hashes, proofs)
}

#[derive(Debug, Clone)]
enum Tamper {
    /// Flip a bit of the pre-state and claim its hash anyway.
    PreByte(usize, u8),
    /// Flip a bit of the pre-state's memory root and rehash it (a consistent but false state).
    MemoryRoot(usize, u8),
    /// Flip a bit of a sibling on the instruction's path (or the data path).
    Sibling(bool, usize, usize, u8),
    /// Flip a bit of the instruction's leaf (or a data leaf).
    Leaf(bool, usize, u8),
    /// Drop the data leaves, or add one.
    DataCount(bool),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let bit = (0u8..8).prop_map(|b| 1u8 << b);
    prop_oneof![
        (0..STATE_SIZE, bit.clone()).prop_map(|(i, b)| Tamper::PreByte(i, b)),
        (0usize..32, bit.clone()).prop_map(|(i, b)| Tamper::MemoryRoot(i, b)),
        (any::<bool>(), 0usize..27, 0usize..32, bit.clone())
            .prop_map(|(d, l, i, b)| Tamper::Sibling(d, l, i, b)),
        (any::<bool>(), 0usize..32, bit).prop_map(|(d, i, b)| Tamper::Leaf(d, i, b)),
        any::<bool>().prop_map(Tamper::DataCount),
    ]
}

/// Applies `t` and returns the hash to verify against, or `None` if `t` does not apply to this
/// proof (no data leaves to tamper with).
fn apply(t: &Tamper, pre: [u8; 32], p: &mut StepProof) -> Option<[u8; 32]> {
    match *t {
        Tamper::PreByte(i, b) => p.pre[i] ^= b,
        Tamper::MemoryRoot(i, b) => {
            p.pre[i] ^= b;
            return Some(State::decode(&p.pre).ok()?.hash());
        }
        Tamper::Sibling(false, l, i, b) => p.instruction.siblings[l][i] ^= b,
        Tamper::Leaf(false, i, b) => p.instruction.leaf[i] ^= b,
        Tamper::Sibling(true, l, i, b) => p.data.first_mut()?.siblings[l][i] ^= b,
        Tamper::Leaf(true, i, b) => p.data.first_mut()?.leaf[i] ^= b,
        Tamper::DataCount(true) => {
            p.data.pop()?;
        }
        Tamper::DataCount(false) => p.data.push(p.instruction.clone()),
    }
    Some(pre)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_step_verifies_to_the_machines_next_state(
        init in proptest::collection::vec(value(), 30),
        ops in proptest::collection::vec(op(), 1..64),
        scratch in proptest::collection::vec(any::<u8>(), 4096),
    ) {
        let (hashes, proofs) = trace(&program(&init, &ops, &scratch));
        for (k, proof) in proofs.iter().enumerate() {
            prop_assert_eq!(verify_step(&hashes[k], proof), Ok(hashes[k + 1]), "step {}", k);
            prop_assert_eq!(&StepProof::decode(&proof.encode()), &Ok(proof.clone()));
        }
    }

    #[test]
    fn tampered_proofs_are_rejected(
        init in proptest::collection::vec(value(), 30),
        ops in proptest::collection::vec(op(), 1..32),
        pick in any::<prop::sample::Index>(),
        t in tamper(),
    ) {
        let (hashes, proofs) = trace(&program(&init, &ops, &[0x5a; 4096]));
        let k = pick.index(proofs.len() - 1); // not the exited state's no-op step
        let mut p = proofs[k].clone();
        let Some(claimed) = apply(&t, hashes[k], &mut p) else { return Ok(()) };
        let result = verify_step(&claimed, &p);
        // A flipped leaf byte that the instruction does not read (outside the instruction word
        // or the access) must still break the path, so no tamper may verify to any hash.
        prop_assert!(result.is_err(), "{:?} at step {} verified: {:?}", t, k, result);
    }

    /// Arbitrary bytes, or a real proof's bytes with a few overwritten, never panic the decoder or
    /// the verifier.
    #[test]
    fn arbitrary_proof_bytes_never_panic(
        init in proptest::collection::vec(value(), 30),
        ops in proptest::collection::vec(op(), 1..16),
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        noise in proptest::collection::vec(any::<u8>(), 0..3000),
    ) {
        let (hashes, proofs) = trace(&program(&init, &ops, &[1; 4096]));
        let k = pick.index(proofs.len());
        let mut b = proofs[k].encode();
        for (at, v) in edits {
            let i = at.index(b.len());
            b[i] = v;
        }
        b.truncate(cut.index(b.len() + 1).max(b.len() - 900));
        for bytes in [b, noise] {
            if let Ok(p) = StepProof::decode(&bytes) {
                let _ = verify_step(&hashes[k], &p);
            }
        }
    }

    #[test]
    fn seeking_gives_the_state_of_a_straight_run(
        init in proptest::collection::vec(value(), 30),
        ops in proptest::collection::vec(op(), 1..64),
        interval in 1u64..40,
        pick in any::<prop::sample::Index>(),
    ) {
        let elf = program(&init, &ops, &[7; 4096]);
        let (hashes, _) = trace(&elf);
        let mut m = load_elf(&elf).expect("loads");
        let t = Trace::record(&mut m, &mut LinuxSyscalls::default(), interval, u64::MAX).expect("no trap");
        prop_assert_eq!(t.last_step() as usize, hashes.len() - 2);
        let k = pick.index(hashes.len() + 3) as u64; // past the exit too
        let mut at = t.seek(k, &mut LinuxSyscalls::default()).expect("seek");
        let expected = hashes[(k as usize).min(hashes.len() - 1)];
        prop_assert_eq!(at.state_hash(), expected);
    }
}

/// Runs `code` at 0x1_0000 with registers `init` for one step and checks the proof.
fn one_step(init: &[(u8, u32)], code: &[u32], memory: &[(u32, &[u8])]) -> Result<[u8; 32], StepError> {
    let mut m = Machine::new(0x1_0000);
    m.memory_mut().write(0x1_0000, &asm::words_to_bytes(code)).expect("no limit");
    for (addr, bytes) in memory {
        m.memory_mut().write(*addr, bytes).expect("no limit");
    }
    for &(r, v) in init {
        m.set_reg(r, v);
    }
    let pre = m.state_hash();
    let proof = m.prove_step();
    let result = verify_step(&pre, &proof);
    if m.step(&mut LinuxSyscalls::default()).is_ok() {
        assert_eq!(result, Ok(m.state_hash()));
    }
    result
}

#[test]
fn stores_across_leaves_pages_and_the_top_of_memory() {
    for addr in [0x2_001e, 0x2_001f, 0x2_0ffe, 0x2_1ffd, 0xffff_fffe, 0xffff_ffff, 0x7fff_fffc] {
        one_step(&[(1, addr), (2, 0xa1b2_c3d4)], &[asm::sw(1, 0, 2)], &[(0x2_1000, &[9; 8])])
            .expect("verifies");
        one_step(&[(1, addr)], &[asm::lw(3, 1, 0)], &[(addr, &[1, 2, 3, 4])]).expect("verifies");
    }
}

#[test]
fn traps_verify_to_the_exit_they_make() {
    // (pc, the word there, registers, trap): the machine exits with the trap's code, pc unchanged,
    // and the proof verifies to exactly that state.
    type Case<'a> = (u32, u32, &'a [(u8, u32)], Trap);
    let cases: [Case<'_>; 5] = [
        (0x1_0000, asm::EBREAK, &[], Trap::Breakpoint),
        (0x1_0000, 0, &[], Trap::IllegalInstruction),
        (0x1_0000, 0x0000_100f, &[], Trap::IllegalInstruction), // fence.i
        (0x1_0002, asm::FENCE, &[], Trap::MisalignedFetch),
        (0x1_0000, asm::ECALL, &[(17, 62)], Trap::UnsupportedSyscall),
    ];
    for (pc, word, regs, trap) in cases {
        let mut m = Machine::new(pc);
        m.memory_mut().write(0x1_0000, &asm::words_to_bytes(&[word, word])).expect("no limit");
        for &(r, v) in regs {
            m.set_reg(r, v);
        }
        let pre = m.state_hash();
        let proof = m.prove_step();
        assert!(proof.data.is_empty() && proof.preimage.is_none(), "{trap:?}");
        m.step(&mut LinuxSyscalls::default()).expect("a trap is an exit");
        let post = m.state();
        assert_eq!(
            (post.exited, post.exit_code, post.pc, post.steps),
            (true, trap.exit_code(), pc, 1),
            "{trap:?}"
        );
        assert_eq!(post.hash()[0], pillar_fpvm::STATUS_INVALID, "{trap:?}");
        assert_eq!(verify_step(&pre, &proof), Ok(post.hash()), "{trap:?}");
        // The exit is final: the next step is the exited state's self-step.
        assert_eq!(verify_step(&post.hash(), &m.prove_step()), Ok(post.hash()), "{trap:?}");
        // A trap carries nothing else: a data leaf or a preimage part is refused.
        let mut extra = proof.clone();
        extra.data.push(proof.instruction.clone());
        assert_eq!(verify_step(&pre, &extra), Err(StepError::DataLeafCount { expected: 0, got: 1 }));
        let mut part = proof.clone();
        part.preimage = Some(pillar_fpvm::PreimagePart::of(b"", 0));
        assert_eq!(verify_step(&pre, &part), Err(StepError::UnexpectedPreimagePart));
    }
    // write returns its count (capped) or -EBADF; exit stops the machine.
    one_step(&[(17, 64), (10, 1), (12, u32::MAX)], &[asm::ECALL], &[]).expect("write");
    one_step(&[(17, 64), (10, 7)], &[asm::ECALL], &[]).expect("write to a bad fd");
    one_step(&[(17, 93), (10, 3)], &[asm::ECALL], &[]).expect("exit");
}

#[test]
fn a_path_for_the_wrong_leaf_is_rejected() {
    let mut m = Machine::new(0x1_0000);
    m.memory_mut().write(0x1_0000, &asm::words_to_bytes(&[asm::lw(3, 1, 0)])).expect("no limit");
    m.memory_mut().write(0x3000, &[1; 32]).expect("no limit");
    m.memory_mut().write(0x3020, &[2; 32]).expect("no limit");
    m.set_reg(1, 0x3000);
    let pre = m.state_hash();
    let mut proof = m.prove_step();
    proof.data[0] = m.memory_mut().prove_leaf(0x3020);
    assert_eq!(
        verify_step(&pre, &proof),
        Err(StepError::BadPath { role: LeafRole::Data(0), leaf_index: 0x3000 >> 5 })
    );
}
