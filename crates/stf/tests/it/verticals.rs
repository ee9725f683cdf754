//! Agents and items call kinds (tags 23 to 38): round trips through borsh and typed JSON, their
//! EIP-712 types, stateless limits, and vouchers against a hand-built EIP-712 digest.

use pillar_agents::{
    CloseChannel, FundChannel, GiveFeedback, MetadataEntry, OpenChannel, RegisterAgent, RequestChannelClose,
    RevokeFeedback, SettleChannel, TransferAgent, UpdateAgent,
};
use pillar_items::{
    BurnItems, CreateCollection, DefineItems, ItemAmount, ItemClass, MintItems, SetItemMinter, TransferItems,
};
use pillar_stf::CallSet;
use pillar_stf::{
    Address, Call, SessionSigner, SignedTransaction, Transaction, Voucher, keccak256,
    typed_json::TypedTransaction,
};
use proptest::prelude::*;

use crate::{
    roundtrip::{address, b256},
    sessions::session_key,
};

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(|c| c.into_iter().collect())
}

fn metadata() -> impl Strategy<Value = Vec<MetadataEntry>> {
    prop::collection::vec((text(8), text(8)).prop_map(|(key, value)| MetadataEntry { key, value }), 0..4)
}

fn amounts() -> impl Strategy<Value = Vec<ItemAmount>> {
    prop::collection::vec(
        (any::<u64>(), any::<u128>()).prop_map(|(item, amount)| ItemAmount { item, amount }),
        0..4,
    )
}

/// Every agents and items call kind, with arbitrary (not necessarily well-shaped) arguments.
fn vertical_call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (text(16), address(), metadata()).prop_map(|(card_uri, wallet, metadata)| Call::Agents(
            pillar_agents::AgentsCall::RegisterAgent(RegisterAgent { card_uri, wallet, metadata })
        )),
        (any::<u64>(), text(16), address(), metadata()).prop_map(|(agent, card_uri, wallet, metadata)| {
            Call::Agents(pillar_agents::AgentsCall::UpdateAgent(UpdateAgent {
                agent,
                card_uri,
                wallet,
                metadata,
            }))
        }),
        (any::<u64>(), address()).prop_map(|(agent, owner)| Call::Agents(
            pillar_agents::AgentsCall::TransferAgent(TransferAgent { agent, owner })
        )),
        (any::<u64>(), any::<u8>(), text(8), text(16)).prop_map(|(agent, score, tag, uri)| Call::Agents(
            pillar_agents::AgentsCall::GiveFeedback(GiveFeedback { agent, score, tag, uri })
        )),
        (any::<u64>(), any::<u64>()).prop_map(|(agent, index)| Call::Agents(
            pillar_agents::AgentsCall::RevokeFeedback(RevokeFeedback { agent, index })
        )),
        (any::<u64>(), any::<u32>(), any::<u128>(), session_key(), any::<u64>()).prop_map(
            |(agent, asset, amount, voucher_key, timeout_ms)| {
                Call::Agents(pillar_agents::AgentsCall::OpenChannel(OpenChannel {
                    agent,
                    asset,
                    amount,
                    voucher_key,
                    timeout_ms,
                }))
            }
        ),
        (any::<u64>(), any::<u128>()).prop_map(|(channel, amount)| Call::Agents(
            pillar_agents::AgentsCall::FundChannel(FundChannel { channel, amount })
        )),
        (any::<u64>(), any::<u128>(), prop::collection::vec(any::<u8>(), 0..70), any::<bool>()).prop_map(
            |(channel, cumulative, signature, close)| {
                Call::Agents(pillar_agents::AgentsCall::SettleChannel(SettleChannel {
                    channel,
                    cumulative,
                    signature,
                    close,
                }))
            }
        ),
        any::<u64>().prop_map(|channel| Call::Agents(pillar_agents::AgentsCall::RequestChannelClose(
            RequestChannelClose { channel }
        ))),
        any::<u64>().prop_map(|channel| Call::Agents(pillar_agents::AgentsCall::CloseChannel(
            CloseChannel { channel }
        ))),
        (text(16), text(16)).prop_map(|(name, uri)| Call::Items(pillar_items::ItemsCall::CreateCollection(
            CreateCollection { name, uri }
        ))),
        (any::<u32>(), address(), any::<bool>()).prop_map(|(collection, minter, enabled)| {
            Call::Items(pillar_items::ItemsCall::SetItemMinter(SetItemMinter { collection, minter, enabled }))
        }),
        (
            any::<u32>(),
            prop::collection::vec(
                (any::<u64>(), any::<u128>(), any::<bool>()).prop_map(|(item, max_supply, transferable)| {
                    ItemClass { item, max_supply, transferable }
                }),
                0..4
            )
        )
            .prop_map(|(collection, classes)| Call::Items(pillar_items::ItemsCall::DefineItems(
                DefineItems { collection, classes }
            ))),
        (any::<u32>(), address(), amounts()).prop_map(|(collection, to, items)| Call::Items(
            pillar_items::ItemsCall::MintItems(MintItems { collection, to, items })
        )),
        (any::<u32>(), address(), amounts()).prop_map(|(collection, to, items)| Call::Items(
            pillar_items::ItemsCall::TransferItems(TransferItems { collection, to, items })
        )),
        (any::<u32>(), amounts()).prop_map(|(collection, items)| Call::Items(
            pillar_items::ItemsCall::BurnItems(BurnItems { collection, items })
        )),
    ]
}

proptest! {
    /// Each call survives borsh and typed JSON, has an EIP-712 type and routes to its module.
    #[test]
    fn vertical_calls_round_trip(call in vertical_call(), r in b256(), s in b256()) {
        let stx = SignedTransaction {
            tx: Transaction { chain_id: 901, nonce: 3, max_fee: 9, call },
            signature: pillar_stf::Signature { r, s, v: 27 },
            envelope: None,
        };
        prop_assert_eq!(SignedTransaction::decode(&stx.encode()).unwrap(), stx.clone());
        let json = serde_json::to_string(&TypedTransaction::from_signed(&stx)).unwrap();
        let back: TypedTransaction = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.into_signed().unwrap(), stx.clone());
        prop_assert!(pillar_stf::eip712::encode_type::<Call>(stx.tx.call.type_name()).is_some());
        prop_assert_eq!(borsh::to_vec(&stx.tx.call).unwrap()[0], stx.tx.call.tag(), "declared tag is the borsh tag");
        let tag = stx.tx.call.tag();
        prop_assert!((23..=38).contains(&tag));
        prop_assert_eq!(stx.tx.call.module(), if tag <= 32 { "agents" } else { "items" });
        // The borsh enum tag is the call's first byte after chain id, nonce and max fee.
        prop_assert_eq!(pillar_stf::codec::encode(&stx.tx.call)[0], tag);
    }
}

#[test]
fn stateless_limits_of_the_vertical_calls() {
    let ok = |c: Call| c.check_shape().unwrap();
    let bad = |c: Call, needle: &str| {
        let e = c.check_shape().unwrap_err();
        assert!(e.contains(needle), "{e} lacks {needle:?}");
    };
    let entry = |k: &str| MetadataEntry { key: k.into(), value: "v".into() };
    let reg = |card_uri: &str, metadata: Vec<MetadataEntry>| {
        Call::Agents(pillar_agents::AgentsCall::RegisterAgent(RegisterAgent {
            card_uri: card_uri.into(),
            wallet: Address::ZERO,
            metadata,
        }))
    };
    ok(reg("https://a.example/card.json", vec![entry("model"), entry("price")]));
    bad(reg("", vec![]), "card URI");
    bad(reg(&"x".repeat(257), vec![]), "card URI");
    bad(reg("u", vec![entry("a"), entry("a")]), "distinct");
    bad(reg("u", (0..9).map(|i| entry(&i.to_string())).collect()), "at most 8");
    bad(reg("u", vec![entry("")]), "key");
    bad(
        Call::Agents(pillar_agents::AgentsCall::GiveFeedback(GiveFeedback {
            agent: 1,
            score: 101,
            tag: String::new(),
            uri: String::new(),
        })),
        "0 to 100",
    );
    bad(
        Call::Agents(pillar_agents::AgentsCall::TransferAgent(TransferAgent {
            agent: 1,
            owner: Address::ZERO,
        })),
        "zero",
    );
    let key = SessionSigner::ed25519([3; 32]).public_key();
    let open = |amount, timeout_ms| {
        Call::Agents(pillar_agents::AgentsCall::OpenChannel(OpenChannel {
            agent: 1,
            asset: 0,
            amount,
            voucher_key: key,
            timeout_ms,
        }))
    };
    ok(open(5, 1));
    bad(open(0, 1), "deposit");
    bad(open(5, 0), "timeout");
    // A small-order ed25519 key would accept forged vouchers.
    let weak = pillar_stf::SessionKey::Ed25519([0; 32]);
    bad(
        Call::Agents(pillar_agents::AgentsCall::OpenChannel(OpenChannel {
            agent: 1,
            asset: 0,
            amount: 1,
            voucher_key: weak,
            timeout_ms: 1,
        })),
        "voucher",
    );
    let settle = |sig: Vec<u8>, cumulative| {
        Call::Agents(pillar_agents::AgentsCall::SettleChannel(SettleChannel {
            channel: 1,
            cumulative,
            signature: sig,
            close: false,
        }))
    };
    ok(settle(vec![0; 64], 1));
    bad(settle(vec![0; 65], 1), "64 bytes");
    bad(settle(vec![0; 64], 0), "positive");
    let items = |v: Vec<(u64, u128)>| {
        v.into_iter().map(|(item, amount)| ItemAmount { item, amount }).collect::<Vec<_>>()
    };
    ok(Call::Items(pillar_items::ItemsCall::TransferItems(TransferItems {
        collection: 1,
        to: Address::ZERO,
        items: items(vec![(1, 1), (2, 5)]),
    })));
    bad(
        Call::Items(pillar_items::ItemsCall::TransferItems(TransferItems {
            collection: 1,
            to: Address::ZERO,
            items: vec![],
        })),
        "1 to 64",
    );
    bad(
        Call::Items(pillar_items::ItemsCall::MintItems(MintItems {
            collection: 1,
            to: Address::ZERO,
            items: items(vec![(1, 0)]),
        })),
        "positive",
    );
    bad(
        Call::Items(pillar_items::ItemsCall::BurnItems(BurnItems {
            collection: 1,
            items: items(vec![(1, 1), (1, 2)]),
        })),
        "once",
    );
    bad(
        Call::Items(pillar_items::ItemsCall::BurnItems(BurnItems {
            collection: 1,
            items: items((0..65).map(|i| (i, 1)).collect()),
        })),
        "1 to 64",
    );
    let class = |item, max_supply| ItemClass { item, max_supply, transferable: true };
    bad(
        Call::Items(pillar_items::ItemsCall::DefineItems(DefineItems {
            collection: 1,
            classes: vec![class(1, 0)],
        })),
        "cap",
    );
    bad(
        Call::Items(pillar_items::ItemsCall::CreateCollection(CreateCollection {
            name: String::new(),
            uri: String::new(),
        })),
        "name",
    );
}

/// The voucher digest is plain EIP-712, so any wallet library can produce it:
/// `keccak256(0x1901 ‖ domainSeparator ‖ keccak256(typeHash ‖ channel ‖ cumulative))`.
#[test]
fn voucher_digest_is_standard_eip712() {
    let v = Voucher { chain_id: 901, channel: 7, cumulative: 123_456 };
    let type_hash = keccak256("Voucher(uint64 channel,uint128 cumulative)");
    let mut enc = type_hash.to_vec();
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&7u64.to_be_bytes());
    enc.extend_from_slice(&word);
    let mut word = [0u8; 32];
    word[16..].copy_from_slice(&123_456u128.to_be_bytes());
    enc.extend_from_slice(&word);
    let struct_hash = keccak256(&enc);
    let domain = pillar_stf::eip712::domain(901).separator();
    let mut msg = vec![0x19, 0x01];
    msg.extend_from_slice(domain.as_slice());
    msg.extend_from_slice(struct_hash.as_slice());
    assert_eq!(v.signing_hash(), keccak256(&msg));
    assert_eq!(
        pillar_stf::eip712::encode_type::<Call>("Voucher").unwrap(),
        "Voucher(uint64 channel,uint128 cumulative)"
    );
}
