//! One test per rule: authorization, scope, caps, windows, rate, expiry, revocation, sponsors.

#![allow(clippy::unwrap_used)]

use crate::testkit::{Call, Event};
use crate::{AuthorizeSession, RevokeSession, SetSponsorPolicy, SpendCap};
use pillar_assets::Burn;
use pillar_primitives::{NATIVE_ASSET, SessionSigner};

use crate::testkit::{Chain, FEE, addr, ed, key, scope, transfer};

fn sponsor_policy(budget: u128, window_ms: u64, max_txs_per_user: u32) -> Call {
    Call::Sessions(crate::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
        budget,
        calls: 1,
        window_ms,
        max_txs_per_user,
    }))
}

#[test]
fn authorized_session_signs_for_the_account_and_pays_its_fee_within_the_cap() {
    let mut c = Chain::new();
    let s = ed(1);
    let r = c.ok(0, scope(&s, 1_000, 1_000, 0, 0));
    assert!(matches!(r.events.last(), Some(Event::Sessions(crate::SessionsEvent::SessionAuthorized { .. }))));
    let before = c.bal(0);
    let r = c.session(&s, 0, None, transfer(1, 100)).unwrap();
    assert!(r.is_success());
    assert_eq!(r.sender, addr(0));
    assert_eq!(c.bal(0), before - 100 - FEE);
    // 100 + fee spent of 1,000: the query shows what is left.
    let q = c.query("session", serde_json::json!({"account": addr(0), "key": s.public_key()}));
    assert_eq!(q["remaining"][0]["remaining"], (1_000 - 100 - FEE).to_string());
    assert_eq!(c.query("sessions", serde_json::json!({"account": addr(0)})).as_array().unwrap().len(), 1);
}

#[test]
fn unknown_session_is_refused() {
    let mut c = Chain::new();
    assert_eq!(c.session(&ed(9), 0, None, transfer(1, 1)).unwrap_err(), 4001);
    // A key of another account does not act for this one.
    c.ok(1, scope(&ed(9), 1_000, 0, 0, 0));
    assert_eq!(c.session(&ed(9), 0, None, transfer(1, 1)).unwrap_err(), 4001);
}

#[test]
fn revocation_takes_effect_at_once() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    c.session(&s, 0, None, transfer(1, 1)).unwrap();
    let r =
        c.ok(0, Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: s.public_key() })));
    assert!(matches!(r.events.last(), Some(Event::Sessions(crate::SessionsEvent::SessionRevoked { .. }))));
    assert_eq!(c.session(&s, 0, None, transfer(1, 1)).unwrap_err(), 4002);
    // Revoking an unknown key fails with a receipt.
    assert_eq!(
        c.fails(
            0,
            Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: ed(5).public_key() }))
        ),
        4001
    );
}

#[test]
fn expiry_is_by_block_time() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    c.advance(98_999);
    assert_eq!(c.now, 99_999);
    c.session(&s, 0, None, transfer(1, 1)).unwrap();
    c.advance(1);
    assert_eq!(c.session(&s, 0, None, transfer(1, 1)).unwrap_err(), 4003);
    // Authorizing an already expired session fails.
    let mut late = AuthorizeSession {
        key: ed(2).public_key(),
        calls: 1,
        expires_ms: c.now,
        window_ms: 0,
        max_txs: 0,
        caps: vec![],
    };
    assert_eq!(c.fails(0, Call::Sessions(crate::SessionsCall::AuthorizeSession(late.clone()))), 4009);
    late.expires_ms += 1;
    c.ok(0, Call::Sessions(crate::SessionsCall::AuthorizeSession(late)));
}

#[test]
fn call_kinds_out_of_scope_are_refused() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    assert_eq!(
        c.session(&s, 0, None, Call::Assets(pillar_assets::AssetsCall::Burn(Burn { asset: 0, amount: 1 })))
            .unwrap_err(),
        4004
    );
    // Session management is never in scope, whatever the mask says.
    let revoke = Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: s.public_key() }));
    assert_eq!(c.session(&s, 0, None, revoke).unwrap_err(), 4004);
    let escalate = scope(&ed(2), 1, 1, 0, 0);
    assert_eq!(c.session(&s, 0, None, escalate).unwrap_err(), 4010);
}

#[test]
fn total_cap_counts_amounts_and_fees() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 250, 0, 0, 0));
    c.session(&s, 0, None, transfer(1, 100)).unwrap(); // 110
    c.session(&s, 0, None, transfer(1, 100)).unwrap(); // 220
    assert_eq!(c.session(&s, 0, None, transfer(1, 21)).unwrap_err(), 4005);
    c.session(&s, 0, None, transfer(1, 20)).unwrap(); // 250
    assert_eq!(c.session(&s, 0, None, transfer(1, 1)).unwrap_err(), 4005);
    // An asset without a cap cannot be spent at all.
    let other = Call::Assets(pillar_assets::AssetsCall::Transfer(pillar_assets::Transfer {
        to: addr(1),
        asset: 5,
        amount: 1,
    }));
    let s2 = ed(2);
    c.ok(0, scope(&s2, 1_000, 0, 0, 0));
    assert_eq!(c.session(&s2, 0, None, other).unwrap_err(), 4005);
}

#[test]
fn window_cap_and_rate_reset_with_the_window() {
    let mut c = Chain::new();
    let s = ed(1);
    // 2 transactions and 100 wei per second.
    c.ok(0, scope(&s, 10_000, 100, 1_000, 2));
    c.session(&s, 0, None, transfer(1, 40)).unwrap(); // 50 this window
    assert_eq!(c.session(&s, 0, None, transfer(1, 41)).unwrap_err(), 4006);
    c.session(&s, 0, None, transfer(1, 40)).unwrap(); // 100, 2 txs
    assert_eq!(c.session(&s, 0, None, transfer(1, 1)).unwrap_err(), 4007);
    c.advance(1_000);
    c.session(&s, 0, None, transfer(1, 90)).unwrap();
    assert_eq!(c.session(&s, 0, None, transfer(1, 1)).unwrap_err(), 4006);
}

#[test]
fn sponsor_pays_within_budget_and_policy() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(7, sponsor_policy(3 * FEE, 0, 0));
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    let (user, game) = (c.bal(0), c.bal(7));
    let r = c.session(&s, 0, Some(7), transfer(1, 100)).unwrap();
    assert_eq!(r.fee_paid, FEE);
    assert!(
        matches!(r.events[0], Event::Assets(pillar_assets::AssetsEvent::FeePaid { from, .. }) if from == addr(7))
    );
    assert_eq!((c.bal(0), c.bal(7)), (user - 100, game - FEE));
    // The session's cap counts only the amount when a sponsor pays.
    let q = c.query("session", serde_json::json!({"account": addr(0), "key": s.public_key()}));
    assert_eq!(q["remaining"][0]["remaining"], "900");
    // A wallet-signed sponsored transaction works too.
    let tx = c.tx(addr(2), transfer(1, 5));
    let r = c.submit(key(2).sign_sponsored(tx, addr(7)), addr(2)).unwrap();
    assert!(r.is_success());
    c.session(&s, 0, Some(7), transfer(1, 1)).unwrap();
    // Budget gone.
    assert_eq!(c.session(&s, 0, Some(7), transfer(1, 1)).unwrap_err(), 4022);
    let q = c.query("sponsor", serde_json::json!({"sponsor": addr(7)}));
    assert_eq!((q["budget"].as_str(), q["paid"].as_str()), (Some("0"), Some("30")));
}

#[test]
fn sponsor_refusals_have_their_codes() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(
        0,
        Call::Sessions(crate::SessionsCall::AuthorizeSession(AuthorizeSession {
            key: s.public_key(),
            calls: 1 | 1 << 3,
            expires_ms: 1_000_000,
            window_ms: 0,
            max_txs: 0,
            caps: vec![SpendCap { asset: NATIVE_ASSET, total: 1_000, per_window: 0 }],
        })),
    );
    assert_eq!(c.session(&s, 0, Some(6), transfer(1, 1)).unwrap_err(), 4020);
    c.ok(6, sponsor_policy(1_000, 1_000, 2));
    // Burn is not sponsored.
    assert_eq!(
        c.session(
            &s,
            0,
            Some(6),
            Call::Assets(pillar_assets::AssetsCall::Burn(Burn { asset: 0, amount: 1 }))
        )
        .unwrap_err(),
        4021
    );
    c.session(&s, 0, Some(6), transfer(1, 1)).unwrap();
    c.session(&s, 0, Some(6), transfer(1, 1)).unwrap();
    assert_eq!(c.session(&s, 0, Some(6), transfer(1, 1)).unwrap_err(), 4023);
    // Another user has its own count; the window resets.
    let s3 = ed(3);
    c.ok(3, scope(&s3, 1_000, 0, 0, 0));
    c.session(&s3, 3, Some(6), transfer(1, 1)).unwrap();
    c.advance(1_000);
    c.session(&s, 0, Some(6), transfer(1, 1)).unwrap();
}

#[test]
fn p256_sessions_work_like_ed25519() {
    let mut c = Chain::new();
    let s = SessionSigner::p256([100; 32]).unwrap();
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    assert!(c.session(&s, 0, None, transfer(1, 5)).unwrap().is_success());
}

#[test]
fn reauthorizing_resets_usage_and_full_lists_reuse_dead_slots() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 120, 0, 0, 0));
    c.session(&s, 0, None, transfer(1, 100)).unwrap();
    c.ok(0, scope(&s, 120, 0, 0, 0));
    c.session(&s, 0, None, transfer(1, 100)).unwrap();
    // Fill the list (1 + 15 more).
    for seed in 2..=16u8 {
        c.ok(0, scope(&ed(seed), 1, 0, 0, 0));
    }
    assert_eq!(c.fails(0, scope(&ed(17), 1, 0, 0, 0)), 4008);
    c.ok(0, Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: ed(5).public_key() })));
    c.ok(0, scope(&ed(17), 1, 0, 0, 0));
    assert_eq!(c.query("sessions", serde_json::json!({"account": addr(0)})).as_array().unwrap().len(), 16);
}

#[test]
fn envelopes_are_refused_on_a_chain_without_sessions() {
    use std::sync::Arc;
    let rt = pillar_runtime::Runtime::<Call, Event>::new(
        crate::testkit::CHAIN,
        vec![Arc::new(pillar_accounts::Accounts), Arc::new(pillar_assets::Assets)],
    );
    let mut c = Chain::new();
    let tx = c.tx(addr(0), transfer(1, 1));
    let v = key(0).sign_sponsored(tx, addr(7)).verify().unwrap();
    assert!(matches!(
        rt.validate(&v, &c.state),
        Err(pillar_runtime::ValidateError::Invalid(pillar_runtime::Invalid::NoEnvelopes))
    ));
}

#[test]
fn session_transactions_can_be_forced_from_l1() {
    let mut c = Chain::new();
    let s = ed(1);
    c.ok(0, scope(&s, 1_000, 0, 0, 0));
    c.ok(7, sponsor_policy(1_000, 0, 0));
    let tx = c.tx(addr(0), transfer(1, 10));
    let stx = s.sign(tx, addr(0), Some(addr(7)));
    let r = c.forced(&stx);
    assert!(r.is_success(), "{:?}", r.status);
    assert_eq!((r.sender, r.tx_hash), (addr(0), stx.hash()));
    // The same rules bind: a revoked session's forced transaction is refused (code 4 receipt).
    c.ok(0, Call::Sessions(crate::SessionsCall::RevokeSession(RevokeSession { key: s.public_key() })));
    let tx = c.tx(addr(0), transfer(1, 10));
    let r = c.forced(&s.sign(tx, addr(0), None));
    assert!(
        matches!(r.status, pillar_primitives::TxStatus::Failed { code: 4, ref reason } if reason.contains("4002"))
    );
}
