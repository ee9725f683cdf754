//! `pillar node`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use pillar_node::ChainConfig;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Chain config file.
    #[arg(long)]
    config: PathBuf,
    /// Override the RPC listen address.
    #[arg(long)]
    rpc_listen: Option<SocketAddr>,
    /// Override the block time in milliseconds.
    #[arg(long)]
    block_time_ms: Option<u64>,
    /// Override the data directory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub(crate) fn run(a: Args) -> anyhow::Result<()> {
    super::init_tracing();
    let mut config = ChainConfig::load(&a.config)?;
    if let Some(l) = a.rpc_listen {
        config.rpc.listen = l;
    }
    if let Some(b) = a.block_time_ms {
        config.sequencer.block_time_ms = b;
    }
    if let Some(d) = a.data_dir {
        config.storage.data_dir = d;
    }
    config.check()?;
    let config_dir = a.config.parent().map(PathBuf::from).unwrap_or_default();
    serve(config, config_dir)
}

/// Runs a node until SIGINT or SIGTERM.
pub(crate) fn serve(config: ChainConfig, config_dir: PathBuf) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    rt.block_on(async move {
        let node = pillar_node::launch(&config, &config_dir).await?;
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
