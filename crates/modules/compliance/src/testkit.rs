//! A chain (accounts, assets, compliance) on in-memory state for the module's tests.
//!
//! Keys: 0 is the issuer (admin of asset 1, owner of the registry, trusted issuer of every
//! topic); 1 and 2 are two wallets of one investor; 3, 4 and 5 are investors of their own;
//! 6 has no identity; 7 is an agent. Asset 2 has no rules.

use std::{collections::HashMap, sync::Arc};

use pillar_accounts::Accounts;
use pillar_assets::{ASSETS, Assets, balance};
use pillar_primitives::{
    AddClaim, Address, Call, ExecTx, L1Message, L1MessageKind, LinkWallet, PrivateKey, Receipt,
    RegisterIdentity, SetComplianceRules, SetTrustedIssuer, TOPIC_COUNTRY, TOPIC_INVESTOR_TYPE, TOPIC_KYC,
    Transaction, TxStatus,
};
use pillar_runtime::{BlockEnv, Genesis, GenesisAccount, GenesisAsset, Runtime};
use pillar_state::{BlockOverlay, MemoryState, StateWrite};

use crate::Compliance;

pub(crate) const CHAIN: u64 = 31;
pub(crate) const FEE: u128 = 1;
pub(crate) const BOND: u32 = 1;
pub(crate) const FREE: u32 = 2;
/// ISO 3166 numeric: France, Germany, United States.
pub(crate) const FR: u64 = 250;
pub(crate) const DE: u64 = 276;
pub(crate) const US: u64 = 840;

pub(crate) fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 1; 32]).unwrap()
}

pub(crate) fn addr(i: u8) -> Address {
    key(i).address()
}

pub(crate) struct Chain {
    pub(crate) rt: Runtime,
    pub(crate) state: MemoryState,
    pub(crate) height: u64,
    pub(crate) now: u64,
    nonces: HashMap<Address, u64>,
    queue: u64,
}

/// Rules that impose nothing, bound to key 0's registry.
pub(crate) fn open_rules() -> SetComplianceRules {
    SetComplianceRules {
        asset: BOND,
        registry: addr(0),
        allowed_countries: vec![],
        blocked_countries: vec![],
        country_caps: vec![],
        max_holders: 0,
        max_balance: 0,
        lockup_ms: 0,
        limit_window_ms: 0,
        limit_amount: 0,
        required_claims: vec![],
    }
}

pub(crate) fn code(r: &Receipt) -> Option<u32> {
    match r.status {
        TxStatus::Failed { code, .. } => Some(code),
        TxStatus::Success => None,
    }
}

impl Chain {
    /// A chain with assets 1 (Bond) and 2 (Free), both admin key 0, no supply, no rules.
    pub(crate) fn bare() -> Self {
        let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Compliance)]);
        let asset = |name: &str, symbol: &str| GenesisAsset {
            name: name.into(),
            symbol: symbol.into(),
            decimals: 0,
            admin: addr(0),
            max_supply: None,
        };
        let genesis = Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: Address::repeat_byte(0xfe),
            assets: vec![asset("Bond", "BND"), asset("Free", "FRE")],
            accounts: (0..8)
                .map(|i| GenesisAccount { address: addr(i), eth: 1_000_000, tokens: vec![] })
                .collect(),
            calls: vec![],
        };
        let mut state = MemoryState::default();
        rt.genesis(&genesis, &mut state).unwrap();
        Self { rt, state, height: 0, now: 1_000, nonces: HashMap::new(), queue: 0 }
    }

    /// `bare` plus `rules` on asset 1, identities for keys 0 to 5 (1 and 2 share one), KYC
    /// level 2 for all, countries FR for 0 to 3, DE for 4, US for 5, investor type 2.
    pub(crate) fn with_rules(rules: SetComplianceRules) -> Self {
        let mut c = Self::bare();
        c.ok(0, Call::SetComplianceRules(Box::new(rules)));
        for topic in [TOPIC_KYC, TOPIC_COUNTRY, TOPIC_INVESTOR_TYPE] {
            c.ok(0, Call::SetTrustedIssuer(SetTrustedIssuer { topic, issuer: addr(0), enabled: true }));
        }
        for (wallet, country) in [(0u8, FR), (1, FR), (3, FR), (4, DE), (5, US)] {
            c.ok(0, Call::RegisterIdentity(RegisterIdentity { registry: addr(0), wallet: addr(wallet) }));
            let id = c.identity(wallet).unwrap();
            for (topic, value) in [(TOPIC_KYC, 2), (TOPIC_COUNTRY, country), (TOPIC_INVESTOR_TYPE, 2)] {
                c.ok(0, Call::AddClaim(AddClaim { identity: id, topic, value, expires_ms: 0 }));
            }
        }
        let id = c.identity(1).unwrap();
        c.ok(0, Call::LinkWallet(LinkWallet { identity: id, wallet: addr(2), linked: true }));
        c
    }

    fn exec(&mut self, txs: Vec<ExecTx>) -> (Vec<Receipt>, usize) {
        self.height += 1;
        let env = BlockEnv { chain_id: CHAIN, height: self.height, timestamp_ms: self.now };
        let (out, changes) = {
            let mut block = BlockOverlay::new(&self.state);
            let out = self.rt.execute_block(&env, txs, &mut block).unwrap();
            (out, block.into_changes())
        };
        for (k, v) in changes.writes {
            self.state.set(k, v);
        }
        (out.included.into_iter().map(|(_, r)| r).collect(), out.dropped.len())
    }

    fn signed(&mut self, signer: u8, call: Call) -> pillar_primitives::SignedTransaction {
        let k = key(signer);
        let nonce = self.nonces.entry(k.address()).or_default();
        let tx = k.sign(Transaction { chain_id: CHAIN, nonce: *nonce, max_fee: FEE, call });
        *nonce += 1;
        tx
    }

    /// Mempool admission of `call` signed by `signer` against the current state (the nonce is
    /// not consumed).
    pub(crate) fn screen(&mut self, signer: u8, call: Call) -> Result<(), pillar_runtime::ValidateError> {
        let tx = self.signed(signer, call).verify().unwrap();
        *self.nonces.get_mut(&key(signer).address()).unwrap() -= 1;
        self.rt.validate(&tx, &self.state)
    }

    /// Runs `call` signed by `signer` in its own block and returns its receipt.
    pub(crate) fn run(&mut self, signer: u8, call: Call) -> Receipt {
        let tx = self.signed(signer, call).verify().unwrap();
        let (mut receipts, dropped) = self.exec(vec![ExecTx::Signed(tx)]);
        assert_eq!(dropped, 0, "transaction dropped");
        receipts.remove(0)
    }

    /// Runs `call` as a forced transaction from the L1 queue.
    pub(crate) fn run_forced(&mut self, signer: u8, call: Call) -> Receipt {
        let tx = self.signed(signer, call).encode();
        let msg = L1Message {
            index: self.queue,
            l1_block: 1,
            timestamp: 1,
            sender: Address::repeat_byte(0xee),
            kind: L1MessageKind::ForcedTx { tx },
        };
        self.queue += 1;
        self.exec(vec![ExecTx::L1(msg)]).0.remove(0)
    }

    /// Runs `call` and asserts it succeeded.
    pub(crate) fn ok(&mut self, signer: u8, call: Call) -> Receipt {
        let r = self.run(signer, call.clone());
        assert!(r.is_success(), "{call:?} failed: {:?}", r.status);
        r
    }

    /// Runs `call` and returns its failure code.
    pub(crate) fn fails(&mut self, signer: u8, call: Call) -> u32 {
        let r = self.run(signer, call.clone());
        code(&r).unwrap_or_else(|| panic!("{call:?} succeeded"))
    }

    pub(crate) fn identity(&self, wallet: u8) -> Option<u64> {
        crate::WALLET_IDENTITY.get(&self.state, &(addr(0), addr(wallet))).unwrap()
    }

    pub(crate) fn bal(&self, wallet: u8, asset: u32) -> u128 {
        balance(&self.state, addr(wallet), asset).unwrap()
    }

    pub(crate) fn supply(&self, asset: u32) -> u128 {
        ASSETS.get(&self.state, &asset).unwrap().unwrap().total_supply
    }

    pub(crate) fn frozen(&self, wallet: u8) -> u128 {
        crate::FROZEN_AMOUNTS.get(&self.state, &(BOND, addr(wallet))).unwrap().unwrap_or(0)
    }

    /// `canTransfer` through the module's query, at the next block's time.
    pub(crate) fn can_transfer(&self, from: u8, to: u8, amount: u128) -> u8 {
        let v = self
            .rt
            .query(
                &self.state,
                crate::NAME,
                "canTransfer",
                &serde_json::json!({
                    "asset": BOND, "from": addr(from), "to": addr(to),
                    "amount": amount.to_string(), "atMs": self.now,
                }),
            )
            .unwrap();
        v["code"].as_u64().unwrap() as u8
    }
}
