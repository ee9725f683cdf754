//! Ready-made chain configs.

use pillar_primitives::{Address, PrivateKey};
use pillar_runtime::{Genesis, GenesisAccount, GenesisAsset, GenesisBalance};

use crate::{ChainConfig, DevKey, RpcSection, SequencerSection, StorageSection, config::ChainSection};

/// Preset names `pillar init` accepts.
pub const PRESETS: &[&str] = &["basic"];

/// 1,000 ETH in wei.
const DEV_ETH: u128 = 1_000 * 10u128.pow(18);

/// A fresh config for `name`, funding `dev_keys` (their secrets go into the config) with ETH and
/// a demo token. `None` if the preset is unknown.
pub fn preset(name: &str, chain_id: u64, dev_keys: &[PrivateKey]) -> Option<ChainConfig> {
    match name {
        "basic" => Some(basic(chain_id, dev_keys)),
        _ => None,
    }
}

fn basic(chain_id: u64, dev_keys: &[PrivateKey]) -> ChainConfig {
    let admin = dev_keys.first().map(PrivateKey::address).unwrap_or(Address::ZERO);
    ChainConfig {
        chain: ChainSection {
            chain_id,
            name: format!("pillar-{chain_id}"),
            preset: "basic".into(),
            modules: vec!["accounts".into(), "assets".into(), "bridge".into()],
        },
        sequencer: SequencerSection::default(),
        rpc: RpcSection::default(),
        storage: StorageSection::default(),
        genesis: Genesis {
            timestamp_ms: 0,
            // 0.00001 ETH per transaction, paid to the first dev key (the operator).
            tx_fee: 10_000_000_000_000,
            fee_recipient: admin,
            assets: vec![GenesisAsset {
                name: "Pillar USD".into(),
                symbol: "PUSD".into(),
                decimals: 6,
                admin,
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
        },
        dev_keys: dev_keys.iter().map(|k| DevKey { address: k.address(), private_key: k.to_hex() }).collect(),
        l1: None,
    }
}
