//! Invariants over random sequences: a session never spends above its caps, a revoked or
//! expired session never authorizes, a sponsor's budget never goes below zero (and what it paid
//! plus what is left is what it was given).

#![allow(clippy::unwrap_used)]

use crate::testkit::Call;
use proptest::prelude::*;

use crate::{RevokeSession, SetSponsorPolicy};

use crate::testkit::{Chain, FEE, addr, ed, scope, transfer};

#[derive(Debug, Clone)]
enum Step {
    Send { amount: u128, sponsored: bool },
    Wait { ms: u64 },
    Revoke,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1u128..120, any::<bool>()).prop_map(|(amount, sponsored)| Step::Send { amount, sponsored }),
        2 => (0u64..1_500).prop_map(|ms| Step::Wait { ms }),
        1 => Just(Step::Revoke),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sessions_stay_within_scope_and_sponsors_within_budget(
        total in 0u128..600,
        per_window in 0u128..200,
        max_txs in 0u32..4,
        budget in 0u128..80,
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let mut c = Chain::new();
        let s = ed(1);
        c.ok(7, Call::Sessions(crate::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
            budget, calls: 1, window_ms: 0, max_txs_per_user: 0,
        })));
        c.ok(0, scope(&s, total, per_window, 1_000, max_txs));
        let expires = 100_000u64;
        let mut revoked = false;
        let mut spent = 0u128;
        // (window start, spent in window, txs in window), as the rules define windows.
        let mut window: Option<(u64, u128, u32)> = None;
        for st in steps {
            match st {
                Step::Wait { ms } => c.advance(ms),
                Step::Revoke => {
                    c.ok(0, Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: s.public_key() })));
                    revoked = true;
                }
                Step::Send { amount, sponsored } => {
                    let now = c.now;
                    let game_before = c.bal(7);
                    let r = c.session(&s, 0, sponsored.then_some(7), transfer(1, amount));
                    let cost = if sponsored { amount } else { amount + FEE };
                    match r {
                        Ok(receipt) => {
                            prop_assert!(!revoked && now < expires, "a revoked or expired session authorized");
                            prop_assert!(receipt.is_success());
                            spent += cost;
                            let w = match window {
                                Some((start, ws, n)) if now < start + 1_000 => (start, ws + cost, n + 1),
                                _ => (now, cost, 1),
                            };
                            window = Some(w);
                            prop_assert!(spent <= total, "total cap exceeded");
                            prop_assert!(w.1 <= per_window, "window cap exceeded");
                            prop_assert!(max_txs == 0 || w.2 <= max_txs, "rate exceeded");
                            if sponsored {
                                prop_assert_eq!(c.bal(7), game_before - FEE);
                            }
                        }
                        Err(code) => prop_assert!((4001..4100).contains(&code)),
                    }
                }
            }
            let q = c.query("sponsor", serde_json::json!({"sponsor": addr(7)}));
            let left: u128 = q["budget"].as_str().unwrap().parse().unwrap();
            let paid: u128 = q["paid"].as_str().unwrap().parse().unwrap();
            prop_assert_eq!(left + paid, budget, "budget accounting");
        }
    }
}

fn usage() -> impl Strategy<Value = crate::CapUsage> {
    (any::<u32>(), any::<u128>(), any::<u128>(), any::<u128>(), any::<u128>()).prop_map(
        |(asset, total, per_window, spent, window_spent)| crate::CapUsage {
            asset,
            total,
            per_window,
            spent,
            window_spent,
        },
    )
}

proptest! {
    /// The stored records survive borsh (the state's encoding).
    #[test]
    fn stored_records_round_trip(
        seed in any::<[u8; 32]>(),
        nums in (any::<u64>(), any::<u64>(), any::<u64>(), any::<u32>(), any::<bool>(), any::<u64>(), any::<u32>(), any::<u64>()),
        caps in prop::collection::vec(usage(), 0..8),
        policy in (any::<u128>(), any::<u64>(), any::<u64>(), any::<u32>(), any::<u128>()),
        window in (any::<u64>(), any::<u32>()),
    ) {
        let (calls, expires_ms, window_ms, max_txs, revoked, window_start_ms, window_txs, total_txs) = nums;
        let s = crate::Session {
            key: pillar_primitives::SessionKey::Ed25519(seed),
            calls, expires_ms, window_ms, max_txs, caps, revoked, window_start_ms, window_txs, total_txs,
        };
        let bytes = borsh::to_vec(&s).unwrap();
        prop_assert_eq!(borsh::from_slice::<crate::Session>(&bytes).unwrap(), s);
        let (budget, calls, window_ms, max_txs_per_user, paid) = policy;
        let p = crate::SponsorPolicy { budget, calls, window_ms, max_txs_per_user, paid };
        let bytes = borsh::to_vec(&p).unwrap();
        prop_assert_eq!(borsh::from_slice::<crate::SponsorPolicy>(&bytes).unwrap(), p);
        let w = crate::UserWindow { start_ms: window.0, txs: window.1 };
        prop_assert_eq!(borsh::from_slice::<crate::UserWindow>(&borsh::to_vec(&w).unwrap()).unwrap(), w);
    }
}
