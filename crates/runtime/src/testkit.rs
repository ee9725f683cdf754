//! The test kit (feature `test-utils`): deterministic keys and a chain on in-memory state that
//! executes blocks through the real runtime. Module tests build their chain from it instead of
//! keeping their own copy.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::collections::HashMap;

use pillar_primitives::{
    Address, CallSet, EventSet, ExecTx, L1Message, L1MessageKind, PrivateKey, Receipt, SessionSigner,
    SignedTransaction, Transaction, TxStatus,
};
use pillar_state::{BlockOverlay, MemoryState, StateWrite};

use crate::{BlockEnv, BlockOutcome, Genesis, GenesisAccount, Invalid, Runtime};

/// Test key `i` (secret `[i + 1; 32]`).
pub fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 1; 32]).unwrap()
}

/// The address of [`key`] `i`.
pub fn addr(i: u8) -> Address {
    key(i).address()
}

/// Declares a module's test chain: a newtype over [`TestChain`] of the given call and event types
/// that derefs to it, so the module's test kit adds its own helpers as inherent methods.
///
/// ```ignore
/// pillar_runtime::test_chain! {
///     /// The items chain: the shared test chain plus the module's helpers.
///     pub(crate) struct Chain(Call, Event);
/// }
/// ```
#[macro_export]
macro_rules! test_chain {
    ($(#[$meta:meta])* $vis:vis struct $name:ident($call:ty, $event:ty);) => {
        $(#[$meta])*
        $vis struct $name(pub $crate::testkit::TestChain<$call, $event>);

        impl ::core::ops::Deref for $name {
            type Target = $crate::testkit::TestChain<$call, $event>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl ::core::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
    };
}

/// `call` as a call of the test chain's type `C`; panics if the chain does not compose its module.
pub fn into_call<C: CallSet>(call: impl CallSet) -> C {
    pillar_primitives::compose_call(call).expect("the test chain composes the call's module")
}

/// Genesis accounts for keys `0..n`, each with `eth` wei.
pub fn funded(n: u8, eth: u128) -> Vec<GenesisAccount> {
    (0..n).map(|i| GenesisAccount { address: addr(i), eth, tokens: vec![] }).collect()
}

/// In-memory state that counts writes, to show that a failed call wrote nothing.
#[derive(Debug, Default)]
pub struct CountingState {
    /// The state.
    pub inner: MemoryState,
    /// Writes so far.
    pub writes: usize,
}

impl pillar_state::StateRead for CountingState {
    fn get(&self, key: &pillar_state::KeyPath) -> Result<Option<Vec<u8>>, pillar_state::StateError> {
        self.inner.get(key)
    }
}

impl StateWrite for CountingState {
    fn set(&mut self, key: pillar_state::KeyPath, value: Option<Vec<u8>>) {
        self.writes += 1;
        self.inner.set(key, value);
    }
}

/// A chain on in-memory state, over call and event types composed for the test (`compose!`).
/// Every transaction it signs uses the next nonce of its sender and `max_fee` as the fee bound;
/// calls are given as anything that converts into the chain's call type (a module's group).
pub struct TestChain<C, E> {
    /// The runtime.
    pub rt: Runtime<C, E>,
    /// The state, with every block's writes applied.
    pub state: MemoryState,
    /// Height of the last block executed.
    pub height: u64,
    /// Block time (ms) of the next block.
    pub now: u64,
    /// Fee bound of the transactions it builds.
    pub max_fee: u128,
    /// Keys the last block wrote.
    pub last_writes: std::collections::HashSet<pillar_state::KeyPath>,
    nonces: HashMap<Address, u64>,
    queue: u64,
}

impl<C: CallSet, E: EventSet> TestChain<C, E> {
    /// A chain at `genesis`, with block time 1,000 ms and fee bound `max_fee`.
    pub fn new(rt: Runtime<C, E>, genesis: &Genesis, max_fee: u128) -> Self {
        let mut state = MemoryState::default();
        rt.genesis(genesis, &mut state).unwrap();
        Self {
            rt,
            state,
            height: 0,
            now: 1_000,
            max_fee,
            last_writes: Default::default(),
            nonces: HashMap::new(),
            queue: 0,
        }
    }

    /// Executes a block of entries and applies its writes.
    pub fn block(&mut self, txs: Vec<ExecTx<C>>) -> BlockOutcome<C, E> {
        self.height += 1;
        let env = BlockEnv { chain_id: self.rt.chain_id(), height: self.height, timestamp_ms: self.now };
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, txs, &mut block).unwrap();
            (out, block.into_changes())
        };
        self.last_writes = changes.writes.keys().copied().collect();
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        out
    }

    /// Executes signed transactions in one block: the receipts, and why any were dropped.
    pub fn exec(&mut self, txs: Vec<SignedTransaction<C>>) -> (Vec<Receipt<E>>, Vec<Invalid>) {
        let txs = txs.into_iter().map(|t| ExecTx::Signed(t.verify().unwrap())).collect();
        let out = self.block(txs);
        (
            out.included.into_iter().map(|(_, r)| r).collect(),
            out.dropped.into_iter().map(|(_, i)| i).collect(),
        )
    }

    /// The next L1 queue message, of `kind` from `sender`, to put in a block.
    pub fn message(&mut self, sender: Address, kind: L1MessageKind) -> ExecTx<C> {
        let msg = L1Message { index: self.queue, l1_block: 1, timestamp: 1, sender, kind };
        self.queue += 1;
        ExecTx::L1(msg)
    }

    /// Applies an L1 queue message of `kind` from `sender` in its own block.
    pub fn l1(&mut self, sender: Address, kind: L1MessageKind) -> Receipt<E> {
        let msg = self.message(sender, kind);
        self.block(vec![msg]).included.remove(0).1
    }

    /// Executes `stx` as a forced transaction from the L1 queue.
    pub fn forced(&mut self, stx: &SignedTransaction<C>) -> Receipt<E> {
        self.l1(Address::repeat_byte(0xee), L1MessageKind::ForcedTx { tx: stx.encode() })
    }

    /// Moves block time forward, with an empty block at the new time so that admission (which
    /// judges by the latest block's time) and execution see the same clock.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.exec(vec![]);
    }

    /// The next nonce of `who`, taken.
    pub fn next_nonce(&mut self, who: Address) -> u64 {
        let n = self.nonces.entry(who).or_default();
        *n += 1;
        *n - 1
    }

    /// Gives back a nonce that was not consumed (its transaction was dropped).
    pub fn unuse_nonce(&mut self, who: Address) {
        if let Some(n) = self.nonces.get_mut(&who) {
            *n -= 1;
        }
    }

    /// An unsigned transaction of `who` with its next nonce.
    pub fn tx(&mut self, who: Address, call: impl CallSet) -> Transaction<C> {
        let call = into_call(call);
        Transaction { chain_id: self.rt.chain_id(), nonce: self.next_nonce(who), max_fee: self.max_fee, call }
    }

    /// `call` signed by key `signer`, with its next nonce.
    pub fn signed(&mut self, signer: u8, call: impl CallSet) -> SignedTransaction<C> {
        let tx = self.tx(addr(signer), call);
        key(signer).sign(tx)
    }

    /// Mempool admission of `call` from key `signer` against the current state (the nonce is not
    /// consumed).
    pub fn validate(&mut self, signer: u8, call: impl CallSet) -> Result<(), crate::ValidateError> {
        let tx = self.signed(signer, call).verify().unwrap();
        self.unuse_nonce(addr(signer));
        self.rt.validate(&tx, &self.state)
    }

    /// Runs `call` from key `signer` in its own block: the receipt, or why it was dropped (the
    /// nonce is then given back).
    pub fn run(&mut self, signer: u8, call: impl CallSet) -> Result<Receipt<E>, Invalid> {
        let stx = self.signed(signer, call);
        let (mut receipts, mut dropped) = self.exec(vec![stx]);
        match dropped.pop() {
            Some(invalid) => {
                self.unuse_nonce(addr(signer));
                Err(invalid)
            }
            None => Ok(receipts.remove(0)),
        }
    }

    /// Runs `call` from key `signer`, asserting it succeeds.
    pub fn ok(&mut self, signer: u8, call: impl CallSet) -> Receipt<E> {
        let call: C = into_call(call);
        let r = self.run(signer, call.clone()).unwrap_or_else(|e| panic!("{call:?} dropped: {e}"));
        assert!(r.is_success(), "{call:?} failed: {:?}", r.status);
        r
    }

    /// Runs `call` from key `signer`, asserting it is included and fails: its code.
    pub fn fails(&mut self, signer: u8, call: impl CallSet) -> u32 {
        let call: C = into_call(call);
        let r = self.run(signer, call.clone()).unwrap_or_else(|e| panic!("{call:?} dropped: {e}"));
        match r.status {
            TxStatus::Failed { code, .. } => code,
            TxStatus::Success => panic!("{call:?} succeeded"),
        }
    }

    /// `call` of account `who` signed by a session key, optionally sponsored, in its own block:
    /// the receipt, or why it was dropped (the nonce is then given back).
    pub fn session(
        &mut self,
        session: &SessionSigner,
        who: u8,
        sponsor: Option<u8>,
        call: impl CallSet,
    ) -> Result<Receipt<E>, Invalid> {
        let tx = self.tx(addr(who), call);
        let stx = session.sign(tx, addr(who), sponsor.map(addr));
        let (mut receipts, mut dropped) = self.exec(vec![stx]);
        match dropped.pop() {
            Some(invalid) => {
                self.unuse_nonce(addr(who));
                Err(invalid)
            }
            None => Ok(receipts.remove(0)),
        }
    }

    /// A module query against the current state.
    pub fn query(&self, module: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.rt.query(&self.state, module, method, &params).unwrap()
    }
}
