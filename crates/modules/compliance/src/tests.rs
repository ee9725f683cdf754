//! Compliance behaviour through the real runtime: identity registry, each rule, each agent
//! control, the forced-inclusion path and the audit trail.

use crate::{
    AddClaim, AmountEntry, ClaimRequirement, CountryCap, ForcedEntry, ForcedTransfers, FreezeAmounts,
    FreezeWallets, LinkWallet, MAX_BATCH, RecoverWallets, RegisterIdentity, RemoveClaim, SetComplianceAgent,
    SetComplianceRules, SetPaused, SetSanctions, TOPIC_KYC, WalletRecovery,
};
use pillar_assets::{Mint, Transfer};
use pillar_primitives::CallSet;

use crate::testkit::*;

fn transfer(to: u8, amount: u128) -> Call {
    Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: addr(to), asset: BOND, amount }))
}

fn mint(to: u8, amount: u128) -> Call {
    Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: BOND, to: addr(to), amount }))
}

fn forced(from: u8, to: u8, amount: u128) -> Call {
    Call::Compliance(crate::ComplianceCall::ForcedTransfers(ForcedTransfers {
        asset: BOND,
        entries: vec![ForcedEntry { from: addr(from), to: addr(to), amount }],
    }))
}

fn freeze(wallet: u8, amount: u128, frozen: bool) -> Call {
    Call::Compliance(crate::ComplianceCall::FreezeAmounts(FreezeAmounts {
        asset: BOND,
        entries: vec![AmountEntry { wallet: addr(wallet), amount }],
        frozen,
    }))
}

/// Checks that `canTransfer` predicts `code` and a Transfer then fails with `3100 + code`.
fn refused(c: &mut Chain, from: u8, to: u8, amount: u128, code: u8) {
    assert_eq!(c.can_transfer(from, to, amount), code, "prediction for {from} -> {to}");
    assert_eq!(c.fails(from, transfer(to, amount)), 3100 + u32::from(code));
}

fn allowed(c: &mut Chain, from: u8, to: u8, amount: u128) {
    assert_eq!(c.can_transfer(from, to, amount), 0, "prediction for {from} -> {to}");
    c.ok(from, transfer(to, amount));
}

#[test]
fn assets_without_rules_are_untouched() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: FREE, to: addr(6), amount: 10 })));
    let r = c.ok(
        6,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: addr(7), asset: FREE, amount: 4 })),
    );
    assert!(
        !r.events
            .iter()
            .any(|e| matches!(e, Event::Compliance(crate::ComplianceEvent::ComplianceApproved { .. })))
    );
    assert_eq!(c.bal(7, FREE), 4);
}

#[test]
fn binding_rules_needs_the_admin_and_no_supply() {
    let mut c = Chain::bare();
    assert_eq!(
        c.fails(3, Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(open_rules())))),
        3009
    );
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(SetComplianceRules {
                asset: 0,
                ..open_rules()
            })))
        ),
        3013
    );
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(SetComplianceRules {
                asset: 9,
                ..open_rules()
            })))
        ),
        3012
    );
    c.ok(0, Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: FREE, to: addr(0), amount: 1 })));
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(SetComplianceRules {
                asset: FREE,
                ..open_rules()
            })))
        ),
        3014
    );
    let r = c.ok(0, Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(open_rules()))));
    assert!(r.events.iter().any(|e| matches!(
        e,
        Event::Compliance(crate::ComplianceEvent::ComplianceRulesSet { asset: BOND, .. })
    )));
    // Updating is fine; moving to another registry is not.
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(SetComplianceRules {
            max_holders: 5,
            ..open_rules()
        }))),
    );
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::SetComplianceRules(Box::new(SetComplianceRules {
                registry: addr(3),
                ..open_rules()
            })))
        ),
        3015
    );
    // Agent controls need rules and an agent.
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::SetPaused(SetPaused {
                assets: vec![FREE],
                paused: true
            }))
        ),
        3011
    );
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::SetPaused(SetPaused {
                assets: vec![BOND],
                paused: true
            }))
        ),
        3010
    );
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetComplianceAgent(SetComplianceAgent {
            asset: BOND,
            agent: addr(7),
            enabled: true,
        })),
    );
    c.ok(
        7,
        Call::Compliance(crate::ComplianceCall::SetPaused(SetPaused { assets: vec![BOND], paused: true })),
    );
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::SetComplianceAgent(SetComplianceAgent {
                asset: BOND,
                agent: addr(6),
                enabled: true
            }))
        ),
        3009
    );
}

#[test]
fn registry_agents_issuers_and_wallet_links() {
    let mut c = Chain::with_rules(open_rules());
    let id = c.identity(3).unwrap();
    // Only the registry's owner or agents register and link.
    assert_eq!(
        c.fails(
            3,
            Call::Compliance(crate::ComplianceCall::RegisterIdentity(RegisterIdentity {
                registry: addr(0),
                wallet: addr(6)
            }))
        ),
        3001
    );
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::RegisterIdentity(RegisterIdentity {
                registry: addr(0),
                wallet: addr(3)
            }))
        ),
        3004
    );
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetRegistryAgent(crate::SetRegistryAgent {
            agent: addr(7),
            enabled: true,
        })),
    );
    c.ok(
        7,
        Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
            identity: id,
            wallet: addr(6),
            linked: true,
        })),
    );
    assert_eq!(c.identity(6), Some(id));
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
                identity: 999,
                wallet: addr(6),
                linked: true
            }))
        ),
        3003
    );
    // Only trusted issuers add claims; issuers, trusted issuers and agents remove them.
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::AddClaim(AddClaim {
                identity: id,
                topic: TOPIC_KYC,
                value: 9,
                expires_ms: 0
            }))
        ),
        3002
    );
    assert_eq!(
        c.fails(
            3,
            Call::Compliance(crate::ComplianceCall::RemoveClaim(RemoveClaim {
                identity: id,
                topic: TOPIC_KYC
            }))
        ),
        3002
    );
    assert_eq!(
        c.fails(
            0,
            Call::Compliance(crate::ComplianceCall::RemoveClaim(RemoveClaim { identity: id, topic: 9 }))
        ),
        3008
    );
    // A wallet that holds a compliant asset stays linked until its units leave.
    c.ok(0, mint(6, 5));
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
                identity: id,
                wallet: addr(6),
                linked: false
            }))
        ),
        3006
    );
    c.ok(6, transfer(3, 5));
    let r = c.ok(
        7,
        Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
            identity: id,
            wallet: addr(6),
            linked: false,
        })),
    );
    assert!(
        r.events.iter().any(|e| matches!(
            e,
            Event::Compliance(crate::ComplianceEvent::WalletLinked { linked: false, .. })
        ))
    );
    assert_eq!(c.identity(6), None);
    assert_eq!(
        c.fails(
            7,
            Call::Compliance(crate::ComplianceCall::LinkWallet(LinkWallet {
                identity: id,
                wallet: addr(6),
                linked: false
            }))
        ),
        3005
    );
}

#[test]
fn recipients_must_be_registered_verified_and_from_allowed_countries() {
    let rules = SetComplianceRules {
        blocked_countries: vec![US as u16],
        required_claims: vec![ClaimRequirement { topic: TOPIC_KYC, min_value: 2 }],
        ..open_rules()
    };
    let mut c = Chain::with_rules(rules);
    assert_eq!(c.fails(0, mint(6, 1)), 3108);
    assert_eq!(c.fails(0, mint(5, 1)), 3114);
    c.ok(0, mint(3, 10));
    refused(&mut c, 3, 6, 1, 8);
    refused(&mut c, 3, 5, 1, 14);
    // Claim too low, then expired, then from an issuer no longer trusted.
    let id4 = c.identity(4).unwrap();
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::AddClaim(AddClaim {
            identity: id4,
            topic: TOPIC_KYC,
            value: 1,
            expires_ms: 0,
        })),
    );
    refused(&mut c, 3, 4, 1, 12);
    let expires_ms = c.now + 10;
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::AddClaim(AddClaim {
            identity: id4,
            topic: TOPIC_KYC,
            value: 3,
            expires_ms,
        })),
    );
    allowed(&mut c, 3, 4, 1);
    c.now += 10;
    refused(&mut c, 3, 4, 1, 12);
    refused(&mut c, 4, 3, 1, 11);
    // Allow list: only DE.
    let mut c = Chain::with_rules(SetComplianceRules { allowed_countries: vec![DE as u16], ..open_rules() });
    assert_eq!(c.fails(0, mint(3, 1)), 3113);
    c.ok(0, mint(4, 1));
    let _ = FR;
}

#[test]
fn minted_units_are_locked_up() {
    let mut c = Chain::with_rules(SetComplianceRules { lockup_ms: 100, ..open_rules() });
    c.ok(0, mint(3, 10));
    c.now += 50;
    c.ok(0, mint(3, 5));
    refused(&mut c, 3, 4, 1, 6);
    c.now += 50;
    allowed(&mut c, 3, 4, 10);
    refused(&mut c, 3, 4, 1, 6);
    c.now += 50;
    allowed(&mut c, 3, 4, 5);
}

#[test]
fn caps_on_balance_holders_and_countries() {
    let rules = SetComplianceRules {
        max_balance: 100,
        max_holders: 3,
        country_caps: vec![
            CountryCap { country: FR as u16, max_holders: 2 },
            CountryCap { country: DE as u16, max_holders: 9 },
            CountryCap { country: US as u16, max_holders: 9 },
        ],
        ..open_rules()
    };
    let mut c = Chain::with_rules(rules);
    c.ok(0, mint(0, 100));
    assert_eq!(c.fails(0, mint(0, 1)), 3115);
    // Wallets 1 and 2 are one identity: its cap spans both.
    allowed(&mut c, 0, 1, 60);
    assert_eq!(c.fails(0, mint(2, 41)), 3115);
    refused(&mut c, 0, 2, 41, 4);
    allowed(&mut c, 0, 2, 40);
    // 0's identity left when it sent its last unit: holders {1/2}, FR 1.
    assert_eq!(crate::HOLDERS.get(&c.state, &BOND).unwrap(), Some(1));
    c.ok(0, mint(3, 10));
    assert_eq!(c.fails(0, mint(0, 1)), 3117, "a third FR holder");
    c.ok(0, mint(4, 1));
    assert_eq!(c.fails(0, mint(5, 1)), 3116, "a fourth holder");
    // A holder leaving in the same move frees its place, in the count and in its country.
    allowed(&mut c, 3, 0, 10);
    allowed(&mut c, 4, 5, 1);
    assert_eq!(crate::HOLDERS.get(&c.state, &BOND).unwrap(), Some(3));
    assert_eq!(crate::COUNTRY_HOLDERS.get(&c.state, &(BOND, FR as u16)).unwrap(), Some(2));
    assert_eq!(crate::COUNTRY_HOLDERS.get(&c.state, &(BOND, DE as u16)).unwrap(), None);
}

#[test]
fn rolling_transfer_limit_counts_per_identity() {
    let mut c =
        Chain::with_rules(SetComplianceRules { limit_window_ms: 100, limit_amount: 10, ..open_rules() });
    c.ok(0, mint(1, 50));
    c.ok(0, mint(2, 50));
    allowed(&mut c, 1, 3, 6);
    // Wallet 2 is the same identity: the window is shared.
    refused(&mut c, 2, 3, 5, 18);
    allowed(&mut c, 2, 3, 4);
    // Moving between one's own wallets is not a transfer to another investor.
    allowed(&mut c, 1, 2, 20);
    c.now += 100;
    allowed(&mut c, 2, 3, 10);
}

#[test]
fn sanctions_pause_and_wallet_freeze() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, mint(3, 10));
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetSanctions(SetSanctions {
            registry: addr(0),
            wallets: vec![addr(4)],
            identities: vec![],
            sanctioned: true,
        })),
    );
    refused(&mut c, 3, 4, 1, 10);
    let id3 = c.identity(3).unwrap();
    let r = c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetSanctions(SetSanctions {
            registry: addr(0),
            wallets: vec![],
            identities: vec![id3],
            sanctioned: true,
        })),
    );
    assert!(
        r.events.iter().any(|e| matches!(e, Event::Compliance(crate::ComplianceEvent::SanctionChanged { identity, .. }) if *identity == id3))
    );
    refused(&mut c, 3, 5, 1, 9);
    assert_eq!(
        c.fails(
            3,
            Call::Compliance(crate::ComplianceCall::SetSanctions(SetSanctions {
                registry: addr(0),
                wallets: vec![addr(3)],
                identities: vec![],
                sanctioned: false
            }))
        ),
        3001
    );
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetSanctions(SetSanctions {
            registry: addr(0),
            wallets: vec![addr(4)],
            identities: vec![id3],
            sanctioned: false,
        })),
    );
    allowed(&mut c, 3, 4, 1);

    let r = c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetPaused(SetPaused { assets: vec![BOND], paused: true })),
    );
    assert!(matches!(
        r.events[1],
        Event::Compliance(crate::ComplianceEvent::AssetPaused { asset: BOND, paused: true, .. })
    ));
    refused(&mut c, 3, 4, 1, 1);
    c.ok(0, mint(3, 1)); // issuance goes on while holder transfers are paused
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetPaused(SetPaused { assets: vec![BOND], paused: false })),
    );

    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
            asset: BOND,
            wallets: vec![addr(3)],
            frozen: true,
        })),
    );
    refused(&mut c, 3, 4, 1, 2);
    refused(&mut c, 4, 3, 1, 3);
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
            asset: BOND,
            wallets: vec![addr(3)],
            frozen: false,
        })),
    );
    allowed(&mut c, 3, 4, 1);
}

#[test]
fn partial_freeze_and_forced_transfer() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, mint(3, 10));
    assert_eq!(c.fails(0, freeze(3, 11, true)), 3016);
    let r = c.ok(0, freeze(3, 7, true));
    assert!(matches!(
        r.events[1],
        Event::Compliance(crate::ComplianceEvent::AmountFrozen { total_frozen: 7, .. })
    ));
    refused(&mut c, 3, 4, 4, 5);
    allowed(&mut c, 3, 4, 3);
    refused(&mut c, 3, 4, 1, 5);
    assert_eq!(c.fails(3, forced(3, 4, 1)), 3010, "only agents force transfers");
    // A forced transfer may take frozen units; it unfreezes what it takes.
    let r = c.ok(0, forced(3, 4, 5));
    assert!(
        r.events.iter().any(|e| matches!(
            e,
            Event::Compliance(crate::ComplianceEvent::ForcedTransfer { unfrozen: 5, .. })
        ))
    );
    assert!(
        r.events
            .iter()
            .any(|e| matches!(e, Event::Assets(pillar_assets::AssetsEvent::Transfer { amount: 5, .. })))
    );
    assert_eq!((c.bal(3, BOND), c.frozen(3)), (2, 2));
    // Recipient rules still bind forced transfers.
    assert_eq!(c.fails(0, forced(3, 6, 1)), 3108);
    assert_eq!(c.fails(0, forced(3, 4, 3)), 3104);
    assert_eq!(c.fails(0, freeze(3, 3, false)), 3017);
    c.ok(0, freeze(3, 2, false));
    allowed(&mut c, 3, 4, 2);
    assert_eq!(c.supply(BOND), 10);
}

#[test]
fn recovery_moves_balance_frozen_part_lockups_and_identity() {
    let mut c = Chain::with_rules(SetComplianceRules { lockup_ms: 100, ..open_rules() });
    c.ok(0, mint(3, 10));
    c.ok(0, freeze(3, 4, true));
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
            asset: BOND,
            wallets: vec![addr(3)],
            frozen: true,
        })),
    );
    let id3 = c.identity(3).unwrap();
    let recover = |lost: u8, new: u8| {
        Call::Compliance(crate::ComplianceCall::RecoverWallets(RecoverWallets {
            asset: BOND,
            entries: vec![WalletRecovery { lost_wallet: addr(lost), new_wallet: addr(new) }],
        }))
    };
    assert_eq!(c.fails(0, recover(3, 4)), 3019, "the new wallet belongs to someone else");
    assert_eq!(c.fails(0, recover(6, 7)), 3018);
    let r = c.ok(0, recover(3, 6));
    assert!(
        r.events.iter().any(|e| matches!(
            e,
            Event::Compliance(crate::ComplianceEvent::WalletRecovered { amount: 10, .. })
        ))
    );
    assert_eq!((c.bal(3, BOND), c.bal(6, BOND), c.frozen(6)), (0, 10, 4));
    assert_eq!((c.identity(3), c.identity(6)), (None, Some(id3)));
    refused(&mut c, 6, 4, 1, 2);
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
            asset: BOND,
            wallets: vec![addr(6)],
            frozen: false,
        })),
    );
    refused(&mut c, 6, 4, 1, 6);
    c.now += 100;
    allowed(&mut c, 6, 4, 6);
    refused(&mut c, 6, 4, 1, 5);
}

#[test]
fn forced_l1_transactions_meet_the_same_rules() {
    let mut c = Chain::with_rules(SetComplianceRules { blocked_countries: vec![US as u16], ..open_rules() });
    c.ok(0, mint(3, 10));
    let r = c.run_forced(3, transfer(5, 1));
    assert_eq!(r.failure_code(), Some(3114));
    assert_eq!(c.bal(5, BOND), 0);
    let r = c.run_forced(3, transfer(4, 1));
    assert!(r.is_success());
    assert!(r.events.iter().any(|e| matches!(
        e,
        Event::Compliance(crate::ComplianceEvent::ComplianceApproved { action: 0, amount: 1, .. })
    )));
}

#[test]
fn batches_are_bounded_and_atomic() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, mint(3, 10));
    let too_many = Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
        asset: BOND,
        wallets: vec![addr(3); MAX_BATCH + 1],
        frozen: true,
    }));
    assert!(too_many.check_shape().is_err());
    let empty = Call::Compliance(crate::ComplianceCall::ForcedTransfers(ForcedTransfers {
        asset: BOND,
        entries: vec![],
    }));
    assert!(empty.check_shape().is_err());
    // The largest batch fits in a transaction.
    let big = Call::Compliance(crate::ComplianceCall::ForcedTransfers(ForcedTransfers {
        asset: BOND,
        entries: vec![ForcedEntry { from: addr(3), to: addr(4), amount: u128::MAX }; MAX_BATCH],
    }));
    let size = key(0)
        .sign(pillar_primitives::Transaction { chain_id: CHAIN, nonce: 0, max_fee: 0, call: big })
        .encode()
        .len();
    assert!(size <= pillar_primitives::MAX_TX_SIZE, "{size} bytes");
    // The second entry fails, so the first does not happen either.
    let batch = Call::Compliance(crate::ComplianceCall::ForcedTransfers(ForcedTransfers {
        asset: BOND,
        entries: vec![
            ForcedEntry { from: addr(3), to: addr(4), amount: 5 },
            ForcedEntry { from: addr(3), to: addr(6), amount: 1 },
        ],
    }));
    assert_eq!(c.fails(0, batch), 3108);
    assert_eq!(c.bal(3, BOND), 10);
}

#[test]
fn burns_respect_frozen_units_and_update_holders() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, mint(0, 10));
    c.ok(0, freeze(0, 8, true));
    assert_eq!(
        c.fails(
            0,
            Call::Assets(pillar_assets::AssetsCall::Burn(pillar_assets::Burn { asset: BOND, amount: 3 }))
        ),
        3105
    );
    c.ok(0, freeze(0, 8, false));
    c.ok(0, Call::Assets(pillar_assets::AssetsCall::Burn(pillar_assets::Burn { asset: BOND, amount: 10 })));
    assert_eq!(crate::HOLDERS.get(&c.state, &BOND).unwrap(), None);
    assert_eq!(c.supply(BOND), 0);
}

#[test]
fn queries_describe_state() {
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, mint(1, 10));
    let q = |c: &Chain, m: &str, p: serde_json::Value| c.rt.query(&c.state, crate::NAME, m, &p).unwrap();
    let id = c.identity(1).unwrap();
    assert_eq!(
        q(&c, "identityOf", serde_json::json!({"registry": addr(0), "wallet": addr(2)})),
        serde_json::json!(id)
    );
    let i = q(&c, "identity", serde_json::json!({"identity": id}));
    assert_eq!(i["info"]["wallets"], 2);
    assert_eq!(i["claims"].as_array().unwrap().len(), 3);
    assert_eq!(q(&c, "position", serde_json::json!({"asset": BOND, "identity": id}))["balance"], "10");
    assert_eq!(q(&c, "rules", serde_json::json!({"asset": BOND}))["holders"], 1);
    let w = q(&c, "wallet", serde_json::json!({"asset": BOND, "wallet": addr(1)}));
    assert_eq!((w["balance"].as_str(), w["identity"].as_u64()), (Some("10"), Some(id)));
    let ct = q(
        &c,
        "canTransfer",
        serde_json::json!({"asset": BOND, "from": addr(1), "to": addr(6), "amount": "1"}),
    );
    assert_eq!((ct["code"].as_u64(), ct["reasonCode"].as_u64()), (Some(8), Some(3108)));
    assert!(c.rt.query(&c.state, crate::NAME, "nope", &serde_json::Value::Null).is_err());
}

#[test]
fn the_mempool_refuses_transfers_the_rules_refuse_with_the_same_code() {
    use pillar_runtime::{Invalid, Refusal, ValidateError};
    let mut c = Chain::with_rules(open_rules());
    c.ok(0, Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: BOND, to: addr(3), amount: 100 })));
    // Key 6 has no identity: refused at the door with the code the receipt would carry.
    let refused = c.screen(3, transfer(6, 10));
    let Err(ValidateError::Invalid(Invalid::Refused(Refusal {
        module: "compliance",
        code,
        kind: "compliance_refused",
        reason,
        ..
    }))) = refused
    else {
        panic!("expected a compliance refusal, got {refused:?}")
    };
    assert_eq!(code, 3100 + u32::from(c.can_transfer(3, 6, 10)));
    assert!(reason.contains("recipient has no identity"), "{reason}");
    // A forced transaction is not screened: it is included and fails with the same code.
    let r = c.run_forced(3, transfer(6, 10));
    assert_eq!(r.failure_code(), Some(code));
    // Allowed transfers, transfers of assets without rules and over-balance ones pass screening
    // (the balance check is the assets module's).
    c.screen(3, transfer(4, 10)).unwrap();
    // (Key 3 holds no FREE yet: the assets module refuses that one.)
    c.screen(
        3,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: addr(6), asset: FREE, amount: 1 })),
    )
    .unwrap_err();
    c.ok(0, Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: FREE, to: addr(3), amount: 5 })));
    c.screen(
        3,
        Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer { to: addr(6), asset: FREE, amount: 1 })),
    )
    .unwrap();
    // A frozen sender is refused at the door too.
    c.ok(
        0,
        Call::Compliance(crate::ComplianceCall::SetComplianceAgent(SetComplianceAgent {
            asset: BOND,
            agent: addr(7),
            enabled: true,
        })),
    );
    c.ok(
        7,
        Call::Compliance(crate::ComplianceCall::FreezeWallets(FreezeWallets {
            asset: BOND,
            wallets: vec![addr(3)],
            frozen: true,
        })),
    );
    assert!(matches!(
        c.screen(3, transfer(4, 10)),
        Err(ValidateError::Invalid(Invalid::Refused(Refusal { kind: "compliance_refused", .. })))
    ));
}
