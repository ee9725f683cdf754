//! [`L1Client`] as derivation's [`ChainProvider`] and [`DataAvailabilityProvider`]: the same reads
//! as its own methods, in the shape derivation consumes.

use pillar_derive::{
    BatchEvent, BatchKind, BatchPayload, ChainProvider, DataAvailabilityProvider, L1BlockInfo, L1Log,
};

use crate::{L1Client, L1Error};

impl ChainProvider for L1Client {
    type Error = L1Error;

    async fn head(&self) -> Result<u64, L1Error> {
        self.block_number().await
    }

    async fn block_info_by_number(&self, number: u64) -> Result<Option<L1BlockInfo>, L1Error> {
        match self.block_info(number).await {
            Ok(info) => Ok(Some(info)),
            Err(L1Error::BlockNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn events(&self, from: u64, to: u64) -> Result<Vec<L1Log>, L1Error> {
        self.derivation_events(from, to).await
    }
}

impl DataAvailabilityProvider for L1Client {
    type Error = L1Error;

    async fn batch_payload(&self, batch: &BatchEvent) -> Result<BatchPayload, L1Error> {
        match batch.kind {
            BatchKind::Calldata => batch
                .calldata
                .as_ref()
                .map(|d| BatchPayload::Bytes(d.to_vec()))
                .ok_or(L1Error::MissingPayload { index: batch.index }),
            BatchKind::Force => Ok(BatchPayload::None),
            BatchKind::Blob => match self.blob_batch_data(batch).await {
                Ok(data) => Ok(BatchPayload::Bytes(data)),
                // Only blobs that matched the recorded versioned hashes get as far as decoding.
                Err(L1Error::BlobDecode { .. }) => Ok(BatchPayload::Unreadable),
                Err(e) => Err(e),
            },
        }
    }
}
