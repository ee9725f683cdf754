//! Invariants under random operations: supply is conserved, no identity passes a cap, frozen
//! units move only by forced transfer, and `canTransfer` agrees with enforcement.

use crate::{
    AmountEntry, CountryCap, ForcedEntry, ForcedTransfers, FreezeAmounts, RecoverWallets, SetComplianceRules,
    WalletRecovery,
};
use pillar_assets::{Burn, Mint, Transfer};
use proptest::prelude::*;

use crate::{COUNTRY_HOLDERS, FROZEN_AMOUNTS, HOLDERS, POSITIONS, testkit::*};

const MAX_BALANCE: u128 = 60;
const MAX_HOLDERS: u32 = 3;
const FR_CAP: u32 = 2;
/// Wallets that may hold units (7 is never registered).
const WALLETS: u8 = 8;

#[derive(Debug, Clone)]
enum Op {
    Transfer(u8, u8, u128),
    Mint(u8, u128),
    Burn(u128),
    Forced(u8, u8, u128),
    Freeze(u8, u128, bool),
    Recover(u8),
    Tick(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let w = 0u8..WALLETS;
    prop_oneof![
        // Mostly registered senders and small amounts, so that many transfers go through.
        6 => (0u8..6, w.clone(), 1u128..15).prop_map(|(f, t, a)| Op::Transfer(f, t, a)),
        3 => (w.clone(), 1u128..30).prop_map(|(t, a)| Op::Mint(t, a)),
        1 => (1u128..20).prop_map(Op::Burn),
        1 => (w.clone(), w.clone(), 1u128..40).prop_map(|(f, t, a)| Op::Forced(f, t, a)),
        1 => (w.clone(), 1u128..20, any::<bool>()).prop_map(|(x, a, f)| Op::Freeze(x, a, f)),
        1 => (1u8..6).prop_map(Op::Recover),
        2 => (0u64..40).prop_map(Op::Tick),
    ]
}

fn rules() -> SetComplianceRules {
    SetComplianceRules {
        max_balance: MAX_BALANCE,
        max_holders: MAX_HOLDERS,
        country_caps: vec![CountryCap { country: FR as u16, max_holders: FR_CAP }],
        lockup_ms: 10,
        limit_window_ms: 50,
        limit_amount: 20,
        ..open_rules()
    }
}

fn call(op: &Op) -> Option<(u8, Call)> {
    use pillar_primitives::Address;
    let a = |w: u8| -> Address { addr(w) };
    Some(match *op {
        Op::Transfer(f, t, amount) => {
            (f, Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: a(t), asset: BOND, amount })))
        }
        Op::Mint(t, amount) => {
            (0, Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: BOND, to: a(t), amount })))
        }
        Op::Burn(amount) => (0, Call::Assets(pillar_assets::AssetsCall::Burn(Burn { asset: BOND, amount }))),
        Op::Forced(f, t, amount) => (
            0,
            Call::Compliance(crate::ComplianceCall::ForcedTransfers(ForcedTransfers {
                asset: BOND,
                entries: vec![ForcedEntry { from: a(f), to: a(t), amount }],
            })),
        ),
        Op::Freeze(w, amount, frozen) => (
            0,
            Call::Compliance(crate::ComplianceCall::FreezeAmounts(FreezeAmounts {
                asset: BOND,
                entries: vec![AmountEntry { wallet: a(w), amount }],
                frozen,
            })),
        ),
        Op::Recover(lost) => (
            0,
            Call::Compliance(crate::ComplianceCall::RecoverWallets(RecoverWallets {
                asset: BOND,
                entries: vec![WalletRecovery { lost_wallet: a(lost), new_wallet: a(6) }],
            })),
        ),
        Op::Tick(_) => return None,
    })
}

fn frozen_of(c: &Chain) -> Vec<u128> {
    (0..WALLETS).map(|w| FROZEN_AMOUNTS.get(&c.state, &(BOND, addr(w))).unwrap().unwrap_or(0)).collect()
}

fn check_invariants(c: &Chain) -> Result<(), TestCaseError> {
    let balances: Vec<u128> = (0..WALLETS).map(|w| c.bal(w, BOND)).collect();
    prop_assert_eq!(balances.iter().sum::<u128>(), c.supply(BOND), "supply equals the sum of balances");
    // Positions equal the sum over each identity's wallets, and stay under every cap.
    let mut by_identity = std::collections::BTreeMap::<u64, u128>::new();
    for w in 0..WALLETS {
        match c.identity(w) {
            Some(id) => *by_identity.entry(id).or_default() += balances[w as usize],
            None => prop_assert_eq!(balances[w as usize], 0, "unregistered wallet {} holds units", w),
        }
    }
    let mut holders = 0;
    let mut fr = 0;
    for (id, total) in &by_identity {
        let pos = POSITIONS.get(&c.state, &(BOND, *id)).unwrap();
        prop_assert_eq!(pos.map(|p| p.balance).unwrap_or(0), *total, "position of identity {}", id);
        prop_assert!(*total <= MAX_BALANCE, "identity {} holds {}", id, total);
        if *total > 0 {
            holders += 1;
            fr += u32::from(pos.is_some_and(|p| u64::from(p.country) == FR));
        }
    }
    prop_assert_eq!(HOLDERS.get(&c.state, &BOND).unwrap().unwrap_or(0), holders);
    prop_assert!(holders <= MAX_HOLDERS);
    prop_assert_eq!(COUNTRY_HOLDERS.get(&c.state, &(BOND, FR as u16)).unwrap().unwrap_or(0), fr);
    prop_assert!(fr <= FR_CAP);
    for (w, f) in frozen_of(c).into_iter().enumerate() {
        prop_assert!(f <= balances[w], "wallet {} has {} frozen of {}", w, f, balances[w]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn invariants_hold_under_random_operations(ops in proptest::collection::vec(op(), 1..60)) {
        let mut c = Chain::with_rules(rules());
        for op in ops {
            if let Op::Tick(ms) = op {
                c.now += ms;
                continue;
            }
            let Some((signer, call)) = call(&op) else { continue };
            let frozen_before = frozen_of(&c);
            let predicted = match op {
                Op::Transfer(f, t, amount) => Some(c.can_transfer(f, t, amount)),
                _ => None,
            };
            let receipt = c.run(signer, call);
            if let Some(code) = predicted {
                // canTransfer agrees with enforcement, down to the reason code.
                let expected = (code != 0).then_some(3100 + u32::from(code));
                prop_assert_eq!(receipt.failure_code(), expected, "{:?}", op);
            }
            if !matches!(op, Op::Forced(..) | Op::Recover(_) | Op::Freeze(..)) {
                // Frozen units never move except by forced transfer (or with their wallet on recovery).
                for w in 0..WALLETS {
                    prop_assert!(c.bal(w, BOND) >= frozen_before[w as usize], "{:?} moved frozen units of {}", op, w);
                }
            }
            check_invariants(&c)?;
        }
    }
}
