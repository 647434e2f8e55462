//! Finding, reading and choosing cases among the ones the loaded key opened: one search
//! box and filters (family name, child name, document number, region, risk factor,
//! service, consent state, status), the matching cases with a checkbox each for
//! export, and the chosen case's file — its entries in the adviser's language, its
//! photos and scans decrypted on demand, and its print view.
//!
//! Matching is `shared::find` (pure, tested natively); this file only wires it to the
//! page. The query, the selection and every opened attachment live in this component's
//! memory and go when it unmounts (the key forgotten, the session ended).
//!
//! Attachments: the ciphertext is fetched again and opened only when the adviser asks;
//! an image is shown from a `Blob` URL that is revoked when it is closed (or the case
//! view goes), a PDF is handed over as a download, after a warning dialog the adviser
//! confirms (the file is stored unencrypted on this computer), as the CSV export has.
//! The plaintext copy in wasm memory is wiped once the `Blob` holds it.
//!
//! Selectors: `#find`, `#find-text`, `#find-family`, `#find-child`, `#find-document`,
//! `#find-region`, `#find-risk`, `#find-service`, `#find-consent`, `#find-status`,
//! `ul#find-results li.find-result[data-case]` with `input.select-case` and
//! `button.show-case`, `#find-count`, `#find-select-all`, `section#chosen-case`,
//! `li.attachment-view[data-id]` with `button.show-attachment`, `img.attachment-image`,
//! `button.close-attachment`, `dialog.attachment-warning` with
//! `button.attachment-warning-confirm` and `button.attachment-warning-cancel`, `#show-print`.

use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::find::{CaseFacts, CaseStatus, ConsentStatus, Query};
use shared::forms::attachment::{MediaType, MAX_ATTACHMENT_BYTES};
use shared::forms::codes::Code;
use shared::forms::intake::Service;
use shared::i18n::Arg;
use shared::record::{Region, RiskFactor};
use shared::seal::Identity;
use shared::{CaseId, EntryId, ErrorCode};
use zeroize::Zeroize;

use super::case_print::CasePrint;
use super::export::{blob_url, download, revoke_object_url, ExportSelected};
use crate::components::status::use_status;
use crate::i18n::{t, use_i18n, I18n};
use crate::problem::Problem;
use crate::reading::{CaseEntries, CaseGroup};
use crate::relay_client;

/// Longest text a search field takes (names and numbers are far shorter).
const MAX_QUERY: &str = "200";

/// Most results listed at once (the count says how many matched; "select all" takes them all).
const SHOWN: usize = 200;

/// A `<select>` of a code list, with "any" first; `set` gets the chosen code.
fn code_select<C: Code + Send + Sync>(
    i18n: I18n,
    id: &'static str,
    label: &'static str,
    set: impl Fn(Option<C>) + 'static,
) -> impl IntoView {
    let options =
        C::all().iter().map(|c| view! { <option value=c.code()>{i18n.t(c.label_key())}</option> }).collect_view();
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <select id=id on:change=move |ev| set(C::from_code(&event_target_value(&ev)))>
                <option value="">{t("find-any")}</option>
                {options}
            </select>
        </div>
    }
}

/// A `<select>` of a list that is not a form's code list (consent state, status).
fn plain_select(
    id: &'static str,
    label: &'static str,
    options: Vec<(&'static str, String)>,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    let options = options.into_iter().map(|(code, key)| view! { <option value=code>{t(key)}</option> }).collect_view();
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <select id=id on:change=move |ev| set(event_target_value(&ev))>
                <option value="">{t("find-any")}</option>
                {options}
            </select>
        </div>
    }
}

/// A text filter bound to one field of the query.
fn text_filter(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <input id=id type=kind autocomplete="off" spellcheck="false" maxlength=MAX_QUERY on:input=move |ev| set(event_target_value(&ev)) />
        </div>
    }
}

/// One photo or scan of the chosen case, opened only when asked.
#[component]
fn AttachmentView(id: EntryId, media: MediaType, size: u64, key: Callback<(), Option<Vec<Identity>>>) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    let url = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let close = move || {
        if let Some(u) = url.try_get_untracked().flatten() {
            revoke_object_url(&u);
            url.try_set(None);
        }
    };
    on_cleanup(close);
    let image = media != MediaType::Pdf;
    // A PDF leaves the page as a plaintext file: the adviser confirms that first.
    let warning = NodeRef::<leptos::html::Dialog>::new();
    let close_warning = move || {
        if let Some(d) = warning.get_untracked() {
            d.close();
        }
    };
    let fetch = move || {
        let Some(identities) = key.run(()) else {
            status.info(crate::components::status::Msg::key("adviser-no_key"));
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let opened = match relay_client::get_entry(&id).await {
                Ok(ct) if EntryId::of(&ct) != id => Err(Problem::from(ErrorCode::Corrupted)),
                Ok(ct) => shared::seal::open_bytes(&ct, &identities).map_err(Problem::from),
                Err(e) => Err(Problem::from(e)),
            };
            match opened {
                Ok(mut plain) if plain.len() as u64 <= MAX_ATTACHMENT_BYTES => {
                    if image {
                        match blob_url(&plain) {
                            Ok(u) => {
                                url.try_set(Some(u));
                            }
                            Err(_) => status.error(crate::components::status::Msg::key("export-failed")),
                        }
                    } else if download(&plain, &format!("{}.pdf", &id.to_string()[..12])).is_err() {
                        status.error(crate::components::status::Msg::key("export-failed"));
                    } else {
                        status.info(crate::components::status::Msg::key("find-attachment-done"));
                    }
                    plain.zeroize();
                }
                Ok(mut plain) => {
                    plain.zeroize();
                    status.error(ErrorCode::TooLarge);
                }
                Err(p) => status.error(p),
            }
            busy.try_set(false);
        });
    };
    let open = move |_| {
        if image {
            fetch();
        } else if key.run(()).is_none() {
            // No key loaded: nothing to warn about, the download could not happen.
            status.info(crate::components::status::Msg::key("adviser-no_key"));
        } else if let Some(d) = warning.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let short = id.to_string()[..12].to_owned();
    let (title_id, text_id) = (format!("attachment-warning-title-{short}"), format!("attachment-warning-text-{short}"));
    let (labelled_by, described_by) = (title_id.clone(), text_id.clone());
    let kb = size.div_ceil(1024) as i64;
    view! {
        <li class="attachment-view" data-id=id.to_string() data-code=media.code()>
            {i18n.t(media.label_key())} ", " {move || i18n.tr_args("record-kb", &[("kb", Arg::Num(kb))])} " "
            <Show when=move || url.get().is_none()>
                <button type="button" class="show-attachment" on:click=open prop:disabled=move || busy.get()>
                    {if image { t("find-attachment-show") } else { t("find-attachment-download") }}
                </button>
            </Show>
            {move || url.get().map(|u| view! {
                <button type="button" class="close-attachment" on:click=move |_| close()>{t("find-attachment-close")}</button>
                <img class="attachment-image" src=u alt=i18n.tr(&media.label_key()) />
            })}
            {(!image).then(move || view! {
                // Escape closes it as the browser's own `cancel`: said as Cancel says it.
                <dialog class="attachment-warning" node_ref=warning aria-labelledby=labelled_by aria-describedby=described_by
                    on:cancel=move |_: web_sys::Event| status.info(crate::components::status::Msg::key("find-attachment-cancelled"))>
                    <h2 id=title_id>{t("export-warning-title")}</h2>
                    <p id=text_id>{t("find-attachment-warning")}</p>
                    <div class="actions">
                        // The safe choice has the focus first; Escape cancels too.
                        <button type="button" class="attachment-warning-cancel" autofocus
                            on:click=move |_| { close_warning(); status.info(crate::components::status::Msg::key("find-attachment-cancelled")); }>
                            {t("export-cancel")}
                        </button>
                        <button type="button" class="attachment-warning-confirm danger" on:click=move |_| { close_warning(); fetch(); }>
                            {t("find-attachment-confirm")}
                        </button>
                    </div>
                </dialog>
            })}
        </li>
    }
}

/// The search, the results and the chosen case.
#[component]
pub fn FindCases(
    #[prop(into)] cases: Signal<Vec<CaseEntries>>,
    /// The loaded identities, to open a photo or scan on demand (none: not offered).
    #[prop(optional)]
    key: Option<Callback<(), Option<Vec<Identity>>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let today = crate::clock::today();
    // Entries arrive in batches while the page opens thousands of them: only the cases
    // whose entry count changed are folded again.
    // The cache is rebuilt from the current groups at every fold, so it never keeps the
    // facts (names, document numbers) of cases no longer opened: after "forget key" or a
    // lock it is empty.
    let cache = StoredValue::new(std::collections::HashMap::<CaseId, (u64, CaseFacts)>::new());
    let facts = Memo::new(move |_| {
        cases.with(|groups| {
            let fold = |cache: &mut std::collections::HashMap<CaseId, (u64, CaseFacts)>| {
                let mut old = std::mem::take(cache);
                groups
                    .iter()
                    .map(|g| {
                        let n = g.key().1;
                        let stamp = g.stamp();
                        let known = old.remove(&g.case).filter(|(m, _)| *m == stamp).map(|(_, f)| f);
                        let f = known.unwrap_or_else(|| {
                            // Only a verified author's entries are searched; the case
                            // still lists the others, marked.
                            let mut f = CaseFacts::of(g.case, &g.counted(), today);
                            f.author_status = g.statuses();
                            f
                        });
                        cache.insert(g.case, (stamp, f.clone()));
                        // With its entry count, so a listed case redraws when entries arrive.
                        (f, n)
                    })
                    .collect::<Vec<_>>()
            };
            cache.try_update_value(fold).unwrap_or_default()
        })
    });
    let query = RwSignal::new(Query::default());
    let matches = Memo::new(move |_| {
        query.with(|q| {
            facts.with(|all| {
                all.iter().filter(|(f, _)| q.matches(f)).map(|(f, n)| (f.case, *n)).collect::<Vec<(CaseId, usize)>>()
            })
        })
    });
    let selected = RwSignal::new(BTreeSet::<CaseId>::new());
    let chosen = RwSignal::new(None::<CaseId>);
    let show_print = RwSignal::new(false);

    let selected_cases = Signal::derive(move || {
        selected.with(|s| cases.with(|all| all.iter().filter(|g| s.contains(&g.case)).cloned().collect::<Vec<_>>()))
    });
    let all_facts = Signal::derive(move || facts.with(|all| all.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>()));
    let select_all = move |_| {
        let m = matches.get_untracked();
        selected.update(|s| s.extend(m.into_iter().map(|(c, _)| c)));
    };
    let clear = move |_| selected.set(BTreeSet::new());

    let row = move |(case, _): (CaseId, usize)| {
        let f = facts.with_untracked(|all| all.iter().find(|(f, _)| f.case == case).map(|(f, _)| f.clone()));
        let Some(f) = f else { return ().into_any() };
        let name = if f.family_name.is_empty() { i18n.tr("adviser-case") } else { f.family_name.clone() };
        let region = f.region.map(|r| i18n.t(r.label_key()));
        let children = f.children().collect::<Vec<_>>().join(", ");
        let status_key = f.status.label_key();
        let consent_key = f.consent.label_key();
        let checked = move || selected.with(|s| s.contains(&case));
        let toggle = move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                if on {
                    s.insert(case);
                } else {
                    s.remove(&case);
                }
            });
        };
        let label = format!("{name} {}", &case.to_string()[..8]);
        view! {
            <li class="find-result" data-case=case.to_string()>
                <input type="checkbox" class="select-case" prop:checked=checked on:change=toggle
                    aria-label=move || i18n.tr_args("find-select", &[("case", Arg::Str(&label))]) />
                " "
                <button type="button" class="show-case link" on:click=move |_| { chosen.set(Some(case)); show_print.set(false); }>
                    {name}
                </button>
                " " <code>{case.to_string()[..8].to_owned()}</code>
                {region.map(|r| view! { " · " <span class="result-region">{r}</span> })}
                {(!children.is_empty()).then(|| view! { " · " <span class="result-children">{children}</span> })}
                " · " <span class="result-status" data-code=f.status.code()>{i18n.t(status_key)}</span>
                " · " <span class="result-consent" data-code=f.consent.code()>{i18n.t(consent_key)}</span>
            </li>
        }
        .into_any()
    };

    let chosen_view = move || {
        let case = chosen.get()?;
        let group = cases.with(|all| all.iter().find(|g| g.case == case).cloned())?;
        let attachments = key.filter(|_| !group.attachments.is_empty()).map(|key| {
            let items = group
                .attachments
                .iter()
                .map(|a| view! { <AttachmentView id=a.id media=a.media_type size=a.size key /> })
                .collect_view();
            view! {
                <h4>{t("find-attachments")}</h4>
                <ul class="attachment-views">{items}</ul>
            }
        });
        let print_group = group.clone();
        Some(view! {
            <section id="chosen-case" class="card" aria-label=move || i18n.tr("find-chosen")>
                <div class="actions">
                    <button id="show-print" type="button" on:click=move |_| show_print.update(|p| *p = !*p)>
                        {move || if show_print.get() { i18n.tr("print-close") } else { i18n.tr("print-open") }}
                    </button>
                    <button id="close-case" type="button" on:click=move |_| chosen.set(None)>{t("find-close")}</button>
                </div>
                {move || if show_print.get() {
                    view! { <CasePrint group=print_group.clone() /> }.into_any()
                } else {
                    view! { <CaseGroup group=group.clone() on_open=None /> }.into_any()
                }}
                {attachments}
            </section>
        })
    };

    view! {
        <section id="find" class="card find" aria-labelledby="find-title">
            <h2 id="find-title">{t("find-title")}</h2>
            <form class="find-form" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="find-text">{t("find-search")}</label>
                    <input id="find-text" type="search" autocomplete="off" spellcheck="false" maxlength=MAX_QUERY aria-describedby="find-hint"
                        on:input=move |ev| query.update(|q| q.text = event_target_value(&ev)) />
                    <p class="hint" id="find-hint">{t("find-search_hint")}</p>
                </div>
                <div class="filters">
                    {text_filter("find-family", "find-family_name", "text", move |v| query.update(|q| q.family_name = v))}
                    {text_filter("find-child", "find-child_name", "text", move |v| query.update(|q| q.child_name = v))}
                    {text_filter("find-document", "find-document_number", "text", move |v| query.update(|q| q.document = v))}
                    {code_select::<Region>(i18n, "find-region", "find-region_label", move |c| query.update(|q| q.region = c))}
                    {code_select::<RiskFactor>(i18n, "find-risk", "find-risk_factor", move |c| query.update(|q| q.risk_factor = c))}
                    {code_select::<Service>(i18n, "find-service", "find-service_label", move |c| query.update(|q| q.service = c))}
                    {plain_select(
                        "find-consent",
                        "find-consent_label",
                        ConsentStatus::ALL.iter().map(|s| (s.code(), s.label_key())).collect(),
                        move |v| query.update(|q| q.consent = ConsentStatus::from_code(&v)),
                    )}
                    {plain_select(
                        "find-status",
                        "find-status_label",
                        CaseStatus::ALL.iter().map(|s| (s.code(), s.label_key())).collect(),
                        move |v| query.update(|q| q.status = CaseStatus::from_code(&v)),
                    )}
                </div>
            </form>
            <p id="find-count" role="status">
                {move || {
                    let (n, all) = (matches.with(Vec::len), facts.with(Vec::len));
                    i18n.tr_args("find-count", &[("count", Arg::Num(n as i64)), ("total", Arg::Num(all as i64))])
                }}
                {move || (matches.with(Vec::len) > SHOWN)
                    .then(|| i18n.tr_args("find-shown", &[("shown", Arg::Num(SHOWN as i64))]))
                    .map(|s| format!(" {s}"))}
            </p>
            <div class="actions">
                <button id="find-select-all" type="button" on:click=select_all>{t("find-select_all")}</button>
                <button id="find-select-none" type="button" on:click=clear>{t("find-select_none")}</button>
            </div>
            <ul id="find-results" class="find-results">
                <For each=move || matches.get().into_iter().take(SHOWN) key=|c| *c children=row />
            </ul>
            <ExportSelected selected=selected_cases facts=all_facts />
        </section>
        {chosen_view}
    }
}
