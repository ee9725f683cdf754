//! The batcher: sealed L2 blocks into batches on L1.
//!
//! What to post comes from derivation alone ([`BatchPlanner`]): the derived safe head and the L1
//! block derivation has read. The Rollup's `lastBatchBlock` and batch count are claims anyone can
//! make through the escape hatch, so they are never read here.

use std::sync::{Arc, atomic::Ordering};

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::{BatchPlanner, InFlight, MAX_BATCH_BYTES, encode_batch};
use pillar_l1::{L1Client, L1Error};
use pillar_stf::{Block, ChainTx};
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

use super::{BatchLog, BatchRecord, BatcherStats};
use crate::{L1Section, ReplicaStatus};

/// Usable bytes of one blob with the simple coder (31 of every 32 bytes of 4096 field elements).
const BLOB_BYTES: usize = 4096 * 31;
/// Blobs a batch may use: the per-transaction cap, so that a full block (10,000 transfers at about
/// 71 bytes each) still fits one batch.
const MAX_BLOBS: usize = pillar_l1::MAX_BLOBS_PER_TX;

/// Largest batch of a carrier: six blobs (less a field element: the coder spends one on the
/// length), or what one calldata transaction carries comfortably.
pub(crate) fn batch_limit(blob: bool) -> usize {
    if blob { BLOB_BYTES * MAX_BLOBS - 32 } else { MAX_BATCH_BYTES.min(120 * 1024) }
}

/// Posts every `interval_ms` the sealed blocks after the derived safe head and after what is
/// already in flight, and re-posts from the safe head whatever derivation read past without
/// deriving. Until derivation has caught up with L1 (after a start) it posts nothing, since
/// what is on L1 already is not known yet.
pub(crate) async fn run(
    l1: L1Section,
    client: L1Client,
    chain: Arc<Chain>,
    derivation: Arc<ReplicaStatus>,
    stats: Arc<Mutex<BatcherStats>>,
    log: Arc<Mutex<BatchLog>>,
    mut stop: watch::Receiver<bool>,
) {
    let blob = l1.batcher.mode == "blob";
    let limit = batch_limit(blob);
    let mut planner = BatchPlanner::new();
    let mut resumed = false;
    let started = std::time::Instant::now();
    loop {
        // After a start, batches of ours still in the L1 mempool, or in L1 blocks derivation has
        // not read yet (within the confirmation depth), are in flight, not lost.
        if !resumed && derivation.last_poll.lock().is_some() && derivation.lag_blocks() == 0 {
            match resume_in_flight(&client, &derivation, &mut planner, started).await {
                Ok(Some(n)) => {
                    resumed = true;
                    if n > 0 {
                        info!(
                            batches = n,
                            "batches of ours within the confirmation depth count as in flight"
                        );
                    }
                }
                Ok(None) => debug!("a transaction of ours is still pending on L1; waiting for it"),
                Err(e) => warn!(error = %e, "reading recent batches failed; retrying"),
            }
        }
        if !resumed {
            if super::pause(&mut stop, l1.batcher.interval_ms).await {
                return;
            }
            continue;
        }
        match post_next(&client, &chain, &derivation, &mut planner, &l1, blob, limit).await {
            Ok(Some(posted)) => {
                let mut s = stats.lock();
                s.batches += 1;
                s.last_block = posted.last_block;
                s.txs += posted.txs;
                s.bytes += posted.bytes as u64;
                s.gas += posted.gas;
                s.blob_gas += posted.blob_gas;
                s.fees_wei += posted.fee_wei;
                log.lock().push(BatchRecord {
                    first_block: posted.first_block,
                    last_block: posted.last_block,
                    txs: posted.txs,
                    bytes: posted.bytes as u64,
                    mode: if blob { "blob" } else { "calldata" },
                    l1_tx: posted.l1_tx,
                    l1_block: posted.l1_block,
                    gas: posted.gas,
                    blob_gas: posted.blob_gas,
                    fee_wei: posted.fee_wei,
                    posted_at_ms: std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_millis() as u64)
                        .unwrap_or(0),
                });
                drop(s);
                info!(
                    blocks = format!("{}..={}", posted.first_block, posted.last_block),
                    txs = posted.txs,
                    bytes = posted.bytes,
                    gas = posted.gas,
                    blob_gas = posted.blob_gas,
                    l1_block = posted.l1_block,
                    "batch posted"
                );
                // More may be waiting: go again without pausing.
                if posted.more {
                    continue;
                }
            }
            Ok(None) => log.lock().last_progress = std::time::Instant::now(),
            Err(e) => {
                stats.lock().failures += 1;
                log.lock().last_error = Some(e.to_string());
                if e.is_retryable() {
                    warn!(error = %e, "posting a batch failed; retrying")
                } else {
                    error!(error = %e, "posting a batch failed; retrying after re-reading the Rollup")
                }
            }
        }
        if super::pause(&mut stop, l1.batcher.interval_ms).await {
            return;
        }
    }
}

/// How long a start waits for transactions of ours still in the L1 mempool (a batch sent just
/// before a crash) before posting anyway; a replacement then takes their nonce.
const PENDING_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Records this batcher's own batches in the L1 blocks derivation has not processed yet, once
/// none of its transactions is pending (`None` while one is, within [`PENDING_GRACE`] of
/// `started`).
async fn resume_in_flight(
    client: &L1Client,
    derivation: &ReplicaStatus,
    planner: &mut BatchPlanner,
    started: std::time::Instant,
) -> Result<Option<usize>, L1Error> {
    if let Some(me) = client.signer() {
        let (mined, pending) = client.nonces(me).await?;
        if pending > mined && started.elapsed() < PENDING_GRACE {
            return Ok(None);
        }
    }
    let from = derivation.l1_derived.load(Ordering::Relaxed) + 1;
    let head = client.block_number().await?;
    if from > head {
        return Ok(Some(0));
    }
    let ours: Vec<InFlight> = client
        .batch_events(from, head)
        .await?
        .into_iter()
        .filter(|b| Some(b.submitter) == client.signer())
        .map(|b| InFlight { first: b.first_block, last: b.last_block, l1_block: b.l1_block })
        .collect();
    let n = ours.len();
    for b in ours {
        planner.posted(b);
    }
    Ok(Some(n))
}

struct Posted {
    first_block: u64,
    last_block: u64,
    txs: u64,
    bytes: usize,
    gas: u64,
    blob_gas: u64,
    fee_wei: u128,
    l1_tx: pillar_stf::B256,
    l1_block: u64,
    more: bool,
}

async fn post_next(
    client: &L1Client,
    chain: &Chain,
    derivation: &ReplicaStatus,
    planner: &mut BatchPlanner,
    l1: &L1Section,
    blob: bool,
    limit: usize,
) -> Result<Option<Posted>, L1Error> {
    // Derivation must have read L1 up to its confirmation depth: before that, what is on L1 (and
    // so what needs posting) is unknown.
    if derivation.last_poll.lock().is_none() || derivation.lag_blocks() > 0 {
        return Ok(None);
    }
    // Derivation moves `safe` before it records the L1 block, so read the L1 block first.
    let l1_derived = derivation.l1_derived.load(Ordering::Relaxed);
    let safe = chain.heads().safe;
    let plan = planner.next(safe, l1_derived);
    if plan.failed > 0 {
        warn!(
            safe,
            l1_derived,
            batches = plan.failed,
            "derivation read past batches of ours without deriving them; posting again from the safe head"
        );
    }
    let head = chain.head().height;
    let first = plan.first;
    if head < first {
        return Ok(None);
    }
    // A block may not name an L1 origin above the L1 block its batch lands in (derivation skips
    // it as from the future): after a reorg shortened L1, wait for L1 to grow again.
    let l1_head = client.block_number().await?;
    let mut blocks: Vec<Block> = Vec::new();
    for h in first..=head.min(first + l1.batcher.max_blocks - 1) {
        match chain.ledger().block(h) {
            Ok(Some(b)) if b.header.l1_origin <= l1_head => blocks.push(b),
            _ => break,
        }
    }
    if blocks.is_empty() {
        return Ok(None);
    }
    let (prev_hash, _) = client.batch_head().await?;
    // Shrink until the batch fits; halving keeps the number of compressions logarithmic.
    let mut data = encode_batch(&blocks);
    while data.len() > limit && blocks.len() > 1 {
        blocks.truncate(blocks.len().div_ceil(2));
        data = encode_batch(&blocks);
    }
    let txs = blocks.iter().flat_map(|b| &b.transactions).filter(|t| matches!(t, ChainTx::Signed(_))).count()
        as u64;
    let last = blocks.last().map_or(first, |b| b.header.height);
    let posted = if blob {
        client.append_blob_batch(first, last, prev_hash, &data).await?
    } else {
        client.append_calldata_batch(first, last, prev_hash, data.clone().into()).await?
    };
    planner.posted(InFlight { first, last, l1_block: posted.tx.l1_block });
    Ok(Some(Posted {
        first_block: first,
        last_block: last,
        txs,
        bytes: data.len(),
        gas: posted.tx.gas_used,
        blob_gas: posted.blob_gas_used.unwrap_or(0),
        fee_wei: u128::from(posted.tx.gas_used) * posted.tx.effective_gas_price
            + u128::from(posted.blob_gas_used.unwrap_or(0)) * posted.blob_gas_price.unwrap_or(0),
        l1_tx: posted.tx.tx_hash,
        l1_block: posted.tx.l1_block,
        more: last < head,
    }))
}
