//! The Rust agents on the real dispute contracts (anvil, the committed artifacts, the production
//! depths, short clocks): an honest proposer's game attacked by a griefer who plays its lie out.
//! Values come from a model of the chain, as in `strategy.rs`: the griefer's steps must then fail
//! on the real `RiscvStep` (no fake state has a preimage), and the honest root stands when the
//! clocks run out. Games against the real program's traces are in bin/pillar's dispute tests.

use pillar_dispute::agent::{AgentError, Stepper, play_round, read_view, resolve_all};
use pillar_dispute::position::Position;
use pillar_dispute::strategy::{ExecSubgame, TraceSource};
use pillar_l1::alloy::primitives::{Address, B256, U256, keccak256};
use pillar_l1::alloy::providers::Provider;
use pillar_l1::anvil::{Anvil, AnvilOptions};
use pillar_l1::{DeployParams, DisputeClient, DisputeParams, GameStatus, deploy, deploy_dispute};

/// A model world: the true outputs, or a liar's from `fake_from` on; traces whose final status
/// says whether the disputed output follows from the agreed one in that world.
#[derive(Clone, Copy)]
struct World {
    fake_from: u64,
}

impl World {
    fn output(&self, n: u64) -> B256 {
        if self.fake_from != 0 && n >= self.fake_from {
            keccak256([b"fake".as_slice(), &n.to_be_bytes()].concat())
        } else {
            keccak256([b"output".as_slice(), &n.to_be_bytes()].concat())
        }
    }
}

impl TraceSource for World {
    type Error = std::convert::Infallible;

    fn output_at(&mut self, block: u64) -> Result<B256, Self::Error> {
        Ok(self.output(block))
    }

    fn state_at(&mut self, sub: &ExecSubgame, t: u64) -> Result<B256, Self::Error> {
        let follows = sub.disputed_block == sub.starting_block && sub.disputed_root == sub.starting_root
            || (sub.starting_root == self.output(sub.starting_block)
                && sub.disputed_root == self.output(sub.disputed_block));
        let mut h = keccak256(
            [sub.local_context.as_slice(), &t.to_be_bytes(), &self.fake_from.to_be_bytes()].concat(),
        );
        h.0[0] = if t >= 1 << 20 { u8::from(!follows) } else { 3 };
        Ok(h)
    }
}

/// A model world has nothing to prove its steps from (a model state has no preimage): its steps
/// are sent with an empty proof, and the real `RiscvStep` refuses them.
impl Stepper for World {
    async fn step(
        &mut self,
        client: &DisputeClient,
        game: Address,
        claim: usize,
        is_attack: bool,
        _from_steps: u64,
        _subgame: &ExecSubgame,
    ) -> Result<(), AgentError> {
        client.step(game, claim as u64, is_attack, Vec::new()).await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_griefer_loses_against_an_honest_root_at_the_production_depths() {
    let options =
        AnvilOptions { extra_args: vec!["--hardfork".into(), "osaka".into()], ..Default::default() };
    let anvil = Anvil::spawn_with(options).await.unwrap();
    let url = anvil.endpoint().to_string();
    let deployer = anvil.dev_key(0);
    let rollup = deploy(
        &url,
        deployer,
        DeployParams {
            l2_chain_id: 7,
            challenge_window_secs: 60,
            inclusion_deadline_secs: 60,
            inactivity_window_secs: 60,
            sequencer: anvil.dev_address(0),
            proposer: anvil.dev_address(0),
            guardian: Address::ZERO,
            owner: anvil.dev_address(0),
            min_deposit: U256::from(1),
            max_deposit: U256::from(u128::MAX),
        },
    )
    .await
    .unwrap()
    .addresses
    .rollup;
    let truth = World { fake_from: 0 };
    let mut params = DisputeParams::production(
        B256::repeat_byte(3),
        B256::repeat_byte(5),
        truth.output(0),
        anvil.dev_address(9),
    );
    params.max_clock_secs = 3_600;
    params.clock_extension_secs = 300;
    params.finality_delay_secs = 600;
    params.bond_delay_secs = 600;
    let d = deploy_dispute(&url, deployer, rollup, params).await.unwrap();

    let honest = DisputeClient::connect(&url, anvil.dev_key(1)).unwrap();
    let griefer = DisputeClient::connect(&url, anvil.dev_key(2)).unwrap();
    let l2_block = 1_000;
    let (game, _) =
        honest.create_game(d.factory, 0, truth.output(l2_block), l2_block, params.base_bond).await.unwrap();

    let mut rounds = 0;
    let mut refused = 0;
    loop {
        let h = play_round(&honest, game, &mut truth.clone()).await.unwrap();
        let g = play_round(&griefer, game, &mut World { fake_from: 600 }).await.unwrap();
        assert_eq!(h.refused, 0, "the honest player's actions all land");
        refused += g.refused;
        rounds += 1;
        if h.moves + h.steps + g.moves + g.steps == 0 || rounds > 200 {
            break;
        }
    }
    let view = read_view(&honest, game).await.unwrap();
    // The griefer played its lie down to the leaves, which are the defenders' (the depth is
    // even): its step against the honest leaf is refused by RiscvStep.
    assert_eq!(view.claims.len(), params.max_game_depth as usize + 1);
    assert!(refused >= 1);
    // The Rust view of every block dispute is the contract's.
    for (i, c) in view.claims.iter().enumerate() {
        if c.position.depth() > view.split_depth {
            let ours = view.exec_subgame(i).unwrap();
            let (starting, disputed, ctx, block) = honest.exec_subgame(game, i as u64).await.unwrap();
            assert_eq!(
                (ours.starting_root, ours.disputed_root, ours.local_context, ours.disputed_block),
                (starting, disputed, ctx, block)
            );
        }
    }
    assert_eq!(view.claims[0].position, Position::ROOT);

    anvil.increase_time(2 * params.max_clock_secs + 1).await.unwrap();
    anvil.mine(1).await.unwrap();
    let sent = resolve_all(&griefer, game).await.unwrap();
    assert_eq!(sent, view.claims.len() + 1);
    assert_eq!(honest.status(game).await.unwrap(), GameStatus::DefenderWins);
    let honest_address = honest.sender().unwrap();
    let credit = honest.credit(game, honest_address).await.unwrap();
    let total: u128 = honest.claims(game).await.unwrap().iter().map(|c| c.bond).sum();
    assert_eq!(credit, U256::from(total));
    assert_eq!(honest.credit(game, griefer.sender().unwrap()).await.unwrap(), U256::ZERO);

    // Paid after the airgap and the vault's delay.
    anvil.increase_time(params.finality_delay_secs + 1).await.unwrap();
    anvil.mine(1).await.unwrap();
    griefer.claim_credit(game, honest_address).await.unwrap();
    anvil.increase_time(params.bond_delay_secs + 1).await.unwrap();
    anvil.mine(1).await.unwrap();
    let before = anvil.provider().get_balance(honest_address).await.unwrap();
    griefer.claim_credit(game, honest_address).await.unwrap();
    let after = anvil.provider().get_balance(honest_address).await.unwrap();
    assert_eq!(after - before, credit);
}
