//! Pillar's wire types: everything two parties must agree on byte for byte.
//!
//! - [`Transaction`] and [`SignedTransaction`]: what a user signs and sends, in the canonical
//!   borsh encoding ([`codec`]), signed as EIP-712 typed data over secp256k1 ([`eip712`]).
//! - [`CallSet`] and [`EventSet`]: what a module's group of calls or events, and a chain's
//!   composed `Call` and `Event`, implement. Call kinds and events are declared in their modules'
//!   crates ([`declare_calls!`], `#[derive(pillar_macros::Events)]`), one EIP-712 struct per call
//!   kind so wallets show readable fields; the types here are generic over them.
//! - [`Envelope`]: the optional suffix of a signed transaction naming a fee sponsor and/or a
//!   session key ([`SessionKey`], ed25519 or P-256) that signed for an account.
//! - [`Header`], [`Block`] and [`Receipt`]: what the chain produces.
//!
//! Nothing in this crate does I/O, reads a clock or draws randomness (key generation takes its
//! entropy from the caller), so the same types serve the sequencer, replicas and a future
//! fault-proof program. The format is specified in `docs/transactions.md`.

#![cfg_attr(not(feature = "std"), no_std)]

#[macro_use]
extern crate alloc;
// The derives name `::pillar_primitives`, inside this crate too.
extern crate self as pillar_primitives;

mod block;
mod call;
pub mod codec;
pub mod eip712;
mod l1;
mod merkle;
mod receipt;
pub mod schema;
mod session;
pub mod session_sig;
#[cfg(feature = "std")]
mod session_signer;
#[cfg(feature = "std")]
mod signer;
mod transaction;
pub mod typed_json;
pub mod u128_string;
mod verify;
mod voucher;

pub use alloy_primitives::{Address, B256, U256, keccak256};
pub use block::{
    BLOCK_OVERHEAD_BYTES, Block, ENTRY_OVERHEAD_BYTES, Header, MAX_BLOCK_L1_BYTES, l1_messages_fitting,
};
pub use call::{
    AssetId, CallArgs, CallKind, CallSet, CallView, MAX_NAME_LEN, NATIVE_ASSET, NoCalls, compose_call,
    is_json_type, nonzero,
};
pub use codec::DecodeError;
pub use l1::{
    ChainTx, DerivationCursor, ExecTx, KIND_ERC20_DEPOSIT, KIND_ETH_DEPOSIT, KIND_FORCED_TX, L1Message,
    L1MessageError, L1MessageKind, next_queue_hash, output_root, withdrawal_leaf,
};
pub use merkle::{MerklePeaks, merkle_proof, merkle_root, merkle_root_from_proof};
pub use receipt::{EventSet, NoEvents, Receipt, TxStatus};
pub use session::{Envelope, P256_KEY_LEN, SCHEME_ED25519, SCHEME_P256, SessionKey};
#[cfg(feature = "std")]
pub use session_signer::SessionSigner;
#[cfg(feature = "std")]
pub use signer::{KeyError, PrivateKey};
pub use transaction::{
    ENVELOPE_MARKER, ENVELOPE_VERSION, MAX_TX_SIZE, RecoverError, Signature, SignedTransaction, Transaction,
    VerifiedTransaction,
};
pub use verify::SigVerifier;
#[cfg(feature = "std")]
pub use verify::{Native, address_of};
pub use voucher::Voucher;

/// What the derives in `pillar-macros` expand to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use alloc::{borrow::Cow, boxed::Box, collections::BTreeMap, string::String, vec, vec::Vec};
    pub use borsh;
    pub use once_cell::race::OnceBox;

    /// The error for a borsh tag no call or event kind has (borsh's own derive wording).
    pub fn unknown_tag(tag: u8) -> borsh::io::Error {
        borsh::io::Error::new(
            borsh::io::ErrorKind::InvalidData,
            alloc::format!("Unexpected variant tag: {tag:?}"),
        )
    }
}
