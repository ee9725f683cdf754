//! Ready-made chain configs, one per vertical.
//!
//! Every preset funds the development keys with ETH; the first key is the operator (fee
//! recipient, and the game studio, agent operator or issuer of its vertical). A preset's set-up
//! (sponsor policy, item collection, identity registry, rule set) is written as genesis calls
//! ([`GenesisCall`]), applied by the same handlers as later transactions, so the config file shows
//! exactly what the chain starts with and an operator can edit it before the first start.

use pillar_compliance::{
    ClaimRequirement, SetComplianceAgent, SetComplianceRules, SetRegistryAgent, SetTrustedIssuer,
    TOPIC_COUNTRY, TOPIC_INVESTOR_TYPE, TOPIC_KYC,
};
use pillar_items::{CreateCollection, DefineItems, ItemClass};
use pillar_runtime::{Genesis, GenesisAccount, GenesisAsset, GenesisBalance, GenesisCall};
use pillar_sessions::SetSponsorPolicy;
use pillar_stf::{Address, Call, PrivateKey};

use crate::{ChainConfig, DevKey, RpcSection, SequencerSection, StorageSection, config::ChainSection};

/// Preset names `pillar init` accepts.
pub const PRESETS: &[&str] = &["basic", "game", "agents", "rwa"];

/// 1,000 ETH in wei.
const DEV_ETH: u128 = 1_000 * 10u128.pow(18);
/// 0.00001 ETH: the basic and rwa fee per transaction.
const FEE: u128 = 10_000_000_000_000;
/// 0.000001 ETH: the game and agents fee (high-frequency chains).
const LOW_FEE: u128 = 1_000_000_000_000;

/// Call tags a game sponsor pays for by default: `Transfer` (0), `TransferItems` (37) and
/// `BurnItems` (38): the moves players make in play.
pub const GAME_SPONSORED_CALLS: u64 = 1 | 1 << 37 | 1 << 38;
/// The game preset's item collection (id 1): gold (item 1, fungible), potions (item 2,
/// fungible), swords (items 100 to 103, unique) and a founder badge (item 900, soulbound).
pub const GAME_COLLECTION: u32 = 1;

/// A fresh config for `name`, funding `dev_keys` (their secrets go into the config). `None` if
/// the preset is unknown.
pub fn preset(name: &str, chain_id: u64, dev_keys: &[PrivateKey]) -> Option<ChainConfig> {
    let operator = dev_keys.first().map(PrivateKey::address).unwrap_or(Address::ZERO);
    let mut cfg = base(name, chain_id, dev_keys, operator);
    match name {
        "basic" => {}
        "game" => game(&mut cfg, operator),
        "agents" => agents(&mut cfg),
        "rwa" => rwa(&mut cfg, operator),
        _ => return None,
    }
    Some(cfg)
}

/// The basic chain: accounts, assets and the bridge, a demo stablecoin (asset 1) held by every
/// development key.
fn base(name: &str, chain_id: u64, dev_keys: &[PrivateKey], operator: Address) -> ChainConfig {
    ChainConfig {
        chain: ChainSection {
            chain_id,
            name: format!("pillar-{name}-{chain_id}"),
            preset: name.into(),
            modules: vec!["accounts".into(), "assets".into(), "bridge".into()],
        },
        sequencer: SequencerSection::default(),
        rpc: RpcSection::default(),
        storage: StorageSection::default(),
        genesis: Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: operator,
            assets: vec![GenesisAsset {
                name: "Pillar USD".into(),
                symbol: "PUSD".into(),
                decimals: 6,
                admin: operator,
                max_supply: None,
            }],
            accounts: dev_keys
                .iter()
                .map(|k| GenesisAccount {
                    address: k.address(),
                    eth: DEV_ETH,
                    tokens: vec![GenesisBalance { asset: 1, amount: 1_000_000 * 1_000_000 }],
                })
                .collect(),
            calls: vec![],
        },
        dev_keys: dev_keys.iter().map(|k| DevKey { address: k.address(), private_key: k.to_hex() }).collect(),
        l1: None,
    }
}

fn call(sender: Address, call: Call) -> GenesisCall {
    GenesisCall::new(sender, &call)
}

/// Games: session keys and sponsored fees, items. Short blocks (20 ms) for soft confirmations
/// within a frame or two; the operator (the studio) sponsors players' moves.
fn game(cfg: &mut ChainConfig, studio: Address) {
    cfg.chain.modules.extend(["sessions".into(), "items".into()]);
    cfg.sequencer.block_time_ms = 20;
    cfg.genesis.tx_fee = LOW_FEE;
    let class = |item, max_supply, transferable| ItemClass { item, max_supply, transferable };
    cfg.genesis.calls = vec![
        call(
            studio,
            Call::Items(pillar_items::ItemsCall::CreateCollection(CreateCollection {
                name: "Pillar Quest".into(),
                uri: "https://example.com/pillar-quest/items/{id}.json".into(),
            })),
        ),
        call(
            studio,
            Call::Items(pillar_items::ItemsCall::DefineItems(DefineItems {
                collection: GAME_COLLECTION,
                classes: vec![
                    class(1, u128::from(u64::MAX), true),
                    class(2, 1_000_000_000, true),
                    class(100, 1, true),
                    class(101, 1, true),
                    class(102, 1, true),
                    class(103, 1, true),
                    class(900, 1_000_000, false),
                ],
            })),
        ),
        // 100 ETH of fees: 100 million sponsored moves at the game fee; each player at most
        // 100,000 per hour.
        call(
            studio,
            Call::Sessions(pillar_sessions::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
                budget: 100 * 10u128.pow(18),
                calls: GAME_SPONSORED_CALLS,
                window_ms: 3_600_000,
                max_txs_per_user: 100_000,
            })),
        ),
    ];
}

/// AI agents: identities, reputation and payment channels in the demo stablecoin, session keys
/// for agents' hot keys. Low fees, as settlement is one transaction per many requests.
fn agents(cfg: &mut ChainConfig) {
    cfg.chain.modules.extend(["sessions".into(), "agents".into()]);
    cfg.genesis.tx_fee = LOW_FEE;
}

/// Real-world assets: a compliant bond (asset 2) with an identity registry owned by the
/// operator, who is also the trusted claim issuer, registry agent and asset agent in
/// development (production splits these roles). Rules: KYC level 2 or above, a known country
/// outside the blocked list, at most 2,000 holders (the Reg D 506(b)-style cap ERC-1404 uses as
/// its example). The bond has no supply yet: the issuer mints to verified investors.
fn rwa(cfg: &mut ChainConfig, issuer: Address) {
    cfg.chain.modules.push("compliance".into());
    cfg.sequencer.block_time_ms = 100;
    cfg.genesis.assets.push(GenesisAsset {
        name: "Pillar Treasury Bond".into(),
        symbol: "PTB".into(),
        decimals: 6,
        admin: issuer,
        max_supply: None,
    });
    let bond = 2;
    let mut calls = vec![call(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::SetRegistryAgent(SetRegistryAgent {
            agent: issuer,
            enabled: true,
        })),
    )];
    for topic in [TOPIC_KYC, TOPIC_COUNTRY, TOPIC_INVESTOR_TYPE] {
        calls.push(call(
            issuer,
            Call::Compliance(pillar_compliance::ComplianceCall::SetTrustedIssuer(SetTrustedIssuer {
                topic,
                issuer,
                enabled: true,
            })),
        ));
    }
    calls.push(call(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceRules(Box::new(
            SetComplianceRules {
                asset: bond,
                registry: issuer,
                allowed_countries: vec![],
                // ISO 3166-1 numeric: North Korea, Iran, Syria, Cuba.
                blocked_countries: vec![408, 364, 760, 192],
                country_caps: vec![],
                max_holders: 2_000,
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
    calls.push(call(
        issuer,
        Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceAgent(SetComplianceAgent {
            asset: bond,
            agent: issuer,
            enabled: true,
        })),
    ));
    cfg.genesis.calls = calls;
}
