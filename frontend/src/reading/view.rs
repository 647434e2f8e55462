//! Rendering what was read: one opened entry ([`RecordView`]) as a list of labelled
//! values, and one case ([`CaseGroup`]) as its entries in reading order with its
//! attachments. Every kind of entry goes through the same few view shapes (the lines
//! come from `reading::describe`), which keeps the wasm small.
//!
//! Selectors the stories use: `article.record[data-id][data-case][data-kind]`,
//! `.family-name` (an intake's heading), `dd.region`, `ul.children`, `ul.risk-factors
//! li[data-code]`, `dd.assessment`; cases are `section.case[data-case]`. Each record
//! carries its authorship: `article.record[data-author=verified|unapproved|forged|unsigned]`
//! (`class="forged"` for a forged one), `.author-status` (the translated words) and
//! `.not-counted` on an entry that counts toward nothing.

use std::sync::Arc;

use leptos::prelude::*;
use shared::forms::codes::Code;
use shared::forms::consent::ConsentState;
use shared::forms::{CaseDocument, CaseEntry};
use shared::i18n::Arg;
use shared::{CaseId, EntryId};

use super::case_book::{Authorship, CaseEntries, Vouched};
use super::describe::{describe, moment, Bit, Line, Value};
use crate::i18n::{t, use_i18n, I18n};

fn render_bit(i18n: I18n, b: Bit) -> AnyView {
    match b {
        Bit::Text(s) => s.into_any(),
        Bit::Msg(k) => (move || i18n.tr(&k)).into_any(),
        Bit::Date(d) => view! { <time datetime=d.to_string()>{d.display()}</time> }.into_any(),
        Bit::Tagged(k, b) => view! { {move || i18n.tr(k)} ": " {render_bit(i18n, *b)} }.into_any(),
        Bit::Drawing(w, h, d) => view! {
            <svg class="signature-drawn" viewBox=format!("0 0 {w} {h}") aria-hidden="true">
                <path d=d fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        }
        .into_any(),
    }
}

fn render_bits(i18n: I18n, bits: Vec<Bit>) -> Vec<AnyView> {
    let mut out = Vec::with_capacity(bits.len() * 2);
    for (i, b) in bits.into_iter().enumerate() {
        if i > 0 {
            out.push(", ".into_any());
        }
        out.push(render_bit(i18n, b));
    }
    out
}

fn render_line(i18n: I18n, line: Line) -> impl IntoView {
    let value = match line.value {
        Value::Bits(bits) => view! { <dd class=line.class>{render_bits(i18n, bits)}</dd> }.into_any(),
        Value::Items(items) => {
            let items = items
                .into_iter()
                .map(|it| view! { <li data-code=it.code>{render_bits(i18n, it.bits)}</li> })
                .collect_view();
            view! { <dd><ul class=line.class>{items}</ul></dd> }.into_any()
        }
    };
    view! { <dt>{i18n.t(line.label)}</dt> {value} }
}

/// One opened entry of a case. `superseded`: a later entry of the case corrects it
/// (entries are never edited), so it is marked as such, and kept. `authorship`: who
/// wrote it as the reader judged it, shown beside the author's name; an entry that does
/// not count says so.
#[component]
pub fn RecordView(
    id: EntryId,
    doc: Arc<CaseDocument>,
    authorship: Authorship,
    #[prop(optional)] superseded: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let (heading, lines) = describe(&doc.entry);
    let heading = match heading {
        Ok(family) => view! { <h4 class="family-name">{family}</h4> }.into_any(),
        Err(key) => view! { <h4 class="entry-kind">{i18n.t(key)}</h4> }.into_any(),
    };
    let lines = lines.into_iter().map(|l| render_line(i18n, l)).collect_view();
    let status = authorship.status;
    let forged = status == shared::authorship::AuthorStatus::Forged;
    view! {
        <article class="record card" class:superseded=superseded class:forged=forged data-id=id.to_string()
            data-case=doc.case.to_string() data-kind=doc.entry.kind() data-author=status.code()>
            {heading}
            {superseded.then(|| view! { <p class="superseded-note">{t("record-superseded")}</p> })}
            {(!authorship.counts).then(|| view! { <p class="not-counted">{t("record-not-counted")}</p> })}
            <dl>
                {lines}
                <dt>{t("adviser-author")}</dt>
                <dd class="author">
                    {doc.author.clone()} " " <span class="author-status" data-author=status.code()>"(" {t(status.label_key())} ")"</span>
                </dd>
                <dt>{t("adviser-created_at")}</dt>
                <dd><time datetime=doc.created_at.clone()>{moment(&doc.created_at)}</time></dd>
            </dl>
        </article>
    }
}

/// An entry the book has no judgement for (none in practice): unsigned, not counted.
pub(crate) const UNSIGNED: Authorship =
    Authorship { status: shared::authorship::AuthorStatus::UnsignedOlder, counts: false };

/// The case's photos and scans, each with whether a counted record vouches for it
/// (`li.attachment[data-vouched=<entry id>|none]`), then each attachment a counted
/// record names that the case does not hold (`li.attachment-missing[data-record]`):
/// an attachment is anyone's to seal, so only the signed record that names its bytes
/// makes it the family's. `with_id` adds each entry id (the print sheet).
pub fn attachment_list(group: &CaseEntries, i18n: I18n, with_id: bool) -> Option<impl IntoView> {
    let items = group
        .attachments
        .iter()
        .map(|a| {
            let kb = a.size.div_ceil(1024) as i64;
            let (vouched, key) = match group.vouched(a) {
                Vouched::By(doc) => (doc.to_string(), "attachment-vouched"),
                Vouched::Unnamed => ("none".to_owned(), "attachment-unvouched"),
            };
            let id = with_id.then(|| view! { " — " <code>{a.id.to_string()}</code> });
            view! {
                <li class="attachment" class:attachment-unvouched=key == "attachment-unvouched"
                    data-id=a.id.to_string() data-code=a.media_type.code() data-vouched=vouched>
                    {i18n.t(a.media_type.label_key())} ", " {move || i18n.tr_args("record-kb", &[("kb", Arg::Num(kb))])}
                    " — " <span class="attachment-standing">{t(key)}</span>
                    {id}
                </li>
            }
        })
        .collect_view();
    let missing = group
        .counted()
        .into_iter()
        .flat_map(|(id, d)| d.entry.attachments().filter(|r| !group.holds(r)).map(move |_| id).collect::<Vec<_>>())
        .collect::<Vec<EntryId>>();
    // A counted record naming a scan makes the list worth showing only if the scan is
    // here (then it is listed) or missing (then it is flagged).
    let any = !group.attachments.is_empty() || !missing.is_empty();
    let missing = missing
        .into_iter()
        .map(|record| {
            view! {
                <li class="attachment-missing" data-record=record.to_string()>{t("attachment-missing")}</li>
            }
        })
        .collect_view();
    any.then(|| {
        view! {
            <h4>{t("record-attachments")}</h4>
            <ul class="attachments">{items}{missing}</ul>
        }
    })
}

/// Days before a consent ends from which a case in a list says so.
pub const CONSENT_WARNING_DAYS: i64 = 30;

/// One case: its family (or its id), a warning when its consent ends within
/// [`CONSENT_WARNING_DAYS`], its entries in reading order, its attachments, and, when
/// `on_open` is given, a button that makes it the case being worked on.
#[component]
pub fn CaseGroup(group: CaseEntries, on_open: Option<Callback<(CaseId, Vec<CaseDocument>)>>) -> impl IntoView {
    let i18n = use_i18n();
    let case = group.case;
    let title = match group.family_name() {
        Some(name) => name.to_owned().into_any(),
        None => t("adviser-case").into_any(),
    };
    let open = on_open.map(|cb| {
        // Shared until the click; the workspace gets its own copies then: only the
        // entries that count (its consent standing folds them).
        let docs = StoredValue::new(
            group
                .docs
                .iter()
                .filter(|(id, _)| group.authorship(id).counts)
                .map(|(_, d)| Arc::clone(d))
                .collect::<Vec<_>>(),
        );
        let hand_over =
            move |_| cb.run((case, docs.with_value(|d| d.iter().map(|d| CaseDocument::clone(d)).collect())));
        view! {
            <button type="button" class="continue-case" data-case=case.to_string() on:click=hand_over>
                {t("cases-continue")}
            </button>
        }
    });
    let attachments = attachment_list(&group, i18n, false);
    let corrected: Vec<EntryId> = group.docs.iter().filter_map(|(_, d)| d.supersedes).collect();
    // A consent ending within 30 days, from the entries that count.
    let ending = {
        let consents =
            group.docs.iter().filter(|(id, _)| group.authorship(id).counts).filter_map(|(_, d)| match &d.entry {
                CaseEntry::Consent(c) => Some(c),
                _ => None,
            });
        ConsentState::from_entries(consents).expiring_within(crate::clock::today(), CONSENT_WARNING_DAYS)
    };
    let ending = ending.map(|d| {
        view! {
            <p class="consent-warning case-consent-expiring" data-until=d.to_string()>
                {move || i18n.tr_args("cases-consent_expiring", &[("date", Arg::Str(&d.display()))])}
            </p>
        }
    });
    let authors = group.authors;
    let docs = group
        .docs
        .into_iter()
        .map(|(id, doc)| {
            let authorship = authors.get(&id).copied().unwrap_or(UNSIGNED);
            view! { <RecordView id doc authorship superseded=corrected.contains(&id) /> }
        })
        .collect_view();
    view! {
        <section class="case" data-case=case.to_string()>
            <h3 class="case-title">{title} " " <code class="case-id">{case.to_string().chars().take(8).collect::<String>()}</code></h3>
            {ending}
            {open}
            {docs}
            {attachments}
        </section>
    }
}
