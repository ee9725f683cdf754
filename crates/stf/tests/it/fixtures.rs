use pillar_assets::{AssetRole, Burn, CreateAsset, Mint, SetAssetRole, Transfer};
use pillar_bridge::Withdraw;
use pillar_compliance::{
    AddClaim, ClaimRequirement, CountryCap, ForcedEntry, ForcedTransfers, SetComplianceRules,
};
use pillar_stf::CallSet;
use pillar_stf::{
    Address, B256, Call, PrivateKey, RecoverError, Signature, SignedTransaction, Transaction, eip712,
    typed_json::TypedTransaction,
};

fn addr(last: u8) -> Address {
    let mut a = [0u8; 20];
    a[19] = last;
    Address::from(a)
}

fn key() -> PrivateKey {
    PrivateKey::from_bytes([1; 32]).unwrap()
}

fn cases() -> Vec<(Transaction, &'static str, &'static str)> {
    let tx = |nonce, max_fee, call| Transaction { chain_id: 901, nonce, max_fee, call };
    // (transaction, EIP-712 digest, signature) as printed by tests/js/fixtures.mjs (ethers v6).
    vec![
        (
            tx(
                7,
                10_000_000_000_000,
                Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                    to: addr(0xaa),
                    asset: 0,
                    amount: 10u128.pow(18),
                })),
            ),
            "0x9f4d0a70be993aaf45f88ed2fdd856716982594b6885dc178c9f318132e541e5",
            "0x628c2de0781f41af5d529e46241e7fe99e82021fe62138915e04e36fe1c3ef514ffdf9f4ce159dc8bcfbe1898f796f6b8ee441063047fc4a89849ed359b1b8171b",
        ),
        (
            tx(
                0,
                0,
                Call::Assets(pillar_assets::AssetsCall::CreateAsset(CreateAsset {
                    name: "Gold".into(),
                    symbol: "GLD".into(),
                    decimals: 2,
                    max_supply: u128::MAX,
                })),
            ),
            "0xc7136e241ad40cc1fef4be6ee90f808f81b5301729e7a81f0638d5dde764d407",
            "0xfaae1f9c59e83e3a5ea1956f4f0595e2b253a1eaa12e04baf9ae354d74147be11a03fa6f4b440702fb57bb2c68b77e8d59c7ec6872a8ace6c0cc03404bee116f1b",
        ),
        (
            tx(
                1,
                0,
                Call::Assets(pillar_assets::AssetsCall::Mint(Mint { asset: 3, to: addr(0xbb), amount: 5 })),
            ),
            "0xd712dc97209631d5ed990eaf38c960abc2783be5396a7fbae1552b969bf9868a",
            "0x4fedb1f749023f673fa823f682863dc28735d7f531443492c3fe017952327e5b71b49d428bfc58117f6d0d9ec9ddaa8ca418083430f8d4464f63b42f745fc2121c",
        ),
        (
            tx(2, 0, Call::Assets(pillar_assets::AssetsCall::Burn(Burn { asset: 3, amount: 2 }))),
            "0xe32ce3a1e0ddab2591d4c896166d6e679168db533e9d2681ae603ce50c8868df",
            "0x39af783a38989bc65a70f6dd0a60b4d5d352d583e742b8ba76e01f236390bed13a4ee8d9cb596de518aec0bd40b8f00be5c667d4e47d67480eff929216f7776b1b",
        ),
        (
            tx(
                3,
                0,
                Call::Assets(pillar_assets::AssetsCall::SetAssetRole(SetAssetRole {
                    asset: 3,
                    role: AssetRole::Minter,
                    account: addr(0xcc),
                    enabled: true,
                })),
            ),
            "0x7aafb77070dc1c609e84e07d8044c5cc15e488db69359f20f78aa3463e2702b6",
            "0x9e1e50d8644bf9d1948bd61ff8644c9535e6efeb08750217e84414ab448ba5e9544554e46e45dac7598efa3ed02180ad8e57d10cecaf0e48139fbfd6cd93f2e11b",
        ),
        (
            tx(
                4,
                10_000_000_000_000,
                Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
                    asset: 0,
                    amount: 5 * 10u128.pow(17),
                    l1_recipient: addr(0xdd),
                })),
            ),
            "0x645463f734e0bb6a6d57f8010516582c1bb5eae518eec642e4ed4d06001aa635",
            "0x24e94d3a962b28d14dadec4be506d7521f6b34fd27c35f2e281d8d5ee83a43d754b4e258b48d84d14f466e356612660631a4e9f1f0bd47fd353a8f36fc870e691c",
        ),
        // Compliance calls: nested entry types and arrays, computed by ethers v6 with the types
        // listed in docs/transactions.md §4.2.
        (
            tx(
                9,
                0,
                Call::Compliance(pillar_compliance::ComplianceCall::ForcedTransfers(ForcedTransfers {
                    asset: 1,
                    entries: vec![
                        ForcedEntry { from: addr(0xaa), to: addr(0xbb), amount: 5 },
                        ForcedEntry { from: addr(0xcc), to: addr(0xdd), amount: u128::MAX },
                    ],
                })),
            ),
            "0xa4c9f2c5d31d297b22c218e50184405562387ef8833a508005eb35d7cd89b177",
            "0x0107fd29faa0bae2fed0d4b81df4087863bdc855d240c8c7330542425d16f932728d1d3e47e55e9d6f19d8f38cfb72399d7c9bc6c667bcb2e10bd3fd7dabf9101b",
        ),
        (
            tx(
                0,
                10,
                Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceRules(Box::new(
                    SetComplianceRules {
                        asset: 1,
                        registry: addr(0xee),
                        allowed_countries: vec![250, 276],
                        blocked_countries: vec![],
                        country_caps: vec![CountryCap { country: 250, max_holders: 100 }],
                        max_holders: 2000,
                        max_balance: 1_000_000,
                        lockup_ms: 86_400_000,
                        limit_window_ms: 0,
                        limit_amount: 0,
                        required_claims: vec![ClaimRequirement { topic: 1, min_value: 2 }],
                    },
                ))),
            ),
            "0x0daee1304be3654451deb7092b8a19ab635517f764a7f26d693d53b0818d77ac",
            "0x625254bb3cc3c1b95d1390b00bb56bdfae0952ce344d361a332297a3d3245acc122a33dc3d9d3b3c8bf3ca38f85ac464c6cc9ec04cd38d10b5da798f87a093901b",
        ),
        (
            tx(
                1,
                0,
                Call::Compliance(pillar_compliance::ComplianceCall::AddClaim(AddClaim {
                    identity: 3,
                    topic: 2,
                    value: 250,
                    expires_ms: 1_900_000_000_000,
                })),
            ),
            "0x3104cd91cfe557d8826d42de0ebb13fa6b66c1c7a28c1b7508654a7359814819",
            "0x0af82374fef3e1230efe9a8635ad5b4c671e10c13c5448c9b947eb30e9877e786896848808dca106b857fbfc7e72a5c29bd13ff95085a3dd19eea5a0f0b8fb811c",
        ),
    ]
}

#[test]
fn eip712_digests_and_signatures_match_ethers() {
    assert_eq!(key().address(), "0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1".parse::<Address>().unwrap());
    for (tx, digest, sig) in cases() {
        let name = tx.call.type_name();
        assert_eq!(eip712::signing_hash(&tx), digest.parse::<B256>().unwrap(), "{name} digest");
        // Both sides use RFC 6979 deterministic nonces, so the signatures are identical.
        let ours = key().sign(tx.clone());
        assert_eq!(format!("0x{}", hex::encode(ours.signature.to_bytes())), sig, "{name} signature");
        let theirs = SignedTransaction {
            tx,
            signature: Signature::from_bytes(&hex::decode(&sig[2..]).unwrap()).unwrap(),
            envelope: None,
        };
        assert_eq!(theirs.recover().unwrap(), key().address(), "{name} recovers the signer");
    }
}

#[test]
fn eip712_type_strings() {
    assert_eq!(
        eip712::encode_type::<Call>("Transfer").unwrap(),
        "Transfer(address to,uint32 asset,uint128 amount,uint64 nonce,uint128 maxFee)"
    );
    assert_eq!(
        eip712::encode_type::<Call>("SetAssetRole").unwrap(),
        "SetAssetRole(uint32 asset,uint8 role,address account,bool enabled,uint64 nonce,uint128 maxFee)"
    );
    assert!(eip712::encode_type::<Call>("Nope").is_none());
    // Batch calls reference their entry types, appended in alphabetical order (EIP-712).
    assert_eq!(
        eip712::encode_type::<Call>("ForcedTransfers").unwrap(),
        "ForcedTransfers(uint32 asset,ForcedEntry[] entries,uint64 nonce,uint128 maxFee)ForcedEntry(address from,address to,uint128 amount)"
    );
    assert_eq!(
        eip712::encode_type::<Call>("SetComplianceRules").unwrap(),
        "SetComplianceRules(uint32 asset,address registry,uint16[] allowedCountries,uint16[] blockedCountries,CountryCap[] countryCaps,uint32 maxHolders,uint128 maxBalance,uint64 lockupMs,uint64 limitWindowMs,uint128 limitAmount,ClaimRequirement[] requiredClaims,uint64 nonce,uint128 maxFee)ClaimRequirement(uint8 topic,uint64 minValue)CountryCap(uint16 country,uint32 maxHolders)"
    );
}

#[test]
fn existing_call_tags_are_unchanged_and_compliance_tags_follow() {
    use pillar_compliance::{RecoverWallets, SetRegistryAgent};
    let tag = |call: Call| borsh::to_vec(&call).unwrap()[0];
    assert_eq!(
        tag(Call::Bridge(pillar_bridge::BridgeCall::Withdraw(Withdraw {
            asset: 0,
            amount: 1,
            l1_recipient: addr(1)
        }))),
        5
    );
    assert_eq!(
        tag(Call::Compliance(pillar_compliance::ComplianceCall::SetRegistryAgent(SetRegistryAgent {
            agent: addr(1),
            enabled: true
        }))),
        6
    );
    assert_eq!(
        tag(Call::Compliance(pillar_compliance::ComplianceCall::AddClaim(AddClaim {
            identity: 1,
            topic: 1,
            value: 2,
            expires_ms: 0
        }))),
        10
    );
    assert_eq!(
        tag(Call::Compliance(pillar_compliance::ComplianceCall::RecoverWallets(RecoverWallets {
            asset: 1,
            entries: vec![]
        }))),
        19
    );
}

#[test]
fn canonical_transfer_encoding() {
    let (tx, _, _) = cases().remove(0);
    let stx = key().sign(tx);
    let bytes = stx.encode();
    // chain_id u64 | nonce u64 | max_fee u128 | call tag u8 | to [20] | asset u32 | amount u128 | r | s | v
    let expected = concat!(
        "8503000000000000",
        "0700000000000000",
        "00a0724e180900000000000000000000",
        "00",
        "00000000000000000000000000000000000000aa",
        "00000000",
        "000064a7b3b6e00d0000000000000000",
        "628c2de0781f41af5d529e46241e7fe99e82021fe62138915e04e36fe1c3ef51",
        "4ffdf9f4ce159dc8bcfbe1898f796f6b8ee441063047fc4a89849ed359b1b817",
        "1b",
    );
    assert_eq!(hex::encode(&bytes), expected);
    assert_eq!(bytes.len(), 138);
    assert_eq!(SignedTransaction::decode(&bytes).unwrap(), stx);
    assert_eq!(stx.hash(), pillar_stf::keccak256(&bytes), "the hash is keccak256 of the canonical bytes");
}

#[test]
fn malleable_and_malformed_signatures_are_refused() {
    let (tx, _, _) = cases().remove(0);
    let stx = key().sign(tx);
    // s' = n - s is the same signature mathematically; Ethereum (EIP-2) and Pillar refuse it.
    let n = alloy_n();
    let s = alloy_primitives_u256(stx.signature.s);
    let mut high = stx.clone();
    high.signature.s = B256::from((n - s).to_be_bytes::<32>());
    high.signature.v = 55 - high.signature.v;
    assert_eq!(high.recover(), Err(RecoverError::HighS));
    let mut bad_v = stx.clone();
    bad_v.signature.v = 29;
    assert_eq!(bad_v.recover(), Err(RecoverError::BadV { v: 29 }));
    let mut zero = stx.clone();
    zero.signature.r = B256::ZERO;
    assert_eq!(zero.recover(), Err(RecoverError::Invalid));
    // A changed field recovers a different address: the signature covers every field.
    let mut changed = stx.clone();
    changed.tx.nonce += 1;
    assert_ne!(changed.recover().ok(), Some(key().address()));
    assert!(matches!(Signature::from_bytes(&[0; 64]), Err(RecoverError::BadLength { len: 64 })));
}

fn alloy_n() -> alloy_primitives::U256 {
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141".parse().unwrap()
}

fn alloy_primitives_u256(b: B256) -> alloy_primitives::U256 {
    alloy_primitives::U256::from_be_bytes(b.0)
}

#[test]
fn typed_json_matches_canonical() {
    for (tx, _, sig) in cases() {
        let stx = key().sign(tx);
        let typed = TypedTransaction::from_signed(&stx);
        assert_eq!(typed.signature, sig);
        let json = serde_json::to_value(&typed).unwrap();
        let back: TypedTransaction = serde_json::from_value(json).unwrap();
        assert_eq!(back.into_signed().unwrap(), stx);
    }
}

#[test]
fn typed_json_refuses_unknown_fields_and_bad_numbers() {
    let ok = serde_json::json!({
        "chainId": 901, "primaryType": "Transfer",
        "message": { "to": "0x00000000000000000000000000000000000000aa", "asset": 0, "amount": "1", "nonce": 0, "maxFee": "0" },
        "signature": format!("0x{}", "11".repeat(65)),
    });
    let parse = |v: serde_json::Value| {
        serde_json::from_value::<TypedTransaction>(v)
            .map_err(|e| e.to_string())
            .and_then(|t| t.into_signed::<Call>().map_err(|e| e.to_string()))
    };
    assert!(parse(ok.clone()).is_ok());
    let mut extra = ok.clone();
    extra["message"]["memo"] = "hi".into();
    assert!(parse(extra).unwrap_err().contains("memo"));
    let mut overflow = ok.clone();
    overflow["message"]["amount"] = "340282366920938463463374607431768211456".into();
    assert!(parse(overflow).unwrap_err().contains("u128"));
    let mut unknown = ok.clone();
    unknown["primaryType"] = "Steal".into();
    assert!(parse(unknown).unwrap_err().contains("unknown call"));
    let mut short_sig = ok;
    short_sig["signature"] = "0x1234".into();
    assert!(parse(short_sig).is_err());
}
