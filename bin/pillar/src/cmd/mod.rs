//! One file per subcommand.

pub(crate) mod bench;
pub(crate) mod deploy;
pub(crate) mod devnet;
pub(crate) mod fp;
pub(crate) mod init;
pub(crate) mod keys;
pub(crate) mod node;
pub(crate) mod rpc_limits;
pub(crate) mod schema;
pub(crate) mod tx;

/// Logs to stderr, `info` unless `RUST_LOG` says otherwise.
pub(crate) fn init_tracing() {
    init_tracing_with("info");
}

/// Logs to stderr at `default` unless `RUST_LOG` says otherwise.
pub(crate) fn init_tracing_with(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Fresh key material from the operating system.
pub(crate) fn random_key() -> anyhow::Result<pillar_stf::PrivateKey> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
        // Out-of-range values (zero, or at least the curve order) are astronomically rare; retry.
        if let Ok(k) = pillar_stf::PrivateKey::from_bytes(bytes) {
            return Ok(k);
        }
    }
}
