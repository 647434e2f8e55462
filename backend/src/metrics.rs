//! Prometheus metrics for the people who run a relay (`amanat serve --metrics-listen
//! ADDR`): requests by route and status, latency histograms by route, entries and
//! bytes stored, live sessions, sign-in failures, rate-limited requests and blob-store
//! errors, in the Prometheus text format at `GET /metrics` on that address only.
//!
//! Nothing here can name a person or a case: labels are route templates
//! (`/api/v1/entries/{id}`, never an id) and status codes; the counts come from the
//! request log's own facts ([`record`], called by [`crate::access_log`]) and, at each
//! scrape, from the store (counts and sums only). Sign-in failures are the sign-in
//! routes' 401 and 429 answers, so the count needs no hook in the sign-in code.
//! Counters are per process, from its start, as Prometheus expects.
//!
//! The metrics address should be reachable by the monitoring system only (loopback or
//! a private network): it is not behind the proxy and asks for no credentials.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sqlx::Row;

use crate::state::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The routes whose 401 and 429 are failed or refused sign-ins.
const SIGN_IN_ROUTES: [&str; 3] = ["/api/v1/session", "/api/v1/vault/session", "/api/v1/vault/enrol"];

#[derive(Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Requests {
    /// (method, route, status) → count.
    counts: BTreeMap<(String, String, u16), u64>,
    /// route → latency.
    latency: BTreeMap<String, Latency>,
}

struct Metrics {
    requests: Mutex<Requests>,
    sign_in_failures: AtomicU64,
    rate_limited: AtomicU64,
    blob_errors: AtomicU64,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics {
        requests: Mutex::new(Requests::default()),
        sign_in_failures: AtomicU64::new(0),
        rate_limited: AtomicU64::new(0),
        blob_errors: AtomicU64::new(0),
    })
}

/// Counts one answered request (from the request log).
pub fn record(method: &str, route: &str, status: u16, elapsed: Duration) {
    let m = metrics();
    if status == 429 {
        m.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    if method == "POST" && (status == 401 || status == 429) && SIGN_IN_ROUTES.contains(&route) {
        m.sign_in_failures.fetch_add(1, Ordering::Relaxed);
    }
    let secs = elapsed.as_secs_f64();
    let mut r = m.requests.lock().expect("the metrics lock is not poisoned");
    *r.counts.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
    let l = r.latency.entry(route.to_owned()).or_default();
    l.count += 1;
    l.sum += secs;
    for (i, bound) in BUCKETS.iter().enumerate() {
        if secs <= *bound {
            l.buckets[i] += 1;
        }
    }
}

/// Counts a failure of the blob store (a file that could not be written or read).
pub fn blob_error() {
    metrics().blob_errors.fetch_add(1, Ordering::Relaxed);
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The store's figures at scrape time: entries, their bytes, live sessions.
async fn store_figures(state: &AppState) -> Result<(i64, i64, i64), sqlx::Error> {
    let pool = state.store().pool();
    let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM entries").fetch_one(pool).await?;
    let (entries, bytes) = (row.try_get::<i64, _>("n")?, row.try_get::<i64, _>("bytes")?);
    let sessions = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE expires_at > $1")
        .bind(crate::store::now_unix())
        .fetch_one(pool)
        .await?
        .try_get::<i64, _>("n")?;
    Ok((entries, bytes, sessions))
}

/// The whole exposition, in the Prometheus text format (version 0.0.4).
pub async fn render(state: &AppState) -> String {
    let m = metrics();
    let mut out = String::new();
    {
        let r = m.requests.lock().expect("the metrics lock is not poisoned");
        out.push_str("# HELP amanat_http_requests_total Requests answered, by method, route template and status.\n");
        out.push_str("# TYPE amanat_http_requests_total counter\n");
        for ((method, route, status), n) in &r.counts {
            let _ = writeln!(
                out,
                "amanat_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP amanat_http_request_duration_seconds Time from request to answer, by route template.\n");
        out.push_str("# TYPE amanat_http_request_duration_seconds histogram\n");
        for (route, l) in &r.latency {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(l.buckets) {
                let _ = writeln!(
                    out,
                    "amanat_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "amanat_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                l.count
            );
            let _ = writeln!(out, "amanat_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", l.sum);
            let _ = writeln!(out, "amanat_http_request_duration_seconds_count{{route=\"{route}\"}} {}", l.count);
        }
    }
    let counter = |out: &mut String, name: &str, help: &str, v: u64| {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n");
    };
    counter(
        &mut out,
        "amanat_sign_in_failures_total",
        "Sign-ins refused (401) or held back (429).",
        m.sign_in_failures.load(Ordering::Relaxed),
    );
    counter(&mut out, "amanat_rate_limited_total", "Requests answered 429.", m.rate_limited.load(Ordering::Relaxed));
    counter(
        &mut out,
        "amanat_blob_store_errors_total",
        "Ciphertext files that could not be written or read.",
        m.blob_errors.load(Ordering::Relaxed),
    );
    let gauge = |out: &mut String, name: &str, help: &str, v: i64| {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n");
    };
    match store_figures(state).await {
        Ok((entries, bytes, sessions)) => {
            gauge(&mut out, "amanat_entries_stored", "Entries stored.", entries);
            gauge(&mut out, "amanat_bytes_stored", "Bytes of ciphertext stored.", bytes);
            gauge(&mut out, "amanat_sessions_live", "Browser sessions not yet expired.", sessions);
            gauge(&mut out, "amanat_store_up", "1 when the database answered this scrape.", 1);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database did not answer");
            gauge(&mut out, "amanat_store_up", "1 when the database answered this scrape.", 0);
        }
    }
    out
}

async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], render(&state).await)
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(state)
}
