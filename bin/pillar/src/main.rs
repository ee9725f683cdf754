//! `pillar`: one binary to create, run and use a Pillar chain.

mod cmd;
mod rpc_client;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "pillar",
    version,
    about = "Vertical Ethereum L2 rollups: create, run and use a Pillar chain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a chain config from a preset.
    Init(cmd::init::Args),
    /// Run a node from a chain config.
    Node(cmd::node::Args),
    /// Start a local Ethereum (anvil) and a Pillar L2 settling on it; `--demo` runs the user story.
    Devnet(cmd::devnet::Args),
    /// Measure a chain on this machine: throughput, latency, L1 cost, memory.
    Bench(cmd::bench::Args),
    /// The load generator of `pillar bench` (a separate process, as real clients are).
    #[command(hide = true)]
    BenchClient(cmd::bench::client::Args),
    /// Deploy the L1 contracts and record them in a chain config.
    Deploy(cmd::deploy::Args),
    /// Manage keys.
    Keys {
        #[command(subcommand)]
        command: cmd::keys::Command,
    },
    /// Print the chain's ABI: every call's and event's fields and EIP-712 types, as JSON.
    Schema(cmd::schema::Args),
    /// Sign and submit transactions.
    Tx {
        #[command(subcommand)]
        command: cmd::tx::Command,
    },
    /// Fault proofs: decide a block's output claim with the fault-proof program.
    Fp {
        #[command(subcommand)]
        command: cmd::fp::Command,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Init(a) => cmd::init::run(a),
        Command::Node(a) => cmd::node::run(a),
        Command::Devnet(a) => cmd::devnet::run(a),
        Command::Deploy(a) => cmd::deploy::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::BenchClient(a) => cmd::bench::client::run(a),
        Command::Keys { command } => cmd::keys::run(command),
        Command::Schema(a) => cmd::schema::run(a),
        Command::Tx { command } => cmd::tx::run(command),
        Command::Fp { command } => cmd::fp::run(command),
    }
}
