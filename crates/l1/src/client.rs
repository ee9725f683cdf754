//! [`L1Client`]: typed calls to the Rollup and Portal, one method per action, each waiting for
//! its receipt and decoding the events it must emit.

use std::time::Duration;

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::eips::eip4844::builder::{SidecarBuilder, SidecarCoder, SimpleCoder};
use alloy::eips::eip4844::env_settings::EnvKzgSettings;
use alloy::eips::eip4844::{AsCkzg, BYTES_PER_BLOB, Blob, FIELD_ELEMENTS_PER_BLOB, kzg_to_versioned_hash};
use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, Log, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::Url;
use alloy_sol_types::SolEvent;
use pillar_derive::{BatchContext, BatchEvent, BatchKind, QueueKind, QueueMessage};
use pillar_stf::DerivationCursor;

use crate::L1Error;
use crate::bindings::{IERC20, Portal, Rollup};
use crate::hashing::{Withdrawal, WithdrawalProof};
use crate::types::{BatchPosted, Enqueued, L1Addresses, L1Anchor, Output, OutputProposed, TxInfo};

/// Blobs one transaction may carry (EIP-7594 per-transaction cap).
pub const MAX_BLOBS_PER_TX: usize = 6;

/// Which sidecar form blob transactions carry. Since Osaka (Fusaka, PeerDAS) mempools expect
/// EIP-7594 cell proofs; anvil 1.7 (hardfork BPO1 by default) accepts both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BlobSidecarFormat {
    /// EIP-4844 sidecar: one KZG proof per blob (pre-Osaka networks).
    Eip4844,
    /// EIP-7594 sidecar: 128 cell proofs per blob (Osaka and later).
    #[default]
    Eip7594,
}

/// A connection to L1 for one deployment of the contracts, optionally with a signing key.
#[derive(Clone, Debug)]
pub struct L1Client {
    provider: DynProvider,
    signer: Option<Address>,
    addresses: L1Addresses,
    rollup: Rollup::RollupInstance<DynProvider>,
    portal: Portal::PortalInstance<DynProvider>,
    receipt_timeout: Duration,
    blob_format: BlobSidecarFormat,
    bump: FeeBump,
}

/// How a stuck transaction is replaced: after `wait` without a receipt it is sent again with the
/// same nonce and every fee raised by `percent` (nodes require at least 10% to replace), up to
/// `max_bumps` times; then the send fails as pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeBump {
    /// How long to wait for a receipt before raising the fees.
    pub wait: Duration,
    /// Percentage added to each fee per bump.
    pub percent: u128,
    /// Most replacements.
    pub max_bumps: u32,
}

impl Default for FeeBump {
    fn default() -> Self {
        // About two L1 slots per attempt; five bumps raise fees by about 3x.
        Self { wait: Duration::from_secs(24), percent: 25, max_bumps: 5 }
    }
}

impl L1Client {
    /// Connects to `rpc_url` (HTTP) signing with `signer_key` (hex, with or without `0x`).
    /// Makes no request.
    pub fn connect(rpc_url: &str, signer_key: &str, addresses: L1Addresses) -> Result<Self, L1Error> {
        let signer: PrivateKeySigner = signer_key.trim().parse().map_err(|_| L1Error::InvalidKey)?;
        let address = signer.address();
        let provider = signing_provider(parse_url(rpc_url)?, signer);
        Ok(Self::with_provider(provider, Some(address), addresses))
    }

    /// Connects without a key: reads only; writes fail with [`L1Error::NoSigner`].
    pub fn connect_read_only(rpc_url: &str, addresses: L1Addresses) -> Result<Self, L1Error> {
        let provider = ProviderBuilder::new().connect_http(parse_url(rpc_url)?).erased();
        Ok(Self::with_provider(provider, None, addresses))
    }

    fn with_provider(provider: DynProvider, signer: Option<Address>, addresses: L1Addresses) -> Self {
        Self {
            rollup: Rollup::new(addresses.rollup, provider.clone()),
            portal: Portal::new(addresses.portal, provider.clone()),
            provider,
            signer,
            addresses,
            receipt_timeout: Duration::from_secs(120),
            bump: FeeBump::default(),
            blob_format: BlobSidecarFormat::default(),
        }
    }

    /// How long write methods wait for a receipt (default 120 s).
    /// Sets the fee-bumping policy for stuck transactions.
    pub fn with_fee_bump(mut self, bump: FeeBump) -> Self {
        self.bump = bump;
        self
    }

    /// Sets how long to wait for a receipt (after the last fee bump).
    pub fn with_receipt_timeout(mut self, timeout: Duration) -> Self {
        self.receipt_timeout = timeout;
        self
    }

    /// The sidecar form of blob transactions (default EIP-7594).
    pub fn with_blob_format(mut self, format: BlobSidecarFormat) -> Self {
        self.blob_format = format;
        self
    }

    /// The signer's address, `None` for a read-only client.
    pub fn signer(&self) -> Option<Address> {
        self.signer
    }

    /// The contract addresses.
    pub fn addresses(&self) -> L1Addresses {
        self.addresses
    }

    /// The underlying provider (signs with the client's key, if any).
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The Rollup binding, for calls this client does not wrap.
    pub fn rollup(&self) -> &Rollup::RollupInstance<DynProvider> {
        &self.rollup
    }

    /// The Portal binding, for calls this client does not wrap.
    pub fn portal(&self) -> &Portal::PortalInstance<DynProvider> {
        &self.portal
    }

    // ---- chain -------------------------------------------------------------------------------

    /// The L1 chain id.
    pub async fn chain_id(&self) -> Result<u64, L1Error> {
        self.provider.get_chain_id().await.map_err(L1Error::rpc("eth_chainId"))
    }

    /// The latest L1 block number.
    pub async fn block_number(&self) -> Result<u64, L1Error> {
        self.provider.get_block_number().await.map_err(L1Error::rpc("eth_blockNumber"))
    }

    /// `address`'s transaction counts: `(mined, pending)`. A pending count above the mined one
    /// means transactions of its are waiting in the node's mempool.
    pub async fn nonces(&self, address: Address) -> Result<(u64, u64), L1Error> {
        let mined = self
            .provider
            .get_transaction_count(address)
            .latest()
            .await
            .map_err(L1Error::rpc("eth_getTransactionCount"))?;
        let pending = self
            .provider
            .get_transaction_count(address)
            .pending()
            .await
            .map_err(L1Error::rpc("eth_getTransactionCount"))?;
        Ok((mined, pending))
    }

    /// ETH balance of `address` at the latest block (wei).
    pub async fn eth_balance(&self, address: Address) -> Result<U256, L1Error> {
        self.provider.get_balance(address).await.map_err(L1Error::rpc("eth_getBalance"))
    }

    // ---- queue -------------------------------------------------------------------------------

    /// Queue messages logged in L1 blocks `from_block..=to_block`, ordered by index. Does not
    /// check the rolling hash chain: use [`crate::check_queue_chain`] with the previous message.
    pub async fn queue_messages(&self, from_block: u64, to_block: u64) -> Result<Vec<QueueMessage>, L1Error> {
        const METHOD: &str = "queue_messages";
        let logs = self
            .logs(
                METHOD,
                self.addresses.portal,
                vec![Portal::QueueMessage::SIGNATURE_HASH],
                from_block,
                to_block,
            )
            .await?;
        let mut out =
            logs.iter().map(|log| decode_queue_message(METHOD, log)).collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|m| m.index);
        Ok(out)
    }

    /// Number of messages in the queue.
    pub async fn queue_length(&self) -> Result<u64, L1Error> {
        self.portal.queueLength().call().await.map_err(|e| L1Error::from_contract("queue_length", e))
    }

    /// Rolling queue hash after the last message (zero when empty).
    pub async fn last_queue_hash(&self) -> Result<B256, L1Error> {
        self.portal.lastQueueHash().call().await.map_err(|e| L1Error::from_contract("last_queue_hash", e))
    }

    /// Deposits `amount_wei` ETH for `l2_recipient`.
    pub async fn deposit_eth(&self, l2_recipient: Address, amount_wei: U256) -> Result<Enqueued, L1Error> {
        const METHOD: &str = "deposit_eth";
        let receipt = self.send(METHOD, self.portal.depositETH(l2_recipient).value(amount_wei)).await?;
        self.enqueued(METHOD, &receipt)
    }

    /// Approves the Portal for `amount` of `token` (if the allowance is short) and deposits it
    /// for `l2_recipient`. The credited amount in the message is what the Portal received.
    pub async fn deposit_erc20(
        &self,
        token: Address,
        l2_recipient: Address,
        amount: U256,
    ) -> Result<Enqueued, L1Error> {
        const METHOD: &str = "deposit_erc20";
        let owner = self.signer.ok_or(L1Error::NoSigner { method: METHOD })?;
        let erc20 = IERC20::new(token, self.provider.clone());
        let allowance = erc20
            .allowance(owner, self.addresses.portal)
            .call()
            .await
            .map_err(|e| L1Error::from_contract(METHOD, e))?;
        if allowance < amount {
            self.send("deposit_erc20 (approve)", erc20.approve(self.addresses.portal, amount)).await?;
        }
        let receipt = self.send(METHOD, self.portal.depositERC20(token, l2_recipient, amount)).await?;
        self.enqueued(METHOD, &receipt)
    }

    /// `Rollup.forceInclusion()`: appends a force entry, so that derivation forces in the queue
    /// messages overdue at this L1 time even when nobody posts batches (docs/derivation.md §4).
    /// Anyone may call it, once per L1 block.
    pub async fn force_inclusion(&self) -> Result<TxInfo, L1Error> {
        const METHOD: &str = "force_inclusion";
        let receipt = self.send(METHOD, self.rollup.forceInclusion()).await?;
        tx_info(&receipt)
    }

    /// Appends a forced L2 transaction (the signed transaction as the L2 codec encodes it).
    pub async fn force_transaction(&self, signed_l2_tx: Bytes) -> Result<Enqueued, L1Error> {
        const METHOD: &str = "force_transaction";
        let receipt = self.send(METHOD, self.portal.forceTransaction(signed_l2_tx)).await?;
        self.enqueued(METHOD, &receipt)
    }

    fn enqueued(&self, method: &'static str, receipt: &TransactionReceipt) -> Result<Enqueued, L1Error> {
        let log = find_log::<Portal::QueueMessage>(receipt, self.addresses.portal).ok_or(
            L1Error::MissingEvent { method, event: "QueueMessage", tx_hash: receipt.transaction_hash },
        )?;
        Ok(Enqueued { tx: tx_info(receipt)?, message: decode_queue_message(method, log)? })
    }

    // ---- batches -----------------------------------------------------------------------------

    /// Head of the batch chain: `(lastBatchHash, lastBatchBlock)`.
    pub async fn batch_head(&self) -> Result<(B256, u64), L1Error> {
        let hash =
            self.rollup.lastBatchHash().call().await.map_err(|e| L1Error::from_contract("batch_head", e))?;
        let block =
            self.rollup.lastBatchBlock().call().await.map_err(|e| L1Error::from_contract("batch_head", e))?;
        Ok((hash, block))
    }

    /// Appends a calldata batch covering L2 blocks `first_block..=last_block`.
    pub async fn append_calldata_batch(
        &self,
        first_block: u64,
        last_block: u64,
        prev_batch_hash: B256,
        data: Bytes,
    ) -> Result<BatchPosted, L1Error> {
        const METHOD: &str = "append_calldata_batch";
        if data.is_empty() {
            return Err(L1Error::EmptyBatch);
        }
        let data_len = data.len();
        let call = self.rollup.appendCalldataBatch(first_block, last_block, prev_batch_hash, data);
        let receipt = self.send(METHOD, call).await?;
        self.batch_posted(METHOD, &receipt, data_len)
    }

    /// Appends a blob batch covering L2 blocks `first_block..=last_block`: `data` is coded into
    /// blobs with [`SimpleCoder`] (read back with [`L1Client::blobs_for_tx`]).
    pub async fn append_blob_batch(
        &self,
        first_block: u64,
        last_block: u64,
        prev_batch_hash: B256,
        data: &[u8],
    ) -> Result<BatchPosted, L1Error> {
        const METHOD: &str = "append_blob_batch";
        if data.is_empty() {
            return Err(L1Error::EmptyBatch);
        }
        let blobs = SimpleCoder::default().required_fe(data).div_ceil(FIELD_ELEMENTS_PER_BLOB as usize);
        if blobs > MAX_BLOBS_PER_TX {
            return Err(L1Error::BlobsTooMany { size: data.len(), blobs, max: MAX_BLOBS_PER_TX });
        }
        let call = self.rollup.appendBlobBatch(first_block, last_block, prev_batch_hash);
        let kzg = |e: alloy::eips::eip4844::c_kzg::Error| L1Error::Kzg { reason: e.to_string() };
        let owned = data.to_vec();
        let call = match self.blob_format {
            BlobSidecarFormat::Eip4844 => call.sidecar(
                on_big_stack(move || {
                    SidecarBuilder::<SimpleCoder>::from_slice(&owned).build_4844().map_err(kzg)
                })
                .await?,
            ),
            BlobSidecarFormat::Eip7594 => call.sidecar_7594(
                on_big_stack(move || {
                    SidecarBuilder::<SimpleCoder>::from_slice(&owned).build_7594().map_err(kzg)
                })
                .await?,
            ),
        };
        let receipt = self.send(METHOD, call).await?;
        self.batch_posted(METHOD, &receipt, data.len())
    }

    fn batch_posted(
        &self,
        method: &'static str,
        receipt: &TransactionReceipt,
        data_len: usize,
    ) -> Result<BatchPosted, L1Error> {
        let log = find_log::<Rollup::BatchAppended>(receipt, self.addresses.rollup).ok_or(
            L1Error::MissingEvent { method, event: "BatchAppended", tx_hash: receipt.transaction_hash },
        )?;
        let ev = decode_log::<Rollup::BatchAppended>(method, log)?;
        let batch_index = ev.index.saturating_to::<u64>();
        Ok(BatchPosted {
            tx: tx_info(receipt)?,
            batch_index,
            batch_hash: ev.batchHash,
            kind: batch_kind(batch_index, ev.kind)?,
            data_commitment: ev.dataCommitment,
            blob_hashes: ev.blobHashes,
            data_len,
            blob_gas_used: receipt.blob_gas_used,
            blob_gas_price: receipt.blob_gas_price,
        })
    }

    /// Batches appended in L1 blocks `from_block..=to_block`, ordered by index, with the payload of
    /// calldata batches attached.
    pub async fn batch_events(&self, from_block: u64, to_block: u64) -> Result<Vec<BatchEvent>, L1Error> {
        const METHOD: &str = "batch_events";
        let topics =
            vec![Rollup::BatchAppended::SIGNATURE_HASH, Rollup::CalldataBatchPayload::SIGNATURE_HASH];
        let logs = self.logs(METHOD, self.addresses.rollup, topics, from_block, to_block).await?;
        let mut batches: Vec<BatchEvent> = Vec::new();
        let mut payloads = std::collections::HashMap::new();
        for log in &logs {
            if log.topic0() == Some(&Rollup::CalldataBatchPayload::SIGNATURE_HASH) {
                let ev = decode_log::<Rollup::CalldataBatchPayload>(METHOD, log)?;
                payloads.insert(ev.index.saturating_to::<u64>(), ev.data);
                continue;
            }
            batches.push(decode_batch_appended(METHOD, log)?);
        }
        for b in &mut batches {
            if b.kind == BatchKind::Calldata {
                b.calldata = payloads.remove(&b.index);
            }
        }
        batches.sort_by_key(|b| b.index);
        Ok(batches)
    }

    /// The raw blobs of blob transaction `tx_hash`, from anvil's `anvil_getBlobsByTransactionHash`
    /// (on a real network blobs come from the beacon node's blob sidecars API instead).
    /// Each is `BYTES_PER_BLOB` (131072) bytes long.
    pub async fn raw_blobs_for_tx(&self, tx_hash: B256) -> Result<Vec<Bytes>, L1Error> {
        const METHOD: &str = "anvil_getBlobsByTransactionHash";
        // Read as heap bytes: a `Vec<Blob>` response deserialises each 128 KiB blob on the stack.
        let blobs: Option<Vec<Bytes>> =
            self.provider.raw_request(METHOD.into(), (tx_hash,)).await.map_err(L1Error::rpc(METHOD))?;
        match blobs {
            Some(blobs) if !blobs.is_empty() => {
                if let Some(bad) = blobs.iter().find(|b| b.len() != BYTES_PER_BLOB) {
                    return Err(L1Error::BlobSize { tx_hash, size: bad.len() });
                }
                Ok(blobs)
            }
            _ => Err(L1Error::BlobsNotFound { tx_hash }),
        }
    }

    /// The batch data carried by the blobs of `tx_hash`, decoded with the coder
    /// [`L1Client::append_blob_batch`] uses. Does not check the versioned hashes: see
    /// [`L1Client::blob_batch_data`].
    pub async fn blobs_for_tx(&self, tx_hash: B256) -> Result<Vec<u8>, L1Error> {
        let blobs = self.raw_blobs_for_tx(tx_hash).await?;
        on_big_stack(move || decode_blob_data(&to_blobs(&blobs)).ok_or(L1Error::BlobDecode { tx_hash })).await
    }

    /// The data of a blob batch: fetches the blobs of its transaction, checks each against the
    /// versioned hash the Rollup recorded (KZG commitment), and decodes them. Fails with
    /// [`L1Error::BlobDecode`] only for blobs that passed that check.
    pub async fn blob_batch_data(&self, batch: &BatchEvent) -> Result<Vec<u8>, L1Error> {
        let tx_hash = batch.l1_tx_hash;
        let raw = self.raw_blobs_for_tx(tx_hash).await?;
        let (computed, decoded) = on_big_stack(move || {
            let blobs = to_blobs(&raw);
            Ok((versioned_hashes(&blobs)?, decode_blob_data(&blobs)))
        })
        .await?;
        check_blob_hashes(batch, &computed)?;
        decoded.ok_or(L1Error::BlobDecode { tx_hash })
    }

    /// The blobs of a blob batch with their KZG commitments, checked against the versioned hashes
    /// the Rollup recorded: what a fault-proof host serves the program (each commitment as the
    /// sha256 preimage of its versioned hash, each blob's elements under blob keys).
    pub async fn blobs_with_commitments(
        &self,
        batch: &BatchEvent,
    ) -> Result<Vec<(Bytes, [u8; 48])>, L1Error> {
        let raw = self.raw_blobs_for_tx(batch.l1_tx_hash).await?;
        let blobs = raw.clone();
        let commitments = on_big_stack(move || kzg_commitments(&to_blobs(&blobs))).await?;
        let computed: Vec<B256> = commitments.iter().map(|c| kzg_to_versioned_hash(c)).collect();
        check_blob_hashes(batch, &computed)?;
        Ok(raw.into_iter().zip(commitments).collect())
    }

    // ---- outputs -----------------------------------------------------------------------------

    /// Proposes `output_root` for L2 block `l2_block` (proposer only), derived from L1 up to
    /// `anchor`. Reverts with `L1AnchorMismatch` once `anchor` is no longer canonical, or is
    /// older than 256 blocks.
    pub async fn propose_output(
        &self,
        l2_block: u64,
        output_root: B256,
        anchor: L1Anchor,
    ) -> Result<OutputProposed, L1Error> {
        const METHOD: &str = "propose_output";
        let call = self.rollup.proposeOutput(l2_block, output_root, anchor.number, anchor.hash);
        let receipt = self.send(METHOD, call).await?;
        let log = find_log::<Rollup::OutputProposed>(&receipt, self.addresses.rollup).ok_or(
            L1Error::MissingEvent {
                method: METHOD,
                event: "OutputProposed",
                tx_hash: receipt.transaction_hash,
            },
        )?;
        let ev = decode_log::<Rollup::OutputProposed>(METHOD, log)?;
        Ok(OutputProposed {
            tx: tx_info(&receipt)?,
            index: ev.index.saturating_to(),
            l2_block: ev.l2Block,
            output_root: ev.outputRoot,
            finalizes_at: ev.finalizesAt,
        })
    }

    /// The output at `index` (fails with `OutputNotFound` past the end).
    pub async fn output(&self, index: u64) -> Result<Output, L1Error> {
        let o = self
            .rollup
            .getOutput(U256::from(index))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("output", e))?;
        Ok(Output {
            output_root: o.outputRoot,
            l2_block: o.l2Block,
            proposed_at: o.proposedAt,
            finalizes_at: o.finalizesAt,
        })
    }

    /// Number of live outputs.
    pub async fn output_count(&self) -> Result<u64, L1Error> {
        let n =
            self.rollup.outputCount().call().await.map_err(|e| L1Error::from_contract("output_count", e))?;
        Ok(n.saturating_to())
    }

    /// Whether output `index` exists and is past its challenge window.
    pub async fn is_finalized(&self, index: u64) -> Result<bool, L1Error> {
        self.rollup
            .isFinalized(U256::from(index))
            .call()
            .await
            .map_err(|e| L1Error::from_contract("is_finalized", e))
    }

    /// Invalidates output `index` and all later ones (guardian or challenger only).
    pub async fn invalidate_output(&self, index: u64) -> Result<TxInfo, L1Error> {
        let receipt = self.send("invalidate_output", self.rollup.invalidateOutput(U256::from(index))).await?;
        tx_info(&receipt)
    }

    // ---- withdrawals -------------------------------------------------------------------------

    /// Pays out `withdrawal` on L1, proven against finalized output `output_index` whose L2 block
    /// has `state_root` and `block_hash` and was derived at `cursor` (what the output root
    /// commits to: `pillar_getOutputPreimage`). Anyone may call it; funds go to `l1_recipient`.
    pub async fn finalize_withdrawal(
        &self,
        withdrawal: &Withdrawal,
        output_index: u64,
        state_root: B256,
        block_hash: B256,
        cursor: DerivationCursor,
        proof: &WithdrawalProof,
    ) -> Result<TxInfo, L1Error> {
        let call = self.portal.finalizeWithdrawal(
            (*withdrawal).into(),
            U256::from(output_index),
            state_root,
            block_hash,
            Portal::DerivationCursor { entry: cursor.entry, phase: cursor.phase },
            proof.clone().into(),
        );
        let receipt = self.send("finalize_withdrawal", call).await?;
        tx_info(&receipt)
    }

    /// Whether the withdrawal with this leaf hash has been paid.
    pub async fn is_withdrawal_finalized(&self, leaf: B256) -> Result<bool, L1Error> {
        self.portal
            .finalizedWithdrawals(leaf)
            .call()
            .await
            .map_err(|e| L1Error::from_contract("is_withdrawal_finalized", e))
    }

    // ---- plumbing ----------------------------------------------------------------------------

    /// Sends a transaction, waits for its receipt, and fails if it reverted.
    ///
    /// The nonce is the account's next by *mined* state, and a transaction without a receipt is
    /// replaced under that nonce with higher fees ([`FeeBump`]). If the transaction can no longer
    /// be mined (a reorg took back earlier transactions of this key, leaving a hole below its
    /// nonce, or the node dropped it) the call starts over from the account's nonce, re-estimating
    /// gas and fees. A reorg can also take back a transaction whose call already returned its
    /// receipt; this client does not resend those: callers act on what L1 shows.
    async fn send<D: CallDecoder + Clone>(
        &self,
        method: &'static str,
        call: CallBuilder<&DynProvider, D>,
    ) -> Result<TransactionReceipt, L1Error> {
        let Some(from) = self.signer else { return Err(L1Error::NoSigner { method }) };
        let mut floor = None;
        let mut resends = 0;
        loop {
            let orphan = match self.send_from_account_nonce(method, &call, from, floor).await? {
                Attempt::Landed(receipt) => return Ok(*receipt),
                Attempt::Unminable(orphan) => orphan,
            };
            let Orphan { nonce, account_nonce, sent, fees } = orphan;
            if resends == MAX_RESENDS {
                return Err(L1Error::Orphaned { method, nonce, resends });
            }
            resends += 1;
            if account_nonce < nonce {
                tracing::warn!(
                    method,
                    nonce,
                    account_nonce,
                    "L1 nonce gap: a reorg took back transactions of this key, so nonce {nonce} can never be \
                     mined; sending the call again from the account's nonce {account_nonce}"
                );
                self.cancel_orphan(method, from, nonce, &sent, fees).await;
            } else {
                tracing::warn!(
                    method,
                    nonce,
                    "the L1 node no longer holds the transaction (dropped, or mined and reorged out); \
                     sending it again"
                );
            }
            // Starting over never lowers the fees already offered.
            floor = Some(fees);
        }
    }

    /// One pass of [`Self::send`]: pins the account's nonce, estimates, then sends and bumps fees
    /// until a receipt, or until the wait finds the transaction cannot be mined.
    async fn send_from_account_nonce<D: CallDecoder + Clone>(
        &self,
        method: &'static str,
        call: &CallBuilder<&DynProvider, D>,
        from: Address,
        floor: Option<Fees>,
    ) -> Result<Attempt, L1Error> {
        // Pin the nonce so a replacement replaces instead of queueing behind the stuck one.
        // The next nonce by *mined* state: each L1 role has its own key and one writer, so anything
        // pending under this nonce is an earlier attempt (perhaps of a process that died, or of a
        // call that gave up) that this send must replace, not queue behind.
        let nonce = self.mined_nonce(from).await?;
        let est = self.provider.estimate_eip1559_fees().await.map_err(L1Error::rpc("eth_feeHistory"))?;
        let is_blob = call.as_ref().sidecar.is_some();
        let max_fee = est.max_fee_per_gas.max(1);
        let mut fees = Fees {
            max_fee,
            tip: est.max_priority_fee_per_gas.max(1).min(max_fee),
            blob_fee: if is_blob {
                self.provider
                    .get_blob_base_fee()
                    .await
                    .map_err(L1Error::rpc("eth_blobBaseFee"))?
                    .saturating_mul(2)
                    .max(1)
            } else {
                0
            },
        };
        if let Some(floor) = floor {
            fees = fees.at_least(floor);
        }
        // Estimate once and keep it: a node that estimates against its pending block would give a
        // replacement a lower limit (the stuck original already warmed its storage) and it would
        // run out of gas.
        let gas = call
            .clone()
            .block(alloy::eips::BlockId::latest())
            .estimate_gas()
            .await
            .map_err(|e| L1Error::from_contract(method, e))?;
        let gas = gas.saturating_add(gas / 10);
        let mut sent: Vec<B256> = Vec::new();
        for attempt in 0..=self.bump.max_bumps {
            let mut c = call
                .clone()
                .nonce(nonce)
                .gas(gas)
                .max_fee_per_gas(fees.max_fee)
                .max_priority_fee_per_gas(fees.tip);
            if is_blob {
                c = c.max_fee_per_blob_gas(fees.blob_fee);
            }
            match c.send().await {
                Ok(pending) => {
                    let tx_hash = *pending.tx_hash();
                    tracing::debug!(method, %tx_hash, nonce, attempt, ?fees, "L1 transaction sent");
                    sent.push(tx_hash);
                }
                // A replacement can be refused when an earlier one just landed; the receipt
                // search below finds it.
                Err(e) if !sent.is_empty() => tracing::debug!(method, error = %e, "replacement not accepted"),
                // Something else of ours sits under this nonce at a higher fee: outbid it below.
                Err(e) if is_underpriced(&e.to_string()) => {
                    tracing::debug!(method, error = %e, "a pending transaction holds this nonce; raising fees")
                }
                Err(e) => return Err(L1Error::from_contract(method, e)),
            }
            let last = attempt == self.bump.max_bumps;
            let wait = if sent.is_empty() {
                // Nothing of ours is out yet: outbid the holder of the nonce at once.
                Duration::ZERO
            } else if last {
                self.receipt_timeout
            } else {
                self.bump.wait
            };
            match self.await_any(&sent, from, nonce, wait).await? {
                Waited::Mined(receipt) => {
                    if !receipt.status() {
                        return Err(L1Error::TxReverted {
                            method,
                            tx_hash: receipt.transaction_hash,
                            block: receipt.block_number,
                        });
                    }
                    if attempt > 0 {
                        tracing::info!(
                            method,
                            attempts = attempt + 1,
                            max_fee = fees.max_fee,
                            "L1 transaction landed after fee bumps"
                        );
                    }
                    return Ok(Attempt::Landed(receipt));
                }
                Waited::Unminable { account_nonce } => {
                    return Ok(Attempt::Unminable(Orphan { nonce, account_nonce, sent, fees }));
                }
                Waited::TimedOut => {}
            }
            if !last {
                fees = fees.raised(self.bump.percent, is_blob);
                tracing::warn!(method, nonce, ?fees, "L1 transaction stuck; bumping fees");
            }
        }
        Err(L1Error::Stuck { method, nonce, attempts: sent.len() })
    }

    /// Before a call moves down to the account's nonce, makes sure the copy it left at `nonce`
    /// (still in the node's pool, behind the hole) cannot run as well once the hole is filled: it
    /// is replaced by a zero-value transfer to itself at higher fees. Best effort, and only on
    /// this node: a failure is logged (a node that reserves an account for blob transactions
    /// refuses a plain replacement of a blob one; the Rollup refuses a repeated batch or output).
    async fn cancel_orphan(
        &self,
        method: &'static str,
        from: Address,
        nonce: u64,
        sent: &[B256],
        fees: Fees,
    ) {
        let mut held = false;
        for h in sent {
            // An error counts as held: a needless no-op costs 21,000 gas, a second run of the call more.
            held |= self
                .provider
                .get_transaction_by_hash(*h)
                .await
                .map_or(true, |tx| tx.is_some_and(|tx| tx.block_number.is_none()));
        }
        if !held {
            return;
        }
        let fees = fees.raised(self.bump.percent, false);
        let noop = TransactionRequest::default()
            .from(from)
            .to(from)
            .value(U256::ZERO)
            .nonce(nonce)
            .gas_limit(21_000)
            .max_fee_per_gas(fees.max_fee)
            .max_priority_fee_per_gas(fees.tip);
        match self.provider.send_transaction(noop).await {
            Ok(pending) => tracing::warn!(
                method,
                nonce,
                tx_hash = %pending.tx_hash(),
                "replaced the orphaned transaction with a no-op so the call cannot run twice"
            ),
            Err(e) => tracing::warn!(
                method,
                nonce,
                error = %e,
                "could not replace the orphaned transaction; it may still run once the nonces below it are used"
            ),
        }
    }

    async fn first_receipt(&self, hashes: &[B256]) -> Result<Option<TransactionReceipt>, L1Error> {
        for h in hashes {
            let r = self
                .provider
                .get_transaction_receipt(*h)
                .await
                .map_err(L1Error::rpc("eth_getTransactionReceipt"))?;
            if r.is_some() {
                return Ok(r);
            }
        }
        Ok(None)
    }

    /// The account's next nonce by mined state (its transaction count at the latest block).
    async fn mined_nonce(&self, from: Address) -> Result<u64, L1Error> {
        self.provider
            .get_transaction_count(from)
            .latest()
            .await
            .map_err(L1Error::rpc("eth_getTransactionCount"))
    }

    /// Waits up to `wait` for a receipt of any of `hashes` (all with `nonce` from `from`), and
    /// returns early if the transaction cannot be mined as things stand.
    async fn await_any(
        &self,
        hashes: &[B256],
        from: Address,
        nonce: u64,
        wait: Duration,
    ) -> Result<Waited, L1Error> {
        let start = std::time::Instant::now();
        let deadline = start + wait;
        let mut next_pending_check = start + PENDING_CHECK;
        let mut unminable_once = false;
        loop {
            if let Some(r) = self.first_receipt(hashes).await? {
                return Ok(Waited::Mined(Box::new(r)));
            }
            // The nonce was used: by one of ours mined just now, or by another process with this key.
            let mined = self.mined_nonce(from).await?;
            if mined > nonce {
                // Give the node a moment to index the receipt of the block that used the nonce.
                for _ in 0..10 {
                    if let Some(r) = self.first_receipt(hashes).await? {
                        return Ok(Waited::Mined(Box::new(r)));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                // A reorg may have taken that block back meanwhile: only a nonce still used is taken.
                if self.mined_nonce(from).await? > nonce {
                    return Err(L1Error::NonceTaken { nonce });
                }
                continue;
            }
            let now = std::time::Instant::now();
            if !hashes.is_empty() && now >= next_pending_check {
                next_pending_check = now + PENDING_CHECK;
                // The node can mine ours only if it holds this key's transactions for every nonce
                // from `mined` up to ours, and then counts them all as pending. Two answers in a
                // row that it does not: ours sits behind a hole a reorg left, or was dropped.
                let pending = self
                    .provider
                    .get_transaction_count(from)
                    .pending()
                    .await
                    .map_err(L1Error::rpc("eth_getTransactionCount"))?;
                if pending > nonce {
                    unminable_once = false;
                } else if unminable_once {
                    return Ok(Waited::Unminable { account_nonce: mined });
                } else {
                    unminable_once = true;
                }
            }
            if now >= deadline {
                // Nodes count pending transactions differently (anvil counts one behind a hole):
                // whatever the count said, a nonce still above the mined one after a whole wait
                // sits behind a hole no one fills, and raising its fees cannot help.
                if mined < nonce {
                    return Ok(Waited::Unminable { account_nonce: mined });
                }
                return Ok(Waited::TimedOut);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub(crate) async fn logs(
        &self,
        method: &'static str,
        address: Address,
        topics: Vec<B256>,
        from_block: u64,
        to_block: u64,
    ) -> Result<Vec<Log>, L1Error> {
        let filter =
            Filter::new().address(address).event_signature(topics).from_block(from_block).to_block(to_block);
        let mut logs = self.provider.get_logs(&filter).await.map_err(L1Error::rpc(method))?;
        logs.retain(|l| !l.removed);
        Ok(logs)
    }
}

/// Times one call may start over from the account's nonce (each needs a reorg, or the node
/// dropping its transaction) before it fails with [`L1Error::Orphaned`].
const MAX_RESENDS: u32 = 8;

/// How often a wait asks the node for the account's pending nonce.
const PENDING_CHECK: Duration = Duration::from_secs(1);

/// The fees one transaction offers (wei per gas; `blob_fee` 0 for a transaction without blobs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fees {
    max_fee: u128,
    tip: u128,
    blob_fee: u128,
}

impl Fees {
    /// Every fee raised by `percent` (plus one wei, so small fees move too).
    fn raised(self, percent: u128, is_blob: bool) -> Self {
        let up = |v: u128| v.saturating_mul(100 + percent) / 100 + 1;
        let max_fee = up(self.max_fee);
        Self {
            max_fee,
            tip: up(self.tip).min(max_fee),
            blob_fee: if is_blob { up(self.blob_fee) } else { 0 },
        }
    }

    /// Each fee at least the one in `floor`.
    fn at_least(self, floor: Self) -> Self {
        let max_fee = self.max_fee.max(floor.max_fee);
        Self {
            max_fee,
            tip: self.tip.max(floor.tip).min(max_fee),
            blob_fee: if self.blob_fee == 0 { 0 } else { self.blob_fee.max(floor.blob_fee) },
        }
    }
}

/// How one pass of [`L1Client::send`] ended, short of an error.
enum Attempt {
    /// A receipt with status success.
    Landed(Box<TransactionReceipt>),
    /// The transaction cannot be mined: the call must start over from the account's nonce.
    Unminable(Orphan),
}

/// A transaction given up because it cannot be mined.
struct Orphan {
    /// Its nonce.
    nonce: u64,
    /// The account's next nonce by mined state when it was given up (below `nonce` after a reorg).
    account_nonce: u64,
    /// Hashes sent under `nonce`.
    sent: Vec<B256>,
    /// The fees last offered.
    fees: Fees,
}

/// What waiting for a transaction found.
enum Waited {
    /// A receipt of one of the hashes.
    Mined(Box<TransactionReceipt>),
    /// No receipt within the wait.
    TimedOut,
    /// The node holds nothing that lets the transaction be mined: a hole below its nonce, or the
    /// transaction itself is gone.
    Unminable {
        /// The account's next nonce by mined state.
        account_nonce: u64,
    },
}

/// Whether a node refused a send because another transaction with the same nonce pays more.
fn is_underpriced(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("underpriced") || m.contains("already known") || m.contains("replacement")
}

pub(crate) fn parse_url(rpc_url: &str) -> Result<Url, L1Error> {
    rpc_url.parse().map_err(|_| L1Error::InvalidUrl { url: rpc_url.to_string() })
}

/// A provider that signs with `signer`, estimates gas and blob gas, and reads the pending nonce
/// before every transaction. (alloy's default cached nonce counts a nonce as used even when the
/// send fails at gas estimation, e.g. on a revert, which leaves a gap and stalls later sends.)
pub(crate) fn signing_provider(url: Url, signer: PrivateKeySigner) -> DynProvider {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_blob_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url)
        .erased()
}

/// Runs blob work (128 KiB values, KZG) on a thread with a large stack: unoptimised builds of the
/// sidecar and coder code keep several blobs on the stack and overflow a 2 MiB tokio worker.
async fn on_big_stack<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, L1Error> + Send + 'static,
) -> Result<T, L1Error> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("pillar-l1-blobs".into())
        .stack_size(BLOB_THREAD_STACK)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|source| L1Error::Thread { source })?;
    rx.await.expect("the blob thread sends its result unless it panicked")
}

const BLOB_THREAD_STACK: usize = 64 << 20;

fn tx_info(receipt: &TransactionReceipt) -> Result<TxInfo, L1Error> {
    Ok(TxInfo {
        tx_hash: receipt.transaction_hash,
        l1_block: receipt.block_number.ok_or(L1Error::NoBlock { tx_hash: receipt.transaction_hash })?,
        gas_used: receipt.gas_used,
        effective_gas_price: receipt.effective_gas_price,
    })
}

fn find_log<E: SolEvent>(receipt: &TransactionReceipt, address: Address) -> Option<&Log> {
    receipt.logs().iter().find(|l| l.address() == address && l.topic0() == Some(&E::SIGNATURE_HASH))
}

pub(crate) fn decode_log<E: SolEvent>(method: &'static str, log: &Log) -> Result<E, L1Error> {
    E::decode_log(&log.inner).map(|l| l.data).map_err(|source| L1Error::Abi { method, source })
}

pub(crate) fn log_position(log: &Log) -> Result<(u64, B256), L1Error> {
    let tx_hash = log.transaction_hash.unwrap_or_default();
    let block = log.block_number.ok_or(L1Error::NoBlock { tx_hash })?;
    Ok((block, tx_hash))
}

/// A `BatchAppended` log as a [`BatchEvent`] (its calldata payload, if any, is a separate log).
pub(crate) fn decode_batch_appended(method: &'static str, log: &Log) -> Result<BatchEvent, L1Error> {
    let ev = decode_log::<Rollup::BatchAppended>(method, log)?;
    let index = ev.index.saturating_to::<u64>();
    let (l1_block, l1_tx_hash) = log_position(log)?;
    Ok(BatchEvent {
        index,
        batch_hash: ev.batchHash,
        submitter: ev.submitter,
        prev_batch_hash: ev.prevBatchHash,
        first_block: ev.firstBlock,
        last_block: ev.lastBlock,
        kind: batch_kind(index, ev.kind)?,
        data_commitment: ev.dataCommitment,
        blob_hashes: ev.blobHashes,
        calldata: None,
        l1_block,
        l1_tx_hash,
        context: BatchContext {
            l1_block: ev.context.l1Block,
            l1_timestamp: ev.context.l1Timestamp,
            queue_length: ev.context.queueLength,
            queue_head: ev.context.queueHead,
            inclusion_deadline: ev.context.inclusionDeadline,
        },
    })
}

pub(crate) fn decode_queue_message(method: &'static str, log: &Log) -> Result<QueueMessage, L1Error> {
    let ev = decode_log::<Portal::QueueMessage>(method, log)?;
    let (l1_block, l1_tx_hash) = log_position(log)?;
    Ok(QueueMessage {
        index: ev.index,
        kind: QueueKind::from_u8(ev.kind)
            .ok_or(L1Error::UnknownQueueKind { index: ev.index, kind: ev.kind })?,
        sender: ev.sender,
        timestamp: ev.timestamp,
        payload: ev.payload,
        queue_hash: ev.queueHash,
        l1_block,
        l1_tx_hash,
    })
}

fn batch_kind(index: u64, kind: u8) -> Result<BatchKind, L1Error> {
    BatchKind::from_u8(kind).ok_or(L1Error::UnknownBatchKind { index, kind })
}

/// Whether the versioned hashes `computed` from a transaction's blobs are the ones `batch`
/// recorded: the count first, then each in order.
fn check_blob_hashes(batch: &BatchEvent, computed: &[B256]) -> Result<(), L1Error> {
    let recorded = &batch.blob_hashes;
    if computed.len() != recorded.len() {
        return Err(L1Error::BlobHashMismatch {
            batch_index: batch.index,
            position: computed.len().min(recorded.len()),
            expected: recorded.get(computed.len()).copied().unwrap_or_default(),
            computed: computed.get(recorded.len()).copied().unwrap_or_default(),
        });
    }
    match computed.iter().zip(recorded).position(|(c, e)| c != e) {
        Some(position) => Err(L1Error::BlobHashMismatch {
            batch_index: batch.index,
            position,
            expected: recorded[position],
            computed: computed[position],
        }),
        None => Ok(()),
    }
}

/// Copies blobs of checked length into `Blob`s on the heap.
fn to_blobs(raw: &[Bytes]) -> Vec<Blob> {
    let mut blobs = vec![Blob::ZERO; raw.len()];
    for (blob, bytes) in blobs.iter_mut().zip(raw) {
        blob.copy_from_slice(bytes);
    }
    blobs
}

/// Codes batch data into blobs as [`L1Client::append_blob_batch`] does (alloy's `SimpleCoder`):
/// the inverse of [`decode_blob_data`].
pub fn encode_blob_data(data: &[u8]) -> Vec<Blob> {
    SidecarBuilder::<SimpleCoder>::from_slice(data).take()
}

/// Decodes batch data from blobs coded by [`L1Client::append_blob_batch`], by derivation's rule
/// ([`pillar_derive::decode_blob_payload`]: the header's length, then the elements it spans);
/// `None` if they hold no payload.
pub fn decode_blob_data(blobs: &[Blob]) -> Option<Vec<u8>> {
    let element = |i: usize| {
        let (blob, at) = (i / FIELD_ELEMENTS_PER_BLOB as usize, (i % FIELD_ELEMENTS_PER_BLOB as usize) * 32);
        let mut out = [0u8; 32];
        out.copy_from_slice(&blobs[blob][at..at + 32]);
        Ok::<_, std::convert::Infallible>(out)
    };
    let elements = blobs.len() * FIELD_ELEMENTS_PER_BLOB as usize;
    match pillar_derive::decode_blob_payload(elements, element) {
        Ok(payload) => payload,
        Err(never) => match never {},
    }
}

/// Loads the KZG trusted setup now (seconds, once per process) rather than on the first blob
/// batch, where it would delay derivation and fault detection.
pub fn warm_up_kzg() {
    let _ = EnvKzgSettings::Default.get();
}

/// Versioned hashes (`0x01 ‖ sha256(commitment)[1..]`) of `blobs`, computing each KZG commitment.
pub fn versioned_hashes(blobs: &[Blob]) -> Result<Vec<B256>, L1Error> {
    Ok(kzg_commitments(blobs)?.iter().map(|c| kzg_to_versioned_hash(c)).collect())
}

/// The KZG commitments of `blobs`. A commitment is a 4096-point multi-scalar multiplication (tens
/// of ms), so blobs are spread over the cores; each worker gets a large stack, as c-kzg needs.
pub fn kzg_commitments(blobs: &[Blob]) -> Result<Vec<[u8; 48]>, L1Error> {
    let settings = EnvKzgSettings::Default.get();
    let one = |blob: &Blob| {
        settings
            .blob_to_kzg_commitment(blob.as_ckzg())
            .map(|c| c.to_bytes().into_inner())
            .map_err(|e| L1Error::Kzg { reason: e.to_string() })
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(blobs.len());
    if workers <= 1 {
        return blobs.iter().map(one).collect();
    }
    let chunk = blobs.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles = blobs
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .name("pillar-l1-kzg".into())
                    .stack_size(BLOB_THREAD_STACK)
                    .spawn_scoped(scope, move || part.iter().map(one).collect::<Result<Vec<_>, _>>())
                    .map_err(|source| L1Error::Thread { source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(blobs.len());
        for h in handles {
            out.extend(h.join().map_err(|_| L1Error::Kzg { reason: "a KZG worker panicked".into() })??);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::Fees;

    #[test]
    fn fees_rise_by_the_percentage_and_a_restart_never_lowers_them() {
        let fees = Fees { max_fee: 1000, tip: 100, blob_fee: 50 };
        assert_eq!(fees.raised(25, true), Fees { max_fee: 1251, tip: 126, blob_fee: 63 });
        assert_eq!(fees.raised(25, false).blob_fee, 0);
        // The tip never exceeds the fee cap.
        assert_eq!(Fees { max_fee: 10, tip: 10, blob_fee: 0 }.raised(100, false).tip, 21);
        let fresh = Fees { max_fee: 900, tip: 200, blob_fee: 40 };
        assert_eq!(fresh.at_least(fees), Fees { max_fee: 1000, tip: 200, blob_fee: 50 });
        // A fresh estimate for a call without blobs keeps no blob fee.
        assert_eq!(Fees { blob_fee: 0, ..fresh }.at_least(fees).blob_fee, 0);
        assert_eq!(
            Fees { max_fee: 150, ..fresh }.at_least(Fees { max_fee: 100, tip: 1, blob_fee: 0 }).tip,
            150
        );
    }

    /// The points the fault-proof program reads blob elements at (`pillar_preimage::blob`) are
    /// the ones L1's KZG openings use: c-kzg, evaluating a blob's polynomial at `z_i`, gives back
    /// element `i`.
    #[test]
    fn blob_element_i_is_the_blob_polynomial_at_the_programs_point_i() {
        use alloy::eips::eip4844::c_kzg::Bytes32;
        use pillar_preimage::blob::point;

        use super::{AsCkzg, BLOB_THREAD_STACK, Blob, EnvKzgSettings};
        let run = || {
            let mut blob = Blob::ZERO;
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            for (i, byte) in blob.iter_mut().enumerate() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Byte 0 of each element zero keeps it below the modulus.
                *byte = if i % 32 == 0 { 0 } else { x as u8 };
            }
            let settings = EnvKzgSettings::Default.get();
            for i in [0usize, 1, 2, 3, 4, 1000, 2047, 2048, 2049, 4094, 4095] {
                let z = Bytes32::new(point(i));
                let (_, y) = settings.compute_kzg_proof(blob.as_ckzg(), &z).expect("a canonical point");
                assert_eq!(y.as_slice(), &blob[32 * i..32 * (i + 1)], "element {i}");
            }
        };
        std::thread::Builder::new().stack_size(BLOB_THREAD_STACK).spawn(run).unwrap().join().unwrap();
    }
}
