//! Building the application: open storage, assemble the routers and layers, bind the port. Tests
//! build it on port 0 and read back the port; `main` builds it from the command line.

use crate::middleware;
use crate::routes::ops;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use qianbao_store::Location;
use qianbao_wallet::{LedgerStore, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

/// What the server is started with.
#[derive(Clone, Debug)]
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
}

impl Settings {
    /// Defaults for `location`: 127.0.0.1:8080, sandbox off, 30 s requests, 1 MiB bodies.
    pub fn new(location: Location) -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            location,
            sandbox: false,
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage refused to open (foreign file, newer schema, unreachable database).
    #[error(transparent)]
    Storage(#[from] StoreError),
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
        let store = qianbao_store::open(&settings.location).await?;
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
            metrics: metrics_handle(),
            sandbox: settings.sandbox,
        };
        Ok(Application {
            listener,
            router: router(state, &settings),
            port,
            store,
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
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
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
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
        ]))
}
