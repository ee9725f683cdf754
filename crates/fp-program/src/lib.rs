//! Pillar's fault-proof program: the node's own derivation and runtime deciding one output claim
//! (docs/fault-proofs.md, "The program").
//!
//! Given an agreed output (block N − 1, with its derivation cursor), a claimed output for block N
//! and the batch chain's head in the dispute's view of L1, [`run`]:
//!
//! 1. reads the agreed output's preimage and block header, checked against each other
//!    ([`inputs`]);
//! 2. derives block N exactly as a replica does: the rest of the cursor entry, then the entries
//!    after it, each judged by `pillar_derive::rules` from the facts it commits to, with the queue
//!    and batch payloads read by hash, blobs element by element ([`entries`], [`queue`], [`payload`],
//!    [`blobs`], [`derive`]);
//! 3. executes it with the same runtime (`Runtime::execute_on`) over state read from NOMT node
//!    preimages (`pillar_state::WitnessState` over [`OracleWitness`]), signatures checked by L1's
//!    precompiles ([`OracleVerifier`]), and recomputes the state root once;
//! 4. computes block N's output root with its cursor and compares it with the claim.
//!
//! Everything comes from a [`pillar_preimage::PreimageOracle`]: natively a map (the twins tests,
//! `pillar fp run`), in the rv32im VM the guest's `FdOracle`. The crate is `no_std` + `alloc`
//! without its default `std` feature.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod blobs;
mod config;
pub mod derive;
pub mod entries;
mod error;
#[cfg(feature = "std")]
mod host;
pub mod inputs;
pub mod payload;
pub mod queue;
mod state;
mod verifier;

pub use config::ChainConfig;
pub use derive::{Derived, ProgramState, derive_next};
pub use entries::Entry;
pub use error::ProgramError;
#[cfg(feature = "std")]
pub use host::HostOracle;
pub use inputs::{Inputs, OutputPreimage};
pub use state::OracleWitness;
pub use verifier::{HINT_PRECOMPILE, OracleVerifier, SharedOracle};

use pillar_runtime::Shared;
use pillar_state::WitnessState;
use pillar_stf::{B256, Runtime, SigVerifier};

/// The program's answer about the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Block N derives to the claimed output root (or, when the chain as of the head stops
    /// before N, the claim is the agreed output).
    Valid {
        /// The root computed.
        output_root: B256,
    },
    /// Block N derives to another root (or, when the chain as of the head stops before N, the
    /// claim is not the agreed output).
    Invalid {
        /// The root computed (the agreed output's when the chain stops before N).
        output_root: B256,
    },
}

impl Verdict {
    /// The guest's exit code: 0 when the claim holds, 1 when it does not.
    pub fn exit_code(&self) -> u32 {
        match self {
            Self::Valid { .. } => 0,
            Self::Invalid { .. } => 1,
        }
    }

    /// The output root the program computed.
    pub fn output_root(&self) -> B256 {
        match self {
            Self::Valid { output_root } | Self::Invalid { output_root } => *output_root,
        }
    }
}

/// Decides the claim the oracle's local inputs describe, for the chain whose configuration local
/// key 5 names: what the guest runs.
pub fn run_configured<O: SharedOracle>(oracle: O) -> Result<Verdict, ProgramError> {
    let inputs = Inputs::read(&mut oracle.clone())?;
    let config = ChainConfig::read(&mut oracle.clone(), inputs.config_hash)?;
    run(oracle, |v| config.runtime(v))
}

/// Decides the claim the oracle's local inputs describe. `runtime` builds the chain's runtime
/// around the signature verifier the program gives it (the chain's modules, the guest's compiled
/// configuration).
pub fn run<O: SharedOracle>(
    oracle: O,
    runtime: impl FnOnce(Shared<dyn SigVerifier + Send + Sync>) -> Result<Runtime, ProgramError>,
) -> Result<Verdict, ProgramError> {
    let mut o = oracle.clone();
    let inputs = Inputs::read(&mut o)?;
    let (agreed, parent) = inputs::agreed(&mut o, inputs.agreed_output)?;
    // The dispute game clamps the points past its root's block to that block, so a dispute can
    // be about the agreed block itself: the claim holds exactly when it is the agreed output.
    if inputs.claimed_block == parent.height {
        return Ok(same_output(&inputs));
    }
    if inputs.claimed_block < parent.height {
        return Err(ProgramError::NotNext { claimed: inputs.claimed_block, agreed: parent.height });
    }
    let verifier = OracleVerifier(oracle.clone());
    let runtime = runtime(Shared::new(verifier.clone()))?;
    let state = WitnessState::new(parent.state_root, OracleWitness(oracle.clone()));
    let derived =
        derive_next(&mut o, &runtime, &verifier, &state, &parent, agreed.cursor, inputs.batch_head)?;
    Ok(match derived {
        // The entries up to the head make no block after the agreed one: as of this head the
        // chain stops there, and every later block's output is the agreed one (OP's program
        // treats a block past the safe head alike). A root claiming such an output for a later
        // block is refuted by the game's block-number challenge instead.
        None => same_output(&inputs),
        Some(_) if inputs.claimed_block != parent.height + 1 => {
            return Err(ProgramError::NotNext { claimed: inputs.claimed_block, agreed: parent.height });
        }
        Some(d) => {
            let output_root = OutputPreimage {
                state_root: d.header.state_root,
                withdrawals_root: d.header.withdrawals_root,
                block_hash: d.header.hash(),
                cursor: d.cursor,
            }
            .root();
            if output_root == inputs.claimed_output {
                Verdict::Valid { output_root }
            } else {
                Verdict::Invalid { output_root }
            }
        }
    })
}

/// The verdict on a claim whose block's output is the agreed output.
fn same_output(inputs: &Inputs) -> Verdict {
    let output_root = inputs.agreed_output;
    if inputs.claimed_output == output_root {
        Verdict::Valid { output_root }
    } else {
        Verdict::Invalid { output_root }
    }
}
