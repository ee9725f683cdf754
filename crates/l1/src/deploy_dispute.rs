//! Deploys the dispute game (docs/fault-proofs.md, "The dispute game"): the preimage oracle and
//! the one-step rule, the factory, the anchor state registry, the bond vault and a game
//! implementation of Pillar's type, registered with the factory.

use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

use crate::L1Error;
use crate::bindings::{
    AnchorStateRegistry, DelayedBondVault, DisputeGameFactory, FaultDisputeGame, PreimageOracle, RiscvStep,
};
use crate::client::{parse_url, signing_provider};
use crate::deploy::{confirm, deploy_one};

/// The parameters of the game type and its registry (`contracts/src/dispute/lib/GameDefaults.sol`
/// for production; a devnet scales the times down).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeParams {
    /// The game type (Pillar's fault-proof program: 0).
    pub game_type: u32,
    /// The program prestate (`pillar fp prestate`'s `programPrestate`).
    pub absolute_prestate: B256,
    /// The chain configuration's hash (`pillar fp prestate`'s `configHash`).
    pub config_hash: B256,
    /// Depth of the output bisection.
    pub split_depth: u64,
    /// Depth of the leaves.
    pub max_game_depth: u64,
    /// Seconds each team's clock may run.
    pub max_clock_secs: u64,
    /// Seconds a team is guaranteed after the other moves.
    pub clock_extension_secs: u64,
    /// The airgap after resolution, in seconds.
    pub finality_delay_secs: u64,
    /// The bond vault's delay, in seconds.
    pub bond_delay_secs: u64,
    /// The root's bond, in wei.
    pub base_bond: U256,
    /// Bond growth per level, as a fraction of 1e18.
    pub bond_growth_wad: U256,
    /// The output games start from until one replaces it (the genesis output).
    pub anchor_root: B256,
    /// The anchor's block.
    pub anchor_block: u64,
    /// The owner of the factory, registry and vault (the timelock); the deployer if zero.
    pub owner: Address,
    /// The Security Council: blacklists, sets the respected type, holds bonds.
    pub guardian: Address,
}

impl DisputeParams {
    /// The production depths, clocks, delays and bonds (`GameDefaults.sol`), for the given
    /// program, chain, anchor and roles.
    pub fn production(
        absolute_prestate: B256,
        config_hash: B256,
        anchor_root: B256,
        guardian: Address,
    ) -> Self {
        Self {
            game_type: 0,
            absolute_prestate,
            config_hash,
            split_depth: 32,
            max_game_depth: 72,
            max_clock_secs: 302_400,
            clock_extension_secs: 10_800,
            finality_delay_secs: 302_400,
            bond_delay_secs: 604_800,
            base_bond: U256::from(12_000_000_000_000_000u64),
            bond_growth_wad: U256::from(1_038_300_000_000_000_000u64),
            anchor_root,
            anchor_block: 0,
            owner: Address::ZERO,
            guardian,
        }
    }
}

/// The deployed dispute contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDeployment {
    /// `PreimageOracle`.
    pub oracle: Address,
    /// `RiscvStep`.
    pub step: Address,
    /// `DisputeGameFactory`.
    pub factory: Address,
    /// `AnchorStateRegistry`.
    pub registry: Address,
    /// `DelayedBondVault`.
    pub vault: Address,
    /// The `FaultDisputeGame` implementation the factory clones.
    pub game_impl: Address,
}

/// Deploys the dispute contracts for the Rollup at `rollup`, signing with `deployer_key`. The
/// deployer sets the implementation, then hands the factory, registry and vault to
/// `params.owner` if that is another account (which must `acceptOwnership`).
pub async fn deploy_dispute(
    rpc_url: &str,
    deployer_key: &str,
    rollup: Address,
    params: DisputeParams,
) -> Result<DisputeDeployment, L1Error> {
    let signer: PrivateKeySigner = deployer_key.trim().parse().map_err(|_| L1Error::InvalidKey)?;
    let deployer = signer.address();
    let provider = signing_provider(parse_url(rpc_url)?, signer);
    let (oracle, _) = deploy_one("PreimageOracle", PreimageOracle::deploy_builder(&provider)).await?;
    let (step, _) = deploy_one("RiscvStep", RiscvStep::deploy_builder(&provider, oracle)).await?;
    let (factory, _) =
        deploy_one("DisputeGameFactory", DisputeGameFactory::deploy_builder(&provider, deployer)).await?;
    let anchor =
        AnchorStateRegistry::OutputRoot { root: params.anchor_root, l2BlockNumber: params.anchor_block };
    let registry_tx = AnchorStateRegistry::deploy_builder(
        &provider,
        deployer,
        params.guardian,
        factory,
        anchor,
        params.game_type,
        params.finality_delay_secs,
    );
    let (registry, _) = deploy_one("AnchorStateRegistry", registry_tx).await?;
    let vault_tx =
        DelayedBondVault::deploy_builder(&provider, deployer, params.guardian, params.bond_delay_secs);
    let (vault, _) = deploy_one("DelayedBondVault", vault_tx).await?;
    let game_params = FaultDisputeGame::GameParams {
        gameType: params.game_type,
        absolutePrestate: params.absolute_prestate,
        configHash: params.config_hash,
        maxGameDepth: U256::from(params.max_game_depth),
        splitDepth: U256::from(params.split_depth),
        maxClockDuration: params.max_clock_secs,
        clockExtension: params.clock_extension_secs,
        vm: step,
        anchorStateRegistry: registry,
        vault,
        rollup,
        baseBond: params.base_bond,
        bondGrowthWad: params.bond_growth_wad,
    };
    let (game_impl, _) =
        deploy_one("FaultDisputeGame", FaultDisputeGame::deploy_builder(&provider, game_params)).await?;
    let factory_contract = DisputeGameFactory::new(factory, &provider);
    confirm("setImplementation", factory_contract.setImplementation(params.game_type, game_impl)).await?;
    if params.owner != Address::ZERO && params.owner != deployer {
        confirm("transferOwnership", factory_contract.transferOwnership(params.owner)).await?;
        let registry_contract = AnchorStateRegistry::new(registry, &provider);
        confirm("transferOwnership", registry_contract.transferOwnership(params.owner)).await?;
        let vault_contract = DelayedBondVault::new(vault, &provider);
        confirm("transferOwnership", vault_contract.transferOwnership(params.owner)).await?;
    }
    for (contract, address) in [("FaultDisputeGame", game_impl), ("DisputeGameFactory", factory)] {
        let code = provider.get_code_at(address).await.map_err(L1Error::rpc("eth_getCode"))?;
        if code.is_empty() {
            return Err(L1Error::NoCode { contract, address });
        }
    }
    tracing::info!(%factory, %registry, %vault, %game_impl, "dispute contracts deployed");
    Ok(DisputeDeployment { oracle, step, factory, registry, vault, game_impl })
}
