//! The chain the program judges: its id and modules, named by a hash the dispute fixes.
//!
//! Local key 5 is the configuration's hash; the configuration itself is that hash's keccak
//! preimage, so one program ELF (one absolute prestate) serves every chain, and a chain's disputes
//! pin its configuration by hash (docs/fault-proofs.md, "The program").

use alloc::{string::String, string::ToString, vec::Vec};

use pillar_preimage::{PreimageKey, PreimageOracle};
use pillar_runtime::{DynModule, Shared};
use pillar_stf::{B256, Runtime, SigVerifier, keccak256};

use crate::ProgramError;

/// The runtime part of a chain's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// The L2 chain id (EIP-712 domain of its transactions).
    pub chain_id: u64,
    /// The modules, in the chain's order, by registry name (`pillar_stf::MODULES`).
    pub modules: Vec<String>,
}

/// A configuration longer than this is refused: a chain has a handful of modules.
const MAX_MODULES: usize = 64;

impl ChainConfig {
    /// `chain_id (8, big-endian) ‖ count (1) ‖ for each module: length (1) ‖ name`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.chain_id.to_be_bytes());
        out.push(self.modules.len() as u8);
        for m in &self.modules {
            out.push(m.len() as u8);
            out.extend_from_slice(m.as_bytes());
        }
        out
    }

    /// The hash local key 5 carries.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Parses [`ChainConfig::encode`], refusing trailing bytes and names that are not UTF-8.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProgramError> {
        let bad = |reason: &str| ProgramError::Malformed { what: "chain config", reason: reason.to_string() };
        let (id, rest) = bytes.split_first_chunk::<8>().ok_or_else(|| bad("shorter than a chain id"))?;
        let (&count, mut rest) = rest.split_first().ok_or_else(|| bad("no module count"))?;
        if usize::from(count) > MAX_MODULES {
            return Err(bad("too many modules"));
        }
        let mut modules = Vec::with_capacity(count.into());
        for _ in 0..count {
            let (&len, tail) = rest.split_first().ok_or_else(|| bad("truncated"))?;
            let name = tail.get(..usize::from(len)).ok_or_else(|| bad("truncated"))?;
            modules.push(core::str::from_utf8(name).map_err(|_| bad("a name is not UTF-8"))?.into());
            rest = &tail[usize::from(len)..];
        }
        if !rest.is_empty() {
            return Err(bad("trailing bytes"));
        }
        Ok(Self { chain_id: u64::from_be_bytes(*id), modules })
    }

    /// Reads the configuration whose hash is `hash`.
    pub fn read(oracle: &mut impl PreimageOracle, hash: B256) -> Result<Self, ProgramError> {
        Self::decode(&oracle.get(PreimageKey::keccak_hash(hash.0))?)
    }

    /// The chain's runtime, its forced transactions checked by `verifier`.
    pub fn runtime(&self, verifier: Shared<dyn SigVerifier + Send + Sync>) -> Result<Runtime, ProgramError> {
        let modules = self
            .modules
            .iter()
            .map(|name| {
                pillar_stf::module(name).ok_or_else(|| ProgramError::UnknownModule { name: name.clone() })
            })
            .collect::<Result<Vec<Shared<dyn DynModule>>, _>>()?;
        Ok(Runtime::with_verifier(self.chain_id, modules, verifier))
    }
}
