//! The honest strategy played out over a model of the chain (the Rust twin of the Foundry
//! harness's `Truth`): a simulated game that applies the contract's move and step rules, the
//! honest player against consistent liars and random adversaries. The honest player must always
//! win. The real contract is played against in the anvil tests.

use alloy::primitives::{Address, B256, keccak256};
use pillar_dispute::position::Position;
use pillar_dispute::strategy::{Action, Claim, ExecSubgame, GameView, Strategy, TraceSource};
use proptest::prelude::*;

const SPLIT: u32 = 3;
const MAX: u32 = 8;
const FINAL_AT: u64 = 5;
const DIVERGE_AT: u64 = 2;

fn status(h: B256, s: u8) -> B256 {
    let mut b = h;
    b.0[0] = s;
    b
}

fn prestate() -> B256 {
    status(keccak256(b"prestate"), 3)
}

/// A world: the truth (`fake_from` 0) or a liar's belief that every block from `fake_from` on
/// has another output.
#[derive(Clone, Copy)]
struct World {
    fake_from: u64,
}

impl World {
    fn output(&self, n: u64) -> B256 {
        if self.fake_from != 0 && n >= self.fake_from {
            keccak256([b"fake".as_slice(), &n.to_be_bytes(), &self.fake_from.to_be_bytes()].concat())
        } else {
            keccak256([b"output".as_slice(), &n.to_be_bytes()].concat())
        }
    }

    fn program_output(&self, agreed: B256, n: u64) -> B256 {
        if n > 0 && agreed == self.output(n - 1) {
            return self.output(n);
        }
        if agreed == self.output(n) {
            return agreed;
        }
        keccak256([b"garbage".as_slice(), agreed.as_slice(), &n.to_be_bytes()].concat())
    }

    fn state(&self, sub: &ExecSubgame, t: u64) -> B256 {
        let valid = sub.disputed_root == self.program_output(sub.starting_root, sub.disputed_block);
        let truly =
            sub.disputed_root == World { fake_from: 0 }.program_output(sub.starting_root, sub.disputed_block);
        if t >= FINAL_AT {
            return status(
                keccak256([b"final".as_slice(), sub.local_context.as_slice()].concat()),
                u8::from(!valid),
            );
        }
        let tag: &[u8] = if valid != truly && t >= DIVERGE_AT { b"liar run" } else { b"run" };
        status(keccak256([tag, sub.local_context.as_slice(), &t.to_be_bytes()].concat()), 3)
    }
}

impl TraceSource for World {
    type Error = std::convert::Infallible;

    fn output_at(&mut self, block: u64) -> Result<B256, Self::Error> {
        Ok(self.output(block))
    }

    fn state_at(&mut self, sub: &ExecSubgame, t: u64) -> Result<B256, Self::Error> {
        Ok(self.state(sub, t))
    }
}

/// The contract's rules over a `GameView`.
struct Sim {
    game: GameView,
    stepped: Vec<bool>,
}

impl Sim {
    fn new(root: B256, l2_block: u64, proposer: Address) -> Self {
        let game = GameView {
            split_depth: SPLIT,
            max_depth: MAX,
            starting_root: World { fake_from: 0 }.output(0),
            starting_block: 0,
            l2_block,
            claims: vec![Claim {
                parent: None,
                countered_by: Address::ZERO,
                claimant: proposer,
                position: Position::ROOT,
                value: root,
            }],
        };
        Self { game, stepped: vec![false] }
    }

    /// Applies an action as the contract would; false where the contract reverts.
    fn apply(&mut self, who: Address, action: &Action) -> bool {
        match action {
            Action::Move { parent, disputed, value, is_attack, position } => {
                let p = &self.game.claims[*parent];
                if p.value != *disputed || p.position.moved(*is_attack) != *position {
                    return false;
                }
                let d = position.depth();
                if d > MAX || (!is_attack && (*parent == 0 || d == SPLIT + 2)) {
                    return false;
                }
                if d == SPLIT + 1 {
                    let sub = self.game.exec_subgame_for(*parent, *is_attack).expect("subgame");
                    let opp =
                        *is_attack || Position(u128::from(sub.disputed_position)).depth() % 2 == SPLIT % 2;
                    if value.0[0] != u8::from(opp) {
                        return false;
                    }
                }
                if self
                    .game
                    .claims
                    .iter()
                    .any(|c| c.parent == Some(*parent) && c.position == *position && c.value == *value)
                {
                    return false;
                }
                self.game.claims.push(Claim {
                    parent: Some(*parent),
                    countered_by: Address::ZERO,
                    claimant: who,
                    position: *position,
                    value: *value,
                });
                self.stepped.push(false);
                true
            }
            Action::Step { claim, is_attack, from_steps, .. } => {
                let leaf = self.game.claims[*claim].clone();
                if leaf.position.depth() != MAX || leaf.countered_by != Address::ZERO {
                    return false;
                }
                let parent = leaf.parent.expect("a leaf has a parent");
                let sub = self.game.exec_subgame(*claim).expect("subgame");
                let (pre, post) = if *is_attack {
                    let first = leaf.position.index_at_depth().is_multiple_of(self.game.leaves_per_trace());
                    let pre = if first {
                        prestate()
                    } else {
                        let a =
                            self.game.find_trace_ancestor(Position(leaf.position.0 - 1), parent, SPLIT + 1);
                        self.game.claims[a.expect("pre")].value
                    };
                    (pre, *claim)
                } else {
                    let a = self.game.find_trace_ancestor(Position(leaf.position.0 + 1), parent, SPLIT + 1);
                    (leaf.value, a.expect("post"))
                };
                // The VM: only a true state has a preimage to step from.
                let truth = World { fake_from: 0 };
                let true_pre = if *from_steps == 0 { prestate() } else { truth.state(&sub, from_steps - 1) };
                if pre != true_pre {
                    return false;
                }
                let computed = truth.state(&sub, *from_steps);
                let post_claim = &self.game.claims[post];
                let valid_step = computed == post_claim.value;
                let agree = (leaf.position.depth() - post_claim.position.depth()).is_multiple_of(2);
                if agree == valid_step {
                    return false;
                }
                self.game.claims[*claim].countered_by = who;
                self.stepped[*claim] = true;
                true
            }
        }
    }

    /// Whether the root stands once every subgame resolves.
    fn root_stands(&self) -> bool {
        let n = self.game.claims.len();
        let mut countered = vec![false; n];
        for i in (0..n).rev() {
            countered[i] =
                self.stepped[i] || (0..n).any(|c| self.game.claims[c].parent == Some(i) && !countered[c]);
        }
        !countered[0]
    }

    /// A player's actions applied; how many took.
    fn play(&mut self, who: Address, world: World) -> usize {
        let actions = Strategy::new(&self.game.clone(), &mut world.clone()).actions().expect("actions");
        actions.iter().filter(|a| self.apply(who, a)).count()
    }
}

const HONEST: Address = Address::repeat_byte(0xaa);
const LIAR: Address = Address::repeat_byte(0xbb);

fn play_out(sim: &mut Sim, liar: World) -> usize {
    let mut rounds = 0;
    loop {
        let n = sim.play(HONEST, World { fake_from: 0 }) + sim.play(LIAR, liar);
        rounds += 1;
        if n == 0 || rounds > 500 {
            return rounds;
        }
    }
}

#[test]
fn a_lying_proposer_loses_at_the_challengers_step() {
    let liar = World { fake_from: 4 };
    let mut sim = Sim::new(liar.output(6), 6, LIAR);
    play_out(&mut sim, liar);
    assert!(!sim.root_stands());
    // A full branch: one claim a level, and the honest step at the leaf.
    assert_eq!(sim.game.claims.len(), MAX as usize + 1);
    assert!(sim.game.claims.iter().any(|c| c.countered_by == HONEST));
}

#[test]
fn liars_from_every_block_lose_and_honest_roots_stand() {
    for fake_from in 1..=8 {
        let liar = World { fake_from };
        let mut sim = Sim::new(liar.output(8), 8, LIAR);
        play_out(&mut sim, liar);
        assert!(!sim.root_stands(), "liar from {fake_from}");
        let mut sim = Sim::new(World { fake_from: 0 }.output(8), 8, HONEST);
        play_out(&mut sim, liar);
        assert!(sim.root_stands(), "griefer from {fake_from}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Random adversaries: any claim countered with the truth, a liar's value or garbage, any
    /// step, interleaved with the honest player's answers. The honest player always wins.
    #[test]
    fn the_honest_player_always_wins(root_true: bool, fake_from in 1u64..7, ops in proptest::collection::vec((any::<u32>(), any::<u8>(), any::<bool>()), 1..40)) {
        let liar = World { fake_from };
        let truth = World { fake_from: 0 };
        let (root, proposer) = if root_true { (truth.output(6), HONEST) } else { (liar.output(6), LIAR) };
        let mut sim = Sim::new(root, 6, proposer);
        sim.play(HONEST, truth);
        for (target, kind, is_attack) in ops {
            let parent = target as usize % sim.game.claims.len();
            let p = sim.game.claims[parent].clone();
            let pos = p.position.moved(is_attack);
            if pos.depth() <= MAX {
                let value = match kind % 3 {
                    0 => Strategy::new(&sim.game.clone(), &mut truth.clone()).move_value(parent, is_attack).map(|v| v.0).ok(),
                    1 => Strategy::new(&sim.game.clone(), &mut liar.clone()).move_value(parent, is_attack).map(|v| v.0).ok(),
                    _ => Some(status(keccak256([kind]), kind % 2)),
                };
                if let Some(value) = value {
                    sim.apply(LIAR, &Action::Move { parent, disputed: p.value, value, is_attack, position: pos });
                }
            }
            let mut n = 1;
            while n > 0 {
                n = sim.play(HONEST, truth);
            }
        }
        play_out(&mut sim, liar);
        prop_assert_eq!(sim.root_stands(), root_true);
    }
}
