//! One L1 block's derivation input: its logged events, each batch with its payload fetched
//! through a [`DataAvailabilityProvider`].

use alloc::vec::Vec;

use crate::{DataAvailabilityProvider, L1Batch, L1BlockData, L1BlockInfo, L1Event};

/// The input of L1 block `info` to derivation: `events` (the block's, in log order) with the
/// payload of every batch fetched from its carrier.
pub async fn block_data<D: DataAvailabilityProvider>(
    da: &D,
    info: L1BlockInfo,
    events: impl IntoIterator<Item = L1Event>,
) -> Result<L1BlockData, D::Error> {
    let mut out = Vec::new();
    for event in events {
        out.push(match event {
            L1Event::Batch(event) => {
                let payload = da.batch_payload(&event).await?;
                L1Event::Batch(L1Batch { event, payload })
            }
            L1Event::Queue(m) => L1Event::Queue(m),
            L1Event::Output(o) => L1Event::Output(o),
            L1Event::OutputsInvalidated { from_index } => L1Event::OutputsInvalidated { from_index },
        });
    }
    Ok(L1BlockData { info, events: out })
}

#[cfg(test)]
pub(crate) mod tests {
    use pillar_stf::{Address, B256};

    use super::*;
    use crate::memory::ready;
    use crate::{
        BatchEvent, BatchKind, BatchPayload, ChainProvider, MemoryL1, MemoryL1Error, ProposedOutput,
        QueueKind, QueueMessage,
    };

    pub(crate) fn batch_event(index: u64, kind: BatchKind, calldata: Option<Vec<u8>>) -> BatchEvent {
        BatchEvent {
            index,
            batch_hash: B256::ZERO,
            submitter: Address::repeat_byte(0x5e),
            prev_batch_hash: B256::ZERO,
            first_block: 1,
            last_block: 1,
            kind,
            data_commitment: B256::ZERO,
            blob_hashes: Vec::new(),
            calldata: calldata.map(Into::into),
            l1_block: 1,
            l1_tx_hash: B256::repeat_byte(index as u8),
            context: Default::default(),
        }
    }

    #[test]
    fn a_block_is_read_in_log_order_with_each_batch_payload_from_its_carrier() {
        let l1 = MemoryL1::new();
        let message = QueueMessage {
            index: 0,
            kind: QueueKind::ForcedTx,
            sender: Address::repeat_byte(1),
            timestamp: 12,
            payload: vec![7].into(),
            queue_hash: B256::ZERO,
            l1_block: 1,
            l1_tx_hash: B256::ZERO,
        };
        let output =
            ProposedOutput { index: 0, l2_block: 1, output_root: B256::repeat_byte(3), finalizes_at: 99 };
        l1.set_blob_payload(B256::repeat_byte(1), BatchPayload::Bytes(b"from blobs".to_vec()));
        let info = l1.mine(
            12,
            vec![
                L1Event::Queue(message.clone()),
                L1Event::Batch(batch_event(0, BatchKind::Calldata, Some(b"in calldata".to_vec()))),
                L1Event::Batch(batch_event(1, BatchKind::Blob, None)),
                L1Event::Output(output),
            ],
        );
        let logs = ready(l1.events(1, 1)).unwrap();
        assert_eq!(
            logs.iter().map(|l| (l.l1_block, l.log_index)).collect::<Vec<_>>(),
            [(1, 0), (1, 1), (1, 2), (1, 3)]
        );
        let data = ready(block_data(&l1, info, logs.into_iter().map(|l| l.event))).unwrap();
        assert_eq!(data.info, info);
        let payloads: Vec<&BatchPayload> = data
            .events
            .iter()
            .filter_map(|e| match e {
                L1Event::Batch(b) => Some(&b.payload),
                _ => None,
            })
            .collect();
        let bytes = |b: &[u8]| BatchPayload::Bytes(b.to_vec());
        assert_eq!(payloads, [&bytes(b"in calldata"), &bytes(b"from blobs")]);
        assert_eq!(data.events[0], L1Event::Queue(message));
        assert_eq!(data.events[3], L1Event::Output(output));
    }

    #[test]
    fn a_payload_that_cannot_be_read_fails_the_whole_block() {
        let l1 = MemoryL1::new();
        let info = l1.mine(12, vec![]);
        let blob = L1Event::Batch(batch_event(4, BatchKind::Blob, None));
        assert_eq!(ready(block_data(&l1, info, [blob.clone()])), Err(MemoryL1Error::NoPayload { index: 4 }));
        l1.set_blob_payload(B256::repeat_byte(4), BatchPayload::Unreadable);
        l1.fail_next(1);
        assert_eq!(ready(block_data(&l1, info, [blob.clone()])), Err(MemoryL1Error::Unavailable));
        assert!(ready(block_data(&l1, info, [blob])).is_ok());
    }
}
