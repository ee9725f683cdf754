//! The example module's state: how many times each account signed.

use pillar_primitives::Address;
use pillar_state::{StateError, StateMap, StateRead};

use crate::NAME;

/// Entries per account (absent: none).
pub const ENTRIES: StateMap<Address, u64> = StateMap::new(NAME, "entries");

/// How many times `who` signed.
pub fn entries(state: &(impl StateRead + ?Sized), who: &Address) -> Result<u64, StateError> {
    Ok(ENTRIES.get(state, who)?.unwrap_or(0))
}
