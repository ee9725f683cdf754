//! The challenger: invalidates output roots that disagree with the derived chain (through the
//! guardian role on a Stage 0 chain, or the Rollup's challenger slot).

use std::{
    sync::{Arc, atomic::Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use pillar_derive::ProposedOutput;
use pillar_l1::{L1Client, L1Error};
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

use super::ReplicaStatus;

/// Attempts per faulty output before giving up (each L1 failure is logged).
const ATTEMPTS: u32 = 5;

pub(crate) async fn run(
    client: L1Client,
    mut faults: mpsc::UnboundedReceiver<(ProposedOutput, u64)>,
    status: Arc<ReplicaStatus>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (output, proposed_at) = tokio::select! {
            _ = stop.changed() => return,
            f = faults.recv() => match f { Some(f) => f, None => return },
        };
        for attempt in 1..=ATTEMPTS {
            match challenge(&client, &output).await {
                Ok(true) => {
                    status.challenges.fetch_add(1, Ordering::Relaxed);
                    let now_ms = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_millis() as u64)
                        .unwrap_or(0);
                    info!(
                        index = output.index,
                        l2_block = output.l2_block,
                        since_proposal_ms = now_ms.saturating_sub(proposed_at * 1000),
                        "wrong output invalidated"
                    );
                    break;
                }
                Ok(false) => break,
                Err(e) => {
                    warn!(index = output.index, attempt, error = %e, "invalidating a wrong output failed");
                    if attempt == ATTEMPTS {
                        error!(index = output.index, "giving up on invalidating a wrong output");
                    } else if crate::settle::pause(&mut stop, 1_000).await {
                        return;
                    }
                }
            }
        }
    }
}

/// Invalidates `output` if L1 still holds that claim unfinalized. `false` when there is nothing
/// left to do (already invalidated, replaced or final).
async fn challenge(client: &L1Client, output: &ProposedOutput) -> Result<bool, L1Error> {
    if output.index >= client.output_count().await? {
        return Ok(false);
    }
    let live = client.output(output.index).await?;
    if live.output_root != output.output_root || live.l2_block != output.l2_block {
        return Ok(false);
    }
    if client.is_finalized(output.index).await? {
        error!(index = output.index, "a wrong output finalized before it could be invalidated");
        return Ok(false);
    }
    client.invalidate_output(output.index).await?;
    Ok(true)
}
