//! Pillar's one place for L1: the contract bindings, deployment, the L1 client, and a local anvil.
//!
//! - [`bindings`]: `sol!` bindings for `Rollup`, `Portal` and `RiscvStep`, generated from the committed
//!   artifacts in `contracts/artifacts/` (ABI and bytecode), plus the ERC-20 calls deposits need.
//! - [`hashing`]: every hash shared with the contracts (output root, batch hash, queue hashes,
//!   withdrawal leaves, tree and proofs), checked against the vectors of docs/bridge.md §7; those
//!   the chain needs are `pillar-primitives`' own, re-exported.
//! - [`L1Client`]: one typed async method per L1 action (post batches as calldata or EIP-4844
//!   blobs, propose and invalidate outputs, deposit, force transactions, finalize withdrawals)
//!   and per read (queue messages, batch events, blob data, outputs). Errors are [`L1Error`],
//!   which answers [`L1Error::is_retryable`].
//! - What derivation reads is `pillar-derive`'s L1 vocabulary ([`L1Event`], [`QueueMessage`],
//!   [`BatchEvent`], ...), re-exported here: [`L1Client`] decodes logs straight into it and
//!   implements derivation's [`ChainProvider`](pillar_derive::ChainProvider) and
//!   [`DataAvailabilityProvider`](pillar_derive::DataAvailabilityProvider).
//! - [`deploy()`]: deploys both contracts.
//! - [`anvil`]: starts the pinned anvil from `node_modules/` for tests and devnets, with the
//!   snapshot, revert, mine and time RPCs reorg tests need.
//!
//! Contract rejections are decoded into the contracts' own custom errors
//! ([`L1Error::RollupRevert`], [`L1Error::PortalRevert`]); events are decoded with the generated
//! types, never by hand.

pub use alloy;

pub mod anvil;
pub mod bindings;
mod client;
mod deploy;
mod deploy_dispute;
mod dispute;
mod error;
pub mod hashing;
mod provider;
mod reader;
mod types;

pub use client::{
    BlobSidecarFormat, FeeBump, L1Client, MAX_BLOBS_PER_TX, decode_blob_data, encode_blob_data,
    kzg_commitments, versioned_hashes, warm_up_kzg,
};
pub use deploy::{DeployParams, Deployment, deploy};
pub use deploy_dispute::{DisputeDeployment, DisputeParams, deploy_dispute};
pub use dispute::{DisputeClient, GameClaim, GameInfo, GameStatus};
pub use error::L1Error;
pub use hashing::{
    DerivationCursor, Withdrawal, WithdrawalProof, output_root, withdrawal_leaf, withdrawal_proof,
    withdrawals_root,
};
pub use pillar_derive::{
    BatchContext, BatchEvent, BatchKind, L1BlockInfo, L1Event, L1Log, ProposedOutput, QueueKind, QueueMessage,
};
pub use reader::{MAX_LOG_RANGE, RollupWindows};
pub use types::{
    BatchPosted, Enqueued, L1Addresses, L1Anchor, Output, OutputProposed, TxInfo, check_queue_chain,
};
