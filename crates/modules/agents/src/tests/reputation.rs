//! Feedback: who may give and revoke it, aggregates, paging, and the `paid` signal.

#![allow(clippy::unwrap_used)]

use crate::{GiveFeedback, RevokeFeedback};
use pillar_primitives::NATIVE_ASSET;
use serde_json::json;

use crate::testkit::{Call, Chain, Event, addr, ed, settle};

fn give(agent: u64, score: u8) -> Call {
    Call::Agents(crate::AgentsCall::GiveFeedback(GiveFeedback {
        agent,
        score,
        tag: "latency".into(),
        uri: "ipfs://review".into(),
    }))
}

fn revoke(agent: u64, index: u64) -> Call {
    Call::Agents(crate::AgentsCall::RevokeFeedback(RevokeFeedback { agent, index }))
}

#[test]
fn anyone_but_the_agent_rates_it_and_aggregates_follow() {
    let mut c = Chain::new();
    let id = c.register(0, Some(1));
    assert_eq!(c.fails(0, give(id, 100)), 5003, "the owner cannot rate its agent");
    assert_eq!(c.fails(1, give(id, 100)), 5003, "nor can its wallet");
    assert_eq!(c.fails(3, give(id + 1, 50)), 5001);
    let r = c.ok(3, give(id, 80));
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::FeedbackGiven {
            agent: id,
            index: 0,
            client: addr(3),
            score: 80,
            paid: false
        }))
    );
    c.ok(4, give(id, 50));
    c.ok(3, give(id, 20));
    let q = c.query("agent", json!({ "agent": id }))["feedback"].clone();
    assert_eq!(
        (q["entries"].as_u64(), q["count"].as_u64(), q["scoreSum"].as_u64()),
        (Some(3), Some(3), Some(150))
    );
    assert_eq!(q["average"], json!(50.0));
    assert!(q["paidAverage"].is_null());
    let f = c.query("feedback", json!({ "agent": id, "index": 1 }));
    assert_eq!(
        (&f["client"], f["score"].as_u64(), f["tag"].as_str()),
        (&json!(addr(4)), Some(50), Some("latency"))
    );
    assert_eq!(f["timeMs"].as_u64(), Some(c.now));
    assert!(c.query("feedback", json!({ "agent": id, "index": 3 })).is_null());
}

#[test]
fn only_the_author_revokes_once_and_the_entry_stays_visible() {
    let mut c = Chain::new();
    let id = c.register(0, None);
    c.ok(3, give(id, 90));
    c.ok(4, give(id, 30));
    assert_eq!(c.fails(4, revoke(id, 0)), 5005);
    assert_eq!(c.fails(3, revoke(id, 2)), 5004);
    assert_eq!(c.fails(3, revoke(id + 1, 0)), 5001);
    let r = c.ok(3, revoke(id, 0));
    assert_eq!(
        r.events.last(),
        Some(&Event::Agents(crate::AgentsEvent::FeedbackRevoked { agent: id, index: 0 }))
    );
    assert_eq!(c.fails(3, revoke(id, 0)), 5006);
    let q = c.query("agent", json!({ "agent": id }))["feedback"].clone();
    assert_eq!((q["entries"].as_u64(), q["count"].as_u64()), (Some(2), Some(1)));
    assert_eq!(q["average"], json!(30.0));
    let list = c.query("feedbackList", json!({ "agent": id }));
    assert_eq!(list["total"], 2);
    assert_eq!(list["entries"][0]["revoked"], true);
    assert_eq!(list["entries"][1]["revoked"], false);
    // New entries keep counting from the total, revoked included.
    let r = c.ok(3, give(id, 10));
    assert!(matches!(
        r.events.last(),
        Some(Event::Agents(crate::AgentsEvent::FeedbackGiven { index: 2, .. }))
    ));
    let page = c.query("feedbackList", json!({ "agent": id, "start": 1, "limit": 5 }));
    let idx: Vec<u64> =
        page["entries"].as_array().unwrap().iter().map(|e| e["index"].as_u64().unwrap()).collect();
    assert_eq!(idx, vec![1, 2]);
    assert_eq!(c.query("feedbackList", json!({ "agent": id, "start": 9 }))["entries"], json!([]));
}

#[test]
fn feedback_is_paid_once_the_client_has_settled_value_to_the_agent() {
    let mut c = Chain::new();
    let id = c.register(0, Some(1));
    let key = ed(1);
    let ch = c.open(2, id, NATIVE_ASSET, 1_000, &key, 10_000);
    // An open channel alone is not payment.
    let r = c.ok(2, give(id, 40));
    assert!(matches!(
        r.events.last(),
        Some(Event::Agents(crate::AgentsEvent::FeedbackGiven { paid: false, .. }))
    ));
    c.ok(1, settle(ch, 10, &key, false));
    let r = c.ok(2, give(id, 100));
    assert!(matches!(
        r.events.last(),
        Some(Event::Agents(crate::AgentsEvent::FeedbackGiven { paid: true, .. }))
    ));
    c.ok(3, give(id, 10));
    let q = c.query("agent", json!({ "agent": id }))["feedback"].clone();
    assert_eq!(
        (q["count"].as_u64(), q["paidCount"].as_u64(), q["paidScoreSum"].as_u64()),
        (Some(3), Some(1), Some(100))
    );
    assert_eq!(q["paidAverage"], json!(100.0));
    assert_eq!(q["average"], json!(50.0));
    c.ok(2, revoke(id, 1));
    let q = c.query("agent", json!({ "agent": id }))["feedback"].clone();
    assert_eq!(
        (q["paidCount"].as_u64(), q["paidScoreSum"].as_u64(), q["count"].as_u64()),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(c.query("feedback", json!({ "agent": id, "index": 1 }))["paid"], true);
}
