//! The sequencer feed: soft blocks over WebSocket (`pillar_subscribeRawBlocks`), imported ahead
//! of L1 and reconciled by derivation when their batch lands. It speaks JSON-RPC through
//! jsonrpsee's WebSocket client, the same implementation of the protocol as the server.

use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use jsonrpsee_core::{
    client::{ClientT, Error as ClientError, Subscription, SubscriptionClientT, SubscriptionCloseReason},
    rpc_params,
};
use jsonrpsee_ws_client::{PingConfig, WsClient, WsClientBuilder};
use parking_lot::Mutex;
use pillar_chain::{Chain, ChainError};
use pillar_derive::Deriver;
use pillar_stf::{Block, codec};
use serde::Deserialize;
use tokio::{sync::watch, task::JoinSet};
use tracing::{debug, info, warn};

use super::{ReplicaStatus, read_only::Imports};

/// Largest message accepted from the sequencer: its RPC's default response cap
/// (`RpcConfig::max_response_body`, not a config key); a full block of transactions, hex-encoded, fits.
const MAX_MESSAGE: u32 = 32 * 1024 * 1024;
/// Largest request sent: ours are a method name and a height.
const MAX_REQUEST: u32 = 4 * 1024;
/// Notifications held while the replica is busy importing; beyond, the subscription is dropped
/// and the feed reconnects and fetches what it missed by height.
const MAX_BUFFERED: usize = 64;
/// Most blocks held ahead of the head (what a sequencer sends is bounded however it behaves);
/// the highest are dropped first and fetched again when the head gets near them.
const MAX_PENDING: usize = 256;
/// Most soft blocks held above the safe head (half the replica's rollback window).
const MAX_SOFT_AHEAD: u64 = 2048;
/// Most missing blocks asked for at once. A block's entries are capped at about 756 KB (the
/// blob carrier's budget), about 1.6 MB as hex in a response, so what is in flight stays near
/// 26 MB: well inside the sequencer's per-connection send buffer (`rpc.max_ws_send_buffer`,
/// 64 MiB), which drops a client whose unread responses exceed it.
const MAX_REQUESTS: u64 = 16;
/// Longest wait for the TCP connection and the WebSocket handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for one answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A sequencer that answers nothing, not even a ping, for this long is taken as gone (the
/// connection may be half-open) and the feed reconnects.
const PING_INTERVAL: Duration = Duration::from_secs(30);
const INACTIVE_LIMIT: Duration = Duration::from_secs(60);
/// Pause before reconnecting.
const RECONNECT_MS: u64 = 1_000;

/// Why a feed session ended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FeedError {
    #[error("feed URL {url:?} is not ws://host:port[/path]")]
    BadUrl { url: String },
    #[error("cannot connect to the feed: {source}")]
    Connect {
        #[source]
        source: ClientError,
    },
    #[error("the feed refused the WebSocket handshake (HTTP {status})")]
    Refused { status: u16 },
    #[error("the feed refused {method}: {source}")]
    Call {
        method: &'static str,
        #[source]
        source: ClientError,
    },
    #[error("the feed sent more than {buffered} blocks while the replica was busy")]
    Lagged { buffered: usize },
    #[error("the sequencer ended the block subscription")]
    Unsubscribed,
    #[error("WebSocket failure: {source}")]
    Ws {
        #[source]
        source: ClientError,
    },
}

pub(crate) struct Feed {
    pub(crate) url: String,
    pub(crate) deriver: Arc<Mutex<Deriver>>,
    pub(crate) chain: Arc<Chain>,
    /// Where imported blocks are counted and announced.
    pub(crate) imports: Arc<dyn Imports>,
    pub(crate) status: Arc<ReplicaStatus>,
}

/// A `pillar_rawBlock` notification (crates/rpc/src/subscriptions.rs).
#[derive(Debug, Deserialize)]
struct RawBlock {
    height: u64,
    block: String,
}

/// An answer to one of the feed's requests.
enum Reply {
    /// `eth_blockNumber`: the sequencer's head, `0x`-hex.
    Head(Result<String, ClientError>),
    /// `pillar_getRawBlock`: `null` when the sequencer has no block at that height.
    Block(u64, Result<Option<String>, ClientError>),
}

fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("ws://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    (!host.is_empty()).then(|| (host.to_string(), path.to_string()))
}

/// Opens the connection; plain `ws://` only (TLS is left to a proxy).
async fn connect(url: &str) -> Result<WsClient, FeedError> {
    if split_url(url).is_none() {
        return Err(FeedError::BadUrl { url: url.to_string() });
    }
    WsClientBuilder::new()
        .max_response_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .max_request_size(MAX_REQUEST)
        .max_buffer_capacity_per_subscription(MAX_BUFFERED)
        // The requests for missing blocks, the head query and the subscription.
        .max_concurrent_requests(MAX_REQUESTS as usize + 2)
        .connection_timeout(CONNECT_TIMEOUT)
        .request_timeout(REQUEST_TIMEOUT)
        .enable_ws_ping(PingConfig::new().ping_interval(PING_INTERVAL).inactive_limit(INACTIVE_LIMIT))
        .build(url)
        .await
        .map_err(|source| {
            let rejected = match &source {
                ClientError::Transport(e) => match e.downcast_ref() {
                    Some(jsonrpsee_client_transport::ws::WsHandshakeError::Rejected { status_code }) => {
                        Some(*status_code)
                    }
                    _ => None,
                },
                _ => None,
            };
            match rejected {
                Some(status) => FeedError::Refused { status },
                None => FeedError::Connect { source },
            }
        })
}

impl Feed {
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            match self.session(&mut stop).await {
                Ok(()) => return,
                Err(e @ FeedError::BadUrl { .. }) => {
                    warn!(error = %e, "sequencer feed disabled");
                    return;
                }
                Err(e) => warn!(error = %e, "sequencer feed lost; reconnecting"),
            }
            if crate::settle::pause(&mut stop, RECONNECT_MS).await {
                return;
            }
        }
    }

    /// One connection; returns `Ok` only when asked to stop.
    async fn session(&self, stop: &mut watch::Receiver<bool>) -> Result<(), FeedError> {
        let client = tokio::select! {
            _ = stop.changed() => return Ok(()),
            c = connect(&self.url) => Arc::new(c?),
        };
        let method = "pillar_subscribeRawBlocks";
        let mut blocks: Subscription<RawBlock> = client
            .subscribe(method, rpc_params![], "pillar_unsubscribeRawBlocks")
            .await
            .map_err(|source| FeedError::Call { method, source })?;
        // Asked once subscribed, so blocks sealed before we connected are fetched too. Answers
        // run as tasks, so that dropping the session drops them.
        let mut replies = JoinSet::new();
        let c = Arc::clone(&client);
        replies.spawn(async move { Reply::Head(c.request("eth_blockNumber", rpc_params![]).await) });
        info!(url = %self.url, "following the sequencer feed");

        let mut pending: BTreeMap<u64, Block> = BTreeMap::new();
        let mut requested: HashSet<u64> = HashSet::new();
        let mut remote_head = 0u64;
        loop {
            let raw = tokio::select! {
                _ = stop.changed() => return Ok(()),
                note = blocks.next() => match note {
                    Some(Ok(n)) => {
                        remote_head = remote_head.max(n.height);
                        Some(n.block)
                    }
                    Some(Err(e)) => {
                        debug!(error = %e, "feed notification not understood; skipped");
                        None
                    }
                    None => return Err(ended(&client, &blocks).await),
                },
                Some(done) = replies.join_next() => match done {
                    Ok(Reply::Head(Ok(h))) => {
                        let h = h.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok());
                        remote_head = remote_head.max(h.unwrap_or(0));
                        None
                    }
                    Ok(Reply::Head(Err(e))) => {
                        debug!(error = %e, "feed head query failed");
                        None
                    }
                    Ok(Reply::Block(_, Ok(block))) => block,
                    // Not asked again this session: derivation or a later notification moves
                    // the head past it.
                    Ok(Reply::Block(height, Err(e))) => {
                        debug!(height, error = %e, "feed block request failed");
                        None
                    }
                    Err(_) => None,
                },
            };
            if let Some(block) = raw.as_deref().and_then(decode_block) {
                pending.insert(block.header.height, block);
                while pending.len() > MAX_PENDING {
                    pending.pop_last();
                }
            }
            self.apply(&mut pending).await;
            let head = self.chain.head().height;
            requested.retain(|h| *h > head);
            // Behind the sequencer (started late, or lagged): ask for what is missing.
            let want = remote_head.min(head + MAX_REQUESTS);
            for h in head + 1..=want {
                if !pending.contains_key(&h) && requested.insert(h) {
                    let c = Arc::clone(&client);
                    replies.spawn(async move { Reply::Block(h, c.request("pillar_getRawBlock", [h]).await) });
                }
            }
        }
    }

    /// Imports the pending blocks that extend the head, under the deriver's lock so derivation
    /// never sees a half-applied feed.
    async fn apply(&self, pending: &mut BTreeMap<u64, Block>) {
        let head = self.chain.head().height;
        pending.retain(|h, _| *h > head);
        // Soft blocks must stay within what a rollback can undo if L1 settles something else.
        let limit = self.chain.heads().safe + MAX_SOFT_AHEAD;
        let mut ready = Vec::new();
        let mut next = head + 1;
        while next <= limit
            && let Some(b) = pending.remove(&next)
        {
            ready.push(b);
            next += 1;
        }
        if ready.is_empty() {
            return;
        }
        let deriver = Arc::clone(&self.deriver);
        let chain = Arc::clone(&self.chain);
        let imported = tokio::task::spawn_blocking(move || {
            let _derivation = deriver.lock();
            let mut imported = Vec::new();
            for b in ready {
                match chain.import_block(&b) {
                    Ok(sealed) => imported.push(sealed),
                    Err(ChainError::NotChild { .. }) => {
                        debug!(height = b.header.height, "soft block does not extend the head; dropped");
                        break;
                    }
                    Err(e) => {
                        warn!(height = b.header.height, error = %e, "soft block refused");
                        break;
                    }
                }
            }
            imported
        })
        .await
        .unwrap_or_default();
        for sealed in imported {
            self.status.soft_blocks.fetch_add(1, Ordering::Relaxed);
            self.imports.imported(&sealed.block.header, sealed.receipts);
        }
    }
}

/// Why the subscription stopped yielding blocks.
async fn ended(client: &WsClient, blocks: &Subscription<RawBlock>) -> FeedError {
    if let Some(SubscriptionCloseReason::Lagged) = blocks.close_reason() {
        FeedError::Lagged { buffered: MAX_BUFFERED }
    } else if client.is_connected() {
        FeedError::Unsubscribed
    } else {
        FeedError::Ws { source: client.on_disconnect().await }
    }
}

fn decode_block(hex_str: &str) -> Option<Block> {
    let bytes = hex::decode(hex_str.strip_prefix("0x")?).ok()?;
    codec::decode(&bytes, MAX_MESSAGE as usize, "block").ok()
}

#[cfg(test)]
mod tests {
    use std::{net::SocketAddr, path::Path, time::Instant};

    use pillar_assets::Transfer;
    use pillar_chain::ChainOptions;
    use pillar_derive::DerivationConfig;
    use pillar_rpc::{Production, RpcConfig, RpcHandle};
    use pillar_sequencer::{Sequencer, SequencerConfig};
    use pillar_state::NomtOptions;
    use pillar_stf::{Call, PrivateKey, Transaction};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::ChainConfig;
    use crate::replica::read_only::ReadOnly;

    const TEST_PRODUCTION: Production =
        Production { block_time: Duration::from_millis(50), max_block_txs: 1 };

    #[test]
    fn feed_urls() {
        assert_eq!(split_url("ws://127.0.0.1:8545"), Some(("127.0.0.1:8545".into(), "/".into())));
        assert_eq!(split_url("ws://h:1/x"), Some(("h:1".into(), "/x".into())));
        assert_eq!(split_url("http://h:1"), None);
        assert_eq!(split_url("wss://h:1"), None, "no TLS: a proxy terminates it");
        assert_eq!(split_url("ws:///x"), None);
        assert!(decode_block("0x00").is_none());
        assert!(decode_block("zz").is_none());
    }

    fn keys() -> Vec<PrivateKey> {
        (1..=2u8).map(|i| PrivateKey::from_bytes([i; 32]).unwrap()).collect()
    }

    fn config() -> ChainConfig {
        crate::preset("basic", 901, &keys()).unwrap()
    }

    fn open_chain(config: &ChainConfig, dir: &Path) -> Arc<Chain> {
        let options = ChainOptions { nomt: NomtOptions { hashtable_buckets: 1024, ..Default::default() } };
        let runtime = crate::build_runtime(config).unwrap();
        Arc::new(Chain::open(dir, runtime, &config.genesis, &options).unwrap())
    }

    /// The sequencer's RPC on `listen` (port 0: any).
    async fn rpc(seq: &Sequencer, chain: &Arc<Chain>, listen: SocketAddr) -> RpcHandle {
        let config = RpcConfig { listen, ..Default::default() };
        pillar_rpc::start(Arc::new(seq.clone()), Arc::clone(chain), &config).await.unwrap()
    }

    /// A replica's side: its own chain and a feed towards `url`.
    fn follower(config: &ChainConfig, dir: &Path, url: String) -> Feed {
        let chain = open_chain(config, dir);
        let deriver = Deriver::new(Arc::clone(&chain), DerivationConfig::default(), 0).unwrap();
        Feed {
            url,
            deriver: Arc::new(Mutex::new(deriver)),
            imports: Arc::new(ReadOnly::new(Arc::clone(&chain), TEST_PRODUCTION)),
            chain,
            status: Arc::new(ReplicaStatus::new(0, 64)),
        }
    }

    /// Sends one transfer from the first dev key and waits for its block.
    async fn seal_block(seq: &Sequencer, config: &ChainConfig, nonce: u64) -> u64 {
        let key = &keys()[0];
        let tx = Transaction {
            chain_id: config.chain.chain_id,
            nonce,
            max_fee: config.genesis.tx_fee,
            call: Call::Assets(pillar_assets::AssetsCall::Transfer(Transfer {
                to: keys()[1].address(),
                asset: 0,
                amount: 1,
            })),
        };
        let before = seq.chain().head().height;
        seq.submit(key.sign(tx)).unwrap();
        wait("a block", || (seq.chain().head().height > before).then_some(())).await;
        seq.chain().head().height
    }

    async fn wait<T>(what: &str, mut done: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(v) = done() {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn same_blocks(a: &Chain, b: &Chain, up_to: u64) {
        for h in 0..=up_to {
            let hash = |c: &Chain| c.ledger().header(h).unwrap().map(|x| x.hash());
            assert_eq!(hash(a), hash(b), "block {h}");
        }
    }

    /// Catches up on blocks sealed before it connected (asked by height), follows new ones as
    /// they are announced, and after the sequencer's RPC goes away and comes back on the same
    /// address, reconnects and fetches what it missed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn follows_catches_up_and_reconnects() {
        let (seq_dir, rep_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let config = config();
        let chain = open_chain(&config, seq_dir.path());
        let (seq, producer) = Sequencer::start(Arc::clone(&chain), SequencerConfig::default());
        let server = rpc(&seq, &chain, "127.0.0.1:0".parse().unwrap()).await;
        let addr = server.local_addr;
        for nonce in 0..3 {
            seal_block(&seq, &config, nonce).await;
        }

        let feed = follower(&config, rep_dir.path(), format!("ws://{addr}"));
        let (replica, status) = (Arc::clone(&feed.chain), Arc::clone(&feed.status));
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(feed.run(stop_rx));
        wait("the blocks sealed before the feed", || (replica.head().height == 3).then_some(())).await;
        let head = seal_block(&seq, &config, 3).await;
        wait("an announced block", || (replica.head().height == head).then_some(())).await;

        server.stop();
        server.stopped().await;
        let mut head = 0;
        for nonce in 4..6 {
            head = seal_block(&seq, &config, nonce).await;
        }
        let _server = rpc(&seq, &chain, addr).await;
        wait("blocks sealed while the feed was down", || (replica.head().height == head).then_some(())).await;
        same_blocks(&chain, &replica, head);
        assert_eq!(status.soft_blocks.load(Ordering::Relaxed), head);

        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
        seq.shutdown();
        producer.join().unwrap();
    }

    #[tokio::test]
    async fn a_bad_url_disables_the_feed_and_a_refused_handshake_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let config = config();
        let feed = follower(&config, dir.path(), "wss://127.0.0.1:1".into());
        let (_stop, stop_rx) = watch::channel(false);
        // Returns at once instead of retrying.
        tokio::time::timeout(Duration::from_secs(5), feed.run(stop_rx)).await.unwrap();

        // An HTTP server that is not a WebSocket endpoint.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let refused = connect(&format!("ws://{addr}")).await.unwrap_err();
        assert!(matches!(refused, FeedError::Refused { status: 403 }), "{refused}");
        let nobody = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let down = connect(&format!("ws://{nobody}")).await.unwrap_err();
        assert!(matches!(down, FeedError::Connect { .. }), "{down}");
    }

    /// What a hostile or broken sequencer sends: notifications that are not blocks are skipped,
    /// a block at a height far ahead is held (bounded) but not imported, and a message over the
    /// size limit ends the session instead of being buffered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_notifications_are_skipped_and_oversize_ones_end_the_session() {
        use jsonrpsee::{
            RpcModule, SubscriptionMessage,
            core::SubscriptionResult,
            server::{Server, ServerConfig},
        };

        let dir = tempfile::tempdir().unwrap();
        let feed = follower(&config(), dir.path(), String::new());
        // A valid block, at a height the replica cannot reach.
        let mut far = feed.chain.ledger().block(0).unwrap().unwrap();
        far.header.height = 1_000;
        let far = format!("0x{}", hex::encode(codec::encode(&far)));
        let oversize = format!("0x{}", "00".repeat(MAX_MESSAGE as usize / 2));
        let notes = [
            serde_json::json!({ "height": 1, "block": "zz" }),
            serde_json::json!({ "height": "one" }),
            serde_json::json!({ "height": 1_000, "block": far }),
            serde_json::json!({ "height": 2, "block": oversize }),
        ];
        let asked = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut module = RpcModule::new((notes, Arc::clone(&asked)));
        module.register_method("eth_blockNumber", |_, _, _| "0x0").unwrap();
        module
            .register_method("pillar_getRawBlock", |_, (_, asked), _| {
                asked.fetch_add(1, Ordering::Relaxed);
                Option::<String>::None
            })
            .unwrap();
        module
            .register_subscription(
                "pillar_subscribeRawBlocks",
                "pillar_rawBlock",
                "pillar_unsubscribeRawBlocks",
                |_, pending, ctx, _| async move {
                    let sink = pending.accept().await?;
                    let (notes, asked) = &*ctx;
                    for (i, note) in notes.iter().enumerate() {
                        // The oversize one once the feed has asked for the blocks it lacks.
                        while i == notes.len() - 1 && asked.load(Ordering::Relaxed) < MAX_REQUESTS {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        sink.send(SubscriptionMessage::from(serde_json::value::to_raw_value(note)?)).await?;
                    }
                    sink.closed().await;
                    SubscriptionResult::Ok(())
                },
            )
            .unwrap();
        let server = Server::builder()
            .set_config(ServerConfig::builder().max_response_body_size(2 * MAX_MESSAGE).build())
            .build("127.0.0.1:0")
            .await
            .unwrap();
        let addr = server.local_addr().unwrap();
        let handle = server.start(module);

        let feed = Feed { url: format!("ws://{addr}"), ..feed };
        let (_stop, mut stop_rx) = watch::channel(false);
        let ended = tokio::time::timeout(Duration::from_secs(30), feed.session(&mut stop_rx)).await.unwrap();
        let err = ended.unwrap_err();
        assert!(matches!(err, FeedError::Ws { .. }), "{err}");
        assert!(err.to_string().contains("too large"), "{err}");
        assert_eq!(feed.chain.head().height, 0, "nothing imported");
        // The far block's height made it ask for the blocks in between, a window at a time.
        assert_eq!(asked.load(Ordering::Relaxed), MAX_REQUESTS);
        assert_eq!(feed.status.soft_blocks.load(Ordering::Relaxed), 0);
        handle.stop().unwrap();
    }
}
