//! One test per rule: collections, minters, classes, mints and caps, unique items, soulbound
//! items, transfers, burns, batches, queries, session keys.

#![allow(clippy::unwrap_used)]

use pillar_primitives::{Address, NATIVE_ASSET, SessionSigner};
use pillar_sessions::{AuthorizeSession, SetSponsorPolicy, SpendCap};
use serde_json::json;

use crate::{
    HOLDINGS, ITEMS, ItemsError, NEXT_COLLECTION, OWNERS,
    testkit::{
        Call, Chain, Counted, Event, FEE, GAME, addr, burn, create, define, direct, mint, moves, set_minter,
        transfer,
    },
};

const SWORD: u64 = 1; // unique, transferable
const GOLD: u64 = 2; // fungible, cap 1,000
const BADGE: u64 = 3; // fungible, cap 10, soulbound
const CLASSES: &[(u64, u128, bool)] = &[(SWORD, 1, true), (GOLD, 1_000, true), (BADGE, 10, false)];

fn zero() -> Address {
    Address::ZERO
}

#[test]
fn collections_are_numbered_from_one_and_the_creator_is_issuer_and_minter() {
    let mut c = Chain::new();
    let r = c.ok(GAME, create("heroes"));
    assert_eq!(
        r.events[1..],
        [
            Event::Items(crate::ItemsEvent::CollectionCreated {
                collection: 1,
                issuer: addr(GAME),
                name: "heroes".into()
            }),
            Event::Items(crate::ItemsEvent::ItemMinterChanged {
                collection: 1,
                minter: addr(GAME),
                enabled: true
            }),
        ]
    );
    c.ok(0, create("other"));
    let q = c.query("collection", json!({"collection": 1}));
    assert_eq!(q["issuer"], json!(addr(GAME)));
    assert_eq!(
        (q["name"].as_str(), q["uri"].as_str()),
        (Some("heroes"), Some("https://game.example/heroes/"))
    );
    assert_eq!(c.query("collection", json!({"collection": 2}))["issuer"], json!(addr(0)));
    assert_eq!(c.query("collection", json!({"collection": 3})), json!(null));
    assert_eq!(c.query("nextCollectionId", json!({})), json!(3));
    assert_eq!(c.query("isMinter", json!({"collection": 1, "account": addr(GAME)})), json!(true));
    assert_eq!(c.query("isMinter", json!({"collection": 1, "account": addr(0)})), json!(false));
}

#[test]
fn collection_ids_run_out_at_u32_max() {
    let mut c = Chain::new();
    NEXT_COLLECTION.set(&mut c.state, &u32::MAX);
    assert_eq!(c.fails(GAME, create("last")), 6010);
    NEXT_COLLECTION.set(&mut c.state, &(u32::MAX - 1));
    c.ok(GAME, create("last"));
    assert_eq!(c.query("collection", json!({"collection": u32::MAX - 1}))["name"], "last");
}

#[test]
fn only_the_issuer_appoints_minters_and_minters_mint() {
    let mut c = Chain::with_collection(CLASSES);
    assert_eq!(c.fails(0, set_minter(1, addr(0), true)), 6002);
    assert_eq!(c.fails(GAME, set_minter(9, addr(0), true)), 6001);
    assert_eq!(c.fails(0, mint(1, addr(0), &[(GOLD, 1)])), 6003);
    assert_eq!(c.fails(0, mint(9, addr(0), &[(GOLD, 1)])), 6001);
    // The game's server key (6) mints once appointed, and not after it is dismissed.
    let r = c.ok(GAME, set_minter(1, addr(6), true));
    assert_eq!(
        r.events[1],
        Event::Items(crate::ItemsEvent::ItemMinterChanged { collection: 1, minter: addr(6), enabled: true })
    );
    assert_eq!(c.query("isMinter", json!({"collection": 1, "account": addr(6)})), json!(true));
    c.ok(6, mint(1, addr(0), &[(GOLD, 5)]));
    // A minter is not an issuer.
    assert_eq!(c.fails(6, set_minter(1, addr(5), true)), 6002);
    assert_eq!(c.fails(6, define(1, &[(9, 1, true)])), 6002);
    c.ok(GAME, set_minter(1, addr(6), false));
    assert_eq!(c.fails(6, mint(1, addr(0), &[(GOLD, 5)])), 6003);
    // The issuer may dismiss itself and appoint itself again.
    c.ok(GAME, set_minter(1, addr(GAME), false));
    assert_eq!(c.fails(GAME, mint(1, addr(0), &[(GOLD, 5)])), 6003);
    c.ok(GAME, set_minter(1, addr(GAME), true));
    c.ok(GAME, mint(1, addr(0), &[(GOLD, 5)]));
    assert_eq!(c.held(1, GOLD, 0), 10);
}

#[test]
fn classes_are_defined_by_the_issuer_once() {
    let mut c = Chain::new();
    c.ok(GAME, create("heroes"));
    assert_eq!(c.fails(0, define(1, CLASSES)), 6002);
    assert_eq!(c.fails(GAME, define(2, CLASSES)), 6001);
    let r = c.ok(GAME, define(1, CLASSES));
    assert_eq!(
        r.events[1..],
        [
            Event::Items(crate::ItemsEvent::ItemDefined {
                collection: 1,
                item: SWORD,
                max_supply: 1,
                transferable: true
            }),
            Event::Items(crate::ItemsEvent::ItemDefined {
                collection: 1,
                item: GOLD,
                max_supply: 1_000,
                transferable: true
            }),
            Event::Items(crate::ItemsEvent::ItemDefined {
                collection: 1,
                item: BADGE,
                max_supply: 10,
                transferable: false
            }),
        ]
    );
    // Redefining is refused, and a batch with one defined item defines none of the others.
    assert_eq!(c.fails(GAME, define(1, &[(GOLD, 5_000, true)])), 6005);
    assert_eq!(c.fails(GAME, define(1, &[(4, 7, true), (BADGE, 10, true)])), 6005);
    assert_eq!(c.query("item", json!({"collection": 1, "item": 4})), json!(null));
    let q = c.query("item", json!({"collection": 1, "item": GOLD}));
    assert_eq!(
        q,
        json!({
            "collection": 1, "item": GOLD, "maxSupply": "1000", "transferable": true, "unique": false,
            "minted": "0", "burned": "0", "circulating": "0",
        })
    );
    assert_eq!(c.query("item", json!({"collection": 1, "item": SWORD}))["unique"], json!(true));
}

#[test]
fn mints_are_capped_checked_and_all_or_nothing() {
    let mut c = Chain::with_collection(CLASSES);
    let r = c.ok(GAME, mint(1, addr(0), &[(GOLD, 600), (BADGE, 1)]));
    assert_eq!(moves(&r), [(GOLD, zero(), addr(0), 600), (BADGE, zero(), addr(0), 1)]);
    assert_eq!(c.fails(GAME, mint(1, addr(0), &[(4, 1)])), 6004);
    assert_eq!(c.fails(GAME, mint(1, zero(), &[(GOLD, 1)])), 6009);
    assert_eq!(c.fails(GAME, mint(1, addr(1), &[(GOLD, 401)])), 6006);
    // One bad entry (last) and nothing is minted: no holdings, no supply, no events.
    let r = c.send(GAME, mint(1, addr(1), &[(GOLD, 400), (BADGE, 1), (4, 1)]));
    assert!(!r.is_success());
    assert!(moves(&r).is_empty());
    let r = c.send(GAME, mint(1, addr(1), &[(BADGE, 1), (GOLD, 401)]));
    assert!(matches!(r.status, pillar_primitives::TxStatus::Failed { code: 6006, .. }));
    assert_eq!((c.held(1, GOLD, 1), c.held(1, BADGE, 1)), (0, 0));
    assert_eq!(c.query("item", json!({"collection": 1, "item": GOLD}))["minted"], "600");
    // Up to the cap exactly.
    c.ok(GAME, mint(1, addr(1), &[(GOLD, 400)]));
    assert_eq!(c.fails(GAME, mint(1, addr(1), &[(GOLD, 1)])), 6006);
    // An amount that overflows u128 is over the cap too.
    c.ok(GAME, define(1, &[(9, u128::MAX, true)]));
    c.ok(GAME, mint(1, addr(1), &[(9, u128::MAX)]));
    assert_eq!(c.fails(GAME, mint(1, addr(1), &[(9, 1)])), 6006);
    assert_eq!(c.held(1, 9, 1), u128::MAX);
}

#[test]
fn unique_items_have_one_owner_and_are_never_reminted() {
    let mut c = Chain::with_collection(CLASSES);
    let q = json!({"collection": 1, "item": SWORD});
    assert_eq!(c.query("ownerOf", q.clone()), json!(null));
    c.ok(GAME, mint(1, addr(0), &[(SWORD, 1)]));
    assert_eq!(c.query("ownerOf", q.clone()), json!(addr(0)));
    assert_eq!(c.fails(GAME, mint(1, addr(1), &[(SWORD, 1)])), 6006);
    assert_eq!(c.fails(1, transfer(1, addr(2), &[(SWORD, 1)])), 6008);
    let r = c.ok(0, transfer(1, addr(1), &[(SWORD, 1)]));
    assert_eq!(moves(&r), [(SWORD, addr(0), addr(1), 1)]);
    assert_eq!(c.query("ownerOf", q.clone()), json!(addr(1)));
    assert_eq!((c.held(1, SWORD, 0), c.held(1, SWORD, 1)), (0, 1));
    // The sender's zero holding is deleted, not stored.
    assert_eq!(HOLDINGS.get(&c.state, &(1, SWORD, addr(0))).unwrap(), None);
    let r = c.ok(1, burn(1, &[(SWORD, 1)]));
    assert_eq!(moves(&r), [(SWORD, addr(1), zero(), 1)]);
    assert_eq!(c.query("ownerOf", q.clone()), json!(null));
    // Burning does not free the cap: the sword is gone for good.
    assert_eq!(c.fails(GAME, mint(1, addr(1), &[(SWORD, 1)])), 6006);
    let i = c.query("item", q);
    assert_eq!(
        (i["minted"].as_str(), i["burned"].as_str(), i["circulating"].as_str()),
        (Some("1"), Some("1"), Some("0"))
    );
    // Fungible items have no owner index.
    c.ok(GAME, mint(1, addr(1), &[(GOLD, 1)]));
    assert_eq!(c.query("ownerOf", json!({"collection": 1, "item": GOLD})), json!(null));
}

#[test]
fn soulbound_items_cannot_move_but_can_be_burned() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(GAME, mint(1, addr(0), &[(BADGE, 3), (GOLD, 3)]));
    assert_eq!(c.fails(0, transfer(1, addr(1), &[(BADGE, 1)])), 6007);
    // Not even together with a movable item, nor to oneself.
    assert_eq!(c.fails(0, transfer(1, addr(1), &[(GOLD, 1), (BADGE, 1)])), 6007);
    assert_eq!(c.fails(0, transfer(1, addr(0), &[(BADGE, 1)])), 6007);
    assert_eq!((c.held(1, BADGE, 0), c.held(1, GOLD, 0), c.held(1, GOLD, 1)), (3, 3, 0));
    c.ok(0, burn(1, &[(BADGE, 2)]));
    assert_eq!(c.held(1, BADGE, 0), 1);
    // Burned units of a soulbound item stay counted against its cap.
    c.ok(GAME, mint(1, addr(0), &[(BADGE, 7)]));
    assert_eq!(c.fails(GAME, mint(1, addr(0), &[(BADGE, 1)])), 6006);
}

#[test]
fn transfers_check_every_entry_before_moving_any() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(GAME, mint(1, addr(0), &[(GOLD, 100), (SWORD, 1)]));
    assert_eq!(c.fails(0, transfer(1, addr(1), &[(GOLD, 101)])), 6008);
    assert_eq!(c.fails(0, transfer(1, addr(1), &[(4, 1)])), 6004);
    assert_eq!(c.fails(0, transfer(9, addr(1), &[(GOLD, 1)])), 6001);
    assert_eq!(c.fails(0, transfer(1, zero(), &[(GOLD, 1)])), 6009);
    // The last entry fails: the first two do not move.
    let r = c.send(0, transfer(1, addr(1), &[(GOLD, 10), (SWORD, 1), (GOLD + 10, 1)]));
    assert!(matches!(r.status, pillar_primitives::TxStatus::Failed { code: 6004, .. }));
    assert!(r.events.iter().all(|e| !matches!(e, Event::Items(crate::ItemsEvent::ItemsMoved { .. }))));
    assert_eq!(r.fee_paid, FEE);
    assert_eq!((c.held(1, GOLD, 0), c.held(1, SWORD, 0), c.held(1, GOLD, 1)), (100, 1, 0));
    assert_eq!(c.query("ownerOf", json!({"collection": 1, "item": SWORD})), json!(addr(0)));
    // A good batch moves everything, one event per item in order.
    let r = c.ok(0, transfer(1, addr(1), &[(GOLD, 100), (SWORD, 1)]));
    assert_eq!(moves(&r), [(GOLD, addr(0), addr(1), 100), (SWORD, addr(0), addr(1), 1)]);
    assert_eq!((c.held(1, GOLD, 0), c.held(1, GOLD, 1)), (0, 100));
    assert_eq!(HOLDINGS.get(&c.state, &(1, GOLD, addr(0))).unwrap(), None);
    // Sending to oneself is allowed, needs the holdings, and changes nothing.
    let r = c.ok(1, transfer(1, addr(1), &[(GOLD, 40), (SWORD, 1)]));
    assert_eq!(moves(&r), [(GOLD, addr(1), addr(1), 40), (SWORD, addr(1), addr(1), 1)]);
    assert_eq!((c.held(1, GOLD, 1), c.held(1, SWORD, 1)), (100, 1));
    assert_eq!(c.query("ownerOf", json!({"collection": 1, "item": SWORD})), json!(addr(1)));
    assert_eq!(c.fails(1, transfer(1, addr(1), &[(GOLD, 101)])), 6008);
}

#[test]
fn burns_take_from_the_sender_and_count_in_supply() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(GAME, mint(1, addr(0), &[(GOLD, 50)]));
    assert_eq!(c.fails(0, burn(1, &[(GOLD, 51)])), 6008);
    assert_eq!(c.fails(1, burn(1, &[(GOLD, 1)])), 6008);
    assert_eq!(c.fails(0, burn(1, &[(4, 1)])), 6004);
    assert_eq!(c.fails(0, burn(9, &[(GOLD, 1)])), 6001);
    // All or nothing.
    assert_eq!(c.fails(0, burn(1, &[(GOLD, 20), (SWORD, 1)])), 6008);
    assert_eq!(c.held(1, GOLD, 0), 50);
    let r = c.ok(0, burn(1, &[(GOLD, 20)]));
    assert_eq!(moves(&r), [(GOLD, addr(0), zero(), 20)]);
    let i = c.query("item", json!({"collection": 1, "item": GOLD}));
    assert_eq!(
        (i["minted"].as_str(), i["burned"].as_str(), i["circulating"].as_str()),
        (Some("50"), Some("20"), Some("30"))
    );
    c.ok(0, burn(1, &[(GOLD, 30)]));
    assert_eq!(HOLDINGS.get(&c.state, &(1, GOLD, addr(0))).unwrap(), None);
}

#[test]
fn collections_are_separate() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(0, create("rival"));
    c.ok(0, define(2, &[(GOLD, 5, true)]));
    c.ok(GAME, mint(1, addr(1), &[(GOLD, 100)]));
    assert_eq!(c.fails(GAME, mint(2, addr(1), &[(GOLD, 1)])), 6003);
    assert_eq!(c.fails(1, transfer(2, addr(2), &[(GOLD, 1)])), 6008);
    c.ok(0, mint(2, addr(1), &[(GOLD, 5)]));
    assert_eq!((c.held(1, GOLD, 1), c.held(2, GOLD, 1)), (100, 5));
}

#[test]
fn queries_read_holdings_and_name_proof_keys() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(GAME, mint(1, addr(0), &[(GOLD, 7), (SWORD, 1)]));
    assert_eq!(c.query("balance", json!({"collection": 1, "item": GOLD, "holder": addr(0)})), json!("7"));
    assert_eq!(c.query("balance", json!({"collection": 1, "item": GOLD, "holder": addr(1)})), json!("0"));
    assert_eq!(
        c.query("balances", json!({"collection": 1, "holder": addr(0), "items": [GOLD, BADGE, SWORD]})),
        json!([{"item": GOLD, "amount": "7"}, {"item": BADGE, "amount": "0"}, {"item": SWORD, "amount": "1"}])
    );
    let many: Vec<u64> = (0..101).collect();
    let q = c.rt.query(
        &c.state,
        "items",
        "balances",
        &json!({"collection": 1, "holder": addr(0), "items": many}),
    );
    assert!(matches!(q, Err(pillar_runtime::QueryError::BadParams { .. })));
    let q = c.rt.query(&c.state, "items", "balance", &json!({"collection": 1, "item": GOLD}));
    assert!(matches!(q, Err(pillar_runtime::QueryError::BadParams { .. })));
    let q = c.rt.query(&c.state, "items", "supply", &json!({}));
    assert!(matches!(q, Err(pillar_runtime::QueryError::UnknownMethod { .. })));
    // Proof keys are the state keys.
    let k = c.rt.state_key("items", "balance", &json!({"collection": 1, "item": GOLD, "holder": addr(0)}));
    assert_eq!(k.unwrap(), HOLDINGS.key(&(1, GOLD, addr(0))));
    assert_eq!(
        c.rt.state_key("items", "item", &json!({"collection": 1, "item": GOLD})).unwrap(),
        ITEMS.key(&(1, GOLD))
    );
    assert_eq!(
        c.rt.state_key("items", "ownerOf", &json!({"collection": 1, "item": SWORD})).unwrap(),
        OWNERS.key(&(1, SWORD))
    );
    assert!(c.rt.state_key("items", "minter", &json!({})).is_err());
}

fn item_session(signer: &SessionSigner, calls: u64) -> Call {
    Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(AuthorizeSession {
        key: signer.public_key(),
        calls,
        expires_ms: 100_000,
        window_ms: 0,
        max_txs: 0,
        // Unsponsored, the fee is the session's only spending.
        caps: vec![SpendCap { asset: NATIVE_ASSET, total: 1_000, per_window: 0 }],
    }))
}

#[test]
fn session_keys_move_items_within_their_scope_and_the_game_can_pay() {
    let mut c = Chain::with_collection(CLASSES);
    c.ok(GAME, mint(1, addr(0), &[(GOLD, 10), (SWORD, 1)]));
    c.ok(
        GAME,
        Call::Sessions(pillar_sessions::SessionsCall::SetSponsorPolicy(SetSponsorPolicy {
            budget: 100 * FEE,
            calls: 1 << 37 | 1 << 38,
            window_ms: 0,
            max_txs_per_user: 0,
        })),
    );
    let s = SessionSigner::ed25519([1; 32]);
    // Only TransferItems (tag 37) and BurnItems (tag 38).
    c.ok(0, item_session(&s, 1 << 37 | 1 << 38));
    let r = c.session(&s, 0, Some(GAME), transfer(1, addr(1), &[(GOLD, 4), (SWORD, 1)])).unwrap();
    assert!(r.is_success(), "{:?}", r.status);
    assert_eq!(r.sender, addr(0));
    assert_eq!(c.query("ownerOf", json!({"collection": 1, "item": SWORD})), json!(addr(1)));
    assert!(c.session(&s, 0, Some(GAME), burn(1, &[(GOLD, 1)])).unwrap().is_success());
    assert_eq!(c.held(1, GOLD, 0), 5);
    // Item rules still bind a session: a failed call with a receipt.
    let r = c.session(&s, 0, Some(GAME), transfer(1, addr(1), &[(GOLD, 6)])).unwrap();
    assert!(matches!(r.status, pillar_primitives::TxStatus::Failed { code: 6008, .. }));
    // Out of scope: refused by the sessions module before the call.
    assert_eq!(c.session(&s, 0, None, create("mine")).unwrap_err(), 4004);
    let only_burn = SessionSigner::ed25519([2; 32]);
    c.ok(0, item_session(&only_burn, 1 << 38));
    assert_eq!(c.session(&only_burn, 0, None, transfer(1, addr(1), &[(GOLD, 1)])).unwrap_err(), 4004);
    assert!(c.session(&only_burn, 0, None, burn(1, &[(GOLD, 1)])).unwrap().is_success());
    // A game server acting with a session for the issuer can mint if tag 36 is allowed.
    let server = SessionSigner::ed25519([3; 32]);
    c.ok(GAME, item_session(&server, 1 << 36));
    assert!(c.session(&server, GAME, None, mint(1, addr(2), &[(GOLD, 1)])).unwrap().is_success());
    assert_eq!(c.held(1, GOLD, 2), 1);
}

#[test]
fn the_module_itself_writes_nothing_when_a_call_fails() {
    // Driven directly (no runtime revert): checks all come before writes.
    let (game, p) = (Address::repeat_byte(7), Address::repeat_byte(1));
    let mut s = Counted::default();
    assert!(direct(&mut s, game, &create("heroes")).0.is_ok());
    assert!(direct(&mut s, game, &define(1, CLASSES)).0.is_ok());
    assert!(direct(&mut s, game, &mint(1, p, &[(GOLD, 5), (SWORD, 1)])).0.is_ok());
    for (sender, call, code) in [
        (game, define(1, &[(7, 1, true), (GOLD, 1, true)]), 6005),
        (game, mint(1, p, &[(GOLD, 5), (SWORD, 1)]), 6006),
        (game, mint(1, p, &[(GOLD, 5), (8, 1)]), 6004),
        (p, transfer(1, game, &[(GOLD, 5), (SWORD, 1), (GOLD + 100, 1)]), 6004),
        (p, transfer(1, game, &[(SWORD, 1), (GOLD, 6)]), 6008),
        (p, burn(1, &[(SWORD, 1), (GOLD, 6)]), 6008),
        // Stateless limits are checked again: duplicates and zero amounts never reach state.
        (p, transfer(1, game, &[(GOLD, 3), (GOLD, 3)]), 6098),
        (p, burn(1, &[(GOLD, 0)]), 6098),
        (game, define(1, &[]), 6098),
        // A call of another module is a routing error.
        (
            p,
            Call::Assets(pillar_assets::AssetsCall::Burn(pillar_assets::Burn { asset: 1, amount: 1 })),
            pillar_runtime::MISROUTED,
        ),
    ] {
        let (out, writes) = direct(&mut s, sender, &call);
        assert_eq!(out.unwrap_err(), code, "{call:?}");
        assert_eq!(writes, 0, "{call:?} wrote");
    }
    assert_eq!(crate::holding(&s, 1, GOLD, p).unwrap(), 5);
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let a = Address::ZERO;
    let all = [
        ItemsError::UnknownCollection { collection: 1 },
        ItemsError::NotIssuer { collection: 1, account: a },
        ItemsError::NotMinter { collection: 1, account: a },
        ItemsError::UnknownItem { collection: 1, item: 1 },
        ItemsError::ItemAlreadyDefined { collection: 1, item: 1 },
        ItemsError::SupplyCapExceeded { collection: 1, item: 1, minted: 0, amount: 2, max_supply: 1 },
        ItemsError::Soulbound { collection: 1, item: 1 },
        ItemsError::InsufficientItems { collection: 1, item: 1, holder: a, balance: 0, needed: 1 },
        ItemsError::ZeroRecipient,
        ItemsError::CollectionIdsExhausted,
        ItemsError::Malformed { reason: "x" },
        ItemsError::Overflow { what: "x" },
    ];
    let codes: Vec<u32> = all.iter().map(ItemsError::code).collect();
    assert_eq!(codes, [6001, 6002, 6003, 6004, 6005, 6006, 6007, 6008, 6009, 6010, 6098, 6099]);
    let r = pillar_runtime::Revert::from(all[5].clone());
    assert!(r.reason.contains("max supply 1"), "{}", r.reason);
}

#[test]
fn collections_can_be_set_up_by_genesis_calls() {
    use std::sync::Arc;
    let studio = addr(GAME);
    let genesis = pillar_runtime::Genesis {
        calls: [create("quest"), define(1, CLASSES), mint(1, addr(0), &[(SWORD, 1), (GOLD, 5)])]
            .into_iter()
            .map(|call| pillar_runtime::GenesisCall::new(studio, &call))
            .collect(),
        ..Default::default()
    };
    let rt = pillar_runtime::Runtime::<Call, Event>::new(1, vec![Arc::new(crate::Items)]);
    let mut state = pillar_state::MemoryState::default();
    rt.genesis(&genesis, &mut state).unwrap();
    assert_eq!(OWNERS.get(&state, &(1, SWORD)).unwrap(), Some(addr(0)));
    assert_eq!(crate::holding(&state, 1, GOLD, addr(0)).unwrap(), 5);
    // A refused genesis call stops genesis with the item code in the reason.
    let bad = pillar_runtime::Genesis {
        calls: vec![pillar_runtime::GenesisCall::new(studio, &mint(1, addr(0), &[(GOLD, 1)]))],
        ..Default::default()
    };
    let err = rt.genesis(&bad, &mut pillar_state::MemoryState::default()).unwrap_err();
    assert!(err.to_string().contains("6001"), "{err}");
}
