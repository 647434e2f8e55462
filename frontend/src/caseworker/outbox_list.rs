//! The outbox as the caseworker sees it: each sealed entry by short id, its case,
//! its size and where it stands with the relay. Ids and sizes only: nothing here
//! reveals what an entry says.
//!
//! Why uploads stall shows above the list (`#relay-problem`, its error code in
//! `data-code`) and beside the entry (`.entry-problem`, code in the row's
//! `data-problem`); a new "not now" from the relay (quota, upload rate, disk full) is
//! also said once in the page's `#status` live region.

use leptos::prelude::*;

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, t_args, use_i18n, OwnedArg};
use crate::outbox::OutboxRow;
use crate::problem::Problem;
use crate::sync::{OutboxView, SyncHandle};

/// An entry's state in words (following the language).
fn state_label(state: &str) -> Signal<String> {
    match state {
        "sealed" => t("outbox-state-sealed"),
        "waiting" => t("outbox-state-waiting"),
        "uploaded" => t("outbox-state-uploaded"),
        "refused" => t("outbox-state-refused"),
        _ => t("outbox-state-corrupted"),
    }
}

fn short(s: &str) -> String {
    s.chars().take(12).collect()
}

#[component]
fn OutboxEntry(row: OutboxRow) -> impl IntoView {
    let id = row.id.to_string();
    view! {
        <li class="outbox-entry" data-id=id.clone() data-state=row.state data-problem=row.problem_code>
            <span class="entry-id" title=id.clone()>{t("outbox-entry")} " " <code>{short(&id)}</code></span>
            <span class="entry-case">{t("outbox-case")} " " <code>{short(&row.case)}</code></span>
            <span class="entry-size">{row.size} " " {t("outbox-bytes")}</span>
            <span class=format!("entry-state state-{}", row.state)>{state_label(row.state)}</span>
            {row.problem.map(|p| view! { <span class="entry-problem">{p}</span> })}
        </li>
    }
}

#[component]
pub fn OutboxList(view: OutboxView, sync: SyncHandle) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    // The relay's "not now" (quota, upload rate, disk full), said once when it changes.
    let busy_code = Memo::new(move |_| {
        view.relay_problem.with(|p| match p {
            Some(Problem::Relay(e)) if e.is_busy() => e.code(),
            _ => None,
        })
    });
    Effect::new(move |_| {
        if let Some(code) = busy_code.get() {
            status.info(Msg::Problem(Problem::Code(code)));
        }
    });
    let counts = t_args("outbox-counts", move || {
        let (waiting, uploaded) = view.rows.with(|rows| {
            let waiting = rows.iter().filter(|r| matches!(r.state, "sealed" | "waiting")).count();
            (waiting, rows.iter().filter(|r| r.state == "uploaded").count())
        });
        vec![("waiting", OwnedArg::Num(waiting as i64)), ("uploaded", OwnedArg::Num(uploaded as i64))]
    });
    view! {
        <section class="card outbox" aria-labelledby="outbox-title">
            <h2 id="outbox-title">{t("outbox-title")}</h2>
            <p class="hint">{t("outbox-hint")}</p>
            {move || view.relay_problem.get().map(|p| {
                let code = p.code().map(|c| c.code()).unwrap_or("unavailable");
                view! { <p id="relay-problem" class="relay-problem" data-code=code>{move || p.render(&i18n)}</p> }
            })}
            <p id="sync-counts" class="hint">
                {counts}
                {move || {
                    let (done, total) = view.progress.get();
                    (total > 0 && done < total).then(|| {
                        let progress = i18n.tr_args("outbox-progress", &[("done", done.into()), ("total", total.into())]);
                        view! { <span id="sync-progress">" · " {progress}</span> }
                    })
                }}
            </p>
            <Show when=move || view.rows.with(Vec::is_empty)>
                <p class="empty">{t("outbox-empty")}</p>
            </Show>
            <ul id="outbox" class="outbox-list">
                <For
                    each=move || view.rows.get()
                    key=|r| (r.id, r.state, r.problem.clone())
                    children=move |row| view! { <OutboxEntry row=row /> }
                />
            </ul>
            <button id="sync-now" type="button" on:click=move |_| sync.wake()>
                {t("outbox-retry_now")}
            </button>
        </section>
    }
}
