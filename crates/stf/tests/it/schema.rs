//! The call table against what depends on it: borsh tags, the docs' EIP-712 tables, the schema.

use borsh::BorshSerialize;
use pillar_assets::Transfer;
use pillar_compliance::SetComplianceRules;
use pillar_sessions::{AuthorizeSession, SESSION_MANAGEMENT_TAGS, SetSponsorPolicy};
use pillar_stf::CallSet;
use pillar_stf::{Call, CallKind, eip712, keccak256, schema::ChainSchema};

fn docs() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/transactions.md");
    std::fs::read_to_string(path).expect("docs/transactions.md")
}

#[test]
fn every_call_kind_is_documented_with_its_derived_eip712_type() {
    let docs = docs();
    for name in Call::type_names() {
        let full = Call::encode_type_of(name).unwrap();
        // The primary type's own part; referenced structs are listed on their own lines.
        let own = full.split_inclusive(')').next().unwrap();
        assert!(docs.contains(own), "docs/transactions.md §4 lacks {own}");
        for referenced in full.split_inclusive(')').skip(1) {
            assert!(docs.contains(referenced), "docs/transactions.md §4 lacks {referenced}");
        }
        // Where the table gives a typehash, it is keccak256 of the full encodeType.
        let row = format!("| {name} | `");
        if let Some(line) = docs.lines().find(|l| l.starts_with(&row)) {
            let hash = line.rsplit('`').nth(1).unwrap();
            assert_eq!(hash, format!("{:#x}", keccak256(full.as_bytes())), "{name} typehash in the docs");
        }
    }
}

#[test]
fn tags_are_the_borsh_order_and_names_are_unique() {
    let schema = Call::schema();
    assert_eq!(schema.len(), Call::type_names().len());
    for (i, c) in schema.iter().enumerate() {
        assert_eq!(usize::from(c.tag), i, "{} is declared with tag {} at position {i}", c.name, c.tag);
        assert_eq!(Call::type_names()[i], c.name);
        assert!(c.eip712_type.starts_with(&format!("{}(", c.name)));
        assert!(c.eip712_type.contains("uint64 nonce,uint128 maxFee)"), "{}", c.eip712_type);
    }
    let mut names: Vec<_> = Call::type_names();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Call::type_names().len());
    let t = Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
        to: Default::default(),
        asset: 0,
        amount: 1,
    }));
    assert_eq!(borsh::to_vec(&t).unwrap()[0], t.tag());
    let mut buf = Vec::new();
    t.serialize(&mut buf).unwrap();
    assert_eq!(buf[0], 0);
}

#[test]
fn a_chain_schema_lists_only_its_modules_calls_and_events() {
    let s = ChainSchema::new::<Call, pillar_stf::Event>(7, vec!["accounts", "assets", "bridge"]);
    assert_eq!(s.eip712_domain.chain_id, 7);
    let names: Vec<_> = s.calls.iter().map(|c| c.name).collect();
    assert_eq!(names, ["Transfer", "CreateAsset", "Mint", "Burn", "SetAssetRole", "Withdraw"]);
    assert_eq!(s.calls[0].doc, "move an amount of an asset to another account.");
    let transfer = s.events.iter().find(|e| e.name == "transfer").unwrap();
    let fields: Vec<_> = transfer.fields.iter().map(|f| (f.name, f.ty.as_ref())).collect();
    assert_eq!(fields, [("asset", "uint32"), ("from", "address"), ("to", "address"), ("amount", "uint128")]);
    // Only its modules' events, each naming its module; the full list is in borsh order.
    assert!(s.events.iter().all(|e| ["assets", "bridge"].contains(&e.module)), "{:?}", s.events);
    assert!(!s.events.iter().any(|e| e.name == "walletFrozen" || e.name == "itemsMoved"));
    let all = ChainSchema::new::<Call, pillar_stf::Event>(
        7,
        vec!["accounts", "assets", "bridge", "compliance", "sessions", "agents", "items"],
    );
    for (i, e) in all.events.iter().enumerate() {
        assert_eq!(usize::from(e.tag), i, "{}", e.name);
        assert!(!e.module.is_empty(), "{} names its module", e.name);
    }
    let withdrawal = s.events.iter().find(|e| e.name == "withdrawalInitiated").unwrap();
    let ev = pillar_stf::Event::Bridge(pillar_bridge::BridgeEvent::WithdrawalInitiated {
        index: 0,
        l2_block: 0,
        sender: Default::default(),
        l1_recipient: Default::default(),
        l1_token: Default::default(),
        amount: 0,
        leaf: Default::default(),
    });
    assert_eq!(borsh::to_vec(&ev).unwrap()[0], withdrawal.tag);
    assert!(withdrawal.fields.iter().any(|f| f.name == "l1Recipient"));
    // The voucher type stays what payees sign.
    assert_eq!(eip712::encode_type::<Call>("Voucher").unwrap(), "Voucher(uint64 channel,uint128 cumulative)");
}

#[test]
fn call_kinds_know_their_place_in_the_table() {
    let schema = Call::schema();
    let of = |name: &str| schema.iter().find(|c| c.name == name).unwrap().clone();
    assert_eq!((Transfer::TAG, Transfer::MODULE, Transfer::NAME), (0, "assets", "Transfer"));
    let rules = of("SetComplianceRules");
    assert_eq!(
        (<Box<SetComplianceRules>>::TAG, <Box<SetComplianceRules>>::MODULE),
        (rules.tag, rules.module)
    );
    // Session keys may never send these (a wire rule: the tags are in signed session scopes).
    assert_eq!(SESSION_MANAGEMENT_TAGS, [20, 22]);
    assert_eq!([AuthorizeSession::NAME, SetSponsorPolicy::NAME], ["AuthorizeSession", "SetSponsorPolicy"]);
}

#[test]
fn event_tags_are_distinct_and_contiguous_across_modules() {
    let events = <pillar_stf::Event as pillar_stf::EventSet>::schema();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(usize::from(e.tag), i, "{} ({}) has tag {} at position {i}", e.name, e.module, e.tag);
        assert!(pillar_stf::module_names().contains(&e.module), "{} names module {}", e.name, e.module);
    }
    let calls = Call::schema();
    for c in &calls {
        assert!(pillar_stf::module_names().contains(&c.module), "{} names module {}", c.name, c.module);
    }
}

#[test]
fn a_composed_call_encodes_as_the_modules_own_and_decodes_back() {
    let group = pillar_items::ItemsCall::TransferItems(pillar_items::TransferItems {
        collection: 1,
        to: Default::default(),
        items: vec![pillar_items::ItemAmount { item: 7, amount: 2 }],
    });
    let composed: Call = pillar_stf::compose_call(group.clone()).unwrap();
    assert_eq!(borsh::to_vec(&composed).unwrap(), borsh::to_vec(&group).unwrap());
    assert_eq!(serde_json::to_value(&composed).unwrap(), serde_json::to_value(&group).unwrap());
    let bytes = borsh::to_vec(&group).unwrap();
    assert_eq!(borsh::from_slice::<Call>(&bytes).unwrap(), composed);
    let json = serde_json::to_value(&group).unwrap();
    assert_eq!(serde_json::from_value::<Call>(json).unwrap(), composed);
    // A tag no module owns, and a JSON type no module owns, are refused.
    assert!(borsh::from_slice::<Call>(&[200]).is_err());
    assert!(serde_json::from_value::<Call>(serde_json::json!({"type": "noSuchCall"})).is_err());
}
