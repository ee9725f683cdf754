//! `pillar fp`: the fault-proof program run against a running chain (docs/fault-proofs.md).
//!
//! - `pillar fp run` ([`run`]) decides blocks' output claims from the node's RPC and L1;
//! - `pillar fp prestate` ([`prestate`]) prints the absolute prestate a chain's disputes pin.

use std::path::PathBuf;

use pillar_stf::B256;

mod prestate;
mod run;

/// The chain configuration the program is given (local key 5): the node config's chain id and
/// modules.
fn chain_config(config: &pillar_node::ChainConfig) -> pillar_fp_program::ChainConfig {
    pillar_fp_program::ChainConfig { chain_id: config.chain.chain_id, modules: config.chain.modules.clone() }
}

/// Where `scripts/rv32im/prestate.sh` (which `scripts/rv32im/build.sh` runs) leaves the guest.
const DEFAULT_ELF: &str = "target/rv32im/riscv32im-unknown-none-elf/release/pillar-fp-guest";

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Decide the output claim of block N (or of every block from N to --to): exit 0 if it holds,
    /// 1 if it does not.
    Run(RunArgs),
    /// Print the absolute prestate a chain's disputes pin: the guest's VM state before its first
    /// step, and that with the chain configuration's hash.
    Prestate(PrestateArgs),
}

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Chain config file (its `[l1]` section and RPC address say where to read).
    #[arg(long)]
    config: PathBuf,
    /// The block whose output is claimed.
    #[arg(long)]
    block: u64,
    /// Decide every block from --block to this one, reading L1 once (one report per block).
    #[arg(long, conflicts_with = "claim")]
    to: Option<u64>,
    /// The claimed output root (default: the node's own for the block).
    #[arg(long)]
    claim: Option<B256>,
    /// The node's RPC URL (default: the config's `rpc.listen`).
    #[arg(long)]
    rpc: Option<String>,
    /// Override the L1 JSON-RPC URL of the config.
    #[arg(long)]
    l1_rpc: Option<String>,
    /// The rv32im guest to run in pillar-fpvm (default: the one `scripts/rv32im/prestate.sh`
    /// builds, if present).
    #[arg(long)]
    elf: Option<PathBuf>,
    /// Run the program natively only, not in the VM.
    #[arg(long)]
    native: bool,
    /// Print one JSON object per block (`block`, `claimed`, `outputRoot`, `exitCode`, `steps`,
    /// `seconds`, `mode`), a line each.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub(crate) struct PrestateArgs {
    /// Chain config file (its chain id and modules make the chain configuration).
    #[arg(long)]
    config: PathBuf,
    /// The rv32im guest (default: the one `scripts/rv32im/prestate.sh` builds).
    #[arg(long)]
    elf: Option<PathBuf>,
}

pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run(a) => run::run(&a),
        Command::Prestate(p) => {
            println!("{}", prestate::prestate(&p)?);
            Ok(())
        }
    }
}
