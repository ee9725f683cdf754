//! Derivation rules on real chains (NOMT and redb in temp dirs): a "sequencer" chain makes
//! blocks, batches of them are fed as L1 data to a replica chain.

use std::sync::Arc;

use pillar_chain::{Chain, SealedBlock};
use pillar_runtime::{Genesis, GenesisAccount};
use pillar_stf::Runtime;
use pillar_stf::{Address, L1MessageKind, VerifiedTransaction};
use tempfile::TempDir;

use super::*;
use crate::memory::ready;
use crate::retrieval::tests::batch_event;
use crate::{
    BatchContext, BatchEvent, BatchKind, BatchPayload, ChainProvider, L1BlockInfo, MemoryL1, PayloadError,
    QueueKind, QueueMessage, block_data, encode_batch,
};

pub(super) const DEADLINE: u64 = 10;

pub(super) use pillar_runtime::testkit::key;

pub(super) fn open_chain() -> (TempDir, Arc<Chain>) {
    let rt = Runtime::new(
        7,
        vec![
            Arc::new(pillar_accounts::Accounts),
            Arc::new(pillar_assets::Assets),
            Arc::new(pillar_bridge::Bridge),
        ],
    );
    let genesis = Genesis {
        timestamp_ms: 1_000,
        accounts: (0..3)
            .map(|i| GenesisAccount { address: key(i).address(), eth: 1_000_000, tokens: vec![] })
            .collect(),
        ..Default::default()
    };
    let (dir, chain) = pillar_chain::testkit::open_temp(rt, &genesis, 256);
    (dir, chain)
}

pub(super) fn transfer(from: u8, nonce: u64, amount: u128) -> VerifiedTransaction {
    pillar_stf::testkit::transfer(7, from, nonce, 0, key(2).address(), amount).verify().unwrap()
}

fn deposit(index: u64, l1_block: u64, timestamp: u64) -> L1Message {
    L1Message {
        index,
        l1_block,
        timestamp,
        sender: Address::repeat_byte(9),
        kind: L1MessageKind::EthDeposit { recipient: key(1).address(), amount: 5 },
    }
}

/// The sequencer side: a chain and the blocks it sealed.
struct Seq {
    _dir: TempDir,
    chain: Arc<Chain>,
    blocks: Vec<Block>,
    nonce: u64,
}

impl Seq {
    fn new() -> Self {
        let (dir, chain) = open_chain();
        Self { _dir: dir, chain, blocks: Vec::new(), nonce: 0 }
    }

    /// A block of `n` transfers at `time_ms`, consuming `l1`.
    fn block(&mut self, n: u64, time_ms: u64, l1_origin: u64, l1: Vec<L1Message>) -> Block {
        let txs = (0..n).map(|i| transfer(0, self.nonce + i, 1)).collect();
        self.nonce += n;
        let SealedBlock { block, .. } = self
            .chain
            .build_block_with(BlockInput { timestamp_ms: time_ms, l1_origin, l1_messages: l1, txs })
            .unwrap();
        self.blocks.push(block.clone());
        block
    }
}

struct Replica {
    _dir: TempDir,
    chain: Arc<Chain>,
    deriver: Deriver,
}

fn replica() -> Replica {
    let (dir, chain) = open_chain();
    let config = DerivationConfig { max_timestamp_drift_ms: 60_000 };
    let deriver = Deriver::new(Arc::clone(&chain), config, 1).unwrap();
    Replica { _dir: dir, chain, deriver }
}

/// The Portal's log of `m` (its rolling hash is not derivation's business).
pub(super) fn queued(m: L1Message) -> L1Event<L1Batch> {
    L1Event::Queue(QueueMessage {
        index: m.index,
        kind: QueueKind::from_u8(m.kind_code()).unwrap(),
        sender: m.sender,
        timestamp: m.timestamp,
        payload: m.payload().into(),
        queue_hash: B256::ZERO,
        l1_block: m.l1_block,
        l1_tx_hash: B256::ZERO,
    })
}

/// A calldata batch from `submitter` declaring `first..=last`, holding `payload`.
pub(super) fn posted(
    index: u64,
    submitter: Address,
    first: u64,
    last: u64,
    payload: Vec<u8>,
) -> L1Event<L1Batch> {
    let event = BatchEvent {
        index,
        batch_hash: B256::ZERO,
        submitter,
        prev_batch_hash: B256::ZERO,
        first_block: first,
        last_block: last,
        kind: BatchKind::Calldata,
        data_commitment: B256::ZERO,
        blob_hashes: Vec::new(),
        calldata: Some(payload.clone().into()),
        l1_block: 0,
        l1_tx_hash: B256::ZERO,
        context: BatchContext::default(),
    };
    L1Event::Batch(L1Batch { event, payload: BatchPayload::Bytes(payload) })
}

/// `Rollup.forceInclusion`: an entry with no blocks that makes derivation force what is overdue.
pub(super) fn force(index: u64) -> L1Event<L1Batch> {
    let L1Event::Batch(mut b) = posted(index, Address::repeat_byte(0xf0), 0, 0, Vec::new()) else {
        unreachable!()
    };
    b.event.kind = BatchKind::Force;
    b.event.calldata = None;
    b.payload = BatchPayload::None;
    L1Event::Batch(b)
}

/// Feeding an L1 block as the Rollup would have logged it: each entry commits to its block, its
/// time, the queue logged before it and [`DEADLINE`] ([`Feed::feed`]), and is linked into the
/// batch chain after the last entry the deriver processed ([`Feed::linked`], which keeps the
/// contexts a test set).
pub(super) trait Feed {
    fn feed(&mut self, data: L1BlockData) -> Result<L1BlockReport, DeriveError>;
    fn linked(&mut self, data: L1BlockData) -> Result<L1BlockReport, DeriveError>;
}

impl Feed for Deriver {
    fn linked(&mut self, mut data: L1BlockData) -> Result<L1BlockReport, DeriveError> {
        let mut head = self.last_entry();
        for e in &mut data.events {
            if let L1Event::Batch(b) = e {
                b.event.prev_batch_hash = head;
                b.event.batch_hash = b.event.computed_hash();
                head = b.event.batch_hash;
            }
        }
        self.process(data)
    }

    fn feed(&mut self, mut data: L1BlockData) -> Result<L1BlockReport, DeriveError> {
        let mut queue_length = self.queue_len();
        for e in &mut data.events {
            match e {
                L1Event::Queue(m) => queue_length = m.index + 1,
                L1Event::Batch(b) => {
                    b.event.l1_block = data.info.number;
                    b.event.context = BatchContext {
                        l1_block: data.info.number,
                        l1_timestamp: data.info.timestamp,
                        queue_length,
                        queue_head: B256::ZERO,
                        inclusion_deadline: DEADLINE,
                    };
                }
                _ => {}
            }
        }
        self.linked(data)
    }
}

fn batch(index: u64, blocks: &[Block]) -> L1Event<L1Batch> {
    let (first, last) = (blocks[0].header.height, blocks[blocks.len() - 1].header.height);
    raw_batch(index, first, last, encode_batch(blocks))
}

fn raw_batch(index: u64, first: u64, last: u64, data: Vec<u8>) -> L1Event<L1Batch> {
    posted(index, Address::repeat_byte(0x5e), first, last, data)
}

fn l1(number: u64, timestamp: u64, events: Vec<L1Event<L1Batch>>) -> L1BlockData {
    L1BlockData { info: L1BlockInfo { number, hash: B256::repeat_byte(number as u8), timestamp }, events }
}

fn skipped(report: &L1BlockReport) -> Vec<Option<SkipReason>> {
    report.batches.iter().map(|b| b.skipped.clone()).collect()
}

#[test]
fn valid_batches_rebuild_the_same_chain() {
    let mut seq = Seq::new();
    for i in 0..4 {
        seq.block(3, 2_000 + i * 100, 1, vec![]);
    }
    let mut r = replica();
    let report = r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..2])])).unwrap();
    assert_eq!(report.batches[0], BatchOutcome { index: 0, derived: 2, txs: 6, skipped: None });
    let sealed: Vec<Header> = report.sealed.iter().map(|s| s.block.header.clone()).collect();
    assert_eq!(sealed, vec![seq.blocks[0].header.clone(), seq.blocks[1].header.clone()]);
    r.deriver.feed(l1(2, 12, vec![batch(1, &seq.blocks[2..])])).unwrap();
    assert_eq!(r.chain.head(), seq.chain.head());
    assert_eq!(r.deriver.safe().height, 4);
    assert_eq!(r.chain.heads().safe, 4);
    assert_eq!(r.deriver.next_l1_block(), 3);
}

/// Through the provider traits: an L1 in memory, read block by block into [`block_data`], derives
/// the sequencer's chain from a calldata batch and a blob batch. Blobs that are the batch's but
/// encode no payload (anyone may post such through the escape hatch) are skipped like any
/// undecodable batch, never read again and again.
#[test]
fn blocks_read_through_the_providers_derive_the_same_chain() {
    let mut seq = Seq::new();
    for i in 0..3 {
        seq.block(2, 2_000 + i, 1, vec![]);
    }
    let l1 = MemoryL1::new();
    let calldata = batch_event(0, BatchKind::Calldata, Some(encode_batch(&seq.blocks[..1])));
    let blobs = |index, payload| {
        let mut b = batch_event(index, BatchKind::Blob, None);
        (b.first_block, b.last_block) = (2, 3);
        l1.set_blob_payload(b.l1_tx_hash, payload);
        L1Event::Batch(b)
    };
    let garbage = blobs(1, BatchPayload::Unreadable);
    let good = blobs(2, BatchPayload::Bytes(encode_batch(&seq.blocks[1..])));
    l1.mine(10, vec![L1Event::Batch(calldata)]);
    l1.mine(11, vec![garbage, good]);

    let mut r = replica();
    let head = ready(l1.head()).unwrap();
    let logs = ready(l1.events(r.deriver.next_l1_block(), head)).unwrap();
    let mut reasons = Vec::new();
    for n in r.deriver.next_l1_block()..=head {
        let info = ready(l1.block_info_by_number(n)).unwrap().unwrap();
        let events = logs.iter().filter(|l| l.l1_block == n).map(|l| l.event.clone());
        let report = r.deriver.process(ready(block_data(&l1, info, events)).unwrap()).unwrap();
        reasons.extend(skipped(&report));
    }
    assert_eq!(reasons, vec![None, Some(SkipReason::UnreadableBlobs), None]);
    assert_eq!(r.chain.head(), seq.chain.head());
}

#[test]
fn bad_batches_are_skipped_and_derivation_goes_on() {
    let mut seq = Seq::new();
    for i in 0..3 {
        seq.block(2, 2_000 + i, 1, vec![]);
    }
    let good = encode_batch(&seq.blocks[..1]);
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x40;
    let mut r = replica();
    let report = r
        .deriver
        .feed(l1(
            1,
            10,
            vec![
                raw_batch(0, 1, 1, vec![]),
                raw_batch(1, 1, 1, vec![0xff; 100]),
                raw_batch(2, 1, 1, truncated),
                raw_batch(3, 1, 1, flipped),
                raw_batch(4, 1, 1, vec![0; crate::MAX_BATCH_BYTES + 1]),
                // Out of order: block 2 before block 1.
                batch(5, &seq.blocks[1..2]),
                // Declares another range than it holds.
                raw_batch(6, 1, 2, good.clone()),
                batch(7, &seq.blocks[..1]),
                // The same batch again.
                batch(8, &seq.blocks[..1]),
                batch(9, &seq.blocks[1..3]),
            ],
        ))
        .unwrap();
    let reasons = skipped(&report);
    assert!(matches!(reasons[0], Some(SkipReason::Undecodable(BatchError::Payload(PayloadError::Empty)))));
    assert!(matches!(
        reasons[1],
        Some(SkipReason::Undecodable(BatchError::Payload(PayloadError::UnknownVersion { .. })))
    ));
    assert!(matches!(reasons[2], Some(SkipReason::Undecodable(BatchError::Payload(PayloadError::Frame(_))))));
    assert!(matches!(reasons[3], Some(SkipReason::Undecodable(_))), "{:?}", reasons[3]);
    assert!(matches!(
        reasons[4],
        Some(SkipReason::Undecodable(BatchError::Payload(PayloadError::TooLarge { .. })))
    ));
    assert_eq!(reasons[5], Some(SkipReason::Gap { first: 2, head: 0 }));
    assert!(matches!(reasons[6], Some(SkipReason::RangeMismatch { declared_last: 2, last: 1, .. })));
    assert_eq!(reasons[7], None);
    assert_eq!(reasons[8], Some(SkipReason::Duplicate { last: 1 }));
    assert_eq!(reasons[9], None);
    assert_eq!(r.chain.head(), seq.chain.head());
}

#[test]
fn a_batch_overlapping_the_derived_chain_adds_only_its_new_blocks() {
    let mut seq = Seq::new();
    for i in 0..3 {
        seq.block(1, 2_000 + i, 1, vec![]);
    }
    let mut r = replica();
    r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..2]), batch(1, &seq.blocks[..])])).unwrap();
    assert_eq!(r.chain.head(), seq.chain.head());

    // Another chain's block 1, below the head: nothing new, compared no further.
    let mut other = Seq::new();
    let b1 = other.block(2, 2_000, 1, vec![]);
    let report = r.deriver.feed(l1(2, 11, vec![batch(2, std::slice::from_ref(&b1))])).unwrap();
    assert_eq!(skipped(&report), vec![Some(SkipReason::Duplicate { last: 1 })]);
    // Another chain reaching past the head conflicts at the head's height.
    for i in 0..3 {
        other.block(1, 2_001 + i, 1, vec![]);
    }
    let report = r.deriver.feed(l1(3, 12, vec![batch(3, &other.blocks[..])])).unwrap();
    assert_eq!(skipped(&report), vec![Some(SkipReason::Conflicts { height: 3 })]);
    assert_eq!(r.chain.head(), seq.chain.head());
}

#[test]
fn an_invalid_block_ends_its_batch_but_keeps_the_blocks_before_it() {
    let mut seq = Seq::new();
    for i in 0..3 {
        seq.block(2, 2_000 + i, 1, vec![]);
    }
    let mut blocks = seq.blocks.clone();
    blocks[1].header.state_root = B256::repeat_byte(1);
    // Keep the batch a chain so only re-execution can tell.
    blocks[2].header.parent_hash = blocks[1].header.hash();
    let mut r = replica();
    let report = r.deriver.feed(l1(1, 10, vec![batch(0, &blocks)])).unwrap();
    assert_eq!(report.batches[0].derived, 1);
    assert!(matches!(report.batches[0].skipped, Some(SkipReason::InvalidBlock { height: 2, .. })));
    assert_eq!(r.deriver.safe().height, 1);
    // The honest batch for blocks 2..3 follows.
    r.deriver.feed(l1(2, 11, vec![batch(1, &seq.blocks[1..])])).unwrap();
    assert_eq!(r.chain.head(), seq.chain.head());
}

#[test]
fn queue_messages_must_be_l1s_and_time_cannot_run_ahead() {
    let mut seq = Seq::new();
    // A deposit L1 never saw.
    seq.block(0, 2_000, 1, vec![deposit(0, 1, 5)]);
    let mut r = replica();
    let report = r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks)])).unwrap();
    assert_eq!(skipped(&report), vec![Some(SkipReason::ForeignQueueMessage { height: 1, index: 0 })]);
    // Once L1 holds it, the same batch derives.
    let report = r.deriver.feed(l1(2, 11, vec![queued(deposit(0, 1, 5)), batch(1, &seq.blocks)])).unwrap();
    assert_eq!(skipped(&report), vec![None]);

    let mut seq = Seq::new();
    seq.block(1, 500_000, 9, vec![]);
    let mut r = replica();
    let report = r.deriver.feed(l1(3, 10, vec![batch(0, &seq.blocks)])).unwrap();
    assert!(matches!(report.batches[0].skipped, Some(SkipReason::FromTheFuture { height: 1, .. })));
}

#[test]
fn overdue_queue_messages_are_forced_in_and_a_batch_skipping_them_is_invalid() {
    // The sequencer censors the deposit made at L1 time 100 (due at 110).
    let mut seq = Seq::new();
    seq.block(1, 101_000, 1, vec![]);
    seq.block(1, 109_000, 1, vec![]);
    seq.block(1, 111_000, 1, vec![]);
    let mut r = replica();
    r.deriver.feed(l1(1, 100, vec![queued(deposit(0, 1, 100))])).unwrap();
    assert_eq!(r.deriver.oldest_unconsumed(), Some(100));
    // Before the deadline a batch without it is fine.
    let report = r.deriver.feed(l1(2, 109, vec![batch(0, &seq.blocks[..2])])).unwrap();
    assert_eq!(skipped(&report), vec![None]);
    assert!(report.forced_blocks.is_empty());
    // At the deadline, a batch that still leaves it out is invalid and derivation forces it in.
    let report = r.deriver.feed(l1(3, 112, vec![batch(1, &seq.blocks[2..])])).unwrap();
    assert_eq!(skipped(&report), vec![Some(SkipReason::SkipsOverdue { queue_index: 0, required: 1 })]);
    assert_eq!(report.forced_blocks, vec![3]);
    let forced = r.chain.ledger().block(3).unwrap().unwrap();
    assert_eq!(forced.transactions, vec![ChainTx::L1(deposit(0, 1, 100))]);
    assert_eq!(forced.header.timestamp_ms, 112_000);
    assert_eq!(forced.header.l1_origin, 3);
    assert_eq!(forced.header.queue_index, 1);
    assert_eq!(r.deriver.oldest_unconsumed(), None);
    let balance = |c: &Chain| pillar_assets::balance(&c.snapshot(), key(1).address(), 0).unwrap();
    assert_eq!(balance(&r.chain), 1_000_005, "the deposit is credited");

    // Every node forces the same block: a second replica fed the same L1 reaches the same head.
    let mut r2 = replica();
    r2.deriver.feed(l1(1, 100, vec![queued(deposit(0, 1, 100))])).unwrap();
    r2.deriver.feed(l1(2, 109, vec![batch(0, &seq.blocks[..2])])).unwrap();
    r2.deriver.feed(l1(3, 112, vec![batch(1, &seq.blocks[2..])])).unwrap();
    assert_eq!(r2.chain.head(), r.chain.head());

    // The censoring sequencer's next block does not extend the derived chain.
    let b4 = seq.block(1, 113_000, 1, vec![]);
    let report = r.deriver.feed(l1(4, 113, vec![batch(2, &[b4])])).unwrap();
    assert!(report.batches[0].skipped.is_some());
}

#[test]
fn outputs_are_checked_and_only_valid_final_ones_finalize() {
    let mut seq = Seq::new();
    seq.block(1, 2_000, 1, vec![]);
    seq.block(1, 2_001, 1, vec![]);
    let h1 = seq.blocks[0].header.clone();
    let h2 = seq.blocks[1].header.clone();
    let root = |h: &Header, entry| {
        output_root(h.state_root, h.withdrawals_root, h.hash(), &DerivationCursor::from_batch(entry))
    };
    let mut r = replica();
    let out = |index, l2_block, output_root, finalizes_at| {
        L1Event::Output(ProposedOutput { index, l2_block, output_root, finalizes_at })
    };
    r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..1])])).unwrap();
    let e0 = r.deriver.last_entry();
    let report = r
        .deriver
        .feed(l1(
            2,
            10,
            vec![
                out(0, 1, root(&h1, e0), 20),
                out(1, 2, root(&h2, e0), 20), // block 2 is not derived: nothing backs this
                // Block 1's state and hash, but another cursor: not its output.
                out(2, 1, root(&h1, B256::repeat_byte(5)), 20),
            ],
        ))
        .unwrap();
    assert!(report.outputs[0].is_valid());
    assert!(!report.outputs[1].is_valid());
    assert_eq!(report.outputs[1].expected, None);
    assert!(!report.outputs[2].is_valid());
    assert_eq!(report.outputs[2].expected, Some(root(&h1, e0)));
    // A lie about a derived block.
    let report = r
        .deriver
        .feed(l1(3, 11, vec![batch(1, &seq.blocks[1..]), out(3, 2, B256::repeat_byte(7), 20)]))
        .unwrap();
    assert_eq!(report.outputs[0].expected, Some(root(&h2, r.deriver.last_entry())));
    assert!(!report.outputs[0].is_valid());
    assert_eq!(r.deriver.finalized(), 0);
    r.deriver.feed(l1(4, 20, vec![L1Event::OutputsInvalidated { from_index: 1 }])).unwrap();
    assert_eq!(r.deriver.finalized(), 1, "only the valid output finalizes");
    assert_eq!(r.chain.heads().finalized, 1);
}

#[test]
fn a_reorg_rewinds_derived_blocks_and_queue() {
    let mut seq = Seq::new();
    seq.block(1, 2_000, 1, vec![]);
    seq.block(1, 2_001, 1, vec![]);
    let mut r = replica();
    r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..1])])).unwrap();
    r.deriver.feed(l1(2, 11, vec![queued(deposit(0, 2, 11)), batch(1, &seq.blocks[1..])])).unwrap();
    assert_eq!(r.chain.head().height, 2);
    let journal: Vec<u64> = r.deriver.journal().map(|(n, _)| n).collect();
    assert_eq!(journal, vec![2, 1]);

    // L1 block 2 is reorged away.
    r.deriver.rewind_to(1).unwrap();
    assert_eq!(r.chain.head(), seq.blocks[0].header);
    assert_eq!(r.deriver.safe().height, 1);
    assert_eq!(r.deriver.next_l1_block(), 2);
    assert_eq!(r.deriver.oldest_unconsumed(), None, "the reorged deposit is forgotten");
    // The new block 2 carries the batch again, without the deposit.
    r.deriver.feed(l1(2, 12, vec![batch(1, &seq.blocks[1..])])).unwrap();
    assert_eq!(r.chain.head(), seq.chain.head());

    // A reorg below everything derived goes back to genesis.
    r.deriver.rewind_to(0).unwrap();
    assert_eq!(r.chain.head().height, 0);
    assert_eq!(r.deriver.next_l1_block(), 1);
}

#[test]
fn soft_blocks_are_kept_when_l1_agrees_and_replaced_when_it_does_not() {
    let mut seq = Seq::new();
    seq.block(1, 2_000, 1, vec![]);
    seq.block(1, 2_001, 1, vec![]);
    let mut r = replica();
    // Soft blocks from the feed.
    for b in &seq.blocks {
        r.chain.import_block(b).unwrap();
    }
    let report = r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..1])])).unwrap();
    assert!(report.sealed.is_empty(), "held blocks are not sealed (or announced) again");
    assert_eq!(r.chain.head().height, 2, "a soft block above the safe head stays");
    assert_eq!(r.chain.heads().safe, 1);

    // L1 settles another block 2.
    let mut fork = Seq::new();
    fork.chain.import_block(&seq.blocks[0]).unwrap();
    fork.blocks.push(seq.blocks[0].clone());
    let other = fork.block(3, 2_002, 1, vec![]);
    assert_ne!(other.header.hash(), seq.blocks[1].header.hash());
    r.deriver.feed(l1(2, 11, vec![batch(1, std::slice::from_ref(&other))])).unwrap();
    assert_eq!(r.chain.head(), other.header);
    assert_eq!(r.chain.heads().safe, 2);
}

pub(super) fn forced_junk(index: u64, l1_block: u64, timestamp: u64) -> L1Message {
    L1Message {
        index,
        l1_block,
        timestamp,
        sender: Address::repeat_byte(9),
        kind: L1MessageKind::ForcedTx { tx: vec![index as u8; 4096] },
    }
}

#[test]
fn an_overdue_flood_is_forced_in_blocks_under_the_l1_byte_cap() {
    let mut r = replica();
    let flood: Vec<_> = (0..40).map(|i| queued(forced_junk(i, 1, 100))).collect();
    r.deriver.feed(l1(1, 100, flood)).unwrap();
    let report = r.deriver.feed(l1(2, 111, vec![force(0)])).unwrap();
    assert!(report.forced_blocks.len() >= 3, "{:?}", report.forced_blocks);
    let mut consumed = 0;
    for h in &report.forced_blocks {
        let b = r.chain.ledger().block(*h).unwrap().unwrap();
        let bytes: usize = b
            .transactions
            .iter()
            .map(|t| match t {
                ChainTx::L1(m) => m.encoded_len() + pillar_stf::ENTRY_OVERHEAD_BYTES,
                ChainTx::Signed(_) => unreachable!("forced blocks carry queue messages only"),
            })
            .sum();
        assert!(bytes <= pillar_stf::MAX_BLOCK_L1_BYTES, "block {h}: {bytes} bytes");
        assert_eq!(b.header.timestamp_ms, 111_000);
        consumed += b.transactions.len();
    }
    assert_eq!(consumed, 40);
    assert_eq!(r.deriver.oldest_unconsumed(), None);
    // Another node forces the very same blocks.
    let mut r2 = replica();
    r2.deriver.feed(l1(1, 100, (0..40).map(|i| queued(forced_junk(i, 1, 100))).collect())).unwrap();
    r2.deriver.feed(l1(2, 111, vec![force(0)])).unwrap();
    assert_eq!(r2.chain.head(), r.chain.head());
}

/// Time moves derivation only through entries of the batch chain: L1 blocks without one force
/// nothing, however late, so a program holding only the entries derives the same chain. A force
/// entry (anyone's `Rollup.forceInclusion`) forces what is due at its own time and nothing that
/// falls due later; the deadline is the one the entry commits to.
#[test]
fn only_entries_force_and_each_by_its_own_time_and_deadline() {
    let mut r = replica();
    r.deriver.feed(l1(1, 100, vec![queued(deposit(0, 1, 100)), queued(deposit(1, 1, 100))])).unwrap();
    r.deriver.feed(l1(2, 105, vec![queued(deposit(2, 2, 105))])).unwrap();
    let report = r.deriver.feed(l1(3, 500, vec![])).unwrap();
    assert!(report.forced_blocks.is_empty(), "no entry, no forcing");
    assert_eq!(r.chain.head().height, 0);

    // Deposits 0 and 1 are due at 110, deposit 2 at 115: an entry at 112 forces only the first two.
    let mut entry = force(0);
    let report = {
        let mut data = l1(4, 600, vec![]);
        let L1Event::Batch(b) = &mut entry else { unreachable!() };
        b.event.context = BatchContext {
            l1_block: 4,
            l1_timestamp: 112,
            queue_length: 3,
            queue_head: B256::ZERO,
            inclusion_deadline: DEADLINE,
        };
        data.events.push(entry);
        // Fed with its own context: the entry's time, not the block's, decides.
        r.deriver.linked(data).unwrap()
    };
    assert_eq!(report.forced_blocks, vec![1]);
    let forced = r.chain.ledger().block(1).unwrap().unwrap();
    assert_eq!(forced.transactions, vec![ChainTx::L1(deposit(0, 1, 100)), ChainTx::L1(deposit(1, 1, 100))]);
    assert_eq!((forced.header.timestamp_ms, forced.header.l1_origin), (112_000, 4));
    assert_eq!(r.deriver.oldest_unconsumed(), Some(105));

    // An entry committing to a longer deadline forces nothing yet.
    let mut late = force(1);
    let L1Event::Batch(b) = &mut late else { unreachable!() };
    b.event.context = BatchContext {
        l1_block: 5,
        l1_timestamp: 700,
        queue_length: 3,
        queue_head: B256::ZERO,
        inclusion_deadline: 1_000,
    };
    let report = r.deriver.linked(l1(5, 700, vec![late])).unwrap();
    assert!(report.forced_blocks.is_empty());
    let report = r.deriver.feed(l1(6, 701, vec![force(2)])).unwrap();
    assert_eq!(report.forced_blocks, vec![2]);
}

/// A batch may consume only the queue messages its entry commits to (those on L1 before its
/// append), and an entry committing to messages derivation has not read is a reset.
#[test]
fn a_batch_consumes_only_the_queue_its_entry_commits_to() {
    let mut seq = Seq::new();
    seq.block(0, 2_000, 1, vec![deposit(0, 1, 5)]);
    let mut r = replica();
    r.deriver.feed(l1(1, 10, vec![queued(deposit(0, 1, 5))])).unwrap();
    let L1Event::Batch(mut b) = batch(0, &seq.blocks) else { unreachable!() };
    b.event.context = BatchContext {
        l1_block: 2,
        l1_timestamp: 11,
        queue_length: 0,
        queue_head: B256::ZERO,
        inclusion_deadline: DEADLINE,
    };
    let report = r.deriver.linked(l1(2, 11, vec![L1Event::Batch(b.clone())])).unwrap();
    assert_eq!(skipped(&report), vec![Some(SkipReason::ForeignQueueMessage { height: 1, index: 0 })]);

    b.event.context.queue_length = 2;
    let err = r.deriver.linked(l1(3, 12, vec![L1Event::Batch(b.clone())])).unwrap_err();
    assert!(matches!(err, DeriveError::QueueBehindEntry { known: 1, committed: 2 }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Reset);

    b.event.context.queue_length = 1;
    let report = r.deriver.linked(l1(3, 12, vec![L1Event::Batch(b)])).unwrap();
    assert_eq!(skipped(&report), vec![None]);
}

/// The node derives from logs but holds them to what the Rollup chained: an entry whose fields do
/// not give its hash, or that does not follow the last entry, is a reset (a log went missing, or
/// the endpoint serves what L1 never held), never a verdict.
#[test]
fn entries_must_hash_from_their_fields_and_follow_the_last_one() {
    let mut r = replica();
    r.deriver.feed(l1(1, 10, vec![force(0)])).unwrap();
    let first = r.deriver.last_entry();
    assert_ne!(first, B256::ZERO);
    let L1Event::Batch(mut b) = force(1) else { unreachable!() };
    b.event.context =
        BatchContext { l1_block: 2, l1_timestamp: 11, inclusion_deadline: DEADLINE, ..Default::default() };
    b.event.prev_batch_hash = first;
    b.event.batch_hash = b.event.computed_hash();
    let mut forged = b.clone();
    forged.event.context.l1_timestamp = 999;
    let err = r.deriver.process(l1(2, 11, vec![L1Event::Batch(forged)])).unwrap_err();
    assert!(matches!(err, DeriveError::EntryMismatch { index: 1, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Reset);
    let mut skipping = b.clone();
    skipping.event.prev_batch_hash = B256::repeat_byte(3);
    skipping.event.batch_hash = skipping.event.computed_hash();
    let err = r.deriver.process(l1(2, 11, vec![L1Event::Batch(skipping)])).unwrap_err();
    assert!(
        matches!(err, DeriveError::EntryMismatch { expected_prev, .. } if expected_prev == first),
        "{err}"
    );
    r.deriver.process(l1(2, 11, vec![L1Event::Batch(b.clone())])).unwrap();
    assert_eq!(r.deriver.last_entry(), b.event.batch_hash);
}

/// Every safe block knows where it was derived, and its output root commits to it: blocks from a
/// batch name that batch's entry, forced blocks the entry they were forced after, genesis none.
#[test]
fn safe_blocks_carry_the_cursor_their_output_root_commits_to() {
    let mut seq = Seq::new();
    seq.block(1, 2_000, 1, vec![]);
    seq.block(1, 2_001, 1, vec![]);
    let mut r = replica();
    assert_eq!(r.deriver.cursor(0), Some(DerivationCursor::GENESIS));
    r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..2]), queued(deposit(0, 1, 10))])).unwrap();
    let first = r.deriver.last_entry();
    r.deriver.feed(l1(2, 30, vec![force(1)])).unwrap();
    let second = r.deriver.last_entry();
    assert_eq!(r.chain.heads().safe, 3);
    assert_eq!(r.deriver.cursor(1), Some(DerivationCursor::from_batch(first)));
    assert_eq!(r.deriver.cursor(2), Some(DerivationCursor::from_batch(first)));
    assert_eq!(r.deriver.cursor(3), Some(DerivationCursor::after_entry(second)));
    assert_eq!(r.deriver.cursor(4), None);
    let h = r.chain.ledger().header(3).unwrap().unwrap();
    let expected =
        output_root(h.state_root, h.withdrawals_root, h.hash(), &DerivationCursor::after_entry(second));
    assert_eq!(r.deriver.output_root(&h), Some(expected));
    // A rewind forgets the cursors of blocks it undoes.
    r.deriver.rewind_to(1).unwrap();
    assert_eq!(r.deriver.cursor(3), None);
    assert_eq!(r.deriver.cursor(2), Some(DerivationCursor::from_batch(first)));
    assert_eq!(r.deriver.last_entry(), first);
}

/// The sequencer's own derivation: a rewind keeps its soft blocks, and a soft block whose deposit
/// the reorg replaced is rolled back (its transactions handed back), while a block whose deposit
/// came back unchanged stays.
#[test]
fn the_sequencers_derivation_drops_only_blocks_whose_message_l1_lost() {
    let mut seq = Seq::new();
    let config = DerivationConfig { max_timestamp_drift_ms: 60_000 };
    let mut d = Deriver::new(Arc::clone(&seq.chain), config, 1).unwrap().for_sequencer();
    d.feed(l1(1, 100, vec![queued(deposit(0, 1, 100))])).unwrap();
    d.feed(l1(2, 101, vec![queued(deposit(1, 2, 101))])).unwrap();
    seq.block(1, 101_000, 2, d.queue_from(0).to_vec());
    seq.block(2, 102_000, 2, vec![]);
    assert_eq!(seq.chain.head().height, 2);

    // L1 block 2 is replaced: deposit 1 becomes another message.
    d.rewind_to(1).unwrap();
    assert_eq!(seq.chain.head().height, 2, "soft blocks survive the rewind");
    assert!(d.needs_recheck());
    assert_eq!(d.drop_lost_messages().unwrap(), None, "L1 block 2 not read again yet");
    let mut other = deposit(1, 2, 101);
    other.kind = L1MessageKind::EthDeposit { recipient: key(0).address(), amount: 9 };
    d.feed(L1BlockData {
        info: L1BlockInfo { number: 2, hash: B256::repeat_byte(0xee), timestamp: 101 },
        events: vec![queued(other)],
    })
    .unwrap();
    assert_eq!(d.drop_lost_messages().unwrap(), Some(0));
    assert_eq!(seq.chain.head().height, 0);
    let orphaned = d.take_orphaned();
    assert_eq!(orphaned.iter().map(|b| b.header.height).collect::<Vec<_>>(), vec![1, 2]);
    assert!(!d.needs_recheck());

    // Had the deposit come back unchanged, nothing would go.
    let mut seq = Seq::new();
    let mut d = Deriver::new(Arc::clone(&seq.chain), config, 1).unwrap().for_sequencer();
    d.feed(l1(1, 100, vec![queued(deposit(0, 1, 100))])).unwrap();
    seq.block(1, 101_000, 1, d.queue_from(0).to_vec());
    d.rewind_to(0).unwrap();
    d.feed(l1(1, 100, vec![queued(deposit(0, 1, 100))])).unwrap();
    assert_eq!(d.drop_lost_messages().unwrap(), None);
    assert!(!d.needs_recheck());
    assert_eq!(seq.chain.head().height, 1);
}

/// A queue message out of order leaves its L1 block half processed: the error calls for a reset,
/// and rewinding to the newest whole block undoes the half. A payload the Portal cannot have
/// logged is critical.
#[test]
fn failures_say_whether_to_rewind_or_stop() {
    let mut seq = Seq::new();
    seq.block(1, 2_000, 1, vec![]);
    seq.block(1, 2_001, 2, vec![deposit(0, 2, 11)]);
    let mut r = replica();
    r.deriver.feed(l1(1, 10, vec![batch(0, &seq.blocks[..1])])).unwrap();
    let whole = vec![queued(deposit(0, 2, 11)), batch(1, &seq.blocks[1..])];
    let mut gapped = whole.clone();
    gapped.push(queued(deposit(2, 2, 11)));
    let err = r.deriver.feed(l1(2, 11, gapped)).unwrap_err();
    assert!(matches!(err, DeriveError::QueueGap { expected: 1, got: 2 }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Reset);
    assert_eq!((r.chain.head().height, r.deriver.queue_len()), (2, 1), "half processed");
    r.deriver.rewind_to(1).unwrap();
    assert_eq!((r.chain.head().height, r.deriver.queue_len(), r.deriver.next_l1_block()), (1, 0, 2));
    r.deriver.feed(l1(2, 11, whole)).unwrap();
    assert_eq!(r.chain.head(), seq.chain.head());

    let err = r.deriver.feed(l1(2, 11, vec![])).unwrap_err();
    assert!(matches!(err, DeriveError::OutOfOrder { expected: 3, got: 2 }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Reset);

    let L1Event::Queue(mut bad) = queued(deposit(1, 3, 12)) else { unreachable!() };
    bad.payload = vec![1, 2, 3].into();
    let err = r.deriver.feed(l1(3, 12, vec![L1Event::Queue(bad)])).unwrap_err();
    assert!(matches!(err, DeriveError::BadQueueMessage { index: 1, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Critical);
}
