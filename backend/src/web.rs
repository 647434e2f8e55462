//! Serving the built app from the dist directory: `index.html` for the app's own pages
//! (`/`, `/adviser`, `/privacy`), the build's files as they are (`.wasm` as
//! `application/wasm`), the translation catalogs (`/locales/*.ftl`) as UTF-8 text, and
//! a short note instead of the app when it has not been built yet.
//!
//! Which files may be served is [`app_files`]'s rule (the build's list, no dotfile, no
//! symlink); everything else is the JSON 404 every other route answers, decided before
//! the file system is asked.
//!
//! A tablet on a rural link pays for every byte, so a file the build wrote a Brotli or
//! gzip twin of (`amanat_bg.wasm.br`, by the same rule: listed, regular, no symlink) is
//! sent as that twin to a browser whose `Accept-Encoding` takes it, Brotli first, with
//! `Content-Encoding` and the file's own type; every such answer says `Vary:
//! Accept-Encoding` so a cache never hands a compressed body to a browser that did not
//! ask for one. A file whose name carries its content's tag
//! (`amanat_bg.0123456789abcdef.wasm`, [`shared::release::is_content_tagged`]: the
//! build renames a file whenever its bytes change) is `Cache-Control: public,
//! max-age=31536000, immutable`: a browser keeps it a year without asking. Every other
//! app file (`index.html`, `sw.js`, `hashes.txt`, `release.sig`, the manifest, the
//! catalogs) is `no-cache`: kept but asked for each time (a `304` when unchanged, by
//! `Last-Modified`), so a new release is picked up at once, and it names the new tagged
//! files; the service worker keeps the offline copy.

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
use shared::origin::WebOrigin;

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Amanat</title>\
<p>The Amanat app has not been built yet. Run <code>cargo xtask build</code> (or <code>cargo xtask run</code>) \
and reload this page. The relay's API is running.</p></html>";

/// `Cache-Control` of a content-tagged app file.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

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

/// With `--app-origin`: no app file at all (a copy served by the relay would be a copy
/// the relay operator controls); `/` and the app's page paths answer a short page that
/// links to the app's own origin (as a 404), everything else the JSON 404.
pub fn elsewhere_routes(app_origin: &WebOrigin) -> Router<AppState> {
    let page: Arc<str> = elsewhere_page(app_origin).into();
    let answer = move || {
        let page = page.clone();
        // 404, not 200: a service worker a browser kept from when this relay served the
        // app passes a failed answer through (`sw.js`), so the page is shown, not the
        // old copy.
        async move { (StatusCode::NOT_FOUND, Html(page.to_string())).into_response() }
    };
    Router::new()
        .route("/", get(answer.clone()))
        .route("/index.html", get(answer.clone()))
        .route("/adviser", get(answer.clone()))
        .route("/privacy", get(answer))
        .fallback(|| async { not_found() })
}

/// The page at `/` of a relay whose app is served elsewhere.
pub fn elsewhere_page(app_origin: &WebOrigin) -> String {
    // A checked origin has no character HTML would read as markup.
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Amanat relay</title>\
<p>This is an Amanat relay: it serves the API only. The app is at <a href=\"{app_origin}/\">{app_origin}</a>; \
use it there. Do not use any copy of the app served from this address.</p></html>"
    )
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
    let accepted = accepted_encodings(req.headers());
    let immutable = shared::release::is_content_tagged(path.as_str());
    let located = tokio::task::spawn_blocking(move || {
        let file = app_files::locate(&dist, &path)?;
        let twin = accepted.into_iter().find_map(|(suffix, encoding)| {
            let twin_path = AppPath::parse(&format!("/{}.{suffix}", path.as_str()))?;
            app_files::locate(&dist, &twin_path).map(|twin| (twin, encoding))
        });
        Some((file, twin))
    })
    .await;
    let Ok(Some((file, twin))) = located else {
        return not_found();
    };
    let content_type = content_type_of(&file);
    let compressible = content_type.is_some();
    let (served, encoding) = match twin {
        Some((twin, encoding)) => (twin, Some(encoding)),
        None => (file, None),
    };
    let mut res = match ServeFile::new(&served).oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status() == StatusCode::NOT_FOUND {
        // Removed between the check and the read.
        return not_found();
    }
    let headers = res.headers_mut();
    if let Some(content_type) = content_type {
        // Our own table: Fluent files are in no MIME table (they would go out as
        // `application/octet-stream`, which says nothing of the encoding the Cyrillic
        // and Uzbek texts need), and a twin must carry its original's type.
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    if compressible {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    let cache = if immutable { IMMUTABLE } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// The twins a request's `Accept-Encoding` takes, best first: `(file suffix,
/// Content-Encoding)`. An encoding with `q=0` is refused; `*` takes both.
fn accepted_encodings(headers: &axum::http::HeaderMap) -> Vec<(&'static str, &'static str)> {
    let mut br = false;
    let mut gzip = false;
    for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match name.as_str() {
                "br" => br = true,
                "gzip" | "x-gzip" => gzip = true,
                "*" => (br, gzip) = (true, true),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if br {
        out.push(("br", "br"));
    }
    if gzip {
        out.push(("gz", "gzip"));
    }
    out
}

/// The content type of an app file the build may have compressed (`None`: not one of
/// those; `ServeFile` guesses as before).
fn content_type_of(file: &Path) -> Option<&'static str> {
    Some(match file.extension()?.to_str()? {
        "wasm" => "application/wasm",
        "js" => "text/javascript; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "ftl" => CATALOG_TYPE,
        _ => return None,
    })
}

fn not_found() -> Response {
    AppError(ErrorCode::NotFound).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn accepts(values: &[&str]) -> Vec<&'static str> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::ACCEPT_ENCODING, v.parse().unwrap());
        }
        accepted_encodings(&h).into_iter().map(|(_, e)| e).collect()
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_encoding_is_never_sent() {
        assert_eq!(accepts(&["gzip, deflate, br, zstd"]), ["br", "gzip"]);
        assert_eq!(accepts(&["gzip"]), ["gzip"]);
        assert_eq!(accepts(&["br;q=0, gzip;q=0.5"]), ["gzip"]);
        assert_eq!(accepts(&["BR", "x-gzip"]), ["br", "gzip"]);
        assert_eq!(accepts(&["*"]), ["br", "gzip"]);
        assert_eq!(accepts(&["identity"]), Vec::<&str>::new());
        assert_eq!(accepts(&[]), Vec::<&str>::new());
    }
}
