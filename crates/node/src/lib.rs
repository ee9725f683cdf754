//! The Pillar node: reads a chain config and wires the parts into a running node.
//!
//! [`launch`] starts, in order:
//!
//! 1. the [`Chain`](pillar_chain::Chain): opens NOMT and the ledger under the data directory,
//!    writes genesis on first start, and re-executes the head block if the last run died between
//!    the ledger and state commits;
//! 2. the [`Sequencer`](pillar_sequencer::Sequencer): the mempool and the block producer thread;
//! 3. when the config has an `[l1]` section, settlement: the sequencer's own derivation (L1 queue
//!    messages into the producer, safe and finalized heads), the batcher (blocks into batches on
//!    L1) and the proposer (output roots) — or, on a replica, derivation and the feed;
//! 4. the JSON-RPC server ([`pillar_rpc`]), HTTP and WebSocket on one port.
//!
//! Transactions flow RPC → sequencer admission (signatures checked in parallel) → mempool →
//! block producer → chain (execute, ledger, state) → block notifications → RPC subscribers.
//!
//! With [`Role::Replica`] ([`launch_with`]) the node produces nothing: a follower sequencer
//! refuses transactions, and [`replica`] derives the chain from L1 (and optionally the
//! sequencer's feed), checks output roots and challenges wrong ones.

mod config;
mod launch;
mod presets;
mod replica;
mod sequencer_status;
mod settle;

pub use config::{
    BatcherSection, ChainConfig, ChainSection, ChallengerSection, ConfigError, DevKey, L1Section,
    ProposerSection, RpcSection, SequencerSection, StorageSection,
};
pub use launch::{
    NodeError, NodeHandle, NodeOptions, Role, TEST_HOOKS_ENV, TestHooks, build_runtime, launch, launch_with,
};
pub use presets::{GAME_COLLECTION, GAME_SPONSORED_CALLS, PRESETS, preset};
pub use replica::{Replica, ReplicaStatus};
pub use settle::{BatchLog, BatchRecord, BatcherStats, Settlement};
