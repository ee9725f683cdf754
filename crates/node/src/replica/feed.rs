//! The sequencer feed: soft blocks over WebSocket (`pillar_subscribeRawBlocks`), imported ahead
//! of L1 and reconciled by derivation when their batch lands.

use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, atomic::Ordering},
};

use parking_lot::Mutex;
use pillar_chain::{Chain, ChainError};
use pillar_derive::Deriver;
use pillar_primitives::{Block, codec};
use pillar_sequencer::Sequencer;
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::watch};
use tokio_util::compat::TokioAsyncReadCompatExt;
use tracing::{debug, info, warn};

use super::ReplicaStatus;

/// Largest feed message accepted (a full block of transactions, hex-encoded, fits).
const MAX_MESSAGE: usize = 32 * 1024 * 1024;
/// Most soft blocks held above the safe head (half the replica's rollback window).
const MAX_SOFT_AHEAD: u64 = 2048;
/// Most missing blocks asked for at once. A block's entries are capped at about 756 KB (the
/// blob carrier's budget), about 1.6 MB as hex in a response, so what is in flight stays near
/// 26 MB: well inside the sequencer's per-connection send buffer (`rpc.max_ws_send_buffer`,
/// 64 MiB), which drops a client whose unread responses exceed it.
const MAX_REQUESTS: u64 = 16;
/// Request id of the head query (block requests use their height as id).
const HEAD_ID: u64 = u64::MAX >> 1;

/// Why a feed session ended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FeedError {
    #[error("feed URL {url:?} is not ws://host:port[/path]")]
    BadUrl { url: String },
    #[error("cannot connect to the feed: {0}")]
    Connect(#[from] std::io::Error),
    #[error("WebSocket failure: {0}")]
    Ws(String),
    #[error("the feed refused the WebSocket handshake")]
    Refused,
}

pub(crate) struct Feed {
    pub(crate) url: String,
    pub(crate) deriver: Arc<Mutex<Deriver>>,
    pub(crate) chain: Arc<Chain>,
    pub(crate) follower: Sequencer,
    pub(crate) status: Arc<ReplicaStatus>,
}

fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("ws://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    (!host.is_empty()).then(|| (host.to_string(), path.to_string()))
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
            if crate::settle::pause(&mut stop, 1_000).await {
                return;
            }
        }
    }

    /// One connection; returns `Ok` only when asked to stop.
    async fn session(&self, stop: &mut watch::Receiver<bool>) -> Result<(), FeedError> {
        let (host, path) = split_url(&self.url).ok_or_else(|| FeedError::BadUrl { url: self.url.clone() })?;
        let stream = TcpStream::connect(&host).await?;
        let mut client = soketto::handshake::Client::new(stream.compat(), &host, &path);
        match client.handshake().await.map_err(|e| FeedError::Ws(e.to_string()))? {
            soketto::handshake::ServerResponse::Accepted { .. } => {}
            _ => return Err(FeedError::Refused),
        }
        let mut builder = client.into_builder();
        builder.set_max_message_size(MAX_MESSAGE);
        builder.set_max_frame_size(MAX_MESSAGE);
        let (mut tx, mut rx) = builder.finish();
        let subscribe =
            json!({ "jsonrpc": "2.0", "id": 0, "method": "pillar_subscribeRawBlocks", "params": [] });
        tx.send_text(subscribe.to_string()).await.map_err(|e| FeedError::Ws(e.to_string()))?;
        // The sequencer's head, so blocks sealed before we connected are fetched too.
        let head_req = json!({ "jsonrpc": "2.0", "id": HEAD_ID, "method": "eth_blockNumber", "params": [] });
        tx.send_text(head_req.to_string()).await.map_err(|e| FeedError::Ws(e.to_string()))?;
        tx.flush().await.map_err(|e| FeedError::Ws(e.to_string()))?;
        info!(url = %self.url, "following the sequencer feed");

        let mut pending: BTreeMap<u64, Block> = BTreeMap::new();
        let mut requested: HashSet<u64> = HashSet::new();
        let mut remote_head = 0u64;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            tokio::select! {
                _ = stop.changed() => return Ok(()),
                r = rx.receive_data(&mut buf) => { r.map_err(|e| FeedError::Ws(e.to_string()))?; }
            }
            let Ok(msg) = serde_json::from_slice::<Value>(&buf) else { continue };
            let id = msg.get("id").and_then(Value::as_u64);
            let raw = if msg.get("method").and_then(Value::as_str) == Some("pillar_rawBlock") {
                if let Some(h) = msg.pointer("/params/result/height").and_then(Value::as_u64) {
                    remote_head = remote_head.max(h);
                }
                msg.pointer("/params/result/block").and_then(Value::as_str)
            } else if id == Some(HEAD_ID) {
                let h = msg.get("result").and_then(Value::as_str).and_then(|s| s.strip_prefix("0x"));
                if let Some(h) = h.and_then(|h| u64::from_str_radix(h, 16).ok()) {
                    remote_head = remote_head.max(h);
                }
                None
            } else if id.is_some_and(|id| id > 0) {
                msg.get("result").and_then(Value::as_str)
            } else {
                None
            };
            if let Some(block) = raw.and_then(decode_block) {
                pending.insert(block.header.height, block);
            }
            self.apply(&mut pending).await;
            let head = self.chain.head().height;
            requested.retain(|h| *h > head);
            // Behind the sequencer (started late, or lagged): ask for what is missing.
            let want = remote_head.min(head + MAX_REQUESTS);
            let mut asked = false;
            for h in head + 1..=want {
                if !pending.contains_key(&h) && requested.insert(h) {
                    let req =
                        json!({ "jsonrpc": "2.0", "id": h, "method": "pillar_getRawBlock", "params": [h] });
                    tx.send_text(req.to_string()).await.map_err(|e| FeedError::Ws(e.to_string()))?;
                    asked = true;
                }
            }
            if asked {
                tx.flush().await.map_err(|e| FeedError::Ws(e.to_string()))?;
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
            self.follower.announce(&sealed.block.header, sealed.receipts);
        }
    }
}

fn decode_block(hex_str: &str) -> Option<Block> {
    let bytes = hex::decode(hex_str.strip_prefix("0x")?).ok()?;
    codec::decode(&bytes, MAX_MESSAGE, "block").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_urls() {
        assert_eq!(split_url("ws://127.0.0.1:8545"), Some(("127.0.0.1:8545".into(), "/".into())));
        assert_eq!(split_url("ws://h:1/x"), Some(("h:1".into(), "/x".into())));
        assert_eq!(split_url("http://h:1"), None);
        assert_eq!(split_url("ws:///x"), None);
        assert!(decode_block("0x00").is_none());
        assert!(decode_block("zz").is_none());
    }
}
