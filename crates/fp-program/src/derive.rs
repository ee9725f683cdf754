//! Block N from block N − 1's output and the batch chain: the node's derivation rules
//! (`pillar_derive::rules`) over entries, the queue and the state read through the oracle, and the
//! node's block execution (`Runtime::execute_on`) over the witness state.
//!
//! Only one block is derived, so every candidate for block N (the rest of the cursor entry's
//! batch, a forced block, a later entry's batch) executes over the same state, N − 1's, and none
//! is ever committed.

use alloc::vec::Vec;

use pillar_derive::{
    MAX_TIMESTAMP_DRIFT_MS, QueueWindow, check_block, decode_batch, due_at, forced_block, new_blocks,
};
use pillar_preimage::PreimageOracle;
use pillar_state::{BlockChanges, StateError, StateRead, WitnessSource, WitnessState};
use pillar_stf::{
    Block, BlockError, BlockInput, ChainTx, DerivationCursor, Header, L1Message, Runtime, SigVerifier,
};

use crate::{Entry, ProgramError, entries::entries_after, payload::payload, queue::window};

/// The state of block N − 1 the candidates for block N execute over, and the root their writes
/// give: the witness store in the program; a host recording a witness wraps the node's state.
pub trait ProgramState: StateRead {
    /// The state root after `changes` (nothing is committed).
    fn root_after(&self, changes: &BlockChanges) -> Result<pillar_stf::B256, StateError>;
}

impl<W: WitnessSource> ProgramState for WitnessState<W> {
    fn root_after(&self, changes: &BlockChanges) -> Result<pillar_stf::B256, StateError> {
        WitnessState::root_after(self, changes)
    }
}

/// Block N and where it was derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Its header.
    pub header: Header,
    /// Its derivation cursor.
    pub cursor: DerivationCursor,
}

/// Derives the child of `safe` (block N − 1, derived at `cursor`) from the entries after the
/// cursor up to `head`; `None` when those entries do not make block N.
pub fn derive_next<O, S, V>(
    oracle: &mut O,
    runtime: &Runtime,
    verifier: &V,
    state: &S,
    safe: &Header,
    cursor: DerivationCursor,
    head: pillar_stf::B256,
) -> Result<Option<Derived>, ProgramError>
where
    O: PreimageOracle,
    S: ProgramState,
    V: SigVerifier + ?Sized,
{
    let mut d = Step { oracle, runtime, verifier, state, safe };
    if cursor.entry != pillar_stf::B256::ZERO {
        // Resume at the cursor's entry: the rest of its batch (phase 0), then the forcing after it.
        let entry = Entry::read(d.oracle, cursor.entry)?;
        if let Some(derived) = d.entry(&entry, cursor.phase == DerivationCursor::FROM_BATCH)? {
            return Ok(Some(derived));
        }
    }
    for entry in entries_after(d.oracle, head, cursor.entry)? {
        if let Some(derived) = d.entry(&entry, true)? {
            return Ok(Some(derived));
        }
    }
    Ok(None)
}

struct Step<'a, O, S, V: ?Sized> {
    oracle: &'a mut O,
    runtime: &'a Runtime,
    verifier: &'a V,
    state: &'a S,
    safe: &'a Header,
}

impl<O: PreimageOracle, S: ProgramState, V: SigVerifier + ?Sized> Step<'_, O, S, V> {
    /// The queue messages the entry's rules may look at: from the safe head's on, up to the
    /// entry's committed length.
    fn queue(&mut self, entry: &Entry) -> Result<Vec<L1Message>, ProgramError> {
        window(self.oracle, entry.hash, &entry.context, self.safe.queue_index, self.safe.queue_hash)
    }

    /// Block N from one entry: from its batch (when `with_batch`), else forced in after it. The
    /// queue window is read once for both.
    fn entry(&mut self, entry: &Entry, with_batch: bool) -> Result<Option<Derived>, ProgramError> {
        let messages = self.queue(entry)?;
        let queue = QueueWindow { first: self.safe.queue_index, messages: &messages };
        let due = due_at(&queue, &entry.context);
        if with_batch && let Some(header) = self.batch(entry, &queue, due)? {
            return Ok(Some(Derived { header, cursor: DerivationCursor::from_batch(entry.hash) }));
        }
        // A forced block after the entry, if messages are overdue at it (docs/derivation.md §4).
        let Some(input) = forced_block(self.safe, &entry.context, &queue, due) else { return Ok(None) };
        Ok(self
            .execute(input)?
            .map(|header| Derived { header, cursor: DerivationCursor::after_entry(entry.hash) }))
    }

    /// Block N from the entry's batch, if its rules and re-execution give one (docs/derivation.md
    /// §3): the batch's first block above the safe head.
    fn batch(
        &mut self,
        entry: &Entry,
        queue: &QueueWindow<'_>,
        due: u64,
    ) -> Result<Option<Header>, ProgramError> {
        let Some(bytes) = payload(self.oracle, entry)? else { return Ok(None) };
        let Ok(blocks) = decode_batch(&bytes) else { return Ok(None) };
        let Ok(fresh) = new_blocks(&blocks, (entry.first_block, entry.last_block), self.safe, due) else {
            return Ok(None);
        };
        let block = &fresh[0];
        if check_block(block, &entry.context, queue, MAX_TIMESTAMP_DRIFT_MS).is_err() {
            return Ok(None);
        }
        let Some(input) = self.input_of(block) else { return Ok(None) };
        let Some(header) = self.execute(input)? else { return Ok(None) };
        Ok((header == block.header).then_some(header))
    }

    /// The block's entries as an execution input: L1 messages first, then signed transactions
    /// checked through the verifier. `None` when the block cannot be valid (an L1 message after a
    /// signed transaction, a signature that does not verify), as the node's import refuses it.
    fn input_of(&self, block: &Block) -> Option<BlockInput> {
        let h = &block.header;
        let mut input =
            BlockInput { timestamp_ms: h.timestamp_ms, l1_origin: h.l1_origin, ..Default::default() };
        for entry in &block.transactions {
            match entry {
                ChainTx::L1(m) if input.txs.is_empty() => input.l1_messages.push(m.clone()),
                ChainTx::L1(_) => return None,
                ChainTx::Signed(t) => input.txs.push(t.clone().verify_with(self.verifier).ok()?),
            }
        }
        Some(input)
    }

    /// Executes `input` over N − 1's state: the header with its state root, or `None` when a
    /// signed transaction is invalid or the queue does not continue (an invalid block).
    fn execute(&mut self, input: BlockInput) -> Result<Option<Header>, ProgramError> {
        let executed = match self.runtime.execute_on(self.safe, input, self.state as &dyn StateRead) {
            Ok(e) => e,
            Err(BlockError::QueueGap { .. }) => return Ok(None),
            Err(BlockError::State(e)) => return Err(ProgramError::State(e)),
        };
        if !executed.dropped.is_empty() {
            return Ok(None);
        }
        let mut header = executed.header;
        header.state_root = self.state.root_after(&executed.changes)?;
        Ok(Some(header))
    }
}
