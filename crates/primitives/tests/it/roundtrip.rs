use pillar_primitives::{
    Address, AssetRole, B256, Block, Burn, Call, ChainTx, CreateAsset, Event, Header, L1Message,
    L1MessageKind, Mint, Receipt, SetAssetRole, Signature, SignedTransaction, Transaction, Transfer,
    TxStatus, Withdraw, codec,
};
use proptest::prelude::*;

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn b256() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

fn role() -> impl Strategy<Value = AssetRole> {
    prop_oneof![Just(AssetRole::Admin), Just(AssetRole::Minter), Just(AssetRole::Burner)]
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (address(), any::<u32>(), any::<u128>()).prop_map(|(to, asset, amount)| Call::Transfer(Transfer {
            to,
            asset,
            amount
        })),
        ("[a-zA-Z ]{0,70}", "[A-Z]{0,20}", any::<u8>(), any::<u128>()).prop_map(
            |(name, symbol, decimals, max_supply)| {
                Call::CreateAsset(CreateAsset { name, symbol, decimals, max_supply })
            }
        ),
        (any::<u32>(), address(), any::<u128>()).prop_map(|(asset, to, amount)| Call::Mint(Mint {
            asset,
            to,
            amount
        })),
        (any::<u32>(), any::<u128>()).prop_map(|(asset, amount)| Call::Burn(Burn { asset, amount })),
        (any::<u32>(), role(), address(), any::<bool>()).prop_map(|(asset, role, account, enabled)| {
            Call::SetAssetRole(SetAssetRole { asset, role, account, enabled })
        }),
        (any::<u32>(), any::<u128>(), address()).prop_map(|(asset, amount, l1_recipient)| Call::Withdraw(
            Withdraw { asset, amount, l1_recipient }
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
    (any::<u64>(), any::<u64>(), any::<u128>(), call(), b256(), b256(), any::<u8>()).prop_map(
        |(chain_id, nonce, max_fee, call, r, s, v)| SignedTransaction {
            tx: Transaction { chain_id, nonce, max_fee, call },
            signature: Signature { r, s, v },
        },
    )
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
        (address(), any::<u128>()).prop_map(|(from, amount)| Event::FeePaid { from, amount }),
        (any::<u32>(), address(), address(), any::<u128>())
            .prop_map(|(asset, from, to, amount)| Event::Transfer { asset, from, to, amount }),
        (any::<u32>(), role(), address(), any::<bool>())
            .prop_map(|(asset, role, account, enabled)| Event::RoleChanged { asset, role, account, enabled }),
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
    let big = vec![0u8; pillar_primitives::MAX_TX_SIZE + 1];
    assert!(matches!(SignedTransaction::decode(&big), Err(codec::DecodeError::TooLarge { .. })));
    let stx = SignedTransaction {
        tx: Transaction { chain_id: 1, nonce: 0, max_fee: 0, call: Call::Burn(Burn { asset: 1, amount: 1 }) },
        signature: Signature { r: B256::ZERO, s: B256::ZERO, v: 27 },
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
