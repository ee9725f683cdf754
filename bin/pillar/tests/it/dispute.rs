//! A dispute over a real chain's block, played on L1 to a step of the real VM: a sequencer on
//! anvil posts batches and records witnesses; a liar proposes a wrong output for its last safe
//! block and plays its lie out (its trace leaves the true one halfway through the block); the
//! Rust challenger answers from the node's outputs and the fault-proof program's trace in
//! pillar-fpvm, bisects down to one instruction, loads the preimage that instruction reads and
//! steps on `RiscvStep`. The challenger restarts from its configuration mid-game and picks the
//! game up from L1. The lie loses and every bond is the challenger's.
//!
//! The guest is the ELF `scripts/rv32im/build.sh` builds (`PILLAR_FP_ELF` in CI); without it
//! there is no trace to play and the test says so.

use pillar_dispute::agent::{AgentError, Stepper, play_round, read_view, resolve_all};
use pillar_dispute::chain::{ChainError, ChainSource};
use pillar_dispute::host::Host;
use pillar_dispute::strategy::{ExecSubgame, TraceSource};
use pillar_fpvm::load_elf;
use pillar_l1::alloy::primitives::{Address, B256, U256, keccak256};
use pillar_l1::{DisputeClient, DisputeParams, GameStatus, L1Addresses, L1Client, deploy_dispute};
use pillar_node::ChainConfig;
use serde_json::json;

use crate::fault_proofs::recording_chain;
use crate::replica::block_in_place;

fn guest_elf() -> Option<Vec<u8>> {
    let path = std::env::var("PILLAR_FP_ELF").ok().unwrap_or_else(|| {
        crate::common::repo_root()
            .join("target/rv32im/riscv32im-unknown-none-elf/release/pillar-fp-guest")
            .display()
            .to_string()
    });
    std::fs::read(path).ok()
}

/// The liar: the true chain below `fake_from`, another output from it on. In a block dispute where
/// its world and the program disagree, its trace ends as its world says, and its states leave
/// the true ones halfway through.
struct Liar {
    chain: ChainSource,
    fake_from: u64,
}

impl Liar {
    fn fake(block: u64) -> B256 {
        keccak256([b"a lie about block".as_slice(), &block.to_be_bytes()].concat())
    }
}

impl TraceSource for Liar {
    type Error = ChainError;

    fn output_at(&mut self, block: u64) -> Result<B256, ChainError> {
        if block >= self.fake_from { Ok(Self::fake(block)) } else { self.chain.output_at(block) }
    }

    fn state_at(&mut self, sub: &ExecSubgame, t: u64) -> Result<B256, ChainError> {
        // Where the liar's world and the program disagree about a block, its trace says what its
        // world says, and leaves the true trace halfway through to get there.
        let lie_holds = sub.disputed_root == self.output_at(sub.disputed_block)?;
        let trace = self.chain.trace(sub)?;
        let (steps, truly_holds) = (trace.steps(), trace.exit_code() == 0);
        if lie_holds == truly_holds || t + 1 < steps / 2 {
            return self.chain.state_at(sub, t);
        }
        let mut h = keccak256([sub.local_context.as_slice(), &t.to_be_bytes()].concat());
        h.0[0] = if t + 1 < steps { 3 } else { u8::from(!lie_holds) };
        Ok(h)
    }
}

impl Stepper for Liar {
    async fn step(
        &mut self,
        client: &DisputeClient,
        game: Address,
        claim: usize,
        is_attack: bool,
        _from_steps: u64,
        _subgame: &ExecSubgame,
    ) -> Result<(), AgentError> {
        // A lie has no proof: whatever it sends, RiscvStep refuses.
        client.step(game, claim as u64, is_attack, Vec::new()).await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_proposers_game_is_played_to_a_step_of_the_real_vm() {
    let Some(elf) = guest_elf() else {
        eprintln!(
            "skipped: no fault-proof guest ELF (scripts/rv32im/build.sh builds it; CI sets PILLAR_FP_ELF)"
        );
        return;
    };
    let (env, seq, target) = recording_chain("calldata", 2).await;
    let cfg = ChainConfig::load(&env.config).unwrap();
    let genesis: B256 = serde_json::from_value(
        block_in_place(|| seq.call("pillar_getOutputPreimage", json!([0])).unwrap())["outputRoot"].clone(),
    )
    .unwrap();

    // The dispute contracts for this chain: its program's prestate and configuration.
    let chain =
        pillar_fp_program::ChainConfig { chain_id: cfg.chain.chain_id, modules: cfg.chain.modules.clone() };
    let prestate = B256::from(load_elf(&elf).unwrap().state_hash());
    let url = env.anvil.endpoint().to_string();
    let mut params = DisputeParams::production(prestate, chain.hash(), genesis, env.anvil.dev_address(9));
    params.max_clock_secs = 3_600;
    params.clock_extension_secs = 300;
    params.finality_delay_secs = 600;
    params.bond_delay_secs = 600;
    let d = deploy_dispute(&url, env.anvil.dev_key(6), env.addresses.rollup, params).await.unwrap();

    let honest = DisputeClient::connect(&url, env.anvil.dev_key(7)).unwrap();
    let liar = DisputeClient::connect(&url, env.anvil.dev_key(8)).unwrap();
    let (game, _) =
        liar.create_game(d.factory, 0, Liar::fake(target), target, params.base_bond).await.unwrap();
    let info = honest.game_info(game).await.unwrap();

    let l1 = L1Client::connect_read_only(
        &url,
        L1Addresses { rollup: env.addresses.rollup, portal: env.addresses.portal },
    )
    .unwrap();
    let host = Host::connect(&seq.url, &l1, env.deployed_at_block, chain.clone(), B256::ZERO).await.unwrap();
    let mut challenger = ChainSource::new(host.clone(), elf.clone(), info.batch_head, target, d.oracle);
    let mut lie = Liar {
        chain: ChainSource::new(host, elf.clone(), info.batch_head, target, d.oracle),
        fake_from: target,
    };

    let started = std::time::Instant::now();
    let (mut steps, mut rounds) = (0, 0);
    loop {
        if rounds == 12 {
            // The challenger restarts mid-game with nothing but its configuration: it picks the
            // game up from L1 and records the block's trace again.
            let host =
                Host::connect(&seq.url, &l1, env.deployed_at_block, chain.clone(), B256::ZERO).await.unwrap();
            challenger = ChainSource::new(host, elf.clone(), info.batch_head, target, d.oracle);
        }
        let h = play_round(&honest, game, &mut challenger).await.unwrap();
        let l = play_round(&liar, game, &mut lie).await.unwrap();
        assert_eq!(h.refused, 0, "the challenger's moves and steps all land");
        steps += h.steps;
        rounds += 1;
        if h.moves + h.steps + l.moves + l.steps == 0 || rounds > 200 {
            break;
        }
    }
    let view = read_view(&honest, game).await.unwrap();
    eprintln!(
        "dispute over block {target}: {} claims, {steps} step, {rounds} rounds, {:.1} s",
        view.claims.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(steps, 1, "the challenger stepped once, against the liar's leaf");
    assert_eq!(view.claims.len(), params.max_game_depth as usize + 1);
    let leaf = view.claims.last().unwrap();
    assert_eq!(leaf.countered_by, honest.sender().unwrap());

    env.anvil.increase_time(2 * params.max_clock_secs + 1).await.unwrap();
    env.anvil.mine(1).await.unwrap();
    resolve_all(&honest, game).await.unwrap();
    assert_eq!(honest.status(game).await.unwrap(), GameStatus::ChallengerWins);
    let total: u128 = honest.claims(game).await.unwrap().iter().map(|c| c.bond).sum();
    assert_eq!(honest.credit(game, honest.sender().unwrap()).await.unwrap(), U256::from(total));
    assert_eq!(honest.credit(game, liar.sender().unwrap()).await.unwrap(), U256::ZERO);
}
