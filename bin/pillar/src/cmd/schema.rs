//! `pillar schema`: the chain's published ABI (what `pillar_schema` returns), without a node.

use std::path::PathBuf;

use std::io::Write;

use anyhow::{Context, bail};
use pillar_node::{ChainConfig, PRESETS, build_runtime, preset};
use pillar_stf::Runtime;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A chain config; its modules and chain id decide the schema.
    #[arg(long, conflicts_with_all = ["preset", "all"])]
    config: Option<PathBuf>,
    /// Every module this build has (what the SDK is checked against).
    #[arg(long, conflicts_with = "preset")]
    all: bool,
    /// A preset instead of a config.
    #[arg(long, default_value = "basic")]
    preset: String,
    /// L2 chain id (with `--preset`).
    #[arg(long, default_value_t = 901)]
    chain_id: u64,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    let runtime = if a.all {
        Runtime::new(a.chain_id, pillar_stf::MODULES.iter().map(|r| (r.new)()).collect())
    } else {
        build_runtime(&config(&a)?)?
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&runtime.schema())?)?;
    Ok(())
}

fn config(a: &Args) -> anyhow::Result<ChainConfig> {
    Ok(match &a.config {
        Some(path) => ChainConfig::load(path).with_context(|| format!("reading {}", path.display()))?,
        None => match preset(&a.preset, a.chain_id, &[]) {
            Some(c) => c,
            None => bail!("unknown preset {:?}; available: {}", a.preset, PRESETS.join(", ")),
        },
    })
}
