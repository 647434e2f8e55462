//! Where a field lives on the page, and the error summary that links to it.
//!
//! `shared::forms::check` names a problem by its path in the form
//! (`household[2].document.number`). On the page a field's id must not move when the
//! household is reordered (its focus, its "touched" state and the summary's links
//! follow the person, not the row number), so a member's id carries its
//! [`MemberKey`](shared::forms::household::MemberKey) and a need's id its service
//! code: [`field_id`] maps a path to that id.

use leptos::prelude::*;
use shared::forms::intake::FamilyIntake;
use shared::i18n::Arg;
use shared::validate::FieldError;

use crate::forms::fields::focus_field;
use crate::i18n::use_i18n;

/// The DOM id of the field at `path` in `form`: `f-` then the path with `.` as `-`,
/// a household or children-at-risk index replaced by the member's `k{key}`, a need's index by its service code.
pub fn field_id(path: &str, form: &FamilyIntake) -> String {
    let mut out = String::from("f-");
    let mut rest = path;
    while !rest.is_empty() {
        let (name, tail) = match rest.find(['.', '[']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        out.push_str(name);
        rest = tail;
        if let Some(after) = rest.strip_prefix('[') {
            let Some(end) = after.find(']') else { break };
            let index: Option<usize> = after[..end].parse().ok();
            let part = match (name, index) {
                ("household", Some(i)) => form.household.get(i).map(|m| format!("k{}", m.key.0)),
                ("children_at_risk", Some(i)) => form.children_at_risk.get(i).map(|c| format!("k{}", c.member.0)),
                ("needs", Some(i)) => form.needs.get(i).map(|n| n.service.code().to_owned()),
                _ => None,
            };
            out.push('-');
            out.push_str(&part.unwrap_or_else(|| after[..end].to_owned()));
            rest = &after[end + 1..];
        }
        if let Some(after) = rest.strip_prefix('.') {
            out.push('-');
            rest = after;
        }
    }
    out
}

/// The DOM id of the field at `path` in a form whose repeat-group rows are named by
/// their position (consent, follow-up, closure): `prefix`, then the path with `.` and
/// `[i]` as `-` (`contacts[1].date` → `u-contacts-1-date`).
pub fn path_id(prefix: &str, path: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + path.len());
    out.push_str(prefix);
    for c in path.chars() {
        match c {
            '.' | '[' => out.push('-'),
            ']' => {}
            c => out.push(c),
        }
    }
    out
}

/// The error summary above a form: how many problems, then each one as a link to its
/// field (`href="#id"`, and a click moves focus there, since following a fragment
/// link scrolls but does not focus a form control). Shown once `visible`.
#[component]
pub fn ErrorSummary(
    /// Every problem, in form order, with the field id to link to.
    problems: Signal<Vec<(FieldError, String)>>,
    visible: Signal<bool>,
    /// The summary's DOM id (`form-error-summary` unless given), unique per form on
    /// the page; its title is `{id}-title`.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The label key for a field id where the path's own label is too vague (each of
    /// a consent's yes/no questions is a "decision"; its purpose names it).
    #[prop(optional)]
    label: Option<fn(&str) -> Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = id.unwrap_or("form-error-summary");
    let title_id = format!("{id}-title");
    move || {
        let (title_id, labelled_by) = (title_id.clone(), title_id.clone());
        (visible.get() && !problems.with(Vec::is_empty)).then(|| {
            let count = problems.with(Vec::len);
            let items = problems
                .get()
                .into_iter()
                .map(|(e, id)| {
                    let href = format!("#{id}");
                    let own_label = label.and_then(|l| l(&id));
                    let text = move || {
                        i18n.with_catalog(|c| match &own_label {
                            Some(key) => format!("{}: {}", c.tr(key, &[]), c.problem(e.problem)),
                            None => c.field_error(&e),
                        })
                        .unwrap_or_else(|| e.field.clone())
                    };
                    view! {
                        <li>
                            <a href=href on:click=move |ev| {
                                ev.prevent_default();
                                focus_field(&id);
                            }>{text}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div id=id class="error-summary" role="alert" tabindex="-1"
                    aria-labelledby=labelled_by>
                    <h2 id=title_id>
                        {move || i18n.tr_args("summary-title", &[("count", Arg::from(count))])}
                    </h2>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::forms::intake::Service;

    #[test]
    fn a_members_field_id_follows_the_member_when_the_household_is_reordered() {
        let mut f = FamilyIntake::default();
        let a = f.add_member();
        let b = f.add_member();
        assert_eq!(field_id("household[1].document.number", &f), format!("f-household-k{}-document-number", b.0));
        f.move_member(1, 0);
        assert_eq!(field_id("household[0].document.number", &f), format!("f-household-k{}-document-number", b.0));
        assert_eq!(field_id("household[1].full_name", &f), format!("f-household-k{}-full_name", a.0));
    }

    #[test]
    fn plain_paths_lists_and_needs_map_to_stable_ids() {
        let mut f = FamilyIntake::default();
        f.toggle_need(Service::Legal);
        assert_eq!(field_id("meta.date", &f), "f-meta-date");
        assert_eq!(field_id("family_name", &f), "f-family_name");
        assert_eq!(field_id("address.phones[1]", &f), "f-address-phones-1");
        assert_eq!(field_id("needs[0].note", &f), "f-needs-legal-note");
        assert_eq!(field_id("household", &f), "f-household");
        // A stale index (the member was just removed) still gives a well-formed id.
        assert_eq!(field_id("household[7].sex", &f), "f-household-7-sex");
    }

    #[test]
    fn a_positional_forms_paths_become_ids_under_its_prefix() {
        assert_eq!(path_id("u-", "contacts[1].date"), "u-contacts-1-date");
        assert_eq!(path_id("c-", "operator.tax_number"), "c-operator-tax_number");
        assert_eq!(path_id("x-", "outcome"), "x-outcome");
    }
}
