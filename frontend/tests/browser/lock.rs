//! Browser tests of locking (headless Chromium through wasm-bindgen-test): the reason a
//! page locked crosses the reload in `sessionStorage` and is read once; a lock on a page
//! that is not the app's own does not reload it (so these tests can run); a CSV's
//! `blob:` URL is dead once the key is forgotten.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- lock::`

use amanat_frontend::adviser::export::{download, live_urls, revoke_all};
use amanat_frontend::lock::{self, LockReason};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn session_storage() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn the_reason_a_page_locked_crosses_the_reload_as_a_word_and_is_read_once() {
    assert!(!lock::is_app_page(), "a test page is not the app's page");
    lock::finish(LockReason::Idle);
    assert!(!lock::is_reloading(), "only the app's own page reloads");
    assert_eq!(session_storage().get_item("amanat-lock").unwrap().as_deref(), Some("idle"), "nothing but the word");
    assert_eq!(lock::take_reason(), Some(LockReason::Idle));
    assert_eq!(session_storage().get_item("amanat-lock").unwrap(), None, "read once, then gone");
    assert_eq!(lock::last_reason(), Some(LockReason::Idle), "kept in memory for the page's sign-in");
    session_storage().set_item("amanat-lock", "<script>").unwrap();
    lock::take_reason();
    assert_eq!(session_storage().get_item("amanat-lock").unwrap(), None);
}

/// Whether `url` can still be fetched.
async fn fetchable(url: &str) -> bool {
    let promise = web_sys::window().unwrap().fetch_with_str(url);
    match JsFuture::from(promise).await {
        Ok(resp) => resp.unchecked_into::<web_sys::Response>().ok(),
        Err(_) => false,
    }
}

#[wasm_bindgen_test]
async fn a_csv_download_url_is_revoked_once_the_key_is_forgotten() {
    revoke_all();
    // The anchor's click is a download the test browser lets go.
    download(b"name;surname\n\"=1+1\";x\n", "amanat-cases.csv").unwrap();
    let live = live_urls();
    assert_eq!(live.len(), 1, "the URL lives a minute, for the browser to take the file");
    assert!(fetchable(&live[0]).await, "the plaintext is reachable by its URL meanwhile");
    revoke_all();
    assert!(live_urls().is_empty());
    assert!(!fetchable(&live[0]).await, "forgetting the key revokes the URL: the plaintext is no longer reachable");
}
