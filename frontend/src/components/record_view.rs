//! One opened record on the key holder's page: the family, its region, children with
//! their dates of birth, and the situation, in people's words and formats.

use leptos::prelude::*;
use shared::record::{Document, Record};
use shared::EntryId;

use crate::i18n::{t, use_i18n};

#[component]
pub fn RecordView(id: EntryId, doc: Document) -> impl IntoView {
    let i18n = use_i18n();
    let Record::Intake(intake) = doc.record;
    // Stored answers are codes: their labels come from the language shown.
    let region = intake.region;
    let region = move || region.and_then(|r| i18n.with_catalog(|c| c.label(r))).unwrap_or_else(|| "—".into());
    let children = intake
        .children
        .into_iter()
        .map(|c| {
            let born = c.date_of_birth.map(|d| d.display()).unwrap_or_else(|| "—".into());
            view! { <li>{c.full_name} ", " {t("adviser-born")} " " <time>{born}</time></li> }
        })
        .collect_view();
    let risks = intake
        .risk_factors
        .into_iter()
        .map(|r| view! { <li data-code=r.code()>{move || i18n.with_catalog(|c| c.label(r)).unwrap_or_else(|| r.code().to_owned())}</li> })
        .collect_view();
    view! {
        <article class="record card" data-id=id.to_string() data-case=doc.case.to_string()>
            <h3 class="family-name">{intake.family_name}</h3>
            <dl>
                <dt>{t("adviser-region")}</dt>
                <dd class="region">{region}</dd>
                <dt>{t("adviser-children")}</dt>
                <dd><ul class="children">{children}</ul></dd>
                <dt>{t("adviser-risk_factors")}</dt>
                <dd><ul class="risk-factors">{risks}</ul></dd>
                <dt>{t("adviser-assessment")}</dt>
                <dd class="assessment">{intake.assessment}</dd>
                <dt>{t("adviser-case")}</dt>
                <dd><code>{doc.case.to_string()}</code></dd>
                <dt>{t("adviser-author")}</dt>
                <dd>{doc.author}</dd>
                <dt>{t("adviser-created_at")}</dt>
                <dd>{doc.created_at}</dd>
            </dl>
        </article>
    }
}
