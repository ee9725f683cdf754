//! The example module's failures and their stable codes (9900–9999).

use pillar_primitives::Address;
use pillar_runtime::ModuleError;

/// Why an example call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExampleError {
    /// The account's entry counter is exhausted.
    #[error("{signer} has signed the guestbook {entries} times, the most it may")]
    TooManyEntries {
        /// Who signed.
        signer: Address,
        /// Entries so far.
        entries: u64,
    },
}

impl ModuleError for ExampleError {
    fn code(&self) -> u32 {
        match self {
            ExampleError::TooManyEntries { .. } => 9901,
        }
    }
}
