//! The off-chain voucher check a payee runs per request: same rules as settlement.

#![allow(clippy::unwrap_used)]

use pillar_primitives::{Address, Voucher};

use crate::{
    AgentsError, Channel, VoucherCheck, check_voucher,
    testkit::{CHAIN, ed, p256, sign},
};

fn channel(deposit: u128, settled: u128) -> Channel {
    Channel {
        payer: Address::repeat_byte(2),
        agent: 1,
        asset: 0,
        deposit,
        settled,
        voucher_key: ed(1).public_key(),
        timeout_ms: 10,
        closes_at_ms: 0,
        closed: false,
    }
}

#[test]
fn check_voucher_applies_the_settlement_rules() {
    let k = ed(1);
    let ch = channel(1_000, 100);
    let v = |cumulative| Voucher { chain_id: CHAIN, channel: 7, cumulative };
    assert_eq!(check_voucher(&ch, &v(250), &sign(7, 250, &k)), Ok(150));
    assert_eq!(check_voucher(&ch, &v(1_000), &sign(7, 1_000, &k)), Ok(900));
    assert_eq!(
        check_voucher(&ch, &v(100), &sign(7, 100, &k)),
        Err(AgentsError::VoucherNotIncreasing { channel: 7, cumulative: 100, settled: 100 })
    );
    assert_eq!(
        check_voucher(&ch, &v(1_001), &sign(7, 1_001, &k)),
        Err(AgentsError::VoucherAboveDeposit { channel: 7, cumulative: 1_001, deposit: 1_000 })
    );
    assert_eq!(
        check_voucher(&ch, &v(250), &sign(8, 250, &k)),
        Err(AgentsError::BadVoucherSignature { channel: 7, cumulative: 250 })
    );
    assert_eq!(check_voucher(&ch, &v(250), &[0u8; 10]).unwrap_err().code(), 5013);
    let closed = Channel { closed: true, ..ch };
    assert_eq!(check_voucher(&closed, &v(250), &sign(7, 250, &k)).unwrap_err().code(), 5016);
}

#[test]
fn a_running_check_accepts_only_increasing_vouchers() {
    for k in [ed(1), p256(100)] {
        let mut ch = channel(1_000, 0);
        ch.voucher_key = k.public_key();
        let mut check = VoucherCheck::new(CHAIN, 7, ch.clone());
        assert!(check.settle_call(false).is_none());
        assert_eq!(check.accept(10, &sign(7, 10, &k)), Ok(10));
        assert_eq!(check.accept(35, &sign(7, 35, &k)), Ok(25));
        assert_eq!(check.accept(35, &sign(7, 35, &k)).unwrap_err().code(), 5014, "replayed");
        assert_eq!(check.accept(20, &sign(7, 20, &k)).unwrap_err().code(), 5014, "reordered");
        assert_eq!(check.accept(2_000, &sign(7, 2_000, &k)).unwrap_err().code(), 5015);
        assert_eq!(check.accept(50, &sign(7, 51, &k)).unwrap_err().code(), 5013);
        assert_eq!((check.accepted(), check.unsettled()), (35, 35));
        let call = check.settle_call(true).unwrap();
        assert_eq!((call.channel, call.cumulative, call.close), (7, 35, true));
        assert_eq!(call.signature, sign(7, 35, &k));
        // The chain settled 35: nothing left to collect, the next voucher counts from there.
        check.refresh(Channel { settled: 35, ..ch.clone() });
        assert!(check.settle_call(false).is_none());
        assert_eq!(check.accept(40, &sign(7, 40, &k)), Ok(5));
        // A top-up raises the ceiling; a settlement by another server raises the floor.
        check.refresh(Channel { deposit: 3_000, settled: 100, ..ch });
        assert_eq!(check.accepted(), 100);
        assert_eq!(check.accept(2_000, &sign(7, 2_000, &k)), Ok(1_900));
    }
}
