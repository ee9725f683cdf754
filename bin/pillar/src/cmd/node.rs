//! `pillar node`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use pillar_node::{ChainConfig, NodeOptions, Role, TestHooks};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Chain config file.
    #[arg(long)]
    config: PathBuf,
    /// Override the RPC listen address.
    #[arg(long)]
    rpc_listen: Option<SocketAddr>,
    #[command(flatten)]
    rpc_limits: super::rpc_limits::RpcLimitFlags,
    /// Override the block time in milliseconds.
    #[arg(long)]
    block_time_ms: Option<u64>,
    /// Override the data directory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `sequencer` (orders and produces blocks) or `replica` (rebuilds the chain from L1 alone,
    /// serves reads, checks output roots).
    #[arg(long, default_value = "sequencer", value_parser = ["sequencer", "replica"])]
    role: String,
    /// Override the L1 JSON-RPC URL of the config's `[l1]` section.
    #[arg(long)]
    l1_rpc: Option<String>,
    /// Replica: also follow the sequencer's soft blocks ahead of L1 (`ws://host:port`).
    #[arg(long)]
    sequencer_feed: Option<String>,
    /// Replica: invalidate output roots that disagree with the derived chain (needs
    /// `l1.challenger.key` or PILLAR_CHALLENGER_KEY).
    #[arg(long)]
    challenger: bool,
    /// Record each block's state witness for the fault-proof program (`pillar_getWitness`,
    /// `pillar fp run`); `--challenger` does too.
    #[arg(long)]
    record_witnesses: bool,
    /// TEST ONLY: the sequencer ignores this address's transactions (RPC and forced).
    #[arg(long, hide = true)]
    test_censor: Option<pillar_stf::Address>,
    /// TEST ONLY: the proposer proposes wrong output roots.
    #[arg(long, hide = true)]
    test_lying_proposer: bool,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing();
    let mut config = ChainConfig::load(&a.config)?;
    if let Some(l) = a.rpc_listen {
        config.rpc.listen = l;
    }
    a.rpc_limits.apply(&mut config.rpc);
    if let Some(b) = a.block_time_ms {
        config.sequencer.block_time_ms = b;
    }
    if let Some(d) = a.data_dir {
        config.storage.data_dir = d;
    }
    if let Some(url) = a.l1_rpc {
        config.l1.as_mut().context("--l1-rpc needs an [l1] section in the config")?.rpc = url;
    }
    if a.record_witnesses {
        config
            .l1
            .as_mut()
            .context("--record-witnesses needs an [l1] section in the config")?
            .challenger
            .record_witnesses = true;
    }
    if a.challenger {
        config.l1.as_mut().context("--challenger needs an [l1] section in the config")?.challenger.enabled =
            true;
    }
    config.check()?;
    let role = match a.role.as_str() {
        "replica" => Role::Replica { sequencer_feed: a.sequencer_feed },
        _ => {
            anyhow::ensure!(a.sequencer_feed.is_none(), "--sequencer-feed is for --role replica");
            Role::Sequencer
        }
    };
    let options = NodeOptions {
        role,
        test: TestHooks { censor: a.test_censor, lying_proposer: a.test_lying_proposer },
    };
    let config_dir = a.config.parent().map(PathBuf::from).unwrap_or_default();
    serve(config, config_dir, options)
}

/// Runs a node until SIGINT or SIGTERM.
pub(crate) fn serve(config: ChainConfig, config_dir: PathBuf, options: NodeOptions) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    rt.block_on(async move {
        let node = pillar_node::launch_with(&config, &config_dir, &options).await?;
        let addr = node.rpc.local_addr;
        tracing::info!("RPC listening on http://{addr} and ws://{addr}");
        // Machine-readable line for scripts and tests that start the node.
        println!("pillar node listening on {addr}");
        wait_for_signal().await;
        tracing::info!("shutting down");
        node.shutdown().await;
        anyhow::Ok(())
    })
}

pub(crate) async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
