//! Why the program could not reach a verdict.

use alloc::string::String;

use pillar_preimage::OracleError;
use pillar_state::StateError;
use pillar_stf::B256;

/// A failure to reach a verdict on the claim. The claim's falsehood is not one: it is the verdict
/// [`crate::Verdict::Invalid`]. These say the program's inputs or oracle are not what the dispute
/// agreed on (a preimage missing or not of its expected form), which no honest setup produces; the
/// guest stops with a distinct exit code and no step of it is provable as a verdict.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// The oracle did not answer.
    #[error("oracle: {0}")]
    Oracle(#[from] OracleError),
    /// State could not be read or its root computed (a witness node missing).
    #[error("state: {0}")]
    State(#[from] StateError),
    /// A preimage is not of the form its key's role requires.
    #[error("{what} preimage malformed: {reason}")]
    Malformed {
        /// What was read.
        what: &'static str,
        /// Why it does not decode.
        reason: String,
    },
    /// The agreed output's header does not match the output.
    #[error("the agreed output's header does not give its {field}")]
    AgreedHeader {
        /// The field that differs.
        field: &'static str,
    },
    /// The claimed block is not the child of the agreed output's block.
    #[error("claims block {claimed}, the agreed output is of block {agreed}")]
    NotNext {
        /// Block of the claim.
        claimed: u64,
        /// Block of the agreed output.
        agreed: u64,
    },
    /// Walking the batch chain back from the head never reached the agreed cursor's entry.
    #[error("the batch chain from the head does not reach the agreed cursor's entry {entry}")]
    CursorNotInChain {
        /// The cursor's entry.
        entry: B256,
    },
    /// An entry's queue does not continue the agreed block's queue.
    #[error("entry {entry} commits to a queue that does not continue the agreed block's")]
    QueueMismatch {
        /// The entry.
        entry: B256,
    },
    /// The configuration names a module this program was not built with.
    #[error("the chain configuration names module {name}, which this program does not have")]
    UnknownModule {
        /// The name.
        name: String,
    },
}
