//! The honest strategy over a snapshot of a game (OP's honest challenger; docs/fault-proofs.md,
//! "The dispute game"). A player knows the truth through a [`TraceSource`]: every block's output
//! and every block dispute's trace. It answers the root if it disagrees with it, and every claim
//! that counters one of its own: an attack where it disagrees, a defense where it agrees, a step
//! at the deepest level. As OP's, it counts as its own any claim that is the move it would make,
//! whoever posted it, and never answers elsewhere, so a step it must make always finds its
//! pre-state among the claims it stands behind.
//!
//! The same code plays a lie: a source that believes other outputs from some block on plays that
//! lie out consistently (the tests' liar).

use alloy::primitives::{Address, B256};

use crate::position::Position;

/// One claim of a game, as `FaultDisputeGame.claimData` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim it counters (`None` for the root).
    pub parent: Option<usize>,
    /// Who countered it (zero: nobody yet).
    pub countered_by: Address,
    /// Who made it.
    pub claimant: Address,
    /// Its position.
    pub position: Position,
    /// Its value: an output root, or a VM state hash below the split.
    pub value: B256,
}

/// The parameters and claims of a game: what the strategy reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameView {
    /// Depth of the output bisection.
    pub split_depth: u32,
    /// Depth of the leaves.
    pub max_depth: u32,
    /// The anchor the game starts from.
    pub starting_root: B256,
    /// The anchor's block.
    pub starting_block: u64,
    /// The root claim's block.
    pub l2_block: u64,
    /// Every claim, the root first.
    pub claims: Vec<Claim>,
}

/// One block's dispute: the outputs around it, their blocks and the local context its inputs are
/// stored under. `FaultDisputeGame.execSubgame`'s fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExecSubgame {
    /// The agreed output.
    pub starting_root: B256,
    /// The disputed output.
    pub disputed_root: B256,
    /// `keccak256(abi.encode(startingRoot, startingPosition, disputedRoot, disputedPosition))`.
    pub local_context: B256,
    /// The agreed output's position at the split (0: the anchor).
    pub starting_position: u64,
    /// The disputed output's position.
    pub disputed_position: u64,
    /// The agreed output's block.
    pub starting_block: u64,
    /// The disputed output's block.
    pub disputed_block: u64,
}

/// What the strategy must know: the truth, as its player sees it.
pub trait TraceSource {
    /// Why a value could not be had.
    type Error;

    /// The output root of `block`.
    fn output_at(&mut self, block: u64) -> Result<B256, Self::Error>;

    /// The state hash at trace index `t` of `sub`'s trace: the state after `t + 1` steps (the
    /// exited state steps to itself). The strategy asks only about block disputes under claims the
    /// player answers, whose agreed output it stands behind.
    fn state_at(&mut self, sub: &ExecSubgame, t: u64) -> Result<B256, Self::Error>;
}

/// What a player does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `move(disputed, parent, value, isAttack)`, bonded for `position`.
    Move {
        /// The claim countered.
        parent: usize,
        /// Its value (the contract checks it: a reorg cannot redirect the move).
        disputed: B256,
        /// The new claim.
        value: B256,
        /// Attack or defense.
        is_attack: bool,
        /// The new claim's position (its bond's).
        position: Position,
    },
    /// `step(claim, isAttack, proof)` with the proof of the step from the state after `from_steps`
    /// steps of `subgame`'s trace (the pre-state: the previous state for an attack, the claim's
    /// for a defense).
    Step {
        /// The leaf countered.
        claim: usize,
        /// Attack or defense.
        is_attack: bool,
        /// The step's pre-state, in steps from the start.
        from_steps: u64,
        /// The block dispute the leaf belongs to.
        subgame: ExecSubgame,
    },
}

/// Why the game's claims do not fit the tree (never, for a game the contract accepted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GameError {
    /// No claim on the path commits to a trace index the rules need.
    #[error("no claim above claim {from} commits to the trace index of position {position}")]
    TraceAncestorNotFound {
        /// The claim the search started from.
        from: usize,
        /// The position searched for.
        position: u128,
    },
    /// A claim below the split has no split-depth ancestor.
    #[error("claim {index} is below the split without an output above it")]
    NoOutputAbove {
        /// The claim.
        index: usize,
    },
}

/// A strategy failure: the game's shape or the source's.
#[derive(Debug, thiserror::Error)]
pub enum StrategyError<E> {
    /// The game's claims.
    #[error(transparent)]
    Game(#[from] GameError),
    /// The trace source.
    #[error("trace source: {0}")]
    Source(E),
}

impl GameView {
    /// Trace states per block dispute.
    pub fn leaves_per_trace(&self) -> u128 {
        1u128 << (self.max_depth - self.split_depth - 1)
    }

    /// The block an output claim at `position` is about (at or above the split): the anchor's
    /// block plus its trace index at the split plus one, at most the root's block.
    pub fn block_of(&self, position: Position) -> u64 {
        let b = u128::from(self.starting_block) + position.trace_index(self.split_depth) + 1;
        if b < u128::from(self.l2_block) { b as u64 } else { self.l2_block }
    }

    /// The claim on the path from `start` up that commits to `position`'s trace ancestor
    /// (climbing no higher than `floor`).
    pub fn find_trace_ancestor(
        &self,
        position: Position,
        start: usize,
        floor: u32,
    ) -> Result<usize, GameError> {
        let target = position.trace_ancestor(floor);
        let mut index = start;
        loop {
            let c = &self.claims[index];
            if c.position == target {
                return Ok(index);
            }
            index = c.parent.ok_or(GameError::TraceAncestorNotFound { from: start, position: position.0 })?;
        }
    }

    /// The block dispute an attack (or defense) of the split-depth claim `output_index` opens
    /// (`FaultDisputeGame._execSubgame`).
    pub fn exec_subgame_for(&self, output_index: usize, was_attack: bool) -> Result<ExecSubgame, GameError> {
        let c = &self.claims[output_index];
        let output_pos = c.position;
        let (starting_root, starting_position, disputed_root, disputed_position) = if was_attack {
            let (root, pos) = if output_pos.index_at_depth() == 0 {
                (self.starting_root, 0)
            } else {
                let s =
                    &self.claims[self.find_trace_ancestor(Position(output_pos.0 - 1), output_index, 0)?];
                (s.value, s.position.0)
            };
            (root, pos, c.value, output_pos.0)
        } else {
            let d = &self.claims[self.find_trace_ancestor(Position(output_pos.0 + 1), output_index, 0)?];
            (c.value, output_pos.0, d.value, d.position.0)
        };
        let starting_block = if starting_position == 0 {
            self.starting_block
        } else {
            self.block_of(Position(starting_position))
        };
        let local_context = alloy::primitives::keccak256(
            [starting_root.0, word(starting_position), disputed_root.0, word(disputed_position)].concat(),
        );
        Ok(ExecSubgame {
            starting_root,
            disputed_root,
            local_context,
            starting_position: starting_position as u64,
            disputed_position: disputed_position as u64,
            starting_block,
            disputed_block: self.block_of(Position(disputed_position)),
        })
    }

    /// The block dispute of the claim at `index` (below the split).
    pub fn exec_subgame(&self, index: usize) -> Result<ExecSubgame, GameError> {
        let mut c = &self.claims[index];
        let mut exec_root = c.position;
        let mut output_index = index;
        while c.position.depth() > self.split_depth {
            exec_root = c.position;
            output_index = c.parent.ok_or(GameError::NoOutputAbove { index })?;
            c = &self.claims[output_index];
        }
        self.exec_subgame_for(output_index, exec_root == c.position.attack())
    }

    /// The trace index of a claim below the split within its block's trace.
    pub fn trace_index_in_block(&self, position: Position) -> u64 {
        (position.trace_index(self.max_depth) % self.leaves_per_trace()) as u64
    }
}

/// A 32-byte big-endian word.
fn word(v: u128) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[16..].copy_from_slice(&v.to_be_bytes());
    w
}

/// A player of the honest strategy in the world its source describes.
pub struct Strategy<'a, S> {
    game: &'a GameView,
    source: &'a mut S,
}

impl<'a, S: TraceSource> Strategy<'a, S> {
    /// The strategy over `game`, knowing what `source` knows.
    pub fn new(game: &'a GameView, source: &'a mut S) -> Self {
        Self { game, source }
    }

    /// The player's value at the claim at `index`'s position.
    pub fn value_at(&mut self, index: usize) -> Result<B256, StrategyError<S::Error>> {
        let pos = self.game.claims[index].position;
        if pos.depth() <= self.game.split_depth {
            return self.source.output_at(self.game.block_of(pos)).map_err(StrategyError::Source);
        }
        let sub = self.game.exec_subgame(index)?;
        self.state(&sub, pos)
    }

    /// Whether the player agrees with the claim at `index`.
    pub fn agrees(&mut self, index: usize) -> Result<bool, StrategyError<S::Error>> {
        Ok(self.game.claims[index].value == self.value_at(index)?)
    }

    /// The player's move against `parent`: its value and position.
    pub fn move_value(
        &mut self,
        parent: usize,
        is_attack: bool,
    ) -> Result<(B256, Position), StrategyError<S::Error>> {
        let pos = self.game.claims[parent].position.moved(is_attack);
        let d = pos.depth();
        if d <= self.game.split_depth {
            let v = self.source.output_at(self.game.block_of(pos)).map_err(StrategyError::Source)?;
            return Ok((v, pos));
        }
        let sub = if d == self.game.split_depth + 1 {
            self.game.exec_subgame_for(parent, is_attack)?
        } else {
            self.game.exec_subgame(parent)?
        };
        Ok((self.state(&sub, pos)?, pos))
    }

    fn state(&mut self, sub: &ExecSubgame, pos: Position) -> Result<B256, StrategyError<S::Error>> {
        self.source.state_at(sub, self.game.trace_index_in_block(pos)).map_err(StrategyError::Source)
    }

    /// Everything the player does now, in claim order: one answer to each claim it answers that
    /// is not already answered as it would answer.
    pub fn actions(&mut self) -> Result<Vec<Action>, StrategyError<S::Error>> {
        let n = self.game.claims.len();
        let mut own = vec![false; n];
        let mut answers = vec![false; n];
        // Agreement is asked only of claims the player answers: the others may sit in block
        // disputes whose agreed output the player does not stand behind, whose traces it need
        // not (and may not be able to) build.
        let mut agree: Vec<Option<bool>> = vec![None; n];
        let mut actions = Vec::new();
        for i in 0..n {
            let parent = self.game.claims[i].parent;
            own[i] = match parent {
                None => self.agree_memo(&mut agree, 0)?,
                Some(p) => {
                    answers[p] && {
                        let a = self.agree_memo(&mut agree, p)?;
                        self.is_my_move(p, a, i)?
                    }
                }
            };
            answers[i] = match parent {
                None => !own[0],
                Some(p) => own[p],
            };
            if answers[i] {
                let a = self.agree_memo(&mut agree, i)?;
                if let Some(action) = self.answer(i, a)? {
                    actions.push(action);
                }
            }
        }
        Ok(actions)
    }

    fn agree_memo(&mut self, memo: &mut [Option<bool>], i: usize) -> Result<bool, StrategyError<S::Error>> {
        if let Some(a) = memo[i] {
            return Ok(a);
        }
        let a = self.agrees(i)?;
        memo[i] = Some(a);
        Ok(a)
    }

    /// Whether the claim at `index` is the move the player makes against `parent`.
    fn is_my_move(
        &mut self,
        parent: usize,
        agree_parent: bool,
        index: usize,
    ) -> Result<bool, StrategyError<S::Error>> {
        let parent_depth = self.game.claims[parent].position.depth();
        if parent_depth == self.game.max_depth {
            return Ok(false);
        }
        let is_attack = !agree_parent;
        if !is_attack && (parent == 0 || parent_depth == self.game.split_depth + 1) {
            return Ok(false);
        }
        let (value, pos) = self.move_value(parent, is_attack)?;
        let c = &self.game.claims[index];
        Ok(c.position == pos && c.value == value)
    }

    /// The answer to the claim at `index`, unless it already stands in the game.
    fn answer(&mut self, index: usize, agree: bool) -> Result<Option<Action>, StrategyError<S::Error>> {
        let c = &self.game.claims[index];
        let depth = c.position.depth();
        if depth == self.game.max_depth {
            if c.countered_by != Address::ZERO {
                return Ok(None);
            }
            let is_attack = !agree;
            let t = self.game.trace_index_in_block(c.position);
            let subgame = self.game.exec_subgame(index)?;
            return Ok(Some(Action::Step {
                claim: index,
                is_attack,
                from_steps: if is_attack { t } else { t + 1 },
                subgame,
            }));
        }
        let is_attack = !agree;
        // Nothing to defend at a root (the game's or a block dispute's).
        if !is_attack && (index == 0 || depth == self.game.split_depth + 1) {
            return Ok(None);
        }
        let (value, position) = self.move_value(index, is_attack)?;
        let exists = self
            .game
            .claims
            .iter()
            .any(|o| o.parent == Some(index) && o.position == position && o.value == value);
        if exists {
            return Ok(None);
        }
        Ok(Some(Action::Move { parent: index, disputed: c.value, value, is_attack, position }))
    }
}
