//! Sealed drafts: a form in progress kept on the device so that a reload, a closed
//! tab, an idle lock or a flat battery loses nothing — and reveals nothing.
//!
//! A draft is the form's value as JSON, sealed with age to the caseworker's **own**
//! recipient only (not the keyring: a draft is nobody else's business), stored in the
//! IndexedDB store `drafts` under `account/kind/case`. It is written when the value has
//! stopped changing for [`DEBOUNCE_MS`], when the page is hidden (`visibilitychange`)
//! or left (`pagehide`), and when the form unmounts (which is what locking does). Those
//! last writes must start before the page goes: sealing in wasm is synchronous, and the
//! IndexedDB request is issued synchronously on a database handle opened beforehand
//! ([`write_now`]), so the browser completes it after the handler returns.
//! Reopening after unlock: [`resume`] opens it with the unlocked identity. A
//! successful save calls [`DraftHandle::discard`], which deletes it.
//!
//! **Invariant:** the plaintext of a draft exists only in memory (the form's signal,
//! the last value not yet sealed, and the JSON for the instant of sealing, wiped);
//! never in localStorage, sessionStorage or IndexedDB.
//!
//! How a page uses it:
//!
//! ```ignore
//! let value = RwSignal::new(blank_intake());
//! let draft = drafts::autosave(&use_session(), "intake", None, value);
//! // after unlock, offer what was kept (the workspace holds the Arc<Unlocked>):
//! let unlocked = unlocked.clone();
//! spawn_local(async move {
//!     if let Some(found) = drafts::resume::<FamilyIntake>(&unlocked, "intake", None).await {
//!         value.set(found.value);
//!         draft.mark_resumed();
//!     }
//! });
//! view! { <DraftStatus draft=draft /> }
//! // after save_entry(…) succeeded:
//! draft.discard();
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::seal::{self, Identity, Recipient};
use shared::{CaseId, ErrorCode};
use wasm_bindgen::JsValue;
use zeroize::Zeroizing;

use crate::i18n::use_i18n;
use crate::local_db::{self, StorageError, DRAFTS};
use crate::vault::Unlocked;

/// Quiet time after the last change before a draft is sealed and written.
pub const DEBOUNCE_MS: u32 = 3_000;

/// Largest draft sealed or opened, in bytes of JSON (a full intake with a drawn
/// signature is a few tens of KiB; this bounds what a damaged store can make us parse).
pub const MAX_DRAFT_BYTES: usize = 2 * 1024 * 1024;

/// One value of the `drafts` store: an age file and when it was sealed. Nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDraft {
    #[serde(with = "serde_bytes")]
    pub sealed: Vec<u8>,
    /// RFC 3339, as the device's clock said when it was sealed.
    pub saved_at: String,
}

/// A draft opened after unlock.
#[derive(Clone, Debug, PartialEq)]
pub struct Resumed<T> {
    pub value: T,
    pub saved_at: String,
}

/// The store key: `account/kind/case` (`new` for a form that has no case yet).
pub fn draft_key(account: &str, kind: &str, case: Option<CaseId>) -> String {
    match case {
        Some(case) => format!("{account}/{kind}/{case}"),
        None => format!("{account}/{kind}/new"),
    }
}

/// Seals a form value to `own` only.
pub fn seal_draft<T: Serialize>(value: &T, own: &Recipient) -> Result<Vec<u8>, ErrorCode> {
    let json = Zeroizing::new(serde_json::to_vec(value).map_err(|_| ErrorCode::Internal)?);
    if json.len() > MAX_DRAFT_BYTES {
        return Err(ErrorCode::TooLarge);
    }
    Ok(seal::seal_bytes(&json, std::iter::once(own))?.into_bytes())
}

/// Opens a sealed draft with the unlocked identity.
pub fn open_draft<T: DeserializeOwned>(sealed: &[u8], identity: &Identity) -> Result<T, ErrorCode> {
    if sealed.len() > MAX_DRAFT_BYTES + 64 * 1024 {
        return Err(ErrorCode::TooLarge);
    }
    let json = Zeroizing::new(seal::open_bytes(sealed, std::slice::from_ref(identity))?);
    serde_json::from_slice(&json).map_err(|_| ErrorCode::RecordUnreadable)
}

fn js_error(e: JsValue) -> StorageError {
    StorageError(format!("{e:?}"))
}

/// The browser's own handle of an open database (for writes that must start now).
pub fn raw(db: &Database) -> web_sys::IdbDatabase {
    let sys: &web_sys::IdbDatabase = db.as_sys().as_ref();
    sys.clone()
}

/// Starts writing `draft` under `key` at once, synchronously: by the time this
/// returns the request is issued, and the transaction commits by itself when it
/// completes, even if the page is being hidden or unloaded meanwhile.
pub fn write_now(db: &web_sys::IdbDatabase, key: &str, draft: &StoredDraft) -> Result<(), StorageError> {
    let tx = db.transaction_with_str_and_mode(DRAFTS, web_sys::IdbTransactionMode::Readwrite).map_err(js_error)?;
    let store = tx.object_store(DRAFTS).map_err(js_error)?;
    let value = js_sys::Object::new();
    let sealed = js_sys::Uint8Array::from(draft.sealed.as_slice());
    js_sys::Reflect::set(&value, &"sealed".into(), &sealed).map_err(js_error)?;
    js_sys::Reflect::set(&value, &"saved_at".into(), &draft.saved_at.as_str().into()).map_err(js_error)?;
    store.put_with_key(&value, &key.into()).map_err(js_error)?;
    Ok(())
}

/// The draft kept under `key`, if any.
pub async fn load(db: &Database, key: &str) -> Result<Option<StoredDraft>, StorageError> {
    let tx = db.transaction(DRAFTS).build()?;
    let store = tx.object_store(DRAFTS)?;
    let found: Option<StoredDraft> = store.get(key.to_owned()).serde()?.await?;
    Ok(found)
}

/// Deletes the draft under `key` (nothing happens if there is none).
pub async fn delete(db: &Database, key: &str) -> Result<(), StorageError> {
    let tx = db.transaction(DRAFTS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(DRAFTS)?;
    store.delete(key.to_owned()).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Opens the draft of (the unlocked account, `kind`, `case`), if one is kept and opens.
/// A draft that does not open (sealed by another key, damaged, from a form version
/// that no longer reads) is left in place and reported in the console by its code only.
pub async fn resume<T: DeserializeOwned>(unlocked: &Unlocked, kind: &str, case: Option<CaseId>) -> Option<Resumed<T>> {
    let db = local_db::open().await.ok()?;
    resume_from(&db, unlocked, kind, case).await.unwrap_or_else(|code| {
        leptos::logging::warn!("draft {kind} not resumed: {}", code.code());
        None
    })
}

/// [`resume`] on a given database, with the reason when a kept draft does not open.
pub async fn resume_from<T: DeserializeOwned>(
    db: &Database,
    unlocked: &Unlocked,
    kind: &str,
    case: Option<CaseId>,
) -> Result<Option<Resumed<T>>, ErrorCode> {
    let key = draft_key(&unlocked.name, kind, case);
    let Some(stored) = load(db, &key).await.map_err(|_| ErrorCode::Internal)? else { return Ok(None) };
    let value = open_draft(&stored.sealed, &unlocked.identity)?;
    Ok(Some(Resumed { value, saved_at: stored.saved_at }))
}

/// What autosave keeps between changes (in memory only).
struct State<T> {
    key: String,
    own: Recipient,
    /// Open once at start, so a write on `pagehide` can start synchronously.
    db: Option<web_sys::IdbDatabase>,
    /// The newest value not yet sealed, if it differs from `written`.
    pending: Option<T>,
    /// The value the store holds now (or the form's starting value: not worth a draft).
    written: T,
    /// Bumped on every change and on discard: a debounce timer from before does nothing.
    generation: u64,
    saved_at: RwSignal<Option<String>>,
    resumed: RwSignal<bool>,
}

impl<T: Serialize + PartialEq> State<T> {
    /// Seals and starts writing the pending value, if any. Synchronous on purpose.
    fn flush(&mut self) {
        let Some(db) = self.db.as_ref() else { return }; // still opening: the next flush writes
        let Some(value) = self.pending.take() else { return };
        let now = crate::clock::now_rfc3339();
        let written = seal_draft(&value, &self.own).map_err(|c| c.code().to_owned()).and_then(|sealed| {
            write_now(db, &self.key, &StoredDraft { sealed, saved_at: now.clone() }).map_err(|e| e.0)
        });
        match written {
            Ok(()) => {
                self.written = value;
                self.saved_at.try_set(Some(now));
            }
            Err(why) => {
                // Keep it pending: the next change, hide or unmount tries again.
                leptos::logging::warn!("draft not written: {why}");
                self.pending = Some(value);
            }
        }
    }
}

/// Controls one form's autosave (from [`autosave`]). Copy; lives as long as the form.
pub struct DraftHandle<T: 'static> {
    state: StoredValue<Rc<RefCell<State<T>>>, LocalStorage>,
    /// When the last draft was sealed (RFC 3339), for [`DraftStatus`].
    pub saved_at: RwSignal<Option<String>>,
    /// Whether the form was filled from a kept draft.
    pub resumed: RwSignal<bool>,
}

impl<T> Clone for DraftHandle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for DraftHandle<T> {}

impl<T: Serialize + PartialEq + Clone + 'static> DraftHandle<T> {
    /// Seals and writes the newest value now (also what hide, leave and unmount do).
    pub fn flush(&self) {
        if let Some(state) = self.state.try_get_value() {
            state.borrow_mut().flush();
        }
    }

    /// Tells the status line the form was filled from a kept draft.
    pub fn mark_resumed(&self) {
        self.resumed.try_set(true);
    }

    /// Deletes the kept draft and forgets the pending value: call after a successful
    /// save (or when the caseworker discards the draft). The value shown now counts
    /// as written, so an unchanged form is not saved again; the next change is.
    pub fn discard(&self) {
        let Some(state) = self.state.try_get_value() else { return };
        let key = {
            let mut s = state.borrow_mut();
            s.generation += 1;
            if let Some(v) = s.pending.take() {
                s.written = v;
            }
            s.saved_at.try_set(None);
            s.resumed.try_set(false);
            s.key.clone()
        };
        leptos::task::spawn_local(async move {
            let deleted = async { delete(&local_db::open().await?, &key).await }.await;
            if let Err(e) = deleted {
                leptos::logging::warn!("draft not deleted: {e}");
            }
        });
    }
}

/// Keeps `value` sealed in the `drafts` store while it changes (see the module doc):
/// `kind` names the form (`intake`, `consent`, `followup`, `closure`), `case` the case
/// (`None` for a new intake). Call inside the form's component: the autosave stops,
/// writing what is pending, when the component unmounts (which locking does).
pub fn autosave<T>(
    session: &crate::session::Session,
    kind: &'static str,
    case: Option<CaseId>,
    value: RwSignal<T>,
) -> DraftHandle<T>
where
    T: Serialize + PartialEq + Clone + Send + Sync + 'static,
{
    let saved_at = RwSignal::new(None);
    let resumed = RwSignal::new(false);
    let state = Rc::new(RefCell::new(State {
        key: draft_key(&session.author, kind, case),
        own: session.own.clone(),
        db: None,
        pending: None,
        written: value.get_untracked(),
        generation: 0,
        saved_at,
        resumed,
    }));
    let handle = DraftHandle { state: StoredValue::new_local(state.clone()), saved_at, resumed };

    let opening = state.clone();
    leptos::task::spawn_local(async move {
        match local_db::open().await {
            Ok(db) => {
                let mut s = opening.borrow_mut();
                s.db = Some(raw(&db));
                s.flush(); // anything typed while the database was opening
            }
            Err(e) => leptos::logging::warn!("drafts unavailable: {e}"),
        }
    });

    let watched = state.clone();
    Effect::new(move |_| {
        let now = value.get();
        let generation = {
            let mut s = watched.borrow_mut();
            if now == s.written {
                s.pending = None;
                return;
            }
            s.pending = Some(now);
            s.generation += 1;
            s.generation
        };
        let timer = watched.clone();
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(DEBOUNCE_MS).await;
            let mut s = timer.borrow_mut();
            if s.generation == generation {
                s.flush();
            }
        });
    });

    let on_hide = state.clone();
    let hidden = window_event_listener_untyped("visibilitychange", move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            on_hide.borrow_mut().flush();
        }
    });
    let on_leave = state.clone();
    let leaving = window_event_listener_untyped("pagehide", move |_| on_leave.borrow_mut().flush());
    drop(state);
    // Cleanups run before the owner's own nodes go, so the stored state is still there.
    let last = handle.state;
    on_cleanup(move || {
        hidden.remove();
        leaving.remove();
        if let Some(state) = last.try_get_value() {
            if let Ok(mut s) = state.try_borrow_mut() {
                s.generation += 1;
                s.flush();
            }
        }
    });
    handle
}

/// One line under a form: "Draft sealed and kept on this device at 10:42", or that the
/// form was restored from its draft, with a button to discard the draft. Spoken
/// politely by screen readers when it changes.
#[component]
pub fn DraftStatus<T: Serialize + PartialEq + Clone + 'static>(draft: DraftHandle<T>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        if draft.resumed.get() {
            return i18n.tr("draft-resumed");
        }
        match draft.saved_at.get() {
            Some(at) => {
                let time = local_time(&at);
                i18n.tr_args("draft-saved", &[("time", shared::i18n::Arg::Str(&time))])
            }
            None => String::new(),
        }
    };
    let shown = move || draft.resumed.get() || draft.saved_at.with(Option::is_some);
    view! {
        <div class="draft-status">
            <p role="status" aria-live="polite">{text}</p>
            <button type="button" class="secondary" hidden=move || !shown()
                on:click=move |_| draft.discard()>{move || i18n.tr("draft-discard")}</button>
        </div>
    }
}

/// `HH:MM` on the device's clock for an RFC 3339 time (as the device wrote it).
fn local_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Form {
        name: String,
        members: Vec<String>,
    }

    #[test]
    fn a_draft_opens_only_for_its_author_and_holds_no_plaintext() {
        let me = seal::generate_identity();
        let other = seal::generate_identity();
        let form = Form { name: "MARKER-Karimova".into(), members: vec!["Aziz".into()] };
        let sealed = seal_draft(&form, &me.to_public()).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"MARKER"));
        assert_eq!(open_draft::<Form>(&sealed, &me).unwrap(), form);
        assert_eq!(open_draft::<Form>(&sealed, &other).err(), Some(ErrorCode::WrongKey));
    }

    #[test]
    fn drafts_are_kept_apart_by_account_form_and_case() {
        let case: CaseId = "0123456789abcdef0123456789abcdef".parse().unwrap();
        assert_eq!(draft_key("cw", "intake", None), "cw/intake/new");
        assert_eq!(draft_key("cw", "consent", Some(case)), "cw/consent/0123456789abcdef0123456789abcdef");
        assert_ne!(draft_key("cw", "intake", None), draft_key("cw2", "intake", None));
    }

    #[test]
    fn an_oversized_draft_is_refused_not_sealed() {
        let me = seal::generate_identity();
        let big = Form { name: "x".repeat(MAX_DRAFT_BYTES), members: vec![] };
        assert_eq!(seal_draft(&big, &me.to_public()).err(), Some(ErrorCode::TooLarge));
    }
}
