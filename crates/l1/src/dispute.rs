//! Clients of the dispute contracts (docs/fault-proofs.md, "The dispute game"): the factory that
//! creates games, a game's reads and moves, and the preimage oracle's loaders. Writes wait for
//! their receipt and turn reverts into the contracts' own errors.

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;

use crate::L1Error;
use crate::bindings::{DisputeGameFactory, FaultDisputeGame, PreimageOracle};
use crate::client::{parse_url, signing_provider};
use crate::types::TxInfo;

/// A game's fixed facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GameInfo {
    /// The game's address.
    pub address: Address,
    /// The claimed output root.
    pub root_claim: B256,
    /// The root claim's block.
    pub l2_block: u64,
    /// The anchor output the game starts from, and its block.
    pub starting_root: B256,
    /// The anchor's block.
    pub starting_block: u64,
    /// `Rollup.lastBatchHash()` at creation.
    pub batch_head: B256,
    /// Output bisection depth.
    pub split_depth: u32,
    /// Leaf depth.
    pub max_depth: u32,
    /// Each team's clock, in seconds.
    pub max_clock_secs: u64,
    /// L1 timestamp of creation.
    pub created_at: u64,
}

/// One claim, as `claimData(i)` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GameClaim {
    /// The claim it counters (`u32::MAX` for the root).
    pub parent_index: u32,
    /// Who countered it.
    pub countered_by: Address,
    /// Who made it.
    pub claimant: Address,
    /// Its bond, in wei.
    pub bond: u128,
    /// Its position.
    pub position: u128,
    /// Its value.
    pub claim: B256,
    /// Its team's clock when made.
    pub clock_duration: u64,
    /// L1 timestamp when made.
    pub clock_timestamp: u64,
}

/// The status of a game (`GameStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GameStatus {
    /// Moves may still be made.
    InProgress,
    /// The root was countered.
    ChallengerWins,
    /// The root stood.
    DefenderWins,
}

/// A client of the contracts a dispute is played on, signing with one key.
#[derive(Clone, Debug)]
pub struct DisputeClient {
    provider: DynProvider,
    sender: Option<Address>,
}

impl DisputeClient {
    /// A client that signs with `key` (hex).
    pub fn connect(rpc_url: &str, key: &str) -> Result<Self, L1Error> {
        let signer: PrivateKeySigner = key.trim().parse().map_err(|_| L1Error::InvalidKey)?;
        let sender = Some(signer.address());
        Ok(Self { provider: signing_provider(parse_url(rpc_url)?, signer), sender })
    }

    /// A client that only reads.
    pub fn read_only(rpc_url: &str) -> Result<Self, L1Error> {
        let provider = ProviderBuilder::new().connect_http(parse_url(rpc_url)?).erased();
        Ok(Self { provider, sender: None })
    }

    /// The signing account.
    pub fn sender(&self) -> Option<Address> {
        self.sender
    }

    async fn send<P: Provider, D: alloy::contract::CallDecoder>(
        &self,
        method: &'static str,
        call: alloy::contract::CallBuilder<P, D>,
    ) -> Result<TxInfo, L1Error> {
        if self.sender.is_none() {
            return Err(L1Error::NoSigner { method });
        }
        // Estimate first, so a revert comes back decoded rather than as a failed receipt.
        let gas = call.estimate_gas().await.map_err(|e| L1Error::from_contract(method, e))?;
        let pending = call.gas(gas + gas / 5).send().await.map_err(|e| L1Error::from_contract(method, e))?;
        let tx_hash = *pending.tx_hash();
        let receipt: TransactionReceipt = pending.get_receipt().await.map_err(L1Error::pending(method))?;
        if !receipt.status() {
            return Err(L1Error::TxReverted { method, tx_hash, block: receipt.block_number });
        }
        Ok(TxInfo {
            tx_hash,
            l1_block: receipt.block_number.ok_or(L1Error::NoBlock { tx_hash })?,
            gas_used: receipt.gas_used,
            effective_gas_price: receipt.effective_gas_price,
        })
    }

    // ---------------------------------------------------------------- factory

    /// Creates a game of `game_type` claiming `root` for `l2_block` with the root's bond; returns
    /// the game's address.
    pub async fn create_game(
        &self,
        factory: Address,
        game_type: u32,
        root: B256,
        l2_block: u64,
        bond: U256,
    ) -> Result<(Address, TxInfo), L1Error> {
        let f = DisputeGameFactory::new(factory, &self.provider);
        let tx = self.send("create", f.create(game_type, root, l2_block).value(bond)).await?;
        let game = f
            .games(game_type, root, l2_block)
            .call()
            .await
            .map_err(|e| L1Error::from_contract("games", e))?;
        Ok((game, tx))
    }

    /// The number of games the factory created.
    pub async fn game_count(&self, factory: Address) -> Result<u64, L1Error> {
        let f = DisputeGameFactory::new(factory, &self.provider);
        let n = f.gameCount().call().await.map_err(|e| L1Error::from_contract("gameCount", e))?;
        Ok(n.saturating_to())
    }

    /// The address of the `index`-th game.
    pub async fn game_at(&self, factory: Address, index: u64) -> Result<Address, L1Error> {
        let f = DisputeGameFactory::new(factory, &self.provider);
        let r = f
            .gameAtIndex(U256::from(index))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("gameAtIndex", e))?;
        Ok(r.game)
    }

    // ---------------------------------------------------------------- game reads

    fn game(&self, game: Address) -> FaultDisputeGame::FaultDisputeGameInstance<&DynProvider> {
        FaultDisputeGame::new(game, &self.provider)
    }

    /// A game's fixed facts.
    pub async fn game_info(&self, game: Address) -> Result<GameInfo, L1Error> {
        let g = self.game(game);
        let e = |m: &'static str| move |err| L1Error::from_contract(m, err);
        Ok(GameInfo {
            address: game,
            root_claim: g.rootClaim().call().await.map_err(e("rootClaim"))?,
            l2_block: g.l2BlockNumber().call().await.map_err(e("l2BlockNumber"))?,
            starting_root: g.startingRootHash().call().await.map_err(e("startingRootHash"))?,
            starting_block: g.startingBlockNumber().call().await.map_err(e("startingBlockNumber"))?,
            batch_head: g.batchHead().call().await.map_err(e("batchHead"))?,
            split_depth: g.splitDepth().call().await.map_err(e("splitDepth"))?.saturating_to(),
            max_depth: g.maxGameDepth().call().await.map_err(e("maxGameDepth"))?.saturating_to(),
            max_clock_secs: g.maxClockDuration().call().await.map_err(e("maxClockDuration"))?,
            created_at: g.createdAt().call().await.map_err(e("createdAt"))?,
        })
    }

    /// The number of claims of a game.
    pub async fn claim_count(&self, game: Address) -> Result<u64, L1Error> {
        let n = self
            .game(game)
            .claimDataLen()
            .call()
            .await
            .map_err(|e| L1Error::from_contract("claimDataLen", e))?;
        Ok(n.saturating_to())
    }

    /// Every claim of a game, the root first.
    pub async fn claims(&self, game: Address) -> Result<Vec<GameClaim>, L1Error> {
        let g = self.game(game);
        let n = self.claim_count(game).await?;
        let mut claims = Vec::with_capacity(n as usize);
        for i in 0..n {
            let c = g
                .claimData(U256::from(i))
                .call()
                .await
                .map_err(|e| L1Error::from_contract("claimData", e))?;
            claims.push(GameClaim {
                parent_index: c.parentIndex,
                countered_by: c.counteredBy,
                claimant: c.claimant,
                bond: c.bond,
                position: c.position,
                claim: c.claim,
                clock_duration: c.clockDuration,
                clock_timestamp: c.clockTimestamp,
            });
        }
        Ok(claims)
    }

    /// The game's status.
    pub async fn status(&self, game: Address) -> Result<GameStatus, L1Error> {
        let s = self.game(game).status().call().await.map_err(|e| L1Error::from_contract("status", e))?;
        Ok(match s {
            0 => GameStatus::InProgress,
            1 => GameStatus::ChallengerWins,
            _ => GameStatus::DefenderWins,
        })
    }

    /// The bond a claim at `position` needs.
    pub async fn required_bond(&self, game: Address, position: u128) -> Result<U256, L1Error> {
        self.game(game)
            .getRequiredBond(U256::from(position))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("getRequiredBond", e))
    }

    /// The game's view of the block dispute of claim `index`: (starting root, disputed root,
    /// local context, disputed block).
    pub async fn exec_subgame(&self, game: Address, index: u64) -> Result<(B256, B256, B256, u64), L1Error> {
        let s = self
            .game(game)
            .execSubgame(U256::from(index))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("execSubgame", e))?;
        Ok((s.startingRoot, s.disputedRoot, s.localContext, s.disputedBlock))
    }

    /// Whether the subgame of claim `index` is resolved.
    pub async fn subgame_resolved(&self, game: Address, index: u64) -> Result<bool, L1Error> {
        self.game(game)
            .resolvedSubgames(U256::from(index))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("resolvedSubgames", e))
    }

    /// The credit `account` would be paid in normal mode.
    pub async fn credit(&self, game: Address, account: Address) -> Result<U256, L1Error> {
        self.game(game)
            .normalModeCredit(account)
            .call()
            .await
            .map_err(|e| L1Error::from_contract("normalModeCredit", e))
    }

    // ---------------------------------------------------------------- game writes

    /// `move(disputed, parent, claim, isAttack)` with `bond`.
    pub async fn play_move(
        &self,
        game: Address,
        disputed: B256,
        parent: u64,
        claim: B256,
        is_attack: bool,
        bond: U256,
    ) -> Result<TxInfo, L1Error> {
        let g = self.game(game);
        self.send("move", g.r#move(disputed, U256::from(parent), claim, is_attack).value(bond)).await
    }

    /// `step(claim, isAttack, proof)`.
    pub async fn step(
        &self,
        game: Address,
        claim: u64,
        is_attack: bool,
        proof: Vec<u8>,
    ) -> Result<TxInfo, L1Error> {
        self.send("step", self.game(game).step(U256::from(claim), is_attack, Bytes::from(proof))).await
    }

    /// `addLocalData(ident, claim, partOffset)`.
    pub async fn add_local_data(
        &self,
        game: Address,
        ident: u64,
        claim: u64,
        part_offset: u32,
    ) -> Result<TxInfo, L1Error> {
        let g = self.game(game);
        self.send(
            "addLocalData",
            g.addLocalData(U256::from(ident), U256::from(claim), U256::from(part_offset)),
        )
        .await
    }

    /// `challengeRootL2Block(outputPreimage, header)`.
    pub async fn challenge_root_block(
        &self,
        game: Address,
        preimage: Vec<u8>,
        header: Vec<u8>,
    ) -> Result<TxInfo, L1Error> {
        self.send(
            "challengeRootL2Block",
            self.game(game).challengeRootL2Block(preimage.into(), header.into()),
        )
        .await
    }

    /// `resolveClaim(index, 0)`.
    pub async fn resolve_claim(&self, game: Address, index: u64) -> Result<TxInfo, L1Error> {
        self.send("resolveClaim", self.game(game).resolveClaim(U256::from(index), U256::ZERO)).await
    }

    /// `resolve()`.
    pub async fn resolve(&self, game: Address) -> Result<TxInfo, L1Error> {
        self.send("resolve", self.game(game).resolve()).await
    }

    /// `claimCredit(account)`: the first call unlocks, the second (after the vault's delay) pays.
    pub async fn claim_credit(&self, game: Address, account: Address) -> Result<TxInfo, L1Error> {
        self.send("claimCredit", self.game(game).claimCredit(account)).await
    }

    // ---------------------------------------------------------------- oracle

    /// `loadKeccak256PreimagePart(partOffset, preimage)`.
    pub async fn load_keccak(
        &self,
        oracle: Address,
        part_offset: u32,
        preimage: Vec<u8>,
    ) -> Result<TxInfo, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        self.send(
            "loadKeccak256PreimagePart",
            o.loadKeccak256PreimagePart(U256::from(part_offset), preimage.into()),
        )
        .await
    }

    /// `loadSha256PreimagePart(partOffset, preimage)`.
    pub async fn load_sha256(
        &self,
        oracle: Address,
        part_offset: u32,
        preimage: Vec<u8>,
    ) -> Result<TxInfo, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        self.send(
            "loadSha256PreimagePart",
            o.loadSha256PreimagePart(U256::from(part_offset), preimage.into()),
        )
        .await
    }

    /// `loadNomtNodePreimagePart(partOffset, preimage)`.
    pub async fn load_nomt_node(
        &self,
        oracle: Address,
        part_offset: u32,
        preimage: [u8; 64],
    ) -> Result<TxInfo, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        let call = o.loadNomtNodePreimagePart(U256::from(part_offset), Bytes::copy_from_slice(&preimage));
        self.send("loadNomtNodePreimagePart", call).await
    }

    /// `loadPrecompilePreimagePart(partOffset, precompile, input)`.
    pub async fn load_precompile(
        &self,
        oracle: Address,
        part_offset: u32,
        precompile: Address,
        input: Vec<u8>,
    ) -> Result<TxInfo, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        let call = o.loadPrecompilePreimagePart(U256::from(part_offset), precompile, input.into());
        self.send("loadPrecompilePreimagePart", call).await
    }

    /// `loadBlobPreimagePart(z, y, commitment, proof, partOffset)`.
    pub async fn load_blob(
        &self,
        oracle: Address,
        z: B256,
        y: B256,
        commitment: Vec<u8>,
        proof: Vec<u8>,
        part_offset: u32,
    ) -> Result<TxInfo, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        let call = o.loadBlobPreimagePart(
            z.into(),
            y.into(),
            commitment.into(),
            proof.into(),
            U256::from(part_offset),
        );
        self.send("loadBlobPreimagePart", call).await
    }

    /// Whether the oracle has part `part_offset` of `key` (or knows it is past the end).
    pub async fn has_part(&self, oracle: Address, key: B256, part_offset: u32) -> Result<bool, L1Error> {
        let o = PreimageOracle::new(oracle, &self.provider);
        let r = o
            .tryReadPreimage(key, U256::from(part_offset))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("tryReadPreimage", e))?;
        Ok(r.known)
    }
}
