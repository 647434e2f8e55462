//! Browser tests of sealed drafts (headless Chromium through wasm-bindgen-test): a form
//! in progress is sealed to its author alone and kept in IndexedDB after a quiet pause,
//! at once when the page is hidden or left, and when the form unmounts (as locking
//! does); it resumes after unlock with the author's identity only; a save discards it.
//! Every stored byte is searched for the typed marker: none may be found.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- drafts::`

use std::cell::Cell;
use std::rc::Rc;

use amanat_frontend::drafts::{self, draft_key, DraftHandle, DraftStatus, DEBOUNCE_MS};
use amanat_frontend::i18n::provide_i18n;
use amanat_frontend::local_db;
use amanat_frontend::session::Session;
use amanat_frontend::vault::Unlocked;
use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::prelude::*;
use leptos::prelude::*;
use shared::api::Role;
use shared::forms::followup::FollowUp;
use shared::i18n::{Catalog, Locale};
use shared::seal::{generate_identity, Identity};
use shared::{CaseId, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const MARKER: &str = "CANARY-d1a7f-draft-notes";

/// A caseworker of their own (a fresh account name per test, so drafts do not meet).
fn caseworker() -> (String, Identity) {
    (format!("cw-{}", (js_sys::Math::random() * 1e9) as u64), generate_identity())
}

fn unlocked(name: &str, identity: &Identity) -> Unlocked {
    Unlocked {
        name: name.to_owned(),
        role: Role::Caseworker,
        identity: identity.clone(),
        recipient: identity.to_public(),
        author: std::sync::Arc::new(shared::authorship::AuthorKey::generate()),
    }
}

fn typed(n: u32) -> FollowUp {
    FollowUp { notes: format!("{MARKER} visit {n}"), ..Default::default() }
}

/// A follow-up form with autosave, mounted; unmounted (as locking does) on drop.
struct Form {
    value: RwSignal<FollowUp>,
    draft: DraftHandle<FollowUp>,
    handle: Option<Box<dyn std::any::Any>>,
    container: web_sys::HtmlElement,
}

impl Form {
    fn unmount(&mut self) {
        self.handle.take();
    }
}

impl Drop for Form {
    fn drop(&mut self) {
        self.unmount();
        self.container.remove();
    }
}

async fn mount(name: &str, identity: &Identity, case: Option<CaseId>) -> Form {
    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let slot = Rc::new(Cell::new(None));
    let out = slot.clone();
    let session = Session {
        author: name.to_owned(),
        own: identity.to_public(),
        author_key: Signal::derive(|| None),
        pin: RwSignal::new(None),
        saved: Callback::new(|_| {}),
    };
    let handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, vec![Catalog::embedded(Locale::En)]);
        let value = RwSignal::new(FollowUp::default());
        let draft = drafts::autosave(&session, "followup", case, value);
        out.set(Some((value, draft)));
        view! { <p>{move || value.with(|v| v.notes.len())}</p> <DraftStatus draft=draft /> }
    });
    let (value, draft) = slot.take().unwrap();
    // Let autosave open its database handle.
    TimeoutFuture::new(100).await;
    Form { value, draft, handle: Some(Box::new(handle)), container }
}

/// Lets the autosave effect see a change (effects run after the current task).
async fn tick() {
    TimeoutFuture::new(0).await;
}

async fn stored(name: &str, case: Option<CaseId>) -> Option<drafts::StoredDraft> {
    let db = local_db::open().await.unwrap();
    drafts::load(&db, &draft_key(name, "followup", case)).await.unwrap()
}

/// Every value of the `drafts` store as IndexedDB returns it, as bytes and text.
async fn raw_drafts_contain(needle: &str) -> bool {
    let db = local_db::open().await.unwrap();
    let tx = db.transaction(local_db::DRAFTS).build().unwrap();
    let store = tx.object_store(local_db::DRAFTS).unwrap();
    let values: Vec<JsValue> =
        store.get_all::<JsValue>().primitive().unwrap().await.unwrap().map(Result::unwrap).collect();
    values.iter().any(|v| {
        let sealed = js_sys::Reflect::get(v, &"sealed".into()).unwrap();
        let bytes = js_sys::Uint8Array::new(&sealed).to_vec();
        let text = js_sys::JSON::stringify(v).map(String::from).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) || text.contains(needle)
    })
}

/// Fires `visibilitychange` at the document as the browser does: bubbling to the window.
fn fire_visibilitychange() {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    document().dispatch_event(&web_sys::Event::new_with_event_init_dict("visibilitychange", &init).unwrap()).unwrap();
}

/// Makes `document.visibilityState` say `state` (an own property shadowing the
/// browser's getter), or gives the browser's back with `None`.
fn set_visibility(state: Option<&str>) {
    let doc: js_sys::Object = JsValue::from(document()).unchecked_into();
    let _ = js_sys::Reflect::delete_property(&doc, &"visibilityState".into());
    if let Some(state) = state {
        let desc = js_sys::Object::new();
        let getter = js_sys::Function::new_no_args(&format!("return '{state}';"));
        js_sys::Reflect::set(&desc, &"get".into(), &getter).unwrap();
        js_sys::Reflect::set(&desc, &"configurable".into(), &true.into()).unwrap();
        js_sys::Object::define_property(&doc, &"visibilityState".into(), &desc);
    }
}

#[wasm_bindgen_test]
async fn a_form_left_alone_for_a_few_seconds_is_sealed_to_its_author_and_resumes_after_unlock() {
    let (name, me) = caseworker();
    let case = CaseId::random();
    let form = mount(&name, &me, Some(case)).await;
    form.value.set(typed(1));
    tick().await;
    assert!(stored(&name, Some(case)).await.is_none(), "not written while still being typed");
    TimeoutFuture::new(DEBOUNCE_MS + 300).await;
    let kept = stored(&name, Some(case)).await.expect("a draft after the pause");
    assert!(kept.sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!raw_drafts_contain(MARKER).await, "no plaintext in the store");
    assert!(form.draft.saved_at.get_untracked().is_some(), "the status line can say when");
    drop(form);

    // After unlock: the author's identity opens it; another caseworker's does not.
    let db = local_db::open().await.unwrap();
    let back = drafts::resume_from::<FollowUp>(&db, &unlocked(&name, &me), "followup", Some(case)).await.unwrap();
    assert_eq!(back.map(|r| r.value), Some(typed(1)));
    let other = generate_identity();
    let err = drafts::resume_from::<FollowUp>(&db, &unlocked(&name, &other), "followup", Some(case)).await;
    assert_eq!(err.err(), Some(ErrorCode::WrongKey));
    let elsewhere = drafts::resume::<FollowUp>(&unlocked(&name, &me), "followup", None).await;
    assert!(elsewhere.is_none(), "a draft belongs to its case");
}

#[wasm_bindgen_test]
async fn hiding_or_leaving_the_page_seals_the_draft_at_once() {
    let (name, me) = caseworker();
    let form = mount(&name, &me, None).await;
    form.value.set(typed(2));
    tick().await;
    let started = js_sys::Date::now();
    window().dispatch_event(&web_sys::Event::new("pagehide").unwrap()).unwrap();
    let kept = stored(&name, None).await.expect("written on pagehide, without waiting for the pause");
    assert!(js_sys::Date::now() - started < f64::from(DEBOUNCE_MS));
    assert_eq!(drafts::open_draft::<FollowUp>(&kept.sealed, &me).unwrap(), typed(2));

    form.value.set(typed(3));
    tick().await;
    // `visibilitychange` writes only when the page has become hidden: while visible
    // (switching back to the tab) the event alone changes nothing…
    set_visibility(Some("visible"));
    fire_visibilitychange();
    let kept = stored(&name, None).await.unwrap();
    assert_eq!(drafts::open_draft::<FollowUp>(&kept.sealed, &me).unwrap(), typed(2));
    // …and when the tab goes to the background, it writes at once.
    set_visibility(Some("hidden"));
    fire_visibilitychange();
    set_visibility(None);
    let kept = stored(&name, None).await.unwrap();
    assert_eq!(drafts::open_draft::<FollowUp>(&kept.sealed, &me).unwrap(), typed(3));
    assert!(!raw_drafts_contain(MARKER).await);
}

#[wasm_bindgen_test]
async fn locking_unmounts_the_form_and_what_was_typed_is_sealed_first() {
    let (name, me) = caseworker();
    let mut form = mount(&name, &me, None).await;
    form.value.set(typed(4));
    tick().await;
    form.unmount();
    let kept = stored(&name, None).await.expect("written when the form unmounted");
    assert_eq!(drafts::open_draft::<FollowUp>(&kept.sealed, &me).unwrap(), typed(4));
    assert!(!raw_drafts_contain(MARKER).await);
}

#[wasm_bindgen_test]
async fn a_saved_form_discards_its_draft_and_an_unchanged_form_is_not_kept_again() {
    let (name, me) = caseworker();
    let form = mount(&name, &me, None).await;
    form.value.set(typed(5));
    tick().await;
    form.draft.flush();
    assert!(stored(&name, None).await.is_some());
    form.draft.discard();
    TimeoutFuture::new(100).await;
    assert!(stored(&name, None).await.is_none(), "discarded after the save");
    form.draft.flush();
    TimeoutFuture::new(DEBOUNCE_MS + 300).await;
    assert!(stored(&name, None).await.is_none(), "the saved value is not a draft again");
    form.value.set(typed(6));
    tick().await;
    form.draft.flush();
    assert!(stored(&name, None).await.is_some(), "the next change is");
}

#[wasm_bindgen_test]
async fn an_untouched_form_leaves_no_draft() {
    let (name, me) = caseworker();
    let mut form = mount(&name, &me, None).await;
    form.draft.flush();
    window().dispatch_event(&web_sys::Event::new("pagehide").unwrap()).unwrap();
    form.unmount();
    assert!(stored(&name, None).await.is_none());
}

#[wasm_bindgen_test]
async fn the_status_line_says_when_the_draft_was_sealed_and_its_button_discards_it() {
    let (name, me) = caseworker();
    let form = mount(&name, &me, None).await;
    let status = form.container.query_selector(".draft-status [role=status]").unwrap().expect("a status line");
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    let button: web_sys::HtmlElement =
        form.container.query_selector(".draft-status button").unwrap().unwrap().unchecked_into();
    assert!(button.hidden(), "nothing to discard yet");

    form.value.set(typed(7));
    tick().await;
    form.draft.flush();
    TimeoutFuture::new(40).await;
    let said = status.text_content().unwrap_or_default();
    assert!(said.starts_with("Draft sealed and kept on this device at "), "{said}");
    assert!(!said.contains(MARKER));
    assert!(!button.hidden());

    button.click();
    TimeoutFuture::new(150).await;
    assert!(stored(&name, None).await.is_none(), "the button discarded the draft");
    assert_eq!(status.text_content().unwrap_or_default(), "");
    assert!(button.hidden());

    form.draft.mark_resumed();
    TimeoutFuture::new(40).await;
    assert_eq!(status.text_content().unwrap_or_default(), Catalog::embedded(Locale::En).tr("draft-resumed", &[]));
}
