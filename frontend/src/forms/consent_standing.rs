//! The case's current consent as people see it: the table of where each purpose and
//! sharing party stands ([`ConsentStateView`]), and the refusal of an action consent
//! does not allow ([`refusal_for`]), as a sentence ([`refusal_text`]) beside the action
//! it disables ([`ConsentRefusal`]).
//!
//! The rule (folding the entries, "may we do X on this day?") is `shared`'s
//! `ConsentState`; here it is only shown. The form that records consent is
//! [`crate::forms::consent_form`].

use leptos::prelude::*;
use shared::forms::consent::{ConsentEntry, ConsentState, Permission, Refusal, Standing};
use shared::forms::followup::FollowUp;
use shared::i18n::Arg;
use shared::record::Date;

use crate::i18n::{use_i18n, I18n};

/// Whether `permission` is allowed on `today`, and if not the refusal with its reason
/// (never asked, refused, withdrawn on a date, expired on a date; case work missing
/// for any sharing). Its sentence is [`refusal_text`]; its catalog key is
/// `Refusal::message_key`.
pub fn refusal_for(state: &ConsentState, permission: Permission, today: Date) -> Option<Refusal> {
    state.allows(permission, today).err()
}

/// Every refusal standing in the way of a follow-up (case work, and sharing with each
/// party it refers to), in order; empty when consent allows it all.
pub fn refusals_for_follow_up(state: &ConsentState, f: &FollowUp, today: Date) -> Vec<Refusal> {
    f.consent_needed().into_iter().filter_map(|p| refusal_for(state, p, today)).collect()
}

/// A refusal as a sentence in the current language (tracked).
pub fn refusal_text(refusal: &Refusal) -> String {
    let i18n = use_i18n();
    i18n.with_catalog(|c| c.refusal(refusal)).unwrap_or_else(|| refusal.message_key().to_owned())
}

/// Says why an action is refused (an alert), or nothing while it is allowed. The page
/// shows it beside the action it disables.
#[component]
pub fn ConsentRefusal(#[prop(into)] refusal: Signal<Option<Refusal>>) -> impl IntoView {
    move || refusal.get().map(|r| view! { <p class="consent-refusal" role="alert">{move || refusal_text(&r)}</p> })
}

/// How a permission stands, as a sentence (`Allowed since 01.02.2026`).
fn standing_text(i18n: I18n, standing: Option<Standing>) -> String {
    let d = |date: Date| date.display();
    match standing {
        None => i18n.tr("consent-state-not_asked"),
        Some(Standing::Granted { since, until: None }) => {
            i18n.tr_args("consent-state-granted", &[("date", Arg::Str(&d(since)))])
        }
        Some(Standing::Granted { since, until: Some(u) }) => {
            i18n.tr_args("consent-state-granted_until", &[("date", Arg::Str(&d(since))), ("until", Arg::Str(&d(u)))])
        }
        Some(Standing::Refused { on }) => i18n.tr_args("consent-state-refused", &[("date", Arg::Str(&d(on)))]),
        Some(Standing::Withdrawn { on }) => i18n.tr_args("consent-state-withdrawn", &[("date", Arg::Str(&d(on)))]),
    }
}

/// The case's current consent, folded from its consent entries (`shared`'s
/// `ConsentState`): one row per purpose and sharing party with how it stands and,
/// where it is not allowed today though it was granted (expired; case work
/// withdrawn), why. A row is `tr[data-permission=…]` with class `allowed` or
/// `not-allowed`.
#[component]
pub fn ConsentStateView(#[prop(into)] entries: Signal<Vec<ConsentEntry>>, today: Date) -> impl IntoView {
    let i18n = use_i18n();
    let state = Memo::new(move |_| entries.with(|es| ConsentState::from_entries(es.iter())));
    let rows = move || {
        state.with(|s| {
            s.summary()
                .into_iter()
                .map(|(p, standing)| {
                    let refusal = refusal_for(s, p, today);
                    let class = if refusal.is_some() { "not-allowed" } else { "allowed" };
                    let why = refusal.filter(|_| matches!(standing, Some(Standing::Granted { .. })));
                    view! {
                        <tr class=class data-permission=p.field_name()>
                            <th scope="row">{i18n.t(p.label_key())}</th>
                            <td>
                                {move || standing_text(i18n, standing)}
                                {why.map(|r| view! { <span class="consent-refusal">" " {move || refusal_text(&r)}</span> })}
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="consent-state" aria-labelledby="consent-state-title">
            <h2 id="consent-state-title">{i18n.t("consent-state-title")}</h2>
            <table>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
