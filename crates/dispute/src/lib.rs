//! The dispute agents' core (docs/fault-proofs.md, "The dispute game"): what the proposer and the
//! challenger share.
//!
//! - [`position`]: the game tree's positions, the twin of `Position.sol`;
//! - [`strategy`]: the honest strategy (OP's honest challenger) over a snapshot of a game and a
//!   [`strategy::TraceSource`] that knows the true outputs and traces;
//! - `trace` (next): a block's trace in pillar-fpvm, its state hashes at trace indices and its
//!   step proofs with the preimage each step reads;
//! - `host` (next): the oracle a block's dispute runs on, gathered from the node and L1.
//!
//! The contracts' clients are `pillar_l1::DisputeClient` and `pillar_l1::deploy_dispute`.

pub mod agent;
pub mod position;
pub mod strategy;
