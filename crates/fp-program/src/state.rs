//! L2 state read through the oracle: the witness store's nodes are NOMT-node preimages, and its
//! values sha256 preimages (docs/state.md, "Witness reads and root recomputation").

use alloc::vec::Vec;

use pillar_preimage::{OracleError, PreimageKey, PreimageOracle};
use pillar_state::{StateError, WitnessSource};

/// A [`WitnessSource`] over the oracle.
#[derive(Debug, Clone)]
pub struct OracleWitness<O>(pub O);

fn missing(what: &'static str, hash: &[u8; 32], e: OracleError) -> StateError {
    StateError::Backend { op: what, reason: alloc::format!("{hash:02x?}: {e}") }
}

impl<O: PreimageOracle> WitnessSource for OracleWitness<O> {
    fn node(&mut self, hash: &[u8; 32]) -> Result<Option<[u8; 64]>, StateError> {
        match self.0.get(PreimageKey::nomt_node(hash)) {
            Ok(bytes) => Ok(<[u8; 64]>::try_from(bytes.as_slice()).ok()),
            Err(OracleError::Missing { .. }) => Ok(None),
            Err(e) => Err(missing("witness node", hash, e)),
        }
    }

    fn value(&mut self, value_hash: &[u8; 32]) -> Result<Option<Vec<u8>>, StateError> {
        match self.0.get(PreimageKey::sha256_hash(*value_hash)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(OracleError::Missing { .. }) => Ok(None),
            Err(e) => Err(missing("witness value", value_hash, e)),
        }
    }
}
