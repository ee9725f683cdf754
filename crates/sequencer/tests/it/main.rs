//! The sequencer end to end on real storage: admission, block production, notifications.

#![allow(clippy::unwrap_used)]

use std::{sync::Arc, time::Duration};

use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_chain::Chain;
use pillar_runtime::{Genesis, GenesisAccount};
use pillar_sequencer::{PoolConfig, Rejection, Sequencer, SequencerConfig};
use pillar_stf::Runtime;
use pillar_stf::SignedTransaction;

mod sessions;

use pillar_runtime::testkit::key;

fn transfer(from: u8, nonce: u64, chain_id: u64, amount: u128) -> SignedTransaction {
    pillar_stf::testkit::transfer(chain_id, from, nonce, 1, key(9).address(), amount)
}

fn bad_chain() -> SignedTransaction {
    transfer(3, 0, 12, 10)
}

fn start(dir: &std::path::Path) -> (Sequencer, std::thread::JoinHandle<()>) {
    start_with(dir, 0, 3)
}

fn start_with(
    dir: &std::path::Path,
    rollback_window: u32,
    max_block_txs: usize,
) -> (Sequencer, std::thread::JoinHandle<()>) {
    let rt = Runtime::new(11, vec![Arc::new(Accounts), Arc::new(Assets)]);
    let genesis = Genesis {
        tx_fee: 1,
        fee_recipient: key(8).address(),
        accounts: (0..4)
            .map(|i| GenesisAccount { address: key(i).address(), eth: 1000, tokens: vec![] })
            .collect(),
        ..Default::default()
    };
    let opts = pillar_chain::testkit::small_options(rollback_window);
    let chain = Arc::new(Chain::open(dir, rt, &genesis, &opts).unwrap());
    Sequencer::start(
        chain,
        SequencerConfig {
            block_time: Duration::from_millis(5),
            max_block_txs,
            pool: PoolConfig { max_size: 100, max_per_sender: 10, max_nonce_gap: 4 },
            ..Default::default()
        },
    )
}

#[tokio::test]
async fn admits_produces_and_announces() {
    let dir = tempfile::tempdir().unwrap();
    let (seq, handle) = start(dir.path());
    let mut blocks = seq.subscribe();

    let results = seq.submit_batch((0..5).map(|n| transfer(0, n, 11, 10)).collect());
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");

    // Bad cases, each with its own rejection.
    assert!(matches!(
        seq.submit(transfer(1, 0, 12, 10)),
        Err(Rejection::WrongChain { expected: 11, got: 12 })
    ));
    assert!(matches!(seq.submit(transfer(1, 9, 11, 10)), Err(Rejection::NonceGapTooLarge { .. })));
    assert!(matches!(seq.submit(transfer(1, 0, 11, 5000)), Err(Rejection::InsufficientBalance { .. })));
    let mut bad = transfer(1, 0, 11, 10);
    bad.signature.v = 30;
    assert!(matches!(seq.submit(bad), Err(Rejection::BadSignature(_))));
    assert!(matches!(seq.submit_bytes(&[1, 2, 3]), Err(Rejection::Malformed(_))));
    // Stateless refusals come before the signature is recovered: a zero transfer with a
    // signature that recovers nobody is refused for its arguments, alone and in a batch, and
    // the valid transaction beside it in the batch is still admitted.
    let mut zero = transfer(1, 0, 11, 0);
    zero.signature.v = 30;
    assert!(matches!(seq.submit(zero.clone()), Err(Rejection::InvalidArguments(_))));
    let mixed = seq.submit_batch(vec![zero, transfer(2, 0, 11, 10), bad_chain()]);
    assert!(matches!(mixed[0], Err(Rejection::InvalidArguments(_))), "{mixed:?}");
    assert!(mixed[1].is_ok(), "{mixed:?}");
    assert!(matches!(mixed[2], Err(Rejection::WrongChain { expected: 11, got: 12 })), "{mixed:?}");
    assert!(matches!(seq.submit_bytes(&vec![0; 10_000]), Err(Rejection::Oversize { .. })));

    // Five transfers in blocks of at most three.
    let mut seen = 0;
    while seen < 5 {
        let b = tokio::time::timeout(Duration::from_secs(10), blocks.recv()).await.unwrap().unwrap();
        assert!(b.receipts.len() <= 3);
        assert!(b.receipts.iter().all(|r| r.is_success()));
        seen += b.receipts.len();
    }
    // Replays are refused once included.
    assert!(matches!(
        seq.submit(transfer(0, 0, 11, 10)),
        Err(Rejection::NonceTooLow { expected: 5, got: 0 })
    ));
    let head = seq.chain().head();
    assert!(head.height >= 2);
    seq.shutdown();
    handle.join().unwrap();
}

/// Derivation rolls soft blocks back under the producer (as when L1 settled other blocks): the
/// removed blocks' transactions are admitted again and land once each, on the new head.
#[tokio::test]
async fn blocks_removed_under_the_producer_have_their_transactions_included_again() {
    let dir = tempfile::tempdir().unwrap();
    let (seq, handle) = start_with(dir.path(), 64, 3);
    assert!(seq.submit_batch((0..6).map(|n| transfer(0, n, 11, 10)).collect()).iter().all(|r| r.is_ok()));
    let nonce = |seq: &Sequencer| pillar_accounts::nonce(&seq.chain().snapshot(), &key(0).address()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        // The state can show a block's writes a moment before the head moves to it.
        while nonce(&seq) < 6 || seq.chain().head().height < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    let before = seq.chain().head().height;
    assert!(before >= 2);
    // Roll everything back while more transactions wait in the pool.
    assert!(seq.submit_batch((6..8).map(|n| transfer(0, n, 11, 10)).collect()).iter().all(|r| r.is_ok()));
    let removed = seq.with_production_paused(|| {
        let chain = seq.chain();
        let removed: Vec<_> =
            (1..=chain.head().height).map(|h| chain.ledger().block(h).unwrap().unwrap()).collect();
        chain.rollback_to(0).unwrap();
        (removed.len(), removed)
    });
    assert!(removed >= 2);
    // All eight transactions end up in the new chain, each once, in nonce order.
    tokio::time::timeout(Duration::from_secs(10), async {
        while nonce(&seq) < 8 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    let chain = Arc::clone(seq.chain());
    let mut nonces = Vec::new();
    for h in 1..=chain.head().height {
        for t in chain.ledger().block(h).unwrap().unwrap().transactions {
            if let pillar_stf::ChainTx::Signed(tx) = t {
                nonces.push(tx.tx.nonce);
            }
        }
    }
    assert_eq!(nonces, (0..8).collect::<Vec<_>>());
    assert_eq!(seq.pool_len(), 0);
    seq.shutdown();
    handle.join().unwrap();
}

/// A flood of L1 messages goes into blocks that each stay under the per-block L1 byte cap.
#[tokio::test]
async fn a_flood_of_l1_messages_is_spread_over_capped_blocks() {
    use pillar_stf::{Address, L1Message, L1MessageKind, MAX_BLOCK_L1_BYTES};
    let dir = tempfile::tempdir().unwrap();
    let (seq, handle) = start_with(dir.path(), 0, 3);
    let flood: Vec<L1Message> = (0..40)
        .map(|i| L1Message {
            index: i,
            l1_block: 1,
            timestamp: 1,
            sender: Address::repeat_byte(7),
            kind: L1MessageKind::ForcedTx { tx: vec![i as u8; 4096] },
        })
        .collect();
    seq.enqueue_l1(flood, 1);
    let chain = Arc::clone(seq.chain());
    tokio::time::timeout(Duration::from_secs(10), async {
        while chain.head().queue_index < 40 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    let mut blocks = 0;
    for h in 1..=chain.head().height {
        let b = chain.ledger().block(h).unwrap().unwrap();
        let bytes: usize = b
            .transactions
            .iter()
            .map(|t| match t {
                pillar_stf::ChainTx::L1(m) => m.encoded_len() + pillar_stf::ENTRY_OVERHEAD_BYTES,
                pillar_stf::ChainTx::Signed(_) => 0,
            })
            .sum();
        assert!(bytes <= MAX_BLOCK_L1_BYTES, "block {h}: {bytes} bytes of L1 messages");
        blocks += 1;
    }
    assert!(blocks >= 3, "40 messages of 4 KiB need at least three blocks, got {blocks}");
    seq.shutdown();
    handle.join().unwrap();
}
