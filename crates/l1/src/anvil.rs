//! A local anvil for tests and `pillar devnet`: finds (or installs with npm) the pinned
//! `node_modules/.bin/anvil`, starts it on a free port, waits until it answers, and kills it on
//! drop. Also the anvil/EVM RPCs that reorg and time-travel tests need.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U64, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::TransportError;

/// The npm package that pins anvil; its presence in `package.json` marks the repository root.
const ANVIL_PACKAGE: &str = "@foundry-rs/anvil-linux-amd64";

/// Private keys of anvil's ten default accounts (mnemonic `test test … junk`), each funded with
/// 10,000 ETH at start.
pub const DEV_KEYS: [&str; 10] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// How long to wait for a freshly spawned anvil to answer `eth_chainId`.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// Port attempts before giving up (a port picked free can be taken before anvil binds it).
const SPAWN_ATTEMPTS: usize = 5;

/// Why anvil could not be found, installed or started.
#[derive(Debug, thiserror::Error)]
pub enum AnvilError {
    /// No directory from `start` upwards has a `package.json` that pins anvil.
    #[error("no repository root (a package.json with {ANVIL_PACKAGE}) at or above {start}")]
    RepoRootNotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// Running `npm ci` failed.
    #[error("`npm ci` in {root} failed: {status}")]
    NpmFailed {
        /// Repository root.
        root: PathBuf,
        /// npm's exit status.
        status: ExitStatus,
    },
    /// `node_modules/.bin/anvil` is still missing after `npm ci`.
    #[error("anvil not found at {path} even after `npm ci`")]
    NotInstalled {
        /// Expected path.
        path: PathBuf,
    },
    /// A process could not be started, or a local I/O operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// anvil exited during startup on every port tried.
    #[error("anvil exited during startup ({status}) after {attempts} attempts")]
    Exited {
        /// The last exit status.
        status: ExitStatus,
        /// Ports tried.
        attempts: usize,
    },
    /// anvil did not answer `eth_chainId` in time.
    #[error("anvil at {endpoint} did not answer within {waited:?}")]
    NotReady {
        /// Its endpoint.
        endpoint: String,
        /// How long we waited.
        waited: Duration,
    },
    /// An anvil RPC failed.
    #[error("anvil RPC {method} failed: {source}")]
    Rpc {
        /// The RPC method.
        method: &'static str,
        /// The transport error.
        #[source]
        source: TransportError,
    },
}

/// How to start anvil.
#[derive(Clone, Debug)]
pub struct AnvilOptions {
    /// Repository root (holds `package.json` and `node_modules/`); found by walking up from the
    /// current directory when `None`.
    pub repo_root: Option<PathBuf>,
    /// L1 chain id.
    pub chain_id: u64,
    /// Seconds between blocks; `None` mines one block per transaction (automine).
    pub block_time: Option<u64>,
    /// Extra command-line arguments, passed through.
    pub extra_args: Vec<String>,
}

impl Default for AnvilOptions {
    fn default() -> Self {
        Self { repo_root: None, chain_id: 31337, block_time: None, extra_args: Vec::new() }
    }
}

/// A running anvil, killed on drop.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
    chain_id: u64,
    endpoint: String,
    provider: DynProvider,
}

impl Anvil {
    /// Starts anvil with default options (chain id 31337, automine).
    pub async fn spawn() -> Result<Self, AnvilError> {
        Self::spawn_with(AnvilOptions::default()).await
    }

    /// Starts anvil with `options`, installing it with `npm ci` first if it is missing.
    pub async fn spawn_with(options: AnvilOptions) -> Result<Self, AnvilError> {
        let root = match &options.repo_root {
            Some(root) => root.clone(),
            None => {
                let cwd = std::env::current_dir().map_err(|source| AnvilError::Io {
                    what: "reading the current directory".into(),
                    source,
                })?;
                find_repo_root(&cwd)?
            }
        };
        let bin = ensure_installed(&root)?;
        let mut last_status = None;
        for attempt in 1..=SPAWN_ATTEMPTS {
            let port = free_port()?;
            let mut cmd = Command::new(&bin);
            cmd.args(["--port", &port.to_string(), "--chain-id", &options.chain_id.to_string()])
                .args(["--host", "127.0.0.1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(secs) = options.block_time {
                cmd.args(["--block-time", &secs.to_string()]);
            }
            cmd.args(&options.extra_args);
            let child = cmd
                .spawn()
                .map_err(|source| AnvilError::Io { what: format!("starting {}", bin.display()), source })?;
            let endpoint = format!("http://127.0.0.1:{port}");
            let url = endpoint
                .parse()
                .map_err(|_| AnvilError::NotReady { endpoint: endpoint.clone(), waited: Duration::ZERO })?;
            let provider = ProviderBuilder::new().connect_http(url).erased();
            let mut anvil = Self { child, port, chain_id: options.chain_id, endpoint, provider };
            match anvil.wait_ready().await? {
                None => {
                    tracing::debug!(port, attempt, "anvil is up");
                    return Ok(anvil);
                }
                Some(status) => {
                    tracing::debug!(port, attempt, %status, "anvil exited during startup, retrying");
                    last_status = Some(status);
                }
            }
        }
        Err(AnvilError::Exited {
            status: last_status.unwrap_or_else(std::process::ExitStatus::default),
            attempts: SPAWN_ATTEMPTS,
        })
    }

    /// Polls `eth_chainId`; `Some(status)` if the process exited instead (port taken).
    async fn wait_ready(&mut self) -> Result<Option<ExitStatus>, AnvilError> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Ok(Some(status));
            }
            if self.provider.get_chain_id().await.is_ok() {
                return Ok(None);
            }
            if start.elapsed() > READY_TIMEOUT {
                return Err(AnvilError::NotReady {
                    endpoint: self.endpoint.clone(),
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// HTTP JSON-RPC endpoint, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The port anvil listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The L1 chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Private key (hex, `0x`-prefixed) of default account `i` (0..10).
    ///
    /// # Panics
    /// If `i >= 10`.
    pub fn dev_key(&self, i: usize) -> &'static str {
        DEV_KEYS[i]
    }

    /// Address of default account `i` (0..10).
    ///
    /// # Panics
    /// If `i >= 10`.
    pub fn dev_address(&self, i: usize) -> Address {
        dev_address(i)
    }

    /// A provider without a wallet, for reads and the anvil RPCs.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// `evm_snapshot`: saves the chain state; returns the id for [`Anvil::revert`].
    pub async fn snapshot(&self) -> Result<U256, AnvilError> {
        self.call("evm_snapshot", ()).await
    }

    /// `evm_revert`: returns to snapshot `id` (which is consumed); false if there was no such id.
    pub async fn revert(&self, id: U256) -> Result<bool, AnvilError> {
        self.call("evm_revert", (id,)).await
    }

    /// `anvil_reorg`: replaces the newest `depth` blocks with as many empty ones (their
    /// transactions are gone), as an L1 reorganisation would.
    pub async fn reorg(&self, depth: u64) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("anvil_reorg", (depth, Vec::<serde_json::Value>::new()))
            .await
            .map(drop)
    }

    /// `anvil_mine`: mines `blocks` blocks now.
    pub async fn mine(&self, blocks: u64) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("anvil_mine", (U64::from(blocks),)).await.map(drop)
    }

    /// `evm_setAutomine`: with `false`, transactions wait in the pool until a block is mined.
    pub async fn set_automine(&self, on: bool) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("evm_setAutomine", (on,)).await.map(drop)
    }

    /// `evm_setIntervalMining`: a block every `secs` seconds; 0 stops interval mining.
    pub async fn set_interval_mining(&self, secs: u64) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("evm_setIntervalMining", (secs,)).await.map(drop)
    }

    /// `anvil_dropTransaction`: removes transaction `hash` from the pool, as a node evicting it
    /// (or a reorg that does not return it to the pool) would.
    pub async fn drop_transaction(&self, hash: B256) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("anvil_dropTransaction", (hash,)).await.map(drop)
    }

    /// `anvil_dropAllTransactions`: empties the pool.
    pub async fn drop_all_transactions(&self) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("anvil_dropAllTransactions", ()).await.map(drop)
    }

    /// `evm_setNextBlockTimestamp`: the next block gets this timestamp (seconds).
    pub async fn set_next_timestamp(&self, timestamp: u64) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("evm_setNextBlockTimestamp", (timestamp,)).await.map(drop)
    }

    /// `evm_increaseTime` by `secs` then mines one block, so `block.timestamp` has moved for the
    /// next call.
    pub async fn increase_time(&self, secs: u64) -> Result<(), AnvilError> {
        self.call::<_, serde_json::Value>("evm_increaseTime", (U256::from(secs),)).await?;
        self.mine(1).await
    }

    async fn call<P, R>(&self, method: &'static str, params: P) -> Result<R, AnvilError>
    where
        P: serde::Serialize + Clone + std::fmt::Debug + Send + Sync + Unpin,
        R: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + Unpin + 'static,
    {
        self.provider
            .raw_request(method.into(), params)
            .await
            .map_err(|source| AnvilError::Rpc { method, source })
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Address of anvil's default account `i` (0..10).
///
/// # Panics
/// If `i >= 10`.
pub fn dev_address(i: usize) -> Address {
    DEV_KEYS[i].parse::<PrivateKeySigner>().map(|s| s.address()).expect("well-known keys are valid")
}

/// The repository root: `start` or its nearest ancestor whose `package.json` pins anvil.
pub fn find_repo_root(start: &Path) -> Result<PathBuf, AnvilError> {
    start
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("package.json")).is_ok_and(|text| text.contains(ANVIL_PACKAGE))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| AnvilError::RepoRootNotFound { start: start.to_path_buf() })
}

/// Path of the anvil binary under `root`, running `npm ci` there first if it is missing.
pub fn ensure_installed(root: &Path) -> Result<PathBuf, AnvilError> {
    let bin = root.join("node_modules/.bin/anvil");
    if bin.exists() {
        return Ok(bin);
    }
    eprintln!(
        "anvil not found at {}: running `npm ci --no-audit --no-fund` in {}",
        bin.display(),
        root.display()
    );
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root)
        .status()
        .map_err(|source| AnvilError::Io { what: "running npm ci".into(), source })?;
    if !status.success() {
        return Err(AnvilError::NpmFailed { root: root.to_path_buf(), status });
    }
    if bin.exists() { Ok(bin) } else { Err(AnvilError::NotInstalled { path: bin }) }
}

/// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
fn free_port() -> Result<u16, AnvilError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|source| AnvilError::Io { what: "binding a free port".into(), source })?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| AnvilError::Io { what: "reading the bound port".into(), source })
}
