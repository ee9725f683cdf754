//! Admission and block production.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use parking_lot::{Condvar, Mutex};
use pillar_chain::{BlockInput, BlockTimings, Chain};
use pillar_runtime::ValidateError;
use pillar_state::StateRead;
use pillar_stf::{
    Address, B256, Block, ChainTx, ENTRY_OVERHEAD_BYTES, Header, L1Message, Receipt, SignedTransaction,
    VerifiedTransaction,
};
use tokio::sync::broadcast;
use tracing::{debug, error, info};

use crate::{Mempool, PoolConfig, Rejection, SequencerMetrics};
use pillar_chain::{BlockNotification, Dropped};

/// Sequencer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequencerConfig {
    /// Time between blocks (at least 1 ms).
    pub block_time: Duration,
    /// Most transactions in a block; a full block is produced at once.
    pub max_block_txs: usize,
    /// Bytes of entries (each entry's encoding plus `ENTRY_OVERHEAD_BYTES`, L1 messages
    /// included) up to which a block fits one batch of its carrier whatever they are
    /// (`pillar_derive::max_block_bytes`). L1 messages take at most `MAX_BLOCK_L1_BYTES`.
    pub max_block_bytes: usize,
    /// The carrier's largest batch. A block past `max_block_bytes` is kept only as far as it
    /// compresses into this, measured as the batcher encodes it, so every block fits one batch.
    pub max_batch_bytes: usize,
    /// Pool limits.
    pub pool: PoolConfig,
    /// TEST ONLY: silently ignore this sender's transactions, and stop consuming the L1 queue at
    /// its first forced transaction (a censoring sequencer, for forced-inclusion tests).
    pub censor: Option<Address>,
}

impl Default for SequencerConfig {
    fn default() -> Self {
        Self {
            block_time: Duration::from_millis(50),
            max_block_txs: 10_000,
            max_block_bytes: pillar_derive::max_block_bytes(SIX_BLOBS),
            max_batch_bytes: SIX_BLOBS,
            pool: PoolConfig::default(),
            censor: None,
        }
    }
}

struct Shared {
    chain: Arc<Chain>,
    config: SequencerConfig,
    pool: Mutex<Mempool>,
    wake: Condvar,
    /// Held while a block is built, from taking its inputs to announcing it, and by whoever
    /// rewrites the chain under the producer (derivation adopting what L1 settled).
    build: Mutex<()>,
    stop: AtomicBool,
    halted: Mutex<Option<String>>,
    /// L1 queue messages confirmed on L1 and not yet in a block, in queue order.
    l1: Mutex<L1Inbox>,
    metrics: SequencerMetrics,
}

struct L1Inbox {
    messages: std::collections::VecDeque<L1Message>,
    /// Index of the next message to accept: past everything handed to a block or waiting.
    next: u64,
    origin: u64,
}

/// A running sequencer. Dropping it does not stop the producer; call [`Sequencer::shutdown`].
#[derive(Clone)]
pub struct Sequencer {
    shared: Arc<Shared>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Sequencer {
    /// Starts the block producer thread.
    pub fn start(chain: Arc<Chain>, config: SequencerConfig) -> (Self, JoinHandle<()>) {
        let this = Self::new(chain, config);
        let producer = Arc::clone(&this.shared);
        let handle = std::thread::Builder::new()
            .name("block-producer".into())
            .spawn(move || produce(&producer))
            .expect("spawning a thread");
        (this, handle)
    }

    /// Announces a block that became durable outside the producer (derivation adopting what L1
    /// settled), on the chain, and counts it.
    pub fn announce(&self, header: &Header, receipts: Vec<Receipt>) {
        self.shared.metrics.on_block(receipts.len() as u64, &BlockTimings::default());
        self.shared.chain.announce(BlockNotification::imported(header, receipts));
    }

    fn new(chain: Arc<Chain>, config: SequencerConfig) -> Self {
        let config = SequencerConfig {
            block_time: config.block_time.max(Duration::from_millis(1)),
            max_block_txs: config.max_block_txs.max(1),
            max_block_bytes: config.max_block_bytes.max(MAX_TX_COST),
            max_batch_bytes: config.max_batch_bytes.max(config.max_block_bytes.max(MAX_TX_COST)),
            ..config
        };
        let head = chain.head();
        let shared = Arc::new(Shared {
            chain,
            config,
            pool: Mutex::new(Mempool::new(config.pool)),
            wake: Condvar::new(),
            build: Mutex::new(()),
            stop: AtomicBool::new(false),
            halted: Mutex::new(None),
            l1: Mutex::new(L1Inbox {
                messages: Default::default(),
                next: head.queue_index,
                origin: head.l1_origin,
            }),
            metrics: SequencerMetrics::default(),
        });
        Self { shared }
    }

    /// The chain.
    pub fn chain(&self) -> &Arc<Chain> {
        &self.shared.chain
    }

    /// The settings in force.
    pub fn config(&self) -> SequencerConfig {
        self.shared.config
    }

    /// New blocks, as they become durable (the chain's notifications).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<BlockNotification>> {
        self.shared.chain.subscribe()
    }

    /// Counters and latency histograms for operators.
    pub fn metrics(&self) -> &SequencerMetrics {
        &self.shared.metrics
    }

    /// Pending transactions.
    pub fn pool_len(&self) -> usize {
        self.shared.pool.lock().len()
    }

    /// Why block production stopped, if it did.
    pub fn halted(&self) -> Option<String> {
        self.shared.halted.lock().clone()
    }

    /// Decodes and submits canonical transaction bytes.
    pub fn submit_bytes(&self, bytes: &[u8]) -> Result<B256, Rejection> {
        self.submit(SignedTransaction::decode(bytes)?)
    }

    /// The runtime's stateless checks (chain id, a module for the call and for any envelope, the
    /// call's arguments), run before the signature is recovered so that a malformed transaction
    /// costs no recovery. Admission then runs only the modules' checks against state.
    fn precheck(&self, tx: &SignedTransaction) -> Result<(), Rejection> {
        self.shared.chain.runtime().check_static(tx).map_err(Rejection::from)
    }

    /// Submits one transaction.
    pub fn submit(&self, tx: SignedTransaction) -> Result<B256, Rejection> {
        self.precheck(&tx).inspect_err(|_| self.count_rejected(1))?;
        let started = Instant::now();
        let verified = tx.verify();
        self.shared.metrics.on_signatures(1, started.elapsed());
        let verified = verified.inspect_err(|_| self.count_rejected(1))?;
        self.admit(vec![verified]).pop().expect("one in, one out")
    }

    fn count_rejected(&self, n: usize) {
        self.shared.metrics.rejected.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Submits many transactions, checking their signatures on all cores (secp256k1 and P-256
    /// in parallel, ed25519 session signatures in batches).
    pub fn submit_batch(&self, txs: Vec<SignedTransaction>) -> Vec<Result<B256, Rejection>> {
        // Stateless refusals first, in place; only the rest have their signatures recovered.
        let prechecked: Vec<Result<(), Rejection>> = txs.iter().map(|t| self.precheck(t)).collect();
        let to_verify: Vec<SignedTransaction> =
            txs.into_iter().zip(&prechecked).filter(|(_, p)| p.is_ok()).map(|(t, _)| t).collect();
        let started = Instant::now();
        let n = to_verify.len();
        let mut recovered = SignedTransaction::verify_batch(to_verify).into_iter();
        self.shared.metrics.on_signatures(n, started.elapsed());
        let verified: Vec<Result<VerifiedTransaction, Rejection>> = prechecked
            .into_iter()
            .map(|p| match p {
                Ok(()) => match recovered.next() {
                    Some(r) => r.map_err(Rejection::from),
                    None => Err(Rejection::Unavailable("signature check lost a transaction".into())),
                },
                Err(e) => Err(e),
            })
            .collect();
        self.count_rejected(verified.iter().filter(|r| r.is_err()).count());
        let (ok, positions): (Vec<_>, Vec<_>) =
            verified.iter().enumerate().filter_map(|(i, r)| r.as_ref().ok().map(|v| (v.clone(), i))).unzip();
        let mut admitted = self.admit(ok).into_iter();
        let mut out: Vec<Result<B256, Rejection>> =
            verified.into_iter().map(|r| r.map(|_| B256::ZERO)).collect();
        for i in positions {
            out[i] = admitted.next().expect("one result per admitted transaction");
        }
        out
    }

    /// Stateful checks and pool insertion, under the pool lock so no block lands in between.
    fn admit(&self, txs: Vec<VerifiedTransaction>) -> Vec<Result<B256, Rejection>> {
        if let Some(why) = self.halted() {
            return txs.iter().map(|_| Err(Rejection::Halted(why.clone()))).collect();
        }
        let chain = &self.shared.chain;
        let mut out = Vec::with_capacity(txs.len());
        {
            let mut pool = self.shared.pool.lock();
            let snapshot = chain.snapshot();
            // Remembers each key read for the batch: every module's check of one transfer reads
            // the sender's account record (nonce, fee, amount) and the fee config again, and each
            // NOMT read is a B-tree lookup.
            let memo = pillar_state::BlockOverlay::new(&snapshot);
            for tx in txs {
                if self.shared.config.censor == Some(tx.sender) {
                    // Test-only censorship: acknowledged, never included.
                    out.push(Ok(tx.hash));
                    continue;
                }
                out.push(admit_one(chain, &memo, &mut pool, tx));
            }
            self.count_rejected(out.iter().filter(|r| r.is_err()).count());
            let ready = pool.len() >= self.shared.config.max_block_txs;
            drop(memo);
            drop(snapshot);
            drop(pool);
            if ready {
                self.shared.wake.notify_one();
            }
        }
        out
    }

    /// Hands over L1 queue messages (confirmed on L1, in queue order) and the L1 block they were
    /// read up to. The next block consumes every message that continues the queue; messages the
    /// chain already consumed are ignored, so the watcher may re-deliver after a restart.
    pub fn enqueue_l1(&self, messages: Vec<L1Message>, l1_origin: u64) {
        let mut inbox = self.shared.l1.lock();
        for m in messages {
            if m.index < inbox.next {
                continue;
            }
            if m.index > inbox.next {
                tracing::warn!(
                    expected = inbox.next,
                    got = m.index,
                    "gap in L1 queue messages; waiting for the missing ones"
                );
                break;
            }
            inbox.next += 1;
            inbox.messages.push_back(m);
        }
        inbox.origin = inbox.origin.max(l1_origin);
        drop(inbox);
        let _guard = self.shared.pool.lock();
        self.shared.wake.notify_one();
    }

    /// Runs `f` with block production paused. `f` may roll the chain back and append blocks
    /// (the sequencer's own derivation adopting what L1 settled: a forced block, a replaced soft
    /// block, a rollback after an L1 reorg) and returns, with its result, the blocks it removed.
    ///
    /// If the head moved, production resumes on the new head: the signed transactions of the
    /// removed blocks go back into the pool ahead of what was pending (everything re-admitted
    /// against the new state, so nothing acknowledged is lost and nothing runs twice), the L1
    /// inbox restarts at the new head's queue index (the caller hands the queue over again), and
    /// subscribers see the new head through the blocks announced next.
    pub fn with_production_paused<R>(&self, f: impl FnOnce() -> (R, Vec<Block>)) -> R {
        let _build = self.shared.build.lock();
        let before = self.shared.chain.head().hash();
        let (out, removed) = f();
        let head = self.shared.chain.head();
        if head.hash() != before || !removed.is_empty() {
            self.resume_on(&head, removed);
        }
        out
    }

    fn resume_on(&self, head: &Header, removed: Vec<Block>) {
        {
            let mut inbox = self.shared.l1.lock();
            inbox.messages.clear();
            inbox.next = head.queue_index;
            inbox.origin = inbox.origin.max(head.l1_origin);
        }
        let orphans: Vec<SignedTransaction> = removed
            .into_iter()
            .flat_map(|b| b.transactions)
            .filter_map(|t| match t {
                ChainTx::Signed(tx) => Some(tx),
                ChainTx::L1(_) => None,
            })
            .collect();
        let pending = self.shared.pool.lock().drain_all();
        let n_orphans = orphans.len();
        let mut again: Vec<VerifiedTransaction> =
            SignedTransaction::verify_batch(orphans).into_iter().filter_map(Result::ok).collect();
        again.extend(pending);
        let total = again.len();
        let kept = self.admit(again).iter().filter(|r| r.is_ok()).count();
        tracing::warn!(
            height = head.height,
            orphaned_txs = n_orphans,
            readmitted = kept,
            refused = total - kept,
            "the chain moved under the producer (derivation adopted L1's blocks); production resumes on the new head"
        );
    }

    /// The queue index of the next L1 message the sequencer does not hold yet (in a block or
    /// waiting for one): where [`Sequencer::enqueue_l1`] continues.
    pub fn l1_next(&self) -> u64 {
        self.shared.l1.lock().next
    }

    /// L1 queue messages waiting for a block.
    pub fn l1_backlog(&self) -> usize {
        self.shared.l1.lock().messages.len()
    }

    /// Stops the producer after the block in progress.
    pub fn shutdown(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _guard = self.shared.pool.lock();
        self.shared.wake.notify_all();
    }
}

fn admit_one(
    chain: &Chain,
    snapshot: &dyn StateRead,
    pool: &mut Mempool,
    tx: VerifiedTransaction,
) -> Result<B256, Rejection> {
    // `check_static` ran in `precheck`, before the signature was recovered.
    match chain.runtime().validate_state(&tx, snapshot) {
        Ok(()) => {}
        Err(ValidateError::Invalid(i)) => return Err(i.into()),
        Err(ValidateError::State(e)) => return Err(Rejection::Unavailable(e.to_string())),
    }
    // `accounts` is mandatory on every chain (the config refuses one without it), so its typed
    // accessor is read directly rather than through a JSON query on every admission.
    let state_nonce =
        pillar_accounts::nonce(snapshot, &tx.sender).map_err(|e| Rejection::Unavailable(e.to_string()))?;
    pool.insert(tx, state_nonce)
}

/// Six blobs of 4096 field elements with 31 usable bytes each, less the field element the blob
/// coder spends on the length: the default carrier (`pillar-node` sets the configured one).
const SIX_BLOBS: usize = 6 * 4096 * 31 - 32;

/// The largest a single transaction can cost in a block: the floor of any byte budget.
const MAX_TX_COST: usize = pillar_stf::MAX_TX_SIZE + ENTRY_OVERHEAD_BYTES;

/// Whether `m` is a forced transaction signed by `sender`.
fn is_forced_by(m: &L1Message, sender: Address) -> bool {
    match &m.kind {
        pillar_stf::L1MessageKind::ForcedTx { tx } => SignedTransaction::decode(tx)
            .ok()
            .and_then(|t| t.verify().ok())
            .is_some_and(|v| v.sender == sender),
        _ => false,
    }
}

fn produce(shared: &Shared) {
    let cfg = shared.config;
    info!(
        block_time_ms = cfg.block_time.as_millis() as u64,
        max_block_txs = cfg.max_block_txs,
        "block producer started"
    );
    let mut deadline = Instant::now() + cfg.block_time;
    loop {
        {
            let mut pool = shared.pool.lock();
            while !shared.stop.load(Ordering::SeqCst)
                && pool.len() < cfg.max_block_txs
                && Instant::now() < deadline
            {
                shared.wake.wait_until(&mut pool, deadline);
            }
            if shared.stop.load(Ordering::SeqCst) {
                break;
            }
        }
        let _build = shared.build.lock();
        let started = Instant::now();
        deadline = started + cfg.block_time;
        // L1 messages first (the queue must advance), within their own cap, then transactions in
        // what is left of the block's byte budget.
        let (l1_messages, l1_origin) = {
            let mut inbox = shared.l1.lock();
            // Contiguous from the head's queue index by construction of `enqueue_l1`.
            let waiting = match cfg.censor {
                Some(censored) => inbox.messages.iter().take_while(|m| !is_forced_by(m, censored)).count(),
                None => inbox.messages.len(),
            };
            inbox.messages.make_contiguous();
            let take = pillar_stf::l1_messages_fitting(&inbox.messages.as_slices().0[..waiting]);
            (inbox.messages.drain(..take).collect::<Vec<_>>(), inbox.origin)
        };
        // Take what could fit if it compresses (twice the carrier's bytes: few blocks compress better than that), then keep
        // what does fit; the rest goes back to the pool, first in line.
        let mut txs = shared.pool.lock().take_ready_within(cfg.max_block_txs, cfg.max_batch_bytes * 2);
        let keep = crate::fit::fitting_txs(&l1_messages, &txs, cfg.max_block_bytes, cfg.max_batch_bytes);
        if keep < txs.len() {
            let rest = txs.split_off(keep);
            shared.pool.lock().restore(rest);
        }
        if txs.is_empty() && l1_messages.is_empty() {
            continue;
        }
        let senders: std::collections::HashMap<B256, Address> =
            txs.iter().map(|t| (t.hash, t.sender)).collect();
        let input = BlockInput { timestamp_ms: now_ms(), l1_origin, l1_messages, txs };
        let sealed = match shared.chain.build_block_with(input) {
            Ok(s) => s,
            Err(e) => {
                error!(error = %e, "block production failed; the node stops producing blocks");
                *shared.halted.lock() = Some(e.to_string());
                break;
            }
        };
        let mut dropped: Vec<Dropped> = sealed
            .dropped
            .iter()
            .map(|(hash, why)| Dropped { hash: *hash, reason: why.to_string() })
            .collect();
        let dropped_senders: Vec<Address> =
            sealed.dropped.iter().filter_map(|(h, _)| senders.get(h).copied()).collect();
        dropped.extend(shared.pool.lock().on_block(&dropped_senders));
        let t = sealed.timings;
        shared.metrics.on_block(sealed.receipts.len() as u64, &t);
        debug!(
            height = sealed.block.header.height,
            txs = sealed.receipts.len(),
            dropped = dropped.len(),
            execute_us = t.execute_us,
            root_us = t.root_us,
            ledger_us = t.ledger_us,
            commit_us = t.commit_us,
            "sealed block"
        );
        shared.chain.announce(BlockNotification {
            header: sealed.block.header,
            hash: sealed.hash,
            receipts: sealed.receipts,
            dropped,
            timings: t,
        });
    }
    info!("block producer stopped");
}
