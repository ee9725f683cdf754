//! [`L1Error`]: everything that can go wrong talking to L1, whether a retry can help, and what it
//! means to derivation ([`Classify`]).

use alloy::contract::Error as ContractError;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::PendingTransactionError;
use alloy::transports::{RpcError, TransportError};
use pillar_derive::{Classify, ErrorKind};

use crate::bindings::{
    DisputeGameFactory::DisputeGameFactoryErrors, FaultDisputeGame::FaultDisputeGameErrors,
    Portal::PortalErrors, PreimageOracle::PreimageOracleErrors, RiscvStep::RiscvStepErrors,
    Rollup::RollupErrors,
};

/// An L1 failure. [`L1Error::is_retryable`] says whether the same call may succeed later
/// (node unreachable, rate limited, receipt not there yet); everything else needs a caller decision
/// (a contract rejected the call, the data is malformed, the configuration is wrong).
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// The RPC URL does not parse.
    #[error("invalid L1 RPC url {url:?}")]
    InvalidUrl {
        /// The URL given.
        url: String,
    },
    /// The signer key is not a valid secp256k1 private key in hex.
    #[error("invalid L1 signer key (expected 32 bytes of hex)")]
    InvalidKey,
    /// A write was attempted on a read-only client.
    #[error("{method} needs a signer; the L1 client was connected read-only")]
    NoSigner {
        /// The client method.
        method: &'static str,
    },
    /// The JSON-RPC request failed (connection, HTTP, node error response, malformed reply).
    #[error("L1 RPC {method} failed: {source}")]
    Rpc {
        /// The client method or RPC method.
        method: &'static str,
        /// The transport error.
        #[source]
        source: TransportError,
    },
    /// Waiting for a transaction receipt failed or timed out.
    #[error("waiting for the receipt of {method} failed: {source}")]
    Pending {
        /// The client method.
        method: &'static str,
        /// Why.
        #[source]
        source: PendingTransactionError,
    },
    /// No receipt after every fee bump.
    #[error("{method}: no receipt for nonce {nonce} after {attempts} fee-bumped attempts")]
    Stuck {
        /// The client method.
        method: &'static str,
        /// The nonce used.
        nonce: u64,
        /// Transactions sent.
        attempts: usize,
    },
    /// The nonce was used by a transaction this client did not send.
    #[error("nonce {nonce} was used by another transaction of the same key")]
    NonceTaken {
        /// The nonce.
        nonce: u64,
    },
    /// The call's transaction kept becoming unminable (reorgs took back this key's transactions
    /// below its nonce, or the node dropped it), and the call gave up after resending it from the
    /// account's nonce `resends` times.
    #[error("{method}: transaction at nonce {nonce} was orphaned or dropped {resends} times")]
    Orphaned {
        /// The client method.
        method: &'static str,
        /// The nonce of the last attempt.
        nonce: u64,
        /// Times the call was sent again from the account's nonce.
        resends: u32,
    },
    /// The Rollup contract rejected the call with one of its custom errors.
    #[error("Rollup rejected {method}: {error:?}")]
    RollupRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: RollupErrors,
    },
    /// The Portal contract rejected the call with one of its custom errors.
    #[error("Portal rejected {method}: {error:?}")]
    PortalRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: PortalErrors,
    },
    /// A dispute game rejected the call with one of its custom errors.
    #[error("the dispute game rejected {method}: {error:?}")]
    GameRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: FaultDisputeGameErrors,
    },
    /// The dispute game factory rejected the call.
    #[error("the dispute game factory rejected {method}: {error:?}")]
    FactoryRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: DisputeGameFactoryErrors,
    },
    /// The one-step rule rejected a step's proof.
    #[error("RiscvStep rejected {method}: {error:?}")]
    StepRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: RiscvStepErrors,
    },
    /// The preimage oracle rejected a load.
    #[error("PreimageOracle rejected {method}: {error:?}")]
    OracleRevert {
        /// The client method.
        method: &'static str,
        /// The decoded custom error.
        error: PreimageOracleErrors,
    },
    /// A call reverted with data that is not a Rollup or Portal error (e.g. from a token).
    #[error("{method} reverted with data {data}")]
    Revert {
        /// The client method.
        method: &'static str,
        /// The raw revert data.
        data: Bytes,
    },
    /// The transaction was mined but reverted.
    #[error("{method} transaction {tx_hash} reverted on L1 (block {block:?})")]
    TxReverted {
        /// The client method.
        method: &'static str,
        /// Transaction hash.
        tx_hash: B256,
        /// Block it was mined in.
        block: Option<u64>,
    },
    /// A receipt lacks the event the call must emit (wrong address, or not our contract).
    #[error("{method} transaction {tx_hash} did not emit {event}")]
    MissingEvent {
        /// The client method.
        method: &'static str,
        /// The expected event.
        event: &'static str,
        /// Transaction hash.
        tx_hash: B256,
    },
    /// ABI encoding or decoding failed (a log or return value that does not match the ABI).
    #[error("ABI error in {method}: {source}")]
    Abi {
        /// The client method.
        method: &'static str,
        /// Why.
        #[source]
        source: alloy_sol_types::Error,
    },
    /// The contract call could not be encoded or its result decoded (e.g. no code at the address).
    #[error("contract call {method} failed: {source}")]
    Contract {
        /// The client method.
        method: &'static str,
        /// The alloy contract error.
        #[source]
        source: Box<ContractError>,
    },
    /// A `QueueMessage` carried a kind the Portal does not define.
    #[error("queue message {index} has unknown kind {kind}")]
    UnknownQueueKind {
        /// Queue index.
        index: u64,
        /// The kind byte.
        kind: u8,
    },
    /// A `BatchAppended` event carried a kind the Rollup does not define.
    #[error("batch {index} has unknown kind {kind}")]
    UnknownBatchKind {
        /// Batch index.
        index: u64,
        /// The kind byte.
        kind: u8,
    },
    /// Batch data is empty (the Rollup refuses empty calldata batches; a blob batch needs data).
    #[error("batch data is empty")]
    EmptyBatch,
    /// The data does not fit in the blobs one transaction may carry.
    #[error("batch of {size} bytes needs {blobs} blobs, at most {max} fit in one transaction")]
    BlobsTooMany {
        /// Data size in bytes.
        size: usize,
        /// Blobs needed.
        blobs: usize,
        /// Blobs allowed per transaction.
        max: usize,
    },
    /// Computing KZG commitments or proofs failed.
    #[error("KZG: {reason}")]
    Kzg {
        /// The c-kzg error text.
        reason: String,
    },
    /// The node has no blobs for this transaction (not a blob transaction, or pruned).
    #[error("no blobs for transaction {tx_hash}")]
    BlobsNotFound {
        /// Transaction hash.
        tx_hash: B256,
    },
    /// The node returned a blob of the wrong size.
    #[error("blob of transaction {tx_hash} has {size} bytes, expected 131072")]
    BlobSize {
        /// Transaction hash.
        tx_hash: B256,
        /// Size received.
        size: usize,
    },
    /// No thread could be started for blob work.
    #[error("starting the blob worker thread failed: {source}")]
    Thread {
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A calldata batch's `CalldataBatchPayload` log was not among the logs read (the Rollup
    /// emits it with every calldata batch, so the read was incomplete).
    #[error("calldata batch {index} has no payload log")]
    MissingPayload {
        /// Batch index.
        index: u64,
    },
    /// Blobs do not decode with the batch blob coder. As derivation's provider, the client
    /// reports checked blobs that do not decode as a payload to skip, not as this error.
    #[error("blobs of transaction {tx_hash} do not decode")]
    BlobDecode {
        /// Transaction hash.
        tx_hash: B256,
    },
    /// A blob does not match the versioned hash the Rollup recorded.
    #[error(
        "blob {position} of batch {batch_index} has versioned hash {computed}, the Rollup recorded {expected}"
    )]
    BlobHashMismatch {
        /// Batch index.
        batch_index: u64,
        /// Blob position in the transaction.
        position: usize,
        /// Hash recorded on L1.
        expected: B256,
        /// Hash of the blob received.
        computed: B256,
    },
    /// Consecutive queue messages do not chain (a missed log or a reorg).
    #[error("queue message {index}: rolling hash {computed} does not match the logged {logged}")]
    QueueHashMismatch {
        /// Queue index.
        index: u64,
        /// Hash recomputed from the previous message.
        computed: B256,
        /// Hash in the log.
        logged: B256,
    },
    /// Queue messages have a gap (a missed log or a reorg).
    #[error("queue message gap: expected index {expected}, got {got}")]
    QueueGap {
        /// Index expected next.
        expected: u64,
        /// Index found.
        got: u64,
    },
    /// No code at a freshly deployed address.
    #[error("no code at {address} after deploying {contract}")]
    NoCode {
        /// Contract name.
        contract: &'static str,
        /// Address expected to hold it.
        address: Address,
    },
    /// The deployment receipt has no contract address.
    #[error("deployment of {contract} (tx {tx_hash}) created no contract")]
    NotDeployed {
        /// Contract name.
        contract: &'static str,
        /// Transaction hash.
        tx_hash: B256,
    },
    /// The L1 node does not have this block.
    #[error("L1 block {number} not found")]
    BlockNotFound {
        /// Block number.
        number: u64,
    },
    /// The receipt has no block number (still pending).
    #[error("receipt of {tx_hash} has no block number")]
    NoBlock {
        /// Transaction hash.
        tx_hash: B256,
    },
}

impl L1Error {
    /// True if the same request may succeed later without any change (transport failures,
    /// rate limits, timeouts waiting for a receipt, node errors flagged retryable).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Rpc { source, .. } => rpc_retryable(source),
            Self::Pending { source, .. } => match source {
                PendingTransactionError::TransportError(e) => rpc_retryable(e),
                _ => true,
            },
            Self::BlobsNotFound { .. }
            | Self::NoBlock { .. }
            | Self::BlockNotFound { .. }
            | Self::Stuck { .. }
            | Self::NonceTaken { .. }
            | Self::Orphaned { .. } => true,
            _ => false,
        }
    }

    /// Classifies an alloy contract error: decodes Rollup/Portal custom errors from revert data.
    pub(crate) fn from_contract(method: &'static str, e: ContractError) -> Self {
        if let Some(error) = e.as_decoded_interface_error::<RollupErrors>() {
            return Self::RollupRevert { method, error };
        }
        if let Some(error) = e.as_decoded_interface_error::<PortalErrors>() {
            return Self::PortalRevert { method, error };
        }
        if let Some(error) = e.as_decoded_interface_error::<FaultDisputeGameErrors>() {
            return Self::GameRevert { method, error };
        }
        if let Some(error) = e.as_decoded_interface_error::<DisputeGameFactoryErrors>() {
            return Self::FactoryRevert { method, error };
        }
        if let Some(error) = e.as_decoded_interface_error::<RiscvStepErrors>() {
            return Self::StepRevert { method, error };
        }
        if let Some(error) = e.as_decoded_interface_error::<PreimageOracleErrors>() {
            return Self::OracleRevert { method, error };
        }
        if let Some(data) = e.as_revert_data() {
            return Self::Revert { method, data };
        }
        match e {
            ContractError::TransportError(source) => Self::Rpc { method, source },
            ContractError::PendingTransactionError(source) => Self::Pending { method, source },
            other => Self::Contract { method, source: Box::new(other) },
        }
    }

    pub(crate) fn rpc(method: &'static str) -> impl FnOnce(TransportError) -> Self {
        move |source| Self::Rpc { method, source }
    }

    pub(crate) fn pending(method: &'static str) -> impl FnOnce(PendingTransactionError) -> Self {
        move |source| Self::Pending { method, source }
    }
}

/// Derivation's view of an L1 failure. It differs from [`L1Error::is_retryable`] (the writers'
/// view, about sending the same request again) for reads: L1 is derivation's only source, so any
/// failed read short of one contradicting the contracts is retried, even one a provider keeps
/// getting wrong (a node refusing a method, blobs that do not match their hashes).
impl Classify for L1Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Rpc { .. }
            | Self::Pending { .. }
            | Self::Stuck { .. }
            | Self::NonceTaken { .. }
            | Self::Orphaned { .. }
            | Self::Kzg { .. }
            | Self::BlobsNotFound { .. }
            | Self::BlobSize { .. }
            | Self::Thread { .. }
            | Self::BlobDecode { .. }
            | Self::BlobHashMismatch { .. }
            | Self::MissingPayload { .. }
            | Self::BlockNotFound { .. }
            | Self::NoBlock { .. } => ErrorKind::Temporary,
            // A missed log or a reorg between reads.
            Self::QueueHashMismatch { .. } | Self::QueueGap { .. } => ErrorKind::Reset,
            // The configuration, the contracts at the configured addresses, or a call's arguments
            // are wrong: the same request fails again.
            Self::InvalidUrl { .. }
            | Self::InvalidKey
            | Self::NoSigner { .. }
            | Self::RollupRevert { .. }
            | Self::PortalRevert { .. }
            | Self::GameRevert { .. }
            | Self::FactoryRevert { .. }
            | Self::StepRevert { .. }
            | Self::OracleRevert { .. }
            | Self::Revert { .. }
            | Self::TxReverted { .. }
            | Self::MissingEvent { .. }
            | Self::Abi { .. }
            | Self::Contract { .. }
            | Self::UnknownQueueKind { .. }
            | Self::UnknownBatchKind { .. }
            | Self::EmptyBatch
            | Self::BlobsTooMany { .. }
            | Self::NoCode { .. }
            | Self::NotDeployed { .. } => ErrorKind::Critical,
        }
    }
}

fn rpc_retryable(e: &TransportError) -> bool {
    match e {
        // Connection refused, reset, HTTP 5xx/429...: the node may come back.
        RpcError::Transport(_) | RpcError::NullResp => true,
        RpcError::ErrorResp(payload) => payload.is_retry_err(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_retries_failed_reads_and_stops_on_contradictions() {
        let rpc = |source| L1Error::Rpc { method: "eth_getLogs", source };
        // A writer would not send this again; derivation reads it again at the next poll.
        let refused = rpc(RpcError::UnsupportedFeature("eth_getLogs"));
        assert!(!refused.is_retryable());
        assert_eq!(refused.kind(), ErrorKind::Temporary);
        assert_eq!(rpc(RpcError::NullResp).kind(), ErrorKind::Temporary);
        let lying = L1Error::BlobHashMismatch {
            batch_index: 1,
            position: 0,
            expected: B256::ZERO,
            computed: B256::repeat_byte(1),
        };
        assert_eq!(lying.kind(), ErrorKind::Temporary);
        assert_eq!(L1Error::MissingPayload { index: 2 }.kind(), ErrorKind::Temporary);
        assert_eq!(L1Error::BlockNotFound { number: 9 }.kind(), ErrorKind::Temporary);
        assert_eq!(L1Error::QueueGap { expected: 1, got: 2 }.kind(), ErrorKind::Reset);
        assert_eq!(L1Error::UnknownBatchKind { index: 0, kind: 7 }.kind(), ErrorKind::Critical);
        assert_eq!(L1Error::InvalidUrl { url: "x".into() }.kind(), ErrorKind::Critical);
    }
}
