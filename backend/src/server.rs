//! Putting the relay together ([`app`]) and running it ([`serve`], [`serve_on`]) with
//! graceful shutdown on Ctrl-C or SIGTERM.
//!
//! [`app`] is separate from the listener so tests can drive the router in-process as
//! well as over real HTTP. [`serve_on`] is our own accept loop over hyper's HTTP/1
//! connection (not `axum::serve`) because that is where a slow client is cut off: the
//! whole header must arrive within `header_timeout`, and header size and count are
//! capped, before any handler or extractor runs. It also caps open connections at
//! [`MAX_CONNECTIONS`]: past that, new ones wait in the kernel's accept queue until one
//! closes, so slow clients cannot pile up tasks and sockets without end. Each
//! connection is read through [`crate::head_guard`], so a request head hyper would
//! refuse with a bare status is answered with the relay's JSON error instead.

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::middleware;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::config::Config;
use crate::state::AppState;
use crate::{access_log, cors, demo, head_guard, headers, limits, routes, web};

/// Most connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;

/// How long shutdown waits for requests in flight before it closes the store anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The relay's router: API, app files (with `--app-origin`, none: a note at `/`, and
/// CORS for that origin, [`cors`]), limits, security headers (with `--secure-cookies`,
/// HSTS too), request log.
pub fn app(state: AppState) -> Router {
    let dist = state.config().dist_dir.clone();
    let body_timeout = state.config().body_timeout;
    let secure = state.config().secure_cookies;
    let app_origin = state.config().app_origin.clone();
    let pages = match &app_origin {
        // The app lives elsewhere: the relay serves none of it, and `/` says where.
        Some(origin) => web::elsewhere_routes(origin),
        None => web::app_routes(dist),
    };
    let router = routes::api()
        .merge(pages)
        .layer(middleware::from_fn_with_state(state.clone(), limits::guard))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(middleware::from_fn(head_guard::answer_refusal));
    let router = match app_origin {
        Some(origin) => router.layer(middleware::from_fn_with_state(cors::AppOrigin::new(origin), cors::cross_origin)),
        None => router,
    };
    let router = router
        .layer(middleware::from_fn(access_log::log_request))
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(state);
    if secure {
        router.layer(middleware::from_fn(headers::strict_transport_security))
    } else {
        router
    }
}

/// The HTTP/1 connection settings: header timeout, size and count from the config.
fn http1(config: &Config) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .max_headers(config.max_headers)
        .max_header_size(config.max_header_bytes);
    http
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes the
/// requests in flight (up to 30 s) and closes the store (once the writes of requests
/// dropped meanwhile have ended, see `Store::close`).
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store().clone();
    let http = http1(state.config());
    let (head_bytes, head_fields) = (state.config().max_header_bytes, state.config().max_headers);
    let proxies = std::sync::Arc::new(state.config().trusted_proxies.clone());
    let router = app(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the connection semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let proxies = proxies.clone();
        let verdicts = std::sync::Arc::new(head_guard::Verdicts::default());
        let guarded = head_guard::Guarded::new(stream, head_bytes, head_fields, verdicts.clone());
        let service = router.clone().map_request(move |mut req: Request<Incoming>| {
            // The client's address, not the proxy's (crate::client_addr), for every limit.
            let client = proxies.resolve(peer, req.headers());
            req.extensions_mut().insert(ConnectInfo(client));
            // The stand-in for a head the guard refused: answered as its JSON error.
            if let Some(refusal) = verdicts.next_request() {
                req.extensions_mut().insert(refusal);
            }
            req
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(guarded), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = conn.await {
                // Timeouts, resets, oversized headers: the client's problem, logged quietly.
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after the shutdown grace period");
    }
    store.close().await;
    Ok(())
}

/// `amanat serve`: checks the data directory (without `--demo`: an installed keyring
/// and no organisation key, see [`check_production_data_dir`]), opens the store (with
/// `--demo`, making the demo organisation if the data directory is empty), binds,
/// prints where it listens, and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if !config.demo {
        check_production_data_dir(&config.data_dir)?;
    }
    let fresh = config.demo && demo::is_empty_data_dir(&config.data_dir);
    let state = AppState::open(config.clone()).await?;
    let blobs = state.store().blobs().clone();
    let idle = config.body_timeout * 2;
    let removed = tokio::task::spawn_blocking(move || crate::recovery::remove_stale_temp_files(&blobs, idle)).await??;
    if removed > 0 {
        tracing::info!(removed, "removed temporary files of interrupted uploads");
    }
    // The decoy-salt key is read (or made) now, so that no request for an unknown
    // name is ever the one that pays for the database write.
    let store = state.store();
    state
        .vault()
        .decoy_secret
        .get_or_try_init(|| store.relay_secret(crate::vault::auth::DECOY_SECRET, crate::vault::auth::new_secret))
        .await?;
    let listener = TcpListener::bind(config.listen).await?;
    let url = format!("http://{}", listener.local_addr()?);
    // With PostgreSQL the data directory may be empty while the database has accounts
    // (made by `amanat user add --database …`): that is not a fresh organisation.
    if fresh && state.store().users().await?.is_empty() {
        let files = demo::init(state.store()).await?;
        print!("{}", files.describe(Some(&url), true));
    } else {
        let files = demo::DemoFiles::in_data_dir(&config.data_dir);
        if files.caseworker_token.is_file() {
            print!("{}", files.describe(Some(&url), false));
        }
    }
    if config.demo && demo::DemoFiles::in_data_dir(&config.data_dir).org_key.exists() {
        println!("{DEMO_WARNING}");
    }
    warn_if_keyring_ends_soon(&config.data_dir);
    if let Some(addr) = config.metrics_listen {
        let metrics = TcpListener::bind(addr).await?;
        println!("Metrics at http://{}/metrics", metrics.local_addr()?);
        let router = crate::metrics::router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    println!("Amanat relay listening on {url} (data: {})", config.data_dir.display());
    match &config.app_origin {
        Some(origin) => println!("{}", cors::describe(origin)),
        None => {
            if let Some(note) = web::startup_note(&config.dist_dir) {
                println!("{note}");
            }
        }
    }
    serve_on(listener, state, shutdown_signal()).await?;
    println!("Amanat relay stopped.");
    Ok(())
}

const DEMO_WARNING: &str = "WARNING: --demo: this relay keeps the demo organisation's signing key in its data directory, so whoever controls the relay can sign keyrings. Try Amanat with it; never keep real records in it. In production run `amanat org init` offline and `amanat keyring install` here.";

/// Why `amanat serve` (without `--demo`) will not start on a data directory.
#[derive(Debug, thiserror::Error)]
pub enum StartRefused {
    #[error("{0} holds an organisation signing key: the relay must never hold it. Move it to the offline computer (and out of any backup of this data directory), then start again. Nothing was changed.")]
    OrgKeyOnRelay(std::path::PathBuf),
    #[error("{0} has no installed keyring. On the offline computer run `amanat org init --out DIR --organisation NAME` (and `amanat keyring add`), copy DIR/keyring.json here and run `amanat --data {0} keyring install keyring.json`; or, to try Amanat out, `amanat serve --demo`. Nothing was changed.")]
    NoKeyring(std::path::PathBuf),
}

/// What `serve` checks before it opens anything: no organisation key in the data
/// directory (or its `demo/` folder), and an installed keyring.
pub fn check_production_data_dir(data_dir: &std::path::Path) -> Result<(), StartRefused> {
    if let Some(path) = crate::org_key::find_in_data_dir(data_dir) {
        return Err(StartRefused::OrgKeyOnRelay(path));
    }
    if !crate::keyring_file::path(data_dir).is_file() {
        return Err(StartRefused::NoKeyring(data_dir.to_owned()));
    }
    Ok(())
}

/// Logs a warning when the installed keyring is expired or expires within
/// [`shared::keyring::WARN_DAYS`]: the relay keeps serving (uploads keep working), but
/// the app refuses to seal to an expired keyring, so the administrator must renew it.
fn warn_if_keyring_ends_soon(data_dir: &std::path::Path) {
    use shared::keyring::Freshness;
    let Ok(Some(kr)) = crate::keyring_file::load(data_dir) else { return };
    let checked = kr.signed_by.parse().map_err(|_| shared::ErrorCode::KeyringMalformed).and_then(|k| kr.verify(&k));
    match checked.and_then(|v| v.usable(crate::keyring_file::now(), 0)) {
        Ok(Freshness::Fresh) => {}
        Ok(Freshness::ExpiresSoon { days_left }) => tracing::warn!(
            days_left,
            "the installed keyring expires soon: renew it offline (`amanat keyring renew`) and `amanat keyring install` it here"
        ),
        Err(code) => tracing::warn!(
            code = code.code(),
            "the installed keyring cannot be sealed to ({}): the app refuses it until a renewed keyring is installed (`amanat keyring renew` offline, then `amanat keyring install`)",
            code.message()
        ),
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
