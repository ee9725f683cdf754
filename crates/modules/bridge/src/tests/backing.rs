//! Bridged ETH: only ETH that came in through the Portal can leave through it.

use pillar_runtime::{Invalid, Queries, Refusal, ValidateError};
use pillar_state::KeyPath;
use proptest::prelude::*;

use super::*;

fn withdraw(asset: AssetId, amount: u128) -> Call {
    Call::Bridge(crate::BridgeCall::Withdraw(Withdraw {
        asset,
        amount,
        l1_recipient: Address::repeat_byte(0x22),
    }))
}

fn eth_supply(c: &Chain) -> u128 {
    ASSETS.get(&c.state, &NATIVE_ASSET).unwrap().unwrap().total_supply
}

fn counter(c: &Chain) -> u128 {
    bridged_eth(&c.state).unwrap()
}

#[test]
fn genesis_writes_no_counter_and_genesis_eth_cannot_leave() {
    let mut c = Chain::with_fee(7);
    let holder = key(0).address();
    assert_eq!(BRIDGED_ETH.get(&c.state).unwrap(), None, "genesis leaves the key absent");

    // Refused at the door with the bridge's code and both amounts.
    let refused = c.rt.validate(&c.verified(0, 0, withdraw(0, 100)), &c.state);
    let Err(ValidateError::Invalid(Invalid::Refused(Refusal {
        module: "bridge",
        code,
        kind: "withdrawal_unbacked",
        reason,
        ..
    }))) = refused
    else {
        panic!("expected withdrawal_unbacked, got {refused:?}");
    };
    assert_eq!(code, 2004);
    assert!(reason.contains("withdrawal of 100 wei") && reason.contains("only 0 wei"), "{reason}");

    // Included anyway (a forced transaction is): the call fails and burns nothing; the fee is paid.
    let r = c.block(vec![c.signed(0, 0, withdraw(0, 100))]);
    assert_eq!(r[0].failure_code(), Some(2004), "{r:?}");
    assert_eq!(r[0].fee_paid, 7);
    assert!(
        r[0].events
            .iter()
            .all(|e| !matches!(e, Event::Bridge(crate::BridgeEvent::WithdrawalInitiated { .. })))
    );
    assert_eq!(balance(&c.state, holder, 0).unwrap(), 1000 - 7, "only the fee left the account");
    assert_eq!(eth_supply(&c), 1000, "nothing burned");
    assert_eq!(c.root(), B256::ZERO, "no leaf");
    assert_eq!(TREE.get(&c.state).unwrap().unwrap_or_default().count, 0);
    assert_eq!(BRIDGED_ETH.get(&c.state).unwrap(), None);
}

#[test]
fn deposits_back_withdrawals_up_to_what_came_in() {
    let mut c = Chain::new();
    let alice = key(1).address();
    let d = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: 300 });
    assert!(c.block(vec![d])[0].is_success());
    assert_eq!(counter(&c), 300);

    // Backing is chain-wide: ETH is fungible on L2, so what matters is that L1 can pay.
    let r = c.block(vec![c.signed(0, 0, withdraw(0, 100))]);
    assert!(r[0].is_success(), "{r:?}");
    assert_eq!(counter(&c), 200);

    // Above what is left: refused at the door and at execution; nothing moves.
    let v = c.rt.validate(&c.verified(1, 0, withdraw(0, 250)), &c.state);
    assert!(
        matches!(
            v,
            Err(ValidateError::Invalid(Invalid::Refused(Refusal { code: 2004, ref reason, .. }))) if reason.contains("250 wei") && reason.contains("only 200 wei")
        ),
        "{v:?}"
    );
    let r = c.block(vec![c.signed(1, 0, withdraw(0, 250))]);
    assert_eq!(r[0].failure_code(), Some(2004));
    assert_eq!(balance(&c.state, alice, 0).unwrap(), 300);
    assert_eq!(counter(&c), 200);
    assert_eq!(TREE.get(&c.state).unwrap().unwrap().count, 1);

    // Exactly what is left: paid, and the counter's key is deleted at zero.
    c.rt.validate(&c.verified(1, 1, withdraw(0, 200)), &c.state).unwrap();
    let r = c.block(vec![c.signed(1, 1, withdraw(0, 200))]);
    assert!(r[0].is_success(), "{r:?}");
    assert_eq!(balance(&c.state, alice, 0).unwrap(), 100);
    assert_eq!(BRIDGED_ETH.get(&c.state).unwrap(), None);
    assert_eq!(eth_supply(&c), 1000 + 300 - 300, "genesis ETH stays on L2");

    // Two withdrawals admitted against the same backing: the second fails at inclusion.
    let d = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: 50 });
    assert!(c.block(vec![d])[0].is_success());
    c.rt.validate(&c.verified(1, 2, withdraw(0, 40)), &c.state).unwrap();
    c.rt.validate(&c.verified(1, 3, withdraw(0, 40)), &c.state).unwrap();
    let r = c.block(vec![c.signed(1, 2, withdraw(0, 40)), c.signed(1, 3, withdraw(0, 40))]);
    assert!(r[0].is_success());
    assert_eq!(r[1].failure_code(), Some(2004));
    assert_eq!(counter(&c), 10);
}

#[test]
fn an_overdraft_reports_the_balance_first() {
    let mut c = Chain::new();
    // Neither backed nor held: the balance check comes first, as at the door.
    let v = c.rt.validate(&c.verified(1, 0, withdraw(0, 5)), &c.state);
    assert!(matches!(v, Err(ValidateError::Invalid(Invalid::InsufficientBalance { .. }))), "{v:?}");
    let r = c.block(vec![c.signed(1, 0, withdraw(0, 5))]);
    assert_eq!(r[0].failure_code(), Some(1001));
}

#[test]
fn token_withdrawals_neither_need_nor_move_eth_backing() {
    let mut c = Chain::new();
    let alice = key(1).address();
    let token = Address::repeat_byte(0x44);
    let d = c.message(L1MessageKind::Erc20Deposit { token, recipient: alice, amount: 70 });
    assert!(c.block(vec![d])[0].is_success());
    let asset = L2_ASSET.get(&c.state, &token).unwrap().unwrap();
    c.rt.validate(&c.verified(1, 0, withdraw(asset, 70)), &c.state).unwrap();
    let r = c.block(vec![c.signed(1, 0, withdraw(asset, 70))]);
    assert!(r[0].is_success(), "{r:?}");
    assert_eq!(BRIDGED_ETH.get(&c.state).unwrap(), None);
}

#[test]
fn a_refused_deposit_adds_no_backing() {
    let mut c = Chain::new();
    let alice = key(1).address();
    let d1 = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: u128::MAX - 2000 });
    let d2 = c.message(L1MessageKind::EthDeposit { recipient: alice, amount: 5000 });
    let r = c.block(vec![d1, d2]);
    assert!(r[0].is_success());
    assert_eq!(r[1].failure_code(), Some(2003));
    assert_eq!(counter(&c), u128::MAX - 2000);
}

#[test]
fn the_query_and_the_proof_key_name_the_counter() {
    let mut c = Chain::new();
    let q = |c: &Chain| Bridge.query(&c.state, "bridgedEth", &serde_json::Value::Null).unwrap();
    assert_eq!(q(&c), serde_json::json!("0"));
    let d = c.message(L1MessageKind::EthDeposit { recipient: key(1).address(), amount: 12 });
    c.block(vec![d]);
    assert_eq!(q(&c), serde_json::json!("12"));
    assert_eq!(Bridge.state_key("bridgedEth", &serde_json::Value::Null).unwrap(), BRIDGED_ETH.key());
}

/// The bridge's key paths of docs/state.md §2.1 (a changed fixture is a changed state layout).
#[test]
fn key_paths_are_the_state_md_vectors() {
    let f: Address = "0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1".parse().unwrap();
    let hex = |k: KeyPath| B256::from(k).to_string();
    assert_eq!(hex(TREE.key()), "0x2e2188be76790f3582ed517fef4aa764b8578ed22e71ad3d207479ab676e9d90");
    assert_eq!(
        hex(WITHDRAWALS.key(&0)),
        "0xfd0061adc95d06ac9d02ec27ce25ea818dbb4921669ff93ed56eac8e2aa9085a"
    );
    assert_eq!(hex(L2_ASSET.key(&f)), "0xa469985b7035e446ff15a352131edd2c58ab53117b7c35ccad685be612af3690");
    assert_eq!(hex(L1_TOKEN.key(&1)), "0xede7b258ff65b183a0e94f8b6fe5bc32c281fc13d23f87b3a8730fc81730373f");
    assert_eq!(hex(BRIDGED_ETH.key()), "0xdfefc1a4b86a46efcc70c6dbc54fa27571c0447bb3034706c144ddb93d81b903");
}

#[derive(Debug, Clone)]
enum Op {
    Deposit { to: u8, amount: u128 },
    Withdraw { from: u8, amount: u128 },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0..2_000u128, (u128::MAX - 4_000)..=u128::MAX, any::<u128>()]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3u8, amount()).prop_map(|(to, amount)| Op::Deposit { to, amount }),
        (0..3u8, amount()).prop_map(|(from, amount)| Op::Withdraw { from, amount }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn counter_arithmetic_neither_wraps_nor_goes_negative(bridged in amount(), amt in amount()) {
        match backed_withdrawal(bridged, amt) {
            Ok(left) => prop_assert_eq!(left + amt, bridged),
            Err(e) => {
                prop_assert!(amt > bridged);
                prop_assert_eq!(e, BridgeError::WithdrawalUnbacked { amount: amt, bridged });
            }
        }
        match backed_deposit(bridged, amt) {
            Ok(sum) => prop_assert_eq!(sum - amt, bridged),
            Err(e) => {
                prop_assert!(bridged.checked_add(amt).is_none());
                prop_assert_eq!(e.code(), 2003);
            }
        }
    }

    /// Any sequence of deposits and withdrawals: the ETH supply is always genesis plus the
    /// counter (so every withdrawal that succeeded is one L1 can pay), withdrawals succeed exactly
    /// when both the balance and the backing cover them, and a refusal changes nothing.
    #[test]
    fn supply_is_genesis_plus_bridged_eth(ops in proptest::collection::vec(op(), 1..12)) {
        let mut c = Chain::new();
        let mut nonces = [0u64; 3];
        for op in ops {
            let (bridged, supply) = (counter(&c), eth_supply(&c));
            match op {
                Op::Deposit { to, amount } => {
                    let m = c.message(L1MessageKind::EthDeposit { recipient: key(to).address(), amount });
                    let r = c.block(vec![m]);
                    let fits = supply.checked_add(amount).is_some();
                    prop_assert_eq!(r[0].is_success(), fits, "{:?}", r[0]);
                }
                Op::Withdraw { from, amount } => {
                    let who = key(from).address();
                    let held = balance(&c.state, who, 0).unwrap();
                    let tx = c.signed(from, nonces[from as usize], withdraw(0, amount));
                    nonces[from as usize] += 1;
                    let r = c.block(vec![tx]);
                    let expected = if amount == 0 {
                        None // stateless limit: dropped, no receipt
                    } else if amount > held {
                        Some(Some(1001))
                    } else if amount > bridged {
                        Some(Some(2004))
                    } else {
                        Some(None)
                    };
                    match expected {
                        None => {
                            prop_assert!(r.is_empty());
                            nonces[from as usize] -= 1;
                        }
                        Some(code) => prop_assert_eq!(r[0].failure_code(), code, "{:?}", r[0]),
                    }
                    if r.first().is_none_or(|r| !r.is_success()) {
                        prop_assert_eq!(balance(&c.state, who, 0).unwrap(), held);
                        prop_assert_eq!(counter(&c), bridged);
                    }
                }
            }
            prop_assert_eq!(eth_supply(&c), 1000 + counter(&c));
        }
    }
}
