//! The chains the in-process scenarios run on, and their pre-signed load.
//!
//! Every scenario funds `accounts` deterministic keys (key `i` is `i + 1` as a big-endian scalar
//! with a marker byte, so runs are reproducible) and has each account send to the next one, so a
//! block touches as many distinct accounts as it holds transactions: the worst case for state.

use std::path::Path;

use pillar_assets::{Mint, Transfer};
use pillar_compliance::{
    AddClaim, ClaimRequirement, RegisterIdentity, SetComplianceRules, SetTrustedIssuer, TOPIC_COUNTRY,
    TOPIC_KYC,
};
use pillar_items::{CreateCollection, DefineItems, ItemAmount, ItemClass, MintItems, TransferItems};
use pillar_node::{ChainConfig, DevKey, RpcSection, SequencerSection, StorageSection};
use pillar_runtime::{Genesis, GenesisAccount, GenesisAsset, GenesisCall};
use pillar_sessions::{AuthorizeSession, SetSponsorPolicy};
use pillar_stf::{Address, Call, PrivateKey, SessionSigner, SignedTransaction, Transaction};
use rayon::prelude::*;

/// The chain id of every bench chain.
pub(crate) const CHAIN_ID: u64 = 901;
/// Fee per transaction (0.000001 ETH).
pub(crate) const FEE: u128 = 1_000_000_000_000;

/// What a scenario's transactions do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// EIP-712 secp256k1-signed native transfers.
    Transfers,
    /// ed25519 session-signed item moves, sponsored by the game.
    Sessions,
    /// secp256k1-signed transfers of a compliant asset (identities, claims, rules on each).
    Rwa,
}

/// A scenario's chain: its config and the keys that act on it.
pub(crate) struct Fixture {
    pub(crate) kind: Kind,
    pub(crate) config: ChainConfig,
    pub(crate) keys: Vec<PrivateKey>,
    sessions: Vec<SessionSigner>,
}

fn key(i: usize) -> PrivateKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    b[31] = 0x5b;
    PrivateKey::from_bytes(b).expect("a small scalar is a valid key")
}

fn session(i: usize) -> SessionSigner {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    seed[31] = 0x5e;
    SessionSigner::ed25519(seed)
}

const COLLECTION: u32 = 1;
const GOLD: u64 = 1;
const BOND: u32 = 1;

impl Fixture {
    pub(crate) fn new(kind: Kind, accounts: usize, block_time_ms: u64, data_dir: &Path) -> Self {
        let keys: Vec<PrivateKey> = (0..accounts).into_par_iter().map(key).collect();
        let operator = keys[0].address();
        let mut modules = vec!["accounts", "assets"];
        let mut assets = vec![];
        let mut calls = vec![];
        let mut sessions = vec![];
        let call = |sender: Address, call: Call| GenesisCall::new(sender, &call);
        match kind {
            Kind::Transfers => {}
            Kind::Sessions => {
                modules.extend(["sessions", "items"]);
                sessions = (0..accounts).into_par_iter().map(session).collect();
                calls.push(call(
                    operator,
                    Call::Items(pillar_items::ItemsCall::CreateCollection(CreateCollection {
                        name: "Bench".into(),
                        uri: String::new(),
                    })),
                ));
                let gold = ItemClass { item: GOLD, max_supply: u128::MAX, transferable: true };
                calls.push(call(
                    operator,
                    Call::Items(pillar_items::ItemsCall::DefineItems(DefineItems {
                        collection: COLLECTION,
                        classes: vec![gold],
                    })),
                ));
                calls.push(call(
                    operator,
                    Call::Sessions(pillar_sessions::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
                        budget: u128::MAX / 2,
                        calls: 1 << 37,
                        window_ms: 0,
                        max_txs_per_user: 0,
                    })),
                ));
                for (k, s) in keys.iter().zip(&sessions) {
                    let items = vec![ItemAmount { item: GOLD, amount: 1_000_000 }];
                    calls.push(call(
                        operator,
                        Call::Items(pillar_items::ItemsCall::MintItems(MintItems {
                            collection: COLLECTION,
                            to: k.address(),
                            items,
                        })),
                    ));
                    calls.push(call(
                        k.address(),
                        Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(AuthorizeSession {
                            key: s.public_key(),
                            calls: 1 << 37,
                            expires_ms: u64::MAX,
                            window_ms: 0,
                            max_txs: 0,
                            caps: vec![],
                        })),
                    ));
                }
            }
            Kind::Rwa => {
                modules.push("compliance");
                assets.push(GenesisAsset {
                    name: "Bench Bond".into(),
                    symbol: "BBND".into(),
                    decimals: 0,
                    admin: operator,
                    max_supply: None,
                });
                for topic in [TOPIC_KYC, TOPIC_COUNTRY] {
                    calls.push(call(
                        operator,
                        Call::Compliance(pillar_compliance::ComplianceCall::SetTrustedIssuer(
                            SetTrustedIssuer { topic, issuer: operator, enabled: true },
                        )),
                    ));
                }
                calls.push(call(
                    operator,
                    Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceRules(Box::new(
                        SetComplianceRules {
                            asset: BOND,
                            registry: operator,
                            allowed_countries: vec![],
                            blocked_countries: vec![408, 364],
                            country_caps: vec![],
                            max_holders: 0,
                            max_balance: 0,
                            lockup_ms: 0,
                            limit_window_ms: 0,
                            limit_amount: 0,
                            required_claims: vec![
                                ClaimRequirement { topic: TOPIC_KYC, min_value: 2 },
                                ClaimRequirement { topic: TOPIC_COUNTRY, min_value: 1 },
                            ],
                        },
                    ))),
                ));
                for (i, k) in keys.iter().enumerate() {
                    let identity = i as u64 + 1;
                    calls.push(call(
                        operator,
                        Call::Compliance(pillar_compliance::ComplianceCall::RegisterIdentity(
                            RegisterIdentity { registry: operator, wallet: k.address() },
                        )),
                    ));
                    for (topic, value) in [(TOPIC_KYC, 2), (TOPIC_COUNTRY, 250)] {
                        calls.push(call(
                            operator,
                            Call::Compliance(pillar_compliance::ComplianceCall::AddClaim(AddClaim {
                                identity,
                                topic,
                                value,
                                expires_ms: 0,
                            })),
                        ));
                    }
                    calls.push(call(
                        operator,
                        Call::Assets(pillar_assets::AssetsCall::Mint(Mint {
                            asset: BOND,
                            to: k.address(),
                            amount: 1_000_000,
                        })),
                    ));
                }
            }
        }
        let config = ChainConfig {
            chain: pillar_node::ChainSection {
                chain_id: CHAIN_ID,
                name: format!("bench-{kind:?}").to_lowercase(),
                preset: String::new(),
                modules: modules.into_iter().map(String::from).collect(),
            },
            sequencer: SequencerSection {
                block_time_ms,
                max_block_txs: 10_000,
                pool_max_size: 400_000,
                pool_max_per_sender: 1024,
                pool_max_nonce_gap: 64,
            },
            rpc: RpcSection {
                listen: "127.0.0.1:0".parse().expect("a socket address"),
                ..Default::default()
            },
            storage: StorageSection {
                data_dir: data_dir.to_path_buf(),
                // About one page per 60 keys, with headroom: accounts touch 2 to 8 keys each.
                hashtable_buckets: (accounts as u32 / 4).max(16_384),
            },
            genesis: Genesis {
                timestamp_ms: 0,
                tx_fee: FEE,
                fee_recipient: operator,
                assets,
                accounts: keys
                    .iter()
                    .map(|k| GenesisAccount { address: k.address(), eth: 1 << 90, tokens: vec![] })
                    .collect(),
                calls,
            },
            dev_keys: vec![DevKey { address: operator, private_key: keys[0].to_hex() }],
            l1: None,
        };
        Self { kind, config, keys, sessions }
    }

    /// One transaction from each account in `from`, with `nonce`, to the next account, signed on
    /// all cores.
    pub(crate) fn sign(&self, from: std::ops::Range<usize>, nonce: u64) -> Vec<SignedTransaction> {
        let n = self.keys.len();
        from.into_par_iter()
            .map(|i| {
                let to = self.keys[(i + 1) % n].address();
                let call = match self.kind {
                    Kind::Transfers => Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to,
                        asset: 0,
                        amount: 1,
                    })),
                    Kind::Sessions => Call::Items(pillar_items::ItemsCall::TransferItems(TransferItems {
                        collection: COLLECTION,
                        to,
                        items: vec![ItemAmount { item: GOLD, amount: 1 }],
                    })),
                    Kind::Rwa => Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                        to,
                        asset: BOND,
                        amount: 1,
                    })),
                };
                let tx = Transaction { chain_id: CHAIN_ID, nonce, max_fee: FEE, call };
                match self.kind {
                    Kind::Sessions => {
                        self.sessions[i].sign(tx, self.keys[i].address(), Some(self.keys[0].address()))
                    }
                    _ => self.keys[i].sign(tx),
                }
            })
            .collect()
    }
}
