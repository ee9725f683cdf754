//! A chain (accounts, assets, sessions) on in-memory state for the module's tests.
//!
//! Keys 0 to 7 hold 1,000,000 wei each; 7 is the game (a sponsor in sponsored tests). Session
//! signers are ed25519 from seeds 1, 2, … and P-256 from seed 100.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use crate::{AuthorizeSession, SpendCap};
use pillar_accounts::Accounts;
use pillar_assets::Transfer;
use pillar_assets::{Assets, balance};
use pillar_primitives::{Address, NATIVE_ASSET, Receipt, SessionSigner, SignedTransaction};
use pillar_runtime::testkit::{TestChain, funded};
use pillar_runtime::{Genesis, Invalid, Refusal, Runtime, ValidateError};

use crate::Sessions;

pillar_runtime::compose! {
    /// The test chain's calls.
    pub(crate) enum Call;
    /// The test chain's events.
    pub(crate) enum Event;
    /// The test chain's modules.
    pub(crate) const MODULES;
    {
        Accounts => pillar_accounts::Accounts,
        Assets => pillar_assets::Assets,
        Sessions => crate::Sessions,
    }
}

pub(crate) const CHAIN: u64 = 41;
pub(crate) const FEE: u128 = 10;

pub(crate) use pillar_runtime::testkit::{addr, key};

pub(crate) fn ed(seed: u8) -> SessionSigner {
    SessionSigner::ed25519([seed; 32])
}

pub(crate) fn transfer(to: u8, amount: u128) -> Call {
    Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: addr(to), asset: NATIVE_ASSET, amount }))
}

/// A session allowed Transfer (tag 0) only, with a native cap.
pub(crate) fn scope(
    signer: &SessionSigner,
    total: u128,
    per_window: u128,
    window_ms: u64,
    max_txs: u32,
) -> Call {
    Call::Sessions(crate::SessionsCall::AuthorizeSession(AuthorizeSession {
        key: signer.public_key(),
        calls: 1,
        expires_ms: 100_000,
        window_ms,
        max_txs,
        caps: vec![SpendCap { asset: NATIVE_ASSET, total, per_window }],
    }))
}

pillar_runtime::test_chain! {
    /// The sessions chain: the shared test chain plus the module's helpers.
    pub(crate) struct Chain(Call, Event);
}

impl Chain {
    pub(crate) fn new() -> Self {
        let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions)]);
        let genesis = Genesis {
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            accounts: funded(8, 1_000_000),
            ..Default::default()
        };
        Self(TestChain::new(rt, &genesis, FEE))
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
    ) -> Result<Receipt<Event>, u32> {
        let tx = self.tx(addr(who), call);
        let stx = session.sign(tx, addr(who), sponsor.map(addr));
        self.submit(stx, addr(who))
    }

    /// Executes one signed transaction in its own block, after checking that admission agrees.
    pub(crate) fn submit(
        &mut self,
        stx: SignedTransaction<Call>,
        who: Address,
    ) -> Result<Receipt<Event>, u32> {
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
        self.0.query(crate::NAME, method, params)
    }
}
