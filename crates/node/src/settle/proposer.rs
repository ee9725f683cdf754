//! The proposer: output roots for derived blocks, anchored to the L1 block they were derived from.
//!
//! It proposes only blocks the sequencer's own derivation made safe (what every replica derives
//! from the same L1 data), never blocks a batch merely claims. Each proposal names the newest L1
//! block derivation had processed when it read the safe head, and the Rollup checks that block's
//! hash: a proposal computed before an L1 reorg that is mined after it reverts, and the next round
//! proposes from the re-derived chain.

use std::sync::Arc;

use parking_lot::Mutex;
use pillar_derive::Deriver;
use pillar_l1::{L1Anchor, L1Client, L1Error};
use pillar_stf::{B256, Header};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::L1Section;

/// How far below the L1 head an anchor may be. `blockhash` reaches 256 blocks back from the block
/// that runs the proposal; the rest is room for the transaction to wait in the pool.
const MAX_ANCHOR_AGE: u64 = 200;

/// Proposes the newest safe block once it is `interval_blocks` past the last live output.
/// With `lie` (a test hook) every root proposed is wrong.
pub(crate) async fn run(
    l1: L1Section,
    client: L1Client,
    deriver: Arc<Mutex<Deriver>>,
    lie: bool,
    mut stop: watch::Receiver<bool>,
) {
    if lie {
        warn!("TEST HOOK: this proposer proposes wrong output roots");
    }
    loop {
        if let Err(e) = propose_once(&client, &deriver, l1.proposer.interval_blocks, lie).await {
            warn!(error = %e, "proposing an output failed; retrying");
        }
        if super::pause(&mut stop, l1.poll_ms).await {
            return;
        }
    }
}

/// The safe header, its output root (which commits to where it was derived) and the L1 block
/// derivation had read when it made it safe, taken together.
fn derived(deriver: &Mutex<Deriver>) -> Option<(Header, B256, L1Anchor)> {
    let d = deriver.lock();
    let (number, hash) = d.journal().next()?;
    let safe = d.safe().clone();
    let root = d.output_root(&safe)?;
    Some((safe, root, L1Anchor { number, hash }))
}

async fn propose_once(
    client: &L1Client,
    deriver: &Mutex<Deriver>,
    interval: u64,
    lie: bool,
) -> Result<(), L1Error> {
    let count = client.output_count().await?;
    let last_proposed = if count == 0 { 0 } else { client.output(count - 1).await?.l2_block };
    let Some((header, mut root, anchor)) = derived(deriver) else { return Ok(()) };
    let target = header.height;
    if target < last_proposed + interval || target == 0 {
        return Ok(());
    }
    // The block that runs the call must be above the anchor (`blockhash` of the current block is
    // zero, and nodes estimate gas at the head): with zero confirmations, wait for the next block.
    let head = client.block_number().await?;
    if anchor.number >= head {
        debug!(anchor = anchor.number, head, "waiting for an L1 block above the proposal's anchor");
        return Ok(());
    }
    if head - anchor.number > MAX_ANCHOR_AGE {
        warn!(anchor = anchor.number, head, "derivation is too far behind L1 to anchor a proposal");
        return Ok(());
    }
    if lie {
        root.0[31] ^= 1;
    }
    match client.propose_output(target, root, anchor).await {
        Ok(p) => {
            info!(index = p.index, l2_block = target, output_root = %root, l1_anchor = anchor.number,
                finalizes_at = p.finalizes_at, "output proposed");
            Ok(())
        }
        Err(L1Error::RollupRevert {
            error: pillar_l1::bindings::Rollup::RollupErrors::L1AnchorMismatch(e),
            ..
        }) => {
            // A reorg replaced what this proposal was derived from; derivation re-reads L1 and
            // the next round proposes from the chain it settles on.
            info!(
                anchor = e.l1BlockNumber,
                "L1 reorganised under the proposal; proposing again after derivation"
            );
            Ok(())
        }
        Err(e) => Err(e),
    }
}
