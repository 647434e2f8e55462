//! Unit tests of the head guard: good streams pass unchanged at any read size, bad heads
//! are replaced by the stand-in, the caps, chunked bodies, and the reader over a socket.

use super::*;

/// The guard's answer to one stream: what hyper reads, and the refusal if any.
fn scan(bytes: &[u8], piece: usize) -> (Vec<u8>, Option<(u64, Refusal)>) {
    let mut s = Scanner::new(16 * 1024, 64);
    let mut out = Vec::new();
    let mut refused = None;
    for part in bytes.chunks(piece.max(1)) {
        if let Some(r) = s.feed(part, &mut out) {
            refused = Some(r);
        }
    }
    (out, refused)
}

const GOOD: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";

#[test]
fn good_requests_pass_unchanged_whatever_the_read_sizes() {
    let body = b"GET / HTTP/1.2\r\n\r\n";
    let mut stream = GOOD.to_vec();
    stream.extend_from_slice(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 18\r\n\r\n");
    stream.extend_from_slice(body);
    stream.extend_from_slice(b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    stream.extend_from_slice(b"12;a=b\r\nGET / HTTP/1.2\r\n\r\n\r\n0\r\nX-T: 1\r\n\r\n");
    stream.extend_from_slice(b"GET / HTTP/1.1\nHost: a\n\n");
    stream.extend_from_slice(b"\r\nGET / HTTP/1.0\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    for piece in [1, 2, 7, 64, 4096] {
        let (out, refused) = scan(&stream, piece);
        assert_eq!(refused, None, "piece {piece}");
        assert_eq!(out, stream, "piece {piece}");
    }
}

#[test]
fn a_bad_head_is_replaced_by_the_stand_in_and_nothing_after_it_passes() {
    let bad = Refusal(ErrorCode::BadRequest);
    for head in [
        &b"GET / HTTP/1.2\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
        b"GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"G(T / HTTP/1.1\r\n\r\n",
        b"GET /a b HTTP/1.1\r\n\r\n",
    ] {
        let mut stream = GOOD.to_vec();
        stream.extend_from_slice(head);
        stream.extend_from_slice(GOOD);
        let (out, refused) = scan(&stream, 5);
        assert_eq!(refused, Some((1, bad)), "{:?}", String::from_utf8_lossy(head));
        assert_eq!(out, [GOOD, STAND_IN].concat(), "{:?}", String::from_utf8_lossy(head));
    }
}

#[test]
fn heads_over_the_caps_are_too_large() {
    let too_large = Some((0, Refusal(ErrorCode::RequestHeadTooLarge)));
    let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "x".repeat(16 * 1024));
    assert_eq!(scan(long.as_bytes(), 4096).1, too_large);
    let unfinished = format!("GET / HTTP/1.1\r\nX: {}", "x".repeat(16 * 1024));
    assert_eq!(scan(unfinished.as_bytes(), 100).1, too_large);
    let many: String = (0..65).map(|i| format!("X-{i}: 1\r\n")).collect();
    assert_eq!(scan(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes(), 4096).1, too_large);
    let enough: String = (0..64).map(|i| format!("X-{i}: 1\r\n")).collect();
    assert_eq!(scan(format!("GET / HTTP/1.1\r\n{enough}\r\n").as_bytes(), 4096).1, None);
}

#[test]
fn a_chunked_body_hyper_would_refuse_stops_the_checking_instead_of_guessing() {
    // A bare LF after the chunk size: hyper refuses the body; the guard passes
    // everything on and refuses nothing after it.
    let mut stream = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\n{}\r\n0\r\n\r\n".to_vec();
    stream.extend_from_slice(b"GET / HTTP/1.2\r\n\r\n");
    let (out, refused) = scan(&stream, 3);
    assert_eq!(refused, None);
    assert_eq!(out, stream);
}

#[test]
fn an_incomplete_head_at_the_end_goes_to_hyper_as_it_is() {
    let mut s = Scanner::new(16 * 1024, 64);
    let mut out = Vec::new();
    assert_eq!(s.feed(b"GET / HTTP/1.1\r\nHo", &mut out), None);
    assert!(out.is_empty());
    s.finish(&mut out);
    assert_eq!(out, b"GET / HTTP/1.1\r\nHo");
}

/// Through a real reader in small pieces: what hyper reads is the stream itself,
/// bodies included (read straight into hyper's buffer), and a bad head after a
/// sized body is still found.
#[tokio::test]
async fn a_guarded_reader_hands_over_the_stream_and_finds_a_bad_head_after_a_body() {
    use tokio::io::AsyncReadExt;
    let body = vec![b'x'; 100_000];
    let mut good = b"PUT /x HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".to_vec();
    good.extend_from_slice(&body);
    good.extend_from_slice(GOOD);
    for (tail, refused) in [(&b""[..], None), (b"GET / HTTP/1.2\r\n\r\n", Some((2, Refusal(ErrorCode::BadRequest))))] {
        let stream = [&good[..], tail].concat();
        let (client, server) = tokio::io::duplex(1000);
        let writer = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let mut client = client;
            client.write_all(&stream).await.unwrap();
            client.shutdown().await.unwrap();
            client
        });
        let verdicts = Arc::new(Verdicts::default());
        let mut guarded = Guarded::new(server, 16 * 1024, 64, verdicts.clone());
        let mut out = vec![0u8; good.len() + STAND_IN.len()];
        let mut got = 0;
        while got < out.len() {
            let n = tokio::time::timeout(std::time::Duration::from_secs(2), guarded.read(&mut out[got..]))
                .await
                .map_or(0, |r| r.unwrap());
            if n == 0 {
                break;
            }
            got += n;
        }
        let expected = if refused.is_some() { [&good[..], STAND_IN].concat() } else { good.clone() };
        assert_eq!(&out[..got], &expected[..]);
        assert_eq!(verdicts.refused.get().copied(), refused);
        drop(writer.await);
    }
}

#[test]
fn the_verdicts_name_only_the_replaced_request() {
    let v = Verdicts::default();
    let _ = v.refused.set((2, Refusal(ErrorCode::BadRequest)));
    assert_eq!(v.next_request(), None);
    assert_eq!(v.next_request(), None);
    assert_eq!(v.next_request(), Some(Refusal(ErrorCode::BadRequest)));
    assert_eq!(v.next_request(), None);
}
