//! The canary test (issue 6, threat model point 2): a shared computer keeps nothing
//! readable after *End session*.
//!
//! A headless Chromium with its own profile directory runs a whole session: enrol from
//! the one-time link, fill the intake with a unique marker in every text field, save
//! while the relay is down (the entry waits sealed in the outbox), bring the relay
//! back, let the entry upload, end the session and close the browser. Then every file
//! of the profile directory, of the relay's data directory and the relay's stdout and
//! stderr is searched for the marker: raw (UTF-8), UTF-16LE, and base64 in all three
//! alignments (standard and URL-safe alphabets). Any hit fails; so does any trace of
//! the passphrase. Finally the same
//! profile is opened again — with the relay stopped, so the app comes from the service
//! worker's shell cache — and the app must be locked, show no record, and unlock only
//! with the passphrase (offline, from the cached wrapped identity).
//!
//! The session fills the full intake and the family's consent, every free-text field
//! holding the marker, and attaches a scanned page (a JPEG-headed file holding the
//! marker) to the paper signature: the scan is sealed in the browser as a stream.
//!
//! Every role's page takes its turn on the same browser before it is closed: the
//! adviser signs in, opens the family with her identity file (the marker on her page)
//! and ends her session; the privacy officer scans the device, signs in, checks the
//! relay and ends hers. The profile must then also hold neither key holder's token nor
//! the adviser's key.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;

const PASSPHRASE: &str = "saffron window pelican 58 drum";
const NAME: &str = "canary-caseworker";

/// Every form of `marker` the search looks for, with a label for the failure message.
fn needles(marker: &str) -> Vec<(String, Vec<u8>)> {
    let raw = marker.as_bytes();
    let mut out = vec![("raw".to_owned(), raw.to_vec())];
    out.push(("utf-16le".into(), marker.encode_utf16().flat_map(u16::to_le_bytes).collect()));
    for (alphabet, engine) in [("base64", &STANDARD), ("base64url", &URL_SAFE)] {
        for k in 0..3usize {
            // With k bytes before the marker, the characters that depend only on the
            // marker's bytes are those from ceil(8k/6) to floor(8(k+n)/6).
            let mut bytes = vec![0u8; k];
            bytes.extend_from_slice(raw);
            let s = engine.encode(&bytes);
            let (from, to) = ((8 * k).div_ceil(6), 8 * (k + raw.len()) / 6);
            out.push((format!("{alphabet} at offset {k}"), s.as_bytes()[from..to].to_vec()));
        }
    }
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => files_under(&p, out),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// Every (file, form) where a needle occurs; also how many files were searched.
fn search(roots: &[&Path], needles: &[(String, Vec<u8>)]) -> (Vec<String>, usize) {
    let mut files = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root.to_path_buf());
        } else {
            files_under(root, &mut files);
        }
    }
    let mut hits = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else { continue };
        for (form, n) in needles {
            if bytes.windows(n.len()).any(|w| w == n.as_slice()) {
                hits.push(format!("{} ({form})", f.display()));
            }
        }
    }
    (hits, files.len())
}

fn enrolment_link(relay: &RelayProcess) -> String {
    let out = amanat(&relay.data, &["user", "add", NAME, "--role", "caseworker"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let link = text.lines().find(|l| l.contains("#enrol=")).expect("`amanat user add` prints an enrolment link");
    let token = link.split("#enrol=").nth(1).unwrap().trim();
    relay.url(&format!("/#enrol={token}"))
}

async fn wait_until(what: &str, secs: u64, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok().await {
        assert!(Instant::now() < deadline, "{what} did not happen within {secs}s");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn after_end_session_nothing_typed_is_left_in_the_browser_profile_the_relay_or_its_logs() {
    let _turn = heavy_story();
    let marker = format!("Qanary{}", &shared::CaseId::random().to_string()[..16]);
    let mut relay = RelayProcess::start_with_app(&[]);
    let link = enrolment_link(&relay);

    // 1. Enrol and fill every text field with the marker.
    let browser = Browser::start().await.unwrap();
    browser.enrol(&link, NAME, PASSPHRASE).await.unwrap();
    let url_now = browser.client.current_url().await.unwrap();
    assert!(url_now.fragment().is_none(), "the enrolment token must leave the address bar: {url_now}");
    browser.fill_intake_with(&format!("{marker}family"), &format!("{marker}child"), &marker).await.unwrap();

    // 2. Save while the relay is down: sealed and waiting on this device; the relay
    //    comes back and the entry uploads by itself.
    browser.save_intake_through_a_relay_outage(&mut relay).await.unwrap();

    // 3. The family's consent, every text field holding the marker, signed on paper
    //    with a scan that holds it too (a file outside every searched directory, as a
    //    scanner leaves it).
    let scans = tempfile::tempdir().unwrap();
    let scan =
        amanat_tests::support::steps::scan_file(scans.path(), "consent-scan.jpg", &format!("{marker} scanned page"))
            .unwrap();
    browser.open_part("case").await.unwrap();
    browser.fill_consent_with(&marker, &scan).await.unwrap();
    browser.save_consent().await.unwrap();
    browser.open_part("outbox").await.unwrap();
    wait_until("the intake, the scan and the consent to upload", 90, async || {
        browser.count("li.outbox-entry[data-state=uploaded]").await.unwrap() == 3
    })
    .await;
    browser.screenshot("canary-uploaded").await.unwrap();

    // 4. End the session: the page is locked and shows nothing of the record.
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 20).await.unwrap();
    assert_eq!(browser.count("#f-family_name, #consent-form").await.unwrap(), 0);
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 0);
    let source = browser.client.source().await.unwrap();
    assert!(!source.contains(&marker), "the locked page's DOM still holds the marker");

    // 4b. Every other role's page on the same computer: the adviser opens the family
    //     (the marker on her page), then ends her session; the privacy officer checks
    //     this device and the relay, then ends hers.
    let adviser_token = relay.demo_file("adviser.token");
    let adviser_identity = relay.data.join("demo/adviser-identity.txt");
    browser.goto(&relay.url("/adviser")).await.unwrap();
    browser.sign_in(backend::demo::ADVISER, &adviser_token).await.unwrap();
    browser.wait_for("#identity-file", 30).await.unwrap().send_keys(adviser_identity.to_str().unwrap()).await.unwrap();
    browser.wait_for_text(&format!("{marker}family"), 60).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-token", 30).await.unwrap();
    assert!(!browser.client.source().await.unwrap().contains(&marker), "the adviser page still shows the marker");
    let out = amanat(&relay.data, &["user", "add", "canary-officer", "--role", "privacy-officer", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let officer_token = stdout(&out).lines().last().unwrap().trim().to_owned();
    browser.client.goto(&relay.url("/privacy")).await.unwrap();
    browser.choose_language("en").await.unwrap();
    browser.click("#privacy-scan").await.unwrap();
    browser.wait_for("#privacy-counts[data-run='1']", 120).await.unwrap();
    browser.sign_in("canary-officer", &officer_token).await.unwrap();
    browser.wait_for("#privacy-relay-result", 120).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-token", 30).await.unwrap();
    // Give the browser a moment to write what it writes on its own (session state).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let profile = browser.close().await.unwrap();
    relay.terminate();

    // 5. Search every byte.
    let marker_needles = needles(&marker);
    let (hits, searched) = search(&[profile.path(), &relay.data, &relay.stdout, &relay.stderr], &marker_needles);
    assert!(searched > 50, "the search must cover the profile ({searched} files)");
    assert!(hits.is_empty(), "the marker was found:\n{}", hits.join("\n"));
    // Nor the passphrase: no password manager kept it, and the relay never saw it.
    let (hits, _) = search(&[profile.path(), &relay.data, &relay.stdout, &relay.stderr], &needles(PASSPHRASE));
    assert!(hits.is_empty(), "the passphrase was found:\n{}", hits.join("\n"));
    // Nor, in the browser's profile, the key holders' tokens or the adviser's key.
    let adviser_key = std::fs::read_to_string(&adviser_identity).unwrap();
    let adviser_key = adviser_key.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")).unwrap().to_owned();
    for (what, secret) in
        [("adviser token", &adviser_token), ("officer token", &officer_token), ("adviser key", &adviser_key)]
    {
        let (hits, _) = search(&[profile.path()], &needles(secret));
        assert!(hits.is_empty(), "the {what} was found:\n{}", hits.join("\n"));
    }
    // The search itself finds what is there: the entry is on the relay as ciphertext,
    // and a file holding the marker in any searched form is caught.
    let probe = relay.data.join("probe.txt");
    for (form, needle) in &marker_needles {
        std::fs::write(&probe, [b"..".as_slice(), needle, b".."].concat()).unwrap();
        let (found, _) = search(&[&probe], &marker_needles);
        assert!(!found.is_empty(), "the search misses the {form} form");
    }
    std::fs::remove_file(&probe).unwrap();

    // 6. The same profile again, relay stopped: the app opens from the service
    //    worker's shell, locked, showing nothing until the passphrase is given.
    let again = Browser::start_in(profile).await.unwrap();
    again.goto(&relay.url("/")).await.unwrap();
    again.wait_for("#signin-passphrase", 30).await.unwrap();
    again.screenshot("canary-reopened-locked").await.unwrap();
    assert_eq!(again.count("#f-family_name, #consent-form").await.unwrap(), 0, "locked: no form");
    assert_eq!(again.count("li.outbox-entry").await.unwrap(), 0, "locked: no outbox");
    assert!(!again.client.source().await.unwrap().contains(&marker));
    // A wrong passphrase does not open it, offline either.
    again.type_into("signin-name", NAME).await.unwrap();
    again.type_into("signin-passphrase", "saffron window pelican 58 drums").await.unwrap();
    again.click("#signin-submit").await.unwrap();
    again.wait_for_text(shared::ErrorCode::WrongPassphrase.message(), 30).await.unwrap();
    assert_eq!(again.count("#session-name").await.unwrap(), 0);
    // The right one does, from the device's cached wrapped identity, and the
    // caseworker sees their own entry.
    let started = Instant::now();
    again.unlock(NAME, PASSPHRASE).await.unwrap();
    // Argon2id (64 MiB, t = 3) + unwrapping + IndexedDB, as a person waits for it.
    println!("offline unlock took {:?} (target: 1.5 s)", started.elapsed());
    wait_until("the own outbox entry to show", 20, async || {
        again.open_part("outbox").await.is_ok()
            && again.count("li.outbox-entry[data-state=uploaded]").await.unwrap() == 3
    })
    .await;
    again.screenshot("canary-unlocked-offline").await.unwrap();
}
