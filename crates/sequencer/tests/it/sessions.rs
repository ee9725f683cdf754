//! Session keys and sponsored fees through the sequencer: one wallet-signed `AuthorizeSession`,
//! then a thousand session-signed transfers whose fees a game pays, admitted and sealed.

use std::{sync::Arc, time::Duration};

use pillar_accounts::Accounts;
use pillar_assets::Assets;
use pillar_assets::Transfer;
use pillar_chain::Chain;
use pillar_runtime::{Genesis, GenesisAccount, Refusal};
use pillar_sequencer::{BlockNotification, PoolConfig, Rejection, Sequencer, SequencerConfig};
use pillar_sessions::Sessions;
use pillar_sessions::{AuthorizeSession, SetSponsorPolicy, SpendCap};
use pillar_stf::Runtime;
use pillar_stf::{Call, Event, NATIVE_ASSET, PrivateKey, SessionSigner, SignedTransaction, Transaction};
use tokio::sync::broadcast::Receiver;

const CHAIN: u64 = 21;
const N: u64 = 1_000;

fn key(i: u8) -> PrivateKey {
    PrivateKey::from_bytes([i + 31; 32]).unwrap()
}

fn tx(nonce: u64, call: Call) -> Transaction {
    Transaction { chain_id: CHAIN, nonce, max_fee: 1, call }
}

async fn receipts(blocks: &mut Receiver<Arc<BlockNotification>>, n: usize) -> Vec<pillar_stf::Receipt> {
    let mut out = Vec::new();
    while out.len() < n {
        let b = tokio::time::timeout(Duration::from_secs(60), blocks.recv()).await.unwrap().unwrap();
        assert!(b.dropped.is_empty(), "{:?}", b.dropped);
        out.extend(b.receipts.iter().cloned());
    }
    out
}

#[tokio::test]
async fn a_thousand_sponsored_session_transfers_after_one_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let (player, game, friend) = (key(0), key(1), key(2));
    let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions)]);
    let genesis = Genesis {
        tx_fee: 1,
        fee_recipient: key(9).address(),
        accounts: vec![
            GenesisAccount { address: player.address(), eth: 5_000, tokens: vec![] },
            GenesisAccount { address: game.address(), eth: 5_000, tokens: vec![] },
        ],
        ..Default::default()
    };
    let opts = pillar_chain::testkit::small_options(0);
    let chain = Arc::new(Chain::open(dir.path(), rt, &genesis, &opts).unwrap());
    let (seq, handle) = Sequencer::start(
        chain,
        SequencerConfig {
            block_time: Duration::from_millis(5),
            max_block_txs: 300,
            pool: PoolConfig { max_size: 10_000, max_per_sender: 2_000, max_nonce_gap: 2_000 },
            ..Default::default()
        },
    );
    let mut blocks = seq.subscribe();

    // The game funds sponsorship of transfers; the player authorizes one session key, once.
    let session = SessionSigner::ed25519([7; 32]);
    let policy = SetSponsorPolicy { budget: 2_000, calls: 1, window_ms: 0, max_txs_per_user: 0 };
    seq.submit(game.sign(tx(0, Call::Sessions(pillar_sessions::SessionsCall::SetSponsorPolicy(policy)))))
        .unwrap();
    let authorize = AuthorizeSession {
        key: session.public_key(),
        calls: 1,
        expires_ms: u64::MAX,
        window_ms: 0,
        max_txs: 0,
        caps: vec![SpendCap { asset: NATIVE_ASSET, total: 2 * N as u128, per_window: 0 }],
    };
    seq.submit(
        player.sign(tx(0, Call::Sessions(pillar_sessions::SessionsCall::AuthorizeSession(authorize)))),
    )
    .unwrap();
    assert!(receipts(&mut blocks, 2).await.iter().all(|r| r.is_success()));

    // Refusals at the door, each with its own rejection.
    let stranger = SessionSigner::ed25519([8; 32]);
    let t = |nonce| {
        tx(
            nonce,
            Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: friend.address(),
                asset: NATIVE_ASSET,
                amount: 1,
            })),
        )
    };
    assert!(matches!(
        seq.submit(stranger.sign(t(1), player.address(), Some(game.address()))),
        Err(Rejection::Refused(Refusal { code: 4001, kind: "session_refused", .. }))
    ));
    assert!(matches!(
        seq.submit(session.sign(t(1), player.address(), Some(player.address()))),
        Err(Rejection::Refused(Refusal { code: 4020, kind: "sponsor_refused", .. }))
    ));

    // A thousand moves, no wallet prompt, sent as one batch (ed25519 verified in batches).
    let moves: Vec<SignedTransaction> =
        (1..=N).map(|n| session.sign(t(n), player.address(), Some(game.address()))).collect();
    let results = seq.submit_batch(moves);
    assert!(results.iter().all(|r| r.is_ok()), "{:?}", results.iter().find(|r| r.is_err()));

    let sealed = receipts(&mut blocks, N as usize).await;
    assert_eq!(sealed.len(), N as usize);
    for r in &sealed {
        assert!(r.is_success(), "{:?}", r.status);
        assert_eq!(r.sender, player.address());
        assert!(
            matches!(r.events[0], Event::Assets(pillar_assets::AssetsEvent::FeePaid { from, amount: 1 }) if from == game.address())
        );
    }
    let snapshot = seq.chain().snapshot();
    let bal = |a| pillar_assets::balance(&snapshot, a, NATIVE_ASSET).unwrap();
    assert_eq!(bal(player.address()), 5_000 - 1 - N as u128, "the player paid only its first fee");
    assert_eq!(bal(game.address()), 5_000 - 1 - N as u128, "the game paid the moves' fees");
    assert_eq!(bal(friend.address()), N as u128);
    let policy = pillar_sessions::SPONSORS.get(&snapshot, &game.address()).unwrap().unwrap();
    assert_eq!((policy.budget, policy.paid), (2_000 - N as u128, N as u128));
    drop(snapshot);
    seq.shutdown();
    handle.join().unwrap();

    // A replica re-executes the same blocks (ed25519 checked in batches on import) and reaches
    // the same headers.
    let replica_dir = tempfile::tempdir().unwrap();
    let rt = Runtime::new(CHAIN, vec![Arc::new(Accounts), Arc::new(Assets), Arc::new(Sessions)]);
    let replica = Chain::open(replica_dir.path(), rt, &genesis, &opts).unwrap();
    let head = seq.chain().head().height;
    for h in 1..=head {
        let block = seq.chain().ledger().block(h).unwrap().unwrap();
        let sealed = replica.import_block(&block).unwrap();
        assert_eq!(sealed.hash, block.header.hash());
    }
    assert_eq!(replica.head(), seq.chain().head());
}
