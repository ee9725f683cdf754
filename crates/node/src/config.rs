//! The chain config file (TOML).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use pillar_runtime::Genesis;
use pillar_stf::Address;
use serde::{Deserialize, Serialize};

/// A chain's configuration: identity, modules, sequencer and RPC settings, storage, genesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// Chain identity and runtime.
    pub chain: ChainSection,
    /// Block production.
    #[serde(default)]
    pub sequencer: SequencerSection,
    /// JSON-RPC server.
    #[serde(default)]
    pub rpc: RpcSection,
    /// Where data lives.
    #[serde(default)]
    pub storage: StorageSection,
    /// Initial state.
    pub genesis: Genesis,
    /// Development keys (funded in genesis). Never use these on a public network.
    #[serde(default)]
    pub dev_keys: Vec<DevKey>,
    /// Settlement on Ethereum; absent for a chain that does not settle (tests, local play).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1: Option<L1Section>,
}

/// Settlement on Ethereum: where the contracts are and what this node does there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L1Section {
    /// L1 JSON-RPC URL.
    pub rpc: String,
    /// L1 chain id.
    pub chain_id: u64,
    /// The `Rollup` contract.
    pub rollup: Address,
    /// The `Portal` contract.
    pub portal: Address,
    /// L1 block of the deployment (the watcher starts there).
    pub deployed_at_block: u64,
    /// L1 blocks a log must be buried under before the watcher acts on it.
    #[serde(default = "default_confirmations")]
    pub confirmations: u64,
    /// How often to poll L1, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Batch posting.
    #[serde(default)]
    pub batcher: BatcherSection,
    /// Output proposals.
    #[serde(default)]
    pub proposer: ProposerSection,
    /// Invalidating wrong outputs (replicas).
    #[serde(default)]
    pub challenger: ChallengerSection,
}

/// What a replica does about an output root that disagrees with the derived chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChallengerSection {
    /// Invalidate wrong outputs on L1 (needs the guardian's or challenger's key).
    pub enabled: bool,
    /// That L1 key (hex); `PILLAR_CHALLENGER_KEY` overrides it.
    pub key: Option<String>,
    /// Record each block's state witness for the fault-proof program (`pillar_getWitness`,
    /// `pillar fp run`), kept from the finalized head up; on whenever `enabled` is.
    pub record_witnesses: bool,
}

fn default_confirmations() -> u64 {
    1
}

fn default_poll_ms() -> u64 {
    500
}

/// Batch posting settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatcherSection {
    /// Post batches.
    pub enabled: bool,
    /// The sequencer's L1 key (hex); `PILLAR_SEQUENCER_KEY` overrides it.
    pub key: Option<String>,
    /// `blob` (EIP-4844, the default) or `calldata`.
    pub mode: String,
    /// Most L2 blocks in one batch.
    pub max_blocks: u64,
    /// Milliseconds between batches.
    pub interval_ms: u64,
}

impl Default for BatcherSection {
    fn default() -> Self {
        Self { enabled: true, key: None, mode: "blob".into(), max_blocks: 1000, interval_ms: 2000 }
    }
}

/// Output proposal settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProposerSection {
    /// Propose outputs.
    pub enabled: bool,
    /// The proposer's L1 key (hex); `PILLAR_PROPOSER_KEY` overrides it.
    pub key: Option<String>,
    /// Propose at most every this many L2 blocks (once they are batched).
    pub interval_blocks: u64,
}

impl Default for ProposerSection {
    fn default() -> Self {
        Self { enabled: true, key: None, interval_blocks: 20 }
    }
}

/// Chain identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSection {
    /// L2 chain id (in every signature's EIP-712 domain).
    pub chain_id: u64,
    /// Display name.
    pub name: String,
    /// Preset the config was made from.
    #[serde(default)]
    pub preset: String,
    /// Modules in dispatch order; `accounts` must come first.
    pub modules: Vec<String>,
}

/// Block production settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SequencerSection {
    /// Milliseconds between blocks (1 or more).
    pub block_time_ms: u64,
    /// Most transactions per block.
    pub max_block_txs: usize,
    /// Most pending transactions.
    pub pool_max_size: usize,
    /// Most pending transactions per sender.
    pub pool_max_per_sender: usize,
    /// Furthest a nonce may be past the sender's next nonce.
    pub pool_max_nonce_gap: u64,
}

impl Default for SequencerSection {
    fn default() -> Self {
        Self {
            block_time_ms: 50,
            max_block_txs: 10_000,
            pool_max_size: 200_000,
            pool_max_per_sender: 1024,
            pool_max_nonce_gap: 64,
        }
    }
}

/// JSON-RPC settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RpcSection {
    /// Listen address for HTTP and WebSocket.
    pub listen: SocketAddr,
    /// Largest request body in bytes.
    pub max_request_body: u32,
    /// Most requests per JSON-RPC batch.
    pub max_batch_len: u32,
    /// Most open connections (HTTP keep-alive and WebSocket).
    pub max_connections: u32,
    /// Most open connections from one address (an IPv6 /64 counts as one).
    pub max_connections_per_ip: u32,
    /// Seconds a request body may take to arrive after its headers (then HTTP 408).
    pub body_timeout_secs: u64,
    /// Seconds an HTTP connection may wait for its next request, and a WebSocket may stay with no
    /// call and no subscription.
    pub idle_timeout_secs: u64,
    /// Seconds a client may take none of the bytes sent to it.
    pub write_timeout_secs: u64,
    /// Seconds between WebSocket pings; silent for two intervals means gone.
    pub ws_ping_interval_secs: u64,
    /// Bytes that may wait for a WebSocket client behind the message being sent.
    pub max_ws_send_buffer: u32,
}

impl Default for RpcSection {
    fn default() -> Self {
        let d = pillar_rpc::RpcConfig::default();
        Self {
            listen: d.listen,
            max_request_body: d.max_request_body,
            max_batch_len: d.max_batch_len,
            max_connections: d.max_connections,
            max_connections_per_ip: d.max_connections_per_ip,
            body_timeout_secs: d.body_timeout.as_secs(),
            idle_timeout_secs: d.idle_timeout.as_secs(),
            write_timeout_secs: d.write_timeout.as_secs(),
            ws_ping_interval_secs: d.ws_ping_interval.as_secs(),
            max_ws_send_buffer: d.max_ws_send_buffer,
        }
    }
}

impl RpcSection {
    /// The server settings these stand for.
    pub fn to_config(&self) -> pillar_rpc::RpcConfig {
        let secs = std::time::Duration::from_secs;
        pillar_rpc::RpcConfig {
            listen: self.listen,
            max_request_body: self.max_request_body,
            max_batch_len: self.max_batch_len,
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            body_timeout: secs(self.body_timeout_secs),
            idle_timeout: secs(self.idle_timeout_secs),
            write_timeout: secs(self.write_timeout_secs),
            ws_ping_interval: secs(self.ws_ping_interval_secs),
            max_ws_send_buffer: self.max_ws_send_buffer,
            ..pillar_rpc::RpcConfig::default()
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let counts = [
            ("max_request_body", u64::from(self.max_request_body)),
            ("max_batch_len", u64::from(self.max_batch_len)),
            ("max_connections", u64::from(self.max_connections)),
            ("max_connections_per_ip", u64::from(self.max_connections_per_ip)),
            ("body_timeout_secs", self.body_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("write_timeout_secs", self.write_timeout_secs),
            ("ws_ping_interval_secs", self.ws_ping_interval_secs),
            ("max_ws_send_buffer", u64::from(self.max_ws_send_buffer)),
        ];
        match counts.iter().find(|(_, v)| *v == 0) {
            Some((name, _)) => Err(ConfigError::Invalid(format!("rpc.{name} must be at least 1"))),
            None => Ok(()),
        }
    }
}

/// Storage settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSection {
    /// Data directory, relative to the config file unless absolute.
    pub data_dir: PathBuf,
    /// NOMT hash-table pages (4 KiB each, allocated up front).
    pub hashtable_buckets: u32,
}

impl Default for StorageSection {
    fn default() -> Self {
        Self { data_dir: PathBuf::from("data"), hashtable_buckets: 64_000 }
    }
}

/// A development key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevKey {
    /// Its address.
    pub address: Address,
    /// Its private key, hex.
    pub private_key: String,
}

/// A config that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML does not parse.
    #[error("{path}: {reason}")]
    Parse {
        /// File.
        path: PathBuf,
        /// Parser message.
        reason: String,
    },
    /// The settings are inconsistent.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl ChainConfig {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        let cfg: Self = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.into(), reason: e.to_string() })?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Writes the config as TOML.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let text = toml::to_string_pretty(self).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        std::fs::write(path, text).map_err(|source| ConfigError::Io { path: path.into(), source })
    }

    /// Consistency checks that do not need storage.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.chain.modules.first().map(String::as_str) != Some("accounts") {
            return Err(ConfigError::Invalid(
                "`accounts` must be the first module (it enforces nonces)".into(),
            ));
        }
        if self.sequencer.block_time_ms == 0 {
            return Err(ConfigError::Invalid("sequencer.block_time_ms must be at least 1".into()));
        }
        if let Some(l1) = &self.l1 {
            if !matches!(l1.batcher.mode.as_str(), "blob" | "calldata") {
                return Err(ConfigError::Invalid(format!(
                    "l1.batcher.mode must be \"blob\" or \"calldata\", got {:?}",
                    l1.batcher.mode
                )));
            }
            if l1.batcher.max_blocks == 0 || l1.proposer.interval_blocks == 0 {
                return Err(ConfigError::Invalid(
                    "l1.batcher.max_blocks and l1.proposer.interval_blocks must be positive".into(),
                ));
            }
        }
        if self.sequencer.max_block_txs == 0 {
            return Err(ConfigError::Invalid("sequencer.max_block_txs must be at least 1".into()));
        }
        self.rpc.check()?;
        crate::build_runtime(self).map(|_| ()).map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    /// The data directory, resolved against the config file's directory.
    pub fn data_dir(&self, config_dir: &Path) -> PathBuf {
        if self.storage.data_dir.is_absolute() {
            self.storage.data_dir.clone()
        } else {
            config_dir.join(&self.storage.data_dir)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;
    use pillar_stf::PrivateKey;

    fn keys() -> Vec<PrivateKey> {
        (1..=2u8).map(|i| PrivateKey::from_bytes([i; 32]).unwrap()).collect()
    }

    #[test]
    fn rpc_limits_must_be_positive_and_reach_the_server() {
        let mut cfg = preset("basic", 77, &keys()).unwrap();
        cfg.rpc.max_connections_per_ip = 3;
        cfg.rpc.idle_timeout_secs = 9;
        cfg.check().unwrap();
        let server = cfg.rpc.to_config();
        assert_eq!(server.max_connections_per_ip, 3);
        assert_eq!(server.idle_timeout, std::time::Duration::from_secs(9));
        cfg.rpc.body_timeout_secs = 0;
        let err = cfg.check().unwrap_err().to_string();
        assert!(err.contains("rpc.body_timeout_secs"), "{err}");
    }

    #[test]
    fn preset_round_trips_through_toml() {
        let dir = tempfile::tempdir().unwrap();
        for name in crate::PRESETS {
            let cfg = preset(name, 77, &keys()).unwrap();
            let path = dir.path().join(format!("{name}.toml"));
            cfg.save(&path).unwrap();
            let back = ChainConfig::load(&path).unwrap();
            assert_eq!(back, cfg, "{name}");
            assert_eq!(back.genesis.accounts.len(), 2);
            assert_eq!(back.data_dir(dir.path()), dir.path().join("data"));
            // Every preset's genesis applies: its set-up calls succeed on its own modules.
            let runtime = crate::build_runtime(&back).unwrap();
            let mut state = pillar_state::MemoryState::default();
            runtime.genesis(&back.genesis, &mut state).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(preset("nope", 1, &keys()).is_none());
    }

    /// The check vector of docs/state.md §3: the `basic` genesis of two fixed addresses gives a
    /// fixed state root and genesis hash. A module that starts writing at genesis breaks it.
    #[test]
    fn basic_genesis_is_the_state_md_check_vector() {
        let a0: Address = "0x3dd7109a250f17cc5fbf2d41fbdab1bbdd05bcd4".parse().unwrap();
        let a1: Address = "0xbbe3ede9537af6181a23f37167965a90823724e9".parse().unwrap();
        let mut cfg = preset("basic", 901, &keys()).unwrap();
        cfg.genesis.fee_recipient = a0;
        cfg.genesis.assets[0].admin = a0;
        for (account, address) in cfg.genesis.accounts.iter_mut().zip([a0, a1]) {
            account.address = address;
        }
        let dir = tempfile::tempdir().unwrap();
        let options = pillar_chain::ChainOptions {
            nomt: pillar_state::NomtOptions { hashtable_buckets: 1024, ..Default::default() },
        };
        let runtime = crate::build_runtime(&cfg).unwrap();
        let chain = pillar_chain::Chain::open(dir.path(), runtime, &cfg.genesis, &options).unwrap();
        let head = chain.head();
        let hex = |b: pillar_stf::B256| b.to_string();
        assert_eq!(
            hex(head.state_root),
            "0x5ff70bd746ce31c8c2d6f6853aa2a2dd48fea70454de1779a101fc342040e11e"
        );
        assert_eq!(hex(head.hash()), "0xb8ee5d5965366df3b13f09e7d2194efc3e8fa2d1b29b84010823bdc03eed0db4");
    }

    #[test]
    fn inconsistent_configs_are_refused() {
        let mut cfg = preset("basic", 77, &keys()).unwrap();
        cfg.chain.modules = vec!["assets".into(), "accounts".into()];
        assert!(matches!(cfg.check(), Err(ConfigError::Invalid(m)) if m.contains("first")));
        cfg.chain.modules = vec!["accounts".into(), "assets".into(), "assets".into()];
        assert!(matches!(cfg.check(), Err(ConfigError::Invalid(m)) if m.contains("twice")));
        cfg.chain.modules = vec!["accounts".into(), "casino".into()];
        assert!(matches!(cfg.check(), Err(ConfigError::Invalid(m)) if m.contains("casino")));
        cfg.chain.modules = vec!["accounts".into(), "assets".into()];
        cfg.sequencer.block_time_ms = 0;
        assert!(cfg.check().is_err());
    }

    #[test]
    fn unknown_keys_and_bad_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[chain]\nchain_id = 1\nname = 'x'\nmodules = ['accounts']\nbogus = 1\n[genesis]\n",
        )
        .unwrap();
        assert!(matches!(ChainConfig::load(&path), Err(ConfigError::Parse { .. })));
        assert!(matches!(ChainConfig::load(&dir.path().join("missing.toml")), Err(ConfigError::Io { .. })));
    }
}
