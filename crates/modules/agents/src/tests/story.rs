//! The agents story: an AI agent sells pay-per-request API calls. The client opens one channel,
//! pays for 1,000 requests with 1,000 vouchers the agent's server checks off chain, and the agent
//! collects them all in one L2 transaction.

#![allow(clippy::unwrap_used)]

use crate::GiveFeedback;
use pillar_assets::ASSETS;
use pillar_primitives::{Address, NATIVE_ASSET};
use serde_json::json;

use crate::{
    VoucherCheck, escrow_address,
    testkit::{CHAIN, Call, Chain, Event, FEE, START, addr, ed, sign},
};

const DEPOSIT: u128 = 1_000_000;
const REQUESTS: u64 = 1_000;

/// The price of request `i`: varies from 100 to 999 wei.
fn price(i: u64) -> u128 {
    100 + u128::from(i * 7_919 % 900)
}

#[test]
fn a_thousand_paid_requests_settle_in_one_transaction() {
    let mut c = Chain::new();
    let fee_recipient = Address::repeat_byte(0xfe);
    // The agent (owner key 0) is paid at wallet key 1. The client (key 2) opens a channel.
    let agent = c.register(0, Some(1));
    let voucher_key = ed(42);
    let ch = c.open(2, agent, NATIVE_ASSET, DEPOSIT, &voucher_key, 60_000);
    assert_eq!(c.bal(addr(2), NATIVE_ASSET), START - DEPOSIT - FEE);
    assert_eq!(c.bal(escrow_address(), NATIVE_ASSET), DEPOSIT);

    // The agent's server reads the channel once and checks every request's voucher off chain.
    let mut server = VoucherCheck::new(CHAIN, ch, c.channel(ch));
    let mut owed = 0u128;
    let mut vouchers = Vec::new();
    for i in 0..REQUESTS {
        owed += price(i);
        let sig = sign(ch, owed, &voucher_key);
        assert_eq!(server.accept(owed, &sig), Ok(price(i)), "request {i} pays its price");
        vouchers.push((owed, sig));
        c.advance(3);
    }
    let total = owed;
    assert!(total <= DEPOSIT);
    assert_eq!(server.unsettled(), total);
    // A client replaying or reordering vouchers gets nothing served.
    let (old, old_sig) = &vouchers[500];
    assert_eq!(server.accept(*old, old_sig).unwrap_err().code(), 5014);
    let (last, last_sig) = vouchers.last().unwrap();
    assert_eq!(server.accept(*last, last_sig).unwrap_err().code(), 5014);
    // A voucher above the deposit is refused even when properly signed.
    assert_eq!(server.accept(DEPOSIT + 1, &sign(ch, DEPOSIT + 1, &voucher_key)).unwrap_err().code(), 5015);

    // One transaction collects everything and closes the channel.
    let settle = server.settle_call(true).unwrap();
    let r = c.ok(1, Call::Agents(crate::AgentsCall::SettleChannel(settle)));
    assert!(r.events.contains(&Event::Agents(crate::AgentsEvent::ChannelSettled {
        channel: ch,
        cumulative: total,
        paid: total
    })));
    assert!(r.events.contains(&Event::Agents(crate::AgentsEvent::ChannelClosed {
        channel: ch,
        refunded: DEPOSIT - total
    })));

    // Balances add up exactly: three transactions paid a fee each (register, open, settle).
    assert_eq!(c.bal(addr(2), NATIVE_ASSET), START - FEE - DEPOSIT + (DEPOSIT - total));
    assert_eq!(c.bal(addr(1), NATIVE_ASSET), START - FEE + total);
    assert_eq!(c.bal(addr(0), NATIVE_ASSET), START - FEE);
    assert_eq!(c.bal(escrow_address(), NATIVE_ASSET), 0);
    assert_eq!(c.bal(fee_recipient, NATIVE_ASSET), 3 * FEE);
    let held: u128 = (0..8).map(|i| c.bal(addr(i), NATIVE_ASSET)).sum::<u128>()
        + c.bal(escrow_address(), NATIVE_ASSET)
        + c.bal(fee_recipient, NATIVE_ASSET);
    assert_eq!(held, 8 * START);
    assert_eq!(ASSETS.get(&c.state, &NATIVE_ASSET).unwrap().unwrap().total_supply, 8 * START);
    let q = c.query("channel", json!({ "channel": ch }));
    assert_eq!(
        (q["settled"].as_str(), q["closed"].as_bool()),
        (Some(total.to_string().as_str()), Some(true))
    );

    // The client has paid: its review counts as paid feedback.
    let r = c.ok(
        2,
        Call::Agents(crate::AgentsCall::GiveFeedback(GiveFeedback {
            agent,
            score: 95,
            tag: "api".into(),
            uri: String::new(),
        })),
    );
    assert!(matches!(
        r.events.last(),
        Some(Event::Agents(crate::AgentsEvent::FeedbackGiven { paid: true, score: 95, .. }))
    ));
    let q = c.query("agent", json!({ "agent": agent }));
    assert_eq!(q["feedback"]["paidAverage"], json!(95.0));
}
