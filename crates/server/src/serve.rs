//! Serving HTTP/1.1 connections: the accept loop and each connection's task, with the timeouts
//! hyper does not give. hyper's `header_read_timeout` also restarts when a keep-alive connection
//! goes idle, so a separate, longer idle timeout cannot be had from it; both are kept here instead.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tower::ServiceExt;

/// How long a connection may go without a request in progress: the settings' header-read and
/// idle timeouts, as the connection loop takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// For a request's headers, from their first byte, or from the connection on a new one.
    pub header_read: Duration,
    /// Between the end of a response and the first byte of the next request.
    pub idle: Duration,
}

/// Serves HTTP/1.1 on `listener` until `shutdown` completes, then stops taking connections, lets
/// the requests in flight finish and closes idle connections, like `axum::serve` with graceful
/// shutdown; handlers see the peer's address as `ConnectInfo<SocketAddr>`. Unlike
/// `axum::serve`, a connection that goes `timeouts` without a request in progress is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: ConnectionTimeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Dropping the receiver is the signal: every connection task watches `stop.closed()`.
    let (stop, stop_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(stop_rx);
    });
    // Each task holds a receiver; the loop waits for the last one to go.
    let (done, done_rx) = watch::channel(());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = stop.closed() => break,
        };
        tokio::spawn(connection(
            stream,
            peer,
            router.clone(),
            timeouts,
            stop.clone(),
            done_rx.clone(),
        ));
    }
    drop(done_rx);
    drop(listener);
    done.closed().await;
    Ok(())
}

/// A refused connection is the client's business; anything else (out of file descriptors)
/// would fail again at once, so the loop pauses, as hyper 0.14 and `axum::serve` do.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// One connection's task: hyper serves its requests while the task watches the connection's
/// [`Clock`], and drops the socket once the clock runs out; on shutdown it asks hyper to finish
/// the request in flight and close.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    timeouts: ConnectionTimeouts,
    stop: watch::Sender<()>,
    _done: watch::Receiver<()>,
) {
    let clock = Arc::new(Clock::new(timeouts));
    let io = hyper_util::rt::TokioIo::new(Watched {
        stream,
        clock: clock.clone(),
    });
    let service_clock = clock.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let busy = Busy::start(service_clock.clone());
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        async move {
            let Ok(response) = router.oneshot(request.map(Body::new)).await;
            Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Ours instead (see the module doc); without a timer hyper would not run its own anyway.
    builder.header_read_timeout(None);
    let mut conn = pin!(builder.serve_connection(io, service).with_upgrades());
    let mut stopping = pin!(stop.closed());
    let mut stop_sent = false;
    loop {
        let deadline = clock.deadline();
        let expiry = async move {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::trace!(error = %e, "connection ended with an error");
                }
                break;
            }
            () = &mut stopping, if !stop_sent => {
                stop_sent = true;
                conn.as_mut().graceful_shutdown();
            }
            () = clock.changed.notified() => {}
            () = expiry => {
                if clock.expired() {
                    // Dropping the connection closes the socket.
                    tracing::debug!("closing a connection that sent no request in time");
                    break;
                }
            }
        }
    }
}

/// Where a connection stands between requests, and when it must be closed.
struct Clock {
    timeouts: ConnectionTimeouts,
    state: Mutex<State>,
    /// Woken when the deadline may have moved, so the task does not sleep past it.
    changed: Notify,
}

struct State {
    /// Requests begun and not yet answered in full.
    busy: usize,
    /// When the connection was accepted or last finished a response.
    since: Instant,
    /// When the next request's first byte came, if it has.
    first_byte: Option<Instant>,
    /// Whether a response was finished, which makes the wait for the next an idle one.
    served: bool,
}

impl Clock {
    fn new(timeouts: ConnectionTimeouts) -> Clock {
        Clock {
            timeouts,
            state: Mutex::new(State {
                busy: 0,
                since: Instant::now(),
                first_byte: None,
                served: false,
            }),
            changed: Notify::new(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut State) -> bool) {
        let moved = change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        if moved {
            self.changed.notify_one();
        }
    }

    /// `None` while a request is in progress: its time is the request timeout's business.
    fn deadline(&self) -> Option<Instant> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.busy > 0 {
            None
        } else if let Some(first_byte) = state.first_byte {
            Some(first_byte + self.timeouts.header_read)
        } else if state.served {
            Some(state.since + self.timeouts.idle)
        } else {
            Some(state.since + self.timeouts.header_read)
        }
    }

    fn expired(&self) -> bool {
        self.deadline().is_some_and(|at| at <= Instant::now())
    }

    fn bytes_arrived(&self) {
        self.update(|state| {
            let first = state.busy == 0 && state.first_byte.is_none();
            if first {
                state.first_byte = Some(Instant::now());
            }
            first
        });
    }
}

/// A request in progress, from its headers until its response is written or dropped.
struct Busy(Arc<Clock>);

impl Busy {
    fn start(clock: Arc<Clock>) -> Busy {
        clock.update(|state| {
            state.busy += 1;
            true
        });
        Busy(clock)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.update(|state| {
            state.busy = state.busy.saturating_sub(1);
            if state.busy == 0 {
                state.since = Instant::now();
                state.first_byte = None;
                state.served = true;
            }
            true
        });
    }
}

/// A response body that keeps its request counted as in progress until hyper drops it, which
/// it does once the body is written out.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, telling the clock when bytes arrive.
struct Watched {
    stream: TcpStream,
    clock: Arc<Clock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.clock.bytes_arrived();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
