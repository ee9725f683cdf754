//! The oracle of native runs (feature `std`): the twins tests and `pillar fp run` serve the
//! program from memory, and compute precompile answers when the program hints them.

use std::sync::{Arc, Mutex, MutexGuard};

use pillar_preimage::{MapOracle, OracleError, PreimageKey, PreimageOracle};

use crate::verifier::HINT_PRECOMPILE;

/// A [`MapOracle`] shared between the program's parts (cloning gives another handle).
#[derive(Debug, Clone, Default)]
pub struct HostOracle(Arc<Mutex<MapOracle>>);

impl HostOracle {
    /// An oracle serving `map`.
    pub fn new(map: MapOracle) -> Self {
        Self(Arc::new(Mutex::new(map)))
    }

    /// The preimages, to add to or count.
    pub fn map(&self) -> MutexGuard<'_, MapOracle> {
        // A panic while holding the lock leaves the map as it was: every insert is one call.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl PreimageOracle for HostOracle {
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        self.map().get(key)
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        if let Some(call) = hint.strip_prefix(HINT_PRECOMPILE)
            && call.len() >= 20
        {
            let (address, input) = call.split_at(20);
            // An address the host does not know stays unanswered: the program then finds no
            // preimage, as it would on L1.
            let _ = self.map().insert_precompile(address.try_into().unwrap_or(&[0; 20]), input);
        }
        Ok(())
    }
}
