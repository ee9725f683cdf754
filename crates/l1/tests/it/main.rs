#![allow(clippy::unwrap_used)]
//! Integration tests against a real anvil started by the harness.

use std::time::Duration;

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::providers::Provider;
use alloy_sol_types::SolValue;
use pillar_l1::anvil::{Anvil, AnvilOptions};
use pillar_l1::bindings::{Portal::PortalErrors, Rollup::RollupErrors};
use pillar_l1::hashing::{
    BATCH_KIND_BLOB, BATCH_KIND_CALLDATA, batch_hash, blob_data_commitment, calldata_data_commitment,
    queue_hash_step,
};
use pillar_l1::{
    BatchKind, BlobSidecarFormat, DeployParams, Deployment, DerivationCursor, L1Anchor, L1Client, L1Error,
    QueueKind, Withdrawal, check_queue_chain, deploy, output_root, withdrawal_proof, withdrawals_root,
};

mod step;

mod erc20 {
    #![allow(missing_docs, unreachable_pub)]
    alloy::sol!(
        #[sol(rpc)]
        MockERC20,
        "tests/it/fixtures/MockERC20.json"
    );
}

const WINDOW: u64 = 3600;

/// Deployer/owner = key 0, sequencer = 1, proposer = 2, guardian = 3, users from 4.
struct Env {
    anvil: Anvil,
    dep: Deployment,
    sequencer: L1Client,
    proposer: L1Client,
    guardian: L1Client,
    user: L1Client,
}

async fn setup() -> Env {
    let anvil = Anvil::spawn().await.unwrap();
    let params = DeployParams {
        l2_chain_id: 901,
        challenge_window_secs: WINDOW,
        inclusion_deadline_secs: 600,
        inactivity_window_secs: 7200,
        sequencer: anvil.dev_address(1),
        proposer: anvil.dev_address(2),
        guardian: anvil.dev_address(3),
        owner: anvil.dev_address(0),
        min_deposit: U256::from(1000),
        max_deposit: U256::from(10u128.pow(24)),
    };
    let dep = deploy(anvil.endpoint(), anvil.dev_key(0), params).await.unwrap();
    let client = |i| L1Client::connect(anvil.endpoint(), anvil.dev_key(i), dep.addresses).unwrap();
    Env { sequencer: client(1), proposer: client(2), guardian: client(3), user: client(4), anvil, dep }
}

/// The parent of the newest L1 block, as a proposer anchors its proposals: the anchor must be
/// below the block that runs the call (`blockhash` of the current block is zero), and nodes
/// estimate gas at the newest block.
async fn anchor(c: &L1Client) -> L1Anchor {
    let info = c.block_info(c.block_number().await.unwrap() - 1).await.unwrap();
    L1Anchor { number: info.number, hash: info.hash }
}

#[tokio::test]
async fn anvil_dev_keys_match_its_accounts() {
    let anvil = Anvil::spawn_with(AnvilOptions { chain_id: 4242, ..Default::default() }).await.unwrap();
    assert_eq!(anvil.provider().get_chain_id().await.unwrap(), 4242);
    let accounts = anvil.provider().get_accounts().await.unwrap();
    let ours: Vec<Address> = (0..10).map(|i| anvil.dev_address(i)).collect();
    assert_eq!(accounts, ours);
    // snapshot / mine / revert
    let start = anvil.provider().get_block_number().await.unwrap();
    let snap = anvil.snapshot().await.unwrap();
    anvil.mine(5).await.unwrap();
    assert_eq!(anvil.provider().get_block_number().await.unwrap(), start + 5);
    assert!(anvil.revert(snap).await.unwrap());
    assert_eq!(anvil.provider().get_block_number().await.unwrap(), start);
    // time
    anvil.set_next_timestamp(2_000_000_000).await.unwrap();
    anvil.mine(1).await.unwrap();
    let ts = |b: alloy::rpc::types::Block| b.header.timestamp;
    let latest = anvil.provider().get_block_by_number(Default::default()).await.unwrap().unwrap();
    assert_eq!(ts(latest), 2_000_000_000);
    anvil.increase_time(1000).await.unwrap();
    let latest = anvil.provider().get_block_by_number(Default::default()).await.unwrap().unwrap();
    assert!(ts(latest) >= 2_000_001_000);
}

#[tokio::test]
async fn deploy_sets_roles_and_config() {
    let env = setup().await;
    let r = env.user.rollup();
    assert_eq!(r.sequencer().call().await.unwrap(), env.anvil.dev_address(1));
    assert_eq!(r.proposer().call().await.unwrap(), env.anvil.dev_address(2));
    assert_eq!(r.guardian().call().await.unwrap(), env.anvil.dev_address(3));
    assert_eq!(r.owner().call().await.unwrap(), env.anvil.dev_address(0));
    assert_eq!(r.l2ChainId().call().await.unwrap(), 901);
    assert_eq!(r.challengeWindow().call().await.unwrap(), WINDOW);
    assert_eq!(env.user.portal().rollup().call().await.unwrap(), env.dep.addresses.rollup);
    assert_eq!(env.dep.l1_chain_id, 31337);
    assert_eq!(env.dep.deployer, env.anvil.dev_address(0));
    assert!(env.dep.deployed_at_block >= 1);
}

#[tokio::test]
async fn deposits_and_forced_tx_enter_the_queue() {
    let env = setup().await;
    let recipient = Address::repeat_byte(0xbb);
    let amount = U256::from(10u64).pow(U256::from(18));
    let before = env.user.eth_balance(env.dep.addresses.portal).await.unwrap();
    let d0 = env.user.deposit_eth(recipient, amount).await.unwrap();
    assert_eq!(env.user.eth_balance(env.dep.addresses.portal).await.unwrap(), before + amount);
    let m0 = &d0.message;
    assert_eq!((m0.index, m0.kind, m0.sender), (0, QueueKind::EthDeposit, env.anvil.dev_address(4)));
    assert_eq!(m0.eth_deposit(), Some((recipient, amount)));
    assert_eq!(m0.payload, Bytes::from((recipient, amount).abi_encode_params()));
    assert_eq!(m0.queue_hash, queue_hash_step(B256::ZERO, m0.message_hash()));
    assert_eq!(m0.l1_block, d0.tx.l1_block);
    assert_eq!(m0.l1_tx_hash, d0.tx.tx_hash);
    let block = env.user.provider().get_block_by_number(m0.l1_block.into()).await.unwrap().unwrap();
    assert_eq!(m0.timestamp, block.header.timestamp);

    // ERC-20: mint to the user, deposit (approve happens inside).
    let token = erc20::MockERC20::deploy(env.user.provider().clone()).await.unwrap();
    let user = env.anvil.dev_address(4);
    let minted = erc20::MockERC20::new(*token.address(), env.user.provider().clone());
    minted.mint(user, U256::from(5_000_000)).send().await.unwrap().get_receipt().await.unwrap();
    let d1 = env.user.deposit_erc20(*token.address(), recipient, U256::from(1_234_567)).await.unwrap();
    assert_eq!(d1.message.kind, QueueKind::Erc20Deposit);
    assert_eq!(d1.message.erc20_deposit(), Some((*token.address(), recipient, U256::from(1_234_567))));
    let locked = env.user.portal().lockedERC20(*token.address()).call().await.unwrap();
    assert_eq!(locked, U256::from(1_234_567));

    let forced = Bytes::from_static(&[0xc0, 0xff, 0xee]);
    let d2 = env.user.force_transaction(forced.clone()).await.unwrap();
    assert_eq!(
        (d2.message.index, d2.message.kind, d2.message.payload.clone()),
        (2, QueueKind::ForcedTx, forced)
    );

    // Read back by log query: same three messages, chained.
    let head = env.user.block_number().await.unwrap();
    let msgs = env.user.queue_messages(env.dep.deployed_at_block, head).await.unwrap();
    assert_eq!(msgs, vec![d0.message.clone(), d1.message.clone(), d2.message.clone()]);
    let last = check_queue_chain(0, B256::ZERO, &msgs).unwrap();
    assert_eq!(last, env.user.last_queue_hash().await.unwrap());
    assert_eq!(env.user.queue_length().await.unwrap(), 3);
    // A gap or a wrong hash is caught.
    assert!(matches!(
        check_queue_chain(0, B256::ZERO, &msgs[1..]),
        Err(L1Error::QueueGap { expected: 0, got: 1 })
    ));
    assert!(matches!(
        check_queue_chain(1, B256::repeat_byte(1), &msgs[1..]),
        Err(L1Error::QueueHashMismatch { index: 1, .. })
    ));

    // Contract rejections decode into the Portal's errors.
    let err = env.user.deposit_eth(recipient, U256::from(1)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            L1Error::PortalRevert { method: "deposit_eth", error: PortalErrors::AmountOutOfRange(_) }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let err = env.user.force_transaction(Bytes::new()).await.unwrap_err();
    assert!(
        matches!(err, L1Error::PortalRevert { error: PortalErrors::InvalidForcedTxSize(_), .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn calldata_and_blob_batches_round_trip() {
    let env = setup().await;
    let seq = &env.sequencer;
    let data = Bytes::from_static(&[0x01, 0xde, 0xad, 0xbe, 0xef]);
    let b0 = seq.append_calldata_batch(1, 10, B256::ZERO, data.clone()).await.unwrap();
    assert_eq!(b0.batch_index, 0);
    assert_eq!(b0.kind, BatchKind::Calldata);
    assert!(b0.tx.gas_used > 0 && b0.tx.effective_gas_price > 0);
    assert_eq!(b0.blob_gas_used, None);

    // A blob batch of ~200 KB of non-trivial data (two blobs).
    let blob_data: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let t = std::time::Instant::now();
    let b1 = seq.append_blob_batch(11, 20, b0.batch_hash, &blob_data).await.unwrap();
    eprintln!("2-blob EIP-7594 batch posted in {:?}", t.elapsed());
    assert_eq!((b1.batch_index, b1.kind), (1, BatchKind::Blob));
    assert_eq!(b1.blob_hashes.len(), 2);
    assert_eq!(b1.data_commitment, blob_data_commitment(&b1.blob_hashes));
    assert_eq!(b1.blob_gas_used, Some(2 * 131_072));
    assert!(b1.blob_gas_price.unwrap() > 0);

    assert_eq!(seq.batch_head().await.unwrap(), (b1.batch_hash, 20));

    // Anyone may append a force entry; it links after the batches.
    let forced = env.user.force_inclusion().await.unwrap();

    // Read all three back from logs: each commits to its L1 block and time, the Portal's queue
    // (empty here) and the inclusion deadline, and its hash is the one the Rollup chained.
    let head = seq.block_number().await.unwrap();
    let events = seq.batch_events(env.dep.deployed_at_block, head).await.unwrap();
    assert_eq!(events.len(), 3);
    let (e0, e1, e2) = (&events[0], &events[1], &events[2]);
    for (e, posted) in [(e0, b0.batch_hash), (e1, b1.batch_hash)] {
        assert_eq!(e.batch_hash, posted);
    }
    for e in &events {
        assert_eq!(e.computed_hash(), e.batch_hash, "entry {}", e.index);
        assert_eq!(e.context.l1_block, e.l1_block);
        assert_eq!((e.context.queue_length, e.context.queue_head), (0, B256::ZERO));
        assert_eq!(e.context.inclusion_deadline, 600);
        assert_eq!(e.context.l1_timestamp, seq.block_info(e.l1_block).await.unwrap().timestamp);
    }
    assert_eq!(
        e0.batch_hash,
        batch_hash(B256::ZERO, 1, 10, BATCH_KIND_CALLDATA, calldata_data_commitment(&data), &e0.context)
    );
    assert_eq!(
        e1.batch_hash,
        batch_hash(e0.batch_hash, 11, 20, BATCH_KIND_BLOB, e1.data_commitment, &e1.context)
    );
    assert_eq!(
        (e2.kind, e2.prev_batch_hash, e2.first_block, e2.last_block),
        (BatchKind::Force, e1.batch_hash, 0, 0)
    );
    assert_eq!(e2.l1_tx_hash, forced.tx_hash);
    assert_eq!(seq.batch_head().await.unwrap(), (e2.batch_hash, 20), "a force entry claims no blocks");
    let forced_head = e2.batch_hash;
    assert_eq!((e0.index, e0.kind, e0.first_block, e0.last_block), (0, BatchKind::Calldata, 1, 10));
    assert_eq!(e0.calldata.as_ref(), Some(&data));
    assert_eq!(keccak256(e0.calldata.as_ref().unwrap()), e0.data_commitment);
    assert_eq!(e0.submitter, env.anvil.dev_address(1));
    assert_eq!((e1.prev_batch_hash, e1.batch_hash), (e0.batch_hash, b1.batch_hash));
    assert_eq!((e1.kind, e1.calldata.clone(), e1.l1_tx_hash), (BatchKind::Blob, None, b1.tx.tx_hash));
    assert_eq!(e1.blob_hashes, b1.blob_hashes);

    // Blob data round-trips byte-exact, with and without the versioned-hash check.
    assert_eq!(seq.blobs_for_tx(b1.tx.tx_hash).await.unwrap(), blob_data);
    assert_eq!(seq.blob_batch_data(e1).await.unwrap(), blob_data);
    let mut forged = e1.clone();
    forged.blob_hashes[1] = B256::repeat_byte(1);
    assert!(matches!(seq.blob_batch_data(&forged).await, Err(L1Error::BlobHashMismatch { position: 1, .. })));
    assert!(matches!(seq.blobs_for_tx(b0.tx.tx_hash).await, Err(L1Error::BlobsNotFound { .. })));

    // Chain rules are enforced by the Rollup and decoded.
    // The sequencer's append is never refused for a stale link (nobody can front-run it out of
    // the chain): it links to the actual head.
    let b2 = seq.append_calldata_batch(21, 30, B256::ZERO, data.clone()).await.unwrap();
    assert_eq!(seq.batch_head().await.unwrap(), (b2.batch_hash, 30));
    let e2 = seq.batch_events(head + 1, seq.block_number().await.unwrap()).await.unwrap();
    assert_eq!((e2[0].prev_batch_hash, e2[0].batch_hash), (forced_head, b2.batch_hash));
    let err = env.user.append_calldata_batch(31, 40, b2.batch_hash, data.clone()).await.unwrap_err();
    assert!(matches!(err, L1Error::RollupRevert { error: RollupErrors::NotSequencer(_), .. }), "{err:?}");
    assert!(matches!(seq.append_blob_batch(21, 30, b1.batch_hash, &[]).await, Err(L1Error::EmptyBatch)));
    let too_big = vec![7u8; 7 * 126_000];
    assert!(matches!(
        seq.append_blob_batch(21, 30, b1.batch_hash, &too_big).await,
        Err(L1Error::BlobsTooMany { blobs: 7, .. })
    ));
}

#[tokio::test]
async fn blob_batch_with_eip4844_sidecar() {
    let env = setup().await;
    let seq = env.sequencer.clone().with_blob_format(BlobSidecarFormat::Eip4844);
    let data = b"hello blobs".repeat(1000);
    let b = seq.append_blob_batch(1, 1, B256::ZERO, &data).await.unwrap();
    assert_eq!(b.blob_hashes.len(), 1);
    let head = seq.block_number().await.unwrap();
    let events = seq.batch_events(b.tx.l1_block, head).await.unwrap();
    assert_eq!(seq.blob_batch_data(&events[0]).await.unwrap(), data);
}

#[tokio::test]
async fn outputs_finalize_and_can_be_invalidated() {
    let env = setup().await;
    env.sequencer.append_calldata_batch(1, 10, B256::ZERO, Bytes::from_static(b"x")).await.unwrap();
    let cursor = DerivationCursor::after_entry(B256::repeat_byte(0x44));
    let root =
        output_root(B256::repeat_byte(0x11), B256::repeat_byte(0x22), B256::repeat_byte(0x33), &cursor);
    let p0 = env.proposer.propose_output(5, root, anchor(&env.proposer).await).await.unwrap();
    assert_eq!((p0.index, p0.l2_block, p0.output_root), (0, 5, root));
    let o0 = env.proposer.output(0).await.unwrap();
    assert_eq!(o0.finalizes_at, o0.proposed_at + WINDOW);
    assert_eq!(o0.finalizes_at, p0.finalizes_at);
    assert_eq!(env.proposer.output_count().await.unwrap(), 1);
    assert!(!env.proposer.is_finalized(0).await.unwrap());
    // The contract computes the same output root.
    let onchain = env
        .user
        .rollup()
        .computeOutputRoot(
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22),
            B256::repeat_byte(0x33),
            pillar_l1::bindings::Rollup::DerivationCursor { entry: cursor.entry, phase: cursor.phase },
        )
        .call()
        .await
        .unwrap();
    assert_eq!(onchain, root);
    // Rust and Solidity twins of the output root agree on pseudo-random inputs and both phases.
    for i in 0u8..24 {
        let word = |tag: u8| keccak256([i, tag]);
        let cursor = DerivationCursor { entry: word(4), phase: i % 2 };
        let onchain = env
            .user
            .rollup()
            .computeOutputRoot(
                word(1),
                word(2),
                word(3),
                pillar_l1::bindings::Rollup::DerivationCursor { entry: cursor.entry, phase: cursor.phase },
            )
            .call()
            .await
            .unwrap();
        assert_eq!(onchain, output_root(word(1), word(2), word(3), &cursor), "input {i}");
    }

    // Only the proposer proposes; beyond the batches is refused.
    let err = env.user.propose_output(6, root, anchor(&env.proposer).await).await.unwrap_err();
    assert!(matches!(err, L1Error::RollupRevert { error: RollupErrors::NotProposer(_), .. }), "{err:?}");
    let err = env.proposer.propose_output(11, root, anchor(&env.proposer).await).await.unwrap_err();
    assert!(
        matches!(err, L1Error::RollupRevert { error: RollupErrors::OutputBeyondBatches(_), .. }),
        "{err:?}"
    );

    // Guardian invalidates output 1; the index is reused.
    let p1 = env.proposer.propose_output(8, B256::repeat_byte(9), anchor(&env.proposer).await).await.unwrap();
    assert_eq!(p1.index, 1);
    let err = env.user.invalidate_output(1).await.unwrap_err();
    assert!(matches!(err, L1Error::RollupRevert { error: RollupErrors::NotChallenger(_), .. }), "{err:?}");
    env.guardian.invalidate_output(1).await.unwrap();
    assert_eq!(env.proposer.output_count().await.unwrap(), 1);
    let err = env.proposer.output(1).await.unwrap_err();
    assert!(matches!(err, L1Error::RollupRevert { error: RollupErrors::OutputNotFound(_), .. }), "{err:?}");

    // Past the window output 0 is final and can no longer be invalidated.
    env.anvil.increase_time(WINDOW + 1).await.unwrap();
    assert!(env.proposer.is_finalized(0).await.unwrap());
    let err = env.guardian.invalidate_output(0).await.unwrap_err();
    assert!(
        matches!(err, L1Error::RollupRevert { error: RollupErrors::OutputAlreadyFinalized(_), .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_proposal_anchored_to_a_block_a_reorg_replaced_reverts() {
    let env = setup().await;
    env.sequencer.append_calldata_batch(1, 10, B256::ZERO, Bytes::from_static(b"x")).await.unwrap();
    // The proposer derived through a block carrying a deposit; a reorg then replaces that block
    // (and the deposit with it) while the proposal is on its way.
    env.user.deposit_eth(env.anvil.dev_address(4), U256::from(10_000u64)).await.unwrap();
    env.anvil.mine(1).await.unwrap();
    let seen = anchor(&env.proposer).await;
    env.anvil.reorg(2).await.unwrap();
    let now = anchor(&env.proposer).await;
    assert_eq!(now.number, seen.number);
    assert_ne!(now.hash, seen.hash, "the reorg replaced the anchored block");
    let root = B256::repeat_byte(7);
    let err = env.proposer.propose_output(5, root, seen).await.unwrap_err();
    match err {
        L1Error::RollupRevert { error: RollupErrors::L1AnchorMismatch(e), .. } => {
            assert_eq!((e.l1BlockNumber, e.provided, e.canonical), (seen.number, seen.hash, now.hash));
        }
        other => panic!("expected L1AnchorMismatch, got {other:?}"),
    }
    assert_eq!(env.proposer.output_count().await.unwrap(), 0);

    // Anchored to the canonical block it lands; an anchor older than 256 blocks no longer does.
    env.proposer.propose_output(5, root, now).await.unwrap();
    env.anvil.mine(300).await.unwrap();
    let err = env.proposer.propose_output(6, root, now).await.unwrap_err();
    match err {
        L1Error::RollupRevert { error: RollupErrors::L1AnchorMismatch(e), .. } => {
            assert_eq!(e.canonical, B256::ZERO)
        }
        other => panic!("expected L1AnchorMismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn withdrawal_is_paid_against_a_finalized_output() {
    let env = setup().await;
    // Fund the Portal through a deposit, then prove a withdrawal from a three-leaf tree.
    let amount = U256::from(10u64).pow(U256::from(17));
    env.user.deposit_eth(Address::repeat_byte(0xbb), amount).await.unwrap();
    let recipient = Address::repeat_byte(0x77);
    let w = Withdrawal {
        l2_block: 3,
        index: 1,
        l2_sender: Address::repeat_byte(0xbb),
        l1_recipient: recipient,
        token: Address::ZERO,
        amount,
    };
    let leaves = [B256::repeat_byte(1), w.leaf(), B256::repeat_byte(3)];
    assert_eq!(env.user.portal().withdrawalLeaf(w.into()).call().await.unwrap(), w.leaf());
    let proof = withdrawal_proof(&leaves, 1).unwrap();
    let onchain_root =
        env.user.portal().computeWithdrawalsRoot(w.leaf(), proof.clone().into()).call().await.unwrap();
    assert_eq!(onchain_root, withdrawals_root(&leaves));
    let (state_root, block_hash) = (B256::repeat_byte(0x51), B256::repeat_byte(0x52));
    let cursor = DerivationCursor::from_batch(B256::repeat_byte(0x53));
    let root = output_root(state_root, withdrawals_root(&leaves), block_hash, &cursor);
    env.sequencer.append_calldata_batch(1, 4, B256::ZERO, Bytes::from_static(b"x")).await.unwrap();
    let p = env.proposer.propose_output(4, root, anchor(&env.proposer).await).await.unwrap();

    let err =
        env.user.finalize_withdrawal(&w, p.index, state_root, block_hash, cursor, &proof).await.unwrap_err();
    assert!(
        matches!(err, L1Error::PortalRevert { error: PortalErrors::OutputNotFinalized(_), .. }),
        "{err:?}"
    );
    env.anvil.increase_time(WINDOW).await.unwrap();
    // The output root commits to the derivation cursor: another one does not prove the output.
    let wrong = DerivationCursor::after_entry(cursor.entry);
    let err =
        env.user.finalize_withdrawal(&w, p.index, state_root, block_hash, wrong, &proof).await.unwrap_err();
    assert!(
        matches!(err, L1Error::PortalRevert { error: PortalErrors::OutputRootMismatch(_), .. }),
        "{err:?}"
    );
    // Any account may relay; the funds go to the recipient.
    env.guardian.finalize_withdrawal(&w, p.index, state_root, block_hash, cursor, &proof).await.unwrap();
    assert_eq!(env.user.eth_balance(recipient).await.unwrap(), amount);
    assert!(env.user.is_withdrawal_finalized(w.leaf()).await.unwrap());
    let err =
        env.user.finalize_withdrawal(&w, p.index, state_root, block_hash, cursor, &proof).await.unwrap_err();
    assert!(
        matches!(err, L1Error::PortalRevert { error: PortalErrors::WithdrawalAlreadyFinalized(_), .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn read_only_client_and_unreachable_node() {
    let env = setup().await;
    let ro = L1Client::connect_read_only(env.anvil.endpoint(), env.dep.addresses).unwrap();
    assert_eq!(ro.queue_length().await.unwrap(), 0);
    let err = ro.deposit_eth(Address::repeat_byte(1), U256::from(10_000)).await.unwrap_err();
    assert!(matches!(err, L1Error::NoSigner { method: "deposit_eth" }));
    assert!(matches!(
        L1Client::connect("not a url", env.anvil.dev_key(0), env.dep.addresses),
        Err(L1Error::InvalidUrl { .. })
    ));
    assert!(matches!(
        L1Client::connect(env.anvil.endpoint(), "0x1234", env.dep.addresses),
        Err(L1Error::InvalidKey)
    ));
    let endpoint = env.anvil.endpoint().to_string();
    drop(env);
    let gone = L1Client::connect_read_only(&endpoint, Default::default()).unwrap();
    let err = gone.block_number().await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_stuck_transaction_is_replaced_with_higher_fees() {
    use alloy::consensus::Transaction as _;
    let env = setup().await;
    let provider = env.anvil.provider().clone();
    let est = provider.estimate_eip1559_fees().await.unwrap();
    // Nothing is mined until we say so: the first send, and the next bumps, sit in the pool.
    let _: serde_json::Value = provider.raw_request("evm_setAutomine".into(), (false,)).await.unwrap();
    let user = env.user.clone().with_fee_bump(pillar_l1::FeeBump {
        wait: std::time::Duration::from_millis(400),
        percent: 25,
        max_bumps: 8,
    });
    let queue_before = env.user.queue_length().await.unwrap();
    let miner = {
        let provider = provider.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
        })
    };
    let enq = match user.deposit_eth(env.anvil.dev_address(4), U256::from(10u64.pow(15))).await {
        Ok(e) => e,
        Err(L1Error::TxReverted { tx_hash, .. }) => {
            let r = provider.get_transaction_receipt(tx_hash).await.unwrap().unwrap();
            let t = provider.get_transaction_by_hash(tx_hash).await.unwrap().unwrap();
            panic!(
                "reverted: gas used {} of {}; value {:?}",
                r.gas_used,
                t.inner.gas_limit(),
                t.inner.value()
            );
        }
        Err(e) => panic!("{e}"),
    };
    miner.await.unwrap();
    let _: serde_json::Value = provider.raw_request("evm_setAutomine".into(), (true,)).await.unwrap();
    let tx = provider.get_transaction_by_hash(enq.tx.tx_hash).await.unwrap().unwrap();
    let tip = tx.inner.max_priority_fee_per_gas().unwrap();
    assert!(
        tip > est.max_priority_fee_per_gas,
        "the mined transaction is a bump: tip {tip} vs {}",
        est.max_priority_fee_per_gas
    );
    // Replaced, not duplicated: exactly one deposit was enqueued.
    assert_eq!(env.user.queue_length().await.unwrap(), queue_before + 1);
}

// ---- nonce gaps and dropped transactions ---------------------------------------------------------

/// How long a call may take to land after the L1 node lost one of its key's transactions: far
/// more than detecting it needs, far less than the default fee bumps (about four minutes).
const LANDS_WITHIN: Duration = Duration::from_secs(30);

/// Polls until the node counts at least `count` transactions of `address` as pending.
async fn until_pending_count(anvil: &Anvil, address: Address, count: u64) {
    for _ in 0..100 {
        if anvil.provider().get_transaction_count(address).pending().await.unwrap() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node never counted {count} pending transactions of {address}");
}

/// The nonce transaction `hash` was mined with.
async fn nonce_of(anvil: &Anvil, hash: B256) -> u64 {
    use alloy::consensus::Transaction as _;
    anvil.provider().get_transaction_by_hash(hash).await.unwrap().unwrap().inner.nonce()
}

/// Lands deposit A at nonce n, starts deposit B (which pins n + 1) with mining paused, then
/// reverts A's block: B is in flight above a hole at n. Returns (n, B's task).
async fn deposit_above_a_reorged_one(
    env: &Env,
    client: L1Client,
) -> (u64, tokio::task::JoinHandle<Result<pillar_l1::Enqueued, L1Error>>) {
    let amount = U256::from(10u64.pow(15));
    let user = env.anvil.dev_address(4);
    let before_a = env.anvil.snapshot().await.unwrap();
    let a = env.user.deposit_eth(Address::repeat_byte(0xa1), amount).await.unwrap();
    let n = nonce_of(&env.anvil, a.tx.tx_hash).await;
    env.anvil.set_automine(false).await.unwrap();
    let b = tokio::spawn(async move { client.deposit_eth(Address::repeat_byte(0xb2), amount).await });
    until_pending_count(&env.anvil, user, n + 2).await;
    // The reorg: A's block is gone, and anvil does not return A to the pool.
    assert!(env.anvil.revert(before_a).await.unwrap());
    assert_eq!(env.anvil.provider().get_transaction_count(user).latest().await.unwrap(), n);
    assert_eq!(env.user.queue_length().await.unwrap(), 0);
    (n, b)
}

#[tokio::test]
async fn a_call_above_a_nonce_hole_left_by_a_reorg_moves_down_and_lands() {
    let env = setup().await;
    // The default fee bumps: the stall this guards against outlasted all of them.
    let (n, b) = deposit_above_a_reorged_one(&env, env.user.clone()).await;
    // Blocks come again, as on a live chain; the first one drops B's first copy (behind the hole).
    env.anvil.set_interval_mining(1).await.unwrap();
    let b = tokio::time::timeout(LANDS_WITHIN, b)
        .await
        .expect("the call lands despite the hole")
        .unwrap()
        .unwrap();
    assert_eq!(nonce_of(&env.anvil, b.tx.tx_hash).await, n, "sent again at the account's nonce");
    assert_eq!(b.message.index, 0, "A's deposit is gone with its block; B's is the first");
    assert_eq!(env.user.queue_length().await.unwrap(), 1);
}

#[tokio::test]
async fn a_call_moving_down_replaces_its_orphaned_copy_so_it_runs_once() {
    let env = setup().await;
    let user = env.anvil.dev_address(4);
    // No block comes, so anvil keeps B's first copy in its pool and counts it as pending: the
    // client sees the hole only when its wait ends (kept short here).
    let client = env
        .user
        .clone()
        .with_fee_bump(pillar_l1::FeeBump { wait: Duration::from_secs(2), ..Default::default() });
    let (n, b) = deposit_above_a_reorged_one(&env, client).await;
    // Once the client has sent B again at n, one block takes whatever the pool holds at n and
    // n + 1: B's first copy there would run the deposit a second time.
    let deadline = tokio::time::Instant::now() + LANDS_WITHIN;
    while pool_nonces(&env.anvil, user).await != [n, n + 1] {
        assert!(tokio::time::Instant::now() < deadline, "B never moved down to nonce {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    env.anvil.mine(1).await.unwrap();
    let b = tokio::time::timeout(LANDS_WITHIN, b)
        .await
        .expect("the call lands despite the hole")
        .unwrap()
        .unwrap();
    assert_eq!(nonce_of(&env.anvil, b.tx.tx_hash).await, n);
    assert_eq!(env.anvil.provider().get_transaction_count(user).latest().await.unwrap(), n + 2);
    assert_eq!(env.user.queue_length().await.unwrap(), 1, "B's deposit ran once");
    assert_eq!(
        env.user.queue_messages(0, env.user.block_number().await.unwrap()).await.unwrap(),
        vec![b.message]
    );
}

/// Nonces of `address`'s transactions in anvil's pool (`txpool_content`), ascending.
async fn pool_nonces(anvil: &Anvil, address: Address) -> Vec<u64> {
    let content: serde_json::Value = anvil.provider().raw_request("txpool_content".into(), ()).await.unwrap();
    let key = format!("{address:#x}");
    let mut nonces: Vec<u64> = ["pending", "queued"]
        .iter()
        .filter_map(|part| content[part][&key].as_object())
        .flat_map(|txs| txs.keys().map(|k| k.parse().unwrap()))
        .collect();
    nonces.sort_unstable();
    nonces
}

#[tokio::test]
async fn a_transaction_the_node_dropped_is_sent_again() {
    let env = setup().await;
    let user = env.anvil.dev_address(4);
    // A bump wait beyond the bound: only noticing the drop can resend in time.
    let client = env
        .user
        .clone()
        .with_fee_bump(pillar_l1::FeeBump { wait: Duration::from_secs(120), ..Default::default() });
    let n = env.anvil.provider().get_transaction_count(user).latest().await.unwrap();
    env.anvil.set_automine(false).await.unwrap();
    let b = tokio::spawn(async move {
        client.deposit_eth(Address::repeat_byte(0xb2), U256::from(10u64.pow(15))).await
    });
    until_pending_count(&env.anvil, user, n + 1).await;
    // As after a reorg of its block that did not return it to the pool, or an eviction.
    env.anvil.drop_all_transactions().await.unwrap();
    env.anvil.set_automine(true).await.unwrap();
    let b = tokio::time::timeout(LANDS_WITHIN, b)
        .await
        .expect("the dropped transaction is sent again")
        .unwrap()
        .unwrap();
    assert_eq!(nonce_of(&env.anvil, b.tx.tx_hash).await, n);
    assert_eq!(env.user.queue_length().await.unwrap(), 1);
}

#[tokio::test]
async fn a_call_whose_nonce_another_sender_used_fails_typed_and_a_retry_lands() {
    let env = setup().await;
    let user = env.anvil.dev_address(4);
    let n = env.anvil.provider().get_transaction_count(user).latest().await.unwrap();
    env.anvil.set_automine(false).await.unwrap();
    let client = env.user.clone();
    let b = tokio::spawn(async move {
        client.deposit_eth(Address::repeat_byte(0xb2), U256::from(10u64.pow(15))).await
    });
    until_pending_count(&env.anvil, user, n + 1).await;
    // Another process with the same key outbids it at the same nonce, and that one is mined.
    let fee = 100 * env.anvil.provider().get_gas_price().await.unwrap();
    let other = alloy::rpc::types::TransactionRequest::default()
        .from(user)
        .to(user)
        .nonce(n)
        .gas_limit(21_000)
        .max_fee_per_gas(fee)
        .max_priority_fee_per_gas(fee);
    let other = env.anvil.provider().send_transaction(other).await.unwrap();
    env.anvil.mine(1).await.unwrap();
    let err = tokio::time::timeout(LANDS_WITHIN, b).await.unwrap().unwrap().unwrap_err();
    assert!(matches!(err, L1Error::NonceTaken { nonce } if nonce == n), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(nonce_of(&env.anvil, *other.tx_hash()).await, n);
    // The retry starts from the account's nonce now.
    env.anvil.set_automine(true).await.unwrap();
    let retry = env.user.deposit_eth(Address::repeat_byte(0xb2), U256::from(10u64.pow(15))).await.unwrap();
    assert_eq!(nonce_of(&env.anvil, retry.tx.tx_hash).await, n + 1);
    assert_eq!(env.user.queue_length().await.unwrap(), 1);
}
