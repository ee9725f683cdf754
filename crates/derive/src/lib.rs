//! Derivation: the L2 chain rebuilt from L1 alone (docs/derivation.md), and the batch codec that
//! carries L2 blocks to L1 (docs/batches.md).
//!
//! What derivation reads from L1 is defined here once (the L1 vocabulary: [`L1Event`],
//! [`QueueMessage`], [`BatchEvent`], [`ProposedOutput`], [`L1BlockInfo`]), as are the traits it reads
//! it through ([`ChainProvider`], [`DataAvailabilityProvider`]); `pillar-l1` implements them. The
//! vocabulary, the traits and the codec build without the chain (`default-features = false`), so
//! the L1 client can implement the traits without building NOMT. Every error the derivation loop
//! meets is [`Classify`]: temporary, reset or critical ([`ErrorKind`]).
//!
//! [`Deriver`] (feature `chain`, on by default) turns L1 blocks (queue messages, batches, output
//! proposals) into the derived chain and output verdicts; it is what a replica runs.
//!
//! The batcher encodes sealed blocks with [`encode_batch`]; derivation (replicas, and the
//! escape hatch's posters) decodes them with [`decode_batch`]. Anyone can write to the L1 inbox,
//! so the decoder treats every byte as adversarial: it bounds compressed and decompressed sizes,
//! refuses trailing bytes and unknown versions, and checks that the blocks form a chain, always
//! with a typed error and never a panic.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod batch;
mod blob_coding;
#[cfg(feature = "chain")]
mod derivation;
mod error_kind;
mod l1;
#[cfg(any(test, feature = "test-utils"))]
mod memory;
mod planner;
mod provider;
mod retrieval;
mod rules;

#[cfg(feature = "std")]
pub use batch::encode_batch;
pub use batch::{
    BATCH_VERSION, BatchError, FrameError, MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES, PayloadError,
    decode_batch, max_block_bytes,
};
pub use blob_coding::{BYTES_PER_ELEMENT, ELEMENTS_PER_BLOB, decode_blob_payload};
#[cfg(feature = "chain")]
pub use derivation::{
    BatchOutcome, DerivationConfig, DeriveError, DeriveTimings, Deriver, L1BlockReport, OutputCheck,
};
pub use error_kind::{Classify, ErrorKind};
pub use l1::{
    BatchContext, BatchEvent, BatchKind, BatchPayload, L1Batch, L1BlockData, L1BlockInfo, L1Event, L1Log,
    ProposedOutput, QueueKind, QueueMessage, batch_hash, entry_preimage,
};
#[cfg(any(test, feature = "test-utils"))]
pub use memory::{MemoryL1, MemoryL1Error};
pub use planner::{BatchPlanner, InFlight, Plan};
pub use provider::{ChainProvider, DataAvailabilityProvider};
pub use retrieval::block_data;
pub use rules::{
    MAX_TIMESTAMP_DRIFT_MS, QueueWindow, SkipReason, check_block, due_at, forced_block, new_blocks,
};
