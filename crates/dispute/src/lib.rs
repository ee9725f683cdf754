//! The dispute agents' core (docs/fault-proofs.md, "The dispute game"): what the proposer and the
//! challenger share.
//!
//! - [`position`]: the game tree's positions, the twin of `Position.sol`;
//! - [`strategy`]: the honest strategy (OP's honest challenger) over a snapshot of a game and a
//!   [`strategy::TraceSource`] that knows the true outputs and traces;
//! - [`trace`]: a block's trace in pillar-fpvm, its state hashes at trace indices and its step
//!   proofs with the preimage each step reads;
//! - [`host`]: the oracle a block's dispute runs on, gathered from the node and L1;
//! - [`chain`]: the challenger's truth from a node and the traces, and its steps;
//! - [`agent`]: playing a game on L1 round by round, and resolving it.
//!
//! The contracts' clients are `pillar_l1::DisputeClient` and `pillar_l1::deploy_dispute`.

pub mod agent;
pub mod chain;
pub mod host;
pub mod position;
pub mod strategy;
pub mod trace;
