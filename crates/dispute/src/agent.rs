//! Playing a game on L1: read it into a [`GameView`], act on the strategy's answers, resolve it
//! when the clocks have run out. Everything is read back from L1 on every round, so an agent that
//! restarts (kill -9 included) picks a game up where L1 has it.

use std::future::Future;

use pillar_l1::alloy::primitives::Address;
use pillar_l1::{DisputeClient, L1Error};

use crate::position::Position;
use crate::strategy::{Action, Claim, ExecSubgame, GameView, Strategy, StrategyError, TraceSource};

/// Reads `game` from L1 into the strategy's view.
pub async fn read_view(client: &DisputeClient, game: Address) -> Result<GameView, L1Error> {
    let info = client.game_info(game).await?;
    let claims = client
        .claims(game)
        .await?
        .into_iter()
        .map(|c| Claim {
            parent: (c.parent_index != u32::MAX).then_some(c.parent_index as usize),
            countered_by: c.countered_by,
            claimant: c.claimant,
            position: Position(c.position),
            value: c.claim,
        })
        .collect();
    Ok(GameView {
        split_depth: info.split_depth,
        max_depth: info.max_depth,
        starting_root: info.starting_root,
        starting_block: info.starting_block,
        l2_block: info.l2_block,
        claims,
    })
}

/// Resolves every subgame bottom-up (a claim's children always come after it), skipping those
/// already resolved, then the game. Returns the number of transactions sent. Call it once the
/// clocks have run out: a subgame whose counter may still move refuses (`ClockNotExpired`).
pub async fn resolve_all(client: &DisputeClient, game: Address) -> Result<usize, L1Error> {
    let n = client.claim_count(game).await?;
    let mut sent = 0;
    for i in (0..n).rev() {
        if !client.subgame_resolved(game, i).await? {
            client.resolve_claim(game, i).await?;
            sent += 1;
        }
    }
    if client.status(game).await? == pillar_l1::GameStatus::InProgress {
        client.resolve(game).await?;
        sent += 1;
    }
    Ok(sent)
}

/// Makes the steps the strategy asks for: proves the step from its trace, loads the preimage part
/// the step reads into the oracle (or the game's local data) and calls the game's `step`.
pub trait Stepper {
    /// Steps against the leaf `claim` of `game` from the state after `from_steps` steps of
    /// `subgame`'s trace.
    fn step(
        &mut self,
        client: &DisputeClient,
        game: Address,
        claim: usize,
        is_attack: bool,
        from_steps: u64,
        subgame: &ExecSubgame,
    ) -> impl Future<Output = Result<(), AgentError>>;
}

/// Why a round failed.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Reading or writing L1.
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The strategy could not decide (its source failed, or the game does not fit the tree).
    #[error("strategy: {reason}")]
    Strategy {
        /// Why.
        reason: String,
    },
    /// A step could not be proven or its preimage not loaded.
    #[error("step against claim {claim}: {reason}")]
    Step {
        /// The leaf.
        claim: usize,
        /// Why.
        reason: String,
    },
}

impl<E: std::fmt::Display> From<StrategyError<E>> for AgentError {
    fn from(e: StrategyError<E>) -> Self {
        Self::Strategy { reason: e.to_string() }
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Moves sent.
    pub moves: usize,
    /// Steps sent.
    pub steps: usize,
    /// Actions the contracts refused (another player got there first, a clock ran out, or, for a
    /// liar, a step that cannot be made).
    pub refused: usize,
}

/// One round: read the game, answer every claim the strategy answers, and report what was done.
/// A refused action is counted, not fatal: the next round reads the game as it now is.
pub async fn play_round<P: TraceSource + Stepper>(
    client: &DisputeClient,
    game: Address,
    player: &mut P,
) -> Result<Round, AgentError>
where
    P::Error: std::fmt::Display,
{
    let view = read_view(client, game).await?;
    let actions = Strategy::new(&view, player).actions()?;
    let mut round = Round::default();
    for action in actions {
        match action {
            Action::Move { parent, disputed, value, is_attack, position } => {
                let bond = client.required_bond(game, position.0).await?;
                match client.play_move(game, disputed, parent as u64, value, is_attack, bond).await {
                    Ok(_) => round.moves += 1,
                    Err(e) => {
                        tracing::info!(%game, parent, error = %e, "move refused");
                        round.refused += 1;
                    }
                }
            }
            Action::Step { claim, is_attack, from_steps, subgame } => {
                match player.step(client, game, claim, is_attack, from_steps, &subgame).await {
                    Ok(()) => round.steps += 1,
                    Err(e) => {
                        tracing::info!(%game, claim, error = %e, "step refused");
                        round.refused += 1;
                    }
                }
            }
        }
    }
    Ok(round)
}
