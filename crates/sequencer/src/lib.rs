//! The sequencer: admits transactions and produces blocks.
//!
//! - [`Mempool`]: pending transactions per sender in nonce order, bounded.
//! - [`Sequencer`]: the admission path (decode, signature recovery in parallel on all cores,
//!   stateful checks, pool insert) and the block producer thread, which builds a block every
//!   `block_time` or as soon as a block's worth of transactions is ready, makes it durable
//!   through [`pillar_chain::Chain`], and only then announces its receipts.
//! - [`SequencerMetrics`]: lock-free counters and latency histograms for `/metrics`.

mod fit;
mod mempool;
mod metrics;
mod rejection;
mod sequencer;

pub use mempool::{Dropped, Mempool, PoolConfig};
pub use metrics::{Histogram, HistogramSnapshot, LATENCY_BUCKETS, SequencerMetrics};
pub use pillar_chain::BlockNotification;
pub use rejection::Rejection;
pub use sequencer::{Sequencer, SequencerConfig};
