//! Serving the built app from the dist directory: `index.html` for the app's own pages
//! (`/`, `/adviser`, `/privacy`), the build's files as they are (`.wasm` as
//! `application/wasm`), the translation catalogs (`/locales/*.ftl`) as UTF-8 text, and
//! a short note instead of the app when it has not been built yet.
//!
//! Which files may be served is [`app_files`]'s rule (the build's list, no dotfile, no
//! symlink); everything else is the JSON 404 every other route answers, decided before
//! the file system is asked.

mod app_files;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shared::ErrorCode;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::AppError;
use crate::state::AppState;
use app_files::AppPath;

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Amanat</title>\
<p>The Amanat app has not been built yet. Run <code>cargo xtask build</code> (or <code>cargo xtask run</code>) \
and reload this page. The relay's API is running.</p></html>";

/// The content type of a translation catalog.
pub const CATALOG_TYPE: &str = "text/plain; charset=utf-8";

/// Routes for the app's pages and files.
pub fn app_routes(dist: PathBuf) -> Router<AppState> {
    let dist: Arc<Path> = dist.into();
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/adviser", get(index))
        .route("/adviser/", get(index))
        .route("/privacy", get(index))
        .route("/privacy/", get(index))
        .fallback(move |req: Request| app_file(dist.clone(), req))
}

/// What `amanat serve` says at start about the app in `dist`, if anything.
pub fn startup_note(dist: &Path) -> Option<String> {
    if !dist.join("index.html").is_file() {
        Some(format!("The app is not built in {}; run `cargo xtask build`.", dist.display()))
    } else if app_files::is_dev_build(dist) {
        Some(format!(
            "{} has no {} (not a release build): serving its regular files, no dotfiles, no symlinks.",
            dist.display(),
            app_files::LIST
        ))
    } else {
        None
    }
}

async fn index(State(state): State<AppState>) -> Response {
    let path = state.config().dist_dir.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::OK, Html(NOT_BUILT)).into_response(),
    }
}

/// One of the build's files, or the JSON 404.
async fn app_file(dist: Arc<Path>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        // As `ServeDir` answered before.
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET,HEAD")]).into_response();
    }
    let Some(path) = AppPath::parse(req.uri().path()) else {
        return not_found();
    };
    let located = tokio::task::spawn_blocking(move || app_files::locate(&dist, &path)).await;
    let Ok(Some(file)) = located else {
        return not_found();
    };
    let catalog = file.extension().is_some_and(|e| e == "ftl");
    let mut res = match ServeFile::new(&file).oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status() == StatusCode::NOT_FOUND {
        // Removed between the check and the read.
        return not_found();
    }
    if catalog {
        // Fluent files are not in the MIME table: without this they go out as
        // `application/octet-stream`, which a browser may offer to download and which
        // says nothing of the encoding the Cyrillic and Uzbek texts need.
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CATALOG_TYPE));
    }
    res
}

fn not_found() -> Response {
    AppError(ErrorCode::NotFound).into_response()
}
