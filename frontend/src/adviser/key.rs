//! Loading the key holder's age identity, and forgetting it.
//!
//! The card takes an identity file by file picker or by drag and drop (the drop zone is
//! also a button, so the keyboard reaches the picker through it): a plain file as
//! `age-keygen` writes it, or one protected with a passphrase by `age -p` (armored or
//! binary), for which it asks the passphrase on the page. Parsing and unlocking are
//! `shared::seal`'s ([`read_identity_file`]); scrypt's work factor is capped as the
//! `age` CLI caps it, and a wrong passphrase is said to be one.
//!
//! The identity lives only in memory: the page holds it (and hands it to its opening
//! workers) until it is forgotten: by *Forget key*, or by any lock of the signed-in
//! page (idle, leaving the page, another tab locking, *End session*: see
//! `account::session_guard`), which also signs out and reloads the page. Forgetting
//! asks the page to drop the key, its workers and everything opened, and clears the
//! file input and any passphrase typed.
//!
//! A protected file's scrypt (seconds in wasm at `age -p`'s work factor 18: 256 MiB)
//! runs in a one-off worker ([`super::unlock`]): meanwhile the card says so with a
//! progress bar and a Cancel button, and the rest of the page stays usable. Cancel,
//! and anything that forgets the key, ends that worker. The focus follows: to Cancel
//! while it works (the field and Open are disabled), back to the field after an error or
//! Cancel, to the key's state line once it is open, to the drop zone when forgotten.
//!
//! What is not here: opening entries (the page's `adviser::pool`), re-sealing
//! ([`super::reseal`]).

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use shared::seal::{read_identity_file, Identity, IdentityFile, MAX_IDENTITY_FILE};
use shared::ErrorCode;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use zeroize::{Zeroize, Zeroizing};

use super::unlock::{UnlockError, Unlocking};
use crate::components::status::{use_status, Msg};
use crate::i18n::{t, t_args, use_i18n, OwnedArg};

/// Focuses what `target` finds once the view has caught up (a field just enabled
/// again, a button just shown).
fn focus_later(target: impl FnOnce() -> Option<web_sys::HtmlElement> + 'static) {
    leptos::task::spawn_local(async move {
        TimeoutFuture::new(0).await;
        if let Some(el) = target() {
            let _ = el.focus();
        }
    });
}

/// Like [`focus_later`], but only if the focus was lost meanwhile: on nothing, on the
/// page's body, or inside `gone` (the passphrase form, now hidden) — not if the key
/// holder has moved on elsewhere.
fn refocus_if_lost(gone: NodeRef<leptos::html::Form>, target: impl FnOnce() -> Option<web_sys::HtmlElement> + 'static) {
    focus_later(move || {
        let active = web_sys::window()?.document()?.active_element();
        let lost = match &active {
            None => true,
            Some(a) => {
                a.tag_name().eq_ignore_ascii_case("body")
                    || gone.get_untracked().is_some_and(|form| form.contains(Some(a.unchecked_ref())))
            }
        };
        if lost {
            target()
        } else {
            None
        }
    });
}

/// A file read and checked: identities, or a protected file waiting for its passphrase.
enum Chosen {
    Plain(Vec<Identity>),
    Protected(Vec<u8>),
}

/// Reads a chosen or dropped file's bytes, refusing anything larger than an identity file.
async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, ErrorCode> {
    if file.size() > MAX_IDENTITY_FILE as f64 {
        return Err(ErrorCode::BadIdentityFile);
    }
    let buf = JsFuture::from(file.array_buffer()).await.map_err(|_| ErrorCode::BadIdentityFile)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The first file of a drop event (`dataTransfer.files[0]`).
fn dropped_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    let dt = js_sys::Reflect::get(ev, &JsValue::from_str("dataTransfer")).ok()?;
    let files = js_sys::Reflect::get(&dt, &JsValue::from_str("files")).ok()?;
    files.dyn_into::<web_sys::FileList>().ok()?.get(0)
}

/// The key card: file picker, drop zone, passphrase, key state, reload and forget.
#[component]
pub fn KeyCard(
    /// Identities read from a file: the page keeps them and opens entries with them.
    on_key: Callback<Vec<Identity>>,
    /// Drops the key: the page ends its workers and clears what was opened.
    on_forget: Callback<()>,
    /// Opens everything again with the loaded key.
    on_reload: Callback<()>,
    /// How many identities the page holds (0: no key).
    key_count: Signal<usize>,
) -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let pass_input = NodeRef::<leptos::html::Input>::new();
    let pass_form = NodeRef::<leptos::html::Form>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let drop_zone = NodeRef::<leptos::html::Button>::new();
    let key_state_line = NodeRef::<leptos::html::P>::new();
    let to_pass = move || pass_input.get_untracked().map(Into::into);
    // A protected file as chosen (age ciphertext: nothing is readable without the
    // passphrase), kept until it is unlocked or the card is cleared.
    let protected = StoredValue::new(None::<Vec<u8>>);
    let unlocking = StoredValue::new_local(Unlocking::default());
    let asking = RwSignal::new(false);
    let working = RwSignal::new(false);
    let drag_active = RwSignal::new(false);
    let pass_error = RwSignal::new(None::<ErrorCode>);
    let key_state = t_args("adviser-key_count", move || vec![("count", OwnedArg::Num(key_count.get() as i64))]);

    // Clears what this card holds: a chosen file, a protected file waiting, a passphrase,
    // an unlock under way (its worker is ended).
    let clear_card = move || {
        unlocking.try_with_value(Unlocking::cancel);
        working.try_set(false);
        protected.try_set_value(None);
        asking.try_set(false);
        pass_error.try_set(None);
        if let Some(input) = file_input.get_untracked() {
            input.set_value("");
        }
        if let Some(input) = pass_input.get_untracked() {
            input.set_value("");
        }
    };
    let forget = move || {
        on_forget.run(());
        clear_card();
        // The field or button that had the focus is hidden or disabled now.
        refocus_if_lost(pass_form, move || drop_zone.get_untracked().map(Into::into));
    };

    let take_file = move |file: web_sys::File| {
        leptos::task::spawn_local(async move {
            let read = match file_bytes(&file).await {
                Ok(mut bytes) => match read_identity_file(&bytes) {
                    // Checked here; the unlocking worker reads the file again, as chosen.
                    Ok(IdentityFile::Protected(_)) => Ok(Chosen::Protected(bytes)),
                    Ok(IdentityFile::Plain(ids)) => {
                        bytes.zeroize();
                        Ok(Chosen::Plain(ids))
                    }
                    Err(code) => {
                        bytes.zeroize();
                        Err(code)
                    }
                },
                Err(code) => Err(code),
            };
            // Another file chosen while one unlocks: that unlock is ended.
            unlocking.try_with_value(Unlocking::cancel);
            working.try_set(false);
            match read {
                Ok(Chosen::Plain(ids)) => {
                    clear_card();
                    on_key.run(ids);
                }
                Ok(Chosen::Protected(file)) => {
                    protected.set_value(Some(file));
                    pass_error.set(None);
                    asking.set(true);
                    status.info(Msg::key("key-protected"));
                    if let Some(input) = pass_input.get_untracked() {
                        let _ = input.focus();
                    }
                }
                Err(code) => {
                    clear_card();
                    status.error(code);
                }
            }
        });
    };

    let on_file = move |_| {
        if let Some(file) = file_input.get().and_then(|i| i.files()).and_then(|l| l.get(0)) {
            take_file(file);
        }
    };

    let unlock = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if working.get_untracked() {
            return;
        }
        let Some(input) = pass_input.get_untracked() else { return };
        let passphrase = Zeroizing::new(input.value());
        input.set_value("");
        let started =
            protected.with_value(|p| p.as_ref().map(|file| unlocking.with_value(|u| u.unlock(file, &passphrase))));
        drop(passphrase);
        let Some(running) = started else { return };
        // After `unlock` (which cancels any unlock before it): this unlock's generation.
        let generation = unlocking.with_value(Unlocking::generation);
        working.set(true);
        pass_error.set(None);
        status.info(Msg::key("key-working"));
        // The field and Open are disabled while it works: the focus goes to Cancel.
        focus_later(move || cancel_button.get_untracked().map(Into::into));
        leptos::task::spawn_local(async move {
            let reply = running.await;
            // Cancelled or forgotten after the worker answered but before this ran (lock,
            // another tab, idle, page left): the identities are dropped, not loaded
            // (age's x25519 secrets wipe themselves on drop).
            if unlocking.try_with_value(Unlocking::generation) != Some(generation) {
                drop(reply);
                return;
            }
            match reply {
                Ok(ids) => {
                    clear_card();
                    on_key.run(ids);
                    // Cancel is gone with the form: the focus goes to the key's state.
                    refocus_if_lost(pass_form, move || key_state_line.get_untracked().map(Into::into));
                }
                // Whoever cancelled (Cancel, another file, forgetting) has said why.
                Err(UnlockError::Cancelled) => {}
                Err(UnlockError::Failed(code)) => {
                    working.try_set(false);
                    pass_error.try_set(Some(code));
                    status.error(code);
                    focus_later(to_pass);
                }
            }
        });
    };
    let cancel = move |_| {
        unlocking.with_value(Unlocking::cancel);
        working.set(false);
        status.info(Msg::key("key-cancelled"));
        focus_later(to_pass);
    };
    // The card gone (the page left for another): its worker goes too.
    on_cleanup(move || {
        unlocking.try_with_value(Unlocking::cancel);
    });

    let choose = move |_| {
        if let Some(input) = file_input.get() {
            input.click();
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        drag_active.set(false);
        if let Some(file) = dropped_file(&ev) {
            take_file(file);
        }
    };

    view! {
        <section class="card key" aria-labelledby="key-title">
            <h2 id="key-title">{t("adviser-identity_file")}</h2>
            <p class="hint" id="identity-hint">{t("adviser-identity_hint")}</p>
            <button id="key-drop" type="button" class="drop-zone" node_ref=drop_zone class:active=move || drag_active.get()
                aria-describedby="identity-hint" on:click=choose
                on:dragenter=move |ev: web_sys::DragEvent| { ev.prevent_default(); drag_active.set(true); }
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); drag_active.set(true); }
                on:dragleave=move |_| drag_active.set(false)
                on:drop=on_drop>
                {move || if drag_active.get() { i18n.tr("key-drop_active") } else { i18n.tr("key-drop") }}
            </button>
            <div class="field">
                <label for="identity-file">{t("adviser-identity_file")}</label>
                <input id="identity-file" type="file" node_ref=file_input autocomplete="off"
                    aria-describedby="identity-hint" on:change=on_file />
            </div>
            <form id="key-passphrase-form" class="field" node_ref=pass_form class:hidden=move || !asking.get() on:submit=unlock
                aria-busy=move || working.get().to_string()>
                <p class="hint" id="key-protected-hint">{t("key-protected")}</p>
                <label for="key-passphrase">{t("key-passphrase")}</label>
                <input id="key-passphrase" type="password" node_ref=pass_input autocomplete="off"
                    aria-describedby="key-protected-hint key-passphrase-error"
                    aria-invalid=move || pass_error.get().is_some().to_string()
                    prop:disabled=move || working.get() />
                <p id="key-passphrase-error" class="error" role="alert" class:hidden=move || pass_error.get().is_none()>
                    {move || pass_error.get().map(|c| i18n.error(c)).unwrap_or_default()}
                </p>
                <div class="actions">
                    <button id="key-open" type="submit" prop:disabled=move || working.get()>{t("key-open")}</button>
                    <button id="key-cancel" type="button" node_ref=cancel_button class:hidden=move || !working.get()
                        on:click=cancel>
                        {t("key-cancel")}
                    </button>
                </div>
            </form>
            // Outside the form: a live region inside an aria-busy one may not be announced.
            <p id="key-working" class="hint" role="status" class:hidden=move || !working.get()>
                <span id="key-working-text">{t("key-working")}</span> " "
                // No value: an indeterminate bar (scrypt says nothing of its progress).
                <progress id="key-working-progress" aria-labelledby="key-working-text"></progress>
            </p>
            // Focusable from code only: where the focus goes once a protected file is open.
            <p id="key-state" class="key-state" tabindex="-1" node_ref=key_state_line>
                {move || if key_count.get() == 0 { i18n.tr("adviser-no_key") } else { key_state.get() }}
            </p>
            <div class="actions">
                <button id="reload-entries" type="button" on:click=move |_| on_reload.run(())>{t("adviser-reload")}</button>
                <button id="forget-key" type="button" on:click=move |_| { forget(); status.info(Msg::key("adviser-key_forgotten")); }
                    prop:disabled=move || key_count.get() == 0>
                    {t("adviser-forget_key")}
                </button>
            </div>
        </section>
    }
}
