//! Starting a node.

use std::{path::Path, sync::Arc, thread::JoinHandle, time::Duration};

use pillar_chain::{Chain, ChainError, ChainOptions};
use pillar_rpc::{RpcConfig, RpcHandle};
use pillar_runtime::{Module, Runtime};
use pillar_sequencer::{PoolConfig, Sequencer, SequencerConfig};
use pillar_state::NomtOptions;
use tracing::info;

use crate::ChainConfig;

/// A node that could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The config names a module this build does not have.
    #[error("unknown module {name:?} (available: accounts, assets, bridge)")]
    UnknownModule {
        /// Name given.
        name: String,
    },
    /// The config lists a module twice.
    #[error("module {name:?} is listed twice")]
    DuplicateModule {
        /// Name given.
        name: String,
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
    let mut modules: Vec<Arc<dyn Module>> = Vec::new();
    for (i, name) in config.chain.modules.iter().enumerate() {
        if config.chain.modules[..i].contains(name) {
            return Err(NodeError::DuplicateModule { name: name.clone() });
        }
        modules.push(match name.as_str() {
            "accounts" => Arc::new(pillar_accounts::Accounts),
            "assets" => Arc::new(pillar_assets::Assets),
            "bridge" => Arc::new(pillar_bridge::Bridge),
            other => return Err(NodeError::UnknownModule { name: other.to_string() }),
        });
    }
    Ok(Runtime::new(config.chain.chain_id, modules))
}

/// A running node.
pub struct NodeHandle {
    /// The sequencer.
    pub sequencer: Sequencer,
    /// The chain.
    pub chain: Arc<Chain>,
    /// The RPC server.
    pub rpc: RpcHandle,
    /// Settlement tasks, when the chain settles on L1.
    pub settlement: Option<crate::settle::Settlement>,
    producer: JoinHandle<()>,
}

impl NodeHandle {
    /// Stops RPC, then block production after the block in progress.
    pub async fn shutdown(self) {
        if let Some(s) = self.settlement {
            s.shutdown().await;
        }
        self.rpc.stop();
        self.rpc.stopped().await;
        self.sequencer.shutdown();
        let producer = self.producer;
        let _ = tokio::task::spawn_blocking(move || producer.join()).await;
        info!("node stopped");
    }
}

/// Starts chain, sequencer and RPC for `config`; `config_dir` anchors relative paths.
pub async fn launch(config: &ChainConfig, config_dir: &Path) -> Result<NodeHandle, NodeError> {
    let runtime = build_runtime(config)?;
    let data_dir = config.data_dir(config_dir);
    let options = ChainOptions {
        nomt: NomtOptions { hashtable_buckets: config.storage.hashtable_buckets, ..Default::default() },
    };
    let genesis = config.genesis.clone();
    let dir = data_dir.clone();
    // Opening may re-execute a block; keep it off the async workers.
    let chain = tokio::task::spawn_blocking(move || Chain::open(&dir, runtime, &genesis, &options))
        .await
        .expect("chain open task panicked")?;
    let chain = Arc::new(chain);
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
    let (sequencer, producer) = Sequencer::start(
        Arc::clone(&chain),
        SequencerConfig {
            block_time: Duration::from_millis(s.block_time_ms),
            max_block_txs: s.max_block_txs,
            pool: PoolConfig {
                max_size: s.pool_max_size,
                max_per_sender: s.pool_max_per_sender,
                max_nonce_gap: s.pool_max_nonce_gap,
            },
        },
    );

    let r = &config.rpc;
    let rpc_config = RpcConfig {
        listen: r.listen,
        max_request_body: r.max_request_body,
        max_batch_len: r.max_batch_len,
        max_connections: r.max_connections,
        ..RpcConfig::default()
    };
    let rpc = pillar_rpc::start(sequencer.clone(), Arc::clone(&chain), &rpc_config)
        .await
        .map_err(|source| NodeError::Rpc { addr: r.listen, source })?;
    let settlement = match &config.l1 {
        Some(l1) => Some(crate::settle::start(l1, Arc::clone(&chain), sequencer.clone())?),
        None => None,
    };
    Ok(NodeHandle { sequencer, chain, rpc, settlement, producer })
}
