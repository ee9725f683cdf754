//! The example module through the real runtime, composed with `accounts` and `assets`.

#![allow(clippy::unwrap_used)]

use pillar_primitives::{CallSet, EventSet, TxStatus, schema::ChainSchema};
use pillar_runtime::testkit::{CountingState, TestChain, addr, funded};
use pillar_runtime::{BlockEnv, Genesis, Invalid, Module, Runtime, TxContext};
use serde_json::json;

use crate::{ENTRIES, Example, ExampleCall, ExampleEvent, SignGuestbook, entries};

pillar_runtime::compose! {
    /// The test chain's calls.
    enum Call;
    /// The test chain's events.
    enum Event;
    /// The test chain's modules.
    const MODULES;
    { Accounts => pillar_accounts::Accounts, Assets => pillar_assets::Assets, Example => crate::Example }
}

const CHAIN: u64 = 77;

fn chain() -> TestChain<Call, Event> {
    let rt = Runtime::new(CHAIN, MODULES.iter().map(|r| (r.new)()).collect());
    let genesis = Genesis { accounts: funded(4, 1_000_000), ..Default::default() };
    TestChain::new(rt, &genesis, 0)
}

fn sign(message: &str) -> ExampleCall {
    ExampleCall::SignGuestbook(SignGuestbook { message: message.into() })
}

#[test]
fn signing_counts_entries_and_emits_the_message() {
    let mut c = chain();
    let r = c.ok(1, sign("hello"));
    assert_eq!(
        r.events,
        vec![Event::Example(ExampleEvent::GuestbookSigned {
            signer: addr(1),
            entry: 1,
            message: "hello".into()
        })]
    );
    c.ok(1, sign("again"));
    c.ok(2, sign("hi"));
    assert_eq!(entries(&c.state, &addr(1)).unwrap(), 2);
    assert_eq!(c.query(crate::NAME, "entries", json!({ "account": addr(1) })), json!(2));
    assert_eq!(c.query(crate::NAME, "entries", json!({ "account": addr(3) })), json!(0));
    let key = c.rt.state_key(crate::NAME, "entries", &json!({ "account": addr(2) })).unwrap();
    assert_eq!(key, ENTRIES.key(&addr(2)));
}

#[test]
fn malformed_messages_are_invalid_and_a_failed_call_writes_nothing() {
    let mut c = chain();
    for bad in [String::new(), "x".repeat(141)] {
        let refused = c.run(1, sign(&bad)).unwrap_err();
        assert!(matches!(refused, Invalid::Malformed { .. }), "{refused:?}");
    }
    // A counter at its end fails the call with the module's code, and the call writes nothing.
    ENTRIES.set(&mut c.state, &addr(1), &u64::MAX);
    assert_eq!(c.fails(1, sign("one more")), 9901);
    assert_eq!(entries(&c.state, &addr(1)).unwrap(), u64::MAX);
    let mut state = CountingState::default();
    ENTRIES.set(&mut state, &addr(1), &u64::MAX);
    let writes = state.writes;
    let env = BlockEnv { chain_id: CHAIN, height: 1, timestamp_ms: 0 };
    let (mut fees, mut events) = (0, Vec::<ExampleEvent>::new());
    let mut ctx = TxContext::new(&env, &mut fees, &mut events, addr(1), Default::default(), 0, 0);
    assert!(Example.call(&mut ctx, &sign("x"), &mut state).is_err());
    assert_eq!(state.writes, writes);
    assert!(events.is_empty());
}

#[test]
fn its_calls_and_events_reach_the_wire_and_the_schema_with_their_own_tags() {
    let call = Call::Example(sign("hello"));
    let bytes = borsh::to_vec(&call).unwrap();
    assert_eq!(bytes[0], 39);
    assert_eq!(borsh::to_vec(&sign("hello")).unwrap(), bytes);
    assert_eq!(borsh::from_slice::<Call>(&bytes).unwrap(), call);
    let json = serde_json::to_value(&call).unwrap();
    assert_eq!(json, json!({ "type": "signGuestbook", "message": "hello" }));
    assert_eq!(serde_json::from_value::<Call>(json).unwrap(), call);
    let schema = ChainSchema::new::<Call, Event>(CHAIN, vec!["accounts", "assets", "example"]);
    let entry = schema.calls.iter().find(|c| c.name == "SignGuestbook").unwrap();
    assert_eq!((entry.module, entry.tag), ("example", 39));
    assert_eq!(entry.eip712_type, "SignGuestbook(string message,uint64 nonce,uint128 maxFee)");
    let event = schema.events.iter().find(|e| e.name == "guestbookSigned").unwrap();
    assert_eq!((event.module, event.tag), ("example", 39));
    assert!(Event::owns_tag(39) && !Event::owns_tag(40));
    assert_eq!(call.module(), "example");
    let receipt = chain().ok(3, sign("x"));
    assert_eq!(receipt.status, TxStatus::Success);
}
