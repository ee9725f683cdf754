//! Invariants over random sequences of open, fund, settle, close request, close and clock ticks:
//! every outcome matches a plain model down to the reason code; payer, agent wallet and escrow
//! balances always sum to what they started with; the escrow holds exactly the open channels'
//! unsettled deposits; `settled` never decreases and never exceeds the deposit.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use crate::{CloseChannel, FundChannel, RequestChannelClose};

use crate::{
    escrow_address,
    testkit::{Call, Chain, START, USD, addr, ed, settle},
};

const TIMEOUT: u64 = 2_000;

#[derive(Debug, Clone)]
enum Step {
    Open { amount: u128 },
    Fund { ch: usize, amount: u128 },
    Settle { ch: usize, delta: u128, close: bool },
    Request { ch: usize },
    Close { ch: usize },
    Wait { ms: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => (1u128..5_000).prop_map(|amount| Step::Open { amount }),
        2 => (any::<usize>(), 1u128..3_000).prop_map(|(ch, amount)| Step::Fund { ch, amount }),
        5 => (any::<usize>(), 0u128..4_000, prop::bool::weighted(0.15))
            .prop_map(|(ch, delta, close)| Step::Settle { ch, delta, close }),
        1 => any::<usize>().prop_map(|ch| Step::Request { ch }),
        1 => any::<usize>().prop_map(|ch| Step::Close { ch }),
        2 => (0u64..2_500).prop_map(|ms| Step::Wait { ms }),
    ]
}

/// What the model expects of a channel.
#[derive(Debug, Clone, Copy, Default)]
struct Model {
    id: u64,
    deposit: u128,
    settled: u128,
    closes_at: u64,
    closed: bool,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn channels_conserve_value_and_settle_monotonically(steps in prop::collection::vec(step(), 1..30)) {
        let mut c = Chain::new();
        let key = ed(1);
        let agent = c.register(0, Some(1));
        let mut chans: Vec<Model> = Vec::new();
        let pick = |chans: &[Model], i: usize| if chans.is_empty() { None } else { Some(i % chans.len()) };
        for st in steps {
            let now = c.now;
            let (signer, call, expect): (u8, Call, Option<u32>) = match st {
                Step::Wait { ms } => {
                    c.advance(ms);
                    continue;
                }
                Step::Open { amount } => {
                    let id = c.open(2, agent, USD, amount, &key, TIMEOUT);
                    chans.push(Model { id, deposit: amount, ..Model::default() });
                    continue;
                }
                Step::Fund { ch, amount } => match pick(&chans, ch) {
                    None => (2, Call::Agents(crate::AgentsCall::FundChannel(FundChannel { channel: 99, amount })), Some(5010)),
                    Some(i) => {
                        let m = &mut chans[i];
                        let call = Call::Agents(crate::AgentsCall::FundChannel(FundChannel { channel: m.id, amount }));
                        if m.closed {
                            (2, call, Some(5016))
                        } else {
                            m.deposit += amount;
                            m.closes_at = 0;
                            (2, call, None)
                        }
                    }
                },
                Step::Settle { ch, delta, close } => match pick(&chans, ch) {
                    None => (1, settle(99, delta.max(1), &key, close), Some(5010)),
                    Some(i) => {
                        let m = &mut chans[i];
                        // A zero cumulative amount is malformed (refused before execution).
                        let delta = if m.settled == 0 { delta.max(1) } else { delta };
                        let cumulative = m.settled + delta;
                        let call = settle(m.id, cumulative, &key, close);
                        let expect = if m.closed {
                            Some(5016)
                        } else if m.closes_at != 0 && now >= m.closes_at {
                            Some(5019)
                        } else if delta == 0 {
                            Some(5014)
                        } else if cumulative > m.deposit {
                            Some(5015)
                        } else {
                            m.settled = cumulative;
                            m.closed = close;
                            None
                        };
                        (1, call, expect)
                    }
                },
                Step::Request { ch } => match pick(&chans, ch) {
                    None => (2, Call::Agents(crate::AgentsCall::RequestChannelClose(RequestChannelClose { channel: 99 })), Some(5010)),
                    Some(i) => {
                        let m = &mut chans[i];
                        let call = Call::Agents(crate::AgentsCall::RequestChannelClose(RequestChannelClose { channel: m.id }));
                        if m.closed {
                            (2, call, Some(5016))
                        } else {
                            if m.closes_at == 0 {
                                m.closes_at = now + TIMEOUT;
                            }
                            (2, call, None)
                        }
                    }
                },
                Step::Close { ch } => match pick(&chans, ch) {
                    None => (2, Call::Agents(crate::AgentsCall::CloseChannel(CloseChannel { channel: 99 })), Some(5010)),
                    Some(i) => {
                        let m = &mut chans[i];
                        let call = Call::Agents(crate::AgentsCall::CloseChannel(CloseChannel { channel: m.id }));
                        let expect = if m.closed {
                            Some(5016)
                        } else if m.closes_at == 0 {
                            Some(5017)
                        } else if now < m.closes_at {
                            Some(5018)
                        } else {
                            m.closed = true;
                            None
                        };
                        (2, call, expect)
                    }
                },
            };
            // Settled before this step, to check monotonicity.
            let before: Vec<u128> = chans.iter().map(|m| c.channel(m.id).settled).collect();
            let r = c.run(signer, call.clone());
            prop_assert_eq!(r.failure_code(), expect, "{:?}", call);
            let (payer, wallet, escrow) =
                (c.bal(addr(2), USD), c.bal(addr(1), USD), c.bal(escrow_address(), USD));
            prop_assert_eq!(payer + wallet + escrow, 2 * START, "value is conserved");
            let mut unsettled = 0;
            for (m, prev) in chans.iter().zip(before) {
                let ch = c.channel(m.id);
                prop_assert!(ch.settled >= prev, "settled decreased");
                prop_assert!(ch.settled <= ch.deposit, "settled above deposit");
                prop_assert_eq!((ch.deposit, ch.settled, ch.closed), (m.deposit, m.settled, m.closed));
                unsettled += ch.remaining();
            }
            prop_assert_eq!(escrow, unsettled, "escrow holds exactly the open channels' rest");
        }
    }
}

fn channel() -> impl Strategy<Value = crate::Channel> {
    (any::<[u8; 20]>(), any::<(u64, u32, u128, u128)>(), any::<[u8; 32]>(), any::<(u64, u64, bool)>())
        .prop_map(|(payer, (agent, asset, deposit, settled), key, (timeout_ms, closes_at_ms, closed))| {
            crate::Channel {
                payer: payer.into(),
                agent,
                asset,
                deposit,
                settled,
                voucher_key: pillar_primitives::SessionKey::Ed25519(key),
                timeout_ms,
                closes_at_ms,
                closed,
            }
        })
}

proptest! {
    /// The stored records survive borsh (the state's encoding).
    #[test]
    fn stored_records_round_trip(
        ch in channel(),
        rep in any::<(u64, u64, u64, u64, u64)>(),
        fb in (any::<[u8; 20]>(), any::<u8>(), ".{0,32}", ".{0,64}", any::<(u64, bool, bool)>()),
        agent in (any::<[u8; 20]>(), any::<[u8; 20]>(), ".{0,64}", prop::collection::vec((".{1,8}", ".{0,16}"), 0..8), any::<u64>()),
    ) {
        prop_assert_eq!(borsh::from_slice::<crate::Channel>(&borsh::to_vec(&ch).unwrap()).unwrap(), ch);
        let r = crate::Reputation { entries: rep.0, count: rep.1, score_sum: rep.2, paid_count: rep.3, paid_score_sum: rep.4 };
        prop_assert_eq!(borsh::from_slice::<crate::Reputation>(&borsh::to_vec(&r).unwrap()).unwrap(), r);
        let (client, score, tag, uri, (time_ms, paid, revoked)) = fb;
        let f = crate::Feedback { client: client.into(), score, tag, uri, time_ms, paid, revoked };
        prop_assert_eq!(borsh::from_slice::<crate::Feedback>(&borsh::to_vec(&f).unwrap()).unwrap(), f);
        let (owner, wallet, card_uri, meta, owner_index) = agent;
        let a = crate::Agent {
            owner: owner.into(),
            wallet: wallet.into(),
            card_uri,
            metadata: meta.into_iter().map(|(key, value)| crate::MetadataEntry { key, value }).collect(),
            owner_index,
        };
        prop_assert_eq!(borsh::from_slice::<crate::Agent>(&borsh::to_vec(&a).unwrap()).unwrap(), a);
    }
}
