//! The sequencer end to end on real storage: admission, block production, notifications.

#![allow(clippy::unwrap_used)]

use std::{sync::Arc, time::Duration};

use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_chain::{Chain, ChainOptions};
use pillar_primitives::{Call, PrivateKey, SignedTransaction, Transaction, Transfer};
use pillar_runtime::{Genesis, GenesisAccount, Runtime};
use pillar_sequencer::{PoolConfig, Rejection, Sequencer, SequencerConfig};
use pillar_state::NomtOptions;

mod sessions;

fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 1; 32]).unwrap()
}

fn transfer(from: u8, nonce: u64, chain_id: u64, amount: u128) -> SignedTransaction {
    key(from).sign(Transaction {
        chain_id,
        nonce,
        max_fee: 1,
        call: Call::Transfer(Transfer { to: key(9).address(), asset: 0, amount }),
    })
}

fn start(dir: &std::path::Path) -> (Sequencer, std::thread::JoinHandle<()>) {
    let rt = Runtime::new(11, vec![Arc::new(Accounts), Arc::new(Assets)]);
    let genesis = Genesis {
        tx_fee: 1,
        fee_recipient: key(8).address(),
        accounts: (0..4)
            .map(|i| GenesisAccount { address: key(i).address(), eth: 1000, tokens: vec![] })
            .collect(),
        ..Default::default()
    };
    let opts = ChainOptions {
        nomt: NomtOptions { hashtable_buckets: 4096, commit_concurrency: 1, rollback_window: 0 },
    };
    let chain = Arc::new(Chain::open(dir, rt, &genesis, &opts).unwrap());
    Sequencer::start(
        chain,
        SequencerConfig {
            block_time: Duration::from_millis(5),
            max_block_txs: 3,
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
