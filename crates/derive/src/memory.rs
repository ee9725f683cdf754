//! [`MemoryL1`]: an L1 held in memory behind the provider traits, for tests of what consumes them
//! (blocks of events, reorgs, blob payloads, and read failures on demand).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use pillar_stf::B256;

use crate::{
    BatchContext, BatchEvent, BatchKind, BatchPayload, ChainProvider, Classify, DataAvailabilityProvider,
    ErrorKind, L1BlockInfo, L1Event, L1Log,
};

/// Why a [`MemoryL1`] read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryL1Error {
    /// A failure asked for with [`MemoryL1::fail_next`].
    #[error("L1 unavailable (injected failure)")]
    Unavailable,
    /// A batch whose carrier holds nothing: a calldata batch without its payload, or a blob
    /// transaction never given with [`MemoryL1::set_blob_payload`].
    #[error("no payload for batch {index}")]
    NoPayload {
        /// Batch index.
        index: u64,
    },
}

impl Classify for MemoryL1Error {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Temporary
    }
}

#[derive(Debug, Default)]
struct State {
    /// Block `n` at index `n`, from the genesis block 0.
    blocks: Vec<(L1BlockInfo, Vec<L1Event>)>,
    blobs: HashMap<B256, BatchPayload>,
    failures: u32,
    /// Bumped by every reorg, so that replaced blocks get other hashes.
    fork: u8,
    /// `Rollup.inclusionDeadline()` that mined entries commit to.
    inclusion_deadline: u64,
}

/// An L1 in memory. Block 0 exists from the start (time 0, no events). Clones are handles to the
/// same L1, so a test can change it under a loop that reads it.
#[derive(Debug, Clone)]
pub struct MemoryL1 {
    state: Arc<Mutex<State>>,
}

impl Default for MemoryL1 {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryL1 {
    /// An L1 holding only block 0, whose entries commit to an inclusion deadline of a day.
    pub fn new() -> Self {
        Self::with_inclusion_deadline(86_400)
    }

    /// An L1 holding only block 0, whose entries commit to `seconds` of inclusion deadline.
    pub fn with_inclusion_deadline(seconds: u64) -> Self {
        let genesis = L1BlockInfo { number: 0, hash: block_hash(0, 0), timestamp: 0 };
        let state =
            State { blocks: vec![(genesis, Vec::new())], inclusion_deadline: seconds, ..Default::default() };
        Self { state: Arc::new(Mutex::new(state)) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A test that panicked while holding the lock has already failed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number the next mined block gets.
    pub fn next_number(&self) -> u64 {
        self.state().blocks.len() as u64
    }

    /// Mines a block at `timestamp` (seconds) holding `events` in log order. As the Rollup does,
    /// each entry of the batch chain gets the context of its append (this block, the queue logged
    /// before it, the deadline) and is linked to the previous entry.
    pub fn mine(&self, timestamp: u64, mut events: Vec<L1Event>) -> L1BlockInfo {
        let mut s = self.state();
        let number = s.blocks.len() as u64;
        let info = L1BlockInfo { number, hash: block_hash(number, s.fork), timestamp };
        let earlier = s.blocks.iter().flat_map(|(_, e)| e);
        let (mut queue_length, mut queue_head, mut head) = (0, B256::ZERO, B256::ZERO);
        for e in earlier {
            match e {
                L1Event::Queue(m) => (queue_length, queue_head) = (m.index + 1, m.queue_hash),
                L1Event::Batch(b) => head = b.batch_hash,
                _ => {}
            }
        }
        for e in &mut events {
            match e {
                L1Event::Queue(m) => (queue_length, queue_head) = (m.index + 1, m.queue_hash),
                L1Event::Batch(b) => {
                    b.l1_block = number;
                    b.context = BatchContext {
                        l1_block: number,
                        l1_timestamp: timestamp,
                        queue_length,
                        queue_head,
                        inclusion_deadline: s.inclusion_deadline,
                    };
                    b.prev_batch_hash = head;
                    b.batch_hash = b.computed_hash();
                    head = b.batch_hash;
                }
                _ => {}
            }
        }
        s.blocks.push((info, events));
        info
    }

    /// Drops the newest `depth` blocks (never block 0); blocks mined after get new hashes.
    pub fn reorg(&self, depth: u64) {
        let mut s = self.state();
        let keep = s.blocks.len().saturating_sub(depth as usize).max(1);
        s.blocks.truncate(keep);
        s.fork = s.fork.wrapping_add(1);
    }

    /// What the blobs of transaction `tx_hash` hold.
    pub fn set_blob_payload(&self, tx_hash: B256, payload: BatchPayload) {
        self.state().blobs.insert(tx_hash, payload);
    }

    /// Makes the next `n` reads fail with [`MemoryL1Error::Unavailable`].
    pub fn fail_next(&self, n: u32) {
        self.state().failures = n;
    }

    /// Takes one injected failure, if any is left.
    fn check(&self) -> Result<std::sync::MutexGuard<'_, State>, MemoryL1Error> {
        let mut s = self.state();
        if s.failures > 0 {
            s.failures -= 1;
            return Err(MemoryL1Error::Unavailable);
        }
        Ok(s)
    }
}

fn block_hash(number: u64, fork: u8) -> B256 {
    let mut hash = [fork; 32];
    hash[..8].copy_from_slice(&number.to_be_bytes());
    B256::from(hash)
}

impl ChainProvider for MemoryL1 {
    type Error = MemoryL1Error;

    async fn head(&self) -> Result<u64, MemoryL1Error> {
        Ok(self.check()?.blocks.len() as u64 - 1)
    }

    async fn block_info_by_number(&self, number: u64) -> Result<Option<L1BlockInfo>, MemoryL1Error> {
        Ok(self.check()?.blocks.get(number as usize).map(|(info, _)| *info))
    }

    async fn events(&self, from: u64, to: u64) -> Result<Vec<L1Log>, MemoryL1Error> {
        let s = self.check()?;
        let blocks = s.blocks.iter().skip(from as usize).take_while(|(info, _)| info.number <= to);
        Ok(blocks
            .flat_map(|(info, events)| {
                events.iter().enumerate().map(|(i, event)| L1Log {
                    l1_block: info.number,
                    log_index: i as u64,
                    event: event.clone(),
                })
            })
            .collect())
    }
}

impl DataAvailabilityProvider for MemoryL1 {
    type Error = MemoryL1Error;

    async fn batch_payload(&self, batch: &BatchEvent) -> Result<BatchPayload, MemoryL1Error> {
        let s = self.check()?;
        let payload = match batch.kind {
            BatchKind::Calldata => batch.calldata.as_ref().map(|d| BatchPayload::Bytes(d.to_vec())),
            BatchKind::Blob => s.blobs.get(&batch.l1_tx_hash).cloned(),
            BatchKind::Force => Some(BatchPayload::None),
        };
        payload.ok_or(MemoryL1Error::NoPayload { index: batch.index })
    }
}

/// Runs a future that never waits (the in-memory provider's) to completion.
#[cfg(test)]
pub(crate) fn ready<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    match std::pin::pin!(f).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("an in-memory read waited"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_l1_reorganises_with_new_hashes() {
        let l1 = MemoryL1::new();
        let a = l1.mine(12, vec![]);
        let b = l1.mine(24, vec![]);
        l1.reorg(1);
        assert_eq!(ready(l1.head()), Ok(1));
        assert_eq!(ready(l1.block_info_by_number(2)), Ok(None));
        let b2 = l1.mine(24, vec![]);
        assert_eq!((b2.number, ready(l1.block_info_by_number(1)).unwrap()), (2, Some(a)));
        assert_ne!(b2.hash, b.hash);
    }
}
