//! The byte stream under hyper and jsonrpsee, with the limits they lack.
//!
//! - HTTP: writes go straight to the socket. A write of which the client takes no byte for
//!   `write_timeout` fails, and hyper drops the connection.
//! - WebSocket (once the HTTP layer answered 101): writes go into an outbox that a writer task
//!   drains, so jsonrpsee never waits on a slow client and its own queue (bounded in messages,
//!   whatever their size) stays empty. The outbox is bounded in bytes instead: behind the message
//!   being sent, at most `ws_send_buffer` bytes may wait. A write past that discards what waits,
//!   queues a close frame (1008) after the frame in progress and ends the connection; a connection
//!   with no call and no subscription for `idle_timeout` is closed the same way (1000), and one
//!   whose client takes no byte for `write_timeout` is dropped. Bytes become sendable at flush,
//!   which soketto issues after whole frames only, so a close frame never lands inside another.

use std::{
    any::Any,
    collections::VecDeque,
    future::Future,
    io,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError, atomic::Ordering},
    task::{Context, Poll, Waker},
    time::Duration,
};

use hyper::body::Bytes;
use tokio::{
    io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{
        TcpStream,
        tcp::{OwnedReadHalf, OwnedWriteHalf},
    },
    sync::Notify,
    time::{MissedTickBehavior, Sleep},
};
use tracing::debug;

use crate::conn::{CloseReason, ConnState, RpcStats};

/// WebSocket close codes (RFC 6455 §7.4.1).
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_POLICY: u16 = 1008;

/// The limits a [`Socket`] enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SocketLimits {
    pub(crate) write_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) ws_send_buffer: usize,
}

/// A client connection as hyper (and, after an upgrade, jsonrpsee's WebSocket) sees it.
pub(crate) struct Socket {
    read: OwnedReadHalf,
    write: Write,
    conn: Arc<ConnState>,
    limits: SocketLimits,
    stats: Arc<RpcStats>,
    /// The connection's slot; the writer task holds it too, so it is released when both are done.
    slot: Arc<dyn Any + Send + Sync>,
    /// Deadline of a direct write the client is not taking.
    stall: Option<Pin<Box<Sleep>>>,
}

enum Write {
    Direct(OwnedWriteHalf),
    Queued(Arc<Outbox>),
    Switching,
}

impl Socket {
    pub(crate) fn new(
        stream: TcpStream,
        conn: Arc<ConnState>,
        limits: SocketLimits,
        stats: Arc<RpcStats>,
        slot: Arc<dyn Any + Send + Sync>,
    ) -> Self {
        let (read, write) = stream.into_split();
        Self { read, write: Write::Direct(write), conn, limits, stats, slot, stall: None }
    }

    /// After a 101 answer every byte is WebSocket: hand the socket to a writer task.
    fn switch_if_upgraded(&mut self) {
        if !matches!(self.write, Write::Direct(_)) || !self.conn.is_upgraded() {
            return;
        }
        let Write::Direct(w) = std::mem::replace(&mut self.write, Write::Switching) else { return };
        let outbox = Arc::new(Outbox {
            state: Mutex::new(Out::default()),
            wake: Notify::new(),
            limit: self.limits.ws_send_buffer,
            stats: Arc::clone(&self.stats),
        });
        self.stats.ws_connections.fetch_add(1, Ordering::Relaxed);
        self.stall = None;
        tokio::spawn(drain(
            Arc::clone(&outbox),
            w,
            Arc::clone(&self.conn),
            self.limits,
            Arc::clone(&self.slot),
        ));
        self.write = Write::Queued(outbox);
    }

    /// Passes a direct write's result on; fails it once the client took nothing for `write_timeout`.
    fn unless_stalled<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if r.is_ready() {
            self.stall = None;
            return r;
        }
        let timeout = self.limits.write_timeout;
        let stall = self.stall.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if stall.as_mut().poll(cx).is_ready() {
            self.stats.closed(CloseReason::WriteStall);
            debug!("client took no bytes for {timeout:?}; closing");
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "client stopped reading")));
        }
        Poll::Pending
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The writer sends what is queued, then closes.
        if let Write::Queued(o) = &self.write {
            o.finish();
        }
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "connection closed by the server")
}

impl AsyncRead for Socket {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Write::Queued(o) = &this.write
            && o.reads_ended(cx.waker())
        {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.switch_if_upgraded();
        let r = match &mut this.write {
            Write::Direct(w) => Pin::new(w).poll_write(cx, buf),
            Write::Queued(o) => return Poll::Ready(o.write(buf)),
            Write::Switching => return Poll::Ready(Err(gone())),
        };
        this.unless_stalled(cx, r)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.switch_if_upgraded();
        let r = match &mut this.write {
            Write::Direct(w) => Pin::new(w).poll_flush(cx),
            Write::Queued(o) => return Poll::Ready(o.flush()),
            Write::Switching => return Poll::Ready(Err(gone())),
        };
        this.unless_stalled(cx, r)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.switch_if_upgraded();
        let r = match &mut this.write {
            Write::Direct(w) => Pin::new(w).poll_shutdown(cx),
            Write::Queued(o) => {
                o.finish();
                return Poll::Ready(Ok(()));
            }
            Write::Switching => return Poll::Ready(Ok(())),
        };
        this.unless_stalled(cx, r)
    }
}

/// A WebSocket connection's outgoing bytes, shared by the [`Socket`] and its writer task.
struct Outbox {
    state: Mutex<Out>,
    wake: Notify,
    limit: usize,
    stats: Arc<RpcStats>,
}

impl Outbox {
    /// Runs `f` under the lock and keeps the server-wide queued-bytes gauge in step.
    fn with<R>(&self, f: impl FnOnce(&mut Out) -> R) -> R {
        let mut o = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let before = o.queued;
        let r = f(&mut o);
        let after = o.queued;
        drop(o);
        let g = &self.stats.ws_queued_bytes;
        if after > before {
            g.fetch_add(after - before, Ordering::Relaxed);
        } else {
            g.fetch_sub(before - after, Ordering::Relaxed);
        }
        r
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let limit = self.limit;
        match self.with(|o| o.write(buf, limit)) {
            Ok(()) => Ok(buf.len()),
            Err(Refused::Closed) => Err(gone()),
            Err(Refused::Overflow) => {
                let reason = format!("send buffer over {limit} bytes: client reads too slowly");
                debug!("{reason}; closing");
                self.close(CLOSE_POLICY, &reason);
                self.stats.closed(CloseReason::SlowReader);
                Err(gone())
            }
        }
    }

    fn flush(&self) -> io::Result<()> {
        let open = self.with(|o| {
            o.flush();
            o.phase == Phase::Open
        });
        self.wake.notify_one();
        if open { Ok(()) } else { Err(gone()) }
    }

    fn close(&self, code: u16, reason: &str) {
        let reader = self.with(|o| o.close(code, reason));
        if let Some(w) = reader {
            w.wake();
        }
        self.wake.notify_one();
    }

    fn finish(&self) {
        self.with(Out::finish);
        self.wake.notify_one();
    }

    fn reads_ended(&self, waker: &Waker) -> bool {
        self.with(|o| {
            if matches!(o.phase, Phase::Closing | Phase::Dead) {
                return true;
            }
            if !o.reader.as_ref().is_some_and(|r| r.will_wake(waker)) {
                o.reader = Some(waker.clone());
            }
            false
        })
    }
}

/// Sends the outbox to the client until the connection ends; closes idle connections.
async fn drain(
    outbox: Arc<Outbox>,
    mut w: OwnedWriteHalf,
    conn: Arc<ConnState>,
    limits: SocketLimits,
    _slot: Arc<dyn Any + Send + Sync>,
) {
    let period = (limits.idle_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        match outbox.with(Out::next) {
            Next::Send(bytes) => match tokio::time::timeout(limits.write_timeout, w.write(&bytes)).await {
                Ok(Ok(n)) if n > 0 => outbox.with(|o| o.advance(n)),
                // The client is gone.
                Ok(_) => break,
                Err(_) => {
                    debug!("WebSocket client took no bytes for {:?}; dropping it", limits.write_timeout);
                    outbox.stats.closed(CloseReason::WriteStall);
                    break;
                }
            },
            Next::Wait => tokio::select! {
                _ = outbox.wake.notified() => {}
                _ = tick.tick() => {
                    if conn.idle_for() >= limits.idle_timeout {
                        let secs = limits.idle_timeout.as_secs();
                        outbox.close(CLOSE_NORMAL, &format!("idle for {secs} s without a call or subscription"));
                        outbox.stats.closed(CloseReason::Idle);
                    }
                }
            },
            Next::Done => {
                let _ = tokio::time::timeout(limits.write_timeout, w.shutdown()).await;
                break;
            }
        }
    }
    let reader = outbox.with(Out::die);
    if let Some(r) = reader {
        r.wake();
    }
    outbox.stats.ws_connections.fetch_sub(1, Ordering::Relaxed);
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    #[default]
    Open,
    /// The upper layer is done writing; the writer sends what is queued, then closes.
    Finishing,
    /// The server closes the connection (a close frame is queued); reads end at once.
    Closing,
    /// The writer is gone.
    Dead,
}

#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Closed,
    Overflow,
}

#[derive(Debug, PartialEq, Eq)]
enum Next {
    Send(Bytes),
    Wait,
    Done,
}

/// The outbox proper, free of I/O.
#[derive(Debug, Default)]
struct Out {
    /// Flushed bytes, whole frames; the first may be partly sent.
    ready: VecDeque<Bytes>,
    /// Bytes of `ready[0]` already sent.
    sent: usize,
    /// The writer is sending from `ready[0]`, so it must stay.
    sending: bool,
    /// Written since the last flush.
    unflushed: Vec<u8>,
    /// Unsent bytes of `ready` plus `unflushed`.
    queued: usize,
    phase: Phase,
    reader: Option<Waker>,
}

impl Out {
    /// Queues `buf`. The message being sent (or, with nothing queued, the first one) may be any
    /// size; what waits behind it may not pass `limit`.
    fn write(&mut self, buf: &[u8], limit: usize) -> Result<(), Refused> {
        if self.phase != Phase::Open {
            return Err(Refused::Closed);
        }
        if let Some(front) = self.ready.front() {
            let behind = self.queued - (front.len() - self.sent);
            if behind + buf.len() > limit {
                return Err(Refused::Overflow);
            }
        }
        self.unflushed.extend_from_slice(buf);
        self.queued += buf.len();
        Ok(())
    }

    fn flush(&mut self) {
        if !self.unflushed.is_empty() {
            self.ready.push_back(Bytes::from(std::mem::take(&mut self.unflushed)));
        }
    }

    fn next(&mut self) -> Next {
        match self.ready.front() {
            Some(front) => {
                self.sending = true;
                Next::Send(front.slice(self.sent..))
            }
            None if self.phase == Phase::Open => Next::Wait,
            None => Next::Done,
        }
    }

    fn advance(&mut self, n: usize) {
        self.sending = false;
        self.sent += n;
        self.queued -= n;
        if self.ready.front().is_some_and(|f| self.sent >= f.len()) {
            self.ready.pop_front();
            self.sent = 0;
        }
    }

    /// Discards what waits (keeping the frame in progress), queues a close frame and ends reads.
    fn close(&mut self, code: u16, reason: &str) -> Option<Waker> {
        if !matches!(self.phase, Phase::Open | Phase::Finishing) {
            return None;
        }
        let keep = usize::from(self.sent > 0 || self.sending);
        self.ready.truncate(keep);
        self.unflushed.clear();
        self.ready.push_back(close_frame(code, reason));
        self.queued = self.ready.iter().map(Bytes::len).sum::<usize>() - self.sent;
        self.phase = Phase::Closing;
        self.reader.take()
    }

    fn finish(&mut self) {
        if self.phase == Phase::Open {
            // A frame the upper layer never flushed is incomplete: it is not sent.
            self.queued -= self.unflushed.len();
            self.unflushed = Vec::new();
            self.phase = Phase::Finishing;
        }
    }

    fn die(&mut self) -> Option<Waker> {
        let reader = self.reader.take();
        *self = Out { phase: Phase::Dead, ..Out::default() };
        reader
    }
}

/// An unmasked close frame (server to client) with `code` and as much of `reason` as fits.
fn close_frame(code: u16, reason: &str) -> Bytes {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let reason = &reason.as_bytes()[..end];
    let mut f = Vec::with_capacity(4 + reason.len());
    f.push(0x88);
    f.push(2 + reason.len() as u8);
    f.extend_from_slice(&code.to_be_bytes());
    f.extend_from_slice(reason);
    Bytes::from(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A server-side socket and its client, whose receive buffer is small and never read.
    async fn pair(write_timeout: Duration) -> (Socket, TcpStream, Arc<ConnState>, Arc<RpcStats>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpSocket::new_v4().unwrap();
        client.set_recv_buffer_size(4096).unwrap();
        let client = client.connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let conn = Arc::new(ConnState::new());
        let stats = Arc::new(RpcStats::default());
        let limits =
            SocketLimits { write_timeout, idle_timeout: Duration::from_secs(600), ws_send_buffer: 64 << 20 };
        let socket = Socket::new(server, Arc::clone(&conn), limits, Arc::clone(&stats), Arc::new(()));
        (socket, client, conn, stats)
    }

    #[tokio::test]
    async fn an_http_write_the_client_never_takes_fails() {
        let (mut s, _client, _, stats) = pair(Duration::from_millis(200)).await;
        let chunk = vec![0u8; 1 << 20];
        let err = loop {
            if let Err(e) = s.write(&chunk).await {
                break e;
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(stats.closed_count(CloseReason::WriteStall), 1);
    }

    #[tokio::test]
    async fn a_websocket_client_that_takes_nothing_is_dropped_and_its_bytes_freed() {
        let (mut s, _client, conn, stats) = pair(Duration::from_millis(200)).await;
        conn.mark_upgraded();
        // More than the kernel buffers hold, less than the budget: writes never wait.
        let frame = vec![0u8; 64 << 10];
        for _ in 0..256 {
            s.write_all(&frame).await.unwrap();
            s.flush().await.unwrap();
        }
        assert_eq!(stats.ws_connections.load(Ordering::Relaxed), 1);
        assert!(stats.ws_queued_bytes.load(Ordering::Relaxed) > 0);
        // Once the writer gives up, reads end, and nothing stays queued.
        let mut buf = [0u8; 16];
        assert_eq!(s.read(&mut buf).await.unwrap(), 0);
        assert_eq!(stats.closed_count(CloseReason::WriteStall), 1);
        assert_eq!(stats.ws_queued_bytes.load(Ordering::Relaxed), 0);
        assert!(s.write(&frame).await.is_err());
        drop(s);
        tokio::task::yield_now().await;
        assert_eq!(stats.ws_connections.load(Ordering::Relaxed), 0);
    }

    fn sent(o: &mut Out) -> Vec<u8> {
        let mut out = Vec::new();
        while let Next::Send(b) = o.next() {
            out.extend_from_slice(&b);
            o.advance(b.len());
        }
        out
    }

    #[test]
    fn bytes_are_sendable_at_flush_and_go_out_in_order() {
        let mut o = Out::default();
        o.write(b"ab", 10).unwrap();
        assert_eq!(o.next(), Next::Wait, "unflushed bytes may be half a frame");
        o.flush();
        o.write(b"cd", 10).unwrap();
        o.flush();
        assert_eq!(o.queued, 4);
        assert_eq!(sent(&mut o), b"abcd");
        assert_eq!(o.queued, 0);
    }

    #[test]
    fn the_budget_bounds_what_waits_behind_the_message_in_progress() {
        let mut o = Out::default();
        // A first message larger than the budget still goes out.
        o.write(&[1; 50], 10).unwrap();
        o.flush();
        // Behind it, up to the budget.
        o.write(&[2; 6], 10).unwrap();
        o.flush();
        o.write(&[3; 4], 10).unwrap();
        assert_eq!(o.write(&[4; 1], 10), Err(Refused::Overflow));
        // Once the big one is sent, room returns.
        let Next::Send(b) = o.next() else { panic!() };
        assert_eq!(b.len(), 50);
        o.advance(50);
        o.flush();
        o.write(&[4; 1], 10).unwrap();
    }

    #[test]
    fn close_keeps_the_frame_in_progress_and_drops_the_rest() {
        let mut o = Out::default();
        o.write(b"first", 100).unwrap();
        o.flush();
        o.write(b"second", 100).unwrap();
        o.flush();
        o.write(b"thi", 100).unwrap();
        let Next::Send(b) = o.next() else { panic!() };
        o.advance(2);
        assert_eq!(&b[..2], b"fi");
        assert!(o.close(CLOSE_POLICY, "too slow").is_none());
        assert_eq!(o.write(b"more", 100), Err(Refused::Closed));
        let rest = sent(&mut o);
        assert_eq!(&rest[..3], b"rst");
        assert_eq!(&rest[3..], &close_frame(CLOSE_POLICY, "too slow")[..]);
        assert_eq!(o.next(), Next::Done);
        assert_eq!(o.queued, 0);
    }

    #[test]
    fn close_keeps_a_frame_the_writer_has_taken_before_any_byte_went_out() {
        let mut o = Out::default();
        o.write(b"first", 100).unwrap();
        o.flush();
        o.write(b"second", 100).unwrap();
        o.flush();
        let Next::Send(_) = o.next() else { panic!() };
        o.close(CLOSE_NORMAL, "idle");
        o.advance(5);
        assert_eq!(sent(&mut o), &close_frame(CLOSE_NORMAL, "idle")[..]);
    }

    #[test]
    fn finishing_sends_what_is_flushed_then_ends() {
        let mut o = Out::default();
        o.write(b"whole", 100).unwrap();
        o.flush();
        o.write(b"hal", 100).unwrap();
        o.finish();
        assert_eq!(o.queued, 5);
        assert_eq!(sent(&mut o), b"whole");
        assert_eq!(o.next(), Next::Done);
    }

    #[test]
    fn close_frames_follow_rfc_6455() {
        let f = close_frame(1008, "slow");
        assert_eq!(&f[..], &[0x88, 6, 0x03, 0xf0, b's', b'l', b'o', b'w']);
        // Control frame payloads are at most 125 bytes; a long reason is cut at a char boundary.
        let long = "é".repeat(100);
        let f = close_frame(1000, &long);
        assert!(f.len() <= 2 + 125);
        assert!(std::str::from_utf8(&f[4..]).is_ok());
    }
}
