//! The key holder's page (`/adviser`): sign in, load an age identity file into memory,
//! and read every entry the relay holds.
//!
//! The identity is read with `File.text()` and kept only in this page's memory; it is
//! never stored or sent. Every entry is listed: opened ones grouped by case in reading
//! order (intake, consents and follow-ups in time, closure; photos and scans named
//! with their format and size), the others with the reason they did not open.
//! "Forget key" drops the identity and every opened record from the page.

use leptos::prelude::*;
use shared::api::{Role, SessionInfo};
use shared::seal::{parse_identity_file, Identity, MAX_IDENTITY_FILE};
use shared::{CaseId, EntryId, ErrorCode};
use wasm_bindgen_futures::JsFuture;

use crate::components::record_view::{by_case, CaseGroup};
use crate::components::signin::SignIn;
use crate::components::status::{use_status, Msg, Status};
use crate::i18n::{t, t_args, use_i18n, OwnedArg};
use crate::opening::{open_content, Content};
use crate::problem::Problem;
use crate::relay_client;

#[component]
pub fn AdviserPage() -> impl IntoView {
    let session = RwSignal::new(None::<SessionInfo>);
    let on_signed_in = Callback::new(move |s| session.set(Some(s)));
    let on_end = Callback::new(move |()| session.set(None));
    move || match session.get() {
        None => view! { <SignIn role=Role::Adviser on_signed_in=on_signed_in /> }.into_any(),
        Some(s) => view! { <CaseFiles session=s on_end=on_end /> }.into_any(),
    }
}

/// One entry as the page shows it.
#[derive(Clone, Debug)]
struct Opened {
    id: EntryId,
    /// The case the relay lists it under (an attachment's only case).
    case: CaseId,
    /// A failure is kept as the problem, so its sentence follows the language shown.
    result: Result<Content, Problem>,
}

/// Reads the chosen file's text, refusing anything larger than an identity file.
async fn read_identity(file: web_sys::File) -> Result<Vec<Identity>, ErrorCode> {
    if file.size() > MAX_IDENTITY_FILE as f64 {
        return Err(ErrorCode::BadIdentityFile);
    }
    let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).ok_or(ErrorCode::BadIdentityFile)?;
    parse_identity_file(&text)
}

/// Lists every entry and opens each; stops early if the key is forgotten meanwhile.
async fn open_all(identities: Vec<Identity>, opened: RwSignal<Vec<Opened>>, generation: RwSignal<u64>, status: Status) {
    let mine = generation.get_untracked();
    let current = move || generation.try_get_untracked() == Some(mine);
    let mut after: Option<String> = None;
    let mut count = 0usize;
    loop {
        let page = match relay_client::list_entries(after.as_deref()).await {
            Ok(page) => page,
            Err(e) => {
                if current() {
                    status.error(Problem::from(e));
                }
                return;
            }
        };
        for meta in page.entries {
            if !current() {
                return;
            }
            let result = match relay_client::get_entry(&meta.id).await {
                Ok(bytes) => open_content(&meta.id, &bytes, &identities).map_err(Problem::from),
                Err(e) => Err(Problem::from(e)),
            };
            if !current() {
                return;
            }
            count += 1;
            opened.update(|v| v.push(Opened { id: meta.id, case: meta.case, result }));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    if current() {
        let ok = opened.with_untracked(|v| v.iter().filter(|o| o.result.is_ok()).count());
        if count == 0 {
            status.info(Msg::key("adviser-no_entries"));
        } else {
            status.info(Msg::args("adviser-opened", vec![("ok", OwnedArg::Num(ok as i64)), ("count", OwnedArg::Num(count as i64))]));
        }
    }
}

/// The signed-in key holder's view of the case files.
#[component]
fn CaseFiles(session: SessionInfo, on_end: Callback<()>) -> impl IntoView {
    let status = use_status();
    let identities = StoredValue::new(None::<Vec<Identity>>);
    let key_count = RwSignal::new(0usize);
    let opened = RwSignal::new(Vec::<Opened>::new());
    let generation = RwSignal::new(0u64);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let i18n = use_i18n();
    let key_state = t_args("adviser-key_count", move || vec![("count", OwnedArg::Num(key_count.get() as i64))]);

    let load = move || {
        let Some(ids) = identities.get_value() else {
            status.info(Msg::key("adviser-no_key"));
            return;
        };
        generation.update(|g| *g += 1);
        opened.set(Vec::new());
        leptos::task::spawn_local(open_all(ids, opened, generation, status));
    };

    let on_file = move |_| {
        let Some(file) = file_input.get().and_then(|i| i.files()).and_then(|l| l.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_identity(file).await {
                Ok(ids) => {
                    key_count.try_set(ids.len());
                    identities.set_value(Some(ids));
                    status.info(Msg::key("adviser-key_loaded"));
                    load();
                }
                Err(code) => status.error(code),
            }
        });
    };

    let forget = move |_| {
        identities.set_value(None);
        key_count.set(0);
        generation.update(|g| *g += 1);
        opened.set(Vec::new());
        if let Some(input) = file_input.get() {
            input.set_value("");
        }
        status.info(Msg::key("adviser-key_forgotten"));
    };

    let end = move |_| {
        identities.set_value(None);
        generation.update(|g| *g += 1);
        opened.set(Vec::new());
        leptos::task::spawn_local(async move {
            let _ = relay_client::sign_out().await;
            status.info(Msg::key("signin-ended"));
            on_end.run(());
        });
    };

    // Regrouped as entries arrive; a case re-renders only when its entries change.
    let cases = move || opened.with(|v| by_case(v.iter().filter_map(|o| o.result.clone().ok().map(|c| (o.id, o.case, c)))));
    let failures = move || opened.with(|v| v.iter().filter_map(|o| o.result.clone().err().map(|e| (o.id, e))).collect::<Vec<_>>());

    view! {
        <div class="workspace">
            <div class="session-bar">
                <span>{t("app-signed_in_as")} " " <strong id="session-name">{session.name.clone()}</strong></span>
                <button id="end-session" type="button" on:click=end>{t("app-end_session")}</button>
            </div>
            <section class="card key" aria-labelledby="key-title">
                <h2 id="key-title">{t("adviser-identity_file")}</h2>
                <p class="hint" id="identity-hint">{t("adviser-identity_hint")}</p>
                <div class="field">
                    <label for="identity-file">{t("adviser-identity_file")}</label>
                    <input id="identity-file" type="file" node_ref=file_input autocomplete="off"
                        aria-describedby="identity-hint" on:change=on_file />
                </div>
                <p class="key-state">
                    {move || if key_count.get() == 0 { i18n.tr("adviser-no_key") } else { key_state.get() }}
                </p>
                <div class="actions">
                    <button id="reload-entries" type="button" on:click=move |_| load()>{t("adviser-reload")}</button>
                    <button id="forget-key" type="button" on:click=forget prop:disabled=move || key_count.get() == 0>
                        {t("adviser-forget_key")}
                    </button>
                </div>
            </section>
            <section id="failures" class="card failures" aria-labelledby="failures-title"
                class:hidden=move || failures().is_empty()>
                <h2 id="failures-title">{t("adviser-failures")}</h2>
                <ul id="open-failures">
                    <For each=failures key=|(id, _)| *id
                        children=move |(id, problem)| {
                            let id = id.to_string();
                            let reason = move || problem.render(&i18n);
                            view! {
                                <li class="open-failure" data-id=id.clone()>
                                    <code>{id.chars().take(12).collect::<String>()}</code> " " {t("adviser-failed")} ": "
                                    <span class="reason">{reason}</span>
                                </li>
                            }
                        } />
                </ul>
            </section>
            <section id="records" aria-labelledby="records-title">
                <h2 id="records-title">{t("adviser-title")}</h2>
                <For each=cases key=|g| g.key()
                    children=move |group| view! { <CaseGroup group on_open=None /> } />
            </section>
        </div>
    }
}
