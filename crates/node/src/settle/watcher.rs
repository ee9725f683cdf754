//! The L1 watcher: the Portal's queue, past the confirmation depth, into the sequencer.

use pillar_l1::{L1Client, check_queue_chain};
use pillar_primitives::{B256, L1Message};
use pillar_sequencer::Sequencer;
use tokio::sync::watch;
use tracing::{debug, error, warn};

use crate::L1Section;

/// Scans from the deployment block on start (the sequencer ignores what the chain already
/// consumed), then follows the L1 head minus `confirmations`.
pub(crate) async fn run(
    l1: L1Section,
    client: L1Client,
    sequencer: Sequencer,
    mut stop: watch::Receiver<bool>,
) {
    let mut from = l1.deployed_at_block;
    let mut next_index = 0u64;
    let mut prev_hash = B256::ZERO;
    loop {
        match client.block_number().await {
            Ok(head) => {
                let safe = head.saturating_sub(l1.confirmations);
                if safe >= from {
                    match client.queue_messages(from, safe).await {
                        Ok(found) => match check_queue_chain(next_index, prev_hash, &found) {
                            Ok(hash) => {
                                let mut messages = Vec::with_capacity(found.len());
                                for m in &found {
                                    match L1Message::from_event(
                                        m.index,
                                        m.l1_block,
                                        m.timestamp,
                                        m.sender,
                                        m.kind.as_u8(),
                                        &m.payload,
                                    ) {
                                        Ok(msg) => messages.push(msg),
                                        Err(e) => {
                                            // The Portal only emits well-formed payloads; if one is
                                            // not, stopping is safer than guessing.
                                            error!(error = %e, "undecodable queue message; the watcher stops");
                                            return;
                                        }
                                    }
                                }
                                if !messages.is_empty() {
                                    debug!(
                                        count = messages.len(),
                                        l1_block = safe,
                                        "queue messages confirmed"
                                    );
                                }
                                next_index += found.len() as u64;
                                prev_hash = hash;
                                sequencer.enqueue_l1(messages, safe);
                                from = safe + 1;
                            }
                            Err(e) => {
                                // A gap or a hash mismatch: a missed log or an L1 reorg. Rescan.
                                warn!(error = %e, "queue does not chain; rescanning from the deployment block");
                                from = l1.deployed_at_block;
                                next_index = 0;
                                prev_hash = B256::ZERO;
                            }
                        },
                        Err(e) => warn!(error = %e, "reading the L1 queue failed; retrying"),
                    }
                } else {
                    sequencer.enqueue_l1(Vec::new(), safe);
                }
            }
            Err(e) => warn!(error = %e, "L1 unreachable; retrying"),
        }
        if super::pause(&mut stop, l1.poll_ms).await {
            return;
        }
    }
}
