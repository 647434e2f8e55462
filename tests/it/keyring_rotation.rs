//! Story: the organisation rotates its keyring, end to end, with the real CLI, the real
//! relay, headless Chromium and the reference `age` CLI.
//!
//! A caseworker enrols two families, one with a consent signed on paper and its scan;
//! their entries are sealed to keyring version 1 (demo adviser A and the recovery key). The administrator adds adviser B and removes
//! A with `amanat keyring add/remove`. B cannot open the old entries. A recovery key
//! holder (who holds a key in both keyrings) loads the recovery identity — protected
//! with a passphrase by `age -p` — in the browser, and presses "re-seal to current
//! keyring": each entry is sealed again to B and the recovery key and uploaded as a
//! superseding entry, the scan too (the signed consent names its bytes by hash, so the
//! consent is sealed again unchanged and still names the scan B opens). B then opens everything (with `age` and in the browser), A's key
//! opens none of the new entries, a second re-seal uploads nothing, the administrator
//! removes the superseded entries with `amanat entries remove --superseded` and
//! `amanat verify` passes. Last, the relay serves a keyring whose signature fails: the
//! caseworker app and the re-seal both refuse it with the clear error and seal nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use shared::api::{EntryMeta, EntryPage};
use shared::ErrorCode;

const PASSPHRASE: &str = "walnut lantern 7 quiet river";

/// Keeps every Web Worker the page starts in `window.__workers`, each marked `__unlock`
/// once it is sent an identity file to unlock and `__ended` once the page terminates it.
const COUNT_WORKERS: &str = "
    window.__workers = [];
    const Plain = window.Worker;
    window.Worker = class extends Plain {
        constructor(...args) { super(...args); this.__ended = false; window.__workers.push(this); }
        postMessage(message, ...rest) {
            if (message && message.unlock !== undefined) this.__unlock = true;
            return super.postMessage(message, ...rest);
        }
        terminate() { this.__ended = true; super.terminate(); }
    };";

/// A 50 ms timer that notes, while the card says it is unlocking (`#key-working` shown),
/// how many times it ran and the longest gap between two runs.
const TICKER: &str = "
    const working = document.getElementById('key-working');
    window.__ticks = { count: 0, maxGap: 0, last: null };
    window.__ticker = setInterval(() => {
        const now = performance.now(), t = window.__ticks;
        if (t.last !== null) t.maxGap = Math.max(t.maxGap, now - t.last);
        const busy = !working.classList.contains('hidden');
        t.last = busy ? now : null;
        if (busy) t.count++;
    }, 50);";

/// Waits until the focused element is `#id` (the card moves the focus a task later).
async fn wait_focus(b: &Browser, id: &str) {
    let mut at = serde_json::Value::Null;
    for _ in 0..50 {
        at = b
            .client
            .execute("const a = document.activeElement; return a ? (a.id || a.tagName) : null;", vec![])
            .await
            .unwrap();
        if at == id {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the focus should be on #{id}, it is on {at}");
}

/// Every entry the relay lists, as an adviser sees them.
async fn listed(relay: &RelayProcess, token: &str) -> Vec<EntryMeta> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page: EntryPage = http
            .get(relay.url(&format!("/api/v1/entries?after={after}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(page.entries);
        match page.next {
            Some(next) => after = next,
            None => return out,
        }
    }
}

/// The reference `age` CLI's verdict: the plaintext, or `None` if the key does not open it.
fn age_opens(identity: &Path, ciphertext: &[u8], scratch: &Path) -> Option<Vec<u8>> {
    let file = scratch.join("entry.age");
    std::fs::write(&file, ciphertext).unwrap();
    let out = Command::new("age").arg("-d").arg("-i").arg(identity).arg(&file).output().expect("Debian's age");
    out.status.success().then_some(out.stdout)
}

/// `age -e -p -a` on a pseudo-terminal (age reads passphrases from the terminal only).
fn protect_with_age_p(plain: &Path, out: &Path) {
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &format!("age -e -p -a -o {} {}", out.display(), plain.display()), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("script (util-linux)");
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(400));
        std::io::Write::write_all(&mut stdin, format!("{PASSPHRASE}\n").as_bytes()).unwrap();
    }
    assert!(child.wait().unwrap().success(), "age -p failed");
}

/// The public key of an identity file.
fn recipient_of(identity: &Path) -> String {
    let text = std::fs::read_to_string(identity).unwrap();
    shared::seal::parse_identity_file(&text).unwrap()[0].to_public().to_string()
}

/// `amanat user add NAME --role adviser --token`: the token (last line).
fn add_adviser(data: &Path, name: &str) -> String {
    let out = amanat(data, &["user", "add", name, "--role", "adviser", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(&out).lines().last().unwrap().trim().to_owned()
}

fn run_ok(data: &Path, args: &[&str]) -> String {
    let out = amanat(data, args);
    assert!(out.status.success(), "amanat {args:?} failed: {}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

/// Waits until the re-seal card says a run ended; returns (re-sealed, current, skipped).
/// Presses Re-seal and reads what it did: (re-sealed, current, skipped, kept).
async fn reseal(browser: &Browser) -> (usize, usize, usize, usize) {
    browser.click("#reseal-start:not([disabled])").await.unwrap();
    let el = browser.wait_for("#reseal-counts[data-running=false]", 120).await.unwrap();
    let n = |v: Option<String>| v.unwrap().parse::<usize>().unwrap();
    (
        n(el.attr("data-resealed").await.unwrap()),
        n(el.attr("data-current").await.unwrap()),
        n(el.attr("data-skipped").await.unwrap()),
        n(el.attr("data-kept").await.unwrap()),
    )
}

#[tokio::test]
async fn a_revoked_adviser_reads_none_of_the_re_sealed_entries_and_the_new_one_reads_them_all() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&["--idle-lock-minutes", "60"]);
    let data = relay.data.clone();
    let scratch = tempfile::tempdir().unwrap();
    let demo = |f: &str| -> PathBuf { data.join("demo").join(f) };
    let (a_identity, r_identity) = (demo("adviser-identity.txt"), demo("recovery-identity.txt"));
    let a_token = relay.demo_file("adviser.token");

    // 1. Two families enrolled in the browser: sealed to keyring version 1 (A + recovery).
    let caseworker = Browser::start().await.unwrap();
    caseworker.enrol_demo_caseworker(&relay).await.unwrap();
    for (n, family) in ["Karimova", "Tursunova"].into_iter().enumerate() {
        caseworker.fill_intake(family, "Child of the family").await.unwrap();
        caseworker.open_part("outbox").await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while caseworker.count("li.outbox-entry[data-state=uploaded]").await.unwrap() < n + 1 {
            assert!(std::time::Instant::now() < deadline, "{family} never uploaded");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    // Tursunova's consent, signed on paper: the scan is an entry of its own that the
    // signed consent names (by entry id and by the SHA-256 of its bytes).
    let scan = amanat_tests::support::steps::scan_file(scratch.path(), "consent-scan.jpg", "Tursunova page 1").unwrap();
    caseworker.open_part("case").await.unwrap();
    caseworker.fill_consent_with("Tursunova", &scan).await.unwrap();
    caseworker.save_consent().await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while caseworker.count("li.outbox-entry[data-state=uploaded]").await.unwrap() < 4 {
        assert!(std::time::Instant::now() < deadline, "the consent and its scan never uploaded");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let old = listed(&relay, &a_token).await;
    assert_eq!(old.len(), 4);
    assert!(old.iter().all(|m| m.keyring_version == Some(1)), "{old:?}");

    // 2. The administrator adds B and removes A, signing with the organisation key.
    let b_identity = scratch.path().join("adviser-b.txt");
    std::fs::write(&b_identity, shared::seal::identity_file(&shared::seal::generate_identity(), "adviser B")).unwrap();
    let b_token = add_adviser(&data, "adviser-b");
    let r_token = add_adviser(&data, "recovery-holder");
    let org_key = demo("org-signing.key");
    let org_key = org_key.to_str().unwrap();
    run_ok(
        &data,
        &[
            "keyring",
            "add",
            "--org-key",
            org_key,
            "--label",
            "Adviser B",
            "--role",
            "adviser",
            "--recipient",
            &recipient_of(&b_identity),
        ],
    );
    let said = run_ok(&data, &["keyring", "remove", "--org-key", org_key, "--recipient", &recipient_of(&a_identity)]);
    assert!(said.contains("version 3"), "{said}");

    // B cannot open the old entries; A still can (they were sealed to A).
    let mut old_plain = Vec::new();
    for m in &old {
        let ct = relay.fetch(&b_token, &m.id.to_string()).await;
        assert!(age_opens(&b_identity, &ct, scratch.path()).is_none(), "B opened an entry sealed before B was added");
        old_plain.push(age_opens(&a_identity, &ct, scratch.path()).expect("A's old entry"));
    }

    // 3. The recovery key holder loads the passphrase-protected recovery identity.
    let protected = scratch.path().join("recovery.age");
    protect_with_age_p(&r_identity, &protected);
    assert!(std::fs::read_to_string(&protected).unwrap().starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let holder = Browser::start().await.unwrap();
    holder.goto(&relay.url("/adviser")).await.unwrap();
    holder.sign_in("recovery-holder", &r_token).await.unwrap();
    holder.client.execute(COUNT_WORKERS, vec![]).await.unwrap();
    holder.wait_for("#identity-file", 20).await.unwrap().send_keys(protected.to_str().unwrap()).await.unwrap();
    holder.wait_for("#key-passphrase-form:not(.hidden)", 20).await.unwrap();
    holder.type_into("key-passphrase", "walnut lantern 8 quiet river").await.unwrap();
    holder.click("#key-open").await.unwrap();
    holder.wait_for_text(ErrorCode::IdentityPassphraseWrong.message(), 60).await.unwrap();
    wait_focus(&holder, "key-passphrase").await;
    assert_eq!(holder.count("#forget-key:not([disabled])").await.unwrap(), 0, "a wrong passphrase loads no key");
    // Whether each unlocking worker so far was ended.
    let workers = || async {
        let script = "return window.__workers.filter(w => w.__unlock).map(w => w.__ended);";
        holder.client.execute(script, vec![]).await.unwrap()
    };
    assert_eq!(workers().await, serde_json::json!([true]), "the wrong passphrase's unlocking worker was ended");
    // Cancel while it unlocks: the worker is ended, no key is loaded, the field is back.
    holder.type_into("key-passphrase", PASSPHRASE).await.unwrap();
    holder.click("#key-open").await.unwrap();
    holder.wait_for("#key-working:not(.hidden) progress", 10).await.unwrap();
    // The field and Open are disabled meanwhile: the focus is on Cancel, not lost; the
    // live region is outside the aria-busy form.
    wait_focus(&holder, "key-cancel").await;
    assert_eq!(holder.count("#key-passphrase-form[aria-busy=true]").await.unwrap(), 1);
    assert_eq!(
        holder.count("#key-passphrase-form [role=status]").await.unwrap(),
        0,
        "a live region inside the busy form"
    );
    holder.screenshot("keyring-rotation-unlocking").await.unwrap();
    holder.click("#key-cancel").await.unwrap();
    holder.wait_for_text("Opening the identity file was cancelled", 5).await.unwrap();
    assert_eq!(workers().await, serde_json::json!([true, true]), "Cancel ends the unlocking worker");
    holder.wait_for("#key-working.hidden", 5).await.unwrap();
    holder.wait_for("#key-passphrase:not([disabled])", 5).await.unwrap();
    wait_focus(&holder, "key-passphrase").await;
    assert_eq!(holder.count("#forget-key:not([disabled])").await.unwrap(), 0, "a cancelled unlock loads no key");
    // Another tab of the app locking while it unlocks: this tab signs out and reloads,
    // so the unlocking worker, the page's memory and the half-typed passphrase all go
    // with the old page, and the sign-in says why.
    holder.type_into("key-passphrase", PASSPHRASE).await.unwrap();
    holder.click("#key-open").await.unwrap();
    holder.wait_for("#key-working:not(.hidden)", 10).await.unwrap();
    holder.client.execute("new BroadcastChannel('amanat-vault').postMessage('lock');", vec![]).await.unwrap();
    holder.wait_for("#lock-reason", 30).await.unwrap();
    holder.wait_for_text("Locked because the app was locked in another tab", 5).await.unwrap();
    let session = holder
        .client
        .execute("return fetch('/api/v1/session', { credentials: 'same-origin' }).then(r => r.status);", vec![]);
    assert_eq!(session.await.unwrap(), serde_json::json!(401), "the lock signed this tab out");
    assert_eq!(holder.count("#forget-key:not([disabled])").await.unwrap(), 0, "an unlock ended by a lock loads no key");
    holder.sign_in("recovery-holder", &r_token).await.unwrap();
    holder.client.execute(COUNT_WORKERS, vec![]).await.unwrap();
    holder.wait_for("#identity-file", 20).await.unwrap().send_keys(protected.to_str().unwrap()).await.unwrap();
    holder.wait_for("#key-passphrase-form:not(.hidden)", 20).await.unwrap();
    // The right passphrase, with a timer ticking every 50 ms on the page while it
    // unlocks: scrypt runs in a worker, so no tick waits long (on the page's own thread
    // it held the page for the whole ~9 s).
    holder.type_into("key-passphrase", PASSPHRASE).await.unwrap();
    holder.client.execute(TICKER, vec![]).await.unwrap();
    let started = std::time::Instant::now();
    holder.click("#key-open").await.unwrap();
    holder.wait_for("#forget-key:not([disabled])", 60).await.unwrap();
    let unlocked = started.elapsed();
    wait_focus(&holder, "key-state").await;
    let ticks = holder.client.execute("clearInterval(window.__ticker); return window.__ticks;", vec![]).await.unwrap();
    let (count, max_gap) = (ticks["count"].as_u64().unwrap(), ticks["maxGap"].as_f64().unwrap());
    eprintln!(
        "an age -p identity file (scrypt work factor 18) opened in the browser in {unlocked:?}; \
         the page's 50 ms timer ticked {count} times meanwhile, longest gap {max_gap:.0} ms"
    );
    assert!(count >= 10, "the timer ticked {count} times while unlocking: did it unlock at all?");
    assert!(max_gap < 500.0, "the page stood still for {max_gap:.0} ms while unlocking");
    assert_eq!(workers().await, serde_json::json!([true]), "the unlocking worker is ended once it answered");
    let typed = holder.wait_for("#key-passphrase", 5).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some(""), "the passphrase does not stay in the page");
    holder.screenshot("keyring-rotation-key-loaded").await.unwrap();

    // 4. Re-seal to the current keyring: every entry sealed again and uploaded, the
    //    consent's scan too (kept back, under the old keyring, before references named
    //    their attachment's bytes).
    assert_eq!(reseal(&holder).await, (4, 0, 0, 0));
    holder.screenshot("keyring-rotation-resealed").await.unwrap();
    let all = listed(&relay, &b_token).await;
    assert_eq!(all.len(), 8);
    let new: Vec<&EntryMeta> = all.iter().filter(|m| !old.iter().any(|o| o.id == m.id)).collect();
    assert_eq!(new.len(), 4);
    let mut new_plain = Vec::new();
    for m in &new {
        assert_eq!((m.author.as_str(), m.keyring_version), ("recovery-holder", Some(3)));
        let ct = relay.fetch(&b_token, &m.id.to_string()).await;
        let plain = age_opens(&b_identity, &ct, scratch.path()).expect("B opens every re-sealed entry");
        assert!(old_plain.contains(&plain), "a re-sealed entry holds the same record");
        new_plain.push(plain.clone());
        assert!(
            age_opens(&a_identity, &ct, scratch.path()).is_none(),
            "the removed adviser A opened a re-sealed entry"
        );
        assert!(age_opens(&r_identity, &ct, scratch.path()).is_some(), "the recovery key opens it");
    }
    // The scan B opens is the scanned file, and the consent B opens (its author's
    // signature intact) names exactly those bytes.
    let scanned = std::fs::read(&scan).unwrap();
    assert!(new_plain.contains(&scanned), "B opens the re-sealed scan");
    let content = shared::ids::ContentHash::of(&scanned).to_string();
    assert!(
        new_plain.iter().any(|p| p.windows(content.len()).any(|w| w == content.as_bytes())),
        "the re-sealed consent names the scan's bytes"
    );
    // Running it again finds everything current: nothing is uploaded twice.
    assert_eq!(reseal(&holder).await, (0, 8, 0, 0));
    assert_eq!(listed(&relay, &b_token).await.len(), 8);

    // 5. The administrator removes the superseded entries; verify passes.
    let dry = run_ok(&data, &["entries", "remove", "--superseded", "--dry-run"]);
    assert!(dry.contains("Would remove 4 superseded entries"), "{dry}");
    assert!(old.iter().all(|m| dry.contains(&m.id.to_string())), "{dry}");
    assert_eq!(listed(&relay, &b_token).await.len(), 8, "a dry run changes nothing");
    let listed_only = run_ok(&data, &["entries", "remove", "--superseded"]);
    assert!(listed_only.contains("Would remove 4 superseded entries"), "without --yes it only lists: {listed_only}");
    let done = run_ok(&data, &["entries", "remove", "--superseded", "--yes"]);
    assert!(done.contains("Removed 4 superseded entries"), "{done}");
    let left = listed(&relay, &b_token).await;
    assert_eq!(left.iter().map(|m| m.id).collect::<Vec<_>>(), new.iter().map(|m| m.id).collect::<Vec<_>>());
    let verified = run_ok(&data, &["verify"]);
    assert!(verified.contains("4 entries checked: 4 passed, 0 failed"), "{verified}");
    assert!(run_ok(&data, &["entries", "remove", "--superseded", "--yes"]).contains("Removed 0"));

    // B reads both families in the browser.
    let b = Browser::start().await.unwrap();
    b.goto(&relay.url("/adviser")).await.unwrap();
    b.sign_in("adviser-b", &b_token).await.unwrap();
    b.wait_for("#identity-file", 20).await.unwrap().send_keys(b_identity.to_str().unwrap()).await.unwrap();
    b.wait_for_text("Karimova", 60).await.unwrap();
    b.wait_for_text("Tursunova", 60).await.unwrap();
    // The scan is in the case file once (the re-sealed copy); no record names a scan
    // the case does not hold.
    b.wait_for("li.attachment[data-code=jpeg]", 30).await.unwrap();
    assert_eq!(b.count("li.attachment").await.unwrap(), 1);
    assert_eq!(b.count("li.attachment-missing").await.unwrap(), 0);
    b.screenshot("keyring-rotation-b-reads").await.unwrap();
    b.close().await.unwrap();

    // 6. The relay serves the keyring unsigned (an empty signature), then with a
    // recipient the organisation did not sign: refused each time, nothing sealed. (A
    // keyring the relay cannot serve at all is another case: the app then seals to the
    // last keyring that verified, as it does offline.)
    let path = data.join("keyring.json");
    let signed = std::fs::read(&path).unwrap();
    let mut unsigned: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    unsigned["signature"] = serde_json::Value::String(String::new());
    std::fs::write(&path, serde_json::to_vec_pretty(&unsigned).unwrap()).unwrap();
    let before = listed(&relay, &b_token).await.len();
    holder.click("#reseal-start:not([disabled])").await.unwrap();
    holder.wait_for_text(ErrorCode::KeyringBadSignature.message(), 30).await.unwrap();
    holder.wait_for("#reseal-start:not([disabled])", 10).await.unwrap();
    assert_eq!(listed(&relay, &b_token).await.len(), before, "nothing uploaded against an unsigned keyring");
    holder.click("#forget-key").await.unwrap();
    std::fs::write(&path, &signed).unwrap();
    relay.slip_a_recipient_into_the_keyring();
    caseworker.fill_intake("Abdullaeva", "Child of the family").await.unwrap();
    caseworker.wait_for_text(ErrorCode::KeyringBadSignature.message(), 30).await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    assert_eq!(caseworker.count("li.outbox-entry").await.unwrap(), 4, "nothing sealed to the tampered keyring");
    holder.wait_for("#key-passphrase-form.hidden", 5).await.unwrap();
    holder.wait_for("#identity-file", 5).await.unwrap().send_keys(b_identity.to_str().unwrap()).await.unwrap();
    holder.wait_for("#forget-key:not([disabled])", 30).await.unwrap();
    // Opening finishes first, so its own status line does not cover the refusal.
    holder.wait_for("#opening[data-state=done]", 60).await.unwrap();
    holder.click("#reseal-start:not([disabled])").await.unwrap();
    holder.wait_for_text(ErrorCode::KeyringBadSignature.message(), 30).await.unwrap();
    holder.screenshot("keyring-rotation-tampered-keyring").await.unwrap();
    assert_eq!(listed(&relay, &b_token).await.len(), before, "nothing uploaded against the tampered keyring");
    caseworker.close().await.unwrap();
    holder.close().await.unwrap();
}

/// The key is dropped on the drop zone (a `DataTransfer` holding the file, as a drag
/// from the file manager delivers it) and forgotten after the organisation's idle
/// time (10 s here, `--idle-lock-seconds`), as the caseworker vault would lock: the key,
/// the opened records and the file input go, and the page says why.
#[tokio::test]
async fn a_dropped_key_is_forgotten_after_the_organisations_idle_time() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&["--idle-lock-seconds", "10"]);
    let caseworker = Browser::start().await.unwrap();
    caseworker.enrol_demo_caseworker(&relay).await.unwrap();
    caseworker.fill_intake("Yusupova", "Child of the family").await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    caseworker.close().await.unwrap();

    let adviser = Browser::start().await.unwrap();
    adviser.goto(&relay.url("/adviser")).await.unwrap();
    adviser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    adviser.wait_for("#key-drop", 20).await.unwrap();
    let identity = std::fs::read_to_string(relay.data.join("demo/adviser-identity.txt")).unwrap();
    adviser
        .client
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[0]], 'adviser-identity.txt', { type: 'text/plain' }));
             const zone = document.getElementById('key-drop');
             zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
             zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![serde_json::Value::String(identity)],
        )
        .await
        .unwrap();
    adviser.wait_for_text("Yusupova", 60).await.unwrap();
    assert_eq!(adviser.count("#forget-key:not([disabled])").await.unwrap(), 1);
    let loaded = std::time::Instant::now();

    // No input for the organisation's 10 s: the page locks as the caseworker's does: it
    // signs out and reloads to the sign-in, key, records and memory gone with it.
    adviser.wait_for("#lock-reason", 60).await.unwrap();
    let after = loaded.elapsed();
    // The idle time counts from the guard's last look at input, which is before the
    // records showed (`loaded`): a few seconds of slack, never none.
    assert!(after >= Duration::from_secs(6), "locked after {after:?}, before the idle time");
    let text = adviser.wait_for_text("Locked after a time without use", 5).await.unwrap();
    assert!(!text.contains("Yusupova"), "an opened record stayed on the page after the lock");
    assert_eq!(adviser.count("#forget-key:not([disabled])").await.unwrap(), 0);
    adviser.screenshot("keyring-rotation-idle-forgotten").await.unwrap();
    adviser.close().await.unwrap();
}
