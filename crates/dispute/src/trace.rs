//! A block's trace in pillar-fpvm: what an execution subgame bisects and steps over
//! (docs/fault-proofs.md, "The dispute game", "Step proofs").
//!
//! [`BlockTrace::record`] runs the fault-proof program's guest over one dispute's oracle to its
//! exit, keeping snapshots ([`pillar_fpvm::Trace`]), so that the state hash at any trace index
//! ([`BlockTrace::state_after`]) and the proof of any step ([`BlockTrace::step_from`]) are a
//! seek and at most `interval` steps away. A step that reads a preimage (`read(5, …)`) can be
//! posted to L1 only once the part it reads is in the L1 oracle: [`StepData::load`] says which
//! loader puts it there and with what ([`PreimageLoad`]), from the oracle the trace ran on.

use alloy::{
    eips::eip4844::{
        AsCkzg, Blob,
        c_kzg::{Bytes32, KzgProof},
        env_settings::EnvKzgSettings,
    },
    primitives::{Address, B256},
};
use pillar_fp_program::HostOracle;
use pillar_fpvm::{ElfError, Machine, OracleSyscalls, SeekError, Trace, VmError, load_elf};
use pillar_preimage::{KeyType, PreimageKey, abi::LENGTH_PREFIX_SIZE, blob::BYTES_PER_BLOB};
use thiserror::Error;

/// c-kzg's proof computation needs a large stack (its blob polynomial lives on it).
const KZG_STACK: usize = 64 << 20;

/// Why a trace could not be recorded, or a state or step of it produced.
#[derive(Debug, Error)]
pub enum TraceError {
    /// The guest ELF does not load.
    #[error("the guest ELF: {0}")]
    Elf(#[from] ElfError),
    /// The machine stopped without the guest exiting (a preimage the oracle lacks, a memory
    /// limit): no honest setup gives one, so the trace has no end to dispute.
    #[error("the guest stopped at step {step} without exiting: {source}")]
    Vm {
        /// The step the machine stopped at.
        step: u64,
        /// Why.
        source: VmError,
    },
    /// The guest had not exited after `max_steps`.
    #[error("the guest had not exited after {max_steps} steps")]
    StepLimit {
        /// The limit given to [`BlockTrace::record`].
        max_steps: u64,
    },
    /// Seeking a recorded step failed (the oracle changed under the trace).
    #[error("seeking step {step}: {source}")]
    Seek {
        /// The step sought.
        step: u64,
        /// Why.
        source: SeekError,
    },
    /// A read step's key has no preimage in the oracle, so it has no proof.
    #[error("step {step} reads key {key}, which the oracle lacks")]
    MissingPreimage {
        /// The step's index (its pre-state's step count).
        step: u64,
        /// The selected key.
        key: B256,
    },
    /// A local key whose identifier does not fit the game's `addLocalData` (a u64).
    #[error("local key {key} has an identifier above 2^64")]
    LocalIdent {
        /// The key.
        key: B256,
    },
    /// A key type the L1 oracle has no loader for (the one-step rule then has no part either).
    #[error("key {key} has no L1 loader")]
    NoLoader {
        /// The key.
        key: B256,
    },
    /// A precompile key whose call (address and input) the oracle did not record.
    #[error("precompile key {key}: its call is unknown")]
    UnknownPrecompileCall {
        /// The key.
        key: B256,
    },
    /// A blob key whose commitment and point, or whose whole blob, the oracle did not record:
    /// the KZG proof of the element cannot be computed.
    #[error("blob key {key}: its blob is unknown")]
    UnknownBlob {
        /// The key.
        key: B256,
    },
    /// c-kzg refused the opening, or gave a value other than the element the oracle served.
    #[error("KZG opening of blob key {key}: {reason}")]
    Kzg {
        /// The key.
        key: B256,
        /// c-kzg's error or the mismatch.
        reason: String,
    },
}

/// One step's proof data: what `FaultDisputeGame.step` takes, and what must be loaded first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepData {
    /// The state hash the step starts from.
    pub pre_state_hash: B256,
    /// The step proof, encoded as `step` takes it ([`pillar_fpvm::StepProof::encode`]).
    pub proof: Vec<u8>,
    /// For a preimage read, the part the L1 oracle must hold before the step.
    pub load: Option<PreimageLoad>,
}

/// What must be in the L1 oracle before a read step: the part at `part_offset` of the pre-state's
/// key, with what its loader needs (`PreimageOracle.sol`). `part_offset` is the pre-state's read
/// offset, except for a read at or past the end of `len_be8 ‖ preimage` (the read returning 0):
/// the oracle answers it from the preimage's length alone, which any load records, and refuses a
/// load there, so the load is of part 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreimageLoad {
    /// A local input: the game loads it, `addLocalData(ident, claimIndex, part_offset)`.
    Local {
        /// The input's number ([`PreimageKey::local_index`]).
        ident: u64,
        /// The part's offset.
        part_offset: u32,
    },
    /// `loadKeccak256PreimagePart(part_offset, preimage)`.
    Keccak {
        /// The preimage.
        preimage: Vec<u8>,
        /// The part's offset.
        part_offset: u32,
    },
    /// `loadSha256PreimagePart(part_offset, preimage)`.
    Sha256 {
        /// The preimage.
        preimage: Vec<u8>,
        /// The part's offset.
        part_offset: u32,
    },
    /// `loadNomtNodePreimagePart(part_offset, preimage)`.
    NomtNode {
        /// The node: its two children's hashes.
        preimage: [u8; 64],
        /// The part's offset.
        part_offset: u32,
    },
    /// `loadPrecompilePreimagePart(part_offset, address, input)`.
    Precompile {
        /// The precompile.
        address: Address,
        /// Its input.
        input: Vec<u8>,
        /// The part's offset.
        part_offset: u32,
    },
    /// `loadBlobPreimagePart(z, y, commitment, proof, part_offset)`.
    Blob {
        /// The evaluation point.
        z: B256,
        /// The element: the blob's polynomial at `z`.
        y: B256,
        /// The blob's KZG commitment (48 bytes).
        commitment: Vec<u8>,
        /// The KZG proof of `y` at `z` (48 bytes).
        proof: Vec<u8>,
        /// The part's offset.
        part_offset: u32,
    },
}

impl PreimageLoad {
    /// The offset of the part the load stores.
    pub fn part_offset(&self) -> u32 {
        match self {
            Self::Local { part_offset, .. }
            | Self::Keccak { part_offset, .. }
            | Self::Sha256 { part_offset, .. }
            | Self::NomtNode { part_offset, .. }
            | Self::Precompile { part_offset, .. }
            | Self::Blob { part_offset, .. } => *part_offset,
        }
    }
}

/// A recorded run of the guest over one dispute's oracle.
pub struct BlockTrace {
    trace: Trace,
    /// The syscalls the trace ran with: seeking re-runs steps, reads included, through them.
    sys: OracleSyscalls<HostOracle>,
    prestate: B256,
    steps: u64,
    exit_code: u32,
    /// The machine last sought, to answer requests for nearby later steps without a seek.
    cursor: Option<Machine>,
    interval: u64,
}

impl std::fmt::Debug for BlockTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockTrace")
            .field("trace", &self.trace)
            .field("prestate", &self.prestate)
            .field("steps", &self.steps)
            .field("exit_code", &self.exit_code)
            .finish()
    }
}

impl BlockTrace {
    /// Runs the guest ELF over `oracle` to its exit (at most `max_steps`), keeping snapshots
    /// every `interval` steps.
    pub fn record(elf: &[u8], oracle: HostOracle, interval: u64, max_steps: u64) -> Result<Self, TraceError> {
        let mut machine = load_elf(elf)?;
        let prestate = B256::from(machine.state_hash());
        let mut sys = OracleSyscalls::new(oracle);
        let trace = Trace::record(&mut machine, &mut sys, interval, max_steps)
            .map_err(|source| TraceError::Vm { step: machine.steps(), source })?;
        let exit_code = machine.exit_code().ok_or(TraceError::StepLimit { max_steps })?;
        Ok(Self {
            trace,
            sys,
            prestate,
            steps: machine.steps(),
            exit_code,
            cursor: Some(machine),
            interval: interval.max(1),
        })
    }

    /// Steps to the exit (the exit `ecall` counts).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The guest's exit code: 0 when the claim holds.
    pub fn exit_code(&self) -> u32 {
        self.exit_code
    }

    /// The state hash before any step: the absolute prestate.
    pub fn prestate(&self) -> B256 {
        self.prestate
    }

    /// The oracle the trace runs on.
    pub fn oracle(&self) -> &HostOracle {
        &self.sys.oracle
    }

    /// The machine after `min(n, steps)` steps, taken from the cursor when it is at most
    /// `interval` steps before, else sought; the caller puts it back.
    fn take_at(&mut self, n: u64) -> Result<Machine, TraceError> {
        let n = n.min(self.steps);
        let mut m = match self.cursor.take() {
            Some(m) if m.steps() <= n && n - m.steps() < self.interval => m,
            _ => self.trace.seek(n, &mut self.sys).map_err(|source| TraceError::Seek { step: n, source })?,
        };
        while m.steps() < n && m.exit_code().is_none() {
            let step = m.steps();
            m.step(&mut self.sys).map_err(|source| TraceError::Vm { step, source })?;
        }
        Ok(m)
    }

    /// The state hash after `min(n, steps)` steps (the exited state steps to itself).
    pub fn state_after(&mut self, n: u64) -> Result<B256, TraceError> {
        let mut m = self.take_at(n)?;
        let hash = B256::from(m.state_hash());
        self.cursor = Some(m);
        Ok(hash)
    }

    /// The step from the state after `n` steps: its pre-state hash, its proof, and the preimage
    /// part it reads, if it is a `read(5, …)`.
    pub fn step_from(&mut self, n: u64) -> Result<StepData, TraceError> {
        let mut m = self.take_at(n)?;
        let pre_state_hash = B256::from(m.state_hash());
        // The syscalls that ran the machine are the part store: they hold every key it read.
        let proof = m.prove_step_with(&mut self.sys);
        let (step, state) = (m.steps(), m.preimage());
        self.cursor = Some(m);
        let load = match proof.preimage {
            None if is_read(&proof) => {
                return Err(TraceError::MissingPreimage { step, key: B256::from(state.key) });
            }
            None => None,
            Some(part) => {
                let end = LENGTH_PREFIX_SIZE as u64 + part.len;
                let part_offset = if u64::from(state.offset) < end { state.offset } else { 0 };
                Some(load_for(&self.sys.oracle, step, PreimageKey(state.key), part_offset)?)
            }
        };
        Ok(StepData { pre_state_hash, proof: proof.encode(), load })
    }
}

/// Whether the proof's pre-state is at a `read(5, …)`: its proof needs a part. The decoded
/// pre-state's registers say so without decoding the instruction again: a read step's proof from
/// `prove_step_with` lacks its part only when the store lacks the key.
fn is_read(proof: &pillar_fpvm::StepProof) -> bool {
    let Ok(state) = pillar_fpvm::State::decode(&proof.pre) else {
        return false;
    };
    if state.exited || state.pc & 3 != 0 {
        return false;
    }
    // The instruction leaf holds the word at pc.
    let at = (state.pc % 32) as usize;
    let word = u32::from_le_bytes(proof.instruction.leaf[at..at + 4].try_into().unwrap_or([0; 4]));
    word == pillar_fpvm::asm::ECALL
        && state.regs[usize::from(pillar_fpvm::reg::A7)] == pillar_fpvm::SYS_READ
        && state.regs[usize::from(pillar_fpvm::reg::A0)] == pillar_preimage::abi::FD_PREIMAGE_READ
}

/// The load that puts the part at `part_offset` of `key` in the L1 oracle, from what `oracle`
/// holds.
fn load_for(
    oracle: &HostOracle,
    step: u64,
    key: PreimageKey,
    part_offset: u32,
) -> Result<PreimageLoad, TraceError> {
    let k = B256::from(key.0);
    let map = oracle.map();
    let preimage =
        || map.preimage(&key).map(<[u8]>::to_vec).ok_or(TraceError::MissingPreimage { step, key: k });
    Ok(match key.key_type() {
        Some(KeyType::Local) => {
            if key.0[1..24].iter().any(|&b| b != 0) {
                return Err(TraceError::LocalIdent { key: k });
            }
            let ident = u64::from_be_bytes(key.0[24..].try_into().unwrap_or([0; 8]));
            PreimageLoad::Local { ident, part_offset }
        }
        Some(KeyType::Keccak256) => PreimageLoad::Keccak { preimage: preimage()?, part_offset },
        Some(KeyType::Sha256) => PreimageLoad::Sha256 { preimage: preimage()?, part_offset },
        Some(KeyType::NomtNode) => {
            let node = preimage()?;
            let preimage: [u8; 64] = node.try_into().map_err(|_| TraceError::NoLoader { key: k })?;
            PreimageLoad::NomtNode { preimage, part_offset }
        }
        Some(KeyType::Precompile) => {
            let (address, input) =
                map.precompile_call(&key).ok_or(TraceError::UnknownPrecompileCall { key: k })?;
            PreimageLoad::Precompile { address: Address::from(*address), input: input.to_vec(), part_offset }
        }
        Some(KeyType::Blob) => {
            let (commitment, z) = map.blob_point(&key).ok_or(TraceError::UnknownBlob { key: k })?;
            let (commitment, z) = (*commitment, *z);
            let blob = map.blob(&commitment).ok_or(TraceError::UnknownBlob { key: k })?.to_vec();
            let element = preimage()?;
            drop(map);
            let (proof, y) = kzg_open(k, blob, z)?;
            if y[..] != element[..] {
                return Err(TraceError::Kzg {
                    key: k,
                    reason: format!("the blob's value at z is {y}, not the element"),
                });
            }
            PreimageLoad::Blob {
                z: B256::from(z),
                y,
                commitment: commitment.to_vec(),
                proof: proof.to_vec(),
                part_offset,
            }
        }
        None => return Err(TraceError::NoLoader { key: k }),
    })
}

/// The KZG proof of the blob's value at `z`, and the value, computed on a thread with the stack
/// c-kzg needs.
fn kzg_open(key: B256, blob: Vec<u8>, z: [u8; 32]) -> Result<([u8; 48], B256), TraceError> {
    let kzg = |reason: String| TraceError::Kzg { key, reason };
    if blob.len() != BYTES_PER_BLOB {
        return Err(kzg(format!("a blob of {} bytes", blob.len())));
    }
    let open = move || -> Result<([u8; 48], B256), String> {
        let blob = Blob::from_slice(&blob);
        let (proof, y): (KzgProof, Bytes32) = EnvKzgSettings::Default
            .get()
            .compute_kzg_proof(blob.as_ckzg(), &Bytes32::new(z))
            .map_err(|e| e.to_string())?;
        Ok((proof.to_bytes().into_inner(), B256::from_slice(y.as_slice())))
    };
    std::thread::Builder::new()
        .name("pillar-dispute-kzg".into())
        .stack_size(KZG_STACK)
        .spawn(open)
        .map_err(|e| kzg(e.to_string()))?
        .join()
        .map_err(|_| kzg("the KZG thread panicked".into()))?
        .map_err(kzg)
}
