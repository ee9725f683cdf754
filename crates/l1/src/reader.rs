//! What derivation reads from L1: every queue, batch and output event in log order (decoded
//! into `pillar-derive`'s L1 vocabulary), block hashes and times, and the Rollup's windows.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::Address;
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, Log};
use alloy_sol_types::SolEvent;
use pillar_derive::{L1BlockInfo, L1Event, L1Log, ProposedOutput};
use serde::{Deserialize, Serialize};

use crate::L1Error;
use crate::bindings::{Portal, Rollup};
use crate::client::{L1Client, decode_batch_appended, decode_log, decode_queue_message, log_position};

/// Most L1 blocks asked for in one `eth_getLogs` (providers cap ranges).
pub const MAX_LOG_RANGE: u64 = 5_000;

/// The Rollup's time windows, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupWindows {
    /// Challenge window of outputs.
    pub challenge: u64,
    /// Inclusion deadline of queue messages.
    pub inclusion_deadline: u64,
    /// Sequencer inactivity before anyone may append batches.
    pub inactivity: u64,
}

impl L1Client {
    /// Number, hash and time of L1 block `number`.
    pub async fn block_info(&self, number: u64) -> Result<L1BlockInfo, L1Error> {
        const METHOD: &str = "eth_getBlockByNumber";
        let block = self
            .provider()
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(L1Error::rpc(METHOD))?
            .ok_or(L1Error::BlockNotFound { number })?;
        Ok(L1BlockInfo { number, hash: block.header.hash, timestamp: block.header.timestamp })
    }

    /// The Rollup's challenge window, inclusion deadline and inactivity window.
    pub async fn rollup_windows(&self) -> Result<RollupWindows, L1Error> {
        let r = self.rollup();
        let err = |m| move |e| L1Error::from_contract(m, e);
        Ok(RollupWindows {
            challenge: r.challengeWindow().call().await.map_err(err("challengeWindow"))?,
            inclusion_deadline: r.inclusionDeadline().call().await.map_err(err("inclusionDeadline"))?,
            inactivity: r.inactivityWindow().call().await.map_err(err("inactivityWindow"))?,
        })
    }

    /// The Rollup's sequencer.
    pub async fn sequencer(&self) -> Result<Address, L1Error> {
        self.rollup().sequencer().call().await.map_err(|e| L1Error::from_contract("sequencer", e))
    }

    /// L1 time from which anyone may append batches (in the past while the escape hatch is open).
    pub async fn escape_hatch_opens_at(&self) -> Result<u64, L1Error> {
        self.rollup()
            .escapeHatchOpensAt()
            .call()
            .await
            .map_err(|e| L1Error::from_contract("escapeHatchOpensAt", e))
    }

    /// Every queue, batch and output event in L1 blocks `from_block..=to_block`, in log order
    /// (ranges are read in chunks of [`MAX_LOG_RANGE`]).
    pub async fn derivation_events(&self, from_block: u64, to_block: u64) -> Result<Vec<L1Log>, L1Error> {
        const METHOD: &str = "derivation_events";
        let a = self.addresses();
        let mut out = Vec::new();
        let mut start = from_block;
        while start <= to_block {
            let end = to_block.min(start.saturating_add(MAX_LOG_RANGE - 1));
            let filter = Filter::new()
                .address(vec![a.rollup, a.portal])
                .event_signature(vec![
                    Portal::QueueMessage::SIGNATURE_HASH,
                    Rollup::BatchAppended::SIGNATURE_HASH,
                    Rollup::CalldataBatchPayload::SIGNATURE_HASH,
                    Rollup::OutputProposed::SIGNATURE_HASH,
                    Rollup::OutputsInvalidated::SIGNATURE_HASH,
                ])
                .from_block(start)
                .to_block(end);
            let mut logs = self.provider().get_logs(&filter).await.map_err(L1Error::rpc(METHOD))?;
            logs.retain(|l| !l.removed);
            logs.sort_by_key(|l| (l.block_number, l.log_index));
            decode_derivation_logs(METHOD, &logs, a.rollup, a.portal, &mut out)?;
            start = end + 1;
        }
        Ok(out)
    }
}

fn decode_derivation_logs(
    method: &'static str,
    logs: &[Log],
    rollup: Address,
    portal: Address,
    out: &mut Vec<L1Log>,
) -> Result<(), L1Error> {
    for log in logs {
        let (l1_block, _) = log_position(log)?;
        let log_index = log.log_index.unwrap_or_default();
        let topic = log.topic0().copied().unwrap_or_default();
        let event = if log.address() == portal && topic == Portal::QueueMessage::SIGNATURE_HASH {
            L1Event::Queue(decode_queue_message(method, log)?)
        } else if log.address() != rollup {
            continue;
        } else if topic == Rollup::BatchAppended::SIGNATURE_HASH {
            L1Event::Batch(decode_batch_appended(method, log)?)
        } else if topic == Rollup::CalldataBatchPayload::SIGNATURE_HASH {
            // Emitted right after its BatchAppended, in the same transaction.
            let ev = decode_log::<Rollup::CalldataBatchPayload>(method, log)?;
            let index = ev.index.saturating_to::<u64>();
            if let Some(L1Log { event: L1Event::Batch(b), .. }) =
                out.iter_mut().rev().find(|l| matches!(&l.event, L1Event::Batch(b) if b.index == index))
            {
                b.calldata = Some(ev.data);
            }
            continue;
        } else if topic == Rollup::OutputProposed::SIGNATURE_HASH {
            let ev = decode_log::<Rollup::OutputProposed>(method, log)?;
            L1Event::Output(ProposedOutput {
                index: ev.index.saturating_to(),
                l2_block: ev.l2Block,
                output_root: ev.outputRoot,
                finalizes_at: ev.finalizesAt,
            })
        } else if topic == Rollup::OutputsInvalidated::SIGNATURE_HASH {
            let ev = decode_log::<Rollup::OutputsInvalidated>(method, log)?;
            L1Event::OutputsInvalidated { from_index: ev.fromIndex.saturating_to::<u64>() }
        } else {
            continue;
        };
        out.push(L1Log { l1_block, log_index, event });
    }
    Ok(())
}
