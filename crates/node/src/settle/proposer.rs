//! The proposer: output roots for batched blocks.

use std::sync::Arc;

use pillar_chain::{Chain, Heads};
use pillar_l1::L1Client;
use pillar_primitives::output_root;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::L1Section;

/// Proposes the newest batched block once it is `interval_blocks` past the last live output.
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
    let (_, batched) = client.batch_head().await?;
    let count = client.output_count().await?;
    // The newest output past its challenge window marks the finalized head.
    if count > 0 && client.is_finalized(count - 1).await? {
        let l2_block = client.output(count - 1).await?.l2_block;
        let heads = chain.heads();
        if l2_block > heads.finalized {
            let _ = chain.set_heads(Heads { safe: heads.safe.max(l2_block), finalized: l2_block });
        }
    }
    let last_proposed = if count == 0 { 0 } else { client.output(count - 1).await?.l2_block };
    let target = batched.min(chain.head().height);
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
