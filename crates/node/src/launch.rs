//! Starting a node.

use std::{path::Path, sync::Arc, thread::JoinHandle, time::Duration};

use pillar_chain::{Chain, ChainError, ChainOptions};
use pillar_rpc::{NodeStatus, RpcHandle, TxSink};
use pillar_runtime::DynModule;
use pillar_sequencer::{PoolConfig, Sequencer, SequencerConfig};
use pillar_state::NomtOptions;
use pillar_stf::Address;
use pillar_stf::Runtime;
use tracing::info;

use crate::{
    ChainConfig,
    sequencer_status::{BatcherView, SequencerStatus},
};

/// A node that could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The config names a module this build does not have.
    #[error("unknown module {name:?} (available: {})", available.join(", "))]
    UnknownModule {
        /// Name given.
        name: String,
        /// The modules this build has.
        available: Vec<&'static str>,
    },
    /// The config lists a module twice.
    #[error("module {name:?} is listed twice")]
    DuplicateModule {
        /// Name given.
        name: String,
    },
    /// Test hooks were set without the process opting in.
    #[error("test hooks (censoring, lying) are for tests only; set {env}=1 to allow them")]
    TestHooksNotAllowed {
        /// The variable to set.
        env: &'static str,
    },
    /// Storage could not be opened or repaired.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Settlement could not start.
    #[error("cannot start L1 settlement: {reason}")]
    L1 {
        /// What failed.
        reason: String,
    },
    /// The RPC server could not bind.
    #[error("cannot start JSON-RPC on {addr}: {source}")]
    Rpc {
        /// Address.
        addr: std::net::SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
}

/// Builds the runtime a config describes.
pub fn build_runtime(config: &ChainConfig) -> Result<Runtime, NodeError> {
    let mut modules: Vec<Arc<dyn DynModule>> = Vec::new();
    for (i, name) in config.chain.modules.iter().enumerate() {
        if config.chain.modules[..i].contains(name) {
            return Err(NodeError::DuplicateModule { name: name.clone() });
        }
        let module = pillar_stf::module(name).ok_or_else(|| NodeError::UnknownModule {
            name: name.clone(),
            available: pillar_stf::module_names(),
        })?;
        modules.push(module);
    }
    Ok(Runtime::new(config.chain.chain_id, modules))
}

/// What a node does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Role {
    /// Orders transactions, produces blocks and (with `[l1]`) settles them.
    #[default]
    Sequencer,
    /// Rebuilds the chain from L1 alone and serves reads; optionally follows the sequencer's
    /// soft blocks over WebSocket.
    Replica {
        /// `ws://host:port` of the sequencer's RPC.
        sequencer_feed: Option<String>,
    },
}

/// Hooks that make a node misbehave on purpose, for tests of the fault paths. A node refuses to
/// start with any of them set unless the process opts in with [`TEST_HOOKS_ENV`]` = 1`, so a
/// stray flag or config cannot turn a production node into a censoring one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestHooks {
    /// The sequencer ignores this address's transactions, from RPC and from the L1 queue.
    pub censor: Option<Address>,
    /// The proposer proposes wrong output roots.
    pub lying_proposer: bool,
}

/// The environment variable that allows [`TestHooks`] (value `1`).
pub const TEST_HOOKS_ENV: &str = "PILLAR_ALLOW_TEST_HOOKS";

impl TestHooks {
    fn any(&self) -> bool {
        self.censor.is_some() || self.lying_proposer
    }

    /// Refuses hooks the process did not opt into.
    fn check(&self) -> Result<(), NodeError> {
        if self.any() && std::env::var(TEST_HOOKS_ENV).as_deref() != Ok("1") {
            return Err(NodeError::TestHooksNotAllowed { env: TEST_HOOKS_ENV });
        }
        Ok(())
    }
}

/// How to run a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeOptions {
    /// Sequencer or replica.
    pub role: Role,
    /// Test-only misbehaviour.
    pub test: TestHooks,
}

/// Blocks a replica can roll back (soft blocks replaced, L1 reorgs).
const REPLICA_ROLLBACK_WINDOW: u32 = 4096;

/// A running node.
pub struct NodeHandle {
    /// The sequencer; none on a replica, which takes no transactions.
    pub sequencer: Option<Sequencer>,
    /// The chain.
    pub chain: Arc<Chain>,
    /// The RPC server.
    pub rpc: RpcHandle,
    /// Settlement tasks, when the chain settles on L1.
    pub settlement: Option<crate::settle::Settlement>,
    /// Derivation tasks, on a replica.
    pub replica: Option<crate::replica::Replica>,
    producer: Option<JoinHandle<()>>,
}

impl NodeHandle {
    /// Stops RPC, then block production after the block in progress.
    pub async fn shutdown(self) {
        if let Some(s) = self.settlement {
            s.shutdown().await;
        }
        if let Some(r) = self.replica {
            r.shutdown().await;
        }
        self.rpc.stop();
        self.rpc.stopped().await;
        if let Some(sequencer) = &self.sequencer {
            sequencer.shutdown();
        }
        if let Some(producer) = self.producer {
            let _ = tokio::task::spawn_blocking(move || producer.join()).await;
        }
        info!("node stopped");
    }
}

/// Starts a sequencer node for `config`; `config_dir` anchors relative paths.
pub async fn launch(config: &ChainConfig, config_dir: &Path) -> Result<NodeHandle, NodeError> {
    launch_with(config, config_dir, &NodeOptions::default()).await
}

/// Starts chain, sequencer (or follower) and RPC, and settlement or derivation, for `config`.
pub async fn launch_with(
    config: &ChainConfig,
    config_dir: &Path,
    node: &NodeOptions,
) -> Result<NodeHandle, NodeError> {
    node.test.check()?;
    let runtime = build_runtime(config)?;
    let data_dir = config.data_dir(config_dir);
    let replica = matches!(node.role, Role::Replica { .. });
    if replica && config.l1.is_none() {
        return Err(NodeError::L1 { reason: "a replica needs the [l1] section of the chain config".into() });
    }
    let options = ChainOptions {
        nomt: NomtOptions {
            hashtable_buckets: config.storage.hashtable_buckets,
            // A settling sequencer rolls back too: derivation may replace its soft blocks (a
            // forced block, an L1 reorg that took an included deposit away).
            rollback_window: if config.l1.is_some() { REPLICA_ROLLBACK_WINDOW } else { 0 },
            ..Default::default()
        },
    };
    let genesis = config.genesis.clone();
    let dir = data_dir.clone();
    // Opening may re-execute a block; keep it off the async workers.
    let chain = tokio::task::spawn_blocking(move || Chain::open(&dir, runtime, &genesis, &options))
        .await
        .expect("chain open task panicked")?;
    let chain = Arc::new(chain);
    if config.l1.as_ref().is_some_and(|l1| l1.challenger.enabled || l1.challenger.record_witnesses) {
        // A challenger must be able to replay any block from the finalized anchor in the
        // fault-proof program, after NOMT has moved on.
        chain.record_witnesses()?;
    }
    let head = chain.head();
    info!(
        chain_id = config.chain.chain_id,
        height = head.height,
        hash = %head.hash(),
        state_root = %head.state_root,
        data_dir = %data_dir.display(),
        "chain open"
    );

    let s = &config.sequencer;
    let carrier =
        crate::settle::batcher::batch_limit(config.l1.as_ref().is_none_or(|l1| l1.batcher.mode == "blob"));
    let seq_config = SequencerConfig {
        block_time: Duration::from_millis(s.block_time_ms),
        max_block_txs: s.max_block_txs,
        // Every block fits one batch of the carrier it is posted on.
        max_block_bytes: pillar_derive::max_block_bytes(carrier),
        max_batch_bytes: carrier,
        pool: PoolConfig {
            max_size: s.pool_max_size,
            max_per_sender: s.pool_max_per_sender,
            max_nonce_gap: s.pool_max_nonce_gap,
        },
        censor: node.test.censor,
    };
    let rpc_config = config.rpc.to_config();
    let production =
        pillar_rpc::Production { block_time: seq_config.block_time, max_block_txs: seq_config.max_block_txs };
    let (sequencer, producer, replica, settlement, sink, status): (
        _,
        _,
        _,
        _,
        Arc<dyn TxSink>,
        Arc<dyn NodeStatus>,
    ) = match (&config.l1, &node.role) {
        (Some(l1), Role::Replica { sequencer_feed }) => {
            let read_only =
                Arc::new(crate::replica::read_only::ReadOnly::new(Arc::clone(&chain), production));
            let r =
                crate::replica::start(l1, Arc::clone(&chain), Arc::clone(&read_only), sequencer_feed.clone())
                    .await?;
            let status = Arc::clone(&r.status);
            (None, None, Some(r), None, read_only, status)
        }
        (_, Role::Replica { .. }) => unreachable!("checked above: a replica has [l1]"),
        (Some(l1), Role::Sequencer) => {
            let (sequencer, p) = Sequencer::start(Arc::clone(&chain), seq_config);
            let s = crate::settle::start(l1, Arc::clone(&chain), sequencer.clone(), node.test.lying_proposer)
                .await?;
            let status = SequencerStatus::new(
                sequencer.clone(),
                Some(BatcherView {
                    stats: Arc::clone(&s.batcher_stats),
                    log: Arc::clone(&s.batch_log),
                    derivation: Arc::clone(&s.derivation),
                }),
            );
            (Some(sequencer.clone()), Some(p), None, Some(s), Arc::new(sequencer), Arc::new(status))
        }
        (None, Role::Sequencer) => {
            let (sequencer, p) = Sequencer::start(Arc::clone(&chain), seq_config);
            let status = Arc::new(SequencerStatus::new(sequencer.clone(), None));
            (Some(sequencer.clone()), Some(p), None, None, Arc::new(sequencer), status)
        }
    };
    let rpc = pillar_rpc::start_with_status(sink, Arc::clone(&chain), &rpc_config, status)
        .await
        .map_err(|source| NodeError::Rpc { addr: rpc_config.listen, source })?;
    Ok(NodeHandle { sequencer, chain, rpc, settlement, replica, producer })
}
