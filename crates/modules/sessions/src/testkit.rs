//! A chain (accounts, assets, sessions) on in-memory state for the module's tests.
//!
//! Keys 0 to 7 hold 1,000,000 wei each; 7 is the game (a sponsor in sponsored tests). Session
//! signers are ed25519 from seeds 1, 2, … and P-256 from seed 100.

#![allow(clippy::unwrap_used)]

use std::{collections::HashMap, sync::Arc};

use pillar_accounts::Accounts;
use pillar_assets::{Assets, balance};
use pillar_primitives::{
    Address, AuthorizeSession, Call, ExecTx, NATIVE_ASSET, PrivateKey, Receipt, SessionSigner,
    SignedTransaction, SpendCap, Transaction, Transfer, TxStatus,
};
use pillar_runtime::{BlockEnv, Genesis, GenesisAccount, Invalid, Refusal, Runtime, ValidateError};
use pillar_state::{BlockOverlay, MemoryState, StateWrite};

use crate::Sessions;

pub(crate) const CHAIN: u64 = 41;
pub(crate) const FEE: u128 = 10;

pub(crate) fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 1; 32]).unwrap()
}

pub(crate) fn addr(i: u8) -> Address {
    key(i).address()
}

pub(crate) fn ed(seed: u8) -> SessionSigner {
    SessionSigner::ed25519([seed; 32])
}

pub(crate) fn transfer(to: u8, amount: u128) -> Call {
    Call::Transfer(Transfer { to: addr(to), asset: NATIVE_ASSET, amount })
}

/// A session allowed Transfer (tag 0) only, with a native cap.
pub(crate) fn scope(
    signer: &SessionSigner,
    total: u128,
    per_window: u128,
    window_ms: u64,
    max_txs: u32,
) -> Call {
    Call::AuthorizeSession(AuthorizeSession {
        key: signer.public_key(),
        calls: 1,
        expires_ms: 100_000,
        window_ms,
        max_txs,
        caps: vec![SpendCap { asset: NATIVE_ASSET, total, per_window }],
    })
}

pub(crate) struct Chain {
    pub(crate) rt: Runtime,
    pub(crate) state: MemoryState,
    pub(crate) height: u64,
    pub(crate) now: u64,
    nonces: HashMap<Address, u64>,
}

impl Chain {
    pub(crate) fn new() -> Self {
        let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions)]);
        let genesis = Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            assets: vec![],
            accounts: (0..8)
                .map(|i| GenesisAccount { address: addr(i), eth: 1_000_000, tokens: vec![] })
                .collect(),
            calls: vec![],
        };
        let mut state = MemoryState::default();
        rt.genesis(&genesis, &mut state).unwrap();
        Self { rt, state, height: 0, now: 1_000, nonces: HashMap::new() }
    }

    /// Executes a block; returns receipts and the dropped transactions' reasons.
    pub(crate) fn exec(&mut self, txs: Vec<SignedTransaction>) -> (Vec<Receipt>, Vec<Invalid>) {
        self.height += 1;
        let env = BlockEnv { chain_id: CHAIN, height: self.height, timestamp_ms: self.now };
        let txs = txs.into_iter().map(|t| ExecTx::Signed(t.verify().unwrap())).collect();
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, txs, &mut block).unwrap();
            (out, block.into_changes())
        };
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        (
            out.included.into_iter().map(|(_, r)| r).collect(),
            out.dropped.into_iter().map(|(_, i)| i).collect(),
        )
    }

    /// Executes `stx` as a forced transaction from the L1 queue (message index `index`).
    pub(crate) fn forced(&mut self, stx: &SignedTransaction, index: u64) -> Receipt {
        self.height += 1;
        let env = BlockEnv { chain_id: CHAIN, height: self.height, timestamp_ms: self.now };
        let msg = pillar_primitives::L1Message {
            index,
            l1_block: 1,
            timestamp: 1,
            sender: Address::repeat_byte(0xee),
            kind: pillar_primitives::L1MessageKind::ForcedTx { tx: stx.encode() },
        };
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, vec![ExecTx::L1(msg)], &mut block).unwrap();
            (out, block.into_changes())
        };
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        out.included.into_iter().map(|(_, r)| r).next().unwrap()
    }

    /// Moves block time forward, with an empty block at the new time so that admission (which
    /// judges by the latest block's time) and execution see the same clock.
    pub(crate) fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.exec(vec![]);
    }

    fn next_nonce(&mut self, who: Address) -> u64 {
        let n = self.nonces.entry(who).or_default();
        *n += 1;
        *n - 1
    }

    pub(crate) fn tx(&mut self, who: Address, call: Call) -> Transaction {
        Transaction { chain_id: CHAIN, nonce: self.next_nonce(who), max_fee: FEE, call }
    }

    /// Forgets a nonce that was not consumed (the transaction was dropped).
    pub(crate) fn unuse_nonce(&mut self, who: Address) {
        if let Some(n) = self.nonces.get_mut(&who) {
            *n -= 1;
        }
    }

    /// A wallet-signed call, asserted to succeed.
    pub(crate) fn ok(&mut self, signer: u8, call: Call) -> Receipt {
        let tx = self.tx(addr(signer), call.clone());
        let (mut r, dropped) = self.exec(vec![key(signer).sign(tx)]);
        assert!(dropped.is_empty(), "{call:?} dropped: {dropped:?}");
        let r = r.remove(0);
        assert!(r.is_success(), "{call:?} failed: {:?}", r.status);
        r
    }

    /// A wallet-signed call's failure code.
    pub(crate) fn fails(&mut self, signer: u8, call: Call) -> u32 {
        let tx = self.tx(addr(signer), call.clone());
        let (mut r, _) = self.exec(vec![key(signer).sign(tx)]);
        match r.remove(0).status {
            TxStatus::Failed { code, .. } => code,
            TxStatus::Success => panic!("{call:?} succeeded"),
        }
    }

    /// Sends `call` signed by `session` for account `who`, optionally sponsored: the receipt, or
    /// the refusal code (4000+) when it was dropped as invalid. Admission (`validate`) is checked
    /// to agree with execution.
    pub(crate) fn session(
        &mut self,
        session: &SessionSigner,
        who: u8,
        sponsor: Option<u8>,
        call: Call,
    ) -> Result<Receipt, u32> {
        let tx = self.tx(addr(who), call);
        let stx = session.sign(tx, addr(who), sponsor.map(addr));
        self.submit(stx, addr(who))
    }

    /// Executes one signed transaction in its own block, after checking that admission agrees.
    pub(crate) fn submit(&mut self, stx: SignedTransaction, who: Address) -> Result<Receipt, u32> {
        let verified = stx.clone().verify().unwrap();
        let admission = self.rt.validate(&verified, &self.state);
        let (mut r, dropped) = self.exec(vec![stx]);
        match dropped.first() {
            Some(Invalid::Refused(Refusal { module: "sessions", code, .. })) => {
                assert!(matches!(admission, Err(ValidateError::Invalid(_))), "admission agrees");
                self.unuse_nonce(who);
                Err(*code)
            }
            Some(other) => {
                self.unuse_nonce(who);
                panic!("dropped for another reason: {other}")
            }
            None => Ok(r.remove(0)),
        }
    }

    pub(crate) fn bal(&self, who: u8) -> u128 {
        balance(&self.state, addr(who), NATIVE_ASSET).unwrap()
    }

    pub(crate) fn query(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.rt.query(&self.state, crate::NAME, method, &params).unwrap()
    }
}
