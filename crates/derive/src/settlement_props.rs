//! Property: whatever outsiders do on L1 (garbage batches claiming any range, floods of forced
//! transactions, reorgs of any depth the journal can undo), a sequencer that follows its own
//! derivation and posts with the [`BatchPlanner`] ends on the same safe head as a replica, with
//! every transaction it acknowledged in the chain exactly once and every queue message L1 still
//! holds consumed exactly once.
//!
//! A small simulated L1 (blocks of events, forks with fresh hashes) drives two real chains (NOMT
//! and redb in temp dirs) through the real [`Deriver`]; the sequencer's producer and pool are
//! modelled in a few lines with the same rules as `pillar-sequencer` (queue messages first, under
//! the L1 byte cap; orphaned transactions re-admitted ahead of the pool).

use std::{collections::HashMap, sync::Arc};

use pillar_chain::{BlockInput, Chain};
use pillar_stf::{Address, B256, Block, ChainTx, L1Message, L1MessageKind, VerifiedTransaction};
use proptest::prelude::*;
use tempfile::TempDir;

use super::tests::{DEADLINE, Feed, forced_junk, key, open_chain, posted, queued, transfer};
use super::*;
use crate::{BatchPlanner, InFlight, L1BlockInfo, encode_batch};

/// Confirmation depth of both nodes.
const CONF: u64 = 1;
/// Most blocks per batch.
const BATCH_BLOCKS: u64 = 3;

#[derive(Debug, Clone)]
enum Op {
    /// The user submits this many transfers to the sequencer.
    Submit(u8),
    /// The sequencer seals a block.
    Produce,
    /// The batcher posts one batch (into the next L1 block).
    Post,
    /// An outsider appends a garbage batch claiming `first..=last`.
    Garbage { first: u64, last: u64, bytes: Vec<u8> },
    /// Deposits enqueued on L1 (into the next L1 block).
    Deposits(u8),
    /// A flood of 4 KiB forced transactions.
    Flood(u8),
    /// L1 mines a block; both nodes derive what is confirmed.
    Mine,
    /// L1 drops its newest blocks (their events are gone) and mines as many empty ones.
    Reorg(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u8..4).prop_map(Op::Submit),
        4 => Just(Op::Produce),
        3 => Just(Op::Post),
        1 => (0u64..12, prop_oneof![0u64..14, Just(u64::MAX)], prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(first, last, bytes)| Op::Garbage { first, last, bytes }),
        2 => (1u8..3).prop_map(Op::Deposits),
        1 => (10u8..30).prop_map(Op::Flood),
        5 => Just(Op::Mine),
        1 => (1u8..5).prop_map(Op::Reorg),
    ]
}

/// One L1 block of the simulation.
#[derive(Clone)]
struct SimBlock {
    number: u64,
    hash: B256,
    timestamp: u64,
    events: Vec<L1Event<L1Batch>>,
}

struct Node {
    _dir: TempDir,
    chain: Arc<Chain>,
    deriver: Deriver,
}

fn node(sequencer: bool) -> Node {
    let (dir, chain) = open_chain();
    let config = DerivationConfig { max_timestamp_drift_ms: 60_000 };
    let d = Deriver::new(Arc::clone(&chain), config, 1).unwrap();
    Node { _dir: dir, chain, deriver: if sequencer { d.for_sequencer() } else { d } }
}

struct Sim {
    l1: Vec<SimBlock>,
    pending: Vec<L1Event<L1Batch>>,
    fork: u8,
    queue_len: u64,
    batches: u64,
    seq: Node,
    rep: Node,
    planner: BatchPlanner,
    /// The sequencer's pool, in nonce order.
    pool: Vec<VerifiedTransaction>,
    /// Every transaction the sequencer acknowledged.
    acknowledged: Vec<B256>,
    nonce: u64,
}

impl Sim {
    fn new() -> Self {
        Self {
            l1: Vec::new(),
            pending: Vec::new(),
            fork: 0,
            queue_len: 0,
            batches: 0,
            seq: node(true),
            rep: node(false),
            planner: BatchPlanner::new(),
            pool: Vec::new(),
            acknowledged: Vec::new(),
            nonce: 0,
        }
    }

    fn l1_head(&self) -> u64 {
        self.l1.last().map_or(0, |b| b.number)
    }

    fn l1_time(&self) -> u64 {
        self.l1.last().map_or(100, |b| b.timestamp)
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Submit(n) => {
                for _ in 0..n {
                    let tx = transfer(0, self.nonce, 1);
                    self.nonce += 1;
                    self.acknowledged.push(tx.hash);
                    self.pool.push(tx);
                }
            }
            Op::Produce => {
                self.produce();
            }
            Op::Post => {
                self.post();
            }
            Op::Garbage { first, last, bytes } => {
                self.batches += 1;
                self.pending.push(posted(self.batches, Address::repeat_byte(0xbd), first, last, bytes));
            }
            Op::Deposits(n) => {
                for _ in 0..n {
                    let m =
                        self.message(L1MessageKind::EthDeposit { recipient: key(1).address(), amount: 3 });
                    self.pending.push(queued(m));
                }
            }
            Op::Flood(n) => {
                for _ in 0..n {
                    let mut m = forced_junk(self.queue_len, self.l1_head() + 1, self.l1_time() + 1);
                    m.sender = Address::repeat_byte(0xf1);
                    self.queue_len += 1;
                    self.pending.push(queued(m));
                }
            }
            Op::Mine => self.mine(),
            Op::Reorg(depth) => self.reorg(u64::from(depth)),
        }
    }

    fn message(&mut self, kind: L1MessageKind) -> L1Message {
        let m = L1Message {
            index: self.queue_len,
            l1_block: self.l1_head() + 1,
            timestamp: self.l1_time() + 1,
            sender: Address::repeat_byte(9),
            kind,
        };
        self.queue_len += 1;
        m
    }

    /// The producer: waiting queue messages first under the byte cap, then the pool. False when
    /// there was nothing to seal.
    fn produce(&mut self) -> bool {
        let head = self.seq.chain.head();
        let waiting = self.seq.deriver.queue_from(head.queue_index);
        let l1_messages = waiting[..pillar_stf::l1_messages_fitting(waiting)].to_vec();
        let txs: Vec<VerifiedTransaction> = self.pool.drain(..self.pool.len().min(4)).collect();
        if l1_messages.is_empty() && txs.is_empty() {
            return false;
        }
        let input = BlockInput {
            timestamp_ms: (self.l1_time() * 1000).max(head.timestamp_ms),
            l1_origin: self.seq.deriver.next_l1_block().saturating_sub(1).max(head.l1_origin),
            l1_messages,
            txs,
        };
        let sealed = self.seq.chain.build_block_with(input).unwrap();
        assert!(sealed.dropped.is_empty(), "the pool is in nonce order: {:?}", sealed.dropped);
        true
    }

    /// The batcher, as `pillar-node` runs it. False when there was nothing to post.
    fn post(&mut self) -> bool {
        let l1_derived = self.seq.deriver.next_l1_block().saturating_sub(1);
        let plan = self.planner.next(self.seq.chain.heads().safe, l1_derived);
        let head = self.seq.chain.head().height;
        let blocks: Vec<Block> = (plan.first..=head.min(plan.first + BATCH_BLOCKS - 1))
            .map_while(|h| self.seq.chain.ledger().block(h).unwrap())
            .take_while(|b| b.header.l1_origin <= self.l1_head())
            .collect();
        let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else { return false };
        let (first, last) = (first.header.height, last.header.height);
        self.batches += 1;
        self.pending.push(posted(
            self.batches,
            Address::repeat_byte(0x5e),
            first,
            last,
            encode_batch(&blocks),
        ));
        self.planner.posted(InFlight { first, last, l1_block: self.l1_head() + 1 });
        true
    }

    fn mine(&mut self) {
        let number = self.l1_head() + 1;
        let mut hash = [self.fork; 32];
        hash[..8].copy_from_slice(&number.to_be_bytes());
        let block = SimBlock {
            number,
            hash: B256::from(hash),
            timestamp: self.l1_time() + 1,
            events: std::mem::take(&mut self.pending),
        };
        self.l1.push(block);
        self.derive();
    }

    fn reorg(&mut self, depth: u64) {
        let keep = self.l1.len().saturating_sub(depth as usize);
        self.l1.truncate(keep);
        self.pending.clear();
        self.fork += 1;
        self.queue_len =
            self.l1.iter().flat_map(|b| &b.events).filter(|e| matches!(e, L1Event::Queue(_))).count() as u64;
        for n in [&mut self.seq, &mut self.rep] {
            let canonical: HashMap<u64, B256> = self.l1.iter().map(|b| (b.number, b.hash)).collect();
            let journal: Vec<(u64, B256)> = n.deriver.journal().collect();
            if journal.first().is_some_and(|(num, h)| canonical.get(num) == Some(h)) {
                continue;
            }
            let to = journal.iter().find(|(num, h)| canonical.get(num) == Some(h)).map_or(0, |(num, _)| *num);
            n.deriver.rewind_to(to).unwrap();
        }
        self.readmit_orphans();
        for _ in 0..depth {
            self.mine();
        }
    }

    /// Both nodes derive every L1 block `CONF` deep.
    fn derive(&mut self) {
        let target = self.l1_head().saturating_sub(CONF);
        for n in [&mut self.seq, &mut self.rep] {
            while n.deriver.next_l1_block() <= target {
                let b = &self.l1[(n.deriver.next_l1_block() - 1) as usize];
                n.deriver
                    .feed(L1BlockData {
                        info: L1BlockInfo { number: b.number, hash: b.hash, timestamp: b.timestamp },
                        events: b.events.clone(),
                    })
                    .unwrap();
            }
        }
        if self.seq.deriver.needs_recheck() {
            self.seq.deriver.drop_lost_messages().unwrap();
        }
        self.readmit_orphans();
    }

    /// Transactions of blocks derivation removed go back ahead of the pool, as the sequencer's
    /// `with_production_paused` does; those the new head already holds are not repeated.
    fn readmit_orphans(&mut self) {
        let orphaned = self.seq.deriver.take_orphaned();
        if orphaned.is_empty() {
            return;
        }
        let mut again: Vec<VerifiedTransaction> = orphaned
            .into_iter()
            .flat_map(|b| b.transactions)
            .filter_map(|t| match t {
                ChainTx::Signed(tx) => Some(tx.verify().unwrap()),
                ChainTx::L1(_) => None,
            })
            .collect();
        again.append(&mut self.pool);
        let state_nonce = pillar_accounts::nonce(&self.seq.chain.snapshot(), &key(0).address()).unwrap();
        self.pool = again.into_iter().filter(|t| t.tx.tx.nonce >= state_nonce).collect();
        self.pool.sort_by_key(|t| t.tx.tx.nonce);
        self.pool.dedup_by_key(|t| t.hash);
    }

    /// Runs the honest parties until nothing is left to settle. They must get there before any
    /// queue message could fall due, so recovery cannot lean on derivation forcing blocks in (on a
    /// real chain the deadline is hours): each L1 block they seal everything waiting, post every
    /// batch, and mine.
    fn settle(&mut self) {
        for _ in 0..DEADLINE - 2 {
            let head = self.seq.chain.head();
            let settled = self.pool.is_empty()
                && self.seq.deriver.queue_from(head.queue_index).is_empty()
                && self.seq.chain.heads().safe == head.height
                && self.rep.chain.heads().safe == head.height
                && self.seq.deriver.queue_len() == self.queue_len;
            if settled {
                return;
            }
            while self.produce() {}
            while self.post() {}
            self.mine();
        }
        panic!(
            "no settlement: sequencer head {} safe {}, replica safe {}, pool {}",
            self.seq.chain.head().height,
            self.seq.chain.heads().safe,
            self.rep.chain.heads().safe,
            self.pool.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn outsiders_on_l1_neither_stall_nor_split_the_chain(ops in prop::collection::vec(op(), 5..40)) {
        let mut sim = Sim::new();
        for op in ops {
            sim.apply(op);
        }
        sim.settle();
        let head = sim.seq.chain.head();
        prop_assert_eq!(sim.rep.chain.head(), head.clone(), "one chain");
        // Every acknowledged transaction once; every queue message L1 holds once, in order.
        let mut included: HashMap<B256, u32> = HashMap::new();
        let mut next_message = 0;
        for h in 1..=head.height {
            for t in sim.seq.chain.ledger().block(h).unwrap().unwrap().transactions {
                match t {
                    ChainTx::Signed(tx) => *included.entry(tx.hash()).or_default() += 1,
                    ChainTx::L1(m) => {
                        prop_assert_eq!(m.index, next_message);
                        next_message += 1;
                    }
                }
            }
        }
        prop_assert_eq!(next_message, sim.queue_len);
        for hash in &sim.acknowledged {
            prop_assert_eq!(included.get(hash).copied(), Some(1), "transaction {} lost or repeated", hash);
        }
    }
}
