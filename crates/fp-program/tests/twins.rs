//! Native against node: every block a replica derives, the program derives to the same output
//! root from the agreed parent output and the oracle alone, and a wrong claim is refused.
//!
//! The L1 is `MemoryL1` (entries get their committed context and links as the Rollup gives
//! them); the replica is the node's `Deriver` over a real chain (NOMT, redb). For each block the
//! host fills the oracle the way a challenger's host does: the entries, payloads and queue by
//! hash, the agreed output and header, and the witness of the parent state, recorded by running
//! the program's derivation once over the node's state (what the node's recorder does).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{cell::RefCell, collections::BTreeSet, sync::Arc};

use alloy::eips::eip4844::{Blob, kzg_to_versioned_hash};
use pillar_chain::{BlockInput, Chain};
use pillar_derive::{
    BatchContext, BatchEvent, BatchKind, BatchPayload, ChainProvider, DerivationConfig, Deriver, L1Event,
    MemoryL1, QueueKind, QueueMessage, block_data, encode_batch,
};
use pillar_fp_program::{
    ChainConfig, HostOracle, Inputs, OracleVerifier, OutputPreimage, ProgramState, Verdict, derive_next,
    run_configured,
};
use pillar_preimage::MapOracle;
use pillar_runtime::{Genesis, GenesisAccount, Shared, testkit::key};
use pillar_state::{BlockChanges, KeyPath, Snapshot, StateError, StateRead, WitnessState, witness_for};
use pillar_stf::{
    Address, B256, Block, L1Message, L1MessageKind, Runtime, SigVerifier, codec, next_queue_hash,
};
use tempfile::TempDir;

const CHAIN_ID: u64 = 7;
const DEADLINE: u64 = 10;

fn runtime(verifier: Option<Shared<dyn SigVerifier + Send + Sync>>) -> Runtime {
    let modules: Vec<Shared<dyn pillar_runtime::DynModule>> = vec![
        Shared::new(pillar_accounts::Accounts),
        Shared::new(pillar_assets::Assets),
        Shared::new(pillar_bridge::Bridge),
        Shared::new(pillar_sessions::Sessions),
    ];
    match verifier {
        Some(v) => Runtime::with_verifier(CHAIN_ID, modules, v),
        None => Runtime::new(CHAIN_ID, modules),
    }
}

/// The chain's configuration as the program reads it (local key 5 names its hash).
fn config() -> ChainConfig {
    ChainConfig {
        chain_id: CHAIN_ID,
        modules: vec!["accounts".into(), "assets".into(), "bridge".into(), "sessions".into()],
    }
}

/// With `PILLAR_FP_DUMP=<dir>`, writes the oracle of a case to `<dir>/<name>.pre` for
/// `scripts/rv32im/build.sh`, which runs the rv32im guest on it in pillar-fpvm and requires the
/// exit code the name says (`holds`: 0, `wrong`: 1).
fn dump(name: &str, map: &MapOracle) {
    if let Some(dir) = std::env::var_os("PILLAR_FP_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pre")), map.to_bytes()).unwrap();
    }
}

/// Account `i` of a large genesis (the bench's scheme: `i + 1` as a big-endian scalar, marked).
fn many(i: usize) -> pillar_stf::PrivateKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    b[31] = 0x5b;
    pillar_stf::PrivateKey::from_bytes(b).unwrap()
}

/// Three funded test keys, and `extra` more accounts ([`many`]).
fn genesis(extra: usize) -> Genesis {
    let test_keys = (0..3).map(|i| key(i).address());
    let others = (0..extra).map(|i| many(i).address());
    Genesis {
        timestamp_ms: 1_000,
        accounts: test_keys
            .chain(others)
            .map(|address| GenesisAccount { address, eth: 1_000_000, tokens: vec![] })
            .collect(),
        ..Default::default()
    }
}

fn open(extra: usize) -> (TempDir, Arc<Chain>) {
    pillar_chain::testkit::open_temp(runtime(None), &genesis(extra), 256)
}

/// Runs a future that never waits (MemoryL1's) to completion.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("MemoryL1 never waits"),
    }
}

/// The identifier of local key `n` (`PreimageKey::local_index`).
fn local_id(n: u64) -> [u8; 31] {
    let mut id = [0; 31];
    id[23..].copy_from_slice(&n.to_be_bytes());
    id
}

/// The scenario's L1 and the sequencer chain whose blocks it batches.
struct World {
    /// Accounts funded beyond the three test keys.
    extra: usize,
    l1: MemoryL1,
    _seq_dir: TempDir,
    seq: Arc<Chain>,
    queue: Vec<L1Message>,
    queue_hash: B256,
    nonce: u64,
    entries: u64,
    /// Every preimage L1 holds that the program may ask for (entries, payloads, queue).
    l1_preimages: MapOracle,
}

impl World {
    fn new() -> Self {
        Self::with_accounts(0)
    }

    /// A world whose genesis also funds `extra` accounts ([`many`]).
    fn with_accounts(extra: usize) -> Self {
        let (dir, seq) = open(extra);
        Self {
            extra,
            l1: MemoryL1::with_inclusion_deadline(DEADLINE),
            _seq_dir: dir,
            seq,
            queue: Vec::new(),
            queue_hash: B256::ZERO,
            nonce: 0,
            entries: 0,
            l1_preimages: MapOracle::new(),
        }
    }

    /// An ETH deposit enqueued at L1 time `t`, as the Portal logs it.
    fn deposit(&mut self, t: u64, amount: u128) -> L1Event {
        let index = self.queue.len() as u64;
        let kind = L1MessageKind::EthDeposit { recipient: key(1).address(), amount };
        let m = L1Message {
            index,
            l1_block: self.l1.next_number(),
            timestamp: t,
            sender: Address::repeat_byte(9),
            kind,
        };
        let pre = m.event_preimage();
        self.l1_preimages.insert_keccak(&pre).unwrap();
        let mut link = [0u8; 64];
        link[..32].copy_from_slice(self.queue_hash.as_slice());
        link[32..].copy_from_slice(m.hash().as_slice());
        self.l1_preimages.insert_keccak(&link).unwrap();
        self.queue_hash = next_queue_hash(self.queue_hash, m.hash());
        self.queue.push(m.clone());
        L1Event::Queue(QueueMessage {
            index,
            kind: QueueKind::EthDeposit,
            sender: m.sender,
            timestamp: t,
            payload: m.payload().into(),
            queue_hash: self.queue_hash,
            l1_block: m.l1_block,
            l1_tx_hash: B256::ZERO,
        })
    }

    /// A sequencer block of `n` transfers consuming the queue messages `l1`.
    fn block(&mut self, n: u64, time_ms: u64, l1_origin: u64, l1: Vec<L1Message>) -> Block {
        let txs = (0..n)
            .map(|i| {
                pillar_stf::testkit::transfer(CHAIN_ID, 0, self.nonce + i, 0, key(2).address(), 1)
                    .verify()
                    .unwrap()
            })
            .collect();
        self.nonce += n;
        let sealed = self
            .seq
            .build_block_with(BlockInput { timestamp_ms: time_ms, l1_origin, l1_messages: l1, txs })
            .unwrap();
        sealed.block
    }

    /// A block of signed transactions as given.
    fn signed_block(
        &mut self,
        time_ms: u64,
        l1_origin: u64,
        txs: Vec<pillar_stf::SignedTransaction>,
    ) -> Block {
        let txs = txs.into_iter().map(|t| t.verify().unwrap()).collect();
        let input = BlockInput { timestamp_ms: time_ms, l1_origin, l1_messages: vec![], txs };
        let sealed = self.seq.build_block_with(input).unwrap();
        assert!(sealed.dropped.is_empty(), "{:?}", sealed.dropped);
        sealed.block
    }

    fn tx(&mut self, call: pillar_stf::Call) -> pillar_stf::Transaction {
        self.nonce += 1;
        pillar_stf::Transaction { chain_id: CHAIN_ID, nonce: self.nonce - 1, max_fee: 0, call }
    }

    fn entry(&mut self, kind: BatchKind, first: u64, last: u64, payload: Option<Vec<u8>>) -> L1Event {
        if let Some(p) = &payload {
            self.l1_preimages.insert_keccak(p).unwrap();
        }
        let commitment = payload.as_deref().map(alloy_primitives::keccak256).unwrap_or_default();
        self.event(kind, (first, last), commitment, Vec::new(), payload, B256::ZERO)
    }

    /// The next entry's event, as `appendBatch`/`appendBlobBatch`/`forceInclusion` log it.
    fn event(
        &mut self,
        kind: BatchKind,
        (first_block, last_block): (u64, u64),
        data_commitment: B256,
        blob_hashes: Vec<B256>,
        calldata: Option<Vec<u8>>,
        l1_tx_hash: B256,
    ) -> L1Event {
        let index = self.entries;
        self.entries += 1;
        L1Event::Batch(BatchEvent {
            index,
            batch_hash: B256::ZERO,
            submitter: Address::repeat_byte(0x5e),
            prev_batch_hash: B256::ZERO,
            first_block,
            last_block,
            kind,
            data_commitment,
            blob_hashes,
            calldata: calldata.map(Into::into),
            l1_block: 0,
            l1_tx_hash,
            context: BatchContext::default(),
        })
    }

    fn batch(&mut self, blocks: &[Block]) -> L1Event {
        let (first, last) = (blocks[0].header.height, blocks[blocks.len() - 1].header.height);
        self.entry(BatchKind::Calldata, first, last, Some(encode_batch(blocks)))
    }

    /// A blob batch carrying `blobs`, committed to with real KZG commitments as `appendBlobBatch`
    /// records them; the replica's payload is what the node's blob decoder makes of them.
    fn blob_entry(&mut self, first: u64, last: u64, blobs: Vec<Blob>) -> L1Event {
        let tx_hash = B256::with_last_byte(0xb0 + self.entries as u8);
        let commitments = {
            let blobs = blobs.clone();
            // c-kzg wants a large stack.
            std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn(move || pillar_l1::kzg_commitments(&blobs).unwrap())
                .unwrap()
                .join()
                .unwrap()
        };
        let mut hashes = Vec::new();
        for (blob, commitment) in blobs.iter().zip(&commitments) {
            hashes.push(kzg_to_versioned_hash(commitment));
            self.l1_preimages.insert_sha256(commitment).unwrap();
            self.l1_preimages.insert_blob_elements(commitment, blob.as_slice()).unwrap();
        }
        let list: Vec<u8> = hashes.iter().flat_map(|h| h.0).collect();
        self.l1_preimages.insert_keccak(&list).unwrap();
        let payload = match pillar_l1::decode_blob_data(&blobs) {
            Some(bytes) => BatchPayload::Bytes(bytes),
            None => BatchPayload::Unreadable,
        };
        self.l1.set_blob_payload(tx_hash, payload);
        self.event(BatchKind::Blob, (first, last), alloy_primitives::keccak256(&list), hashes, None, tx_hash)
    }

    fn garbage(&mut self, first: u64, last: u64, bytes: Vec<u8>) -> L1Event {
        self.entry(BatchKind::Calldata, first, last, Some(bytes))
    }

    fn force(&mut self) -> L1Event {
        self.entry(BatchKind::Force, 0, 0, None)
    }

    /// Mines a block and records the preimages of the entries it now holds (their hashes and
    /// contexts are the ones MemoryL1 gave them).
    fn mine(&mut self, t: u64, events: Vec<L1Event>) {
        let info = self.l1.mine(t, events);
        for log in ready(self.l1.events(info.number, info.number)).unwrap() {
            if let L1Event::Batch(b) = log.event {
                self.l1_preimages.insert_keccak(&b.entry_preimage()).unwrap();
            }
        }
    }
}

/// The node's state at N − 1, recording every key the program's derivation reads or writes, and
/// giving roots from a witness of those keys: the program run once natively finds the witness
/// its oracle run needs.
struct Recording<'a> {
    snapshot: &'a Snapshot,
    keys: RefCell<BTreeSet<KeyPath>>,
}

impl StateRead for Recording<'_> {
    fn get(&self, key: &KeyPath) -> Result<Option<Vec<u8>>, StateError> {
        self.keys.borrow_mut().insert(*key);
        self.snapshot.get(key)
    }
}

impl ProgramState for Recording<'_> {
    fn root_after(&self, changes: &BlockChanges) -> Result<B256, StateError> {
        self.keys.borrow_mut().extend(changes.writes.keys().copied());
        let witness = witness_for(self.snapshot, self.keys.borrow().iter())?;
        WitnessState::new(self.snapshot.root(), witness).root_after(changes)
    }
}

/// Replays the world's L1 through a replica, then checks every derived block through the program.
fn check_every_block(world: &World, scenario: &str) -> u64 {
    let (_dir, rep) = open(world.extra);
    let mut deriver = Deriver::new(Arc::clone(&rep), DerivationConfig::default(), 1).unwrap();
    let head = ready(world.l1.head()).unwrap();
    for n in 1..=head {
        let info = ready(world.l1.block_info_by_number(n)).unwrap().unwrap();
        let events = ready(world.l1.events(n, n)).unwrap().into_iter().map(|l| l.event);
        let data = ready(block_data(&world.l1, info, events)).unwrap();
        deriver.process(data).unwrap();
    }
    let safe = deriver.safe().height;
    assert!(safe > 0, "the scenario derives blocks");
    let batch_head = deriver.last_entry();

    // A witness chain that imports the derived blocks one at a time: its state is N − 1's.
    let (_wdir, w) = open(world.extra);
    for n in 1..=safe {
        let parent = rep.ledger().header(n - 1).unwrap().unwrap();
        let header = rep.ledger().header(n).unwrap().unwrap();
        let agreed_root = deriver.output_root(&parent).unwrap();
        let claimed_root = deriver.output_root(&header).unwrap();
        let agreed = OutputPreimage {
            state_root: parent.state_root,
            withdrawals_root: parent.withdrawals_root,
            block_hash: parent.hash(),
            cursor: deriver.cursor(n - 1).unwrap(),
        };
        assert_eq!(agreed.root(), agreed_root);

        let mut map = world.l1_preimages.clone();
        map.insert_keccak(&agreed.encode()).unwrap();
        map.insert_keccak(&codec::encode(&parent)).unwrap();
        map.insert_keccak(&config().encode()).unwrap();
        let inputs = Inputs {
            agreed_output: agreed_root,
            claimed_output: claimed_root,
            claimed_block: n,
            batch_head,
            config_hash: config().hash(),
        };
        for (id, value) in inputs.locals() {
            map.insert_local(local_id(id), &value).unwrap();
        }
        let oracle = HostOracle::new(map);

        // Pass 1: the derivation over the node's state records the keys.
        let snapshot = w.snapshot();
        let recording = Recording { snapshot: &snapshot, keys: RefCell::new(BTreeSet::new()) };
        let verifier = OracleVerifier(oracle.clone());
        let rt = runtime(Some(Shared::new(verifier.clone())));
        let native =
            derive_next(&mut oracle.clone(), &rt, &verifier, &recording, &parent, agreed.cursor, batch_head)
                .unwrap()
                .expect("the node derived this block");
        assert_eq!(native.header, header, "block {n}: the native derivation gives the node's block");
        assert_eq!(native.cursor, deriver.cursor(n).unwrap());
        let witness = witness_for(&snapshot, recording.keys.borrow().iter()).unwrap();
        {
            let mut m = oracle.map();
            for (_, node) in witness.nodes() {
                m.insert_nomt_node(node).unwrap();
            }
            for (_, value) in witness.values() {
                m.insert_sha256(value).unwrap();
            }
        }

        // Pass 2: the program, from the oracle alone.
        let verdict = run_configured(oracle.clone()).unwrap();
        assert_eq!(verdict, Verdict::Valid { output_root: claimed_root }, "block {n}");
        assert_eq!(verdict.exit_code(), 0);
        dump(&format!("{scenario}-block-{n}-holds"), &oracle.map());

        // A wrong claim exits 1 with the same computed root.
        let wrong = Inputs { claimed_output: B256::repeat_byte(0xee), ..inputs };
        let mut m2 = oracle.map().clone();
        for (id, value) in wrong.locals() {
            m2.insert_local(local_id(id), &value).unwrap();
        }
        dump(&format!("{scenario}-block-{n}-wrong"), &m2);
        let verdict = run_configured(HostOracle::new(m2)).unwrap();
        assert_eq!(verdict, Verdict::Invalid { output_root: claimed_root });
        assert_eq!(verdict.exit_code(), 1);
        // N − 1's output is not the output of the block after N: no verdict on such a claim.
        let mut m6 = oracle.map().clone();
        for (id, value) in (Inputs { claimed_block: n + 1, ..inputs }).locals() {
            m6.insert_local(local_id(id), &value).unwrap();
        }
        assert!(matches!(
            run_configured(HostOracle::new(m6)),
            Err(pillar_fp_program::ProgramError::NotNext { .. })
        ));

        // NOMT commits only once no session reads the old state.
        drop(recording);
        drop(snapshot);
        let block = rep.ledger().block(n).unwrap().unwrap();
        w.import_block(&block).unwrap();
    }
    // The block after the last derived one does not exist as of this head: the chain stops at the
    // last block, whose output every later block has. A wrong claim about the next block is
    // refused with that output as the computed root.
    let last = rep.ledger().header(safe).unwrap().unwrap();
    let agreed = OutputPreimage {
        state_root: last.state_root,
        withdrawals_root: last.withdrawals_root,
        block_hash: last.hash(),
        cursor: deriver.cursor(safe).unwrap(),
    };
    let mut map = world.l1_preimages.clone();
    map.insert_keccak(&agreed.encode()).unwrap();
    map.insert_keccak(&codec::encode(&last)).unwrap();
    map.insert_keccak(&config().encode()).unwrap();
    let inputs = Inputs {
        agreed_output: agreed.root(),
        claimed_output: B256::repeat_byte(1),
        claimed_block: safe + 1,
        batch_head,
        config_hash: config().hash(),
    };
    let with_inputs = |inputs: &Inputs, base: &MapOracle| {
        let mut m = base.clone();
        for (id, value) in inputs.locals() {
            m.insert_local(local_id(id), &value).unwrap();
        }
        m
    };
    let output_root = agreed.root();
    let m1 = with_inputs(&inputs, &map);
    dump(&format!("{scenario}-beyond-the-head-wrong"), &m1);
    assert_eq!(run_configured(HostOracle::new(m1)).unwrap(), Verdict::Invalid { output_root });
    // The agreed output claimed for the blocks past the head, and for the agreed block itself
    // (the dispute game's clamped range), holds; another claim about the agreed block does not.
    for (claimed_block, claimed_output, holds) in [
        (safe + 1, output_root, true),
        (safe + 2, output_root, true),
        (safe, output_root, true),
        (safe, B256::repeat_byte(2), false),
    ] {
        let m = with_inputs(&Inputs { claimed_block, claimed_output, ..inputs }, &map);
        dump(&format!("{scenario}-stalled-{claimed_block}-{}", if holds { "holds" } else { "wrong" }), &m);
        let expected = if holds { Verdict::Valid { output_root } } else { Verdict::Invalid { output_root } };
        assert_eq!(run_configured(HostOracle::new(m)).unwrap(), expected, "block {claimed_block}");
    }
    // A configuration naming a module the program lacks gives no verdict.
    let odd = ChainConfig { chain_id: CHAIN_ID, modules: vec!["accounts".into(), "nonexistent".into()] };
    let mut m3 = map.clone();
    m3.insert_keccak(&odd.encode()).unwrap();
    let m3 = with_inputs(&Inputs { config_hash: odd.hash(), ..inputs }, &m3);
    assert!(matches!(
        run_configured(HostOracle::new(m3)),
        Err(pillar_fp_program::ProgramError::UnknownModule { .. })
    ));
    // A claim about a block before the agreed one is not the program's to judge.
    let m5 = with_inputs(&Inputs { claimed_block: safe - 1, ..inputs }, &map);
    assert!(matches!(
        run_configured(HostOracle::new(m5)),
        Err(pillar_fp_program::ProgramError::NotNext { .. })
    ));
    safe
}

#[test]
fn the_program_agrees_with_the_node_on_every_derived_block() {
    let mut world = World::new();
    // L1 block 1: two deposits; L1 block 2: a batch of three blocks (the first consumes them),
    // garbage, and a batch that repeats a block.
    let d0 = world.deposit(100, 5);
    let d1 = world.deposit(100, 7);
    world.mine(100, vec![d0, d1]);
    let queue = world.queue.clone();
    let b1 = world.block(2, 101_000, 1, queue);
    let b2 = world.block(1, 101_500, 1, vec![]);
    let b3 = world.block(3, 102_000, 2, vec![]);
    let e = world.batch(&[b1.clone(), b2.clone(), b3.clone()]);
    let g = world.garbage(4, 4, vec![0xff; 64]);
    let r = world.batch(&[b2, b3]);
    world.mine(102, vec![e, g, r]);
    // L1 block 3: a deposit the sequencer then censors; its batch at time 115 is overdue
    // (skipped) and the deposit is forced in after it.
    let d2 = world.deposit(103, 11);
    world.mine(103, vec![d2]);
    let b4 = world.block(1, 104_000, 3, vec![]);
    let late = world.batch(&[b4]);
    world.mine(115, vec![late]);
    // L1 block 5: another deposit, forced in by a force entry alone (nobody posts batches).
    let d3 = world.deposit(116, 13);
    world.mine(116, vec![d3]);
    let f = world.force();
    world.mine(130, vec![f]);
    let derived = check_every_block(&world, "l1");
    assert_eq!(derived, 5, "three batch blocks and two forced blocks");
}

/// Session keys: the program checks ed25519 signatures in software and P-256 ones through the
/// `P256VERIFY` precompile's answer (the key decompressed first), and agrees with the node.
#[test]
fn session_keys_verify_as_the_node_verifies_them() {
    use pillar_sessions::{AuthorizeSession, SessionsCall, SpendCap};
    use pillar_stf::{Call, SessionSigner};

    let mut world = World::new();
    world.mine(100, vec![]);
    let signers = [SessionSigner::ed25519([1; 32]), SessionSigner::p256([100; 32]).unwrap()];
    let authorize: Vec<_> = signers
        .iter()
        .map(|s| {
            let call = Call::Sessions(SessionsCall::AuthorizeSession(AuthorizeSession {
                key: s.public_key(),
                calls: 1,
                expires_ms: 10_000_000,
                window_ms: 0,
                max_txs: 0,
                caps: vec![SpendCap { asset: 0, total: 1_000, per_window: 0 }],
            }));
            key(0).sign(world.tx(call))
        })
        .collect();
    let b1 = world.signed_block(101_000, 1, authorize);
    let transfers: Vec<_> = signers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let call = Call::Assets(pillar_assets::AssetsCall::Transfer(pillar_assets::Transfer {
                to: key(2).address(),
                asset: 0,
                amount: 10 + i as u128,
            }));
            s.sign(world.tx(call), key(0).address(), None)
        })
        .collect();
    let b2 = world.signed_block(101_500, 1, transfers);
    let e = world.batch(&[b1, b2]);
    world.mine(102, vec![e]);
    assert_eq!(check_every_block(&world, "sessions"), 2);
}

/// Blob batches: the program reads the elements a batch spans by blob key (points computed as it
/// goes) and agrees with the node's decoder, on a one-blob batch, on blobs the node finds
/// unreadable (a length longer than the blobs hold) and on a batch with a second, empty blob.
#[test]
fn blob_batches_are_read_element_by_element_as_the_node_reads_them() {
    let mut world = World::new();
    let d0 = world.deposit(100, 5);
    world.mine(100, vec![d0]);
    let queue = world.queue.clone();
    let b1 = world.block(2, 101_000, 1, queue);
    let b2 = world.block(1, 101_500, 1, vec![]);
    let b3 = world.block(2, 102_000, 1, vec![]);
    let first = pillar_l1::encode_blob_data(&encode_batch(&[b1, b2]));
    let e1 = world.blob_entry(1, 2, first);
    let mut unreadable = pillar_l1::encode_blob_data(&encode_batch(std::slice::from_ref(&b3)));
    unreadable[0][1..9].copy_from_slice(&(4096u64 * 31).to_be_bytes());
    let e2 = world.blob_entry(3, 3, unreadable);
    let mut two = pillar_l1::encode_blob_data(&encode_batch(&[b3]));
    two.push(Blob::ZERO);
    let e3 = world.blob_entry(3, 3, two);
    world.mine(102, vec![e1, e2, e3]);
    assert_eq!(check_every_block(&world, "blobs"), 3);
}

/// The bench's shape of block (`pillar bench`): at 100,000 funded accounts, 1,000 transfers each
/// from a different account to the next, so the block reads and writes 2,000 accounts spread over a
/// large trie. The program's witness is those accounts' paths; it agrees with the node.
#[test]
fn a_bench_block_at_100_000_accounts_agrees() {
    const ACCOUNTS: usize = 100_000;
    let mut world = World::with_accounts(ACCOUNTS);
    world.mine(100, vec![]);
    let txs = (0..1_000)
        .map(|i| {
            let from = i * 97 % ACCOUNTS;
            let call =
                pillar_stf::Call::Assets(pillar_assets::AssetsCall::Transfer(pillar_assets::Transfer {
                    to: many((from + 1) % ACCOUNTS).address(),
                    asset: 0,
                    amount: 1,
                }));
            many(from).sign(pillar_stf::Transaction { chain_id: CHAIN_ID, nonce: 0, max_fee: 0, call })
        })
        .collect();
    let b1 = world.signed_block(101_000, 1, txs);
    let e = world.batch(&[b1]);
    world.mine(102, vec![e]);
    assert_eq!(check_every_block(&world, "bench"), 1);
}
