//! `--baseline anvil`: a general-purpose EVM node on the same machine doing the simplest job:
//! the same number of pre-signed plain ETH transfers from 1,000 senders, sent by the same client
//! process (8 connections, batched `eth_sendRawTransaction`), mined every 50 ms (our default
//! block time is shorter) in blocks without a gas limit, so anvil is never waiting on us.

use std::time::{Duration, Instant};

use alloy::{
    consensus::{SignableTransaction, TxEnvelope, TxLegacy},
    eips::eip2718::Encodable2718,
    primitives::{Address, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
};
use anyhow::{Context, bail};
use pillar_l1::anvil::{Anvil, AnvilOptions};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::{round, rpc};

const SENDERS: usize = 1_000;
const CHAIN_ID: u64 = 31_337;

fn signer(i: usize) -> PrivateKeySigner {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    b[31] = 0xa7;
    PrivateKeySigner::from_slice(&b).expect("a small scalar is a valid key")
}

async fn call(url: &str, method: &str, params: Value) -> anyhow::Result<Value> {
    crate::rpc_client::call_async(url, method, params).await
}

/// Measures anvil on `n` transfers; returns `baseline_tps` and how it was measured.
pub(crate) async fn baseline(n: usize, quiet: bool) -> anyhow::Result<Value> {
    if !quiet {
        eprintln!("baseline: anvil, {n} plain ETH transfers from {SENDERS} senders");
    }
    let anvil = Anvil::spawn_with(AnvilOptions {
        chain_id: CHAIN_ID,
        extra_args: vec!["--no-mining".into(), "--disable-block-gas-limit".into()],
        ..Default::default()
    })
    .await?;
    let url = anvil.endpoint().to_string();
    let signers: Vec<PrivateKeySigner> = (0..SENDERS).into_par_iter().map(signer).collect();
    for s in &signers {
        call(&url, "anvil_setBalance", json!([s.address(), "0x3635c9adc5dea00000"])).await?;
    }
    // Sender i sends its k-th transfer with nonce k, to the next sender.
    let raw: Vec<String> = (0..n)
        .into_par_iter()
        .map(|j| {
            let (i, nonce) = (j % SENDERS, (j / SENDERS) as u64);
            let to: Address = signers[(i + 1) % SENDERS].address();
            let tx = TxLegacy {
                chain_id: Some(CHAIN_ID),
                nonce,
                gas_price: 10_000_000_000,
                gas_limit: 21_000,
                to: TxKind::Call(to),
                value: U256::from(1),
                input: Default::default(),
            };
            let sig = signers[i].sign_hash_sync(&tx.signature_hash()).expect("signing with a local key");
            let env: TxEnvelope = tx.into_signed(sig).into();
            format!("0x{}", hex::encode(env.encoded_2718()))
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("anvil.txt");
    rpc::write_raw(&file, raw.into_iter())?;
    let start_block = call(&url, "eth_blockNumber", json!([])).await?;
    let mut next =
        u64::from_str_radix(start_block.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)? + 1;
    let started = Instant::now();
    let url2 = url.clone();
    let client = tokio::task::spawn_blocking(move || rpc::client(&url2, &file, "eth", 0, rpc::BATCH));
    // Mine every 50 ms until every transfer is in a block.
    let mut mined = 0usize;
    let deadline = started + Duration::from_secs(900);
    while mined < n {
        if Instant::now() > deadline {
            bail!("anvil mined {mined} of {n} transfers in 900 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        call(&url, "evm_mine", json!([])).await?;
        loop {
            let b = call(&url, "eth_getBlockByNumber", json!([format!("0x{next:x}"), false])).await?;
            if b.is_null() {
                break;
            }
            mined += b["transactions"].as_array().map_or(0, Vec::len);
            next += 1;
        }
    }
    let elapsed = started.elapsed();
    let report = client.await?.context("the anvil client failed")?;
    let submit_s = report["elapsed_s"].as_f64().unwrap_or(0.0);
    drop(anvil);
    Ok(json!({
        "baseline": "anvil",
        "baseline_txs": n,
        "baseline_tps": round(n as f64 / elapsed.as_secs_f64(), 0),
        "baseline_submit_s": round(submit_s, 2),
        "baseline_senders": SENDERS,
    }))
}
