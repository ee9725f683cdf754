//! Registration, update, transfer, the owner index behind `agentsOf`, queries and proofs keys.

#![allow(clippy::unwrap_used)]

use crate::{MetadataEntry, RegisterAgent, TransferAgent, UpdateAgent};
use pillar_primitives::{Address, CallSet};
use pillar_runtime::Queries;
use pillar_runtime::{BlockEnv, Module, QueryError, TxContext};
use pillar_state::MemoryState;
use serde_json::json;

use crate::{
    AGENTS, Agents,
    testkit::{CHAIN, Call, Chain, Event, addr},
};

fn update(agent: u64, wallet: Address, card: &str) -> Call {
    Call::Agents(crate::AgentsCall::UpdateAgent(UpdateAgent {
        agent,
        card_uri: card.into(),
        wallet,
        metadata: vec![MetadataEntry { key: "model".into(), value: "v2".into() }],
    }))
}

fn agents_of(c: &Chain, owner: u8) -> Vec<u64> {
    let q = c.query("agentsOf", json!({ "owner": addr(owner) }));
    let total = q["total"].as_u64().unwrap();
    let ids: Vec<u64> = q["agents"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(ids.len() as u64, total);
    ids
}

#[test]
fn agents_are_numbered_from_one_and_owned_by_their_sender() {
    let mut c = Chain::new();
    let r = c.ok(
        0,
        Call::Agents(crate::AgentsCall::RegisterAgent(RegisterAgent {
            card_uri: "ipfs://card".into(),
            wallet: Address::ZERO,
            metadata: vec![MetadataEntry { key: "model".into(), value: "v1".into() }],
        })),
    );
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::AgentRegistered {
            agent: 1,
            owner: addr(0),
            card_uri: "ipfs://card".into()
        }))
    );
    assert_eq!(c.register(3, Some(1)), 2);
    assert_eq!(c.register(0, None), 3);
    let q = c.query("agent", json!({ "agent": 1 }));
    assert_eq!(q["owner"], json!(addr(0)));
    assert_eq!(q["wallet"], json!(addr(0)), "a zero wallet means the owner");
    assert_eq!(q["cardUri"], "ipfs://card");
    assert_eq!(q["metadata"][0]["key"], "model");
    assert_eq!(q["feedback"]["count"], 0);
    assert!(q["feedback"]["average"].is_null());
    assert_eq!(c.query("agent", json!({ "agent": 2 }))["wallet"], json!(addr(1)));
    assert!(c.query("agent", json!({ "agent": 9 })).is_null());
    assert_eq!(agents_of(&c, 0), vec![1, 3]);
    assert_eq!(agents_of(&c, 3), vec![2]);
    assert!(agents_of(&c, 5).is_empty());
}

#[test]
fn only_the_owner_updates() {
    let mut c = Chain::new();
    let id = c.register(0, None);
    assert_eq!(c.fails(3, update(id, addr(3), "x")), 5002);
    assert_eq!(c.fails(0, update(7, addr(3), "x")), 5001);
    let r = c.ok(0, update(id, addr(1), "https://new"));
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::AgentUpdated {
            agent: id,
            card_uri: "https://new".into(),
            wallet: addr(1)
        }))
    );
    let q = c.query("agent", json!({ "agent": id }));
    assert_eq!((q["cardUri"].as_str(), &q["wallet"]), (Some("https://new"), &json!(addr(1))));
    assert_eq!(q["metadata"][0]["value"], "v2");
    // The payment wallet is not the owner: it cannot update.
    assert_eq!(c.fails(1, update(id, addr(1), "x")), 5002);
}

#[test]
fn transfer_hands_over_control_and_clears_the_wallet() {
    let mut c = Chain::new();
    let a = c.register(0, Some(1));
    let b = c.register(0, None);
    let d = c.register(0, None);
    assert_eq!(
        c.fails(
            3,
            Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: a, owner: addr(3) }))
        ),
        5002
    );
    assert_eq!(
        c.fails(
            0,
            Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: 99, owner: addr(3) }))
        ),
        5001
    );
    let r =
        c.ok(0, Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: a, owner: addr(3) })));
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::AgentTransferred { agent: a, from: addr(0), to: addr(3) }))
    );
    let q = c.query("agent", json!({ "agent": a }));
    assert_eq!((&q["owner"], &q["wallet"]), (&json!(addr(3)), &json!(addr(3))));
    // The old owner lost control; the new one has it.
    assert_eq!(c.fails(0, update(a, Address::ZERO, "x")), 5002);
    c.ok(3, update(a, addr(4), "y"));
    // The owner lists follow (the last agent moved into the gap).
    assert_eq!(agents_of(&c, 0), vec![d, b]);
    assert_eq!(agents_of(&c, 3), vec![a]);
    assert_eq!(AGENTS.get(&c.state, &d).unwrap().unwrap().owner_index, 0);
    c.ok(0, Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: b, owner: addr(3) })));
    c.ok(0, Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: d, owner: addr(3) })));
    assert!(agents_of(&c, 0).is_empty());
    assert_eq!(agents_of(&c, 3), vec![a, b, d]);
    // To oneself: nothing changes.
    c.ok(3, Call::Agents(crate::AgentsCall::TransferAgent(TransferAgent { agent: a, owner: addr(3) })));
    assert_eq!(agents_of(&c, 3), vec![a, b, d]);
    assert_eq!(c.query("agent", json!({ "agent": a }))["wallet"], json!(addr(4)));
    let page = c.query("agentsOf", json!({ "owner": addr(3), "start": 1, "limit": 1 }));
    assert_eq!(page, json!({ "total": 3, "agents": [b] }));
}

#[test]
fn queries_check_their_parameters_and_name_proof_keys() {
    let c = Chain::new();
    let bad = |method: &str, p: serde_json::Value| c.rt.query(&c.state, crate::NAME, method, &p).unwrap_err();
    assert!(matches!(bad("agent", json!({ "id": 1 })), QueryError::BadParams { .. }));
    assert!(matches!(bad("feedbackList", json!({ "agent": 1, "limit": 101 })), QueryError::BadParams { .. }));
    assert!(matches!(
        bad("agentsOf", json!({ "owner": addr(0), "limit": 101 })),
        QueryError::BadParams { .. }
    ));
    assert!(matches!(bad("nope", json!({})), QueryError::UnknownMethod { .. }));
    assert_eq!(c.query("escrow", json!({}))["address"], json!(crate::escrow_address()));
    assert_eq!(Agents.state_key("agent", &json!({ "agent": 4 })).unwrap(), AGENTS.key(&4));
    assert_eq!(Agents.state_key("channel", &json!({ "channel": 2 })).unwrap(), crate::CHANNELS.key(&2));
    assert_eq!(
        Agents.state_key("feedback", &json!({ "agent": 1, "index": 0 })).unwrap(),
        crate::FEEDBACK.key(&(1, 0))
    );
    assert_eq!(Agents.state_key("reputation", &json!({ "agent": 1 })).unwrap(), crate::REPUTATION.key(&1));
    assert!(Agents.state_key("balance", &json!({})).is_err());
}

#[test]
fn other_calls_are_refused_and_genesis_needs_assets() {
    let env = BlockEnv { chain_id: CHAIN, height: 1, timestamp_ms: 1 };
    let mut fees = 0;
    let mut events: Vec<Event> = Vec::new();
    let mut ctx = TxContext::new(&env, &mut fees, &mut events, addr(0), Default::default(), 0, 0);
    let mut state = MemoryState::default();
    // Handed another module's call the way the runtime hands calls over (the call's group), the
    // module refuses it as misrouted; its own `call` only takes `AgentsCall`.
    let call = Call::Assets(pillar_assets::AssetsCall::Transfer(pillar_assets::Transfer {
        to: addr(1),
        asset: 0,
        amount: 1,
    }));
    match pillar_runtime::DynModule::call(&Agents, &mut ctx, call.group(), &mut state) {
        Err(pillar_runtime::CallError::Revert(r)) => assert_eq!(r.code, pillar_runtime::MISROUTED),
        other => panic!("{other:?}"),
    }
    let genesis = pillar_runtime::Genesis {
        timestamp_ms: 0,
        tx_fee: 0,
        fee_recipient: Address::ZERO,
        assets: vec![],
        accounts: vec![],
        calls: vec![],
    };
    assert!(Agents.genesis(&genesis, &mut state).is_err());
}

#[test]
fn the_escrow_address_is_the_documented_one() {
    let expected: Address = "0xa20adcb74c6870290fdc209174544155ddc597db".parse().unwrap();
    assert_eq!(crate::escrow_address(), expected, "{}", crate::escrow_address());
}
