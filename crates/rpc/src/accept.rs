//! Accepting connections. Each takes a slot: at most `max_connections` in all and
//! `max_connections_per_ip` from one address (an IPv6 /64 counts as one address); beyond that the
//! client gets HTTP 429 and the connection closes. A connection with a slot is served HTTP/1.1
//! with an idle limit (the next request's headers must arrive within `idle_timeout`), whole
//! request bodies ([`crate::body`]), and the [`Socket`] limits; jsonrpsee answers the requests and
//! takes over WebSocket upgrades.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::{Future, poll_fn},
    net::{IpAddr, Ipv6Addr},
    pin::Pin,
    sync::{Arc, Mutex, PoisonError, atomic::Ordering},
    time::Duration,
};

use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse, StopHandle};
use tokio::net::{TcpListener, TcpStream};
use tower::Service;
use tracing::debug;

use crate::{
    body::{self, BodyLimits},
    conn::{CloseReason, ConnState, Refusal, RpcStats},
    socket::{Socket, SocketLimits},
};

/// How long a refused client has to send its request and read the 429.
const REFUSE_TIME: Duration = Duration::from_secs(5);

/// The connection limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) max_per_ip: usize,
    pub(crate) body: BodyLimits,
    pub(crate) socket: SocketLimits,
}

/// Accepts connections until `stop`; `make` gives each one its jsonrpsee service.
pub(crate) async fn run<F, S>(
    listener: TcpListener,
    make: F,
    stop: StopHandle,
    limits: Limits,
    stats: Arc<RpcStats>,
) where
    F: Fn(StopHandle) -> S,
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    let slots = Arc::new(Slots {
        max: limits.max_connections,
        per_ip: limits.max_per_ip,
        table: Mutex::default(),
        stats: Arc::clone(&stats),
    });
    let stopped = stop.clone().shutdown();
    tokio::pin!(stopped);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Typically out of file descriptors: give closing connections a moment.
                    debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let _ = stream.set_nodelay(true);
        match Slots::take(&slots, peer.ip()) {
            Ok(slot) => {
                tokio::spawn(serve(
                    stream,
                    make(stop.clone()),
                    slot,
                    stop.clone(),
                    limits,
                    Arc::clone(&stats),
                ));
            }
            Err(why) => {
                stats.refused(why);
                let limit = match why {
                    Refusal::Full => limits.max_connections,
                    Refusal::PerIp => limits.max_per_ip,
                };
                debug!(%peer, ?why, "connection refused");
                tokio::spawn(refuse(stream, why, limit));
            }
        }
    }
}

/// Serves one connection until it closes or the server stops.
async fn serve<S>(
    stream: TcpStream,
    rpc: S,
    slot: Slot,
    stop: StopHandle,
    limits: Limits,
    stats: Arc<RpcStats>,
) where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    let conn = Arc::new(ConnState::new());
    let io = Socket::new(stream, Arc::clone(&conn), limits.socket, Arc::clone(&stats), Arc::new(slot));
    let mut served = http_connection(io, rpc, conn, limits, Arc::clone(&stats));
    let stopped = stop.shutdown();
    tokio::pin!(stopped);
    let r = tokio::select! {
        r = served.as_mut() => r,
        _ = &mut stopped => {
            served.as_mut().graceful_shutdown();
            served.await
        }
    };
    if let Err(e) = r {
        if e.is_timeout() {
            stats.closed(CloseReason::Idle);
        }
        debug!(error = %e, "HTTP connection ended");
    }
}

/// One HTTP/1.1 connection (with upgrades) answered by `rpc`. Built outside `async` code, so the
/// compiler proves it `Send` with its lifetimes in view (inside an `async fn` it trips over the
/// error type's lifetime).
fn http_connection<S>(
    io: Socket,
    rpc: S,
    conn: Arc<ConnState>,
    limits: Limits,
    stats: Arc<RpcStats>,
) -> Served
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    let service = service_fn(move |req: http::Request<Incoming>| {
        let mut rpc = rpc.clone();
        let conn = Arc::clone(&conn);
        let stats = Arc::clone(&stats);
        async move {
            let mut req = match body::read(req, limits.body, &stats).await {
                Ok(r) => r,
                Err(response) => return Ok(response),
            };
            req.extensions_mut().insert(Arc::clone(&conn));
            poll_fn(|cx| rpc.poll_ready(cx)).await?;
            let response = rpc.call(req).await?;
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                conn.mark_upgraded();
            }
            Ok::<_, BoxError>(response)
        }
    });
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.socket.idle_timeout).keep_alive(true);
    Box::pin(http.serve_connection(TokioIo::new(io), service).with_upgrades())
}

/// See [`http_connection`].
type Served = Pin<Box<dyn GracefulFuture>>;

/// A connection future that can also be asked to finish gracefully.
trait GracefulFuture: Future<Output = Result<(), hyper::Error>> + Send {
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<S> GracefulFuture for http1::UpgradeableConnection<TokioIo<Socket>, S>
where
    S: hyper::service::HttpService<Incoming, ResBody = HttpBody, Error = BoxError> + Send,
    S::Future: Send,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http1::UpgradeableConnection::graceful_shutdown(self)
    }
}

/// Answers the first request with 429 and closes.
async fn refuse(stream: TcpStream, why: Refusal, limit: usize) {
    let text = match why {
        Refusal::Full => format!("too many connections (limit {limit}); try again later\n"),
        Refusal::PerIp => {
            format!("too many connections from your address (limit {limit}); try again later\n")
        }
    };
    let service = service_fn(move |req: http::Request<Incoming>| {
        let text = text.clone();
        async move {
            // Take a small body in, so closing does not reset the connection before the client
            // reads the answer.
            let _ =
                tokio::time::timeout(REFUSE_TIME, Limited::new(req.into_body(), 64 * 1024).collect()).await;
            let mut r = HttpResponse::new(HttpBody::from(text));
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
            Ok::<_, Infallible>(r)
        }
    });
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(REFUSE_TIME).keep_alive(false);
    let _ = tokio::time::timeout(REFUSE_TIME, http.serve_connection(TokioIo::new(stream), service)).await;
}

/// Open connections, in all and per address.
struct Slots {
    max: usize,
    per_ip: usize,
    table: Mutex<Table>,
    stats: Arc<RpcStats>,
}

#[derive(Debug, Default)]
struct Table {
    open: usize,
    by_ip: HashMap<IpAddr, usize>,
}

impl Slots {
    fn take(this: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
        let ip = address_key(ip);
        let mut t = this.table.lock().unwrap_or_else(PoisonError::into_inner);
        if t.open >= this.max {
            return Err(Refusal::Full);
        }
        let n = t.by_ip.entry(ip).or_default();
        if *n >= this.per_ip {
            return Err(Refusal::PerIp);
        }
        *n += 1;
        t.open += 1;
        this.stats.connections.store(t.open, Ordering::Relaxed);
        Ok(Slot { slots: Arc::clone(this), ip })
    }
}

/// One connection's place in [`Slots`], given back on drop.
struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut t = self.slots.table.lock().unwrap_or_else(PoisonError::into_inner);
        t.open -= 1;
        if let Some(n) = t.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                t.by_ip.remove(&self.ip);
            }
        }
        self.slots.stats.connections.store(t.open, Ordering::Relaxed);
    }
}

/// The address a connection counts against: IPv4 as it is, IPv6 by its /64 (one host's share of
/// a typical allocation), an IPv4-mapped IPv6 address as IPv4.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u64::MAX as u128))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(max: usize, per_ip: usize) -> Arc<Slots> {
        Arc::new(Slots { max, per_ip, table: Mutex::default(), stats: Arc::default() })
    }

    #[test]
    fn one_address_cannot_take_every_slot() {
        let s = slots(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = Slots::take(&s, a).unwrap();
        let _a2 = Slots::take(&s, a).unwrap();
        assert_eq!(Slots::take(&s, a).err(), Some(Refusal::PerIp));
        let _b1 = Slots::take(&s, b).unwrap();
        assert_eq!(Slots::take(&s, b).err(), Some(Refusal::Full));
        assert_eq!(s.stats.connections.load(Ordering::Relaxed), 3);
        drop(a1);
        assert_eq!(s.stats.connections.load(Ordering::Relaxed), 2);
        let _a3 = Slots::take(&s, a).unwrap();
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
    }
}
