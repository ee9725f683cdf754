//! Assets behaviour through the real runtime (accounts + assets) on in-memory state.

use std::sync::Arc;

use crate::{AssetRole, Burn, CreateAsset, Mint, SetAssetRole, Transfer};
use pillar_accounts::Accounts;
use pillar_runtime::testkit::{TestChain, key};
use pillar_runtime::{Genesis, GenesisAccount, GenesisAsset, GenesisBalance, Invalid, Runtime};
use proptest::prelude::*;

use super::*;

pillar_runtime::compose! {
    /// The test chain's calls.
    enum Call;
    /// The test chain's events.
    enum Event;
    /// The test chain's modules.
    const MODULES;
    { Accounts => Accounts, Assets => crate::Assets }
}

const CHAIN: u64 = 7;
const FEE: u128 = 10;

pillar_runtime::test_chain! {
    /// The assets chain: the shared test chain plus the module's helpers.
    struct Chain(Call, Event);
}

impl Chain {
    fn new() -> Self {
        let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets)]);
        let genesis = Genesis {
            timestamp_ms: 0,
            tx_fee: FEE,
            fee_recipient: key(9).address(),
            assets: vec![GenesisAsset {
                name: "Gold".into(),
                symbol: "GLD".into(),
                decimals: 2,
                admin: key(0).address(),
                max_supply: Some(1_000_000),
            }],
            accounts: (0..4)
                .map(|i| GenesisAccount {
                    address: key(i).address(),
                    eth: 1_000_000,
                    tokens: vec![GenesisBalance { asset: 1, amount: 1000 }],
                })
                .collect(),
            calls: vec![],
        };
        Self(TestChain::new(rt, &genesis, FEE))
    }

    fn bal(&self, i: u8, asset: u32) -> u128 {
        balance(&self.state, key(i).address(), asset).unwrap()
    }

    fn supply(&self, asset: u32) -> u128 {
        ASSETS.get(&self.state, &asset).unwrap().unwrap().total_supply
    }
}

#[test]
fn transfer_moves_funds_and_charges_fee() {
    let mut c = Chain::new();
    let r = c
        .run(
            0,
            Call::Assets(crate::AssetsCall::Transfer(Transfer {
                to: key(1).address(),
                asset: 0,
                amount: 500,
            })),
        )
        .unwrap();
    assert!(r.is_success());
    assert_eq!(r.fee_paid, FEE);
    assert_eq!(c.bal(0, 0), 1_000_000 - 500 - FEE);
    assert_eq!(c.bal(1, 0), 1_000_000 + 500);
    assert_eq!(c.bal(9, 0), FEE, "fee recipient credited at end of block");
    assert_eq!(c.supply(0), 4_000_000, "fees move ETH, they do not burn it");
}

#[test]
fn native_transfer_writes_one_account_record_per_party() {
    use pillar_accounts::{ACCOUNTS, Account, account};
    let mut c = Chain::new();
    let (from, to, fee_to) = (key(0).address(), key(1).address(), key(9).address());
    c.run(0, Call::Assets(crate::AssetsCall::Transfer(Transfer { to, asset: 0, amount: 500 }))).unwrap();
    // Nonce, fee and amount of the sender are one leaf: three keys in all, not four.
    let expected: std::collections::HashSet<_> = [from, to, fee_to].iter().map(|a| ACCOUNTS.key(a)).collect();
    assert_eq!(c.last_writes, expected);
    assert_eq!(account(&c.state, &from).unwrap(), Account { nonce: 1, balance: 1_000_000 - 500 - FEE });
    assert_eq!(account(&c.state, &to).unwrap(), Account { nonce: 0, balance: 1_000_000 + 500 });
    // An issuer-asset transfer writes its two balances and the sender's record (nonce and fee).
    c.run(
        1,
        Call::Assets(crate::AssetsCall::Transfer(Transfer { to: key(2).address(), asset: 1, amount: 5 })),
    )
    .unwrap();
    assert_eq!(c.last_writes.len(), 4, "sender record, fee recipient record, two token balances");
    assert!(c.last_writes.contains(&ACCOUNTS.key(&key(1).address())));
}

#[test]
fn emptied_account_record_is_deleted() {
    use pillar_accounts::{ACCOUNTS, Account, set_native_balance};
    let mut state = pillar_state::MemoryState::default();
    let who = key(5).address();
    set_native_balance(&mut state, &who, 7).unwrap();
    assert_eq!(ACCOUNTS.get(&state, &who).unwrap(), Some(Account { nonce: 0, balance: 7 }));
    set_native_balance(&mut state, &who, 0).unwrap();
    assert_eq!(ACCOUNTS.get(&state, &who).unwrap(), None, "no zero leaf for an untouched account");
}

#[test]
fn failed_call_reverts_but_consumes_nonce_and_fee() {
    let mut c = Chain::new();
    let r = c
        .run(
            0,
            Call::Assets(crate::AssetsCall::Transfer(Transfer {
                to: key(1).address(),
                asset: 1,
                amount: 5000,
            })),
        )
        .unwrap();
    assert_eq!(r.failure_code(), Some(1001));
    assert_eq!(c.bal(0, 1), 1000);
    assert_eq!(c.bal(0, 0), 1_000_000 - FEE);
    assert_eq!(pillar_accounts::nonce(&c.state, &key(0).address()).unwrap(), 1);
    assert_eq!(r.events.len(), 1, "only the fee event survives a revert");
    // Unknown asset.
    let r = c
        .run(
            0,
            Call::Assets(crate::AssetsCall::Transfer(Transfer {
                to: key(1).address(),
                asset: 77,
                amount: 1,
            })),
        )
        .unwrap();
    assert_eq!(r.failure_code(), Some(1002));
}

#[test]
fn roles_mint_burn_and_caps() {
    let mut c = Chain::new();
    let mint = |to: u8, amount| {
        Call::Assets(crate::AssetsCall::Mint(Mint { asset: 1, to: key(to).address(), amount }))
    };
    // Not a minter.
    assert_eq!(c.run(1, mint(1, 5)).unwrap().failure_code(), Some(1003));
    // Admin mints.
    assert!(c.run(0, mint(1, 5)).unwrap().is_success());
    assert_eq!(c.bal(1, 1), 1005);
    assert_eq!(c.supply(1), 4005);
    // Cap.
    assert_eq!(c.run(0, mint(1, 1_000_000)).unwrap().failure_code(), Some(1004));
    // Grant minter to 1, then 1 can mint.
    let grant = Call::Assets(crate::AssetsCall::SetAssetRole(SetAssetRole {
        asset: 1,
        role: AssetRole::Minter,
        account: key(1).address(),
        enabled: true,
    }));
    assert!(c.run(0, grant).unwrap().is_success());
    assert!(c.run(1, mint(2, 1)).unwrap().is_success());
    // Burn needs the burner role; admin has it.
    assert_eq!(
        c.run(1, Call::Assets(crate::AssetsCall::Burn(Burn { asset: 1, amount: 1 }))).unwrap().failure_code(),
        Some(1003)
    );
    assert!(
        c.run(0, Call::Assets(crate::AssetsCall::Burn(Burn { asset: 1, amount: 400 }))).unwrap().is_success()
    );
    assert_eq!(c.bal(0, 1), 600);
    assert_eq!(c.supply(1), 4006 - 400);
    // Native ETH has no roles.
    assert_eq!(
        c.run(0, Call::Assets(crate::AssetsCall::Mint(Mint { asset: 0, to: key(0).address(), amount: 1 })))
            .unwrap()
            .failure_code(),
        Some(1006)
    );
}

#[test]
fn create_asset_numbers_from_next_id() {
    let mut c = Chain::new();
    let r = c
        .run(
            2,
            Call::Assets(crate::AssetsCall::CreateAsset(CreateAsset {
                name: "Silver".into(),
                symbol: "SLV".into(),
                decimals: 6,
                max_supply: u128::MAX,
            })),
        )
        .unwrap();
    assert!(r.is_success());
    assert!(matches!(r.events[1], Event::Assets(crate::AssetsEvent::AssetCreated { asset: 2, .. })));
    assert!(
        c.run(
            2,
            Call::Assets(crate::AssetsCall::Mint(Mint { asset: 2, to: key(2).address(), amount: u128::MAX }))
        )
        .unwrap()
        .is_success()
    );
    // Overflowing the recipient's balance fails cleanly.
    assert_eq!(
        c.run(2, Call::Assets(crate::AssetsCall::Mint(Mint { asset: 2, to: key(2).address(), amount: 1 })))
            .unwrap()
            .failure_code(),
        Some(1005)
    );
}

#[test]
fn invalid_transactions_have_no_effect() {
    let mut c = Chain::new();
    let before = c.bal(3, 0);
    let err = c.run(
        3,
        Call::Assets(crate::AssetsCall::Transfer(Transfer { to: key(1).address(), asset: 0, amount: 1 })),
    );
    assert!(err.is_ok());
    // Drain so the fee cannot be paid.
    let all = c.bal(3, 0) - FEE;
    assert!(
        c.run(
            3,
            Call::Assets(crate::AssetsCall::Transfer(Transfer {
                to: key(1).address(),
                asset: 0,
                amount: all
            }))
        )
        .unwrap()
        .is_success()
    );
    assert_eq!(c.bal(3, 0), 0);
    let err = c
        .run(
            3,
            Call::Assets(crate::AssetsCall::Transfer(Transfer { to: key(1).address(), asset: 0, amount: 1 })),
        )
        .unwrap_err();
    assert!(matches!(err, Invalid::InsufficientBalance { asset: 0, .. }));
    assert_eq!(pillar_accounts::nonce(&c.state, &key(3).address()).unwrap(), 2);
    assert!(before > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever sequence of calls runs, supply equals the sum of balances for every asset and
    /// no balance is created or destroyed except by mint and burn.
    #[test]
    fn supply_is_conserved(ops in proptest::collection::vec((0u8..4, 0u8..4, 0u32..3, 0u128..3000, 0u8..4), 1..40)) {
        let mut c = Chain::new();
        for (from, to, asset, amount, kind) in ops {
            let call = match kind {
                0 | 1 => Call::Assets(crate::AssetsCall::Transfer(Transfer { to: key(to).address(), asset, amount: amount.max(1) })),
                2 => Call::Assets(crate::AssetsCall::Mint(Mint { asset, to: key(to).address(), amount: amount.max(1) })),
                _ => Call::Assets(crate::AssetsCall::Burn(Burn { asset, amount: amount.max(1) })),
            };
            let _ = c.run(from, call);
        }
        for asset in [0u32, 1] {
            let holders: u128 = (0..10).map(|i| c.bal(i, asset)).sum();
            prop_assert_eq!(holders, c.supply(asset));
        }
    }
}
