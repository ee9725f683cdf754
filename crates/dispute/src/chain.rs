//! The challenger's truth: a node's outputs and the fault-proof program's traces in pillar-fpvm.
//! A block dispute's trace is recorded once (the guest run over the oracle the [`Host`] gathers
//! for it) and kept, with snapshots, for the state hashes the bisection asks and the steps it
//! ends in; a step's preimage is loaded into the L1 oracle (or the game's local data) first.

use std::collections::HashMap;

use pillar_l1::alloy::primitives::{Address, B256};
use pillar_l1::{DisputeClient, L1Error};

use crate::agent::{AgentError, Stepper};
use crate::host::{Host, HostError};
use crate::strategy::{ExecSubgame, TraceSource};
use crate::trace::{BlockTrace, PreimageLoad, TraceError};

/// Why the chain could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node or L1.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The VM run or a step's proof.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The node has no output of this block.
    #[error("the node has no output of block {block}")]
    NotSafe {
        /// The block.
        block: u64,
    },
    /// A block dispute starts from an output the node does not have at that block: not one this
    /// player plays in.
    #[error("the dispute's agreed output {root} is not the node's output of block {block}")]
    NotAgreed {
        /// The agreed output.
        root: B256,
        /// Its block.
        block: u64,
    },
}

/// Where the challenger's answers come from.
pub struct ChainSource {
    host: Host,
    elf: Vec<u8>,
    batch_head: B256,
    last_block: u64,
    oracle: Address,
    interval: u64,
    max_steps: u64,
    outputs: HashMap<u64, B256>,
    traces: HashMap<B256, BlockTrace>,
}

impl ChainSource {
    /// The truth of a game pinned to `batch_head`, whose last block is `last_block` (the chain as
    /// of that head stops there: every later block has its output), from the node and L1 behind
    /// `host`, the guest `elf`, and the L1 preimage `oracle` the game's VM reads.
    pub fn new(host: Host, elf: Vec<u8>, batch_head: B256, last_block: u64, oracle: Address) -> Self {
        Self {
            host,
            elf,
            batch_head,
            last_block,
            oracle,
            interval: 1 << 16,
            max_steps: 1 << 39,
            outputs: HashMap::new(),
            traces: HashMap::new(),
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
    }

    fn output(&mut self, block: u64) -> Result<B256, ChainError> {
        let block = block.min(self.last_block);
        if let Some(root) = self.outputs.get(&block) {
            return Ok(*root);
        }
        let root = Self::block_on(self.host.output_root(block))?.ok_or(ChainError::NotSafe { block })?;
        self.outputs.insert(block, root);
        Ok(root)
    }

    /// The recorded trace of `sub`, recording it on first use.
    pub fn trace(&mut self, sub: &ExecSubgame) -> Result<&mut BlockTrace, ChainError> {
        if !self.traces.contains_key(&sub.local_context) {
            let agreed_block = sub.starting_block.min(self.last_block);
            if self.output(agreed_block)? != sub.starting_root {
                return Err(ChainError::NotAgreed { root: sub.starting_root, block: agreed_block });
            }
            let oracle = Self::block_on(self.host.oracle_for(
                agreed_block,
                sub.disputed_root,
                sub.disputed_block,
                self.batch_head,
            ))?;
            let trace = BlockTrace::record(&self.elf, oracle, self.interval, self.max_steps)?;
            tracing::info!(
                block = sub.disputed_block,
                steps = trace.steps(),
                exit = trace.exit_code(),
                "block trace recorded"
            );
            self.traces.insert(sub.local_context, trace);
        }
        Ok(self.traces.get_mut(&sub.local_context).expect("inserted above"))
    }

    async fn load(
        &self,
        client: &DisputeClient,
        game: Address,
        claim: usize,
        load: PreimageLoad,
    ) -> Result<(), L1Error> {
        match load {
            PreimageLoad::Local { ident, part_offset } => {
                client.add_local_data(game, ident, claim as u64, part_offset).await?;
            }
            PreimageLoad::Keccak { preimage, part_offset } => {
                client.load_keccak(self.oracle, part_offset, preimage).await?;
            }
            PreimageLoad::Sha256 { preimage, part_offset } => {
                client.load_sha256(self.oracle, part_offset, preimage).await?;
            }
            PreimageLoad::NomtNode { preimage, part_offset } => {
                client.load_nomt_node(self.oracle, part_offset, preimage).await?;
            }
            PreimageLoad::Precompile { address, input, part_offset } => {
                client.load_precompile(self.oracle, part_offset, address, input).await?;
            }
            PreimageLoad::Blob { z, y, commitment, proof, part_offset } => {
                client.load_blob(self.oracle, z, y, commitment, proof, part_offset).await?;
            }
        }
        Ok(())
    }
}

impl TraceSource for ChainSource {
    type Error = ChainError;

    fn output_at(&mut self, block: u64) -> Result<B256, ChainError> {
        self.output(block)
    }

    fn state_at(&mut self, sub: &ExecSubgame, t: u64) -> Result<B256, ChainError> {
        Ok(self.trace(sub)?.state_after(t + 1)?)
    }
}

impl Stepper for ChainSource {
    async fn step(
        &mut self,
        client: &DisputeClient,
        game: Address,
        claim: usize,
        is_attack: bool,
        from_steps: u64,
        subgame: &ExecSubgame,
    ) -> Result<(), AgentError> {
        let err = |e: ChainError| AgentError::Step { claim, reason: e.to_string() };
        let data = self.trace(subgame).map_err(err)?.step_from(from_steps).map_err(|e| err(e.into()))?;
        if let Some(load) = data.load {
            self.load(client, game, claim, load).await?;
        }
        client.step(game, claim as u64, is_attack, data.proof).await?;
        Ok(())
    }
}
