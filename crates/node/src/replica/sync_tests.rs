//! The L1 loop over an L1 in memory: each kind of failure gets its answer (retry, rewind, stop).

use std::time::Duration;

use pillar_derive::{BatchEvent, BatchKind, DerivationConfig, L1Event, MemoryL1, QueueKind, QueueMessage};
use pillar_stf::{Address, ChainTx, L1Message, L1MessageKind, PrivateKey};
use tempfile::TempDir;

use super::*;
use crate::{L1Section, preset};

const DEADLINE: u64 = 10;

struct Harness {
    _dir: TempDir,
    chain: Arc<Chain>,
    deriver: Arc<Mutex<Deriver>>,
    status: Arc<ReplicaStatus>,
    task: tokio::task::JoinHandle<()>,
    _stop: watch::Sender<bool>,
}

/// A replica's L1 loop over `l1`, deriving from L1 block 1 at confirmation depth 0.
fn start(l1: &MemoryL1) -> Harness {
    let cfg = preset("basic", 901, &[PrivateKey::from_bytes([1; 32]).unwrap()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let nomt =
        pillar_state::NomtOptions { hashtable_buckets: 1024, rollback_window: 64, ..Default::default() };
    let runtime = crate::build_runtime(&cfg).unwrap();
    let chain = Chain::open(dir.path(), runtime, &cfg.genesis, &pillar_chain::ChainOptions { nomt }).unwrap();
    let chain = Arc::new(chain);
    let config = DerivationConfig::default();
    let deriver = Arc::new(Mutex::new(Deriver::new(Arc::clone(&chain), config, 1).unwrap()));
    let section = L1Section {
        rpc: String::new(),
        chain_id: 1,
        rollup: Address::ZERO,
        portal: Address::ZERO,
        deployed_at_block: 1,
        confirmations: 0,
        poll_ms: 5,
        batcher: Default::default(),
        proposer: Default::default(),
        challenger: Default::default(),
    };
    let status = Arc::new(ReplicaStatus::new(0, 64));
    let (stop, stop_rx) = watch::channel(false);
    let sync = Sync {
        own: false,
        l1: section,
        provider: l1.clone(),
        deriver: Arc::clone(&deriver),
        chain: Arc::clone(&chain),
        producer: None,
        imports: Arc::new(crate::replica::read_only::ReadOnly::new(
            Arc::clone(&chain),
            pillar_rpc::Production { block_time: std::time::Duration::from_millis(50), max_block_txs: 1 },
        )),
        status: Arc::clone(&status),
        faults: mpsc::unbounded_channel().0,
    };
    let task = tokio::spawn(sync.run(stop_rx));
    Harness { _dir: dir, chain, deriver, status, task, _stop: stop }
}

/// An ETH deposit of `amount` wei as the Portal logs it in L1 block `l1_block` at time `t`.
fn deposit(index: u64, l1_block: u64, t: u64, amount: u128) -> L1Event {
    let recipient = Address::repeat_byte(0xd0);
    let kind = L1MessageKind::EthDeposit { recipient, amount };
    let m = L1Message { index, l1_block, timestamp: t, sender: Address::repeat_byte(9), kind };
    L1Event::Queue(QueueMessage {
        index,
        kind: QueueKind::EthDeposit,
        sender: m.sender,
        timestamp: t,
        payload: m.payload().into(),
        queue_hash: Default::default(),
        l1_block,
        l1_tx_hash: Default::default(),
    })
}

/// `Rollup.forceInclusion` (MemoryL1 gives it its context and link when mined).
fn force_entry(index: u64) -> L1Event {
    L1Event::Batch(BatchEvent {
        index,
        batch_hash: Default::default(),
        submitter: Address::repeat_byte(0xf0),
        prev_batch_hash: Default::default(),
        first_block: 0,
        last_block: 0,
        kind: BatchKind::Force,
        data_commitment: Default::default(),
        blob_hashes: Vec::new(),
        calldata: None,
        l1_block: 0,
        l1_tx_hash: Default::default(),
        context: Default::default(),
    })
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..2_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The amounts of the deposits in the derived chain, in order.
fn derived_deposits(chain: &Chain) -> Vec<u128> {
    (1..=chain.heads().safe)
        .flat_map(|h| chain.ledger().block(h).unwrap().unwrap().transactions)
        .filter_map(|t| match t {
            ChainTx::L1(L1Message { kind: L1MessageKind::EthDeposit { amount, .. }, .. }) => Some(amount),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_failures_are_retried_resets_rewind_and_critical_ones_stop() {
    let l1 = MemoryL1::with_inclusion_deadline(DEADLINE);
    l1.mine(100, vec![deposit(0, 1, 100, 5)]);
    l1.mine(111, vec![force_entry(0)]);
    // Temporary: the first reads fail; the loop retries and derives (the overdue deposit is
    // forced into a block by the force entry at L1 block 2).
    l1.fail_next(3);
    let h = start(&l1);
    until("the overdue deposit forced in", || h.chain.heads().safe == 1).await;
    assert_eq!(derived_deposits(&h.chain), [5]);
    assert!(h.status.fatal.lock().is_none());

    // Reset, by a reorg: L1 replaces both blocks, with another deposit.
    l1.reorg(2);
    l1.mine(100, vec![deposit(0, 1, 100, 7)]);
    l1.mine(111, vec![force_entry(0)]);
    until("the reorg rewound and derived again", || derived_deposits(&h.chain) == [7]).await;
    assert_eq!(h.status.reorgs.load(Ordering::Relaxed), 1);

    // Reset, by a queue gap (a log missing from what L1 served): block 3 fails halfway, every
    // time, and is undone every time; nothing stops.
    l1.mine(120, vec![deposit(1, 3, 120, 1), deposit(3, 3, 120, 1)]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(h.status.fatal.lock().is_none());
    assert_eq!(h.deriver.lock().next_l1_block(), 3);
    assert!(h.deriver.lock().queue_len() <= 2, "a half-processed block is undone");
    // L1 serves the block whole again: derivation goes on.
    l1.reorg(1);
    l1.mine(120, vec![deposit(1, 3, 120, 1), deposit(2, 3, 120, 2)]);
    until("block 3 derived", || h.deriver.lock().next_l1_block() == 4).await;
    assert_eq!(h.deriver.lock().queue_len(), 3);
    assert_eq!(h.status.reorgs.load(Ordering::Relaxed), 1, "block 3 was never derived, so no reorg");

    // Critical: a queue message the Portal cannot have logged stops the loop.
    let L1Event::Queue(mut bad) = deposit(3, 4, 121, 1) else { unreachable!() };
    bad.payload = vec![1, 2, 3].into();
    l1.mine(121, vec![L1Event::Queue(bad)]);
    until("derivation stopped", || h.status.fatal.lock().is_some()).await;
    assert!(h.status.fatal.lock().as_deref().is_some_and(|f| f.contains("queue message 3")));
    tokio::time::timeout(Duration::from_secs(5), h.task).await.unwrap().unwrap();
}
