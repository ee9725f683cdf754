//! `pillar keys`.

use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Generate a new secp256k1 key (an Ethereum account).
    New {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::New { json } => {
            let k = super::random_key()?;
            if json {
                println!("{}", json!({ "address": k.address(), "privateKey": k.to_hex() }));
            } else {
                println!("address:     {}", k.address());
                println!("private key: {}", k.to_hex());
                println!("Keep the private key secret: anyone holding it controls the account.");
            }
            Ok(())
        }
    }
}
