//! Channels: opening, funding, settling, closing, every refusal, and the movement guard.

#![allow(clippy::unwrap_used)]

use crate::{CloseChannel, FundChannel, OpenChannel, RequestChannelClose, SettleChannel};
use pillar_primitives::{NATIVE_ASSET, Voucher};
use serde_json::json;

use crate::{
    escrow_address,
    testkit::{
        APPROVED, CHAIN, Call, Chain, Event, FROZEN, GUARD_REFUSAL, START, USD, addr, ed, p256, settle, sign,
    },
};

fn fund(channel: u64, amount: u128) -> Call {
    Call::Agents(crate::AgentsCall::FundChannel(FundChannel { channel, amount }))
}

fn request(channel: u64) -> Call {
    Call::Agents(crate::AgentsCall::RequestChannelClose(RequestChannelClose { channel }))
}

fn close(channel: u64) -> Call {
    Call::Agents(crate::AgentsCall::CloseChannel(CloseChannel { channel }))
}

fn open_call(agent: u64, asset: u32, amount: u128) -> Call {
    Call::Agents(crate::AgentsCall::OpenChannel(OpenChannel {
        agent,
        asset,
        amount,
        voucher_key: ed(1).public_key(),
        timeout_ms: 5_000,
    }))
}

/// Agent 1 (owner 0, wallet 1) and a USD channel of 10,000 from key 2 with voucher key `ed(1)`.
fn setup() -> (Chain, u64) {
    let mut c = Chain::new();
    let agent = c.register(0, Some(1));
    let ch = c.open(2, agent, USD, 10_000, &ed(1), 5_000);
    (c, ch)
}

#[test]
fn opening_escrows_the_deposit() {
    let (c, ch) = setup();
    assert_eq!(ch, 1);
    assert_eq!(c.bal(addr(2), USD), START - 10_000);
    assert_eq!(c.bal(escrow_address(), USD), 10_000);
    let q = c.query("channel", json!({ "channel": ch }));
    assert_eq!(
        q,
        json!({
            "channel": 1, "payer": addr(2), "agent": 1, "asset": USD, "deposit": "10000", "settled": "0",
            "remaining": "10000", "voucherKey": ed(1).public_key(), "timeoutMs": 5000, "closesAtMs": 0,
            "closed": false,
        })
    );
    assert!(c.query("channel", json!({ "channel": 2 })).is_null());
}

#[test]
fn opening_refusals() {
    let mut c = Chain::new();
    let agent = c.register(0, None);
    assert_eq!(c.fails(2, open_call(agent + 1, USD, 1)), 5001);
    assert_eq!(c.fails(2, open_call(agent, 9, 1)), 5020);
    assert_eq!(c.fails(2, open_call(agent, USD, START + 1)), 5021);
    assert_eq!(c.fails(2, open_call(agent, NATIVE_ASSET, START)), 5021, "the fee was taken first");
    // Nothing was escrowed, and the next channel is still number 1.
    assert_eq!(c.bal(escrow_address(), USD), 0);
    assert_eq!(c.open(2, agent, NATIVE_ASSET, 100, &ed(1), 1), 1);
}

/// Admission counts what a channel call spends (its `spend`): an opening deposit the payer cannot
/// cover, or one in an asset that does not exist, is refused at the door instead of failing in a
/// block. (A top-up names no asset, so it is judged in the block.)
#[test]
fn admission_refuses_deposits_the_payer_cannot_cover() {
    use pillar_runtime::{Invalid, ValidateError};
    let mut c = Chain::new();
    let agent = c.register(0, None);
    let refused = |r: Result<(), ValidateError>| match r {
        Err(ValidateError::Invalid(i)) => i,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(matches!(
        refused(c.validate(2, open_call(agent, USD, START + 1))),
        Invalid::InsufficientBalance { asset: USD, needed, .. } if needed == START + 1
    ));
    assert!(matches!(
        refused(c.validate(2, open_call(agent, NATIVE_ASSET, START))),
        Invalid::InsufficientBalance { asset: NATIVE_ASSET, .. }
    ));
    assert!(matches!(refused(c.validate(2, open_call(agent, 9, 1))), Invalid::UnknownAsset { asset: 9 }));
    c.validate(2, open_call(agent, USD, START)).unwrap();
}

#[test]
fn settlement_pays_the_increase_to_the_wallet() {
    let (mut c, ch) = setup();
    let k = ed(1);
    let r = c.ok(1, settle(ch, 300, &k, false));
    assert!(r.events.contains(&Event::Agents(crate::AgentsEvent::ChannelSettled {
        channel: ch,
        cumulative: 300,
        paid: 300
    })));
    assert!(r.events.contains(&Event::Assets(pillar_assets::AssetsEvent::Transfer {
        asset: USD,
        from: escrow_address(),
        to: addr(1),
        amount: 300
    })));
    // The owner may settle too; the money still goes to the wallet.
    c.ok(0, settle(ch, 1_000, &k, false));
    assert_eq!(c.bal(addr(1), USD), START + 1_000);
    assert_eq!(c.bal(addr(0), USD), START);
    assert_eq!(c.bal(escrow_address(), USD), 9_000);
    let q = c.query("channel", json!({ "channel": ch }));
    assert_eq!((q["settled"].as_str(), q["remaining"].as_str()), (Some("1000"), Some("9000")));
}

#[test]
fn settlement_refusals() {
    let (mut c, ch) = setup();
    let k = ed(1);
    assert_eq!(c.fails(1, settle(ch + 1, 5, &k, false)), 5010);
    assert_eq!(c.fails(2, settle(ch, 5, &k, false)), 5012, "the payer is not the payee");
    assert_eq!(c.fails(3, settle(ch, 5, &k, false)), 5012);
    assert_eq!(c.fails(1, settle(ch, 5, &ed(2), false)), 5013, "another key signed");
    // Signed for another chain or another channel.
    let other_chain = Voucher { chain_id: CHAIN + 1, channel: ch, cumulative: 5 }.sign(&k).to_vec();
    let call = Call::Agents(crate::AgentsCall::SettleChannel(SettleChannel {
        channel: ch,
        cumulative: 5,
        signature: other_chain,
        close: false,
    }));
    assert_eq!(c.fails(1, call), 5013);
    let call = Call::Agents(crate::AgentsCall::SettleChannel(SettleChannel {
        channel: ch,
        cumulative: 5,
        signature: sign(ch + 1, 5, &k),
        close: false,
    }));
    assert_eq!(c.fails(1, call), 5013);
    // Above the deposit.
    assert_eq!(c.fails(1, settle(ch, 10_001, &k, false)), 5015);
    c.ok(1, settle(ch, 10_000, &k, false));
    assert_eq!(c.bal(escrow_address(), USD), 0);
    // Replayed.
    assert_eq!(c.fails(1, settle(ch, 10_000, &k, false)), 5014);
}

#[test]
fn replayed_and_reordered_vouchers_pay_nothing_more() {
    let (mut c, ch) = setup();
    let k = ed(1);
    let v100 = settle(ch, 100, &k, false);
    let v250 = settle(ch, 250, &k, false);
    c.ok(1, v250.clone());
    assert_eq!(c.fails(1, v100), 5014, "an older voucher arriving late");
    assert_eq!(c.fails(1, v250), 5014, "the same voucher twice");
    // Both in one block: the second is refused.
    let rs = c.block(vec![(1, settle(ch, 400, &k, false)), (1, settle(ch, 300, &k, false))]);
    assert_eq!((rs[0].failure_code(), rs[1].failure_code()), (None, Some(5014)));
    assert_eq!(c.bal(addr(1), USD), START + 400);
}

#[test]
fn funding_adds_to_the_deposit_and_cancels_a_close_request() {
    let (mut c, ch) = setup();
    let k = ed(1);
    assert_eq!(c.fails(3, fund(ch, 5)), 5011);
    assert_eq!(c.fails(2, fund(ch + 1, 5)), 5010);
    assert_eq!(c.fails(2, fund(ch, u128::MAX)), 5099, "the deposit would overflow");
    assert_eq!(c.fails(2, fund(ch, START)), 5021);
    c.ok(2, request(ch));
    let r = c.ok(2, fund(ch, 5_000));
    assert!(r.events.contains(&Event::Agents(crate::AgentsEvent::ChannelFunded {
        channel: ch,
        payer: addr(2),
        agent: 1,
        asset: USD,
        deposit: 15_000
    })));
    assert_eq!(c.channel(ch).closes_at_ms, 0, "the close request was cancelled");
    assert_eq!(c.fails(2, close(ch)), 5017);
    // The new funds are spendable by vouchers.
    c.ok(1, settle(ch, 12_000, &k, false));
    assert_eq!(c.bal(escrow_address(), USD), 3_000);
}

#[test]
fn close_waits_for_the_timeout_and_refunds_the_rest() {
    let (mut c, ch) = setup();
    let k = ed(1);
    c.ok(1, settle(ch, 1_500, &k, false));
    assert_eq!(c.fails(3, request(ch)), 5011);
    assert_eq!(c.fails(2, close(ch)), 5017);
    let r = c.ok(2, request(ch));
    let at = c.now + 5_000;
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::ChannelCloseRequested { channel: ch, closes_at_ms: at }))
    );
    c.advance(4_999);
    // A second request keeps the first deadline.
    c.ok(2, request(ch));
    assert_eq!(c.channel(ch).closes_at_ms, at);
    assert_eq!(c.fails(2, close(ch)), 5018);
    // The payee may still settle inside the window.
    c.ok(1, settle(ch, 2_000, &k, false));
    c.advance(1);
    assert_eq!(c.fails(1, settle(ch, 2_500, &k, false)), 5019, "the window is over");
    assert_eq!(c.fails(3, close(ch)), 5011);
    let r = c.ok(2, close(ch));
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::ChannelClosed { channel: ch, refunded: 8_000 }))
    );
    assert_eq!(c.bal(addr(2), USD), START - 2_000);
    assert_eq!(c.bal(addr(1), USD), START + 2_000);
    assert_eq!(c.bal(escrow_address(), USD), 0);
    // A closed channel accepts nothing.
    assert_eq!(c.fails(1, settle(ch, 3_000, &k, false)), 5016);
    assert_eq!(c.fails(2, fund(ch, 1)), 5016);
    assert_eq!(c.fails(2, request(ch)), 5016);
    assert_eq!(c.fails(2, close(ch)), 5016);
    let q = c.query("channel", json!({ "channel": ch }));
    assert_eq!((q["closed"].as_bool(), q["remaining"].as_str()), (Some(true), Some("0")));
}

#[test]
fn settling_with_close_ends_the_channel_at_once() {
    let (mut c, ch) = setup();
    let r = c.ok(1, settle(ch, 7_000, &ed(1), true));
    assert!(
        r.events.contains(&Event::Agents(crate::AgentsEvent::ChannelClosed { channel: ch, refunded: 3_000 }))
    );
    assert_eq!((c.bal(addr(1), USD), c.bal(addr(2), USD)), (START + 7_000, START - 7_000));
    assert_eq!(c.bal(escrow_address(), USD), 0);
    assert_eq!(c.fails(1, settle(ch, 8_000, &ed(1), false)), 5016);
}

#[test]
fn a_transferred_agent_pays_its_new_owner() {
    let (mut c, ch) = setup();
    let k = ed(1);
    c.ok(
        0,
        Call::Agents(crate::AgentsCall::TransferAgent(crate::TransferAgent { agent: 1, owner: addr(4) })),
    );
    assert_eq!(c.fails(1, settle(ch, 10, &k, false)), 5012, "the old wallet was cleared");
    assert_eq!(c.fails(0, settle(ch, 10, &k, false)), 5012);
    c.ok(4, settle(ch, 10, &k, false));
    assert_eq!(c.bal(addr(4), USD), START + 10);
}

#[test]
fn p256_vouchers_work_like_ed25519() {
    let mut c = Chain::new();
    let agent = c.register(0, None);
    let k = p256(100);
    let ch = c.open(2, agent, NATIVE_ASSET, 1_000, &k, 1);
    c.ok(0, settle(ch, 999, &k, false));
    assert_eq!(c.fails(0, settle(ch, 1_000, &ed(1), false)), 5013);
    c.ok(0, settle(ch, 1_000, &k, true));
    assert_eq!(c.bal(escrow_address(), NATIVE_ASSET), 0);
}

#[test]
fn escrow_moves_of_tokens_pass_the_movement_guard() {
    let mut c = Chain::guarded();
    let agent = c.register(0, Some(1));
    let k = ed(1);
    let ch = c.open(2, agent, USD, 1_000, &k, 10);
    assert_eq!(APPROVED.get(&c.state).unwrap(), Some(1));
    c.ok(1, settle(ch, 100, &k, false));
    assert_eq!(APPROVED.get(&c.state).unwrap(), Some(2));
    // A frozen payer cannot escrow; the refusal is the guard's own code.
    assert_eq!(c.fails(FROZEN, open_call(agent, USD, 10)), GUARD_REFUSAL);
    // A frozen wallet cannot be paid: the settlement fails as a whole.
    c.ok(
        0,
        Call::Agents(crate::AgentsCall::UpdateAgent(crate::UpdateAgent {
            agent,
            card_uri: "c".into(),
            wallet: addr(FROZEN),
            metadata: vec![],
        })),
    );
    assert_eq!(c.fails(0, settle(ch, 200, &k, false)), GUARD_REFUSAL);
    assert_eq!(c.channel(ch).settled, 100);
    assert_eq!(c.bal(escrow_address(), USD), 900);
    // Native ETH has no rules and is not submitted to guards.
    let eth = c.open(FROZEN, agent, NATIVE_ASSET, 10, &k, 10);
    let r = c.ok(0, settle(eth, 10, &k, true));
    assert!(r.events.contains(&Event::Assets(pillar_assets::AssetsEvent::Transfer {
        asset: NATIVE_ASSET,
        from: escrow_address(),
        to: addr(FROZEN),
        amount: 10
    })));
    assert_eq!(c.bal(escrow_address(), NATIVE_ASSET), 0);
    assert_eq!(APPROVED.get(&c.state).unwrap(), Some(2));
}
