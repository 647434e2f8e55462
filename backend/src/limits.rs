//! Limits every request meets before a handler runs: the client address's request
//! budget (429 with `Retry-After`), exactly one `Host` header, and the query string's
//! length.
//!
//! The other limits sit where they are cheapest: header size, header count and the
//! header read timeout in the connection ([`crate::server::serve_on`]); the pause
//! allowed inside a body in a layer ([`crate::server::app`]); body sizes in the routes
//! (uploads: `--max-body`; JSON: [`crate::json_body`]); the account's budget in
//! [`crate::auth::Caller`]; page sizes on the server side (`page_size`), never the
//! client's choice.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::error::{AppError, Throttled};
use crate::state::AppState;

/// Longest query string an API route accepts, in bytes (ids and cursors are short).
pub const MAX_QUERY: usize = 1024;

/// Charges the client address and checks the `Host` header and the query string.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    let addr = crate::rate_limit::client_key(addr);
    if let Err(wait) = state.address_limiter().take(&addr) {
        tracing::info!("rate limited by client address");
        return Throttled(wait).into_response();
    }
    // HTTP/1.1 requires exactly one Host (RFC 9112 §3.2); hyper serves without one.
    if req.headers().get_all(HOST).iter().count() != 1 {
        tracing::info!("request without exactly one Host header refused");
        return AppError(ErrorCode::BadRequest).into_response();
    }
    if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        return AppError(ErrorCode::BadRequest).into_response();
    }
    next.run(req).await
}
