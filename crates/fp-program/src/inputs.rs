//! The program's inputs: the local keys a dispute gives it, and the agreed output they point at
//! (docs/fault-proofs.md, "The program").

use alloc::{string::ToString, vec::Vec};

use pillar_preimage::{PreimageKey, PreimageOracle};
use pillar_stf::{B256, DerivationCursor, Header, codec};

use crate::ProgramError;

/// Local key 1: the agreed output root, of block N − 1 (32 bytes).
pub const LOCAL_AGREED_OUTPUT: u64 = 1;
/// Local key 2: the claimed output root, of block N (32 bytes).
pub const LOCAL_CLAIMED_OUTPUT: u64 = 2;
/// Local key 3: N, the claimed block (8 bytes, big-endian).
pub const LOCAL_CLAIMED_BLOCK: u64 = 3;
/// Local key 4: the batch chain's head in the dispute's view of L1 (`Rollup.lastBatchHash()`).
pub const LOCAL_BATCH_HEAD: u64 = 4;
/// Local key 5: the chain configuration's hash (the runtime the program was built with).
pub const LOCAL_CONFIG_HASH: u64 = 5;

/// What a dispute gives the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// The output both sides agree on, of block N − 1.
    pub agreed_output: B256,
    /// The output under dispute, of block N.
    pub claimed_output: B256,
    /// N.
    pub claimed_block: u64,
    /// `Rollup.lastBatchHash()` when the dispute started: derivation sees the entries up to it.
    pub batch_head: B256,
    /// The chain configuration's hash.
    pub config_hash: B256,
}

fn word(oracle: &mut impl PreimageOracle, id: u64) -> Result<B256, ProgramError> {
    let bytes = oracle.get(PreimageKey::local_index(id))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(B256::from)
        .map_err(|_| ProgramError::Malformed { what: "local input", reason: "not 32 bytes".to_string() })
}

impl Inputs {
    /// Reads the local keys.
    pub fn read(oracle: &mut impl PreimageOracle) -> Result<Self, ProgramError> {
        let block = oracle.get(PreimageKey::local_index(LOCAL_CLAIMED_BLOCK))?;
        let block = <[u8; 8]>::try_from(block.as_slice()).map_err(|_| ProgramError::Malformed {
            what: "claimed block",
            reason: "not 8 bytes".to_string(),
        })?;
        Ok(Self {
            agreed_output: word(oracle, LOCAL_AGREED_OUTPUT)?,
            claimed_output: word(oracle, LOCAL_CLAIMED_OUTPUT)?,
            claimed_block: u64::from_be_bytes(block),
            batch_head: word(oracle, LOCAL_BATCH_HEAD)?,
            config_hash: word(oracle, LOCAL_CONFIG_HASH)?,
        })
    }

    /// The local keys and their values, for a host to serve.
    pub fn locals(&self) -> Vec<(u64, Vec<u8>)> {
        alloc::vec![
            (LOCAL_AGREED_OUTPUT, self.agreed_output.to_vec()),
            (LOCAL_CLAIMED_OUTPUT, self.claimed_output.to_vec()),
            (LOCAL_CLAIMED_BLOCK, self.claimed_block.to_be_bytes().to_vec()),
            (LOCAL_BATCH_HEAD, self.batch_head.to_vec()),
            (LOCAL_CONFIG_HASH, self.config_hash.to_vec()),
        ]
    }
}

/// An output root's preimage (docs/bridge.md §3.1): `abi.encode(uint256 1, stateRoot,
/// withdrawalsRoot, blockHash, cursor.entry, uint8 cursor.phase)`, 192 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputPreimage {
    /// The block's state root.
    pub state_root: B256,
    /// The block's withdrawals root.
    pub withdrawals_root: B256,
    /// The block's hash.
    pub block_hash: B256,
    /// Where derivation found the block.
    pub cursor: DerivationCursor,
}

impl OutputPreimage {
    /// The 192 bytes the output root is the keccak of.
    pub fn encode(&self) -> [u8; 192] {
        let mut out = [0; 192];
        out[31] = 1;
        out[32..64].copy_from_slice(self.state_root.as_slice());
        out[64..96].copy_from_slice(self.withdrawals_root.as_slice());
        out[96..128].copy_from_slice(self.block_hash.as_slice());
        out[128..160].copy_from_slice(self.cursor.entry.as_slice());
        out[191] = self.cursor.phase;
        out
    }

    /// Parses [`OutputPreimage::encode`], refusing any other version or a phase above one byte.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProgramError> {
        let bad = |reason: &str| ProgramError::Malformed { what: "output root", reason: reason.to_string() };
        let b: &[u8; 192] = bytes.try_into().map_err(|_| bad("not 192 bytes"))?;
        let mut version = [0; 32];
        version[31] = 1;
        if b[..32] != version {
            return Err(bad("version is not 1"));
        }
        if b[160..191].iter().any(|x| *x != 0) || b[191] > DerivationCursor::AFTER_ENTRY {
            return Err(bad("cursor phase is not 0 or 1"));
        }
        let w = |i: usize| B256::from_slice(&b[32 * i..32 * (i + 1)]);
        Ok(Self {
            state_root: w(1),
            withdrawals_root: w(2),
            block_hash: w(3),
            cursor: DerivationCursor { entry: w(4), phase: b[191] },
        })
    }

    /// The output root.
    pub fn root(&self) -> B256 {
        pillar_stf::output_root(self.state_root, self.withdrawals_root, self.block_hash, &self.cursor)
    }
}

/// The agreed output and its block's header, checked against each other.
pub fn agreed(
    oracle: &mut impl PreimageOracle,
    output: B256,
) -> Result<(OutputPreimage, Header), ProgramError> {
    let pre = OutputPreimage::decode(&oracle.get(PreimageKey::keccak_hash(output.0))?)?;
    let bytes = oracle.get(PreimageKey::keccak_hash(pre.block_hash.0))?;
    let header: Header = codec::decode(&bytes, 4096, "header")
        .map_err(|e| ProgramError::Malformed { what: "header", reason: e.to_string() })?;
    if header.state_root != pre.state_root {
        return Err(ProgramError::AgreedHeader { field: "state root" });
    }
    if header.withdrawals_root != pre.withdrawals_root {
        return Err(ProgramError::AgreedHeader { field: "withdrawals root" });
    }
    Ok((pre, header))
}
