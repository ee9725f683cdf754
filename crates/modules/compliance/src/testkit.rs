//! A chain (accounts, assets, compliance) on in-memory state for the module's tests.
//!
//! Keys: 0 is the issuer (admin of asset 1, owner of the registry, trusted issuer of every
//! topic); 1 and 2 are two wallets of one investor; 3, 4 and 5 are investors of their own;
//! 6 has no identity; 7 is an agent. Asset 2 has no rules.

use std::sync::Arc;

use crate::{
    AddClaim, LinkWallet, RegisterIdentity, SetComplianceRules, SetTrustedIssuer, TOPIC_COUNTRY,
    TOPIC_INVESTOR_TYPE, TOPIC_KYC,
};
use pillar_accounts::Accounts;
use pillar_assets::{ASSETS, Assets, balance};
use pillar_primitives::{Address, Receipt};
use pillar_runtime::testkit::{TestChain, funded};
use pillar_runtime::{Genesis, GenesisAsset, Runtime};

use crate::Compliance;

pub(crate) const CHAIN: u64 = 31;
pub(crate) const FEE: u128 = 1;
pub(crate) const BOND: u32 = 1;
pub(crate) const FREE: u32 = 2;
/// ISO 3166 numeric: France, Germany, United States.
pub(crate) const FR: u64 = 250;
pub(crate) const DE: u64 = 276;
pub(crate) const US: u64 = 840;

pub(crate) use pillar_runtime::testkit::{addr, key};

pillar_runtime::compose! {
    /// The test chain's calls.
    pub(crate) enum Call;
    /// The test chain's events.
    pub(crate) enum Event;
    /// The test chain's modules.
    pub(crate) const MODULES;
    { Accounts => pillar_accounts::Accounts, Assets => pillar_assets::Assets, Compliance => crate::Compliance }
}

pillar_runtime::test_chain! {
    /// The compliance chain: the shared test chain plus the module's helpers.
    pub(crate) struct Chain(Call, Event);
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
            accounts: funded(8, 1_000_000),
            calls: vec![],
        };
        Self(TestChain::new(rt, &genesis, FEE))
    }

    /// `bare` plus `rules` on asset 1, identities for keys 0 to 5 (1 and 2 share one), KYC
    /// level 2 for all, countries FR for 0 to 3, DE for 4, US for 5, investor type 2.
    pub(crate) fn with_rules(rules: SetComplianceRules) -> Self {
        let mut c = Self::bare();
        c.ok(0, Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(rules))));
        for topic in [TOPIC_KYC, TOPIC_COUNTRY, TOPIC_INVESTOR_TYPE] {
            c.ok(
                0,
                Call::Compliance(crate::ComplianceCall::SetTrustedIssuer(SetTrustedIssuer {
                    topic,
                    issuer: addr(0),
                    enabled: true,
                })),
            );
        }
        for (wallet, country) in [(0u8, FR), (1, FR), (3, FR), (4, DE), (5, US)] {
            c.ok(
                0,
                Call::Compliance(crate::ComplianceCall::RegisterIdentity(RegisterIdentity {
                    registry: addr(0),
                    wallet: addr(wallet),
                })),
            );
            let id = c.identity(wallet).unwrap();
            for (topic, value) in [(TOPIC_KYC, 2), (TOPIC_COUNTRY, country), (TOPIC_INVESTOR_TYPE, 2)] {
                c.ok(
                    0,
                    Call::Compliance(crate::ComplianceCall::AddClaim(AddClaim {
                        identity: id,
                        topic,
                        value,
                        expires_ms: 0,
                    })),
                );
            }
        }
        let id = c.identity(1).unwrap();
        c.ok(
            0,
            Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
                identity: id,
                wallet: addr(2),
                linked: true,
            })),
        );
        c
    }

    /// Mempool admission of `call` signed by `signer` against the current state (the nonce is
    /// not consumed).
    pub(crate) fn screen(&mut self, signer: u8, call: Call) -> Result<(), pillar_runtime::ValidateError> {
        self.0.validate(signer, call)
    }

    /// Runs `call` signed by `signer` in its own block and returns its receipt.
    pub(crate) fn run(&mut self, signer: u8, call: Call) -> Receipt<Event> {
        self.0.run(signer, call).unwrap_or_else(|e| panic!("transaction dropped: {e}"))
    }

    /// Runs `call` as a forced transaction from the L1 queue.
    pub(crate) fn run_forced(&mut self, signer: u8, call: Call) -> Receipt<Event> {
        let stx = self.0.signed(signer, call);
        self.0.forced(&stx)
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
        let v = self.0.query(
            crate::NAME,
            "canTransfer",
            serde_json::json!({
                "asset": BOND, "from": addr(from), "to": addr(to),
                "amount": amount.to_string(), "atMs": self.now,
            }),
        );
        v["code"].as_u64().unwrap() as u8
    }
}
