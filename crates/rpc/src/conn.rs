//! What one connection shares between its layers (HTTP front, socket, JSON-RPC calls and
//! subscriptions), and the server-wide counters behind `pillar_rpc_*` metrics.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use jsonrpsee::core::middleware::{Batch, Notification, RpcServiceT};
use jsonrpsee::types::Request;

/// One connection's state, put into every request's extensions (so calls and subscriptions on a
/// WebSocket see it too).
#[derive(Debug)]
pub(crate) struct ConnState {
    opened: Instant,
    /// Set when the HTTP layer answered 101: the socket carries WebSocket frames from then on.
    upgraded: AtomicBool,
    /// Calls in flight plus open subscriptions.
    busy: AtomicUsize,
    /// Milliseconds after `opened` when the connection was last busy.
    last_busy_ms: AtomicU64,
}

impl ConnState {
    pub(crate) fn new() -> Self {
        Self {
            opened: Instant::now(),
            upgraded: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            last_busy_ms: AtomicU64::new(0),
        }
    }

    pub(crate) fn mark_upgraded(&self) {
        self.touch();
        self.upgraded.store(true, Ordering::Release);
    }

    pub(crate) fn is_upgraded(&self) -> bool {
        self.upgraded.load(Ordering::Acquire)
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_busy_ms.fetch_max(ms, Ordering::Relaxed);
    }

    /// Marks the connection busy (a call or a subscription) until the guard drops.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        self.touch();
        Busy(Arc::clone(self))
    }

    /// How long the connection has had no call in flight and no subscription; zero while it has.
    pub(crate) fn idle_for(&self) -> Duration {
        if self.busy.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_busy_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }
}

/// See [`ConnState::busy`].
#[derive(Debug)]
pub(crate) struct Busy(Arc<ConnState>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// JSON-RPC middleware: a connection is busy while one of its calls runs.
#[derive(Clone)]
pub(crate) struct Activity<S>(pub(crate) S);

impl<S> RpcServiceT for Activity<S>
where
    S: RpcServiceT + Clone + Send + Sync + 'static,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(&self, req: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        let busy = req.extensions().get::<Arc<ConnState>>().map(ConnState::busy);
        let inner = self.0.clone();
        async move {
            let r = inner.call(req).await;
            drop(busy);
            r
        }
    }

    fn batch<'a>(&self, mut batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let busy = batch.extensions().get::<Arc<ConnState>>().map(ConnState::busy);
        let inner = self.0.clone();
        async move {
            let r = inner.batch(batch).await;
            drop(busy);
            r
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        if let Some(c) = n.extensions().get::<Arc<ConnState>>() {
            c.touch();
        }
        self.0.notification(n)
    }
}

/// Why the server closed a connection itself.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CloseReason {
    /// The request body did not arrive within `body_timeout` (HTTP 408).
    BodyTimeout,
    /// No request (HTTP) or no request and no subscription (WebSocket) for `idle_timeout`.
    Idle,
    /// A WebSocket client left more than `max_ws_send_buffer` bytes unread (close 1008).
    SlowReader,
    /// The client took none of the bytes sent to it for `write_timeout`.
    WriteStall,
}

impl CloseReason {
    const ALL: [CloseReason; 4] = [Self::BodyTimeout, Self::Idle, Self::SlowReader, Self::WriteStall];

    fn label(self) -> &'static str {
        match self {
            Self::BodyTimeout => "body_timeout",
            Self::Idle => "idle",
            Self::SlowReader => "slow_reader",
            Self::WriteStall => "write_stall",
        }
    }
}

/// Why a new connection was refused (HTTP 429).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `max_connections` are open.
    Full,
    /// `max_connections_per_ip` are open from this address.
    PerIp,
}

/// Server-wide counters, read by `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct RpcStats {
    pub(crate) connections: AtomicUsize,
    pub(crate) ws_connections: AtomicUsize,
    /// Bytes waiting to be sent to WebSocket clients, all connections together.
    pub(crate) ws_queued_bytes: AtomicUsize,
    closed: [AtomicU64; 4],
    refused_full: AtomicU64,
    refused_per_ip: AtomicU64,
}

impl RpcStats {
    pub(crate) fn closed(&self, why: CloseReason) {
        self.closed[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    #[cfg(test)]
    pub(crate) fn closed_count(&self, why: CloseReason) -> u64 {
        self.closed[why as usize].load(Ordering::Relaxed)
    }

    pub(crate) fn refused(&self, why: Refusal) {
        match why {
            Refusal::Full => &self.refused_full,
            Refusal::PerIp => &self.refused_per_ip,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus lines.
    pub(crate) fn render(&self, out: &mut String) {
        use crate::metrics::write_metric;
        let gauge = |out: &mut String, name: &str, help: &str, v: &AtomicUsize| {
            write_metric(out, name, "gauge", help, "", v.load(Ordering::Relaxed) as f64)
        };
        gauge(out, "pillar_rpc_connections", "Open RPC connections (HTTP and WebSocket)", &self.connections);
        gauge(out, "pillar_rpc_ws_connections", "Open WebSocket connections", &self.ws_connections);
        gauge(
            out,
            "pillar_rpc_ws_send_buffer_bytes",
            "Bytes waiting to be sent to WebSocket clients",
            &self.ws_queued_bytes,
        );
        for why in CloseReason::ALL {
            write_metric(
                out,
                "pillar_rpc_closed_total",
                "counter",
                "Connections the server closed, by reason",
                &format!("{{reason=\"{}\"}}", why.label()),
                self.closed[why as usize].load(Ordering::Relaxed) as f64,
            );
        }
        for (label, v) in [("full", &self.refused_full), ("per_ip", &self.refused_per_ip)] {
            write_metric(
                out,
                "pillar_rpc_refused_total",
                "counter",
                "Connections refused with HTTP 429, by limit",
                &format!("{{reason=\"{label}\"}}"),
                v.load(Ordering::Relaxed) as f64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_only_while_nothing_is_busy() {
        let c = Arc::new(ConnState::new());
        std::thread::sleep(Duration::from_millis(20));
        assert!(c.idle_for() >= Duration::from_millis(20));
        let b = c.busy();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(c.idle_for(), Duration::ZERO);
        drop(b);
        // Idle counts from when the last call or subscription ended, not from the start.
        assert!(c.idle_for() + Duration::from_millis(20) <= c.opened.elapsed());
    }
}
