//! `pillar deploy`: deploys the L1 contracts for a chain and records them in its config.

use std::path::PathBuf;

use anyhow::Context;
use pillar_l1::alloy::primitives::U256;
use pillar_l1::alloy::signers::local::PrivateKeySigner;
use pillar_l1::{DeployParams, Deployment};
use pillar_node::ChainConfig;
use pillar_stf::Address;
use serde_json::json;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// L1 JSON-RPC URL.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    l1_rpc: String,
    /// Deployer's L1 private key (hex). Also the default owner, sequencer, proposer and guardian.
    #[arg(long, env = "PILLAR_DEPLOYER_KEY", hide_env_values = true)]
    key: String,
    /// Chain config to read the L2 chain id from and write the `[l1]` section into.
    #[arg(long)]
    config: PathBuf,
    /// Seconds before an output is final.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    challenge_window_secs: u64,
    /// Seconds within which derivation must include an L1 queue message.
    #[arg(long, default_value_t = 24 * 3600)]
    inclusion_deadline_secs: u64,
    /// Seconds of sequencer silence before anyone may post batches.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    inactivity_window_secs: u64,
    /// Sequencer address (default: the deployer).
    #[arg(long)]
    sequencer: Option<Address>,
    /// Proposer address (default: the deployer).
    #[arg(long)]
    proposer: Option<Address>,
    /// Guardian address (default: the deployer; 0x000…0 for none).
    #[arg(long)]
    guardian: Option<Address>,
    /// Owner of the Rollup configuration (default: the deployer).
    #[arg(long)]
    owner: Option<Address>,
    /// Smallest ETH deposit, in wei.
    #[arg(long, default_value_t = 1)]
    min_deposit_wei: u128,
    /// Largest ETH deposit, in wei (default 2^128 - 1).
    #[arg(long, default_value_t = u128::MAX)]
    max_deposit_wei: u128,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing();
    let config = ChainConfig::load(&a.config)?;
    let deployer: PrivateKeySigner = a.key.trim().parse().context("--key is not a valid private key")?;
    let me = deployer.address();
    let params = DeployParams {
        l2_chain_id: config.chain.chain_id,
        challenge_window_secs: a.challenge_window_secs,
        inclusion_deadline_secs: a.inclusion_deadline_secs,
        inactivity_window_secs: a.inactivity_window_secs,
        sequencer: a.sequencer.unwrap_or(me),
        proposer: a.proposer.unwrap_or(me),
        guardian: a.guardian.unwrap_or(me),
        owner: a.owner.unwrap_or(me),
        min_deposit: U256::from(a.min_deposit_wei),
        max_deposit: U256::from(a.max_deposit_wei),
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    // Progress on stderr, so `--json` output stays one clean line.
    eprintln!(
        "deploying the Rollup and Portal to {} (bytecode built into this binary from contracts/artifacts)…",
        a.l1_rpc
    );
    let dep = rt
        .block_on(pillar_l1::deploy(&a.l1_rpc, &a.key, params))
        .with_context(|| format!("deploying to {}", a.l1_rpc))?;
    write_l1_section(&a.config, &a.l1_rpc, &dep)?;
    if a.json {
        println!(
            "{}",
            json!({
                "config": a.config,
                "l1Rpc": a.l1_rpc,
                "l1ChainId": dep.l1_chain_id,
                "rollup": dep.addresses.rollup,
                "portal": dep.addresses.portal,
                "deployedAtBlock": dep.deployed_at_block,
                "deployer": dep.deployer,
                "params": params,
            })
        );
    } else {
        println!("deployed to L1 chain {} at block {}", dep.l1_chain_id, dep.deployed_at_block);
        println!("  Rollup  {}", dep.addresses.rollup);
        println!("  Portal  {}", dep.addresses.portal);
        println!(
            "  sequencer {}  proposer {}  guardian {}  owner {}",
            params.sequencer, params.proposer, params.guardian, params.owner
        );
        println!("wrote [l1] into {}", a.config.display());
    }
    Ok(())
}

/// Sets `[l1] rpc, chain_id, rollup, portal, deployed_at_block` in the config file, keeping every
/// other key (and any other `[l1]` settings) as it was.
fn write_l1_section(path: &std::path::Path, rpc: &str, dep: &Deployment) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc: toml::Table = text.parse().with_context(|| format!("parsing {}", path.display()))?;
    let l1 = doc
        .entry("l1")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .with_context(|| format!("`l1` in {} is not a table", path.display()))?;
    l1.insert("rpc".into(), rpc.into());
    let chain_id = i64::try_from(dep.l1_chain_id).context("L1 chain id does not fit a TOML integer")?;
    l1.insert("chain_id".into(), chain_id.into());
    l1.insert("rollup".into(), dep.addresses.rollup.to_string().into());
    l1.insert("portal".into(), dep.addresses.portal.to_string().into());
    let block = i64::try_from(dep.deployed_at_block).context("block number does not fit a TOML integer")?;
    l1.insert("deployed_at_block".into(), block.into());
    let out = toml::to_string_pretty(&doc).context("serialising the config")?;
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
    if let Err(e) = ChainConfig::load(path) {
        tracing::warn!("{} no longer loads as a chain config: {e}", path.display());
    }
    Ok(())
}
