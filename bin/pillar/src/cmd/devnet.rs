//! `pillar devnet`: a throwaway local chain with funded dev keys.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use pillar_node::preset;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Preset.
    #[arg(long, default_value = "basic")]
    preset: String,
    /// RPC listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    rpc_listen: SocketAddr,
    /// Keep data here instead of a temporary directory.
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing();
    let keys = (0..4).map(|_| super::random_key()).collect::<anyhow::Result<Vec<_>>>()?;
    let mut config =
        preset(&a.preset, 901, &keys).with_context(|| format!("unknown preset {:?}", a.preset))?;
    config.rpc.listen = a.rpc_listen;
    // A small hash table: a devnet holds little state and should start instantly.
    config.storage.hashtable_buckets = 16_384;
    let (dir, _tmp) = match a.dir {
        Some(d) => (d, None),
        None => {
            let t = tempfile::tempdir().context("creating a temporary directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    std::fs::create_dir_all(&dir)?;
    config.save(&dir.join("chain.toml"))?;
    println!("Pillar devnet (chain id {}, preset {})", config.chain.chain_id, a.preset);
    println!("  RPC        http://{0}  ws://{0}", a.rpc_listen);
    println!("  config     {}", dir.join("chain.toml").display());
    println!("  dev keys (1,000 ETH and 1,000,000 PUSD each):");
    for k in &config.dev_keys {
        println!("    {}  {}", k.address, k.private_key);
    }
    println!(
        "  try:  pillar tx transfer --rpc http://{} --key <dev key> --to <address> --amount 1000",
        a.rpc_listen
    );
    super::node::serve(config, dir)
}
