//! The preimage oracle's syscalls: guests written with `asm` select keys, read preimages and
//! send hints through the fd ABI; every step, the oracle's included, verifies to the machine's
//! next state against the oracle's store, and tampered preimage parts are rejected.

use pillar_fpvm::testkit::{Code, ecrecover_input};
use pillar_fpvm::{
    AluOp, LoadOp, Machine, OracleSyscalls, PreimagePart, StepError, StepProof, asm, verify_step,
    verify_step_with,
};
use pillar_preimage::{MapOracle, PreimageKey, precompile::ECRECOVER};
use proptest::prelude::*;

const CODE: u32 = 0x1_0000;
const KEY1: u32 = 0x2_0000; // aligned: one write selects it
const KEY2: u32 = 0x2_0030; // crosses a leaf: two writes
const HINT: u32 = 0x2_0080;
const BUF1: u32 = 0x3_0000; // aligned reads
const BUF2: u32 = 0x3_1003; // unaligned first read

const A0: u8 = 10;

const HINT_BYTES: &[u8] = b"l1-block-header 0x1234";

/// A guest program with its data, the oracle it needs and the exit code it must reach.
struct Guest {
    code: Vec<u32>,
    data: Vec<(u32, Vec<u8>)>,
    oracle: MapOracle,
    exit: u32,
}

/// The guest: hints, reads a keccak preimage and an ecrecover result, and exits with the first
/// preimage byte XOR the recovered address's last byte.
fn guest() -> Guest {
    let preimage: Vec<u8> = (0..100u8).map(|i| i.wrapping_mul(37).wrapping_add(5)).collect();
    let mut oracle = MapOracle::new();
    let k1 = oracle.insert_keccak(&preimage).expect("checked");
    let k2 = oracle.insert_precompile(&ECRECOVER, &ecrecover_input()).expect("supported");
    let mut hint = (HINT_BYTES.len() as u32).to_be_bytes().to_vec();
    hint.extend_from_slice(HINT_BYTES);

    let mut c = Code::default();
    c.ecall(64, 4, Some(HINT), Some(hint.len() as u32));
    c.ecall(63, 3, Some(0x2_0100), Some(1));
    c.select_key(KEY1);
    c.read_all(BUF1);
    c.select_key(KEY2);
    c.read_all(BUF2);
    c.li(5, BUF1 + 8);
    c.0.push(asm::load(LoadOp::Lbu, 6, 5, 0));
    c.li(5, BUF2 + 8 + 32); // status byte, then the address word's last byte
    c.0.push(asm::load(LoadOp::Lbu, 7, 5, 0));
    c.0.push(asm::alu(AluOp::Xor, A0, 6, 7));
    c.ecall(93, 0, None, None); // a0 is overwritten by li(A0, 0): redo below
    // ecall() loads a0; for exit the code must stay, so patch: drop the `li a0` pair.
    let n = c.0.len();
    c.0.drain(n - 3..n - 1);
    let data = vec![(KEY1, k1.0.to_vec()), (KEY2, k2.0.to_vec()), (HINT, hint)];
    Guest { code: c.0, data, oracle, exit: u32::from(preimage[0] ^ 0x0b) }
}

fn machine(code: &[u32], data: &[(u32, Vec<u8>)]) -> Machine {
    let mut m = Machine::new(CODE);
    m.memory_mut().write(CODE, &asm::words_to_bytes(code)).expect("no limit");
    for (addr, bytes) in data {
        m.memory_mut().write(*addr, bytes).expect("no limit");
    }
    m
}

/// Runs to the exit: the hashes before each step and after the last, each step's proof (with
/// its preimage part from the running oracle), and the syscalls.
fn trace(m: &mut Machine, oracle: MapOracle) -> (Vec<[u8; 32]>, Vec<StepProof>, OracleSyscalls<MapOracle>) {
    let mut sys = OracleSyscalls::new(oracle);
    let mut hashes = vec![m.state_hash()];
    let mut proofs = Vec::new();
    while m.exit_code().is_none() {
        proofs.push(m.prove_step_with(&mut sys));
        m.step(&mut sys).expect("no trap");
        hashes.push(m.state_hash());
        assert!(proofs.len() < 100_000, "runaway guest");
    }
    (hashes, proofs, sys)
}

#[test]
fn a_guest_reads_preimages_and_every_step_verifies() {
    let Guest { code, data, oracle, exit: expected } = guest();
    let mut m = machine(&code, &data);
    let (hashes, proofs, sys) = trace(&mut m, oracle.clone());
    assert_eq!(m.exit_code(), Some(expected));
    assert_eq!(sys.oracle.hints, vec![HINT_BYTES.to_vec()]);
    // The machine holds the last key selected and has read its whole stream.
    let k2 = PreimageKey::precompile(&ECRECOVER, &ecrecover_input());
    assert_eq!(m.preimage().key, k2.0);
    assert_eq!(m.preimage().offset, 8 + 33);
    let buf1 = m.memory().read(BUF1, 108);
    assert_eq!(&buf1[..8], &100u64.to_be_bytes());
    assert_eq!(m.memory().read(BUF2 + 8, 33), oracle.preimage(&k2).expect("stored"));

    let mut store = oracle;
    let mut reads = 0;
    for (k, proof) in proofs.iter().enumerate() {
        assert_eq!(verify_step_with(&hashes[k], proof, &mut store), Ok(hashes[k + 1]), "step {k}");
        assert_eq!(StepProof::decode(&proof.encode()).as_ref(), Ok(proof));
        reads += usize::from(proof.preimage.is_some());
    }
    // 108 bytes to an aligned buffer: 4 reads and the one that returns 0; 41 bytes from
    // 0x…03: 29 + 12, then 0.
    assert_eq!(reads, 5 + 3);
    // An exited machine steps to itself.
    let last = *hashes.last().expect("hashes");
    assert_eq!(verify_step_with(&last, &m.prove_step_with(&mut store), &mut store), Ok(last));
}

#[test]
fn tampered_preimage_parts_are_rejected() {
    let Guest { code, data, oracle, .. } = guest();
    let mut m = machine(&code, &data);
    let (hashes, proofs, _) = trace(&mut m, oracle.clone());
    let mut store = oracle;
    let mut checked = 0;
    for (k, proof) in proofs.iter().enumerate() {
        let Some(part) = proof.preimage else {
            // A part on a step that reads none.
            let mut p = proof.clone();
            p.preimage = Some(PreimagePart { bytes: [0; 32], len: 0 });
            assert_eq!(verify_step_with(&hashes[k], &p, &mut store), Err(StepError::UnexpectedPreimagePart));
            continue;
        };
        for i in [0, 7, 8, 31] {
            let mut p = proof.clone();
            p.preimage = Some(PreimagePart {
                bytes: {
                    let mut b = part.bytes;
                    b[i] ^= 1;
                    b
                },
                ..part
            });
            assert!(
                matches!(
                    verify_step_with(&hashes[k], &p, &mut store),
                    Err(StepError::PreimagePartMismatch { .. })
                ),
                "step {k} byte {i}"
            );
        }
        for len in [part.len + 1, part.len.wrapping_sub(1), u64::MAX] {
            let mut p = proof.clone();
            p.preimage = Some(PreimagePart { len, ..part });
            assert!(verify_step_with(&hashes[k], &p, &mut store).is_err(), "step {k} len {len}");
        }
        let mut p = proof.clone();
        p.preimage = None;
        assert_eq!(verify_step_with(&hashes[k], &p, &mut store), Err(StepError::MissingPreimagePart));
        // Without the oracle's store a read cannot be verified.
        assert!(matches!(verify_step(&hashes[k], proof), Err(StepError::UnknownPreimage { .. })));
        // A store that holds another preimage under the key (a forged store) disagrees.
        let mut forged = MapOracle::new();
        forged.insert_local([0; 31], b"x").expect("local");
        assert!(verify_step_with(&hashes[k], proof, &mut forged).is_err());
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn edge_cases_of_the_oracle_calls_verify() {
    // An empty preimage, a zero-length read and key write, reads past the end, bad fds, a short
    // key (3 bytes shifted in), and a read of a key the oracle lacks is a host error.
    let mut oracle = MapOracle::new();
    let empty = oracle.insert_keccak(b"").expect("checked");
    let mut c = Code::default();
    c.select_key(KEY1);
    c.ecall(63, 5, Some(BUF1), Some(0)); // reads nothing, returns 0
    c.ecall(63, 5, Some(BUF1 + 30), Some(100)); // 2 bytes: to the leaf's end
    c.ecall(63, 5, Some(BUF1 + 32), Some(100)); // 6 more: the prefix's end
    c.ecall(63, 5, Some(BUF1 + 64), Some(100)); // end of stream: 0
    c.ecall(64, 6, Some(KEY1), Some(0)); // selects nothing new, rewinds the offset
    c.ecall(63, 5, Some(BUF1 + 96), Some(8)); // the prefix again
    c.ecall(64, 7, Some(KEY1), Some(4)); // bad fd
    c.ecall(63, 0, Some(BUF1), Some(4)); // bad fd
    c.ecall(63, 3, Some(BUF1), Some(9)); // hint ack: returns 9, writes nothing
    c.ecall(64, 4, Some(HINT), Some(2)); // half a hint prefix: buffered by the host
    c.ecall(93, 0, None, None);
    let data = vec![(KEY1, empty.0.to_vec()), (HINT, vec![0; 8])];
    let mut m = machine(&c.0, &data);
    let (hashes, proofs, sys) = trace(&mut m, oracle.clone());
    assert_eq!(m.reg(A0), 0);
    assert!(sys.oracle.hints.is_empty());
    assert_eq!(m.memory().read(BUF1 + 30, 8), vec![0; 8]); // the length prefix of 0
    assert_eq!(m.preimage().offset, 8);
    let mut store = oracle.clone();
    for (k, proof) in proofs.iter().enumerate() {
        assert_eq!(verify_step_with(&hashes[k], proof, &mut store), Ok(hashes[k + 1]), "step {k}");
    }

    // A key the oracle does not have: the host stops (the rule would go on, but no one can
    // prove the read), and the machine is left before the ecall.
    let mut c = Code::default();
    c.ecall(64, 6, Some(KEY1), Some(3));
    c.ecall(63, 5, Some(BUF1), Some(4));
    let mut m = machine(&c.0, &[(KEY1, vec![1, 2, 3])]);
    let mut sys = OracleSyscalls::new(oracle);
    let err = m.run(&mut sys, 100).expect_err("no such preimage");
    assert!(matches!(err, pillar_fpvm::VmError::Syscall { .. }), "{err}");
    let mut key = [0; 32];
    key[29..].copy_from_slice(&[1, 2, 3]);
    assert_eq!(m.preimage().key, key);
    assert_eq!(m.preimage().offset, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A real oracle-run proof with a few bytes overwritten or cut never panics the decoder or the
    /// verifier, and a change to the preimage part of a read never verifies.
    #[test]
    fn edited_oracle_proofs_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        part_byte in 0usize..40,
        bit in 0u8..8,
    ) {
        let Guest { code, data, oracle, .. } = guest();
        let mut m = machine(&code, &data);
        let (hashes, proofs, _) = trace(&mut m, oracle.clone());
        let mut store = oracle;
        let k = pick.index(proofs.len());
        let mut b = proofs[k].encode();
        for (at, v) in &edits {
            let i = at.index(b.len());
            b[i] = *v;
        }
        for bytes in [b.clone(), b[..cut.index(b.len() + 1)].to_vec()] {
            if let Ok(p) = StepProof::decode(&bytes) {
                let _ = verify_step_with(&hashes[k], &p, &mut store);
            }
        }
        // The part is the encoding's last 40 bytes (32 bytes and the length).
        let reads: Vec<usize> = (0..proofs.len()).filter(|&i| proofs[i].preimage.is_some()).collect();
        let r = reads[pick.index(reads.len())];
        let mut b = proofs[r].encode();
        let at = b.len() - 40 + part_byte;
        b[at] ^= 1 << bit;
        let p = StepProof::decode(&b).expect("layout unchanged");
        prop_assert!(verify_step_with(&hashes[r], &p, &mut store).is_err());
    }
}

/// One oracle call of a random guest.
#[derive(Debug, Clone)]
enum Call {
    /// Select preimage `k`'s key, stored at a misalignment of `mis` bytes, looping over writes.
    Select(usize),
    /// A single key write of `len` bytes from preimage `k`'s key (a partial key).
    KeyWrite(usize, u32),
    /// `read(5, region + off, len)`.
    Read(bool, u32, u32),
    /// `write(4, …)`, `read(3, …)`.
    Hint(u32),
    Ack(u32),
    /// `read`/`write` on a descriptor that is not the oracle's.
    BadFd(bool, u32),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        3 => (0usize..3).prop_map(Call::Select),
        1 => (0usize..3, 0u32..40).prop_map(|(k, l)| Call::KeyWrite(k, l)),
        6 => (any::<bool>(), 0u32..96, prop_oneof![0u32..70, Just(4096), Just(u32::MAX)])
            .prop_map(|(top, off, len)| Call::Read(top, off, len)),
        1 => (0u32..12).prop_map(Call::Hint),
        1 => any::<u32>().prop_map(Call::Ack),
        1 => (any::<bool>(), prop_oneof![Just(0u32), Just(7), Just(1000)]).prop_map(|(r, fd)| Call::BadFd(r, fd)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random sequences of oracle calls over random preimages (empty ones included), with keys at
    /// any alignment and reads to any alignment (near the top of memory too) and of any length:
    /// every step the machine takes verifies to its next state. A read after a partial key write
    /// selects a key the host lacks: the machine stops there, and that step has no proof. Hints
    /// come in random pieces (lengths of up to 44 MiB among them): never a reason to stop.
    #[test]
    fn random_oracle_calls_verify_at_every_step(
        preimages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..90), 3),
        misalign in proptest::collection::vec(0u32..32, 3),
        calls in proptest::collection::vec(call(), 1..24),
    ) {
        let mut oracle = MapOracle::new();
        let mut data = Vec::new();
        let key_at = |k: usize| 0x2_0000 + 0x100 * k as u32 + misalign[k];
        for (k, p) in preimages.iter().enumerate() {
            let key = oracle.insert_keccak(p).expect("checked");
            data.push((key_at(k), key.0.to_vec()));
        }
        data.push((HINT, vec![0, 0, 0, 2, 0xaa, 0xbb, 0, 0, 0, 0]));
        let mut c = Code::default();
        c.select_key(key_at(0)); // a known key before any read
        for call in &calls {
            match *call {
                Call::Select(k) => c.select_key(key_at(k)),
                Call::KeyWrite(k, len) => c.ecall(64, 6, Some(key_at(k)), Some(len)),
                Call::Read(top, off, len) => {
                    let base = if top { 0xffff_ff00 } else { BUF1 };
                    c.ecall(63, 5, Some(base + off), Some(len));
                }
                Call::Hint(len) => c.ecall(64, 4, Some(HINT), Some(len)),
                Call::Ack(len) => c.ecall(63, 3, Some(BUF2), Some(len)),
                Call::BadFd(read, fd) => c.ecall(if read { 63 } else { 64 }, fd, Some(BUF1), Some(8)),
            }
        }
        c.ecall(93, 0, None, None);
        let mut m = machine(&c.0, &data);
        let mut sys = OracleSyscalls::new(oracle.clone());
        let mut store = oracle;
        let mut steps = 0;
        while m.exit_code().is_none() && steps < 20_000 {
            let pre = m.state_hash();
            let proof = m.prove_step_with(&mut sys);
            if m.step(&mut sys).is_err() {
                // Only a host that lacks the selected preimage stops this guest.
                prop_assert_eq!(verify_step_with(&pre, &proof, &mut store), Err(StepError::MissingPreimagePart));
                break;
            }
            prop_assert_eq!(verify_step_with(&pre, &proof, &mut store), Ok(m.state_hash()), "step {}", steps);
            prop_assert_eq!(StepProof::decode(&proof.encode()), Ok(proof));
            steps += 1;
        }
    }
}
