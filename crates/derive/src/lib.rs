//! Derivation: the L2 chain rebuilt from L1 alone (docs/derivation.md), and the batch codec that
//! carries L2 blocks to L1 (docs/batches.md).
//!
//! [`Deriver`] turns L1 blocks (queue messages, batches, output proposals) into the derived chain
//! and output verdicts; it is what a replica runs.
//!
//! The batcher encodes sealed blocks with [`encode_batch`]; derivation (replicas, and the
//! escape hatch's posters) decodes them with [`decode_batch`]. Anyone can write to the L1 inbox,
//! so the decoder treats every byte as adversarial: it bounds compressed and decompressed sizes,
//! refuses trailing bytes and unknown versions, and checks that the blocks form a chain, always
//! with a typed error and never a panic.

mod batch;
mod derivation;
mod planner;

pub use batch::{
    BATCH_VERSION, BatchError, MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES, decode_batch, encode_batch,
    max_block_bytes,
};
pub use derivation::{
    BatchOutcome, DerivationConfig, DeriveError, DeriveTimings, Deriver, L1Batch, L1BlockData, L1BlockReport,
    L1Event, OutputCheck, ProposedOutput, SkipReason,
};
pub use planner::{BatchPlanner, InFlight, Plan};
