//! How the derivation loop answers a failure (after kona's `PipelineErrorKind`): every error it
//! can meet says which of three kinds it is, and the loop acts on the kind alone
//! (docs/derivation.md §11).

/// What a failure calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Retry at the next poll: L1, or what serves it, did not answer or answered something a later
    /// read may get right. Nothing derived is wrong.
    Temporary,
    /// Derivation's state no longer follows L1 (a reorg under processed blocks, a block or a queue
    /// message out of order): rewind to the newest processed L1 block that L1 still holds and
    /// derive forward from there.
    Reset,
    /// Stop: only an operator can help (local storage failed, a reorg reaches below the journal,
    /// L1 contradicts the contracts derivation was built for, the configuration is wrong).
    Critical,
}

/// An error that knows its [`ErrorKind`].
pub trait Classify {
    /// What this failure calls for.
    fn kind(&self) -> ErrorKind;
}
