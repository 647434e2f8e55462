//! A tablet on a rural link gets the app compressed: the relay sends the build's
//! Brotli (or gzip) twin of a file to a browser that accepts it, with the file's own
//! type and `Vary: Accept-Encoding`, and the plain file to one that does not. A twin
//! is served by the same rule as every app file (listed in the build's `hashes.txt`,
//! a regular file, no symlink), so a twin planted in the folder cannot leak anything.

use std::path::Path;

use amanat_tests::support::relay::Relay;
use reqwest::StatusCode;
use shared::EntryId;

const WASM: &[u8] = b"\0asm\x01\0\0\0 pretend this module is big and repetitive repetitive repetitive";

fn list(dist: &Path, names: &[&str]) {
    let lines: String =
        names.iter().map(|n| format!("{}  {n}\n", EntryId::of(&std::fs::read(dist.join(n)).unwrap()))).collect();
    std::fs::write(dist.join("hashes.txt"), lines).unwrap();
}

/// A built app with `app.wasm` and its two twins, all listed.
fn dist_with_twins(dist: &Path) {
    std::fs::create_dir_all(dist).unwrap();
    std::fs::write(dist.join("app.wasm"), WASM).unwrap();
    std::fs::write(dist.join("app.wasm.br"), b"BROTLI-BYTES").unwrap();
    std::fs::write(dist.join("app.wasm.gz"), b"GZIP-BYTES").unwrap();
    list(dist, &["app.wasm", "app.wasm.br", "app.wasm.gz"]);
}

async fn get(relay: &Relay, path: &str, accept: Option<&str>) -> reqwest::Response {
    // reqwest here decompresses nothing (no compression features): the bytes are the wire's.
    let mut req = relay.http.get(relay.url(path));
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_browser_that_takes_brotli_gets_the_twin_with_the_files_type_and_vary() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    dist_with_twins(&dist);
    let relay = Relay::start_with(|c| c.dist_dir = dist.clone()).await;

    let br = get(&relay, "/app.wasm", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.headers()["vary"], "Accept-Encoding");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"BROTLI-BYTES");

    let gz = get(&relay, "/app.wasm", Some("gzip;q=1, br;q=0")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"GZIP-BYTES");

    let plain = get(&relay, "/app.wasm", None).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), WASM);

    // The privacy page checks every listed file as it is: a twin asked for by name
    // comes as its own bytes, never encoded again.
    let twin = get(&relay, "/app.wasm.br", Some("br")).await;
    assert!(twin.headers().get("content-encoding").is_none());
    assert_eq!(twin.bytes().await.unwrap().as_ref(), b"BROTLI-BYTES");
}

#[tokio::test]
async fn a_twin_that_is_unlisted_or_a_symlink_is_never_sent() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("app.wasm"), WASM).unwrap();
    let secret = dir.path().join("secret-token");
    std::fs::write(&secret, b"amt_0123456789abcdef_live-token").unwrap();
    // A relay operator's mistake or an intruder's plant: a "twin" pointing elsewhere.
    std::os::unix::fs::symlink(&secret, dist.join("app.wasm.br")).unwrap();
    // An unlisted gzip twin.
    std::fs::write(dist.join("app.wasm.gz"), b"UNLISTED").unwrap();
    list(&dist, &["app.wasm"]);
    let relay = Relay::start_with(|c| c.dist_dir = dist.clone()).await;
    let res = get(&relay, "/app.wasm", Some("br, gzip")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("content-encoding").is_none(), "no twin passes the rules, the plain file goes");
    let body = res.bytes().await.unwrap();
    assert_eq!(body.as_ref(), WASM);
}

#[tokio::test]
async fn every_file_of_the_built_app_decodes_to_itself_in_each_encoding() {
    use std::io::Read;
    let dist = amanat_tests::support::relay::workspace_root().join("dist");
    let list = std::fs::read_to_string(dist.join("hashes.txt"))
        .expect("the built app (cargo xtask build, or cargo xtask test) is in dist/");
    let relay = Relay::start_with(|c| c.dist_dir = dist.clone()).await;
    let (mut encoded, mut plain_only) = (0, 0);
    for name in list.lines().filter_map(|l| l.split_once("  ").map(|(_, n)| n)) {
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let original = std::fs::read(dist.join(name)).unwrap();
        let plain = get(&relay, &format!("/{name}"), None).await;
        assert!(plain.headers().get("content-encoding").is_none(), "{name}");
        assert_eq!(plain.bytes().await.unwrap().as_ref(), &original[..], "{name} as it is");
        for (accept, suffix) in [("br", "br"), ("gzip", "gz")] {
            let res = get(&relay, &format!("/{name}"), Some(accept)).await;
            let encoding = res.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            let body = res.bytes().await.unwrap();
            let decoded = match encoding.as_deref() {
                Some("br") => {
                    let mut out = Vec::new();
                    brotli_decompressor::Decompressor::new(&body[..], 4096).read_to_end(&mut out).unwrap();
                    out
                }
                Some("gzip") => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out).unwrap();
                    out
                }
                None => {
                    assert!(!dist.join(format!("{name}.{suffix}")).exists(), "{name} has a .{suffix} twin, not sent");
                    plain_only += 1;
                    body.to_vec()
                }
                Some(other) => panic!("{name}: unexpected encoding {other}"),
            };
            if encoding.is_some() {
                encoded += 1;
            }
            assert_eq!(decoded, original, "{name} sent as {encoding:?} decodes to the build's bytes");
        }
    }
    println!("{encoded} encoded answers decoded to the build's bytes; {plain_only} small files sent as they are");
    assert!(encoded > 20, "the build's wasm, scripts and catalogs go compressed");
    relay.stop().await;
}

/// A file whose name carries its content's tag is kept a year without asking
/// (`immutable`), in every encoding; a file under a fixed name is asked for again each
/// time (`no-cache`), so a new release, which names new tagged files, is seen at once.
#[tokio::test]
async fn content_tagged_files_are_immutable_and_fixed_names_are_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let tagged = "app.0123456789abcdef.wasm";
    std::fs::write(dist.join(tagged), WASM).unwrap();
    std::fs::write(dist.join(format!("{tagged}.br")), b"BROTLI-BYTES").unwrap();
    std::fs::write(dist.join("app.wasm"), WASM).unwrap();
    std::fs::write(dist.join("sw.js"), b"// worker").unwrap();
    list(&dist, &[tagged, &format!("{tagged}.br"), "app.wasm", "sw.js"]);
    let relay = Relay::start_with(|c| c.dist_dir = dist.clone()).await;
    for accept in [None, Some("br")] {
        let res = get(&relay, &format!("/{tagged}"), accept).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable", "{accept:?}");
        assert_eq!(res.headers()["vary"], "Accept-Encoding");
    }
    for fixed in ["/app.wasm", "/sw.js", "/hashes.txt"] {
        assert_eq!(get(&relay, fixed, Some("br")).await.headers()["cache-control"], "no-cache", "{fixed}");
    }
    relay.stop().await;
}

/// In the built app, the files a browser may keep for good carry content-tagged names
/// and every name a file mentions is one the build serves: the page names the tagged
/// styles and boot script, boot.js and the workers' script the tagged glue and main
/// wasm, the chunk loader every tagged chunk; the service worker and `hashes.txt` list
/// them. A tag is the first 16 hex digits of the file's SHA-256 (the JS glue and the
/// chunk loader, which name each other, share a tag over both).
#[test]
fn the_built_app_names_its_immutable_files_by_content_and_every_reference_follows() {
    let dist = amanat_tests::support::relay::workspace_root().join("dist");
    let list = std::fs::read_to_string(dist.join("hashes.txt"))
        .expect("the built app (cargo xtask build, or cargo xtask test) is in dist/");
    let listed: Vec<&str> = list.lines().filter_map(|l| l.split_once("  ").map(|(_, n)| n)).collect();
    let name = |plain: &str| amanat_tests::support::relay::built_name(&dist, plain);
    let read = |n: &str| std::fs::read_to_string(dist.join(n)).unwrap();
    for fixed in ["index.html", "sw.js", "manifest.webmanifest", "open-worker.js", "favicon.svg"] {
        assert!(listed.contains(&fixed), "{fixed} keeps its name");
    }
    let mut tagged = 0;
    for n in listed.iter().filter(|n| !n.ends_with(".br") && !n.ends_with(".gz")) {
        if !shared::release::is_content_tagged(n) {
            continue;
        }
        tagged += 1;
        let tag = n.rsplit('.').nth(1).unwrap();
        if !n.starts_with("amanat.") && !n.starts_with("__wasm_split.") {
            let sha = EntryId::of(&std::fs::read(dist.join(n)).unwrap()).to_string();
            assert!(sha.starts_with(tag), "{n}'s tag is its content's");
        }
    }
    let (glue, wasm, loader) = (name("amanat.js"), name("amanat_bg.wasm"), name("__wasm_split.js"));
    assert_eq!(glue.rsplit('.').nth(1), loader.rsplit('.').nth(1), "the glue and the loader share a tag");
    let html = read("index.html");
    // The styles and boot.js; the glue, the loader and the main wasm as preloads, so a
    // slow link fetches them at once rather than one round trip after another.
    for plain in ["style.css", "forms.css", "boot.js", "amanat.js", "__wasm_split.js", "amanat_bg.wasm"] {
        assert!(html.contains(&format!("\"/{}\"", name(plain))), "index.html names the tagged {plain}: {html}");
    }
    for script in [name("boot.js"), "open-worker.js".to_owned()] {
        let text = read(&script);
        assert!(text.contains(&format!("'./{glue}'")) && text.contains(&format!("'./{wasm}'")), "{script}: {text}");
    }
    assert!(read(&glue).contains(&format!("from \"./{loader}\"")), "the glue imports the tagged loader");
    let loader_text = read(&loader);
    assert!(loader_text.contains(&format!("from \"./{glue}\"")), "the loader imports the tagged glue");
    let chunks: Vec<&&str> = listed
        .iter()
        .filter(|n| (n.starts_with("chunk_") || n.starts_with("split_")) && n.ends_with(".wasm"))
        .collect();
    assert!(chunks.len() > 5, "{chunks:?}");
    for c in &chunks {
        assert!(shared::release::is_content_tagged(c), "{c}");
        assert!(loader_text.contains(&format!("\"./{c}\"")), "the loader names {c}");
    }
    let sw = read("sw.js");
    for n in [glue.as_str(), &wasm, &loader, &name("boot.js"), chunks[0]] {
        assert!(sw.contains(&format!("'/{n}'")), "the service worker keeps {n}");
    }
    println!("{tagged} content-tagged files, {} chunks", chunks.len());
    assert!(tagged >= chunks.len() + 6);
}
