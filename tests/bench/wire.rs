//! What a caseworker's tablet on a rural link gets: the sign-in page of the release
//! app loaded by a fresh Chromium profile through a slow link, bytes counted on the
//! wire.
//!
//! The link is a TCP proxy between Chromium and the release relay that behaves like
//! DevTools' "Slow 3G" profile, for every connection together: 400 kbit/s each way
//! (one shared link, so parallel requests share it) and 200 ms each way (400 ms round
//! trip). It counts every byte it carries, HTTP headers included (not TCP/IP overhead,
//! not TLS: the relay is plain HTTP on loopback), and every request (a request head
//! seen going up). Unlike page-level network emulation it also slows and counts the
//! service worker's own fetches, which a fresh profile makes too.
//!
//! Three figures: at the moment the sign-in form is on the page (`#signin-name`, in the
//! app's first language, with its catalog), everything a first visit loads once the
//! network has been quiet for 3 s (the service worker's offline copy of the app
//! included), and a repeat visit in the same profile until it is quiet again (the
//! content-tagged files come from the browser's cache without a request). Into
//! `target/bench/wire.json`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use fantoccini::Locator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// 400 kbit/s.
const BYTES_PER_SECOND: f64 = 50_000.0;
/// Half the round trip.
const ONE_WAY: Duration = Duration::from_millis(200);
/// A segment's worth: the proxy forwards in pieces of at most this.
const SEGMENT: usize = 1460;

/// One direction of the shared link: when it is free again, and what it carried.
struct Link {
    free_at: Mutex<tokio::time::Instant>,
    bytes: AtomicU64,
    requests: AtomicU64,
    last_activity: Mutex<Instant>,
    /// Each request line seen going up, with when it was seen: printed, so a slow
    /// page's waterfall can be read from the bench's output.
    log: Mutex<Vec<(Instant, String)>>,
}

impl Link {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            free_at: Mutex::new(tokio::time::Instant::now()),
            bytes: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            last_activity: Mutex::new(Instant::now()),
            log: Mutex::new(Vec::new()),
        })
    }

    /// When `len` bytes handed to the link now arrive at the other end.
    fn arrival(&self, len: usize) -> tokio::time::Instant {
        let mut free_at = self.free_at.lock().unwrap();
        let start = (*free_at).max(tokio::time::Instant::now());
        *free_at = start + Duration::from_secs_f64(len as f64 / BYTES_PER_SECOND);
        *free_at + ONE_WAY
    }
}

/// Carries `from` → `to` over `link`: pieces leave when the link is free and arrive
/// one-way later, in order.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    link: Arc<Link>,
    up: bool,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer_link = link.clone();
    let writer = tokio::spawn(async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
            writer_link.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            *writer_link.last_activity.lock().unwrap() = Instant::now();
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; SEGMENT];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if up {
            // A request head starts with its method; this link carries no request bodies
            // (the sign-in page only reads).
            let text = String::from_utf8_lossy(&buf[..n]);
            let heads = text.matches(" HTTP/1.1\r\n").count();
            link.requests.fetch_add(heads as u64, Ordering::Relaxed);
            let mut log = link.log.lock().unwrap();
            for line in text.lines().filter(|l| l.ends_with(" HTTP/1.1")) {
                log.push((Instant::now(), line.trim_end_matches(" HTTP/1.1").to_owned()));
            }
        }
        if tx.send((link.arrival(n), buf[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// Starts the slow link to `upstream`; its address and the two directions.
async fn slow_link(upstream: std::net::SocketAddr) -> (std::net::SocketAddr, Arc<Link>, Arc<Link>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (down, up) = (Link::new(), Link::new());
    let (d, u) = (down.clone(), up.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else { continue };
            let _ = (client.set_nodelay(true), server.set_nodelay(true));
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, u.clone(), true));
            tokio::spawn(pump(sr, cw, d.clone(), false));
        }
    });
    (addr, down, up)
}

fn total(down: &Link, up: &Link) -> u64 {
    down.bytes.load(Ordering::Relaxed) + up.bytes.load(Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn browser_bench_sign_in_page_over_a_slow_link() {
    let relay = RelayProcess::start_with_app(&[]);
    let upstream: std::net::SocketAddr = relay.base.trim_start_matches("http://").parse().unwrap();
    let (addr, down, up) = slow_link(upstream).await;
    let browser = Browser::start().await.unwrap();
    let started = Instant::now();
    browser.client.goto(&format!("http://{addr}/")).await.unwrap();
    let deadline = started + Duration::from_secs(180);
    while browser.client.find(Locator::Css("#signin-name")).await.is_err() {
        assert!(Instant::now() < deadline, "the sign-in form never appeared");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let interactive = started.elapsed();
    let (bytes_interactive, requests_interactive) = (total(&down, &up), up.requests.load(Ordering::Relaxed));
    println!("requests until the form was on the page ({:.2} s), by when each was sent:", interactive.as_secs_f64());
    for (at, line) in up.log.lock().unwrap().iter() {
        println!("  {:6.2} s  {line}", at.duration_since(started).as_secs_f64());
    }
    // The first visit goes on: the service worker keeps the whole app for offline use.
    loop {
        let quiet = [&down, &up].iter().map(|l| l.last_activity.lock().unwrap().elapsed()).min().unwrap();
        if quiet > Duration::from_secs(3) || started.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let settled = started.elapsed().saturating_sub(Duration::from_secs(3));
    let (first_bytes, first_requests) = (total(&down, &up), up.requests.load(Ordering::Relaxed));
    // A repeat visit: the same profile opens the page again.
    let again = Instant::now();
    browser.client.goto(&format!("http://{addr}/")).await.unwrap();
    while browser.client.find(Locator::Css("#signin-name")).await.is_err() {
        assert!(again.elapsed() < Duration::from_secs(180), "the sign-in form never appeared again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let repeat_interactive = again.elapsed();
    loop {
        let quiet = [&down, &up].iter().map(|l| l.last_activity.lock().unwrap().elapsed()).min().unwrap();
        if quiet > Duration::from_secs(3) || again.elapsed() > Duration::from_secs(300) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let figures = serde_json::json!({
        "interactive_s": interactive.as_secs_f64(),
        "interactive_kb": bytes_interactive as f64 / 1024.0,
        "interactive_requests": requests_interactive,
        "first_visit_s": settled.as_secs_f64(),
        "first_visit_kb": first_bytes as f64 / 1024.0,
        "first_visit_requests": first_requests,
        "repeat_interactive_s": repeat_interactive.as_secs_f64(),
        "repeat_visit_kb": (total(&down, &up) - first_bytes) as f64 / 1024.0,
        "repeat_visit_requests": up.requests.load(Ordering::Relaxed) - first_requests,
        "down_kb": down.bytes.load(Ordering::Relaxed) as f64 / 1024.0,
        "up_kb": up.bytes.load(Ordering::Relaxed) as f64 / 1024.0,
    });
    println!("sign-in page over slow 3G: {figures}");
    let dir = amanat_tests::support::relay::workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wire.json"), serde_json::to_vec_pretty(&figures).unwrap()).unwrap();
    drop(browser);
    drop(relay);
}
