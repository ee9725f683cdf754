//! What derivation needs from L1, as traits (after kona's `ChainProvider` and
//! `DataAvailabilityProvider`): `pillar-l1`'s `L1Client` implements them over JSON-RPC, tests
//! over memory. They return futures without naming a runtime, so the rules that consume them
//! need neither tokio nor an RPC client.

use alloc::vec::Vec;

use core::future::Future;

use crate::{BatchEvent, BatchPayload, Classify, L1BlockInfo, L1Log};

/// L1 blocks and the derivation events in them.
pub trait ChainProvider {
    /// Why a read failed, and whether to retry it.
    type Error: core::error::Error + Classify + Send + Sync + 'static;

    /// The newest L1 block number.
    fn head(&self) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// Number, hash and time of block `number`; `None` when L1 has no such block (it has not been
    /// mined yet, or a reorg shortened L1).
    fn block_info_by_number(
        &self,
        number: u64,
    ) -> impl Future<Output = Result<Option<L1BlockInfo>, Self::Error>> + Send;

    /// Every queue, batch and output event in blocks `from..=to`, in log order.
    fn events(&self, from: u64, to: u64) -> impl Future<Output = Result<Vec<L1Log>, Self::Error>> + Send;
}

/// The payload of a batch, from the carrier its event names.
pub trait DataAvailabilityProvider {
    /// Why a read failed. A carrier that serves bytes other than the ones the batch commits to is
    /// a failed read (temporary), never a payload: derivation must not judge a batch on them.
    type Error: core::error::Error + Classify + Send + Sync + 'static;

    /// The batch's payload: its calldata, or its blobs checked against the versioned hashes the
    /// Rollup recorded and decoded ([`BatchPayload::Unreadable`] when those blobs do not decode).
    fn batch_payload(
        &self,
        batch: &BatchEvent,
    ) -> impl Future<Output = Result<BatchPayload, Self::Error>> + Send;
}
