//! Serving the built app from the dist directory: files as they are (`.wasm` as
//! `application/wasm`), the translation catalogs (`/locales/*.ftl`) as UTF-8 text,
//! `index.html` for the app's own pages (`/`, `/adviser`), and a short note instead of
//! the app when it has not been built yet.

use std::path::PathBuf;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Amanat</title>\
<p>The Amanat app has not been built yet. Run <code>cargo xtask build</code> (or <code>cargo xtask run</code>) \
and reload this page. The relay's API is running.</p></html>";

/// The content type of a translation catalog.
pub const CATALOG_TYPE: &str = "text/plain; charset=utf-8";

/// Routes for the app's pages and files.
pub fn app_routes(dist: PathBuf) -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/adviser", get(index))
        .route("/adviser/", get(index))
        .route("/privacy", get(index))
        .route("/privacy/", get(index))
        // Fluent files are not in the MIME table: without this they go out as
        // `application/octet-stream`, which a browser may offer to download and which
        // says nothing of the encoding the Cyrillic and Uzbek texts need.
        .nest_service(
            "/locales",
            Router::new().fallback_service(ServeDir::new(dist.join("locales"))).layer(
                SetResponseHeaderLayer::overriding(header::CONTENT_TYPE, HeaderValue::from_static(CATALOG_TYPE)),
            ),
        )
        .fallback_service(ServeDir::new(dist))
}

async fn index(State(state): State<AppState>) -> Response {
    let path = state.config().dist_dir.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::OK, Html(NOT_BUILT)).into_response(),
    }
}
