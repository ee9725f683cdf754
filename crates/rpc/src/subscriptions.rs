//! WebSocket subscriptions: new blocks, and one transaction's receipt.

use std::sync::Arc;

use jsonrpsee::{
    Extensions, PendingSubscriptionSink, RpcModule, SubscriptionMessage, SubscriptionSink, types::Params,
};
use pillar_stf::B256;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    Ctx,
    conn::{Busy, ConnState},
    json,
    pillar::parse_hash,
};

/// Keeps the connection from counting as idle while the subscription lives.
fn busy(ext: &Extensions) -> Option<Busy> {
    ext.get::<Arc<ConnState>>().map(ConnState::busy)
}

async fn send(sink: &SubscriptionSink, v: &Value) -> bool {
    match serde_json::value::to_raw_value(v) {
        Ok(raw) => sink.send(SubscriptionMessage::from(raw)).await.is_ok(),
        Err(_) => false,
    }
}

async fn new_blocks(pending: PendingSubscriptionSink, ctx: std::sync::Arc<Ctx>) {
    let mut rx = ctx.chain.subscribe();
    let Ok(sink) = pending.accept().await else { return };
    let mut last: Option<u64> = None;
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            msg = rx.recv() => match msg {
                Ok(b) => {
                    let mut v = json::header(&b.header);
                    if let Value::Object(m) = &mut v {
                        m.insert("transactions".into(), json!(b.receipts.iter().map(|r| r.tx_hash).collect::<Vec<_>>()));
                        // The chain was rolled back under this subscriber (the sequencer adopted
                        // what L1 settled): this block replaces the ones it saw from its height on.
                        m.insert("replaces".into(), json!(last.is_some_and(|l| b.header.height <= l)));
                    }
                    last = Some(b.header.height);
                    if !send(&sink, &v).await {
                        return;
                    }
                }
                // A slow client skipped blocks; it can fetch them by number.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            }
        }
    }
}

/// Canonical bytes of every new block, for a replica's sequencer feed.
async fn raw_blocks(pending: PendingSubscriptionSink, ctx: std::sync::Arc<Ctx>) {
    let mut rx = ctx.chain.subscribe();
    let Ok(sink) = pending.accept().await else { return };
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            msg = rx.recv() => match msg {
                Ok(b) => {
                    let Ok(Some(block)) = ctx.chain.ledger().block(b.header.height) else { continue };
                    let v = json!({
                        "height": b.header.height,
                        "block": format!("0x{}", hex::encode(pillar_stf::codec::encode(&block))),
                    });
                    if !send(&sink, &v).await {
                        return;
                    }
                }
                // The follower notices the gap by height and fetches the missing blocks.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            }
        }
    }
}

async fn receipt(hash: B256, pending: PendingSubscriptionSink, ctx: std::sync::Arc<Ctx>) {
    // Subscribe before looking in the ledger so a block landing in between is not missed.
    let mut rx = ctx.chain.subscribe();
    let Ok(sink) = pending.accept().await else { return };
    let stored = |ctx: &Ctx| crate::pillar::visible_receipt(ctx, &hash).ok().flatten();
    if let Some(r) = stored(&ctx) {
        send(&sink, &json!(r)).await;
        return;
    }
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            msg = rx.recv() => match msg {
                Ok(b) => {
                    if let Some(r) = b.receipts.iter().find(|r| r.tx_hash == hash) {
                        send(&sink, &json!(r)).await;
                        return;
                    }
                    if let Some(d) = b.dropped.iter().find(|d| d.hash == hash) {
                        send(&sink, &json!({ "txHash": hash, "status": "dropped", "reason": d.reason })).await;
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    if let Some(r) = stored(&ctx) {
                        send(&sink, &json!(r)).await;
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            }
        }
    }
}

pub(crate) fn register(m: &mut RpcModule<Ctx>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    m.register_subscription(
        "pillar_subscribeNewBlocks",
        "pillar_newBlock",
        "pillar_unsubscribeNewBlocks",
        |_: Params<'static>, pending, ctx, ext| {
            let busy = busy(&ext);
            async move {
                new_blocks(pending, ctx).await;
                drop(busy);
            }
        },
    )?;
    m.register_subscription(
        "pillar_subscribeRawBlocks",
        "pillar_rawBlock",
        "pillar_unsubscribeRawBlocks",
        |_: Params<'static>, pending, ctx, ext| {
            let busy = busy(&ext);
            async move {
                raw_blocks(pending, ctx).await;
                drop(busy);
            }
        },
    )?;
    m.register_subscription(
        "pillar_subscribeReceipt",
        "pillar_receipt",
        "pillar_unsubscribeReceipt",
        |params: Params<'static>, pending, ctx, ext| async move {
            let _busy = busy(&ext);
            let hash = match params
                .one::<String>()
                .map_err(|e| e.to_string())
                .and_then(|s| parse_hash(&s).map_err(|e| e.message().to_string()))
            {
                Ok(h) => h,
                Err(e) => {
                    pending.reject(crate::error::invalid_params(e)).await;
                    return;
                }
            };
            receipt(hash, pending, ctx).await
        },
    )?;
    Ok(())
}
