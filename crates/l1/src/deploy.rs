//! Deploys the Rollup and the Portal (docs/bridge.md §1), binds the Portal's queue to the
//! Rollup's batch chain, and checks that both hold code.

use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

use crate::L1Error;
use crate::bindings::{Portal, Rollup};
use crate::client::{parse_url, signing_provider};
use crate::types::L1Addresses;

/// Constructor arguments of both contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployParams {
    /// L2 chain id (non-zero, immutable).
    pub l2_chain_id: u64,
    /// Seconds before an output is final (`0..=365 days`).
    pub challenge_window_secs: u64,
    /// Seconds within which derivation must include a queue message (`1..=86400`: one day at most).
    pub inclusion_deadline_secs: u64,
    /// Seconds of sequencer silence before anyone may append batches (`1..=365 days`).
    pub inactivity_window_secs: u64,
    /// Appends batches.
    pub sequencer: Address,
    /// Proposes outputs.
    pub proposer: Address,
    /// May invalidate unfinalized outputs; zero for none.
    pub guardian: Address,
    /// Owns the Rollup configuration.
    pub owner: Address,
    /// Smallest ETH deposit in wei (0 means 1).
    pub min_deposit: U256,
    /// Largest ETH deposit in wei (`<= 2^128 - 1`).
    pub max_deposit: U256,
}

/// A finished deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The contract addresses.
    pub addresses: L1Addresses,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L1 block of the Rollup deployment (start scanning logs here).
    pub deployed_at_block: u64,
    /// The deploying account.
    pub deployer: Address,
}

/// Deploys the Rollup, then the Portal pointing at it, signing with `deployer_key` (hex), waiting
/// for both receipts and checking that code exists at both addresses. The deployer owns the Rollup
/// until it has set the Portal (`setPortal`, once: every batch-chain entry commits to its queue),
/// then hands ownership to `params.owner` if that is another account, which must then call
/// `acceptOwnership` (OpenZeppelin's two-step transfer).
pub async fn deploy(rpc_url: &str, deployer_key: &str, params: DeployParams) -> Result<Deployment, L1Error> {
    let signer: PrivateKeySigner = deployer_key.trim().parse().map_err(|_| L1Error::InvalidKey)?;
    let deployer = signer.address();
    let provider = signing_provider(parse_url(rpc_url)?, signer);
    let l1_chain_id = provider.get_chain_id().await.map_err(L1Error::rpc("eth_chainId"))?;

    let rollup_tx = Rollup::deploy_builder(
        &provider,
        deployer,
        params.l2_chain_id,
        params.challenge_window_secs,
        params.inclusion_deadline_secs,
        params.inactivity_window_secs,
        params.sequencer,
        params.proposer,
        params.guardian,
    );
    let (rollup, deployed_at_block) = deploy_one("Rollup", rollup_tx).await?;
    let portal_tx = Portal::deploy_builder(&provider, rollup, params.min_deposit, params.max_deposit);
    let (portal, _) = deploy_one("Portal", portal_tx).await?;
    let rollup_contract = Rollup::new(rollup, &provider);
    confirm("setPortal", rollup_contract.setPortal(portal)).await?;
    if params.owner != deployer {
        confirm("transferOwnership", rollup_contract.transferOwnership(params.owner)).await?;
    }

    for (contract, address) in [("Rollup", rollup), ("Portal", portal)] {
        let code = provider.get_code_at(address).await.map_err(L1Error::rpc("eth_getCode"))?;
        if code.is_empty() {
            return Err(L1Error::NoCode { contract, address });
        }
    }
    tracing::info!(%rollup, %portal, deployed_at_block, "L1 contracts deployed");
    Ok(Deployment { addresses: L1Addresses { rollup, portal }, l1_chain_id, deployed_at_block, deployer })
}

pub(crate) async fn confirm<P: Provider, D: alloy::contract::CallDecoder>(
    method: &'static str,
    tx: alloy::contract::CallBuilder<P, D>,
) -> Result<(), L1Error> {
    let pending = tx.send().await.map_err(|e| L1Error::from_contract(method, e))?;
    let tx_hash = *pending.tx_hash();
    let receipt = pending.get_receipt().await.map_err(L1Error::pending(method))?;
    if !receipt.status() {
        return Err(L1Error::TxReverted { method, tx_hash, block: receipt.block_number });
    }
    Ok(())
}

pub(crate) async fn deploy_one<P: Provider, D: alloy::contract::CallDecoder>(
    contract: &'static str,
    tx: alloy::contract::CallBuilder<P, D>,
) -> Result<(Address, u64), L1Error> {
    let method = contract;
    let pending = tx.send().await.map_err(|e| L1Error::from_contract(method, e))?;
    let tx_hash = *pending.tx_hash();
    let receipt = pending.get_receipt().await.map_err(L1Error::pending(method))?;
    if !receipt.status() {
        return Err(L1Error::TxReverted { method, tx_hash, block: receipt.block_number });
    }
    let address = receipt.contract_address.ok_or(L1Error::NotDeployed { contract, tx_hash })?;
    let block = receipt.block_number.ok_or(L1Error::NoBlock { tx_hash })?;
    Ok((address, block))
}
