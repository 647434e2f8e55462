//! The head guard: requests hyper's parser would refuse are answered with the relay's
//! JSON error instead of hyper's bare status.
//!
//! hyper (1.x) writes its own answer to a request head it cannot parse (the status,
//! `content-length: 0`, no body) and offers no hook to shape it. So the accept loop
//! ([`crate::server`]) reads the socket through [`Guarded`], which checks every request
//! head on the connection (the first and each one after it on a kept-alive
//! connection) before hyper sees a byte of it: the same `httparse` hyper uses, with
//! hyper's settings and caps, then hyper's own rules on the method, the target, and
//! `Content-Length` / `Transfer-Encoding`. A head that passes goes to hyper unchanged
//! and the guard steps over its body exactly as hyper will (a length, or hyper's chunk
//! grammar byte for byte), so it finds the next head where hyper will.
//!
//! A head that fails is never shown to hyper. In its place hyper reads one fixed
//! request (`GET /.refused`, `Connection: close`), and the guard records which request
//! of the connection that is ([`Verdicts`]); the accept loop tags that request with its
//! [`Refusal`], and [`answer_refusal`], inside the access log and the security headers,
//! answers it as the JSON error (400 `bad_request`, or 431 `request_head_too_large`).
//! Requests before it on the connection are answered first, in order, as HTTP/1.1
//! requires; nothing after it is read, and hyper closes the connection.
//!
//! The guard only ever refuses what hyper would refuse too, so it changes the body of
//! a refusal and never which requests are served. Wherever it cannot be sure to frame
//! the stream as hyper does (a chunk line it would not read the same way, `CONNECT`,
//! an `Upgrade`), it stops checking for the rest of the connection and passes the bytes
//! through: hyper stays the authority, and answers any later refusal on that
//! connection with its bare status.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What hyper reads in place of a refused head.
const STAND_IN: &[u8] = b"GET /.refused HTTP/1.1\r\nHost: refused\r\nConnection: close\r\n\r\n";

/// hyper's longest request target (`MAX_URI_LEN`).
const MAX_URI_LEN: usize = (u16::MAX - 1) as usize;

/// hyper's cap on the bytes of one chunk's extensions.
const CHUNK_EXTENSIONS_LIMIT: u64 = 1024 * 16;

/// Why a request head was refused: the code answered (its status is
/// [`crate::error::status_of`]'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal(pub ErrorCode);

/// Which request of one connection the guard replaced, shared with the accept loop.
#[derive(Debug, Default)]
pub struct Verdicts {
    refused: OnceLock<(u64, Refusal)>,
    seen: AtomicU64,
}

impl Verdicts {
    /// For each request hyper hands over, in order: its refusal, if the guard
    /// replaced it.
    pub fn next_request(&self) -> Option<Refusal> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        match self.refused.get() {
            Some((k, r)) if *k == n => Some(*r),
            _ => None,
        }
    }
}

/// Answers a request the guard refused (tagged with its [`Refusal`]) with the JSON
/// error, and closes the connection; every other request goes on.
pub async fn answer_refusal(req: Request, next: Next) -> Response {
    match req.extensions().get::<Refusal>() {
        Some(Refusal(code)) => {
            tracing::info!(code = code.code(), "request head refused");
            let mut res = crate::error::AppError(*code).into_response();
            res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
        None => next.run(req).await,
    }
}

/// Where the scanner is in the byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Collecting a request head.
    Head,
    /// Inside a body of this many bytes still to come.
    Length(u64),
    /// Inside a chunked body.
    Chunked(Chunk),
    /// No longer checking: every byte goes to hyper.
    Through,
    /// A head was refused: nothing more goes to hyper.
    Refused,
}

/// hyper's chunked decoder's states (proto/h1/decode.rs), with its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    Size { size: u64, digits: bool },
    SizeLws { size: u64 },
    Extension { size: u64, len: u64 },
    SizeLf { size: u64 },
    Data(u64),
    DataCr,
    DataLf,
    EndCr,
    Trailer,
    TrailerLf,
    EndLf,
}

/// The byte-level checker: fed what the socket gave, it says what hyper may read.
#[derive(Debug)]
pub struct Scanner {
    state: State,
    head: Vec<u8>,
    heads: u64,
    max_head_bytes: usize,
    max_headers: usize,
}

/// How a checked head frames what follows it.
enum Framing {
    Length(u64),
    Chunked,
    Through,
}

impl Scanner {
    /// A scanner with hyper's caps: head bytes and header count.
    pub fn new(max_head_bytes: usize, max_headers: usize) -> Self {
        Self { state: State::Head, head: Vec::new(), heads: 0, max_head_bytes, max_headers }
    }

    /// Takes `input` from the socket and appends to `out` what hyper may read. Returns
    /// a refusal with the index (within the connection) of the request it replaced.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<(u64, Refusal)> {
        let mut input = input;
        let mut carried: Vec<u8>;
        loop {
            if input.is_empty() {
                return None;
            }
            match self.state {
                State::Through => {
                    out.extend_from_slice(input);
                    return None;
                }
                State::Refused => return None,
                State::Length(left) => {
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    let left = left - take as u64;
                    self.state = if left == 0 { State::Head } else { State::Length(left) };
                }
                State::Chunked(chunk) => {
                    let used = self.step_chunked(chunk, input, out);
                    input = &input[used..];
                }
                State::Head => {
                    self.head.extend_from_slice(input);
                    match self.check_head() {
                        Ok(None) => return None,
                        Ok(Some((len, framing))) => {
                            carried = self.head.split_off(len);
                            out.append(&mut self.head);
                            self.heads += 1;
                            self.state = match framing {
                                Framing::Length(0) => State::Head,
                                Framing::Length(n) => State::Length(n),
                                Framing::Chunked => State::Chunked(Chunk::Size { size: 0, digits: false }),
                                Framing::Through => State::Through,
                            };
                            input = &carried;
                        }
                        Err(refusal) => {
                            self.head = Vec::new();
                            self.state = State::Refused;
                            out.extend_from_slice(STAND_IN);
                            return Some((self.heads, refusal));
                        }
                    }
                }
            }
        }
    }

    /// At the end of the stream: whatever was held back, so hyper sees what it would
    /// have (an incomplete head, then the end).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.state == State::Head {
            out.append(&mut self.head);
        }
        self.state = State::Through;
    }

    /// Whether a head was refused (nothing more goes to hyper).
    pub fn refused(&self) -> bool {
        self.state == State::Refused
    }

    /// How many bytes may go to hyper unlooked at, straight from the socket: the rest of
    /// a sized body, or anything once the guard stopped checking (`None`: none now).
    fn pass_through(&self) -> Option<u64> {
        match self.state {
            State::Length(left) => Some(left),
            State::Through => Some(u64::MAX),
            _ => None,
        }
    }

    /// `n` bytes (at most [`Self::pass_through`]) went to hyper unlooked at.
    fn passed(&mut self, n: usize) {
        if let State::Length(left) = self.state {
            let left = left.saturating_sub(n as u64);
            self.state = if left == 0 { State::Head } else { State::Length(left) };
        }
    }

    /// The head collected so far: `Ok(None)` while incomplete, its length and framing
    /// when complete and accepted, the refusal otherwise.
    fn check_head(&self) -> Result<Option<(usize, Framing)>, Refusal> {
        let bad = Refusal(ErrorCode::BadRequest);
        let too_large = Refusal(ErrorCode::RequestHeadTooLarge);
        let mut headers = vec![httparse::EMPTY_HEADER; self.max_headers];
        let mut req = httparse::Request::new(&mut headers);
        let len = match req.parse(&self.head) {
            Ok(httparse::Status::Complete(len)) if len > self.max_head_bytes => return Err(too_large),
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if self.head.len() >= self.max_head_bytes => return Err(too_large),
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => return Err(too_large),
            Err(_) => return Err(bad),
        };
        let method = req.method.unwrap_or_default();
        let target = req.path.unwrap_or_default();
        if target.len() > MAX_URI_LEN {
            return Err(Refusal(ErrorCode::BadRequest));
        }
        let method = axum::http::Method::from_bytes(method.as_bytes()).map_err(|_| bad)?;
        axum::http::Uri::try_from(target).map_err(|_| bad)?;
        let http11 = req.version == Some(1);
        let (mut length, mut te, mut te_chunked, mut upgrade) = (None::<u64>, false, false, false);
        for h in req.headers.iter() {
            if h.name.eq_ignore_ascii_case("transfer-encoding") {
                if !http11 {
                    return Err(bad);
                }
                te = true;
                te_chunked = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.rsplit(',').next())
                    .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
            } else if h.name.eq_ignore_ascii_case("content-length") {
                if te {
                    continue;
                }
                let n = digits(h.value).ok_or(bad)?;
                match length {
                    Some(prev) if prev != n => return Err(bad),
                    _ => length = Some(n),
                }
            } else if h.name.eq_ignore_ascii_case("upgrade") {
                upgrade = true;
            }
        }
        if te && !te_chunked {
            return Err(bad);
        }
        if length.is_some_and(|n| n > u64::MAX - 2) {
            return Err(bad);
        }
        let framing = if method == axum::http::Method::CONNECT || upgrade {
            Framing::Through
        } else if te {
            Framing::Chunked
        } else {
            Framing::Length(length.unwrap_or(0))
        };
        Ok(Some((len, framing)))
    }

    /// Steps through a chunked body as hyper's decoder does, copying what it passes to
    /// `out`; returns how many bytes of `input` it used. A byte hyper would refuse
    /// ends the checking (hyper will answer it).
    fn step_chunked(&mut self, mut chunk: Chunk, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        while i < input.len() {
            if let Chunk::Data(left) = chunk {
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(input.len() - i);
                out.extend_from_slice(&input[i..i + take]);
                i += take;
                let left = left - take as u64;
                chunk = if left == 0 { Chunk::DataCr } else { Chunk::Data(left) };
                continue;
            }
            let b = input[i];
            let next = match (chunk, b) {
                (Chunk::Size { size, .. }, b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F') => {
                    let digit = u64::from((b as char).to_digit(16).unwrap_or(0));
                    size.checked_mul(16)
                        .and_then(|s| s.checked_add(digit))
                        .map(|size| Chunk::Size { size, digits: true })
                }
                (Chunk::Size { size, digits: true }, b'\t' | b' ') | (Chunk::SizeLws { size }, b'\t' | b' ') => {
                    Some(Chunk::SizeLws { size })
                }
                (Chunk::Size { size, digits: true }, b';') | (Chunk::SizeLws { size }, b';') => {
                    Some(Chunk::Extension { size, len: 0 })
                }
                (Chunk::Size { size, digits: true }, b'\r')
                | (Chunk::SizeLws { size }, b'\r')
                | (Chunk::Extension { size, .. }, b'\r') => Some(Chunk::SizeLf { size }),
                (Chunk::Extension { .. }, b'\n') => None,
                (Chunk::Extension { size, len }, _) => {
                    (len + 1 < CHUNK_EXTENSIONS_LIMIT).then_some(Chunk::Extension { size, len: len + 1 })
                }
                (Chunk::SizeLf { size: 0 }, b'\n') => Some(Chunk::EndCr),
                (Chunk::SizeLf { size }, b'\n') => Some(Chunk::Data(size)),
                (Chunk::DataCr, b'\r') => Some(Chunk::DataLf),
                (Chunk::DataLf, b'\n') => Some(Chunk::Size { size: 0, digits: false }),
                (Chunk::EndCr, b'\r') => Some(Chunk::EndLf),
                (Chunk::EndCr, _) | (Chunk::Trailer, _) if b != b'\r' => Some(Chunk::Trailer),
                (Chunk::Trailer, b'\r') => Some(Chunk::TrailerLf),
                (Chunk::TrailerLf, b'\n') => Some(Chunk::EndCr),
                (Chunk::EndLf, b'\n') => {
                    out.push(b);
                    self.state = State::Head;
                    return i + 1;
                }
                _ => None,
            };
            let Some(next) = next else {
                // Not how hyper reads a chunked body: it will refuse it; stop checking.
                self.state = State::Through;
                return i;
            };
            out.push(b);
            chunk = next;
            i += 1;
        }
        self.state = State::Chunked(chunk);
        i
    }
}

/// hyper's `Content-Length` rule: decimal digits only, no sign, no overflow.
fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |n, &b| match b {
        b'0'..=b'9' => n.checked_mul(10)?.checked_add(u64::from(b - b'0')),
        _ => None,
    })
}

/// A socket read through the [`Scanner`]: hyper reads only checked bytes.
pub struct Guarded<S> {
    io: S,
    scanner: Scanner,
    ready: Vec<u8>,
    at: usize,
    eof: bool,
    verdicts: Arc<Verdicts>,
}

impl<S> Guarded<S> {
    /// `io` read through a scanner with these caps; the refusal, if any, lands in
    /// `verdicts`.
    pub fn new(io: S, max_head_bytes: usize, max_headers: usize, verdicts: Arc<Verdicts>) -> Self {
        Self { io, scanner: Scanner::new(max_head_bytes, max_headers), ready: Vec::new(), at: 0, eof: false, verdicts }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.at < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.at);
                buf.put_slice(&this.ready[this.at..this.at + n]);
                this.at += n;
                if this.at == this.ready.len() {
                    this.ready.clear();
                    this.at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.scanner.refused() {
                // hyper answers the stand-in, then closes; it reads nothing more.
                return Poll::Pending;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            if let Some(limit) = this.scanner.pass_through() {
                // A body's bytes: read into hyper's own buffer, no copy.
                let want = usize::try_from(limit).unwrap_or(usize::MAX).min(buf.remaining());
                let mut body = ReadBuf::new(buf.initialize_unfilled_to(want));
                ready!(Pin::new(&mut this.io).poll_read(cx, &mut body))?;
                let n = body.filled().len();
                if n == 0 && want > 0 {
                    this.eof = true;
                    this.scanner.finish(&mut this.ready);
                    continue;
                }
                buf.advance(n);
                this.scanner.passed(n);
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.io).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.eof = true;
                this.scanner.finish(&mut this.ready);
                continue;
            }
            if let Some(refused) = this.scanner.feed(read.filled(), &mut this.ready) {
                let _ = this.verdicts.refused.set(refused);
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
