//! The differential test between the one-step rule's twins: `RiscvStep.sol` on a real anvil and
//! pillar-fpvm's `verify_step` (docs/fault-proofs.md, "The L1 step").
//!
//! Every step of random programs (pillar-fpvm's `testkit` generator, the one the qemu and
//! step-proof tests use: ALU, M, loads and stores of any alignment across leaves, branches, `jal`,
//! `write`, `exit`), hand-made steps of what the generator does not reach (the oracle's fds,
//! `jalr`, traps, the top of memory), and tampered proofs of all of them go to both. The contract
//! must return `verify_step`'s post-state hash when it accepts and revert with the custom error
//! of the same check, with the same arguments, when it rejects.

use alloy::network::EthereumWallet;
use alloy::primitives::{B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use pillar_fpvm::testkit::{op, program, value};
use pillar_fpvm::{
    LeafRole, LinuxSyscalls, Machine, OracleSyscalls, PreimagePart, ProofDecodeError, State, StateError,
    StepError, StepProof, asm, load_elf, verify_step,
};
use pillar_l1::anvil::Anvil;
use pillar_l1::bindings::RiscvStep::{self, RiscvStepErrors, RiscvStepInstance};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// What a step proof gives: the post-state hash, or the contract's error for the check that
/// failed.
type Outcome = Result<B256, RiscvStepErrors>;

fn u(v: impl Into<u64>) -> U256 {
    U256::from(v.into())
}

/// The Solidity error for a Rust rejection: the same name (`Proof…` for the decoder's, whose
/// names clash with the verifier's), the same arguments.
fn decode_error(e: ProofDecodeError) -> RiscvStepErrors {
    use RiscvStep::*;
    use RiscvStepErrors as E;
    match e {
        ProofDecodeError::Truncated { len, min } => {
            E::ProofTruncated(ProofTruncated { len: U256::from(len), min: U256::from(min) })
        }
        ProofDecodeError::DataLeafCount { count } => {
            E::ProofDataLeafCount(ProofDataLeafCount { count: u(count) })
        }
        ProofDecodeError::Length { count, len, expected } => E::ProofLength(ProofLength {
            count: u(count),
            len: U256::from(len),
            expected: U256::from(expected),
        }),
        ProofDecodeError::PreimageFlag { flag } => E::ProofPreimageFlag(ProofPreimageFlag { flag: u(flag) }),
    }
}

fn step_error(e: StepError) -> RiscvStepErrors {
    use RiscvStep::*;
    use RiscvStepErrors as E;
    match e {
        StepError::State(StateError::ExitedFlag { value }) => E::ExitedFlag(ExitedFlag { value: u(value) }),
        StepError::State(StateError::ExitCodeWhileRunning { code }) => {
            E::ExitCodeWhileRunning(ExitCodeWhileRunning { code: u(code) })
        }
        StepError::State(StateError::Length { len }) => {
            unreachable!("a decoded proof's pre-state is 209 bytes, not {len}")
        }
        StepError::PreStateMismatch { claimed, actual } => {
            E::PreStateMismatch(PreStateMismatch { claimed: claimed.into(), actual: actual.into() })
        }
        StepError::BadPath { role, leaf_index } => {
            let role = match role {
                LeafRole::Instruction => U256::ZERO,
                LeafRole::Data(i) => U256::from(1 + i),
            };
            E::BadPath(BadPath { role, leafIndex: u(leaf_index) })
        }
        StepError::DataLeafCount { expected, got } => {
            E::DataLeafCount(DataLeafCount { expected: U256::from(expected), got: U256::from(got) })
        }
        StepError::IllegalInstruction { pc, word } => {
            E::IllegalInstruction(IllegalInstruction { pc: u(pc), word: u(word) })
        }
        StepError::MisalignedFetch { pc } => E::MisalignedFetch(MisalignedFetch { pc: u(pc) }),
        StepError::Breakpoint { pc } => E::Breakpoint(Breakpoint { pc: u(pc) }),
        StepError::MissingPreimagePart => E::MissingPreimagePart(MissingPreimagePart {}),
        StepError::UnexpectedPreimagePart => E::UnexpectedPreimagePart(UnexpectedPreimagePart {}),
        // `verify_step` knows no preimage, so a read with its part is `UnknownPreimage`; the
        // contract has no oracle yet and refuses every such read.
        StepError::UnknownPreimage { .. } | StepError::PreimagePartMismatch { .. } => {
            E::PreimageReadUnsupported(PreimageReadUnsupported {})
        }
        StepError::PreimageOffsetOverflow => unreachable!("only a preimage read overflows the offset"),
        StepError::UnsupportedSyscall { pc, number } => {
            E::UnsupportedSyscall(UnsupportedSyscall { pc: u(pc), number: u(number) })
        }
        StepError::StepOverflow => E::StepOverflow(StepOverflow {}),
    }
}

/// The Rust reference's outcome for proof bytes posted to `step`.
fn reference(pre: &[u8; 32], bytes: &[u8]) -> Outcome {
    let proof = StepProof::decode(bytes).map_err(decode_error)?;
    verify_step(pre, &proof).map(B256::from).map_err(step_error)
}

struct Twins {
    _anvil: Anvil,
    step: RiscvStepInstance<DynProvider>,
    calls: usize,
    accepted: usize,
    /// The errors seen, by name.
    rejections: std::collections::BTreeSet<String>,
}

impl Twins {
    async fn deploy() -> Self {
        let anvil = Anvil::spawn().await.unwrap();
        let signer: PrivateKeySigner = anvil.dev_key(0).parse().unwrap();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(anvil.endpoint().parse().unwrap())
            .erased();
        let step = RiscvStep::deploy(provider).await.unwrap();
        Self { _anvil: anvil, step, calls: 0, accepted: 0, rejections: Default::default() }
    }

    /// `step` by `eth_call`.
    async fn solidity(&self, pre: &[u8; 32], bytes: &[u8]) -> Outcome {
        match self.step.step(B256::from(*pre), Bytes::copy_from_slice(bytes)).call().await {
            Ok(post) => Ok(post),
            Err(e) => Err(e
                .as_decoded_interface_error::<RiscvStepErrors>()
                .unwrap_or_else(|| panic!("step reverted without one of its errors: {e}"))),
        }
    }

    /// Requires both twins to give the same outcome; returns it.
    async fn agree(&mut self, what: &str, pre: &[u8; 32], bytes: &[u8]) -> Outcome {
        let expected = reference(pre, bytes);
        let actual = self.solidity(pre, bytes).await;
        assert_eq!(actual, expected, "{what}: Solidity (left) and Rust (right) disagree");
        self.calls += 1;
        match &actual {
            Ok(_) => self.accepted += 1,
            Err(e) => {
                let name = format!("{e:?}");
                self.rejections.insert(name.split('(').next().unwrap_or_default().to_owned());
            }
        }
        actual
    }

    /// The total gas of a transaction calling `step` (calldata included).
    async fn gas(&self, pre: &[u8; 32], bytes: &[u8]) -> u64 {
        self.step.step(B256::from(*pre), Bytes::copy_from_slice(bytes)).estimate_gas().await.unwrap()
    }
}

/// Every step of the program in `elf`, run to its exit with `write` and `exit` as Linux: the
/// state hash before each step and its proof, the exited state's self-step last.
fn trace(elf: &[u8]) -> Vec<([u8; 32], StepProof)> {
    let mut m = load_elf(elf).unwrap();
    let mut sys = LinuxSyscalls::default();
    let mut steps = Vec::new();
    loop {
        steps.push((m.state_hash(), m.prove_step()));
        if m.exit_code().is_some() {
            return steps;
        }
        m.step(&mut sys).expect("the program does not trap");
    }
}

/// Ways to spoil a proof (the step-proof property test's, and a few on the bytes).
#[derive(Debug, Clone)]
enum Tamper {
    /// Flip a bit of the pre-state and claim its old hash.
    PreByte(usize, u8),
    /// Flip a bit of the memory root and claim the new hash (a consistent, false state).
    MemoryRoot(usize, u8),
    /// Flip a bit of a sibling: the instruction's path (`None`) or data path `i`.
    Sibling(Option<usize>, usize, usize, u8),
    /// Flip a bit of a leaf.
    Leaf(Option<usize>, usize, u8),
    /// Drop the last data leaf, or add one.
    DataCount(bool),
    /// Add a preimage part.
    Part,
    /// The step counter at its maximum, rehashed.
    StepsMax,
    /// Cut the bytes short, or append a byte.
    Length(prop::sample::Index, bool),
    /// Overwrite up to 4 bytes of the encoding.
    Bytes(Vec<(prop::sample::Index, u8)>),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let bit = (0u8..8).prop_map(|b| 1u8 << b);
    let role = prop_oneof![Just(None), (0usize..2).prop_map(Some)];
    prop_oneof![
        3 => (0usize..209, bit.clone()).prop_map(|(i, b)| Tamper::PreByte(i, b)),
        1 => (0usize..32, bit.clone()).prop_map(|(i, b)| Tamper::MemoryRoot(i, b)),
        3 => (role.clone(), 0usize..27, 0usize..32, bit.clone()).prop_map(|(r, l, i, b)| Tamper::Sibling(r, l, i, b)),
        3 => (role, 0usize..32, bit).prop_map(|(r, i, b)| Tamper::Leaf(r, i, b)),
        2 => any::<bool>().prop_map(Tamper::DataCount),
        1 => Just(Tamper::Part),
        1 => Just(Tamper::StepsMax),
        1 => (any::<prop::sample::Index>(), any::<bool>()).prop_map(|(i, cut)| Tamper::Length(i, cut)),
        2 => proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4).prop_map(Tamper::Bytes),
    ]
}

/// The claimed hash and the bytes `t` makes of an honest proof.
fn apply(t: &Tamper, pre: [u8; 32], proof: &StepProof) -> ([u8; 32], Vec<u8>) {
    let mut p = proof.clone();
    let mut claimed = pre;
    let rehash = |p: &StepProof| State::decode(&p.pre).map_or(pre, |s| s.hash());
    match t {
        Tamper::PreByte(i, b) => p.pre[*i] ^= b,
        Tamper::MemoryRoot(i, b) => {
            p.pre[*i] ^= b;
            claimed = rehash(&p);
        }
        Tamper::Sibling(None, l, i, b) => p.instruction.siblings[*l][*i] ^= b,
        Tamper::Leaf(None, i, b) => p.instruction.leaf[*i] ^= b,
        Tamper::Sibling(Some(d), l, i, b) => {
            if let Some(leaf) = p.data.get_mut(*d) {
                leaf.siblings[*l][*i] ^= b;
            }
        }
        Tamper::Leaf(Some(d), i, b) => {
            if let Some(leaf) = p.data.get_mut(*d) {
                leaf.leaf[*i] ^= b;
            }
        }
        Tamper::DataCount(true) => {
            p.data.pop();
        }
        Tamper::DataCount(false) => p.data.push(p.instruction.clone()),
        Tamper::Part => p.preimage = Some(PreimagePart { bytes: [0x5c; 32], len: 3 }),
        Tamper::StepsMax => {
            p.pre[77..85].copy_from_slice(&u64::MAX.to_be_bytes());
            claimed = rehash(&p);
        }
        Tamper::Length(at, cut) => {
            let mut bytes = p.encode();
            if *cut {
                bytes.truncate(at.index(bytes.len()));
            } else {
                bytes.push(0);
            }
            return (claimed, bytes);
        }
        Tamper::Bytes(edits) => {
            let mut bytes = p.encode();
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = *v;
            }
            return (claimed, bytes);
        }
    }
    (claimed, p.encode())
}

fn sample<S: Strategy>(runner: &mut TestRunner, s: S) -> S::Value {
    s.new_tree(runner).unwrap().current()
}

/// Runs `code` at 0x1_0000 with `regs` and `memory`, the first `before` steps with the oracle's
/// syscalls (so a key write changes the key), and returns the next step's hash and proof.
fn one_step(
    regs: &[(u8, u32)],
    code: &[u32],
    memory: &[(u32, &[u8])],
    before: usize,
) -> ([u8; 32], StepProof) {
    let mut m = Machine::new(0x1_0000);
    m.memory_mut().write(0x1_0000, &asm::words_to_bytes(code)).unwrap();
    for (addr, bytes) in memory {
        m.memory_mut().write(*addr, bytes).unwrap();
    }
    for &(r, v) in regs {
        m.set_reg(r, v);
    }
    let mut sys = OracleSyscalls::new(pillar_preimage::MapOracle::new());
    for _ in 0..before {
        m.step(&mut sys).unwrap();
    }
    (m.state_hash(), m.prove_step())
}

/// Steps the generator does not produce, each with the Rust outcome it must have (so a case
/// that stops testing what it names fails here, not silently).
fn hand_made() -> Vec<(&'static str, [u8; 32], StepProof, bool)> {
    let page: Vec<u8> = (0..=255).collect();
    let mem: &[(u32, &[u8])] = &[(0x2_0000, &page), (0x2_0f00, &page), (0xffff_ff00, &page)];
    let ecall = |regs: &[(u8, u32)]| one_step(regs, &[asm::ECALL], mem, 0);
    let key = |buf: u32, len: u32| [(17, 64), (10, 6), (11, buf), (12, len)];
    let mut cases = vec![
        ("write(6) of 10 bytes", ecall(&key(0x2_0005, 10)), true),
        ("write(6) to the leaf's end", ecall(&key(0x2_0015, 100)), true),
        ("write(6) of a whole leaf", ecall(&key(0x2_0020, 32)), true),
        ("write(6) of nothing", ecall(&key(0x2_0020, 0)), true),
        // A second key write shifts the first one's bytes up (`a0` is the count in between).
        (
            "write(6) after write(6)",
            one_step(&key(0x2_0003, 7), &[asm::ECALL, asm::addi(10, 0, 6), asm::ECALL], mem, 2),
            true,
        ),
        ("write(4), a hint", ecall(&[(17, 64), (10, 4), (11, 0x2_0000), (12, 1 << 21)]), true),
        ("write(1) of 4 GiB", ecall(&[(17, 64), (10, 1), (12, u32::MAX)]), true),
        ("read(3), the hint's acknowledgement", ecall(&[(17, 63), (10, 3), (12, 17)]), true),
        ("read(0)", ecall(&[(17, 63), (10, 0), (12, 17)]), true),
        ("write(7)", ecall(&[(17, 64), (10, 7)]), true),
        ("exit_group(0)", ecall(&[(17, 94)]), true),
        ("exit(-1)", ecall(&[(17, 93), (10, u32::MAX)]), true),
        ("read(5) without a part", ecall(&[(17, 63), (10, 5), (11, 0x2_0000), (12, 8)]), false),
        ("read(5) of nothing", ecall(&[(17, 63), (10, 5), (12, 0)]), false),
        ("ecall 62", ecall(&[(17, 62)]), false),
        ("ebreak", one_step(&[], &[asm::EBREAK], mem, 0), false),
        ("fence", one_step(&[], &[asm::FENCE], mem, 0), true),
        ("jalr to an odd address", one_step(&[(5, 0x3_0001)], &[asm::jalr(1, 5, 4)], mem, 0), true),
        ("jalr ra, 0(ra)", one_step(&[(1, 0x3_0000)], &[asm::jalr(1, 1, 0)], mem, 0), true),
        ("a misaligned pc", one_step(&[(5, 0x1_0006)], &[asm::jalr(0, 5, 0)], mem, 1), false),
        ("a backward branch", one_step(&[], &[asm::beq(0, 0, -8)], mem, 0), true),
        ("bne not taken", one_step(&[], &[asm::bne(0, 0, -8)], mem, 0), true),
        ("lui", one_step(&[], &[asm::lui(7, 0xfedc_b000)], mem, 0), true),
        ("auipc", one_step(&[], &[asm::auipc(7, 0xfedc_b000)], mem, 0), true),
    ];
    for word in [0, u32::MAX, 0x0000_100f, 0x0200_1093, 0x3000_2573, 0x0000_3003, 0x0000_1067] {
        cases.push(("an illegal word", one_step(&[], &[word], mem, 0), false));
    }
    // Loads and stores across leaves, pages and the top of memory (wrapping to 0).
    for addr in [0x2_001e, 0x2_001f, 0x2_0ffe, 0x2_0fff, 0xffff_fffd, 0xffff_fffe, 0xffff_ffff] {
        for op in [pillar_fpvm::StoreOp::Sw, pillar_fpvm::StoreOp::Sh] {
            let code = [asm::store(op, 1, 0, 2)];
            cases.push((
                "a store across leaves",
                one_step(&[(1, addr), (2, 0xa1b2_c3d4)], &code, mem, 0),
                true,
            ));
        }
        for op in [pillar_fpvm::LoadOp::Lw, pillar_fpvm::LoadOp::Lh, pillar_fpvm::LoadOp::Lhu] {
            let code = [asm::load(op, 3, 1, 0)];
            cases.push(("a load across leaves", one_step(&[(1, addr)], &code, mem, 0), true));
        }
    }
    let mut out = Vec::new();
    for (what, (pre, proof), accepted) in cases {
        assert_eq!(verify_step(&pre, &proof).is_ok(), accepted, "{what}: {:?}", verify_step(&pre, &proof));
        out.push((what, pre, proof, accepted));
    }
    out
}

#[tokio::test]
async fn riscv_step_agrees_with_verify_step() {
    let mut twins = Twins::deploy().await;
    let mut runner = TestRunner::deterministic();

    // Every step of random programs, and one tampered copy of each.
    let mut crossing = 0;
    for n in 0..16 {
        let init = sample(&mut runner, proptest::collection::vec(value(), 30));
        let ops = sample(&mut runner, proptest::collection::vec(op(), 32..96));
        let scratch = sample(&mut runner, proptest::collection::vec(any::<u8>(), 4096));
        for (k, (pre, proof)) in trace(&program(&init, &ops, &scratch)).iter().enumerate() {
            crossing += usize::from(proof.data.len() == 2);
            let post = twins.agree(&format!("program {n} step {k}"), pre, &proof.encode()).await;
            assert!(post.is_ok(), "program {n} step {k} was rejected: {post:?}");
            let t = sample(&mut runner, tamper());
            let (claimed, bytes) = apply(&t, *pre, proof);
            let _ = twins.agree(&format!("program {n} step {k} with {t:?}"), &claimed, &bytes).await;
        }
    }
    assert!(crossing >= 5, "only {crossing} accesses across two leaves");

    // Hand-made steps, and tampered copies.
    for (what, pre, proof, accepted) in hand_made() {
        let post = twins.agree(what, &pre, &proof.encode()).await;
        assert_eq!(post.is_ok(), accepted, "{what}");
        for _ in 0..3 {
            let t = sample(&mut runner, tamper());
            let (claimed, bytes) = apply(&t, pre, &proof);
            let _ = twins.agree(&format!("{what} with {t:?}"), &claimed, &bytes).await;
        }
    }
    // A preimage read with its part: Rust knows no preimage, the contract no oracle yet.
    let (pre, mut proof) = one_step(&[(17, 63), (10, 5), (11, 0x2_0000), (12, 8)], &[asm::ECALL], &[], 0);
    proof.preimage = Some(PreimagePart::of(b"", 0));
    let read = twins.agree("read(5) with a part", &pre, &proof.encode()).await;
    assert_eq!(read, Err(RiscvStepErrors::PreimageReadUnsupported(RiscvStep::PreimageReadUnsupported {})));

    // Both outcomes were exercised in numbers, and most of the checks rejected something.
    println!(
        "{} step proofs, {} accepted by both, {crossing} across two leaves; rejections: {:?}",
        twins.calls, twins.accepted, twins.rejections
    );
    assert!(
        twins.accepted > 2000 && twins.calls - twins.accepted > 1000,
        "{} of {}",
        twins.accepted,
        twins.calls
    );
    assert!(twins.rejections.len() >= 15, "{:?}", twins.rejections);
}

/// The gas of a `step` transaction for a few kinds of instruction (printed; docs/fault-proofs.md
/// quotes them): `cargo test -p pillar-l1 --test it step_gas -- --nocapture`.
#[tokio::test]
async fn step_gas() {
    let twins = Twins::deploy().await;
    let mem: &[(u32, &[u8])] = &[(0x2_0000, &[7; 64])];
    let cases = [
        ("add", one_step(&[(1, 5), (2, 7)], &[asm::alu(pillar_fpvm::AluOp::Add, 3, 1, 2)], mem, 0)),
        ("lw (one leaf)", one_step(&[(1, 0x2_0004)], &[asm::lw(3, 1, 0)], mem, 0)),
        ("sw across two leaves", one_step(&[(1, 0x2_001e), (2, 9)], &[asm::sw(1, 0, 2)], mem, 0)),
        ("ecall write(1)", one_step(&[(17, 64), (10, 1), (11, 0x2_0000), (12, 64)], &[asm::ECALL], mem, 0)),
    ];
    for (what, (pre, proof)) in cases {
        let bytes = proof.encode();
        assert!(twins.solidity(&pre, &bytes).await.is_ok(), "{what}");
        let gas = twins.gas(&pre, &bytes).await;
        // Far under a block; a regression that doubles the cost should be seen.
        assert!(gas < 300_000, "{what}: {gas} gas");
        // EIP-7623's floor for the transaction's calldata (selector and ABI head included).
        let data = twins.step.step(B256::from(pre), Bytes::copy_from_slice(&bytes)).calldata().clone();
        let zeros = data.iter().filter(|b| **b == 0).count() as u64;
        let floor = 21_000 + 10 * (zeros + 4 * (data.len() as u64 - zeros));
        println!("step gas: {what}: {gas} (proof {} bytes, calldata floor {floor})", bytes.len());
    }
}
