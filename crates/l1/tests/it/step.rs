//! The differential test between the one-step rule's twins: `RiscvStep.sol` on a real anvil and
//! pillar-fpvm's `verify_step` (docs/fault-proofs.md, "The L1 step").
//!
//! Every step of random programs (pillar-fpvm's `testkit` generator, the one the qemu and
//! step-proof tests use: ALU, M, loads and stores of any alignment across leaves, branches, `jal`,
//! `write`, `exit`), hand-made steps of what the generator does not reach (the oracle's fds,
//! `jalr`, traps, the top of memory), and tampered proofs of all of them go to both. The contract
//! must return `verify_step`'s post-state hash when it accepts and revert with the custom error
//! of the same check, with the same arguments, when it rejects.
//!
//! Preimage reads go through `PreimageOracle.sol`: guests that read keccak, sha256, NOMT-node and
//! ecrecover preimages run with pillar-fpvm's oracle, the parts their reads touch are loaded into
//! the contract through its loaders, and every step, the reads included, must give
//! `verify_step_with`'s post-state over the same preimages; the contract's parts and precompile
//! results are held to `PreimagePart::of` and `precompile::call`.

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use pillar_fpvm::testkit::{Code, ecrecover_input, hex};
use pillar_fpvm::testkit::{op, program, value};
use pillar_fpvm::{
    LeafRole, LinuxSyscalls, Machine, OracleSyscalls, PreimagePart, ProofDecodeError, State, StateError,
    StepError, StepProof, asm, load_elf, verify_step, verify_step_with,
};
use pillar_l1::anvil::Anvil;
use pillar_l1::bindings::PreimageOracle::{self, PreimageOracleInstance};
use pillar_l1::bindings::RiscvStep::{self, RiscvStepErrors, RiscvStepInstance};
use pillar_preimage::precompile::{ECRECOVER, P256VERIFY};
use pillar_preimage::{KeyType, MapOracle, PreimageKey};
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
        StepError::MissingPreimagePart => E::MissingPreimagePart(MissingPreimagePart {}),
        StepError::UnexpectedPreimagePart => E::UnexpectedPreimagePart(UnexpectedPreimagePart {}),
        StepError::UnknownPreimage { key } => E::UnknownPreimage(UnknownPreimage { key: key.into() }),
        StepError::PreimagePartMismatch { key, offset } => {
            E::PreimagePartMismatch(PreimagePartMismatch { key: key.into(), offset: u(offset) })
        }
        StepError::PreimageOffsetOverflow => E::PreimageOffsetOverflow(PreimageOffsetOverflow {}),
        StepError::StepOverflow => E::StepOverflow(StepOverflow {}),
    }
}

/// The Rust reference's outcome for proof bytes posted to `step`, with `store` as the oracle.
fn reference(pre: &[u8; 32], bytes: &[u8], store: &mut MapOracle) -> Outcome {
    let proof = StepProof::decode(bytes).map_err(decode_error)?;
    verify_step_with(pre, &proof, store).map(B256::from).map_err(step_error)
}

struct Twins {
    _anvil: Anvil,
    step: RiscvStepInstance<DynProvider>,
    oracle: PreimageOracleInstance<DynProvider>,
    /// The Rust side's preimages: every preimage whose parts were loaded into `oracle`.
    store: MapOracle,
    /// The account every `step` call and every load comes from: local data is read back
    /// localized by `step`'s caller, so it must be the loader.
    from: Address,
    /// The local context every step is given and local data is loaded with.
    context: B256,
    calls: usize,
    accepted: usize,
    /// The errors seen, by name.
    rejections: std::collections::BTreeSet<String>,
}

impl Twins {
    async fn deploy() -> Self {
        // Osaka, for P256VERIFY (the contracts are compiled for it, contracts/foundry.toml).
        let options = pillar_l1::anvil::AnvilOptions {
            extra_args: vec!["--hardfork".into(), "osaka".into()],
            ..Default::default()
        };
        let anvil = Anvil::spawn_with(options).await.unwrap();
        let signer: PrivateKeySigner = anvil.dev_key(0).parse().unwrap();
        let from = signer.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(anvil.endpoint().parse().unwrap())
            .erased();
        let oracle = PreimageOracle::deploy(provider.clone()).await.unwrap();
        let step = RiscvStep::deploy(provider, *oracle.address()).await.unwrap();
        Self {
            _anvil: anvil,
            step,
            oracle,
            store: MapOracle::new(),
            from,
            context: B256::from([0xc7; 32]),
            calls: 0,
            accepted: 0,
            rejections: Default::default(),
        }
    }

    /// `step` by `eth_call` from the loader's account, with the twins' context.
    async fn solidity(&self, pre: &[u8; 32], bytes: &[u8]) -> Outcome {
        self.solidity_as(pre, bytes, self.from, self.context).await
    }

    /// `step` by `eth_call` from `from` with `context`.
    async fn solidity_as(&self, pre: &[u8; 32], bytes: &[u8], from: Address, context: B256) -> Outcome {
        let call = self.step.step(B256::from(*pre), Bytes::copy_from_slice(bytes), context).from(from);
        match call.call().await {
            Ok(post) => Ok(post),
            Err(e) => Err(e
                .as_decoded_interface_error::<RiscvStepErrors>()
                .unwrap_or_else(|| panic!("step reverted without one of its errors: {e}"))),
        }
    }

    /// Requires both twins to give the same outcome; returns it.
    async fn agree(&mut self, what: &str, pre: &[u8; 32], bytes: &[u8]) -> Outcome {
        let expected = reference(pre, bytes, &mut self.store);
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
        let call = self.step.step(B256::from(*pre), Bytes::copy_from_slice(bytes), self.context);
        call.from(self.from).estimate_gas().await.unwrap()
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
        ("ecall 62, a trap", ecall(&[(17, 62)]), true),
        ("ebreak, a trap", one_step(&[], &[asm::EBREAK], mem, 0), true),
        ("fence", one_step(&[], &[asm::FENCE], mem, 0), true),
        ("jalr to an odd address", one_step(&[(5, 0x3_0001)], &[asm::jalr(1, 5, 4)], mem, 0), true),
        ("jalr ra, 0(ra)", one_step(&[(1, 0x3_0000)], &[asm::jalr(1, 1, 0)], mem, 0), true),
        ("a misaligned pc, a trap", one_step(&[(5, 0x1_0006)], &[asm::jalr(0, 5, 0)], mem, 1), true),
        ("a backward branch", one_step(&[], &[asm::beq(0, 0, -8)], mem, 0), true),
        ("bne not taken", one_step(&[], &[asm::bne(0, 0, -8)], mem, 0), true),
        ("lui", one_step(&[], &[asm::lui(7, 0xfedc_b000)], mem, 0), true),
        ("auipc", one_step(&[], &[asm::auipc(7, 0xfedc_b000)], mem, 0), true),
    ];
    for word in [0, u32::MAX, 0x0000_100f, 0x0200_1093, 0x3000_2573, 0x0000_3003, 0x0000_1067] {
        cases.push(("an illegal word, a trap", one_step(&[], &[word], mem, 0), true));
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
        let post = verify_step(&pre, &proof);
        assert_eq!(post.is_ok(), accepted, "{what}: {post:?}");
        // A trap's post-state: exited with the trap's code (status 1).
        if what.ends_with("a trap") {
            assert_eq!(post.map(|h| h[0]), Ok(pillar_fpvm::STATUS_INVALID), "{what}");
        }
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
    // A preimage read with its part of a key neither side knows (the zero key).
    let (pre, mut proof) = one_step(&[(17, 63), (10, 5), (11, 0x2_0000), (12, 8)], &[asm::ECALL], &[], 0);
    proof.preimage = Some(PreimagePart::of(b"", 0));
    let read = twins.agree("read(5) with a part", &pre, &proof.encode()).await;
    assert_eq!(read, Err(RiscvStepErrors::UnknownPreimage(RiscvStep::UnknownPreimage { key: B256::ZERO })));

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
    // Every error but PreimagePartMismatch (the reads test's) and PreimageOffsetOverflow (out of
    // reach: docs/fault-proofs.md).
    assert!(twins.rejections.len() >= 13, "{:?}", twins.rejections);
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
        let data = twins
            .step
            .step(B256::from(pre), Bytes::copy_from_slice(&bytes), twins.context)
            .calldata()
            .clone();
        let zeros = data.iter().filter(|b| **b == 0).count() as u64;
        let floor = 21_000 + 10 * (zeros + 4 * (data.len() as u64 - zeros));
        println!("step gas: {what}: {gas} (proof {} bytes, calldata floor {floor})", bytes.len());
    }
}

// ---- Preimage reads.

const A0: u8 = 10;
const A7: u8 = 17;

/// How a preimage gets into the contract: the loader for its key type.
#[derive(Debug, Clone)]
enum Source {
    Keccak(Vec<u8>),
    Sha256(Vec<u8>),
    Nomt(Vec<u8>),
    Precompile([u8; 20], Vec<u8>),
    /// Local input `ident`: the first `size` bytes of the word (`loadLocalData`).
    Local(u64, [u8; 32], usize),
    /// The blob element at `z` with its value `y` and KZG opening.
    Blob(BlobOpening),
}

/// A blob element and the KZG proof that the blob with `commitment` has `y` at `z`.
#[derive(Debug, Clone)]
struct BlobOpening {
    commitment: [u8; 48],
    z: [u8; 32],
    y: [u8; 32],
    proof: [u8; 48],
}

impl Twins {
    /// Loads part `offset` of `source`'s preimage into the contract and the preimage into the
    /// Rust store; returns the key the contract computed, which must be the Rust key.
    async fn load(&mut self, source: &Source, offset: u32) -> [u8; 32] {
        let o = U256::from(offset);
        // Each loader's call has its own type: the key by `eth_call`, then the transaction.
        macro_rules! send {
            ($call:expr) => {{
                let call = $call;
                let key = call.call().await.unwrap();
                call.send().await.unwrap().get_receipt().await.unwrap();
                key
            }};
        }
        let (onchain, key) = match source {
            Source::Keccak(p) => (
                send!(self.oracle.loadKeccak256PreimagePart(o, Bytes::copy_from_slice(p))),
                self.store.insert_keccak(p),
            ),
            Source::Sha256(p) => (
                send!(self.oracle.loadSha256PreimagePart(o, Bytes::copy_from_slice(p))),
                self.store.insert_sha256(p),
            ),
            Source::Nomt(p) => {
                let node: [u8; 64] = p.as_slice().try_into().expect("64 bytes");
                (
                    send!(self.oracle.loadNomtNodePreimagePart(o, Bytes::copy_from_slice(p))),
                    self.store.insert_nomt_node(&node),
                )
            }
            Source::Precompile(a, input) => (
                send!(self.oracle.loadPrecompilePreimagePart(o, (*a).into(), Bytes::copy_from_slice(input))),
                self.store.insert_precompile(a, input),
            ),
            Source::Local(ident, word, size) => {
                let onchain = send!(self.oracle.loadLocalData(
                    U256::from(*ident),
                    self.context,
                    B256::from(*word),
                    U256::from(*size),
                    o
                ));
                let raw = PreimageKey::local_index(*ident);
                // The contract stores under the key localized by the loader and the context.
                assert_eq!(
                    onchain,
                    B256::from(raw.localize(&self.from.0.0, &self.context.0).0),
                    "{source:?}"
                );
                let mut id = [0; 31];
                id[23..].copy_from_slice(&ident.to_be_bytes());
                let key = self.store.insert_local(id, &word[..*size]).expect("any local data");
                assert_eq!(key, raw);
                return raw.0;
            }
            Source::Blob(b) => (
                send!(self.oracle.loadBlobPreimagePart(
                    U256::from_be_bytes(b.z),
                    U256::from_be_bytes(b.y),
                    Bytes::copy_from_slice(&b.commitment),
                    Bytes::copy_from_slice(&b.proof),
                    o
                )),
                self.store.insert_blob(&b.commitment, &b.z, &b.y),
            ),
        };
        let key = key.expect("a checked preimage").0;
        assert_eq!(onchain, B256::from(key), "{source:?}: the contract's key");
        key
    }

    /// `readPreimage`: the part and length, or `None` when it reverts with `UnknownPreimagePart`.
    async fn read(&self, key: [u8; 32], offset: u64) -> Option<PreimagePart> {
        match self.oracle.readPreimage(key.into(), U256::from(offset)).call().await {
            Ok(r) => Some(PreimagePart { bytes: r.part.0, len: r.len.to::<u64>() }),
            Err(e) => {
                let err = e.as_decoded_interface_error::<PreimageOracle::PreimageOracleErrors>();
                assert!(
                    matches!(err, Some(PreimageOracle::PreimageOracleErrors::UnknownPreimagePart(_))),
                    "readPreimage reverted otherwise: {e}"
                );
                None
            }
        }
    }
}

const KEYS: u32 = 0x2_0000;
const BUFS: u32 = 0x3_0000;

/// A guest that selects each key in turn (keys at `KEYS + 0x40·i`, the odd ones crossing a leaf)
/// and reads its whole stream to `BUFS + 0x1000·i + 3·(i mod 2)`, so half the reads start
/// unaligned; then exits 0. Returns every step's hash and proof (the last the exited state's).
fn read_guest(keys: &[[u8; 32]], store: &MapOracle) -> Vec<([u8; 32], StepProof)> {
    let mut c = Code::default();
    let mut m = Machine::new(0x1_0000);
    for (i, key) in keys.iter().enumerate() {
        let at = KEYS + 0x40 * i as u32 + 0x10 * (i as u32 % 2);
        m.memory_mut().write(at, key).unwrap();
        c.select_key(at);
        c.read_all(BUFS + 0x1000 * i as u32 + 3 * (i as u32 % 2));
    }
    c.li(A7, 93);
    c.li(A0, 0);
    c.0.push(asm::ECALL);
    m.memory_mut().write(0x1_0000, &asm::words_to_bytes(&c.0)).unwrap();
    let mut sys = OracleSyscalls::new(store.clone());
    let mut steps = Vec::new();
    loop {
        steps.push((m.state_hash(), m.prove_step_with(&mut sys)));
        if m.exit_code().is_some() {
            return steps;
        }
        m.step(&mut sys).expect("the guest does not trap");
        assert!(steps.len() < 20_000, "runaway guest");
    }
}

#[tokio::test]
async fn riscv_step_reads_preimages_through_the_oracle() {
    let mut twins = Twins::deploy().await;
    let mut runner = TestRunner::deterministic();
    let keccak: Vec<u8> = (0..100u8).map(|i| i.wrapping_mul(37).wrapping_add(5)).collect();
    let node: Vec<u8> = (0..64u8).map(|i| i ^ 0xa5).collect();
    let sources = [
        Source::Keccak(keccak.clone()),
        // The same preimage to an unaligned buffer (the guest alternates).
        Source::Keccak(keccak),
        Source::Sha256(b"pillar's sha256 preimage, 45 bytes long......".to_vec()),
        Source::Nomt(node),
        Source::Precompile(ECRECOVER, ecrecover_input()),
        Source::Keccak(Vec::new()),
        // A dispute's local input (the claimed output root's slot, 32 bytes) and a short one.
        Source::Local(2, [0x3c; 32], 32),
        Source::Local(3, short_local(), 8),
        // A blob element, opened with KZG.
        Source::Blob(blob_openings(&[5]).remove(0)),
    ];
    // The Rust store first (the guest's run needs it), then exactly the parts the reads touch
    // into the contract, as a challenger would load them.
    let mut keys = Vec::new();
    for s in &sources {
        let key = match s {
            Source::Keccak(p) => twins.store.insert_keccak(p),
            Source::Sha256(p) => twins.store.insert_sha256(p),
            Source::Nomt(p) => twins.store.insert_nomt_node(p.as_slice().try_into().expect("64")),
            Source::Precompile(a, i) => twins.store.insert_precompile(a, i),
            Source::Local(ident, word, size) => {
                let mut id = [0; 31];
                id[23..].copy_from_slice(&ident.to_be_bytes());
                twins.store.insert_local(id, &word[..*size])
            }
            Source::Blob(b) => twins.store.insert_blob(&b.commitment, &b.z, &b.y),
        };
        keys.push(key.expect("checked").0);
    }
    let steps = read_guest(&keys, &twins.store);
    let mut loaded = std::collections::BTreeSet::new();
    for (_, proof) in &steps {
        if proof.preimage.is_some() {
            let s = State::decode(&proof.pre).unwrap();
            let i = keys.iter().position(|k| *k == s.preimage_key).expect("a guest key");
            let end = twins.store.preimage(&PreimageKey(s.preimage_key)).unwrap().len() as u32 + 8;
            // Past the end the contract answers without a load (and refuses one).
            if s.preimage_offset < end && loaded.insert((s.preimage_key, s.preimage_offset)) {
                assert_eq!(twins.load(&sources[i], s.preimage_offset).await, s.preimage_key);
            }
        }
    }

    let mut reads = 0;
    let mut zero_reads = 0;
    let mut unaligned = 0;
    for (k, (pre, proof)) in steps.iter().enumerate() {
        let next = steps.get(k + 1).map_or(*pre, |(h, _)| *h);
        let post = twins.agree(&format!("guest step {k}"), pre, &proof.encode()).await;
        assert_eq!(post, Ok(B256::from(next)), "guest step {k}");
        let Some(part) = proof.preimage else { continue };
        reads += 1;
        let s = State::decode(&proof.pre).unwrap();
        zero_reads += usize::from(u64::from(s.preimage_offset) >= part.len + 8);
        unaligned += usize::from(!s.regs[11].is_multiple_of(32));

        // Tampered reads: a flipped part byte, a wrong length, no part, a key the oracle lacks,
        // and random spoils; each must fail alike on both sides.
        let mut cases = Vec::new();
        for i in [0usize, 8, 31] {
            let mut p = proof.clone();
            if let Some(part) = &mut p.preimage {
                part.bytes[i] ^= 0x40;
            }
            cases.push(("a flipped part byte", *pre, p));
        }
        let mut p = proof.clone();
        p.preimage = Some(PreimagePart { len: part.len + 1, ..part });
        cases.push(("a wrong length", *pre, p));
        let mut p = proof.clone();
        p.preimage = None;
        cases.push(("no part", *pre, p));
        let mut p = proof.clone();
        p.pre[33] ^= 1; // a key byte: a key nobody loaded
        let claimed = State::decode(&p.pre).unwrap().hash();
        cases.push(("an unknown key", claimed, p));
        for (what, claimed, p) in cases {
            let out = twins.agree(&format!("guest step {k} with {what}"), &claimed, &p.encode()).await;
            assert!(out.is_err(), "guest step {k} with {what} was accepted");
        }
        for _ in 0..2 {
            let t = sample(&mut runner, tamper());
            let (claimed, bytes) = apply(&t, *pre, proof);
            let _ = twins.agree(&format!("guest step {k} with {t:?}"), &claimed, &bytes).await;
        }
    }
    println!(
        "{} guest steps, {reads} preimage reads ({zero_reads} returning 0, {unaligned} unaligned), \
         {} parts loaded; rejections: {:?}",
        steps.len(),
        loaded.len(),
        twins.rejections
    );
    // 108 bytes aligned: 4 reads and the 0; unaligned from …03: 29 + 32 + 32 + 15, then 0; the
    // others in between. Every source ended with a read returning 0.
    assert!(reads >= 20 && unaligned >= 5 && zero_reads == sources.len(), "{reads} {unaligned} {zero_reads}");
    for name in ["PreimagePartMismatch", "MissingPreimagePart", "UnknownPreimage"] {
        assert!(twins.rejections.contains(name), "{name} never seen: {:?}", twins.rejections);
    }

    // Local data is the loader's, in its context: the same read from another caller, or with
    // another context, finds nothing (the Rust store, one dispute's view, would serve it).
    let mut local_reads = 0;
    for (pre, proof) in &steps {
        let Some(_) = proof.preimage else { continue };
        let key = State::decode(&proof.pre).unwrap().preimage_key;
        if PreimageKey(key).key_type() != Some(KeyType::Local) {
            continue;
        }
        local_reads += 1;
        let bytes = proof.encode();
        let unknown = Err(RiscvStepErrors::UnknownPreimage(RiscvStep::UnknownPreimage { key: key.into() }));
        let other_context = B256::from([0xc8; 32]);
        assert_eq!(twins.solidity_as(pre, &bytes, twins.from, other_context).await, unknown);
        let other_caller = Address::from([0xee; 20]);
        assert_eq!(twins.solidity_as(pre, &bytes, other_caller, twins.context).await, unknown);
        assert!(twins.solidity(pre, &bytes).await.is_ok());
    }
    assert!(local_reads >= 4, "{local_reads}");
}

/// Local input 3 (N, 8 bytes big-endian) in a word whose other bytes are not the preimage.
fn short_local() -> [u8; 32] {
    let mut w = [0xee; 32];
    w[..8].copy_from_slice(&300u64.to_be_bytes());
    w
}

/// A random blob's commitment and the openings at element indices `elements` (at
/// `pillar_preimage::blob::point(i)`), computed with c-kzg and alloy's trusted setup.
fn blob_openings(elements: &[usize]) -> Vec<BlobOpening> {
    use alloy::eips::eip4844::c_kzg::Bytes32;
    use alloy::eips::eip4844::env_settings::EnvKzgSettings;
    use alloy::eips::eip4844::{AsCkzg, Blob};
    let elements = elements.to_vec();
    let run = move || {
        let mut blob = Blob::ZERO;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for (i, byte) in blob.iter_mut().enumerate() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Byte 0 of each element zero keeps it below the modulus.
            *byte = if i % 32 == 0 { 0 } else { x as u8 };
        }
        let settings = EnvKzgSettings::Default.get();
        let commitment = settings.blob_to_kzg_commitment(blob.as_ckzg()).expect("a canonical blob");
        elements
            .iter()
            .map(|&i| {
                let z = pillar_preimage::blob::point(i);
                let (proof, y) =
                    settings.compute_kzg_proof(blob.as_ckzg(), &Bytes32::new(z)).expect("a point");
                let y: [u8; 32] = y.as_slice().try_into().unwrap();
                assert_eq!(y, blob[32 * i..32 * (i + 1)], "element {i} is the polynomial at its point");
                BlobOpening {
                    commitment: commitment.to_bytes().into_inner(),
                    z,
                    y,
                    proof: proof.to_bytes().into_inner(),
                }
            })
            .collect()
    };
    // c-kzg needs a large stack (pillar-l1 computes commitments on such threads too).
    std::thread::Builder::new().stack_size(64 << 20).spawn(run).unwrap().join().unwrap()
}

/// `loadBlobPreimagePart` stores what `MapOracle::insert_blob` stores, for openings of a random
/// blob computed with c-kzg; a wrong value, another point's proof and malformed inputs are
/// refused. Also the gas of a blob load and of `loadLocalData` (printed; docs/performance.md).
#[tokio::test]
async fn blob_and_local_loads_agree_with_the_rust_store() {
    use pillar_fpvm::PreimageParts;
    let mut twins = Twins::deploy().await;
    let openings = blob_openings(&[0, 1, 2047, 4095, 4000]);
    // The gas of a first load of a key (three fresh slots), before anything is stored.
    let first = &openings[4];
    let call = twins.oracle.loadBlobPreimagePart(
        U256::from_be_bytes(first.z),
        U256::from_be_bytes(first.y),
        Bytes::copy_from_slice(&first.commitment),
        Bytes::copy_from_slice(&first.proof),
        U256::ZERO,
    );
    let gas = call.from(twins.from).estimate_gas().await.unwrap();
    println!("oracle gas: blob element part load (point evaluation): {gas}");
    assert!(gas < 200_000, "{gas}");
    let openings = &openings[..4];
    for b in openings {
        for o in [0u32, 8, 9, 39] {
            let key = twins.load(&Source::Blob(b.clone()), o).await;
            let ours = twins.store.part(&key, o).expect("stored");
            assert_eq!(ours, PreimagePart::of(&b.y, o));
            assert_eq!(
                twins.read(key, o.into()).await,
                Some(ours),
                "element at {:02x?}, offset {o}",
                &b.z[..4]
            );
        }
    }
    let blob_error = |e: alloy::contract::Error| {
        e.as_decoded_interface_error::<PreimageOracle::PreimageOracleErrors>().expect("a typed error")
    };
    let load = |b: &BlobOpening| {
        twins.oracle.loadBlobPreimagePart(
            U256::from_be_bytes(b.z),
            U256::from_be_bytes(b.y),
            Bytes::copy_from_slice(&b.commitment),
            Bytes::copy_from_slice(&b.proof),
            U256::ZERO,
        )
    };
    let b = &openings[1];
    let mut wrong_y = b.clone();
    wrong_y.y[31] ^= 1;
    let mut other_proof = b.clone();
    other_proof.proof = openings[2].proof;
    for bad in [wrong_y, other_proof] {
        let err = blob_error(load(&bad).call().await.unwrap_err());
        assert!(matches!(err, PreimageOracle::PreimageOracleErrors::BlobProofInvalid(_)), "{err:?}");
    }
    let short = twins.oracle.loadBlobPreimagePart(
        U256::ZERO,
        U256::ZERO,
        Bytes::copy_from_slice(&b.commitment[..47]),
        Bytes::copy_from_slice(&b.proof),
        U256::ZERO,
    );
    let err = blob_error(short.call().await.unwrap_err());
    assert!(matches!(err, PreimageOracle::PreimageOracleErrors::BlobInputLength(_)), "{err:?}");

    // Local data: every size's parts equal the Rust store's for the raw key.
    for size in [0usize, 1, 8, 31, 32] {
        let word = [size as u8 + 0x80; 32];
        let ident = 100 + size as u64;
        for o in 0..size as u32 + 8 {
            let raw = twins.load(&Source::Local(ident, word, size), o).await;
            let localized = PreimageKey(raw).localize(&twins.from.0.0, &twins.context.0).0;
            assert_eq!(
                twins.read(localized, o.into()).await,
                twins.store.part(&raw, o),
                "size {size} at {o}"
            );
        }
    }

    let local = twins.oracle.loadLocalData(
        U256::from(9),
        twins.context,
        B256::from([1; 32]),
        U256::from(32),
        U256::ZERO,
    );
    let gas = local.from(twins.from).estimate_gas().await.unwrap();
    println!("oracle gas: loadLocalData, 32 bytes: {gas}");
    assert!(gas < 150_000, "{gas}");
}

/// `readPreimage` against `PreimagePart::of` on random preimages and offsets (every loader), and
/// the precompile loader's result against `precompile::call` on random ecrecover inputs.
#[tokio::test]
async fn preimage_oracle_agrees_with_the_rust_parts() {
    let mut twins = Twins::deploy().await;
    let mut runner = TestRunner::deterministic();
    let mut checked = 0;
    for n in 0..24 {
        let pre = sample(&mut runner, proptest::collection::vec(any::<u8>(), 0..160));
        let source = match n % 4 {
            0 | 1 => Source::Keccak(pre.clone()),
            2 => Source::Sha256(pre.clone()),
            _ => Source::Nomt(sample(&mut runner, proptest::collection::vec(any::<u8>(), 64))),
        };
        let pre = match &source {
            Source::Nomt(p) => p.clone(),
            _ => pre,
        };
        let end = pre.len() as u32 + 8;
        let offsets: Vec<u32> = (0..3).map(|_| sample(&mut runner, 0..end)).chain([end - 1]).collect();
        let mut key = [0; 32];
        for &o in &offsets {
            key = twins.load(&source, o).await;
        }
        for &o in &offsets {
            assert_eq!(twins.read(key, o.into()).await, Some(PreimagePart::of(&pre, o)), "{source:?} at {o}");
            checked += 1;
        }
        // At and past the end: zero, with the length, without a load.
        for o in [end, end + 1, end + 40, u32::MAX] {
            assert_eq!(twins.read(key, o.into()).await, Some(PreimagePart::of(&pre, o)), "{source:?} at {o}");
            checked += 1;
        }
        // An offset not loaded, and a key never loaded, revert.
        let missing = (0..end).find(|o| !offsets.contains(o));
        if let Some(o) = missing {
            assert_eq!(twins.read(key, o.into()).await, None);
        }
        let mut other = key;
        other[31] ^= 1;
        assert_eq!(twins.read(other, 0).await, None);
    }

    // ecrecover: valid signatures (v 27 and 28), the same with high s, bad v, zero and
    // out-of-range r and s, short inputs; P256VERIFY's published vector.
    const N: [u8; 32] = pillar_preimage::precompile::SECP256K1_N;
    let mut inputs = Vec::new();
    for _ in 0..6 {
        let sk = sample(&mut runner, any::<[u8; 32]>());
        let hash = sample(&mut runner, any::<[u8; 32]>());
        let Ok(signer) = PrivateKeySigner::from_slice(&sk) else { continue };
        use alloy::signers::SignerSync;
        let sig = signer.sign_hash_sync(&B256::from(hash)).unwrap();
        let (r, s) = (sig.r().to_be_bytes::<32>(), sig.s().to_be_bytes::<32>());
        let v = 27 + u8::from(sig.v());
        let input = |v: [u8; 32], r: [u8; 32], s: [u8; 32]| {
            [hash.to_vec(), v.to_vec(), r.to_vec(), s.to_vec()].concat()
        };
        let word = |b: u8| {
            let mut w = [0; 32];
            w[31] = b;
            w
        };
        let high_s = (U256::from_be_bytes(N) - U256::from_be_bytes(s)).to_be_bytes::<32>();
        inputs.push(input(word(v), r, s));
        inputs.push(input(word(55 - v), r, high_s));
        inputs.push(input(word(v + 2), r, s));
        let mut v_high = word(v);
        v_high[0] = 1;
        inputs.push(input(v_high, r, s));
        inputs.push(input(word(v), [0; 32], s));
        inputs.push(input(word(v), r, [0; 32]));
        inputs.push(input(word(v), N, s));
        // Cut to 100 bytes: s keeps its first 4 bytes, padded with zeros (often still recoverable).
        inputs.push(input(word(v), r, s)[..100].to_vec());
    }
    let mut recovered = 0;
    let mut empty = 0;
    let p256 = hex(
        "4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e",
    );
    let mut calls: Vec<([u8; 20], Vec<u8>)> = inputs.into_iter().map(|i| (ECRECOVER, i)).collect();
    calls.push((P256VERIFY, p256.clone()));
    let mut bad = p256;
    bad[0] ^= 0x70;
    calls.push((P256VERIFY, bad));
    for (address, input) in calls {
        let result = pillar_preimage::precompile::call(&address, &input).unwrap();
        if result.len() == 33 {
            recovered += 1
        } else {
            empty += 1
        }
        let source = Source::Precompile(address, input);
        let end = result.len() as u32 + 8;
        let mut offsets: Vec<u32> = [0, 8, 9, end - 1].into_iter().filter(|o| *o < end).collect();
        offsets.dedup();
        let mut key = [0; 32];
        for &o in &offsets {
            key = twins.load(&source, o).await;
        }
        assert_eq!(PreimageKey(key).key_type(), Some(KeyType::Precompile));
        for o in offsets.into_iter().chain([end]) {
            assert_eq!(
                twins.read(key, o.into()).await,
                Some(PreimagePart::of(&result, o)),
                "{source:?} at {o}"
            );
            checked += 1;
        }
    }
    println!("{checked} parts compared; precompile results: {recovered} of 33 bytes, {empty} empty");
    assert!(recovered >= 12 && empty >= 24, "{recovered} {empty}");
}

/// The oracle's gas (printed; docs/performance.md quotes them): a keccak part load of a 100-byte
/// preimage, ecrecover and P256VERIFY loads, and a read step.
/// `cargo test -p pillar-l1 --test it oracle_gas -- --nocapture`.
#[tokio::test]
async fn oracle_gas() {
    let mut twins = Twins::deploy().await;
    let pre: Vec<u8> = (0..100u8).collect();
    let keccak = twins.oracle.loadKeccak256PreimagePart(U256::ZERO, Bytes::copy_from_slice(&pre));
    let gas = keccak.estimate_gas().await.unwrap();
    println!("oracle gas: keccak part load, 100-byte preimage: {gas}");
    assert!(gas < 150_000, "{gas}");
    let ec = twins.oracle.loadPrecompilePreimagePart(U256::ZERO, ECRECOVER.into(), ecrecover_input().into());
    let gas = ec.estimate_gas().await.unwrap();
    println!("oracle gas: ecrecover result part load: {gas}");
    assert!(gas < 150_000, "{gas}");

    let key = twins.store.insert_keccak(&pre).unwrap().0;
    let steps = read_guest(&[key], &twins.store);
    let (hash, proof) = steps.iter().find(|(_, p)| p.preimage.is_some()).expect("a read").clone();
    twins.load(&Source::Keccak(pre), 0).await;
    let bytes = proof.encode();
    assert!(twins.solidity(&hash, &bytes).await.is_ok());
    let gas = twins.gas(&hash, &bytes).await;
    let data =
        twins.step.step(B256::from(hash), Bytes::copy_from_slice(&bytes), twins.context).calldata().clone();
    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    let floor = 21_000 + 10 * (zeros + 4 * (data.len() as u64 - zeros));
    println!(
        "oracle gas: step of a 32-byte preimage read: {gas} (proof {} bytes, calldata floor {floor})",
        bytes.len()
    );
    assert!(gas < 300_000, "{gas}");
}
