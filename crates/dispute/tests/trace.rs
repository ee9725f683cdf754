//! A block trace over a guest that reads one key of every type the program reads (a local input,
//! keccak, sha256, a NOMT node, a precompile answered from its hint, a blob element): the trace's
//! states are the machine's, every step's proof verifies to the next state, and every read
//! step's load is the right loader's, at the right part, with data that gives the key.

use alloy::eips::eip4844::{
    AsCkzg, Blob,
    c_kzg::{Bytes32, Bytes48},
    env_settings::EnvKzgSettings,
};
use pillar_dispute::trace::{BlockTrace, PreimageLoad, TraceError};
use pillar_fp_program::{HINT_PRECOMPILE, HostOracle};
use pillar_fpvm::testkit::{Code, ecrecover_input};
use pillar_fpvm::{LoadOp, State, StepProof, asm, verify_step_with};
use pillar_preimage::{
    KeyType, MapOracle, PreimageKey, blob::BYTES_PER_BLOB, precompile_address::ECRECOVER, sha256,
};

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
const HINT: u32 = 0x2_0400;
const BUFS: u32 = 0x3_0000;

const A0: u8 = 10;
const A7: u8 = 17;

/// Runs `f` on a thread with the stack c-kzg needs.
fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(64 << 20).spawn(f).expect("spawn").join().expect("no panic")
}

/// A random blob (byte 0 of each element zero, so below the modulus) and its commitment.
fn blob() -> (Vec<u8>, [u8; 48]) {
    let mut bytes = vec![0u8; BYTES_PER_BLOB];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for (i, b) in bytes.iter_mut().enumerate() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = if i % 32 == 0 { 0 } else { x as u8 };
    }
    let b = bytes.clone();
    let commitment = big_stack(move || {
        let blob = Blob::from_slice(&b);
        EnvKzgSettings::Default
            .get()
            .blob_to_kzg_commitment(blob.as_ckzg())
            .expect("commits")
            .to_bytes()
            .into_inner()
    });
    (bytes, commitment)
}

/// The guest and its oracle: it hints the ecrecover call, then selects and reads, in order, the
/// local input 3, a keccak preimage, a sha256 preimage, a NOMT node, the ecrecover answer and
/// blob element 3, each to its own buffer, and exits with the keccak preimage's first byte.
struct Guest {
    elf: Vec<u8>,
    oracle: HostOracle,
    keys: Vec<PreimageKey>,
    exit: u32,
}

fn guest() -> Guest {
    let mut map = MapOracle::new();
    let keccak: Vec<u8> = (0..100u8).map(|i| i.wrapping_mul(37).wrapping_add(5)).collect();
    let sha: Vec<u8> = (0..45u8).collect();
    let node = [0x5a; 64];
    let (blob, commitment) = blob();
    let local =
        map.insert_local(PreimageKey::local_index(3).0[1..].try_into().expect("31"), &7u64.to_be_bytes());
    let local = local.expect("local");
    let keys = vec![
        local,
        map.insert_keccak(&keccak).expect("keccak"),
        map.insert_sha256(&sha).expect("sha256"),
        map.insert_nomt_node(&node).expect("node"),
        // Not inserted: the host answers the guest's hint, as it does for the program.
        PreimageKey::precompile(&ECRECOVER, &ecrecover_input()),
        {
            map.insert_blob_elements(&commitment, &blob).expect("blob");
            PreimageKey::blob(&commitment, &pillar_preimage::blob::point(3))
        },
    ];
    let mut hint = Vec::new();
    hint.extend_from_slice(HINT_PRECOMPILE);
    hint.extend_from_slice(&ECRECOVER);
    hint.extend_from_slice(&ecrecover_input());
    let mut framed = (hint.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&hint);

    let mut c = Code::default();
    c.ecall(64, 4, Some(HINT), Some(framed.len() as u32));
    c.ecall(63, 3, Some(HINT + 0x200), Some(1));
    for i in 0..keys.len() as u32 {
        c.select_key(DATA + 32 * i);
        c.read_all(BUFS + 0x1000 * i);
    }
    c.li(5, BUFS + 0x1000 + 8);
    c.0.push(asm::load(LoadOp::Lbu, A0, 5, 0));
    c.li(A7, 93);
    c.0.push(asm::ECALL);

    let mut data: Vec<u8> = keys.iter().flat_map(|k| k.0).collect();
    data.resize((HINT - DATA) as usize, 0);
    data.extend_from_slice(&framed);
    let code = asm::words_to_bytes(&c.0);
    let elf = asm::elf(CODE, &[(CODE, &code), (DATA, &data)]);
    Guest { elf, oracle: HostOracle::new(map), keys, exit: u32::from(keccak[0]) }
}

#[test]
fn every_step_verifies_and_every_read_has_its_load() {
    let g = guest();
    let mut t = BlockTrace::record(&g.elf, g.oracle, 7, 1 << 20).expect("exits");
    assert_eq!(t.exit_code(), g.exit);
    let steps = t.steps();
    assert!(steps > 100, "{steps} steps");
    assert_eq!(t.state_after(0).expect("state"), t.prestate());
    let exited = t.state_after(steps).expect("state");
    for k in [1, 2, 1000] {
        assert_eq!(t.state_after(steps + k).expect("state"), exited, "past the exit");
    }
    // Out of order, across snapshots: seeking back gives the same states.
    let mid = t.state_after(steps / 2).expect("state");
    assert_eq!(t.state_after(3).expect("state"), t.state_after(3).expect("state"));
    assert_eq!(t.state_after(steps / 2).expect("state"), mid);

    let mut store = t.oracle().map().clone();
    // The precompile's answer came from the hint, with its call recorded for the loader.
    assert!(store.precompile_call(&g.keys[4]).is_some());
    let mut reads = Vec::new();
    for n in 0..=steps {
        let step = t.step_from(n).expect("step");
        assert_eq!(step.pre_state_hash, t.state_after(n).expect("state"), "step {n}");
        let proof = StepProof::decode(&step.proof).expect("decodes");
        let post = verify_step_with(&step.pre_state_hash.0, &proof, &mut store).expect("verifies");
        assert_eq!(post, t.state_after(n + 1).expect("state").0, "step {n}'s post-state");
        assert_eq!(step.load.is_some(), proof.preimage.is_some(), "a load exactly for a read, step {n}");
        if let Some(load) = step.load {
            let pre = State::decode(&proof.pre).expect("state");
            let part = proof.preimage.expect("a read's part");
            let end = 8 + part.len;
            let want = if u64::from(pre.preimage_offset) < end { pre.preimage_offset } else { 0 };
            assert_eq!(load.part_offset(), want, "step {n}");
            assert_eq!(reproduced_key(&load), PreimageKey(pre.preimage_key), "step {n}");
            reads.push((pre.preimage_key[0], pre.preimage_offset, end));
        }
    }
    assert_eq!(t.step_from(steps + 5).expect("step").load, None, "the exited state reads nothing");
    // Every key type was read, each through to its end (the read returning 0, loaded at part 0).
    for key in &g.keys {
        let of_key: Vec<_> = reads.iter().filter(|r| r.0 == key.0[0]).collect();
        assert!(!of_key.is_empty(), "{:?} read", key.key_type());
        assert!(of_key.iter().any(|r| u64::from(r.1) == r.2), "{:?} read to its end", key.key_type());
    }
}

/// The key a load's data gives, as the L1 loader derives it; for a blob, after checking the KZG
/// opening as the point-evaluation precompile does.
fn reproduced_key(load: &PreimageLoad) -> PreimageKey {
    match load {
        PreimageLoad::Local { ident, .. } => PreimageKey::local_index(*ident),
        PreimageLoad::Keccak { preimage, .. } => PreimageKey::keccak(preimage),
        PreimageLoad::Sha256 { preimage, .. } => PreimageKey::sha256(preimage),
        PreimageLoad::NomtNode { preimage, .. } => PreimageKey::nomt_node(&sha256(preimage)),
        PreimageLoad::Precompile { address, input, .. } => PreimageKey::precompile(&address.0.0, input),
        PreimageLoad::Blob { z, y, commitment, proof, .. } => {
            let (z, y, c, p) = (z.0, y.0, commitment.clone(), proof.clone());
            let ok = big_stack(move || {
                EnvKzgSettings::Default.get().verify_kzg_proof(
                    &Bytes48::from_bytes(&c).expect("48"),
                    &Bytes32::new(z),
                    &Bytes32::new(y),
                    &Bytes48::from_bytes(&p).expect("48"),
                )
            });
            assert!(ok.expect("well-formed"), "the KZG opening verifies");
            PreimageKey::blob(&commitment[..].try_into().expect("48"), &z)
        }
    }
}

/// A read of a key the oracle lacks stops the machine: no trace to dispute. An oracle from a file
/// (`MapOracle::from_bytes`, preimages only) runs the guest, but cannot give a blob read's load:
/// the KZG proof needs the blob.
#[test]
fn a_missing_preimage_or_blob_is_an_error() {
    let g = guest();
    let err = BlockTrace::record(&g.elf, HostOracle::new(MapOracle::new()), 7, 1 << 20).expect_err("stops");
    assert!(matches!(err, TraceError::Vm { .. }), "{err}");
    let err = BlockTrace::record(&g.elf, g.oracle.clone(), 7, 10).expect_err("too few steps");
    assert!(matches!(err, TraceError::StepLimit { max_steps: 10 }), "{err}");

    let file = MapOracle::from_bytes(&g.oracle.map().to_bytes()).expect("round trip");
    let mut t = BlockTrace::record(&g.elf, HostOracle::new(file), 64, 1 << 20).expect("exits");
    assert_eq!(t.exit_code(), g.exit);
    let mut blob_errors = 0;
    for n in 0..t.steps() {
        match t.step_from(n) {
            // The precompile's load is there: the guest's hint answered it again, recording the
            // call.
            Ok(_) => {}
            Err(TraceError::UnknownBlob { key }) => {
                assert_eq!(key.0, g.keys[5].0);
                assert_eq!(KeyType::from_byte(key[0]), Some(KeyType::Blob));
                blob_errors += 1;
            }
            Err(e) => panic!("step {n}: {e}"),
        }
    }
    assert!(blob_errors > 0);
}

/// The trace's steps on L1: each read step's load goes through the real `PreimageOracle`'s
/// loader, and `RiscvStep.step(pre, proof, context)` from the loader's account (local data is
/// localized by the step's caller, so the loader plays the game) gives `state_after(n + 1)` for
/// every step, the reads included.
#[tokio::test(flavor = "multi_thread")]
async fn every_step_and_load_passes_the_l1_contracts() {
    use alloy::{
        network::EthereumWallet,
        primitives::{B256, Bytes, U256},
        providers::{Provider, ProviderBuilder},
        signers::local::PrivateKeySigner,
    };
    use pillar_l1::{
        anvil::{Anvil, AnvilOptions},
        bindings::{PreimageOracle, RiscvStep},
    };

    // Osaka, for P256VERIFY (the contracts are compiled for it, contracts/foundry.toml).
    let options =
        AnvilOptions { extra_args: vec!["--hardfork".into(), "osaka".into()], ..Default::default() };
    let anvil = Anvil::spawn_with(options).await.expect("anvil");
    let signer: PrivateKeySigner = anvil.dev_key(0).parse().expect("key");
    let from = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(anvil.endpoint().parse().expect("url"))
        .erased();
    let oracle = PreimageOracle::deploy(provider.clone()).await.expect("oracle");
    let step = RiscvStep::deploy(provider, *oracle.address()).await.expect("step");
    let context = B256::from([0xc7; 32]);

    let g = guest();
    let mut t =
        tokio::task::block_in_place(|| BlockTrace::record(&g.elf, g.oracle, 16, 1 << 20)).expect("exits");
    let mut loads = 0;
    for n in 0..=t.steps() {
        let data = tokio::task::block_in_place(|| t.step_from(n)).expect("step");
        macro_rules! send {
            ($call:expr) => {{
                $call.send().await.expect("sent").get_receipt().await.expect("mined");
            }};
        }
        if let Some(load) = &data.load {
            loads += 1;
            let o = U256::from(load.part_offset());
            match load {
                PreimageLoad::Local { ident, .. } => {
                    let value =
                        t.oracle().map().preimage(&PreimageKey::local_index(*ident)).expect("input").to_vec();
                    let mut word = [0u8; 32];
                    word[..value.len()].copy_from_slice(&value);
                    send!(oracle.loadLocalData(
                        U256::from(*ident),
                        context,
                        B256::from(word),
                        U256::from(value.len()),
                        o
                    ));
                }
                PreimageLoad::Keccak { preimage, .. } => {
                    send!(oracle.loadKeccak256PreimagePart(o, Bytes::copy_from_slice(preimage)))
                }
                PreimageLoad::Sha256 { preimage, .. } => {
                    send!(oracle.loadSha256PreimagePart(o, Bytes::copy_from_slice(preimage)))
                }
                PreimageLoad::NomtNode { preimage, .. } => {
                    send!(oracle.loadNomtNodePreimagePart(o, Bytes::copy_from_slice(preimage)))
                }
                PreimageLoad::Precompile { address, input, .. } => {
                    send!(oracle.loadPrecompilePreimagePart(o, *address, Bytes::copy_from_slice(input)))
                }
                PreimageLoad::Blob { z, y, commitment, proof, .. } => send!(oracle.loadBlobPreimagePart(
                    U256::from_be_bytes(z.0),
                    U256::from_be_bytes(y.0),
                    Bytes::copy_from_slice(commitment),
                    Bytes::copy_from_slice(proof),
                    o
                )),
            }
        }
        let post = step
            .step(data.pre_state_hash, Bytes::copy_from_slice(&data.proof), context)
            .from(from)
            .call()
            .await
            .unwrap_or_else(|e| panic!("step {n}: {e}"));
        let want = tokio::task::block_in_place(|| t.state_after(n + 1)).expect("state");
        assert_eq!(post, want, "step {n}");
    }
    assert!(loads >= 12, "{loads} loads");
}

/// The trace of the real program over a twins case's oracle (`PILLAR_FP_ELF`: the guest, as
/// `scripts/rv32im/prestate.sh` builds it; `PILLAR_FP_CASE`: a `MapOracle::to_bytes` dump,
/// as the twins test writes with `PILLAR_FP_DUMP`; `PILLAR_FP_EXIT`: its exit code, 0 unless
/// given): the exit code, the prestate, the exited state, and every read step (the program
/// reads through its whole oracle) and 300 other steps verify to the next state with their
/// loads' data giving the key. A dump keeps no blobs, so a blob read's load is `UnknownBlob`.
#[test]
#[ignore = "needs PILLAR_FP_ELF and PILLAR_FP_CASE"]
fn the_real_programs_trace_over_a_twins_case() {
    let elf = std::fs::read(std::env::var("PILLAR_FP_ELF").expect("PILLAR_FP_ELF")).expect("the guest");
    let case = std::fs::read(std::env::var("PILLAR_FP_CASE").expect("PILLAR_FP_CASE")).expect("the case");
    let exit: u32 = std::env::var("PILLAR_FP_EXIT").map_or(0, |v| v.parse().expect("a code"));
    let oracle = HostOracle::new(MapOracle::from_bytes(&case).expect("a dump"));
    let mut t = BlockTrace::record(&elf, oracle, 1 << 14, 1 << 34).expect("exits");
    assert_eq!(t.exit_code(), exit);
    let steps = t.steps();
    let mut machine = pillar_fpvm::load_elf(&elf).expect("loads");
    assert_eq!(t.prestate().0, machine.state_hash(), "the absolute prestate is the loaded guest's");
    assert_eq!(t.state_after(steps + 3).expect("state"), t.state_after(steps).expect("state"));
    // The read steps, found by running the guest alongside: an `ecall` with a7 = read, a0 = 5.
    let mut sys = pillar_fpvm::OracleSyscalls::new(t.oracle().clone());
    let mut read_steps: Vec<(u64, u8)> = Vec::new();
    while machine.exit_code().is_none() {
        let pc = machine.pc();
        if machine.memory().load_u32(pc) == asm::ECALL
            && machine.reg(pillar_fpvm::reg::A7) == pillar_fpvm::SYS_READ
            && machine.reg(pillar_fpvm::reg::A0) == 5
        {
            read_steps.push((machine.steps(), machine.preimage().key[0]));
        }
        machine.step(&mut sys).expect("steps as recorded");
    }
    assert_eq!(machine.steps(), steps);
    // At most about 1,000 reads, keeping the first read of each key type, and 300 other steps.
    let stride = (read_steps.len() / 1000).max(1);
    let mut seen = std::collections::BTreeSet::new();
    let mut chosen: Vec<u64> = read_steps
        .iter()
        .enumerate()
        .filter(|(i, (_, ty))| seen.insert(*ty) || i % stride == 0)
        .map(|(_, (n, _))| *n)
        .collect();
    chosen.extend((0..300).map(|i| i * steps / 300));
    chosen.sort_unstable();
    chosen.dedup();
    let mut store = t.oracle().map().clone();
    let (mut reads, mut blob_reads) = (0, 0);
    for &n in &chosen {
        let data = match t.step_from(n) {
            Ok(d) => d,
            Err(TraceError::UnknownBlob { .. }) => {
                blob_reads += 1;
                continue;
            }
            Err(e) => panic!("step {n}: {e}"),
        };
        let proof = StepProof::decode(&data.proof).expect("decodes");
        let post = verify_step_with(&data.pre_state_hash.0, &proof, &mut store).expect("verifies");
        assert_eq!(post, t.state_after(n + 1).expect("state").0, "step {n}");
        if let Some(load) = data.load {
            let state = State::decode(&proof.pre).expect("state");
            assert_eq!(reproduced_key(&load), PreimageKey(state.preimage_key), "step {n}");
            reads += 1;
        }
    }
    let checked = chosen.len();
    let types: Vec<u8> = seen.into_iter().collect();
    eprintln!(
        "{steps} steps, {} reads of key types {types:?}; {checked} steps checked, {reads} reads with loads, {blob_reads} blob reads without",
        read_steps.len()
    );
    assert!(reads > 0);
}
