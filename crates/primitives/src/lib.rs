//! Pillar's wire types: everything two parties must agree on byte for byte.
//!
//! - [`Transaction`] and [`SignedTransaction`]: what a user signs and sends, in the canonical
//!   borsh encoding ([`codec`]), signed as EIP-712 typed data over secp256k1 ([`eip712`]).
//! - [`Call`]: the closed set of call kinds, one EIP-712 struct per kind so wallets show
//!   readable fields.
//! - [`Envelope`]: the optional suffix of a signed transaction naming a fee sponsor and/or a
//!   session key ([`SessionKey`], ed25519 or P-256) that signed for an account.
//! - [`Header`], [`Block`], [`Receipt`] and [`Event`]: what the chain produces.
//!
//! Nothing in this crate does I/O, reads a clock or draws randomness (key generation takes its
//! entropy from the caller), so the same types serve the sequencer, replicas and a future
//! fault-proof program. The format is specified in `docs/transactions.md`.

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
mod session_signer;
mod signer;
mod transaction;
pub mod typed_json;
mod voucher;

pub use alloy_primitives::{Address, B256, U256, keccak256};
pub use block::{
    BLOCK_OVERHEAD_BYTES, Block, ENTRY_OVERHEAD_BYTES, Header, MAX_BLOCK_L1_BYTES, l1_messages_fitting,
};
pub use call::{
    AddClaim, AmountEntry, AssetId, AssetRole, AuthorizeSession, Burn, Call, CallArgs, CallKind,
    ClaimRequirement, CountryCap, CreateAsset, ForcedEntry, ForcedTransfers, FreezeAmounts, FreezeWallets,
    LinkWallet, MAX_BATCH, MAX_COUNTRIES, MAX_COUNTRY_CAPS, MAX_NAME_LEN, MAX_SESSION_CAPS, MAX_SYMBOL_LEN,
    MAX_TOPIC, Mint, NATIVE_ASSET, RecoverWallets, RegisterIdentity, RemoveClaim, RevokeSession,
    SESSION_MANAGEMENT_TAGS, SetAssetRole, SetComplianceAgent, SetComplianceRules, SetPaused,
    SetRegistryAgent, SetSanctions, SetSponsorPolicy, SetTrustedIssuer, SpendCap, TOPIC_COUNTRY,
    TOPIC_INVESTOR_TYPE, TOPIC_KYC, Transfer, WalletRecovery, Withdraw,
};
pub use call::{
    BurnItems, CloseChannel, CollectionId, CreateCollection, DefineItems, FundChannel, GiveFeedback,
    ItemAmount, ItemClass, MAX_ITEM_BATCH, MAX_ITEM_URI_LEN, MAX_KEY_LEN, MAX_METADATA, MAX_SCORE,
    MAX_URI_LEN, MAX_VALUE_LEN, MetadataEntry, MintItems, OpenChannel, RegisterAgent, RequestChannelClose,
    RevokeFeedback, SetItemMinter, SettleChannel, TransferAgent, TransferItems, UpdateAgent,
};
pub use codec::DecodeError;
pub use l1::{
    ChainTx, ExecTx, KIND_ERC20_DEPOSIT, KIND_ETH_DEPOSIT, KIND_FORCED_TX, L1Message, L1MessageError,
    L1MessageKind, next_queue_hash, output_root, withdrawal_leaf,
};
pub use merkle::{MerklePeaks, merkle_proof, merkle_root, merkle_root_from_proof};
pub use receipt::{Event, Receipt, TxStatus};
pub use session::{Envelope, P256_KEY_LEN, SCHEME_ED25519, SCHEME_P256, SessionKey};
pub use session_signer::SessionSigner;
pub use signer::{KeyError, PrivateKey};
pub use transaction::{
    ENVELOPE_MARKER, ENVELOPE_VERSION, MAX_TX_SIZE, RecoverError, Signature, SignedTransaction, Transaction,
    VerifiedTransaction,
};
pub use voucher::Voucher;

/// What the derives in `pillar-macros` expand to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use alloc::{borrow::Cow, boxed::Box, collections::BTreeMap, string::String, vec, vec::Vec};
    pub use once_cell::race::OnceBox;
}
