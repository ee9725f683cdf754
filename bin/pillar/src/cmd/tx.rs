//! `pillar tx`: sign with a local key and submit over JSON-RPC.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use pillar_assets::Transfer;
use pillar_stf::{Address, Call, PrivateKey, Transaction};
use serde_json::{Value, json};

use crate::rpc_client::Rpc;

#[derive(clap::Args)]
pub(crate) struct Common {
    /// Node RPC URL.
    #[arg(long, default_value = "http://127.0.0.1:8545", env = "PILLAR_RPC")]
    rpc: String,
    /// Sender's private key (hex).
    #[arg(long, env = "PILLAR_KEY", hide_env_values = true)]
    key: String,
    /// Use this nonce instead of the account's next nonce.
    #[arg(long)]
    nonce: Option<u64>,
    /// Return after submission instead of waiting for the receipt.
    #[arg(long)]
    no_wait: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Transfer an asset (native ETH is asset 0).
    Transfer {
        #[command(flatten)]
        common: Common,
        /// Recipient address.
        #[arg(long)]
        to: Address,
        /// Amount in the asset's smallest unit (wei for ETH).
        #[arg(long)]
        amount: u128,
        /// Asset id.
        #[arg(long, default_value_t = 0)]
        asset: u32,
    },
}

pub(crate) fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Transfer { common, to, amount, asset } => {
            submit(&common, Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to, asset, amount })))
        }
    }
}

fn submit(c: &Common, call: Call) -> anyhow::Result<()> {
    let key = PrivateKey::from_hex(&c.key).context("--key")?;
    let rpc = Rpc::new(&c.rpc)?;
    let info = rpc.call_blocking("pillar_chainInfo", json!([]))?;
    let chain_id = info["chainId"].as_u64().context("chainInfo without chainId")?;
    let fee: u128 = info["fees"]["txFee"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    let nonce = match c.nonce {
        Some(n) => n,
        None => {
            let acct = rpc.call_blocking("pillar_getAccount", json!([key.address()]))?;
            acct["nonce"].as_u64().context("account without nonce")?
        }
    };
    let stx = key.sign(Transaction { chain_id, nonce, max_fee: fee, call });
    let raw = format!("0x{}", hex::encode(stx.encode()));
    let hash = rpc.call_blocking("pillar_sendTransaction", json!([raw]))?;
    let hash = hash.as_str().context("submission returned no hash")?.to_string();
    if c.no_wait {
        print(c.json, &json!({ "hash": hash }), &format!("submitted {hash}"));
        return Ok(());
    }
    let started = Instant::now();
    loop {
        let r = rpc.call_blocking("pillar_getReceipt", json!([hash]))?;
        if !r.is_null() {
            let human = summary(&hash, &r, started.elapsed());
            print(c.json, &r, &human);
            if r["status"] != "success" {
                bail!("transaction failed: {}", r["reason"].as_str().unwrap_or("unknown reason"));
            }
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no receipt for {hash} after 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn summary(hash: &str, r: &Value, took: Duration) -> String {
    format!(
        "{hash}\n  status  {}\n  block   {}\n  fee     {} wei\n  events  {}\n  took    {} ms",
        match r["status"].as_str() {
            Some("success") => "success".to_string(),
            _ => format!("failed ({}): {}", r["code"], r["reason"].as_str().unwrap_or("")),
        },
        r["blockHeight"],
        r["feePaid"].as_str().unwrap_or("0"),
        r["events"].as_array().map(|e| e.len()).unwrap_or(0),
        took.as_millis()
    )
}

fn print(json: bool, v: &Value, human: &str) {
    if json {
        println!("{v}");
    } else {
        println!("{human}");
    }
}
