//! The lock leaves no key (issue 14): after *End session*, and after the idle lock, no
//! key material is reachable in the page. Argon2id's working memory and the derived keys
//! used to stay in the page's wasm memory after the lock (the same wasm instance lived
//! on behind the sign-in form).
//!
//! The story knows the passphrase, so it works out natively, as the app does
//! (`shared::vault`), every secret an unlock puts in the page: Argon2id's output (the
//! master key), the `auth` and `wrap` keys HKDF makes of it, and, from the wrapped
//! identity the relay hands out, the caseworker's personal age identity and her author
//! signing key. It then looks for them, raw and as text (hex, base64, bech32
//! `AGE-SECRET-KEY-1…`, the author key's secret line), in every `WebAssembly.Memory` of
//! the page (`Runtime.queryObjects`; a heap snapshot does not hold an `ArrayBuffer`'s
//! bytes) and, as text, in a V8 heap snapshot of the page.
//!
//! Positive controls: while unlocked, the personal identity's secret *is* found in the
//! page's wasm memory (the search finds what is there); and a probe string shaped like
//! an identity, planted in the locked page, is found in its heap snapshot.

use std::time::{Duration, Instant};

use age::secrecy::ExposeSecret;
use amanat_tests::support::devtools::MemoryScan;
use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use hkdf::Hkdf;
use serde_json::{json, Value};
use sha2::Sha256;
use shared::vault::{self, Salt};

const NAME: &str = "demo-caseworker";
/// Long enough that the story's own steps between an unlock and its check never idle
/// the page out, short enough that the idle lock comes within the story.
const IDLE_SECONDS: u64 = 15;

/// One secret the page must not keep after the lock, in one form.
struct Needle {
    label: String,
    bytes: Vec<u8>,
    /// Text (looked for in the heap snapshot too), not raw bytes.
    text: bool,
}

/// Every form of a 32-byte secret: the raw bytes, hex in both cases, base64 and base64url.
fn forms_of(label: &str, secret: &[u8], out: &mut Vec<Needle>) {
    out.push(Needle { label: format!("{label} (raw)"), bytes: secret.to_vec(), text: false });
    let texts = [
        ("hex", hex::encode(secret)),
        ("HEX", hex::encode_upper(secret)),
        ("base64", STANDARD_NO_PAD.encode(secret)),
        ("base64url", URL_SAFE_NO_PAD.encode(secret)),
    ];
    for (form, text) in texts {
        out.push(Needle { label: format!("{label} ({form})"), bytes: text.into_bytes(), text: true });
    }
}

fn bech32_secret(secret: &[u8; 32]) -> String {
    let hrp = bech32::Hrp::parse("age-secret-key-").unwrap();
    bech32::encode::<bech32::Bech32>(hrp, secret).unwrap().to_uppercase()
}

/// What an unlock puts in the page, worked out natively: signs in through the API as the
/// app does (salt, Argon2id, `auth`), takes the wrapped identity the relay hands out and
/// opens it with the passphrase.
async fn secrets_of(relay: &RelayProcess, name: &str, passphrase: &str) -> Vec<Needle> {
    let http = reqwest::Client::new();
    let salt: Value = http
        .post(relay.url("/api/v1/vault/salt"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let salt = Salt::decode(salt["salt"].as_str().unwrap()).unwrap();
    let keys = vault::derive(passphrase, &salt).unwrap();
    let signed_in = http
        .post(relay.url("/api/v1/vault/session"))
        .json(&json!({ "name": name, "auth": keys.auth.encode() }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200, "the story signs in as the app does");
    let answer: Value = signed_in.json().await.unwrap();
    let wrapped = vault::decode_wrapped(answer["wrapped_identity"].as_str().unwrap()).unwrap();
    let personal = vault::unwrap_identity(wrapped.as_bytes(), &keys).unwrap();

    // The KDF, step by step as `shared::vault::derive` runs it, to see its inner values.
    let params =
        argon2::Params::new(vault::KDF_MEMORY_KIB, vault::KDF_ITERATIONS, vault::KDF_PARALLELISM, Some(32)).unwrap();
    let mut master = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt.0, &mut master)
        .unwrap();
    let hk = Hkdf::<Sha256>::new(None, &master);
    let (mut auth, mut wrap) = ([0u8; 32], [0u8; 32]);
    hk.expand(b"amanat/vault/v1/auth", &mut auth).unwrap();
    hk.expand(b"amanat/vault/v1/wrap", &mut wrap).unwrap();
    assert_eq!(auth, keys.auth.0, "the story's KDF is the app's");
    let wrap_bech32 = bech32_secret(&wrap);
    let wrap_identity: shared::seal::Identity = wrap_bech32.parse().unwrap();
    assert_eq!(
        wrap_identity.to_public().to_string(),
        keys.wrap_recipient().to_string(),
        "the story's KDF is the app's"
    );

    let identity_bech32 = personal.identity.to_string().expose_secret().to_owned();
    let (_, identity_secret) = bech32::decode(&identity_bech32).unwrap();
    assert_eq!(identity_secret.len(), 32);

    let mut needles = Vec::new();
    forms_of("personal identity", &identity_secret, &mut needles);
    for bech32 in [identity_bech32.clone(), identity_bech32.to_lowercase()] {
        needles.push(Needle { label: "personal identity (bech32)".into(), bytes: bech32.into_bytes(), text: true });
    }
    forms_of("master key", &master, &mut needles);
    forms_of("auth key", &auth, &mut needles);
    forms_of("wrap key", &wrap, &mut needles);
    needles.push(Needle {
        label: "wrap identity (bech32)".into(),
        bytes: wrap_bech32.clone().into_bytes(),
        text: true,
    });
    needles.push(Needle {
        label: "wrap identity (bech32, lowercase)".into(),
        bytes: wrap_bech32.to_lowercase().into_bytes(),
        text: true,
    });
    if let Some(author) = &personal.author {
        let line = author.to_secret_line();
        let line = line.as_str().to_owned();
        let encoded = line.rsplit(':').next().unwrap().to_owned();
        let author_secret = base64::engine::general_purpose::STANDARD.decode(&encoded).unwrap();
        needles.push(Needle { label: "author key (secret line)".into(), bytes: line.into_bytes(), text: true });
        forms_of("author key", &author_secret, &mut needles);
    }
    needles
}

async fn scan(browser: &Browser, needles: &[Needle]) -> MemoryScan {
    let bytes: Vec<Vec<u8>> = needles.iter().map(|n| n.bytes.clone()).collect();
    browser.wasm_memories_hold(&bytes).await.unwrap()
}

fn labels_found(needles: &[Needle], scan: &MemoryScan) -> Vec<String> {
    needles.iter().zip(&scan.found).filter(|(_, f)| **f).map(|(n, _)| n.label.clone()).collect()
}

/// While unlocked: the search finds the personal identity in the page's wasm memory.
async fn assert_key_in_memory_while_unlocked(browser: &Browser, needles: &[Needle]) {
    let unlocked = scan(browser, needles).await;
    println!(
        "unlocked: {} wasm memories, {} bytes; found {:?}",
        unlocked.memories,
        unlocked.bytes,
        labels_found(needles, &unlocked)
    );
    let found = labels_found(needles, &unlocked);
    assert!(
        found.iter().any(|l| l == "personal identity (raw)" || l == "personal identity (bech32)"),
        "positive control: the unlocked page's wasm memory must hold the personal identity \
         (else the search proves nothing); found only {:?}",
        found
    );
}

/// After a lock: no wasm memory of the page and no string of its JS heap holds any form
/// of any secret; a probe planted in the heap is found there.
async fn assert_no_key_left(browser: &Browser, needles: &[Needle], when: &str) {
    let locked = scan(browser, needles).await;
    assert!(locked.memories > 0, "{when}: the locked page has its own wasm memory to search");
    assert!(
        !locked.any(),
        "{when}: the page's wasm memory still holds {:?} ({} memories searched)",
        labels_found(needles, &locked),
        locked.memories
    );

    let probe = format!("AGE-SECRET-KEY-1PROBE{}", hex::encode_upper(rand::random::<[u8; 16]>()));
    browser
        .client
        .execute("window.amanatStoryProbe = arguments[0]; return true;", vec![probe.clone().into()])
        .await
        .unwrap();
    let snapshot = browser.heap_snapshot().await.unwrap();
    assert!(snapshot.contains(&probe), "positive control: a string planted in the page is in its heap snapshot");
    let in_heap: Vec<&str> = needles
        .iter()
        .filter(|n| n.text && snapshot.contains(&*String::from_utf8_lossy(&n.bytes)))
        .map(|n| n.label.as_str())
        .collect();
    assert!(in_heap.is_empty(), "{when}: the page's JS heap still holds {in_heap:?}");
    println!(
        "{when}: {} wasm memories ({} bytes) and a {} byte heap snapshot hold no key",
        locked.memories,
        locked.bytes,
        snapshot.len()
    );
}

#[tokio::test]
async fn after_end_session_and_after_the_idle_lock_no_key_is_left_in_the_pages_wasm_memory_or_js_heap() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&["--idle-lock-seconds", &IDLE_SECONDS.to_string()]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 30).await.unwrap();
    let needles = secrets_of(&relay, NAME, Browser::DEMO_PASSPHRASE).await;

    // 1. Unlocked: the key is in the page (the search works), then *End session*.
    browser.unlock(NAME, Browser::DEMO_PASSPHRASE).await.unwrap();
    assert_key_in_memory_while_unlocked(&browser, &needles).await;
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 30).await.unwrap();
    assert_eq!(browser.count("#session-name").await.unwrap(), 0);
    assert_no_key_left(&browser, &needles, "after End session").await;

    // 2. Unlocked again, then left alone until the idle lock.
    browser.unlock(NAME, Browser::DEMO_PASSPHRASE).await.unwrap();
    assert_key_in_memory_while_unlocked(&browser, &needles).await;
    let deadline = Instant::now() + Duration::from_secs(8 * IDLE_SECONDS);
    while browser.count("#session-name").await.unwrap() > 0 || browser.count("#signin-passphrase").await.unwrap() == 0 {
        assert!(Instant::now() < deadline, "the idle lock never came");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    browser.wait_for("#signin-passphrase", 30).await.unwrap();
    assert_no_key_left(&browser, &needles, "after the idle lock").await;
    browser.close().await.unwrap();
}
