//! The movement guard: how a module that moves balances (`assets`) lets another module
//! (`compliance`) approve or refuse each movement of an asset, without either crate depending on
//! the other.
//!
//! The moving module calls [`TxContext::guard_move`](crate::TxContext::guard_move) before it
//! touches balances; the runtime asks every module's [`Module::guard_move`](crate::Module::guard_move)
//! in chain order. A guard may write state (counters, lock-ups, audit events): its writes share
//! the call's buffer, so they are reverted with the call if anything later fails.

use pillar_primitives::{Address, AssetId};

/// What kind of movement is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// A holder's `Transfer`.
    Transfer,
    /// A `Mint` by a minter.
    Mint,
    /// A `Burn` of the sender's own units.
    Burn,
}

/// One movement of units of an asset, as the moving module is about to apply it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetMove {
    /// Asset moved.
    pub asset: AssetId,
    /// Kind.
    pub kind: MoveKind,
    /// Holder debited (`None` for a mint).
    pub from: Option<Address>,
    /// Holder credited (`None` for a burn).
    pub to: Option<Address>,
    /// Amount.
    pub amount: u128,
}

#[cfg(test)]
mod tests {

    use borsh::{BorshDeserialize, BorshSerialize};
    use pillar_primitives::{
        Address, CallArgs, ExecTx, NoCalls, NoEvents, PrivateKey, Transaction, TxStatus,
    };
    use pillar_state::{BlockOverlay, MemoryState, StateWrite};
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{BlockEnv, CallError, Module, Revert, Runtime, TxContext};

    /// Stands in for `assets`: asks the guards, then records that it moved.
    #[derive(Default)]
    struct Mover;
    /// Refuses movements above 5 units and records what it approved.
    #[derive(Default)]
    struct Guard;

    /// The mover's one call.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        Eq,
        BorshSerialize,
        BorshDeserialize,
        Serialize,
        Deserialize,
        pillar_macros::Eip712,
    )]
    struct Move {
        to: Address,
        asset: u32,
        amount: u128,
    }

    impl CallArgs for Move {}

    const MOVER: &str = "mover";

    pillar_primitives::declare_calls! {
        /// The mover's calls.
        enum MoverCall for MOVER {
            /// `mover`: move units.
            0 => Move(Move),
        }
    }

    crate::compose! {
        /// Calls of the test chain.
        enum Call;
        /// Events of the test chain.
        enum Event;
        /// Its modules.
        const MODULES;
        { Mover => Mover, Guard => Guard }
    }

    const MOVED: pillar_state::StateValue<u128> = pillar_state::StateValue::new("t", "moved");
    const SEEN: pillar_state::StateValue<u128> = pillar_state::StateValue::new("t", "seen");

    impl crate::Queries for Mover {}
    impl crate::Queries for Guard {}

    impl Module for Mover {
        const NAME: &'static str = MOVER;
        type Call = MoverCall;
        type Event = NoEvents<Self>;

        fn call(
            &self,
            ctx: &mut TxContext<'_>,
            call: &MoverCall,
            state: &mut dyn StateWrite,
        ) -> Result<(), CallError> {
            let MoverCall::Move(t) = call;
            let mv = AssetMove {
                asset: t.asset,
                kind: MoveKind::Transfer,
                from: Some(ctx.sender),
                to: Some(t.to),
                amount: t.amount,
            };
            ctx.guard_move(&mv, state)?;
            if t.asset == 9 {
                return Err(Revert { code: 99, reason: "fails after the guard".into() }.into());
            }
            MOVED.set(state, &t.amount);
            Ok(())
        }
    }

    impl Module for Guard {
        const NAME: &'static str = "guard";
        type Call = NoCalls<Self>;
        type Event = NoEvents<Self>;

        fn guard_move(
            &self,
            _: &mut TxContext<'_>,
            mv: &AssetMove,
            state: &mut dyn StateWrite,
        ) -> Result<(), CallError> {
            if mv.amount > 5 {
                return Err(Revert { code: 42, reason: "too much".into() }.into());
            }
            SEEN.set(state, &mv.amount);
            Ok(())
        }
    }

    fn run(state: &mut MemoryState, nonce: u64, asset: u32, amount: u128) -> TxStatus {
        let rt: Runtime<Call, Event> = Runtime::new(1, MODULES.iter().map(|r| (r.new)()).collect());
        let key = PrivateKey::from_bytes([7; 32]).unwrap();
        let call = Call::Mover(MoverCall::Move(Move { to: key.address(), asset, amount }));
        let tx = key.sign(Transaction { chain_id: 1, nonce, max_fee: 0, call }).verify().unwrap();
        let env = BlockEnv { chain_id: 1, height: 1, timestamp_ms: 1 };
        let (out, changes) = {
            let mut block = BlockOverlay::new(state);
            let out = rt.execute_block(&env, vec![ExecTx::Signed(tx)], &mut block).unwrap();
            (out, block.into_changes())
        };
        for (k, v) in changes.writes {
            state.set(k, v);
        }
        out.included[0].1.status.clone()
    }

    #[test]
    fn guards_approve_refuse_and_revert_with_the_call() {
        let mut state = MemoryState::default();
        assert_eq!(run(&mut state, 0, 1, 3), TxStatus::Success);
        assert_eq!((MOVED.get(&state).unwrap(), SEEN.get(&state).unwrap()), (Some(3), Some(3)));
        assert!(matches!(run(&mut state, 1, 1, 6), TxStatus::Failed { code: 42, .. }));
        assert_eq!(MOVED.get(&state).unwrap(), Some(3), "a refused move does not happen");
        // The guard's writes are reverted when the call fails after approval.
        assert!(matches!(run(&mut state, 2, 9, 4), TxStatus::Failed { code: 99, .. }));
        assert_eq!(SEEN.get(&state).unwrap(), Some(3));
    }
}
