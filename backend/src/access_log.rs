//! One log line per request: method, route template, status, duration.
//!
//! It logs the *route* (`/api/v1/entries/{id}`), not the URI, and never headers or
//! bodies, so tokens, cookies and content cannot reach the log. Handlers add entry ids
//! and sizes themselves. The same facts feed the metrics ([`crate::metrics::record`]).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

pub async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let refused = req.extensions().get::<crate::head_guard::Refusal>().is_some();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .or_else(|| refused.then(|| "(refused head)".to_owned()))
        .unwrap_or_else(|| if req.uri().path().starts_with("/api") { "(api)" } else { "(app)" }.to_owned());
    let start = Instant::now();
    let res = next.run(req).await;
    crate::metrics::record(method.as_str(), &route, res.status().as_u16(), start.elapsed());
    tracing::info!(
        %method,
        route,
        status = res.status().as_u16(),
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    res
}
