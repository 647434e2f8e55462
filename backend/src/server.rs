//! Putting the relay together ([`app`]) and running it ([`serve`], [`serve_on`]) with
//! graceful shutdown on Ctrl-C or SIGTERM.
//!
//! [`app`] is separate from the listener so tests can drive the router in-process as
//! well as over real HTTP.

use std::future::Future;
use std::net::SocketAddr;

use axum::middleware;
use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::state::AppState;
use crate::{access_log, demo, headers, routes, web};

/// The relay's router: API, app files, security headers, request log.
pub fn app(state: AppState) -> Router {
    let dist = state.config().dist_dir.clone();
    routes::api()
        .merge(web::app_routes(dist))
        .layer(middleware::from_fn(access_log::log_request))
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes the
/// requests in flight and closes the store.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store().clone();
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await?;
    store.close().await;
    Ok(())
}

/// `amanat serve`: opens the store (making the demo organisation if the data
/// directory is empty), binds, prints where it listens, and serves until Ctrl-C or
/// SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let fresh = demo::is_empty_data_dir(&config.data_dir);
    let state = AppState::open(config.clone()).await?;
    let listener = TcpListener::bind(config.listen).await?;
    let url = format!("http://{}", listener.local_addr()?);
    if fresh {
        let files = demo::init(state.store()).await?;
        print!("{}", files.describe(Some(&url), true));
    } else {
        let files = demo::DemoFiles::in_data_dir(&config.data_dir);
        if files.caseworker_token.is_file() {
            print!("{}", files.describe(Some(&url), false));
        }
    }
    println!("Amanat relay listening on {url} (data: {})", config.data_dir.display());
    if !config.dist_dir.join("index.html").is_file() {
        println!("The app is not built in {}; run `cargo xtask build`.", config.dist_dir.display());
    }
    serve_on(listener, state, shutdown_signal()).await?;
    println!("Amanat relay stopped.");
    Ok(())
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
