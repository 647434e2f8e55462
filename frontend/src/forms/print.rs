//! The consent laid out on an A4 sheet for a paper signature: the organisation, the
//! family, every choice (ticked where answered, two empty boxes to tick by hand where
//! not), the data covered, retention, the rights text, and lines to sign, in the
//! current language. A "Print" button opens the browser's print dialog.
//!
//! The sheet is an ordinary element of the page; `static/forms.css` prints it alone
//! (`@page { size: A4 }`, everything around it hidden in print, the button too). It
//! shows what the page's signal holds and keeps nothing: the browser's print goes
//! straight to the printer or a file the user chooses.

use leptos::prelude::*;
use shared::forms::codes::Code;
use shared::forms::consent::{ConsentEntry, ConsentKind, DataCategory, Permission, RIGHTS_TEXT_KEY};
use shared::i18n::Arg;
use shared::record::Date;

use crate::i18n::{use_i18n, I18n};

/// A box as printed: ticked or empty.
fn tick(on: bool) -> &'static str {
    if on {
        "☒"
    } else {
        "☐"
    }
}

fn date_text(d: Option<Date>) -> String {
    d.map(Date::display).unwrap_or_default()
}

/// One line of label and value.
fn row(i18n: I18n, label: &'static str, value: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{i18n.t(label)}</th>
            <td>{value}</td>
        </tr>
    }
}

/// A permission's answer: "☒ Yes ☐ No" (boxes hidden from screen readers, which hear
/// the answer itself).
fn choice(i18n: I18n, entry: Signal<ConsentEntry>, p: Permission) -> impl IntoView {
    let answer = move || entry.with(|e| e.get(p));
    let organisation = move || {
        entry.with(|e| {
            e.decisions.iter().find(|d| d.permission == p && d.granted == Some(true)).map(|d| d.organisation.clone())
        })
    };
    let spoken = move || {
        i18n.tr(match answer() {
            Some(true) => "common-yes",
            Some(false) => "common-no",
            None => "common-not_answered",
        })
    };
    view! {
        <tr data-permission=p.field_name()>
            <th scope="row">{i18n.t(p.label_key())}</th>
            <td class="print-choice">
                <span aria-hidden="true">
                    <span class="print-box">{move || tick(answer() == Some(true))}</span>
                    " " {i18n.t("common-yes")} "   "
                    <span class="print-box">{move || tick(answer() == Some(false))}</span>
                    " " {i18n.t("common-no")}
                </span>
                <span class="visually-hidden">{spoken}</span>
                {move || organisation().filter(|o| !o.is_empty()).map(|o| view! { <span class="print-organisation">" — " {o}</span> })}
            </td>
        </tr>
    }
}

/// The A4 print view of a consent entry. `family_name` (from the intake) heads the
/// family's part when given.
#[component]
pub fn ConsentPrint(
    #[prop(into)] entry: Signal<ConsentEntry>,
    #[prop(optional, into)] family_name: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let print = move |_| {
        let _ = window().print();
    };
    let e = move |f: fn(&ConsentEntry) -> String| move || entry.with(f);
    let intro = move || {
        entry.with(|e| {
            i18n.tr_args(
                "consent-intro",
                &[("organisation", Arg::Str(&e.operator.name)), ("tax_number", Arg::Str(&e.operator.tax_number))],
            )
        })
    };
    let kind = move || entry.with(|e| i18n.tr(&e.kind.label_key()));
    let withdrawal = Memo::new(move |_| entry.with(|e| e.kind == ConsentKind::Withdrawn));
    let label = move |key: Option<String>| key.map(|k| i18n.tr(&k)).unwrap_or_default();

    let purposes = [
        Permission::CaseWork,
        Permission::PhotosAudio,
        Permission::AnonymisedReports,
        Permission::CrossBorder,
        Permission::Public,
    ];
    let parties = Memo::new(move |_| {
        let country = entry.with(|e| e.operator.country);
        Permission::for_country(country).into_iter().filter(|p| matches!(p, Permission::Sharing(_))).collect::<Vec<_>>()
    });
    let laws = move || {
        entry
            .with(|e| e.operator.law_keys())
            .iter()
            .map(|k| view! { <p class="consent-law">{i18n.t(*k)}</p> })
            .collect_view()
    };
    let children = move || {
        entry.with(|e| {
            e.children
                .iter()
                .map(|c| {
                    let (name, dob) = (c.full_name.clone(), date_text(c.date_of_birth));
                    let assent = c.assent.map(|a| i18n.tr(&a.label_key())).unwrap_or_default();
                    view! { <tr><td>{name}</td><td>{dob}</td><td>{assent}</td></tr> }
                })
                .collect_view()
        })
    };
    let categories = move || {
        DataCategory::ALL
            .iter()
            .map(|&c| {
                let on = move || entry.with(|e| e.data_categories.contains(&c));
                view! {
                    <li>
                        <span class="print-box" aria-hidden="true">{move || tick(on())}</span> " "
                        <span class=move || if on() { "" } else { "not-covered" }>{i18n.t(c.label_key())}</span>
                    </li>
                }
            })
            .collect_view()
    };
    let withdrawn = move || {
        entry
            .with(|e| {
                if e.withdraw_all {
                    vec![i18n.tr("consent-withdraw_all")]
                } else {
                    e.decisions
                        .iter()
                        .filter(|d| d.granted == Some(false))
                        .map(|d| i18n.tr(&d.permission.label_key()))
                        .collect()
                }
            })
            .into_iter()
            .map(|t| view! { <li>{t}</li> })
            .collect_view()
    };

    view! {
        <article class="consent-print" aria-labelledby="consent-print-title">
            <div class="print-actions no-print">
                <button type="button" class="print-button" on:click=print>{i18n.t("common-print")}</button>
            </div>
            <h1 id="consent-print-title">{i18n.t("consent-print-title")}</h1>
            <p class="print-kind">{kind}</p>
            <Show when=move || entry.with(|e| !e.operator.name.trim().is_empty())>
                <p class="consent-intro">{intro}</p>
            </Show>
            <table class="print-facts">
                {row(i18n, "field-operator-name", e(|e| e.operator.name.clone()))}
                {row(i18n, "field-operator-tax_number", e(|e| e.operator.tax_number.clone()))}
                {row(i18n, "field-operator-address", e(|e| e.operator.address.clone()))}
            </table>

            <h2>{i18n.t("section-consent-who")}</h2>
            <table class="print-facts">
                {family_name.map(|f| row(i18n, "field-family_name", move || f.get()))}
                {row(i18n, "field-consenter-role", move || label(entry.with(|e| e.consenter.role.map(|r| r.label_key()))))}
                {row(i18n, "field-consenter-full_name", e(|e| e.consenter.full_name.clone()))}
                {row(i18n, "field-consenter-document-kind", move || {
                    let (kind, number) = entry.with(|e| (e.consenter.document.kind.map(|k| k.label_key()), e.consenter.document.number.clone()));
                    format!("{} {number}", label(kind)).trim().to_owned()
                })}
                {row(i18n, "field-consenter-document-personal_number", e(|e| e.consenter.document.personal_number.clone()))}
            </table>

            <Show when=move || !withdrawal.get()>
                <Show when=move || entry.with(|e| !e.children.is_empty())>
                    <h2>{i18n.t("section-consent-children")}</h2>
                    <table class="print-children">
                        <thead><tr>
                            <th scope="col">{i18n.t("field-children-full_name")}</th>
                            <th scope="col">{i18n.t("field-children-date_of_birth")}</th>
                            <th scope="col">{i18n.t("field-children-assent")}</th>
                        </tr></thead>
                        <tbody>{children}</tbody>
                    </table>
                </Show>
                <h2>{i18n.t("section-consent-purposes")}</h2>
                <p class="print-help">{i18n.t("consent-purposes-help")}</p>
                <table class="print-choices">{purposes.into_iter().map(|p| choice(i18n, entry, p)).collect_view()}</table>
                <h2>{i18n.t("section-consent-sharing")}</h2>
                <table class="print-choices">{move || parties.get().into_iter().map(|p| choice(i18n, entry, p)).collect_view()}</table>
                <h2>{i18n.t("section-consent-terms")}</h2>
                <p>{i18n.t("field-data_categories")}</p>
                <ul class="print-categories">{categories}</ul>
                <p class="print-special">{i18n.t("consent-special-data")}</p>
                <table class="print-facts">
                    {row(i18n, "field-retention_years", e(|e| e.retention_years.map(|y| y.to_string()).unwrap_or_default()))}
                    {row(i18n, "field-expires_on", e(|e| date_text(e.expires_on)))}
                </table>
            </Show>
            <Show when=move || withdrawal.get()>
                <h2>{i18n.t("section-consent-withdrawal")}</h2>
                <p>{i18n.t("consent-withdraw-which")}</p>
                <ul class="print-withdrawn">{withdrawn}</ul>
            </Show>

            <div class="rights-text">
                <p>{i18n.t(RIGHTS_TEXT_KEY)}</p>
                <p>{i18n.t("field-operator-complaints_contact")} ": " {e(|e| e.operator.complaints_contact.clone())}</p>
            </div>
            <div id="consent-law">{laws}</div>

            <div class="signature-lines">
                <div class="signature-line">
                    <span>{i18n.t("consent-print-signature_line")}</span>
                    <span class="signer">{e(|e| e.consenter.full_name.clone())}</span>
                </div>
                <div class="signature-line">
                    <span>{i18n.t("field-witness")}</span>
                    <span class="signer">{e(|e| e.witness.clone())}</span>
                </div>
                <div class="signature-line">
                    <span>{i18n.t("consent-print-date_line")}</span>
                    <span class="signer">{e(|e| format!("{} {}", date_text(e.date), e.place).trim().to_owned())}</span>
                </div>
            </div>
        </article>
    }
}

#[cfg(test)]
mod tests {
    /// The stylesheet the app serves prints the sheet on A4 and nothing around it.
    #[test]
    fn the_stylesheet_prints_the_sheet_alone_on_a4() {
        let css = include_str!("../../static/forms.css");
        assert!(css.contains("@page { size: A4;"));
        let print = &css[css.find("@media print").expect("a print section")..];
        // Only when the sheet is on the page: printing the adviser's case file hides the rest its own way.
        assert!(print.contains("body:has(.consent-print) *:not(:has(.consent-print)):not(.consent-print):not(.consent-print *) { display: none"));
        assert!(print.contains(".consent-print .no-print { display: none"));
    }
}
