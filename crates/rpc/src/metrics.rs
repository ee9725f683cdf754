//! `GET /metrics`: Prometheus text exposition, served beside JSON-RPC on the same port
//! ([`crate::routes`]).

use std::{fmt::Write as _, sync::Arc};

use jsonrpsee::server::{HttpBody, HttpResponse};
use pillar_chain::Chain;

use crate::NodeStatus;

/// One Prometheus sample line with its help and type, appended to `out`.
pub fn write_metric(out: &mut String, name: &str, kind: &str, help: &str, labels: &str, value: f64) {
    if !out.contains(&format!("# TYPE {name} ")) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
    }
    let _ = writeln!(out, "{name}{labels} {value}");
}

/// A histogram in Prometheus form (`_bucket` lines with `le`, then `_sum` and `_count`).
pub fn write_histogram(out: &mut String, name: &str, help: &str, h: &pillar_sequencer::HistogramSnapshot) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for (le, n) in &h.buckets {
        let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
    let _ = writeln!(out, "{name}_sum {}", h.sum_secs);
    let _ = writeln!(out, "{name}_count {}", h.count);
}

/// What `/metrics` reads.
#[derive(Clone)]
pub(crate) struct MetricsSource {
    pub(crate) chain: Arc<Chain>,
    pub(crate) seq: Arc<dyn crate::TxSink>,
    pub(crate) status: Arc<dyn NodeStatus>,
    pub(crate) rpc: Arc<crate::conn::RpcStats>,
}

impl MetricsSource {
    fn render(&self) -> String {
        let mut out = String::new();
        let head = self.chain.head();
        let heads = self.chain.heads();
        let role = self.status.role();
        write_metric(
            &mut out,
            "pillar_up",
            "gauge",
            "1 while the node serves",
            &format!("{{role=\"{role}\"}}"),
            1.0,
        );
        for (label, h) in [("soft", head.height), ("safe", heads.safe), ("finalized", heads.finalized)] {
            write_metric(
                &mut out,
                "pillar_block_height",
                "gauge",
                "Height of the soft (head), safe and finalized blocks",
                &format!("{{head=\"{label}\"}}"),
                h as f64,
            );
        }
        write_metric(
            &mut out,
            "pillar_head_timestamp_ms",
            "gauge",
            "Timestamp of the head block",
            "",
            head.timestamp_ms as f64,
        );
        write_metric(
            &mut out,
            "pillar_mempool_transactions",
            "gauge",
            "Transactions waiting in the pool",
            "",
            self.seq.pending() as f64,
        );
        write_metric(
            &mut out,
            "pillar_halted",
            "gauge",
            "1 when block production stopped after a storage failure",
            "",
            f64::from(u8::from(self.seq.halted().is_some())),
        );
        let m = self.seq.metrics();
        let counter = |out: &mut String, name: &str, help: &str, v: &std::sync::atomic::AtomicU64| {
            write_metric(out, name, "counter", help, "", v.load(std::sync::atomic::Ordering::Relaxed) as f64)
        };
        counter(&mut out, "pillar_blocks_total", "Blocks produced or imported since start", &m.blocks);
        counter(
            &mut out,
            "pillar_transactions_total",
            "Block entries (transactions and L1 messages) since start",
            &m.txs,
        );
        counter(&mut out, "pillar_rejected_total", "Submissions refused at admission", &m.rejected);
        counter(
            &mut out,
            "pillar_signatures_checked_total",
            "Transactions whose signatures were checked at admission",
            &m.signatures,
        );
        write_metric(
            &mut out,
            "pillar_tps",
            "gauge",
            "Block entries per second over the last 10 s",
            "",
            m.tps(),
        );
        if let Some(age) = m.since_last_block() {
            write_metric(
                &mut out,
                "pillar_last_block_age_seconds",
                "gauge",
                "Seconds since the last block",
                "",
                age.as_secs_f64(),
            );
        }
        write_histogram(
            &mut out,
            "pillar_signature_check_seconds",
            "Signature checks per submission (one transaction or one batch)",
            &m.signature_check.snapshot(),
        );
        write_histogram(
            &mut out,
            "pillar_block_execute_seconds",
            "Running a block's transactions",
            &m.execute.snapshot(),
        );
        write_histogram(
            &mut out,
            "pillar_block_root_seconds",
            "Computing a block's state root",
            &m.root.snapshot(),
        );
        write_histogram(
            &mut out,
            "pillar_block_ledger_seconds",
            "Writing a block to the ledger durably",
            &m.ledger.snapshot(),
        );
        write_histogram(
            &mut out,
            "pillar_block_commit_seconds",
            "Committing a block's state durably",
            &m.commit.snapshot(),
        );
        let health = self.status.health();
        write_metric(
            &mut out,
            "pillar_healthy",
            "gauge",
            "1 when every health check passes",
            "",
            f64::from(u8::from(health.ok)),
        );
        self.rpc.render(&mut out);
        out.push_str(&self.status.metrics());
        out
    }
}

impl MetricsSource {
    /// The `GET /metrics` response.
    pub(crate) fn response(&self) -> Result<HttpResponse, http::Error> {
        HttpResponse::builder()
            .status(http::StatusCode::OK)
            .header(http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .body(HttpBody::from(self.render()))
    }
}
