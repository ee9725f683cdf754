//! The transaction pool: pending transactions per sender in nonce order, bounded in total and
//! per sender.
//!
//! Transactions arrive already verified (signatures are checked outside the pool's lock, in
//! parallel). The block producer takes ready runs of consecutive nonces, sender by sender in
//! arrival order, and reports back what the block did with them.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use pillar_stf::{Address, B256, VerifiedTransaction};

use crate::Rejection;

/// Pool limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most transactions held.
    pub max_size: usize,
    /// Most transactions held per sender.
    pub max_per_sender: usize,
    /// How far past the sender's next nonce a transaction may be.
    pub max_nonce_gap: u64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_size: 200_000, max_per_sender: 1024, max_nonce_gap: 64 }
    }
}

#[derive(Debug)]
struct SenderTxs {
    /// Next nonce not yet taken for a block (ahead of state while a block is being built).
    next_nonce: u64,
    txs: BTreeMap<u64, VerifiedTransaction>,
    queued: bool,
}

/// The pool.
#[derive(Debug)]
pub struct Mempool {
    config: PoolConfig,
    senders: HashMap<Address, SenderTxs>,
    order: VecDeque<Address>,
    hashes: HashSet<B256>,
}

pub use pillar_chain::Dropped;

impl Mempool {
    /// An empty pool.
    pub fn new(config: PoolConfig) -> Self {
        Self { config, senders: HashMap::new(), order: VecDeque::new(), hashes: HashSet::new() }
    }

    /// Transactions held.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether `hash` is pending.
    pub fn contains(&self, hash: &B256) -> bool {
        self.hashes.contains(hash)
    }

    /// The next nonce the pool expects from `sender`, if it tracks the sender (it does while the
    /// sender has pending or in-flight transactions).
    pub fn next_nonce(&self, sender: &Address) -> Option<u64> {
        self.senders.get(sender).map(|s| s.next_nonce)
    }

    /// Adds a verified transaction; `state_nonce` is the sender's nonce in committed state, read
    /// while holding the pool (so no block can land in between).
    pub fn insert(&mut self, tx: VerifiedTransaction, state_nonce: u64) -> Result<B256, Rejection> {
        if self.hashes.contains(&tx.hash) {
            return Err(Rejection::AlreadyKnown);
        }
        let nonce = tx.tx.tx.nonce;
        let sender = tx.sender;
        let cfg = self.config;
        let full = self.hashes.len() >= cfg.max_size;
        let entry = self.senders.entry(tx.sender).or_insert_with(|| SenderTxs {
            next_nonce: state_nonce,
            txs: BTreeMap::new(),
            queued: false,
        });
        let expected = entry.next_nonce.max(state_nonce);
        if nonce < expected {
            return Err(Rejection::NonceTooLow { expected, got: nonce });
        }
        // A stream of consecutive nonces is bounded by `max_per_sender`, not by the gap: the gap
        // is measured from the end of the sender's consecutive pending run.
        let run_end = contiguous_end(&entry.txs, expected);
        if nonce > run_end && nonce - run_end > cfg.max_nonce_gap {
            return Err(Rejection::NonceGapTooLarge {
                expected: run_end,
                got: nonce,
                max_gap: cfg.max_nonce_gap,
            });
        }
        if entry.txs.contains_key(&nonce) {
            return Err(Rejection::NonceAlreadyPending { nonce });
        }
        if entry.txs.len() >= cfg.max_per_sender {
            return Err(Rejection::SenderLimit { limit: cfg.max_per_sender });
        }
        if full {
            return Err(Rejection::PoolFull { capacity: cfg.max_size });
        }
        let hash = tx.hash;
        entry.txs.insert(nonce, tx);
        if !entry.queued {
            entry.queued = true;
            self.order.push_back(sender);
        }
        self.hashes.insert(hash);
        Ok(hash)
    }

    /// Takes up to `max` transactions that can run now: for each sender in arrival order, its
    /// run of consecutive nonces from its next nonce.
    pub fn take_ready(&mut self, max: usize) -> Vec<VerifiedTransaction> {
        self.take_ready_within(max, usize::MAX)
    }

    /// [`Mempool::take_ready`] under a byte budget too: each transaction costs its encoded size
    /// plus `ENTRY_OVERHEAD_BYTES`, and taking stops at the first that would not fit.
    pub fn take_ready_within(&mut self, max: usize, max_bytes: usize) -> Vec<VerifiedTransaction> {
        let mut out = Vec::with_capacity(max.min(self.hashes.len()));
        let mut requeue = Vec::new();
        let mut bytes = 0usize;
        let mut full = false;
        while out.len() < max && !full {
            let Some(sender) = self.order.pop_front() else { break };
            let Some(entry) = self.senders.get_mut(&sender) else { continue };
            while out.len() < max {
                match entry.txs.first_key_value() {
                    Some((&n, tx)) if n == entry.next_nonce => {
                        let cost = tx.size + pillar_stf::ENTRY_OVERHEAD_BYTES;
                        if bytes + cost > max_bytes {
                            full = true;
                            break;
                        }
                        bytes += cost;
                        let (_, tx) = entry.txs.pop_first().expect("checked non-empty");
                        self.hashes.remove(&tx.hash);
                        entry.next_nonce += 1;
                        out.push(tx);
                    }
                    _ => break,
                }
            }
            if entry.txs.is_empty() {
                entry.queued = false;
            } else {
                requeue.push(sender);
            }
        }
        // Senders still waiting (a gap, or the block filled) keep their place at the front.
        for s in requeue.into_iter().rev() {
            self.order.push_front(s);
        }
        out
    }

    /// Puts back transactions [`Mempool::take_ready`] handed out that did not go into the block
    /// (the tail of what was taken, so a suffix of each sender's run): each sender's next nonce
    /// returns to its first one put back, and those senders go first in the order again.
    pub fn restore(&mut self, txs: Vec<VerifiedTransaction>) {
        let mut front = Vec::new();
        for tx in txs {
            let nonce = tx.tx.tx.nonce;
            let sender = tx.sender;
            let entry = self.senders.entry(sender).or_insert_with(|| SenderTxs {
                next_nonce: nonce,
                txs: BTreeMap::new(),
                queued: false,
            });
            entry.next_nonce = entry.next_nonce.min(nonce);
            self.hashes.insert(tx.hash);
            entry.txs.insert(nonce, tx);
            if !entry.queued {
                entry.queued = true;
                front.push(sender);
            }
        }
        for s in front.into_iter().rev() {
            self.order.push_front(s);
        }
    }

    /// Empties the pool, returning every pending transaction, each sender's in nonce order (for
    /// re-admission against a new head after a rollback).
    pub fn drain_all(&mut self) -> Vec<VerifiedTransaction> {
        self.order.clear();
        self.hashes.clear();
        self.senders.drain().flat_map(|(_, e)| e.txs.into_values()).collect()
    }

    /// Updates the pool after a block: senders whose taken transactions were dropped lose their
    /// later transactions too (they could not run), and are forgotten so their next submission
    /// starts again from committed state. Returns the evicted transactions.
    pub fn on_block(&mut self, dropped_senders: &[Address]) -> Vec<Dropped> {
        let mut evicted = Vec::new();
        for sender in dropped_senders {
            if let Some(entry) = self.senders.remove(sender) {
                for (_, tx) in entry.txs {
                    self.hashes.remove(&tx.hash);
                    evicted.push(Dropped {
                        hash: tx.hash,
                        reason: "evicted: an earlier nonce of the same sender was dropped".into(),
                    });
                }
            }
        }
        self.senders.retain(|_, e| !e.txs.is_empty());
        self.order.retain(|s| self.senders.contains_key(s));
        for (s, e) in self.senders.iter_mut() {
            if !e.queued {
                e.queued = true;
                self.order.push_back(*s);
            }
        }
        evicted
    }
}

/// The first nonce from `from` on that is not pending: the end of the consecutive run.
fn contiguous_end<T>(txs: &BTreeMap<u64, T>, from: u64) -> u64 {
    match (txs.first_key_value(), txs.last_key_value()) {
        // The usual case, a client streaming in order: one run, found in O(log n).
        (Some((&first, _)), Some((&last, _))) if first == from && last - first + 1 == txs.len() as u64 => {
            last + 1
        }
        _ => {
            let mut n = from;
            while txs.contains_key(&n) {
                n += 1;
            }
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pillar_assets::Transfer;
    use pillar_stf::{Call, PrivateKey, Transaction};

    fn tx(key: u8, nonce: u64) -> VerifiedTransaction {
        PrivateKey::from_bytes([key; 32])
            .unwrap()
            .sign(Transaction {
                chain_id: 1,
                nonce,
                max_fee: 0,
                call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: Address::ZERO,
                    asset: 0,
                    amount: 1,
                })),
            })
            .verify()
            .unwrap()
    }

    fn cfg() -> PoolConfig {
        PoolConfig { max_size: 10, max_per_sender: 4, max_nonce_gap: 3 }
    }

    #[test]
    fn orders_by_nonce_and_waits_for_gaps() {
        let mut p = Mempool::new(cfg());
        p.insert(tx(1, 2), 0).unwrap();
        p.insert(tx(1, 0), 0).unwrap();
        p.insert(tx(2, 5), 5).unwrap();
        let got: Vec<_> = p.take_ready(10).iter().map(|t| (t.sender, t.tx.tx.nonce)).collect();
        assert_eq!(got, vec![(tx(1, 0).sender, 0), (tx(2, 0).sender, 5)]);
        assert_eq!(p.len(), 1, "nonce 2 waits for nonce 1");
        p.insert(tx(1, 1), 0).unwrap();
        let got: Vec<_> = p.take_ready(10).iter().map(|t| t.tx.tx.nonce).collect();
        assert_eq!(got, vec![1, 2]);
        assert!(p.is_empty());
    }

    #[test]
    fn a_byte_budget_stops_taking_and_keeps_the_rest_in_order() {
        let mut p = Mempool::new(cfg());
        for n in 0..4 {
            p.insert(tx(1, n), 0).unwrap();
        }
        let cost = tx(1, 0).size + pillar_stf::ENTRY_OVERHEAD_BYTES;
        let got: Vec<_> =
            p.take_ready_within(10, 2 * cost + cost / 2).iter().map(|t| t.tx.tx.nonce).collect();
        assert_eq!(got, vec![0, 1]);
        let got: Vec<_> = p.take_ready_within(10, usize::MAX).iter().map(|t| t.tx.tx.nonce).collect();
        assert_eq!(got, vec![2, 3]);
    }

    #[test]
    fn restored_transactions_are_taken_first_in_the_next_block() {
        let mut p = Mempool::new(cfg());
        for n in 0..4 {
            p.insert(tx(1, n), 0).unwrap();
        }
        p.insert(tx(2, 0), 0).unwrap();
        let mut taken = p.take_ready(10);
        assert_eq!(taken.len(), 5);
        // The block kept the first two of sender 1; the rest goes back.
        let back = taken.split_off(2);
        p.restore(back);
        assert_eq!(p.len(), 3);
        let next: Vec<_> = p.take_ready(10).iter().map(|t| (t.sender, t.tx.tx.nonce)).collect();
        let (a, b) = (tx(1, 0).sender, tx(2, 0).sender);
        assert_eq!(next, vec![(a, 2), (a, 3), (b, 0)]);
        // Nonces continue after what was kept.
        assert_eq!(p.insert(tx(1, 4), 2), Ok(tx(1, 4).hash));
    }

    #[test]
    fn drain_all_returns_each_senders_transactions_in_nonce_order() {
        let mut p = Mempool::new(cfg());
        for n in [2, 0, 1] {
            p.insert(tx(1, n), 0).unwrap();
        }
        p.insert(tx(2, 0), 0).unwrap();
        let all = p.drain_all();
        assert!(p.is_empty());
        let of = |k: u8| -> Vec<u64> {
            all.iter().filter(|t| t.sender == tx(k, 0).sender).map(|t| t.tx.tx.nonce).collect()
        };
        assert_eq!((of(1), of(2)), (vec![0, 1, 2], vec![0]));
        // The pool starts over: the same transactions are welcome again.
        p.insert(tx(1, 0), 0).unwrap();
    }

    #[test]
    fn refusals() {
        let mut p = Mempool::new(cfg());
        p.insert(tx(1, 0), 0).unwrap();
        assert_eq!(p.insert(tx(1, 0), 0), Err(Rejection::AlreadyKnown));
        assert!(matches!(
            p.insert(tx(1, 9), 0),
            Err(Rejection::NonceGapTooLarge { expected: 1, got: 9, .. })
        ));
        assert!(matches!(p.insert(tx(3, 1), 2), Err(Rejection::NonceTooLow { expected: 2, got: 1 })));
        for n in 1..4 {
            p.insert(tx(1, n), 0).unwrap();
        }
        assert!(matches!(
            p.insert(tx(1, 4), 0),
            Err(Rejection::NonceGapTooLarge { .. }) | Err(Rejection::SenderLimit { .. })
        ));
        // Taken transactions are in flight: their nonces are too low for a resubmission.
        p.take_ready(2);
        assert!(matches!(p.insert(tx(1, 1), 0), Err(Rejection::NonceTooLow { expected: 2, .. })));
        for k in 10..17 {
            p.insert(tx(k, 0), 0).unwrap();
        }
        assert_eq!(p.len(), 9);
        p.insert(tx(20, 0), 0).unwrap();
        assert!(matches!(p.insert(tx(21, 0), 0), Err(Rejection::PoolFull { capacity: 10 })));
    }

    #[test]
    fn an_in_order_stream_is_bounded_by_the_sender_limit_not_the_gap() {
        let mut p = Mempool::new(PoolConfig { max_size: 100, max_per_sender: 20, max_nonce_gap: 3 });
        for n in 0..15 {
            p.insert(tx(1, n), 0).unwrap();
        }
        // The gap counts from the end of the consecutive run (15), not from the next nonce (0).
        assert!(matches!(
            p.insert(tx(1, 19), 0),
            Err(Rejection::NonceGapTooLarge { expected: 15, got: 19, .. })
        ));
        p.insert(tx(1, 18), 0).unwrap();
        // A hole: the run still ends at 15, so 19 is now 4 past it.
        assert!(matches!(p.insert(tx(1, 19), 0), Err(Rejection::NonceGapTooLarge { expected: 15, .. })));
        for n in 15..18 {
            p.insert(tx(1, n), 0).unwrap();
        }
        p.insert(tx(1, 19), 0).unwrap();
        assert!(matches!(p.insert(tx(1, 20), 0), Err(Rejection::SenderLimit { limit: 20 })));
        assert_eq!(p.take_ready(100).len(), 20);
    }

    #[test]
    fn block_fill_limit_and_eviction_after_drop() {
        let mut p = Mempool::new(cfg());
        for n in 0..4 {
            p.insert(tx(1, n), 0).unwrap();
        }
        assert_eq!(p.take_ready(2).len(), 2);
        let evicted = p.on_block(&[tx(1, 0).sender]);
        assert_eq!(evicted.len(), 2);
        assert!(p.is_empty());
        // Forgotten: the next submission starts from committed state again.
        assert_eq!(p.next_nonce(&tx(1, 0).sender), None);
    }
}
