use pillar_assets::{AssetRole, Burn, CreateAsset, Mint, SetAssetRole, Transfer};
use pillar_bridge::Withdraw;
use pillar_compliance::{
    AddClaim, AmountEntry, ClaimRequirement, CountryCap, ForcedEntry, ForcedTransfers, FreezeAmounts,
    FreezeWallets, LinkWallet, RecoverWallets, RegisterIdentity, RemoveClaim, SetComplianceAgent,
    SetComplianceRules, SetPaused, SetRegistryAgent, SetSanctions, SetTrustedIssuer, WalletRecovery,
};
use pillar_stf::CallSet;
use pillar_stf::{
    Address, B256, Block, Call, ChainTx, Event, Header, L1Message, L1MessageKind, Receipt, Signature,
    SignedTransaction, Transaction, TxStatus, codec, typed_json::TypedTransaction,
};
use proptest::prelude::*;

pub(crate) fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

pub(crate) fn b256() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

fn role() -> impl Strategy<Value = AssetRole> {
    prop_oneof![Just(AssetRole::Admin), Just(AssetRole::Minter), Just(AssetRole::Burner)]
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (address(), any::<u32>(), any::<u128>()).prop_map(|(to, asset, amount)| Call::Assets(
            pillar_assets::AssetsCall::Transfer(Transfer { to, asset, amount })
        )),
        ("[a-zA-Z ]{0,70}", "[A-Z]{0,20}", any::<u8>(), any::<u128>()).prop_map(
            |(name, symbol, decimals, max_supply)| {
                Call::Assets(pillar_assets::AssetsCall::CreateAsset(CreateAsset {
                    name,
                    symbol,
                    decimals,
                    max_supply,
                }))
            }
        ),
        (any::<u32>(), address(), any::<u128>()).prop_map(|(asset, to, amount)| Call::Assets(
            pillar_assets::AssetsCall::Mint(Mint { asset, to, amount })
        )),
        (any::<u32>(), any::<u128>()).prop_map(|(asset, amount)| Call::Assets(
            pillar_assets::AssetsCall::Burn(Burn { asset, amount })
        )),
        (any::<u32>(), role(), address(), any::<bool>()).prop_map(|(asset, role, account, enabled)| {
            Call::Assets(pillar_assets::AssetsCall::SetAssetRole(SetAssetRole {
                asset,
                role,
                account,
                enabled,
            }))
        }),
        (any::<u32>(), any::<u128>(), address()).prop_map(|(asset, amount, l1_recipient)| Call::Bridge(
            pillar_bridge::BridgeCall::Withdraw(Withdraw { asset, amount, l1_recipient })
        )),
    ]
}

fn small<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(s, 0..4)
}

/// The compliance call kinds (tags 6 to 19).
fn compliance_call() -> impl Strategy<Value = Call> {
    let rules = (
        (any::<u32>(), address(), small(any::<u16>()), small(any::<u16>())),
        small(
            (any::<u16>(), any::<u32>())
                .prop_map(|(country, max_holders)| CountryCap { country, max_holders }),
        ),
        (any::<u32>(), any::<u128>(), any::<u64>(), any::<u64>(), any::<u128>()),
        small(
            (any::<u8>(), any::<u64>()).prop_map(|(topic, min_value)| ClaimRequirement { topic, min_value }),
        ),
    )
        .prop_map(
            |(
                (asset, registry, allowed_countries, blocked_countries),
                country_caps,
                (max_holders, max_balance, lockup_ms, limit_window_ms, limit_amount),
                required_claims,
            )| {
                Call::Compliance(pillar_compliance::ComplianceCall::SetComplianceRules(Box::new(
                    SetComplianceRules {
                        asset,
                        registry,
                        allowed_countries,
                        blocked_countries,
                        country_caps,
                        max_holders,
                        max_balance,
                        lockup_ms,
                        limit_window_ms,
                        limit_amount,
                        required_claims,
                    },
                )))
            },
        );
    prop_oneof![
        (address(), any::<bool>()).prop_map(|(agent, enabled)| Call::Compliance(
            pillar_compliance::ComplianceCall::SetRegistryAgent(SetRegistryAgent { agent, enabled })
        )),
        (any::<u8>(), address(), any::<bool>()).prop_map(|(topic, issuer, enabled)| Call::Compliance(
            pillar_compliance::ComplianceCall::SetTrustedIssuer(SetTrustedIssuer { topic, issuer, enabled })
        )),
        (address(), address()).prop_map(|(registry, wallet)| Call::Compliance(
            pillar_compliance::ComplianceCall::RegisterIdentity(RegisterIdentity { registry, wallet })
        )),
        (any::<u64>(), address(), any::<bool>()).prop_map(|(identity, wallet, linked)| Call::Compliance(
            pillar_compliance::ComplianceCall::LinkWallet(LinkWallet { identity, wallet, linked })
        )),
        (any::<u64>(), any::<u8>(), any::<u64>(), any::<u64>()).prop_map(
            |(identity, topic, value, expires_ms)| {
                Call::Compliance(pillar_compliance::ComplianceCall::AddClaim(AddClaim {
                    identity,
                    topic,
                    value,
                    expires_ms,
                }))
            }
        ),
        (any::<u64>(), any::<u8>()).prop_map(|(identity, topic)| Call::Compliance(
            pillar_compliance::ComplianceCall::RemoveClaim(RemoveClaim { identity, topic })
        )),
        (address(), small(address()), small(any::<u64>()), any::<bool>()).prop_map(
            |(registry, wallets, identities, sanctioned)| {
                Call::Compliance(pillar_compliance::ComplianceCall::SetSanctions(SetSanctions {
                    registry,
                    wallets,
                    identities,
                    sanctioned,
                }))
            }
        ),
        rules,
        (any::<u32>(), address(), any::<bool>()).prop_map(|(asset, agent, enabled)| Call::Compliance(
            pillar_compliance::ComplianceCall::SetComplianceAgent(SetComplianceAgent {
                asset,
                agent,
                enabled
            })
        )),
        (small(any::<u32>()), any::<bool>()).prop_map(|(assets, paused)| Call::Compliance(
            pillar_compliance::ComplianceCall::SetPaused(SetPaused { assets, paused })
        )),
        (any::<u32>(), small(address()), any::<bool>()).prop_map(|(asset, wallets, frozen)| {
            Call::Compliance(pillar_compliance::ComplianceCall::FreezeWallets(FreezeWallets {
                asset,
                wallets,
                frozen,
            }))
        }),
        (
            any::<u32>(),
            small((address(), any::<u128>()).prop_map(|(wallet, amount)| AmountEntry { wallet, amount })),
            any::<bool>()
        )
            .prop_map(|(asset, entries, frozen)| Call::Compliance(
                pillar_compliance::ComplianceCall::FreezeAmounts(FreezeAmounts { asset, entries, frozen })
            )),
        (
            any::<u32>(),
            small((address(), address(), any::<u128>()).prop_map(|(from, to, amount)| ForcedEntry {
                from,
                to,
                amount
            }))
        )
            .prop_map(|(asset, entries)| Call::Compliance(
                pillar_compliance::ComplianceCall::ForcedTransfers(ForcedTransfers { asset, entries })
            )),
        (
            any::<u32>(),
            small(
                (address(), address())
                    .prop_map(|(lost_wallet, new_wallet)| WalletRecovery { lost_wallet, new_wallet })
            )
        )
            .prop_map(|(asset, entries)| Call::Compliance(
                pillar_compliance::ComplianceCall::RecoverWallets(RecoverWallets { asset, entries })
            )),
    ]
}

fn l1_message() -> impl Strategy<Value = L1Message> {
    let kind = prop_oneof![
        (address(), any::<u128>())
            .prop_map(|(recipient, amount)| L1MessageKind::EthDeposit { recipient, amount }),
        (address(), address(), any::<u128>())
            .prop_map(|(token, recipient, amount)| L1MessageKind::Erc20Deposit { token, recipient, amount }),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|tx| L1MessageKind::ForcedTx { tx }),
    ];
    (any::<u64>(), any::<u64>(), any::<u64>(), address(), kind).prop_map(
        |(index, l1_block, timestamp, sender, kind)| L1Message { index, l1_block, timestamp, sender, kind },
    )
}

fn chain_tx() -> impl Strategy<Value = ChainTx> {
    prop_oneof![signed().prop_map(ChainTx::Signed), l1_message().prop_map(ChainTx::L1)]
}

fn signed() -> impl Strategy<Value = SignedTransaction> {
    let call = prop_oneof![call(), compliance_call(), crate::sessions::session_call()];
    // Chain id 2^64-1 is the envelope marker, reserved.
    (
        0..u64::MAX,
        any::<u64>(),
        any::<u128>(),
        call,
        b256(),
        b256(),
        any::<u8>(),
        prop::option::of(crate::sessions::envelope()),
    )
        .prop_map(|(chain_id, nonce, max_fee, call, r, s, v, envelope)| SignedTransaction {
            tx: Transaction { chain_id, nonce, max_fee, call },
            signature: Signature { r, s, v },
            envelope,
        })
}

fn header() -> impl Strategy<Value = Header> {
    (
        (any::<u64>(), b256(), any::<u64>(), any::<u64>(), any::<u64>(), b256()),
        (b256(), b256(), b256(), b256(), any::<u32>()),
    )
        .prop_map(
            |(
                (height, parent_hash, timestamp_ms, l1_origin, queue_index, queue_hash),
                (state_root, tx_root, receipts_root, withdrawals_root, tx_count),
            )| Header {
                height,
                parent_hash,
                timestamp_ms,
                l1_origin,
                queue_index,
                queue_hash,
                state_root,
                tx_root,
                receipts_root,
                withdrawals_root,
                tx_count,
            },
        )
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (address(), crate::sessions::session_key(), any::<u64>()).prop_map(|(account, key, expires_ms)| {
            Event::Sessions(pillar_sessions::SessionsEvent::SessionAuthorized { account, key, expires_ms })
        }),
        (address(), crate::sessions::session_key()).prop_map(|(account, key)| Event::Sessions(
            pillar_sessions::SessionsEvent::SessionRevoked { account, key }
        )),
        (address(), any::<u128>()).prop_map(|(sponsor, budget)| Event::Sessions(
            pillar_sessions::SessionsEvent::SponsorPolicySet { sponsor, budget }
        )),
        (address(), any::<u128>())
            .prop_map(|(from, amount)| Event::Assets(pillar_assets::AssetsEvent::FeePaid { from, amount })),
        (any::<u32>(), address(), address(), any::<u128>()).prop_map(|(asset, from, to, amount)| {
            Event::Assets(pillar_assets::AssetsEvent::Transfer { asset, from, to, amount })
        }),
        (any::<u32>(), role(), address(), any::<bool>()).prop_map(|(asset, role, account, enabled)| {
            Event::Assets(pillar_assets::AssetsEvent::RoleChanged { asset, role, account, enabled })
        }),
        (any::<u32>(), any::<u8>(), address(), address(), any::<u128>()).prop_map(
            |(asset, action, from, to, amount)| Event::Compliance(
                pillar_compliance::ComplianceEvent::ComplianceApproved { asset, action, from, to, amount }
            )
        ),
        (any::<u32>(), address(), any::<u128>(), any::<bool>(), any::<u128>(), address()).prop_map(
            |(asset, wallet, amount, frozen, total_frozen, by)| Event::Compliance(
                pillar_compliance::ComplianceEvent::AmountFrozen {
                    asset,
                    wallet,
                    amount,
                    frozen,
                    total_frozen,
                    by
                }
            )
        ),
        (any::<u32>(), address(), address(), any::<u64>(), any::<u128>(), address()).prop_map(
            |(asset, lost_wallet, new_wallet, identity, amount, by)| Event::Compliance(
                pillar_compliance::ComplianceEvent::WalletRecovered {
                    asset,
                    lost_wallet,
                    new_wallet,
                    identity,
                    amount,
                    by
                }
            )
        ),
    ]
}

fn receipt() -> impl Strategy<Value = Receipt> {
    (
        b256(),
        any::<u64>(),
        any::<u32>(),
        address(),
        any::<u64>(),
        any::<u128>(),
        prop::option::of((any::<u32>(), ".{0,30}")),
        prop::collection::vec(event(), 0..4),
    )
        .prop_map(|(tx_hash, block_height, index, sender, nonce, fee_paid, failed, events)| Receipt {
            tx_hash,
            block_height,
            index,
            sender,
            nonce,
            fee_paid,
            status: match failed {
                Some((code, reason)) => TxStatus::Failed { code, reason },
                None => TxStatus::Success,
            },
            events,
        })
}

proptest! {
    #[test]
    fn signed_transaction_round_trips(stx in signed()) {
        let bytes = stx.encode();
        prop_assert_eq!(SignedTransaction::decode(&bytes).unwrap(), stx);
    }

    #[test]
    fn header_round_trips(h in header()) {
        let bytes = codec::encode(&h);
        prop_assert_eq!(codec::decode::<Header>(&bytes, 1024, "header").unwrap(), h);
    }

    #[test]
    fn block_round_trips(h in header(), txs in prop::collection::vec(chain_tx(), 0..5)) {
        let b = Block { header: h, transactions: txs };
        let bytes = codec::encode(&b);
        prop_assert_eq!(codec::decode::<Block>(&bytes, 1 << 20, "block").unwrap(), b);
    }

    #[test]
    fn l1_message_round_trips_through_borsh_json_and_the_portal_encoding(m in l1_message()) {
        let bytes = codec::encode(&m);
        prop_assert_eq!(codec::decode::<L1Message>(&bytes, 1 << 16, "message").unwrap(), m.clone());
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<L1Message>(&json).unwrap(), m.clone());
        let back = L1Message::from_event(m.index, m.l1_block, m.timestamp, m.sender, m.kind_code(), &m.payload()).unwrap();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn receipt_round_trips(r in receipt()) {
        let bytes = codec::encode(&r);
        prop_assert_eq!(codec::decode::<Receipt>(&bytes, 1 << 16, "receipt").unwrap(), r.clone());
        // And through JSON, as RPC serves it.
        let json = serde_json::to_string(&r).unwrap();
        prop_assert_eq!(serde_json::from_str::<Receipt>(&json).unwrap(), r);
    }

    /// Compliance calls survive borsh, JSON typed data (as a wallet signs it) and back.
    #[test]
    fn compliance_calls_round_trip_through_typed_json(call in compliance_call(), nonce in any::<u64>(), max_fee in any::<u128>()) {
        let stx = SignedTransaction {
            tx: Transaction { chain_id: 901, nonce, max_fee, call },
            signature: Signature { r: B256::repeat_byte(1), s: B256::repeat_byte(2), v: 27 },
            envelope: None,
        };
        prop_assert_eq!(SignedTransaction::decode(&stx.encode()).unwrap(), stx.clone());
        let typed = TypedTransaction::from_signed(&stx);
        let json = serde_json::to_string(&typed).unwrap();
        let back: TypedTransaction = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.into_signed().unwrap(), stx.clone());
        // Every call kind has its EIP-712 type, and the digest covers the call.
        prop_assert!(pillar_stf::eip712::encode_type::<Call>(stx.tx.call.type_name()).is_some());
        prop_assert_eq!(borsh::to_vec(&stx.tx.call).unwrap()[0], stx.tx.call.tag(), "declared tag is the borsh tag");
        prop_assert_eq!(stx.tx.call.module(), "compliance");
    }

    /// Arbitrary bytes never panic the decoder, and whatever decodes re-encodes to the same bytes.
    #[test]
    fn decoder_is_total_and_canonical(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(stx) = SignedTransaction::decode(&bytes) {
            prop_assert_eq!(stx.encode(), bytes);
        }
    }

    /// Truncating a valid encoding is always an error, never a panic.
    #[test]
    fn truncation_is_an_error(stx in signed(), cut in 0usize..200) {
        let bytes = stx.encode();
        let cut = cut.min(bytes.len().saturating_sub(1));
        prop_assert!(SignedTransaction::decode(&bytes[..cut]).is_err());
    }
}

#[test]
fn oversize_and_trailing_bytes_are_refused() {
    let big = vec![0u8; pillar_stf::MAX_TX_SIZE + 1];
    assert!(matches!(SignedTransaction::decode(&big), Err(codec::DecodeError::TooLarge { .. })));
    let stx = SignedTransaction {
        tx: Transaction {
            chain_id: 1,
            nonce: 0,
            max_fee: 0,
            call: Call::Assets(pillar_assets::AssetsCall::Burn(Burn { asset: 1, amount: 1 })),
        },
        signature: Signature { r: B256::ZERO, s: B256::ZERO, v: 27 },
        envelope: None,
    };
    let mut bytes = stx.encode();
    bytes.push(0);
    assert!(matches!(
        SignedTransaction::decode(&bytes),
        Err(codec::DecodeError::TrailingBytes { extra: 1, .. })
    ));
    // An unknown call tag is malformed, not a panic.
    let mut bytes = stx.encode();
    bytes[32] = 200;
    assert!(matches!(SignedTransaction::decode(&bytes), Err(codec::DecodeError::Malformed { .. })));
}
