//! [`L1Client`] as derivation's [`ChainProvider`] and [`DataAvailabilityProvider`]: the same reads
//! as its own methods, in the shape derivation consumes.

use pillar_derive::{BatchEvent, BatchKind, ChainProvider, DataAvailabilityProvider, L1BlockInfo, L1Log};

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

    async fn batch_payload(&self, batch: &BatchEvent) -> Result<Vec<u8>, L1Error> {
        match batch.kind {
            BatchKind::Calldata => batch
                .calldata
                .as_ref()
                .map(|d| d.to_vec())
                .ok_or(L1Error::MissingPayload { index: batch.index }),
            BatchKind::Blob => self.blob_batch_data(batch).await,
        }
    }
}
