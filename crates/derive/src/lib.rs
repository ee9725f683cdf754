//! The batch codec: how L2 blocks travel to L1 (docs/batches.md).
//!
//! The batcher encodes sealed blocks with [`encode_batch`]; derivation (replicas, and the
//! escape hatch's posters) decodes them with [`decode_batch`]. Anyone can write to the L1 inbox,
//! so the decoder treats every byte as adversarial: it bounds compressed and decompressed sizes,
//! refuses trailing bytes and unknown versions, and checks that the blocks form a chain, always
//! with a typed error and never a panic.

mod batch;

pub use batch::{
    BATCH_VERSION, BatchError, MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES, decode_batch, encode_batch,
};
