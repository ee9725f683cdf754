//! The proposer: output roots for derived blocks.
//!
//! It proposes only blocks the sequencer's own derivation made safe (what every replica derives
//! from the same L1 data), never blocks a batch merely claims; the finalized head is derivation's
//! too.

use std::sync::Arc;

use pillar_chain::Chain;
use pillar_l1::L1Client;
use pillar_primitives::output_root;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::L1Section;

/// Proposes the newest safe block once it is `interval_blocks` past the last live output.
/// With `lie` (a test hook) every root proposed is wrong.
pub(crate) async fn run(
    l1: L1Section,
    client: L1Client,
    chain: Arc<Chain>,
    lie: bool,
    mut stop: watch::Receiver<bool>,
) {
    if lie {
        warn!("TEST HOOK: this proposer proposes wrong output roots");
    }
    loop {
        if let Err(e) = propose_once(&client, &chain, l1.proposer.interval_blocks, lie).await {
            warn!(error = %e, "proposing an output failed; retrying");
        }
        if super::pause(&mut stop, l1.poll_ms).await {
            return;
        }
    }
}

async fn propose_once(
    client: &L1Client,
    chain: &Chain,
    interval: u64,
    lie: bool,
) -> Result<(), pillar_l1::L1Error> {
    let count = client.output_count().await?;
    let last_proposed = if count == 0 { 0 } else { client.output(count - 1).await?.l2_block };
    let target = chain.heads().safe;
    if target < last_proposed + interval || target == 0 {
        return Ok(());
    }
    let Ok(Some(header)) = chain.ledger().header(target) else { return Ok(()) };
    let mut root = output_root(header.state_root, header.withdrawals_root, header.hash());
    if lie {
        root.0[31] ^= 1;
    }
    let p = client.propose_output(target, root).await?;
    info!(index = p.index, l2_block = target, output_root = %root, finalizes_at = p.finalizes_at, "output proposed");
    Ok(())
}
