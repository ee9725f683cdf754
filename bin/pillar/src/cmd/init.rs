//! `pillar init`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use pillar_node::{PRESETS, preset};
use serde_json::json;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Preset to start from.
    #[arg(long, default_value = "basic")]
    preset: String,
    /// Directory to write `chain.toml` into (created if missing).
    #[arg(long)]
    dir: PathBuf,
    /// L2 chain id.
    #[arg(long, default_value_t = 901)]
    chain_id: u64,
    /// How many funded development keys to generate.
    #[arg(long, default_value_t = 4)]
    dev_keys: usize,
    /// Overwrite an existing config.
    #[arg(long)]
    force: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    let keys = (0..a.dev_keys).map(|_| super::random_key()).collect::<anyhow::Result<Vec<_>>>()?;
    let Some(config) = preset(&a.preset, a.chain_id, &keys) else {
        bail!("unknown preset {:?}; available: {}", a.preset, PRESETS.join(", "));
    };
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    let path = a.dir.join("chain.toml");
    if path.exists() && !a.force {
        bail!("{} already exists (use --force to overwrite)", path.display());
    }
    config.save(&path)?;
    if a.json {
        println!(
            "{}",
            json!({ "config": path, "chainId": a.chain_id, "preset": a.preset, "devKeys": config.dev_keys })
        );
    } else {
        println!("wrote {} (preset {}, chain id {})", path.display(), a.preset, a.chain_id);
        for k in &config.dev_keys {
            println!("  dev key {}  {}", k.address, k.private_key);
        }
        println!("run it with: pillar node --config {}", path.display());
    }
    Ok(())
}
