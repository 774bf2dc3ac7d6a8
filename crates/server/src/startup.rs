//! Building the application: open storage, assemble the routers and layers, bind the port. Tests
//! build it on port 0 and read back the port; `main` builds it from the command line.

use crate::middleware;
use crate::routes::{kyc, merchant, money, opening, ops, quote, security};
use crate::web;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use qianbao_secrets::KeyRing;
use qianbao_store::{Location, Storage};
use qianbao_wallet::kyc::Kyc;
use qianbao_wallet::levels::LevelTable;
use qianbao_wallet::money::Money;
use qianbao_wallet::opening::Opening;
use qianbao_wallet::{Clock, LedgerStore, SmsGateway, StoreError, SystemClock};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

/// What the server is started with.
#[derive(Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the data lives.
    pub location: Location,
    /// Whether the sandbox connectors and `/v1/sandbox/*` are on.
    pub sandbox: bool,
    /// The longest a request may take before it is answered 503 `timeout`.
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// The longest a client may take over a request's headers, counted from their first byte (on
    /// a new connection, from the connection itself); then the connection is closed. A socket
    /// that sends nothing, or headers a byte at a time, must not hold a connection for ever.
    pub header_read_timeout: Duration,
    /// The longest a keep-alive connection may wait for its next request; then it is closed.
    pub idle_timeout: Duration,
    /// The master key as 64 hex digits (`QIANBAO_MASTER_KEY`); when absent, a 0600 key file
    /// `master.key` in `key_dir` is read, or made on first start.
    pub master_key: Option<String>,
    /// Where the key file lives.
    pub key_dir: PathBuf,
    /// The operator's numbers; `None` takes the defaults for the mode (sandbox: no per-address
    /// code limit, and codes kept for the sandbox's SMS view).
    pub policy: Option<crate::policy::Policy>,
    /// The time, a port so tests can move it.
    pub clock: Arc<dyn Clock>,
    /// The production connectors the operator configured (ignored under the sandbox).
    pub connectors: Connectors,
}

/// The production connectors, each present when configured.
#[derive(Clone, Default)]
pub struct Connectors {
    /// The SMS provider.
    pub sms: Option<qianbao_connectors::HttpSmsConfig>,
    /// The identity verifier.
    pub identity: Option<qianbao_connectors::HttpIdentityConfig>,
    /// The bank.
    pub bank: Option<qianbao_connectors::HttpBankConfig>,
}

impl Settings {
    /// Defaults for `location`: 127.0.0.1:8080, sandbox off, 30 s requests, 1 MiB bodies, 10 s
    /// for a request's headers, 60 s idle between requests.
    pub fn new(location: Location) -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            location,
            sandbox: false,
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            master_key: None,
            key_dir: PathBuf::from("./qianbao-data"),
            policy: None,
            clock: Arc::new(SystemClock),
            connectors: Connectors::default(),
        }
    }

    /// The two connection timeouts, as the connection loop takes them.
    pub fn connection_timeouts(&self) -> ConnectionTimeouts {
        ConnectionTimeouts {
            header_read: self.header_read_timeout,
            idle: self.idle_timeout,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> crate::policy::Policy {
        self.policy
            .clone()
            .unwrap_or_else(|| crate::policy::Policy::defaults(self.sandbox))
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage refused to open (foreign file, newer schema, unreachable database).
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// A connector's configuration is unusable (a bad URL, say).
    #[error("connector: {0}")]
    Connector(#[from] qianbao_connectors::ConfigError),
    /// The master key could not be read or made.
    #[error("master key: {0}")]
    Keys(#[from] qianbao_secrets::SecretError),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The ledger's storage.
    pub store: Arc<dyn LedgerStore>,
    /// The same storage, for the wallet's records.
    pub storage: Storage,
    /// Sign-up, login and sessions.
    pub opening: Opening,
    /// Real-name verification, cards and the payment password.
    pub kyc: Kyc,
    /// The limits of each real-name level.
    pub levels: Arc<LevelTable>,
    /// Top-ups, withdrawals, transfers, merchants and records.
    pub money: Money,
    /// The Prometheus exporter's handle.
    pub metrics: PrometheusHandle,
    /// Whether sandbox mode is on.
    pub sandbox: bool,
}

/// A built server, bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    store: Arc<dyn LedgerStore>,
    timeouts: ConnectionTimeouts,
}

/// The process-wide metrics recorder: the `metrics` facade takes one global recorder, and tests
/// build many applications in one process.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed by an embedding program; then ours just stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl Application {
    /// Opens storage and binds the listener.
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let storage = Storage::open(&settings.location).await?;
        let store = storage.ledger();
        let keys = load_keys(settings.master_key.as_deref(), &settings.key_dir)?;
        let policy = settings.policy();
        let opening = Opening {
            keys: Arc::new(keys),
            policy: policy.opening.clone(),
            clock: settings.clock.clone(),
        };
        let (gateway, verifier, bank) = connectors(&opening.keys, &settings)?;
        let kyc = Kyc {
            opening: opening.clone(),
            verifier,
            bank,
            pin_tries_max: policy.pin_tries_max,
            pin_lock_ms: policy.pin_lock_ms,
        };
        let money = Money {
            kyc: kyc.clone(),
            levels: Arc::new(policy.levels.clone()),
            fees: policy.fees,
            policy: policy.money.clone(),
        };
        // Merchants' own URLs, in sandbox mode too: there is nothing to stand in for. The policy
        // that lets a merchant set a private URL also lets delivery reach it; without it, the
        // connector refuses internal addresses on every connection, whatever a name resolves to.
        let webhooks: Arc<dyn qianbao_wallet::WebhookSender> = Arc::new(
            qianbao_connectors::HttpWebhooks::new(qianbao_connectors::WEBHOOK_TIMEOUT)?
                .allow_private_networks(policy.money.webhook_private_hosts)?,
        );
        tokio::spawn(run_timers(storage.clone(), money.clone()));
        tokio::spawn(crate::webhooks::deliver_webhooks(
            storage.clone(),
            money.clone(),
            webhooks,
        ));
        tokio::spawn(deliver_sms(
            storage.clone(),
            gateway,
            settings.clock.clone(),
            !settings.sandbox,
        ));
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| StartError::Listen {
                    address: settings.listen,
                    source,
                })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let state = AppState {
            store: store.clone(),
            storage,
            opening,
            kyc,
            levels: Arc::new(policy.levels.clone()),
            money,
            metrics: metrics_handle(),
            sandbox: settings.sandbox,
        };
        Ok(Application {
            listener,
            router: router(state, &settings),
            port,
            store,
            timeouts: settings.connection_timeouts(),
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The storage the application runs on.
    pub fn store(&self) -> Arc<dyn LedgerStore> {
        self.store.clone()
    }

    /// Serves until `shutdown` completes, then stops taking connections and lets the requests in
    /// flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve(self.listener, self.router, self.timeouts, shutdown).await
    }
}

/// How long a connection may go without a request in progress (see [`Settings`]).
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
    connection::serve(listener, router, timeouts, shutdown).await;
    Ok(())
}

/// The accept loop and each connection's task, with the timeouts hyper does not give: hyper's
/// `header_read_timeout` also restarts when a keep-alive connection goes idle, so a separate,
/// longer idle timeout cannot be had from it; both are kept here instead.
mod connection {
    use super::ConnectionTimeouts;
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

    pub(super) async fn serve(
        listener: TcpListener,
        router: Router,
        timeouts: ConnectionTimeouts,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) {
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
    }

    /// A refused connection is the client's business; anything else (out of file descriptors)
    /// would fail again at once, so the loop pauses, as hyper 0.14 and `axum::serve` do.
    async fn accept_failed(e: std::io::Error) {
        use std::io::ErrorKind;
        if matches!(
            e.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::ConnectionAborted
                | ErrorKind::ConnectionReset
        ) {
            return;
        }
        tracing::error!(error = %e, "cannot accept a connection");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

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
}

/// The master key: from `master_key` (64 hex digits) if given, else the 0600 key file in
/// `key_dir`, made on first use.
pub fn load_keys(
    master_key: Option<&str>,
    key_dir: &std::path::Path,
) -> Result<KeyRing, StartError> {
    match master_key {
        Some(hex) => Ok(KeyRing::from_hex(hex)?),
        None => {
            std::fs::create_dir_all(key_dir).map_err(|e| {
                StartError::Storage(StoreError::Unavailable(format!(
                    "cannot make {}: {e}",
                    key_dir.display()
                )))
            })?;
            Ok(KeyRing::load_or_create(
                &key_dir.join(qianbao_secrets::KEY_FILE_NAME),
            )?)
        }
    }
}

/// All routes and layers.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let routes = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi_json))
        .route("/docs", get(ops::docs))
        .route("/docs/docs.js", get(ops::docs_script))
        .route("/v1/otp", post(opening::request_otp))
        .route("/v1/signup", post(opening::sign_up))
        .route("/v1/sessions", post(opening::log_in))
        .route("/v1/sessions/current", delete(opening::log_out))
        .route("/v1/me", get(opening::me))
        .route("/v1/me/sessions", get(opening::sessions))
        .route("/v1/me/sessions/{id}", delete(opening::end_session))
        .route("/v1/sandbox/sms", get(opening::sandbox_sms))
        .route("/v1/me/identity", post(kyc::verify_identity))
        .route(
            "/v1/me/identity/photo",
            axum::routing::put(kyc::upload_id_photo).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route(
            "/v1/me/identity/face",
            axum::routing::put(kyc::face_check).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route("/v1/me/cards", post(kyc::bind_card).get(kyc::cards))
        .route("/v1/me/cards/{card_id}/confirm", post(kyc::confirm_card))
        .route("/v1/me/cards/{card_id}/default", post(kyc::default_card))
        .route("/v1/me/cards/{card_id}/unbind", post(kyc::unbind_card))
        .route("/v1/me/pin", axum::routing::put(kyc::set_pin))
        .route("/v1/me/pin/reset", post(kyc::reset_pin))
        .route("/v1/me/freeze", post(security::freeze))
        .route("/v1/freeze", post(security::freeze_by_phone))
        .route("/v1/me/unfreeze", post(security::unfreeze))
        .route("/v1/password/reset", post(security::reset_password))
        .route("/v1/me/balance", get(money::balance))
        .route("/v1/me/topups", post(money::top_up))
        .route("/v1/me/topups/quote", get(quote::top_up))
        .route("/v1/me/withdrawals/quote", get(quote::withdrawal))
        .route("/v1/me/withdrawals", post(money::withdraw))
        .route("/v1/payees", get(money::payee))
        .route("/v1/transfers", post(money::transfer))
        .route("/v1/transfers/{id}/cancel", post(money::cancel_transfer))
        .route("/v1/pay", post(money::pay))
        .route("/v1/pay/preview", get(money::pay_preview))
        .route("/v1/me/receive-code", get(money::receive_code))
        .route("/v1/me/payment-code", get(money::payment_code))
        .route("/v1/me/transactions", get(money::transactions))
        .route("/v1/me/transactions.csv", get(money::transactions_csv))
        .route("/v1/me/transactions/{id}", get(money::transaction_one))
        .route("/v1/me/summary", get(money::summary))
        .route("/v1/me/notifications", get(money::notifications))
        .route(
            "/v1/me/notifications/stream",
            get(money::notification_stream),
        )
        .route("/v1/merchants", post(merchant::open_merchant))
        .route(
            "/v1/merchants/{merchant_id}/api-keys",
            post(merchant::rotate_key),
        )
        .route("/v1/merchant/orders", post(merchant::create_order))
        .route("/v1/merchant/orders/{id}", get(merchant::order))
        .route("/v1/merchant/charges", post(merchant::charge))
        .route("/v1/merchant/refunds", post(merchant::refund))
        .route("/v1/merchant/payments", get(merchant::payments))
        .route(
            "/v1/merchant/webhook",
            axum::routing::put(merchant::set_webhook),
        )
        .route("/v1/merchant/balance", get(merchant::balance))
        .route("/v1/merchant/settlements", post(merchant::settle))
        .route(
            "/v1/qr/decode",
            post(crate::routes::qr::decode).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route("/", get(web::holder_app))
        .route("/merchant", get(web::till))
        .route("/assets/{name}", get(web::asset))
        .route("/web/config", get(web::config))
        .route("/web/signup", post(web::sign_up))
        .route("/web/session", post(web::log_in).delete(web::log_out))
        .route(
            "/web/merchant/session",
            post(web::merchant_sign_in)
                .get(web::merchant_now)
                .delete(web::merchant_sign_out),
        )
        .with_state(state);
    with_layers(routes, settings)
}

/// Wraps routes in the layers every request passes, in order from the outside in: sensitive
/// headers marked, request id and access log, plain 413s made problems, panics caught, the time
/// limit, the body limit; and answers unknown paths and wrong methods with problems.
pub fn with_layers(routes: Router, settings: &Settings) -> Router {
    let timeout = settings.request_timeout;
    routes
        .route_layer(axum::middleware::from_fn(middleware::remember_route))
        .fallback(middleware::unknown_path)
        .method_not_allowed_fallback(middleware::wrong_method)
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(axum::middleware::from_fn(move |req, next| {
            middleware::time_limit(timeout, req, next)
        }))
        .layer(CatchPanicLayer::custom(middleware::panicked))
        .layer(axum::middleware::from_fn(
            middleware::problem_for_plain_errors,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id_and_log))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
        ]))
}

/// How often due timers (payouts, reconciliations, delayed transfers) are looked for.
const TIMER_POLL: Duration = Duration::from_millis(500);

/// Runs due timers for as long as the process runs. Every node runs them; each step is
/// idempotent (the movement's status is checked in its transaction, the bank dedupes).
async fn run_timers(storage: Storage, money: Money) {
    loop {
        tokio::time::sleep(TIMER_POLL).await;
        match money.run_due_timers(&storage).await {
            Ok((_, failed)) => {
                for (timer, error) in failed {
                    tracing::warn!(timer = %timer.id, kind = %timer.kind, error = %error, "timer failed; will retry");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the timers; will retry"),
        }
    }
}

/// How often the outbox is checked for SMS to send.
const SMS_POLL: Duration = Duration::from_millis(200);

/// Sends what the SMS outbox holds, oldest first, for as long as the process runs. Rows are only
/// marked sent after the gateway took them, so a crash re-sends rather than loses; in production
/// (`redact`) the text, which carries a code, is dropped once sent.
async fn deliver_sms(
    storage: Storage,
    gateway: Arc<dyn SmsGateway>,
    clock: Arc<dyn Clock>,
    redact: bool,
) {
    loop {
        tokio::time::sleep(SMS_POLL).await;
        let pending = match storage.pending_sms(100, clock.now_ms()).await {
            Ok(pending) => pending,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the SMS outbox; will retry");
                continue;
            }
        };
        for sms in pending {
            let result = match gateway.send(&sms.phone, &sms.text).await {
                Ok(()) => storage.sms_sent(sms.id, clock.now_ms(), redact).await,
                Err(e) => {
                    tracing::warn!(sms = sms.id, error = %e, "SMS not delivered");
                    let permanently = matches!(e, qianbao_wallet::SmsError::Refused(_));
                    storage
                        .sms_failed(sms.id, permanently, clock.now_ms())
                        .await
                }
            };
            if let Err(e) = result {
                tracing::warn!(sms = sms.id, error = %e, "cannot record SMS delivery");
            }
        }
    }
}

/// The SMS gateway, identity verifier and bank: the sandbox ones under `--sandbox`; otherwise the
/// configured production ones, and for any not configured one that answers "unavailable", so that
/// nothing pretends (an SMS then waits in the outbox until a gateway is configured).
#[allow(clippy::type_complexity)]
fn connectors(
    keys: &KeyRing,
    settings: &Settings,
) -> Result<
    (
        Arc<dyn SmsGateway>,
        Arc<dyn qianbao_wallet::IdentityVerifier>,
        Arc<dyn qianbao_wallet::Bank>,
    ),
    StartError,
> {
    if settings.sandbox {
        // The sandbox bank's secret is derived from the master key, so binding codes it issued
        // still check after a restart.
        let digest = qianbao_secrets::field::blind_index(keys, "sandbox-bank", "secret");
        let mut secret = [0u8; 32];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte =
                u8::from_str_radix(digest.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
        }
        return Ok((
            Arc::new(qianbao_connectors::SandboxSms),
            Arc::new(qianbao_connectors::SandboxIdentity::new()),
            Arc::new(qianbao_connectors::SandboxBank::new(secret)),
        ));
    }
    let c = &settings.connectors;
    let sms: Arc<dyn SmsGateway> = match &c.sms {
        Some(config) => Arc::new(qianbao_connectors::HttpSms::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    let identity: Arc<dyn qianbao_wallet::IdentityVerifier> = match &c.identity {
        Some(config) => Arc::new(qianbao_connectors::HttpIdentity::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    let bank: Arc<dyn qianbao_wallet::Bank> = match &c.bank {
        Some(config) => Arc::new(qianbao_connectors::HttpBank::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    Ok((sms, identity, bank))
}

/// A connector the operator has not configured: every call is "unavailable", with the reason.
struct NotConfigured;

const NOT_CONFIGURED: &str =
    "this connector is not configured (see `qianbao serve --help`), or run with --sandbox";

#[async_trait::async_trait]
impl SmsGateway for NotConfigured {
    async fn send(&self, _: &str, _: &str) -> Result<(), qianbao_wallet::SmsError> {
        Err(qianbao_wallet::SmsError::Unavailable(NOT_CONFIGURED.into()))
    }
}

#[async_trait::async_trait]
impl qianbao_wallet::IdentityVerifier for NotConfigured {
    async fn verify_name(
        &self,
        _: &str,
        _: &str,
    ) -> Result<qianbao_wallet::IdentityVerdict, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn verify_face(
        &self,
        _: &str,
        _: &[u8],
    ) -> Result<qianbao_wallet::FaceVerdict, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }
}

#[async_trait::async_trait]
impl qianbao_wallet::Bank for NotConfigured {
    async fn check_card(
        &self,
        _: &qianbao_wallet::CardCheck,
    ) -> Result<qianbao_wallet::CardCheckOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn confirm_card(
        &self,
        _: &str,
        _: &str,
    ) -> Result<qianbao_wallet::CardConfirmOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn debit(
        &self,
        _: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn credit(
        &self,
        _: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn movement_status(
        &self,
        _: &str,
    ) -> Result<Option<qianbao_wallet::BankOutcome>, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }
}
