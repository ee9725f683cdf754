//! The batcher: sealed L2 blocks into batches on L1.

use std::sync::Arc;

use parking_lot::Mutex;
use pillar_chain::Chain;
use pillar_derive::{MAX_BATCH_BYTES, encode_batch};
use pillar_l1::{L1Client, L1Error};
use pillar_primitives::{Block, ChainTx};
use tokio::sync::watch;
use tracing::{error, info, warn};

use super::{BatchLog, BatchRecord, BatcherStats};
use crate::L1Section;

/// Usable bytes of one blob with the simple coder (31 of every 32 bytes of 4096 field elements).
const BLOB_BYTES: usize = 4096 * 31;
/// Blobs a batch may use: the per-transaction cap, so that a full block (10,000 transfers at about
/// 71 bytes each) still fits one batch.
const MAX_BLOBS: usize = pillar_l1::MAX_BLOBS_PER_TX;

/// Posts every `interval_ms` whatever the chain sealed since the Rollup's batch head. The
/// Rollup's head (hash and last block) is re-read before each batch, so a restart, or another
/// poster, never makes this post a block twice or skip one: the contract refuses a batch that
/// does not continue its chain.
pub(crate) async fn run(
    l1: L1Section,
    client: L1Client,
    chain: Arc<Chain>,
    stats: Arc<Mutex<BatcherStats>>,
    log: Arc<Mutex<BatchLog>>,
    mut stop: watch::Receiver<bool>,
) {
    let blob = l1.batcher.mode == "blob";
    // Less a field element: the coder spends one on the length.
    let limit = if blob { BLOB_BYTES * MAX_BLOBS - 32 } else { MAX_BATCH_BYTES.min(120 * 1024) };
    loop {
        match post_next(&client, &chain, &l1, blob, limit).await {
            Ok(Some(posted)) => {
                let mut s = stats.lock();
                s.batches += 1;
                s.last_block = posted.last_block;
                // Posted on L1: the sequencer's safe head (a replica's comes from derivation).
                let heads = chain.heads();
                if posted.last_block > heads.safe {
                    let _ = chain.set_heads(pillar_chain::Heads { safe: posted.last_block, ..heads });
                }
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

struct Posted {
    first_block: u64,
    last_block: u64,
    txs: u64,
    bytes: usize,
    gas: u64,
    blob_gas: u64,
    fee_wei: u128,
    l1_tx: pillar_primitives::B256,
    l1_block: u64,
    more: bool,
}

async fn post_next(
    client: &L1Client,
    chain: &Chain,
    l1: &L1Section,
    blob: bool,
    limit: usize,
) -> Result<Option<Posted>, L1Error> {
    let (prev_hash, last_batched) = client.batch_head().await?;
    let head = chain.head().height;
    if head <= last_batched {
        return Ok(None);
    }
    let first = last_batched + 1;
    let mut last = head.min(last_batched + l1.batcher.max_blocks);
    let mut blocks: Vec<Block> = Vec::new();
    for h in first..=last {
        match chain.ledger().block(h) {
            Ok(Some(b)) => blocks.push(b),
            Ok(None) | Err(_) => {
                last = h - 1;
                break;
            }
        }
    }
    if blocks.is_empty() {
        return Ok(None);
    }
    // Shrink until the batch fits; halving keeps the number of compressions logarithmic.
    let mut data = encode_batch(&blocks);
    while data.len() > limit && blocks.len() > 1 {
        blocks.truncate(blocks.len().div_ceil(2));
        data = encode_batch(&blocks);
    }
    let last = blocks.last().map(|b| b.header.height).unwrap_or(last);
    let txs = blocks.iter().flat_map(|b| &b.transactions).filter(|t| matches!(t, ChainTx::Signed(_))).count()
        as u64;
    let posted = if blob {
        client.append_blob_batch(first, last, prev_hash, &data).await?
    } else {
        client.append_calldata_batch(first, last, prev_hash, data.clone().into()).await?
    };
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
