//! The chain itself.

use std::{path::Path, time::Instant};

use parking_lot::{Mutex, RwLock};
use pillar_runtime::{BlockEnv, BlockError, ExecutedBlock, Genesis, Invalid};
use pillar_state::{BlockOverlay, NomtOptions, NomtStore, Snapshot};
use pillar_stf::Runtime;
use pillar_stf::{B256, Block, ChainTx, ExecTx, Header, Receipt, SignedTransaction, VerifiedTransaction};
use tracing::{info, warn};

use crate::witness_log::{self, BlockWitness};
use crate::{ChainError, Ledger};

/// Storage options.
#[derive(Debug, Clone, Default)]
pub struct ChainOptions {
    /// NOMT tuning.
    pub nomt: NomtOptions,
}

/// Where a block's time went, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockTimings {
    /// Running the transactions.
    pub execute_us: u64,
    /// Computing the new state root.
    pub root_us: u64,
    /// Writing the ledger durably.
    pub ledger_us: u64,
    /// Committing state durably.
    pub commit_us: u64,
}

pub use pillar_stf::BlockInput;

/// A block that is durable, with everything the caller needs to notify clients.
#[derive(Debug, Clone)]
pub struct SealedBlock {
    /// The block.
    pub block: Block,
    /// Its hash.
    pub hash: B256,
    /// Transaction hashes, in order.
    pub tx_hashes: Vec<B256>,
    /// Receipts, in order.
    pub receipts: Vec<Receipt>,
    /// Transactions left out and why.
    pub dropped: Vec<(B256, Invalid)>,
    /// Time spent.
    pub timings: BlockTimings,
}

/// Heights below the head that L1 vouches for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Heads {
    /// Highest block derived from (or, on the sequencer, posted in) L1 batches past the
    /// confirmation depth.
    pub safe: u64,
    /// Highest block covered by a finalized output root on L1.
    pub finalized: u64,
}

/// The durable chain.
pub struct Chain {
    runtime: Runtime,
    state: NomtStore,
    ledger: Ledger,
    head: RwLock<Header>,
    heads: RwLock<Heads>,
    /// Serialises writers (block production, imports, rollbacks): each assumes the head it read
    /// is still the head when it commits.
    writer: Mutex<()>,
    rollback_window: u32,
    blocks: crate::notify::Notifier,
    /// Whether the witness recorder is on ([`Chain::record_witnesses`]).
    recording: std::sync::atomic::AtomicBool,
}

const GENESIS_KEY: &str = "genesis_fingerprint";
/// Height a rollback is taking the chain to, written before NOMT is rolled back and removed with
/// the ledger's truncation, so a crash in between is finished on open.
const ROLLBACK_KEY: &str = "rollback_target";
const HEADS_KEY: &str = "heads";

/// What identifies a chain's beginning: chain id, modules and genesis config.
fn genesis_fingerprint(runtime: &Runtime, genesis: &Genesis) -> B256 {
    let id = serde_json::json!({
        "chainId": runtime.chain_id(),
        "modules": runtime.module_names(),
        "genesis": genesis,
    });
    pillar_stf::keccak256(id.to_string())
}

fn micros(since: Instant) -> u64 {
    since.elapsed().as_micros() as u64
}

impl Chain {
    /// New blocks, as they become durable.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<std::sync::Arc<crate::BlockNotification>> {
        self.blocks.subscribe()
    }

    /// Announces a durable block to subscribers (nobody listening is fine).
    pub fn announce(&self, block: crate::BlockNotification) {
        let _ = self.blocks.send(std::sync::Arc::new(block));
    }

    /// Opens the chain in `dir`, writing genesis on first use and repairing an interrupted
    /// commit.
    pub fn open(
        dir: &Path,
        runtime: Runtime,
        genesis: &Genesis,
        options: &ChainOptions,
    ) -> Result<Self, ChainError> {
        std::fs::create_dir_all(dir).map_err(|e| pillar_state::StateError::Backend {
            op: "create data dir",
            reason: format!("{}: {e}", dir.display()),
        })?;
        let state = NomtStore::open(&dir.join("state"), &options.nomt)?;
        let ledger = Ledger::open(&dir.join("ledger.redb"))?;
        let fingerprint = genesis_fingerprint(&runtime, genesis);
        let head = match ledger.head()? {
            Some(h) => {
                // A data directory belongs to one chain: refuse to run another genesis on it.
                let stored = ledger.meta(GENESIS_KEY)?.unwrap_or_default();
                if stored != fingerprint.as_slice() {
                    return Err(ChainError::GenesisMismatch {
                        stored: B256::try_from(stored.as_slice()).unwrap_or_default(),
                        configured: fingerprint,
                    });
                }
                h
            }
            None => {
                ledger.set_meta(GENESIS_KEY, fingerprint.as_slice())?;
                let header = Self::write_genesis(&runtime, &state, &ledger, genesis)?;
                info!(hash = %header.hash(), state_root = %header.state_root, "wrote genesis");
                header
            }
        };
        let heads = match ledger.meta(HEADS_KEY)? {
            Some(b) if b.len() == 16 => Heads {
                safe: u64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                finalized: u64::from_be_bytes(b[8..].try_into().unwrap_or_default()),
            },
            _ => Heads::default(),
        };
        let chain = Self {
            runtime,
            state,
            ledger,
            head: RwLock::new(head),
            heads: RwLock::new(heads),
            writer: Mutex::new(()),
            rollback_window: options.nomt.rollback_window,
            blocks: tokio::sync::broadcast::channel(crate::notify::CAPACITY).0,
            recording: std::sync::atomic::AtomicBool::new(false),
        };
        chain.finish_rollback()?;
        chain.recover(genesis)?;
        Ok(chain)
    }

    fn genesis_state(
        runtime: &Runtime,
        state: &NomtStore,
        genesis: &Genesis,
    ) -> Result<pillar_state::PendingCommit, ChainError> {
        let snapshot = state.snapshot();
        let changes = {
            let mut overlay = BlockOverlay::new(&snapshot);
            runtime.genesis(genesis, &mut overlay)?;
            overlay.into_changes()
        };
        Ok(state.prepare(snapshot, changes)?)
    }

    fn write_genesis(
        runtime: &Runtime,
        state: &NomtStore,
        ledger: &Ledger,
        genesis: &Genesis,
    ) -> Result<Header, ChainError> {
        let pending = Self::genesis_state(runtime, state, genesis)?;
        let header = Header {
            height: 0,
            parent_hash: B256::ZERO,
            timestamp_ms: genesis.timestamp_ms,
            l1_origin: 0,
            queue_index: 0,
            queue_hash: B256::ZERO,
            state_root: pending.root(),
            tx_root: B256::ZERO,
            receipts_root: B256::ZERO,
            withdrawals_root: B256::ZERO,
            tx_count: 0,
        };
        ledger.append(&Block { header: header.clone(), transactions: vec![] }, &[], &[], None)?;
        state.commit(pending)?;
        Ok(header)
    }

    /// Brings state level with the ledger after a crash between ledger append and state commit.
    fn recover(&self, genesis: &Genesis) -> Result<(), ChainError> {
        let head = self.head();
        let root = self.state.root();
        if root == head.state_root {
            return Ok(());
        }
        let parent_root = match head.height {
            0 => B256::ZERO,
            h => self.ledger.header(h - 1)?.map(|p| p.state_root).unwrap_or_default(),
        };
        if root != parent_root {
            return Err(ChainError::Inconsistent { state_root: root, head: head.height });
        }
        warn!(height = head.height, "state is one block behind the ledger; re-executing the head block");
        if head.height == 0 {
            let pending = Self::genesis_state(&self.runtime, &self.state, genesis)?;
            if pending.root() != head.state_root {
                return Err(ChainError::Diverged {
                    height: 0,
                    expected: head.state_root,
                    got: pending.root(),
                });
            }
            self.state.commit(pending)?;
            return Ok(());
        }
        let block = self
            .ledger
            .block(head.height)?
            .ok_or(ChainError::Inconsistent { state_root: root, head: head.height })?;
        let mut txs = Vec::with_capacity(block.transactions.len());
        for (index, tx) in block.transactions.into_iter().enumerate() {
            txs.push(match tx {
                ChainTx::L1(m) => ExecTx::L1(m),
                ChainTx::Signed(t) => ExecTx::Signed(
                    t.verify().map_err(|_| ChainError::StoredTxInvalid { height: head.height, index })?,
                ),
            });
        }
        let env = BlockEnv {
            chain_id: self.runtime.chain_id(),
            height: head.height,
            timestamp_ms: head.timestamp_ms,
        };
        let snapshot = self.state.snapshot();
        let changes = {
            let mut overlay = BlockOverlay::new(&snapshot);
            self.runtime.execute_block(&env, txs, &mut overlay)?;
            overlay.into_changes()
        };
        let pending = self.state.prepare(snapshot, changes)?;
        if pending.root() != head.state_root {
            return Err(ChainError::Diverged {
                height: head.height,
                expected: head.state_root,
                got: pending.root(),
            });
        }
        self.state.commit(pending)?;
        Ok(())
    }

    /// Completes a rollback a crash interrupted: NOMT may or may not have been rolled back, the
    /// ledger was not yet truncated.
    fn finish_rollback(&self) -> Result<(), ChainError> {
        let Some(bytes) = self.ledger.meta(ROLLBACK_KEY)? else { return Ok(()) };
        let target = u64::from_be_bytes(bytes.as_slice().try_into().unwrap_or_default());
        let head = self.head();
        let target_header = self
            .ledger
            .header(target)?
            .ok_or(ChainError::Inconsistent { state_root: self.state.root(), head: head.height })?;
        if self.state.root() != target_header.state_root {
            self.state.rollback((head.height - target) as usize)?;
        }
        self.ledger.truncate_above(target, Some(ROLLBACK_KEY))?;
        warn!(height = target, "finished a rollback interrupted by a crash");
        self.set_head_after_rollback(target_header)
    }

    fn set_head_after_rollback(&self, header: Header) -> Result<(), ChainError> {
        let height = header.height;
        *self.head.write() = header;
        let mut heads = self.heads.write();
        if heads.safe > height || heads.finalized > height {
            heads.safe = heads.safe.min(height);
            heads.finalized = heads.finalized.min(height);
            self.ledger.set_meta(HEADS_KEY, &encode_heads(&heads))?;
        }
        Ok(())
    }

    /// Undoes every block above `height`: state (NOMT's rollback log), blocks, transactions and
    /// receipts. Used when L1 reorganises or a soft block is replaced by the one L1 settled. Needs
    /// `rollback_window` (in [`NomtOptions`]) of at least the number of blocks undone; refuses to
    /// undo finalized blocks.
    pub fn rollback_to(&self, height: u64) -> Result<(), ChainError> {
        let _writer = self.writer.lock();
        let head = self.head();
        if height >= head.height {
            return Ok(());
        }
        let depth = head.height - height;
        let finalized = self.heads().finalized;
        if height < finalized || depth > u64::from(self.rollback_window) {
            return Err(ChainError::RollbackRefused {
                to: height,
                head: head.height,
                finalized,
                window: self.rollback_window,
            });
        }
        let target = self
            .ledger
            .header(height)?
            .ok_or(ChainError::Inconsistent { state_root: self.state.root(), head: head.height })?;
        self.ledger.set_meta(ROLLBACK_KEY, &height.to_be_bytes())?;
        self.state.rollback(depth as usize)?;
        if self.state.root() != target.state_root {
            return Err(ChainError::Diverged { height, expected: target.state_root, got: self.state.root() });
        }
        self.ledger.truncate_above(height, Some(ROLLBACK_KEY))?;
        warn!(from = head.height, to = height, "rolled the chain back");
        self.set_head_after_rollback(target)
    }

    /// The safe and finalized heights.
    pub fn heads(&self) -> Heads {
        *self.heads.read()
    }

    /// Records the safe and finalized heights (clamped to the head), durably.
    pub fn set_heads(&self, heads: Heads) -> Result<(), ChainError> {
        let height = self.head().height;
        let heads =
            Heads { safe: heads.safe.min(height), finalized: heads.finalized.min(heads.safe).min(height) };
        let mut current = self.heads.write();
        if heads.finalized != current.finalized {
            // No dispute can reach a finalized block.
            self.ledger.prune_witnesses_through(heads.finalized)?;
        }
        if *current != heads {
            self.ledger.set_meta(HEADS_KEY, &encode_heads(&heads))?;
            *current = heads;
        }
        Ok(())
    }

    /// Executes `txs` on top of the head as a new block and makes it durable.
    pub fn build_block(
        &self,
        txs: Vec<VerifiedTransaction>,
        timestamp_ms: u64,
    ) -> Result<SealedBlock, ChainError> {
        self.build_block_inner(BlockInput { timestamp_ms, txs, ..Default::default() }, true, None)
    }

    /// Executes a block that also consumes L1 queue messages (which must continue the queue
    /// exactly from the parent's `queue_index`) and makes it durable.
    pub fn build_block_with(&self, input: BlockInput) -> Result<SealedBlock, ChainError> {
        self.build_block_inner(input, true, None)
    }

    /// Re-executes a block produced elsewhere (by the sequencer, or read back from an L1 batch)
    /// and keeps it only if every entry applies and the result is exactly its header: same state
    /// root, receipts, withdrawals and hash. Nothing is written when it differs.
    pub fn import_block(&self, block: &Block) -> Result<SealedBlock, ChainError> {
        let parent = self.head();
        let h = &block.header;
        if h.height != parent.height + 1 || h.parent_hash != parent.hash() {
            return Err(ChainError::NotChild { height: h.height, head: parent.height });
        }
        let mut l1_messages = Vec::new();
        let mut signed = Vec::new();
        for entry in &block.transactions {
            match entry {
                ChainTx::L1(m) if signed.is_empty() => l1_messages.push(m.clone()),
                ChainTx::L1(_) => {
                    return Err(ChainError::ImportMismatch {
                        height: h.height,
                        what: "L1 message after a signed transaction",
                    });
                }
                ChainTx::Signed(t) => signed.push(t),
            }
        }
        // Signature checks dominate re-execution: spread over the cores, ed25519 in batches.
        let first_signed = l1_messages.len();
        let txs = SignedTransaction::verify_batch(signed.into_iter().cloned().collect())
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.map_err(|_| ChainError::StoredTxInvalid { height: h.height, index: first_signed + i })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let input = BlockInput { timestamp_ms: h.timestamp_ms, l1_origin: h.l1_origin, l1_messages, txs };
        self.build_block_inner(input, true, Some(h))
    }

    fn build_block_inner(
        &self,
        input: BlockInput,
        commit_state: bool,
        expect: Option<&Header>,
    ) -> Result<SealedBlock, ChainError> {
        let _writer = self.writer.lock();
        if let Some(h) = expect {
            let parent = self.head();
            if h.height != parent.height + 1 || h.parent_hash != parent.hash() {
                return Err(ChainError::NotChild { height: h.height, head: parent.height });
            }
        }
        let parent = self.head();
        let mut timings = BlockTimings::default();

        let t = Instant::now();
        let recording = self.recording.load(std::sync::atomic::Ordering::Relaxed);
        let snapshot = if recording { self.state.snapshot_witnessed() } else { self.state.snapshot() };
        let executed = self.runtime.execute_on(&parent, input, &snapshot).map_err(|e| match e {
            BlockError::QueueGap { expected, got } => ChainError::QueueGap { expected, got },
            BlockError::State(e) => ChainError::State(e),
        })?;
        let ExecutedBlock { mut header, transactions, tx_hashes, receipts, dropped, changes } = executed;
        timings.execute_us = micros(t);

        let t = Instant::now();
        // Every execution, valid or not: the fault-proof program tries the same candidates. The
        // witness comes out of NOMT's root computation; the record goes to disk with the block,
        // or on its own when the execution makes none.
        let (pending, witness) = if recording {
            let (pending, witness) = self.state.prepare_with_witness(snapshot, changes)?;
            (pending, Some(witness_log::merged(&self.ledger, header.height, parent.state_root, witness)?))
        } else {
            (self.state.prepare(snapshot, changes)?, None)
        };
        let keep_witness = |height: u64| match &witness {
            Some(record) => self.ledger.put_witness(height, record),
            None => Ok(()),
        };
        timings.root_us = micros(t);
        header.state_root = pending.root();
        if let Some(expected) = expect {
            if !dropped.is_empty() {
                keep_witness(header.height)?;
                return Err(ChainError::ImportMismatch {
                    height: header.height,
                    what: "a signed transaction is invalid",
                });
            }
            if &header != expected {
                keep_witness(header.height)?;
                return Err(ChainError::HeaderMismatch {
                    height: header.height,
                    expected: expected.hash(),
                    got: header.hash(),
                    state_root_matches: header.state_root == expected.state_root,
                });
            }
        }
        let block = Block { header, transactions };

        let t = Instant::now();
        self.ledger.append(&block, &tx_hashes, &receipts, witness.as_deref())?;
        timings.ledger_us = micros(t);

        let t = Instant::now();
        if commit_state {
            self.state.commit(pending)?;
        }
        timings.commit_us = micros(t);

        let hash = block.header.hash();
        *self.head.write() = block.header.clone();
        Ok(SealedBlock { block, hash, tx_hashes, receipts, dropped, timings })
    }

    /// Turns the witness recorder on: from now on every block execution records the parent
    /// state's nodes and values it touched, kept on disk from the finalized head up (challengers
    /// and proposers; docs/fault-proofs.md, "The witness recorder").
    pub fn record_witnesses(&self) -> Result<(), ChainError> {
        self.recording.store(true, std::sync::atomic::Ordering::Relaxed);
        self.ledger.prune_witnesses_through(self.heads().finalized)?;
        Ok(())
    }

    /// The recorded witness of block `height`: `None` when the recorder did not execute it on
    /// this chain (it was off, or the record is of a block since rolled back and not re-made).
    pub fn witness(&self, height: u64) -> Result<Option<BlockWitness>, ChainError> {
        if height == 0 || height > self.head().height {
            return Ok(None);
        }
        let Some(bytes) = self.ledger.witness(height)? else { return Ok(None) };
        let record = BlockWitness::from_record(height, &bytes)?;
        let parent = self.ledger.header(height - 1)?;
        Ok(parent.filter(|p| p.state_root == record.parent_state_root).map(|_| record))
    }

    /// Witness records held on disk, and their bytes.
    pub fn witness_totals(&self) -> Result<(usize, usize), ChainError> {
        Ok(self.ledger.witness_totals()?)
    }

    /// The newest durable header.
    pub fn head(&self) -> Header {
        self.head.read().clone()
    }

    /// A consistent read view of state at (or after) the head.
    pub fn snapshot(&self) -> Snapshot {
        self.state.snapshot()
    }

    /// The ledger, for reads.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

fn encode_heads(heads: &Heads) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&heads.safe.to_be_bytes());
    out[8..].copy_from_slice(&heads.finalized.to_be_bytes());
    out
}

#[cfg(test)]
mod tests;
