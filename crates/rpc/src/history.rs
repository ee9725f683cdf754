//! History the explorer and auditors read: events across blocks (`pillar_getEvents`, e.g. a
//! compliance audit trail) and the batches the node put on L1 (`pillar_getBatches`).
//!
//! Both are bounded per call (blocks and receipts read, rows returned) and page backwards by
//! height, so a long or busy chain costs each request the same.

use jsonrpsee::{
    RpcModule,
    types::{ErrorObjectOwned, Params},
};
use pillar_stf::Receipt;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    Ctx,
    error::{internal, invalid_params},
};

/// Most blocks one `pillar_getEvents` call reads.
pub(crate) const MAX_SCAN_BLOCKS: u64 = 10_000;
/// Most receipts one call reads: with full blocks, 10,000 of them would be tens of millions of
/// receipts, so a page also ends at the first block boundary past this many.
pub(crate) const MAX_SCAN_RECEIPTS: usize = 50_000;
/// Most rows one call returns.
pub(crate) const MAX_ROWS: usize = 1_000;

/// `pillar_getEvents` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EventFilter {
    /// Newest block to read (default: the head).
    to_block: Option<u64>,
    /// Oldest block to read (default: `toBlock - 9,999`, or genesis).
    from_block: Option<u64>,
    /// Event `type`s to keep (default: all).
    types: Option<Vec<String>>,
    /// Keep only events with a field equal to this address (any case).
    address: Option<String>,
    /// Failed calls whose reason code lies in `[lo, hi]` are listed too, as `callFailed`.
    failed_codes: Option<(i64, i64)>,
    /// Most rows (default 100, at most 1,000).
    limit: Option<usize>,
}

/// Whether any string field of `event` equals `address` (case-insensitive).
fn mentions(event: &Value, address: &str) -> bool {
    event
        .as_object()
        .is_some_and(|o| o.values().any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(address))))
}

/// The rows of one block that pass `f`, newest first.
fn block_rows(height: u64, receipts: &[Receipt], f: &EventFilter, out: &mut Vec<Value>, limit: usize) {
    for r in receipts.iter().rev() {
        let rj = json!(r);
        let base = |event: Value| json!({ "blockHeight": height, "txHash": rj["txHash"], "index": rj["index"], "sender": rj["sender"], "event": event });
        if let (Some((lo, hi)), Some(code)) = (f.failed_codes, rj["code"].as_i64())
            && rj["status"] == "failed"
            && (lo..=hi).contains(&code)
        {
            let failure =
                json!({ "type": "callFailed", "code": code, "reason": rj["reason"], "sender": rj["sender"] });
            if f.address.as_deref().is_none_or(|a| mentions(&failure, a)) {
                out.push(base(failure));
            }
        }
        let events = rj["events"].as_array().cloned().unwrap_or_default();
        for e in events.into_iter().rev() {
            if out.len() >= limit {
                return;
            }
            let ty = e["type"].as_str().unwrap_or_default();
            if f.types.as_ref().is_some_and(|t| !t.iter().any(|x| x == ty)) {
                continue;
            }
            if f.address.as_deref().is_some_and(|a| !mentions(&e, a)) {
                continue;
            }
            out.push(base(e));
        }
    }
}

fn events(ctx: &Ctx, f: EventFilter) -> Result<Value, ErrorObjectOwned> {
    let head = ctx.chain.head().height;
    let to = f.to_block.unwrap_or(head).min(head);
    let floor = to.saturating_sub(MAX_SCAN_BLOCKS - 1);
    let from = f.from_block.unwrap_or(floor).max(floor);
    if from > to {
        return Err(invalid_params(format!("fromBlock {from} is past toBlock {to}")));
    }
    let limit = f.limit.unwrap_or(100).clamp(1, MAX_ROWS);
    scan(&f, from, to, limit, MAX_SCAN_RECEIPTS, |h| ctx.chain.ledger().receipts(h).map_err(internal))
}

/// Reads blocks `to` down to `from` through `receipts_of`, stopping at `limit` rows or at the first
/// block boundary past `max_receipts` receipts read.
fn scan(
    f: &EventFilter,
    from: u64,
    to: u64,
    limit: usize,
    max_receipts: usize,
    mut receipts_of: impl FnMut(u64) -> Result<Vec<Receipt>, ErrorObjectOwned>,
) -> Result<Value, ErrorObjectOwned> {
    let mut rows = Vec::new();
    let mut height = to;
    let mut read = 0;
    // Where the next page starts (older blocks), or null once genesis was reached.
    let next = loop {
        let receipts = receipts_of(height)?;
        read += receipts.len();
        block_rows(height, &receipts, f, &mut rows, limit);
        if rows.len() >= limit {
            // This block may hold more rows: the next page starts at it again.
            break Some(height);
        }
        if height == from {
            break from.checked_sub(1);
        }
        if read >= max_receipts {
            break Some(height - 1);
        }
        height -= 1;
    };
    let scanned_from = if next.is_some_and(|n| n >= from) { height } else { from };
    Ok(json!({ "events": rows, "fromBlock": scanned_from, "toBlock": to, "next": next }))
}

fn batches(ctx: &Ctx, limit: Option<usize>) -> Value {
    let limit = limit.unwrap_or(50).clamp(1, MAX_ROWS);
    let mut v = ctx.status.batches(limit);
    let heads = ctx.chain.heads();
    if let Some(rows) = v.get_mut("batches").and_then(Value::as_array_mut) {
        for row in rows {
            let last = row["lastBlock"].as_u64().unwrap_or(u64::MAX);
            // A batch is final once an output past its challenge window covers its blocks.
            let status = if last <= heads.finalized { "finalized" } else { "posted" };
            row["status"] = json!(status);
        }
    }
    v
}

pub(crate) fn register(m: &mut RpcModule<Ctx>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    m.register_method("pillar_getEvents", |params: Params<'_>, ctx: &Ctx, _| {
        let f: Option<EventFilter> = params.sequence().optional_next()?;
        events(ctx, f.unwrap_or_default())
    })?;
    m.register_method(
        "pillar_getBatches",
        |params: Params<'_>, ctx: &Ctx, _| -> Result<Value, ErrorObjectOwned> {
            let mut seq = params.sequence();
            let limit: Option<usize> = seq.optional_next()?;
            Ok(batches(ctx, limit))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pillar_stf::{Address, B256, Event};

    fn receipt(index: u32, ok: bool, events: Vec<Event>) -> Receipt {
        let mut r = Receipt {
            tx_hash: B256::repeat_byte(index as u8),
            block_height: 7,
            index,
            sender: Address::repeat_byte(1),
            nonce: 0,
            fee_paid: 0,
            status: pillar_stf::TxStatus::Success,
            events,
        };
        if !ok {
            r.status = pillar_stf::TxStatus::Failed { code: 3101, reason: "no claims".into() };
        }
        r
    }

    #[test]
    fn rows_filter_by_type_address_and_failure_codes_newest_first() {
        let a = Address::repeat_byte(0xaa);
        let b = Address::repeat_byte(0xbb);
        let receipts = vec![
            receipt(
                0,
                true,
                vec![Event::Compliance(pillar_compliance::ComplianceEvent::WalletFrozen {
                    asset: 1,
                    wallet: a,
                    frozen: true,
                    by: b,
                })],
            ),
            receipt(1, false, vec![]),
            receipt(2, true, vec![Event::Assets(pillar_assets::AssetsEvent::FeePaid { from: b, amount: 5 })]),
        ];
        let f = EventFilter {
            types: Some(vec!["walletFrozen".into()]),
            failed_codes: Some((3000, 3999)),
            ..Default::default()
        };
        let mut out = Vec::new();
        block_rows(7, &receipts, &f, &mut out, 10);
        let types: Vec<&str> = out.iter().map(|r| r["event"]["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["callFailed", "walletFrozen"]);
        assert_eq!(out[0]["event"]["code"], 3101);

        let by_address = EventFilter {
            address: Some(format!("{a:#x}").to_uppercase().replace("0X", "0x")),
            ..Default::default()
        };
        let mut out = Vec::new();
        block_rows(7, &receipts, &by_address, &mut out, 10);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["event"]["type"], "walletFrozen");

        let mut out = Vec::new();
        block_rows(7, &receipts, &EventFilter::default(), &mut out, 1);
        assert_eq!(out.len(), 1, "the limit holds inside a block");
    }

    #[test]
    fn a_page_ends_at_the_row_limit_or_the_receipt_budget_and_says_where_to_go_on() {
        let block = |h: u64| {
            Ok(vec![receipt(
                0,
                true,
                vec![Event::Assets(pillar_assets::AssetsEvent::FeePaid {
                    from: Address::repeat_byte(h as u8),
                    amount: h as u128,
                })],
            )])
        };
        let all = EventFilter::default();
        // Row limit inside the range: the next page starts again at the block it stopped in.
        let page = scan(&all, 0, 9, 3, 1_000, block).unwrap();
        assert_eq!(page["events"].as_array().unwrap().len(), 3);
        assert_eq!(page["next"], 7);
        // Receipt budget: stops at a block boundary, the next page starts one block lower.
        let page = scan(&all, 0, 9, 100, 4, block).unwrap();
        assert_eq!(page["events"].as_array().unwrap().len(), 4);
        assert_eq!((page["fromBlock"].as_u64(), page["next"].as_u64()), (Some(6), Some(5)));
        // The whole range read down to genesis: nothing more.
        let page = scan(&all, 0, 9, 100, 1_000, block).unwrap();
        assert_eq!(page["events"].as_array().unwrap().len(), 10);
        assert_eq!(page["next"], Value::Null);
        // A range that ends above genesis continues below it.
        assert_eq!(scan(&all, 5, 9, 100, 1_000, block).unwrap()["next"], 4);
    }
}
