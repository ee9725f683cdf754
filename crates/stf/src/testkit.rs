//! The test kit (feature `test-utils`): transactions of the composed chain for the crates above
//! the runtime (chain, derivation, sequencer).

#![allow(clippy::unwrap_used)]

use pillar_assets::{AssetsCall, Transfer};
use pillar_primitives::{Address, NATIVE_ASSET};
use pillar_runtime::testkit::key;

use crate::{Call, SignedTransaction, Transaction};

/// A native-ETH transfer of `amount` wei from key `from` to `to`, signed.
pub fn transfer(
    chain_id: u64,
    from: u8,
    nonce: u64,
    max_fee: u128,
    to: Address,
    amount: u128,
) -> SignedTransaction {
    key(from).sign(Transaction {
        chain_id,
        nonce,
        max_fee,
        call: Call::Assets(AssetsCall::Transfer(Transfer { to, asset: NATIVE_ASSET, amount })),
    })
}
