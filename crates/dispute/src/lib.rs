//! The dispute agents' core (docs/fault-proofs.md, "The dispute game"): what the proposer and the
//! challenger share.
//!
//! - [`position`]: the game tree's positions, the twin of `Position.sol`;
//! - [`strategy`]: the honest strategy (OP's honest challenger) over a snapshot of a game and a
//!   [`strategy::TraceSource`] that knows the true outputs and traces;
//! - [`trace`]: a block's trace in pillar-fpvm, its state hashes at trace indices and its step
//!   proofs with the preimage each step reads;
//! - [`host`]: the oracle a block's dispute runs on, gathered from the node and L1.

pub mod host;
pub mod position;
pub mod strategy;
pub mod trace;
