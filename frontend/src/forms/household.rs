//! The household as a repeat group: one fieldset per member with add, remove, move
//! up and move down, all plain buttons (keyboard and screen reader usable as they
//! are; no drag and drop to learn).
//!
//! Rows are keyed by [`MemberKey`], so a moved member keeps its inputs, focus and
//! "touched" state. Focus is kept sensibly: after "add" it goes to the new member's
//! name; after a move it stays on the same button of the moved member (or on its
//! other move button when it reached an end); after "remove" it goes to the next
//! member's heading, or to "add" when none is left.

use leptos::prelude::*;
use shared::forms::codes::Code;
use shared::forms::household::{
    disability_groups_for, document_types_for, Activity, Citizenship, Member, MemberKey, Relation, Residence, Sex,
};
use shared::i18n::Arg;

use crate::forms::descriptor::{
    code_field, long_field, render_all, text_field, Control, FieldDef, FormState, MemberOf, Target,
};
use crate::forms::fields::{focus_field, DocumentField, Frame, Part};
use crate::i18n::use_i18n;

/// A member's fields before the identity document.
static BEFORE_DOCUMENT: &[FieldDef<Member>] = &[
    text_field!(Member, "full_name", "field-household-full_name", full_name),
    FieldDef {
        name: "date_of_birth",
        label: "field-household-date_of_birth",
        help: None,
        shows: None,
        control: Control::Date(|m| m.date_of_birth, |m, d| m.date_of_birth = d),
    },
    code_field!(Member, Sex, "sex", "field-household-sex", sex),
    code_field!(Member, Relation, "relation", "field-household-relation", relation),
    code_field!(Member, Citizenship, "citizenship", "field-household-citizenship", citizenship),
];

/// A member's fields after the identity document.
static AFTER_DOCUMENT: &[FieldDef<Member>] = &[
    code_field!(Member, Activity, "activity", "field-household-activity", activity),
    FieldDef {
        help: Some("help-household-residence"),
        ..code_field!(Member, Residence, "residence", "field-household-residence", residence)
    },
    FieldDef {
        shows: Some(|m, _| m.shows_residence_note()),
        ..text_field!(Member, "residence_note", "field-household-residence_note", residence_note)
    },
];

/// A member's special-category fields (disability, health): shown only once the
/// intake's lawful basis opens them (`shared::forms::basis`).
static SPECIAL: &[FieldDef<Member>] = &[
    FieldDef {
        name: "disability",
        label: "field-household-disability",
        help: None,
        shows: None,
        control: Control::YesNo(|m| m.disability, |m, b| m.disability = b),
    },
    FieldDef {
        name: "disability_group",
        label: "field-household-disability_group",
        help: Some("help-household-disability_group"),
        shows: Some(|m, _| m.shows_disability_group()),
        control: Control::Select {
            list: "disability_group",
            options: |m, on| disability_groups_for(m.age_on(on)).iter().map(|g| g.code()).collect(),
            get: |m| m.disability_group.map(|g| g.code()),
            set: |m, c| m.disability_group = c.and_then(Code::from_code),
        },
    },
    long_field!(Member, "health_notes", "field-household-health_notes", health_notes),
];

/// The DOM id of a member's fieldset heading (focus lands there after a removal).
fn heading_id(key: MemberKey) -> String {
    format!("f-household-k{}-heading", key.0)
}

fn button_id(key: MemberKey, what: &str) -> String {
    format!("f-household-k{}-{what}", key.0)
}

/// Focus after the DOM has caught up with a change (the next animation frame).
fn focus_later(id: String) {
    request_animation_frame(move || focus_field(&id));
}

/// One member's identity document, narrowed by citizenship.
#[component]
fn MemberDocument(target: MemberOf) -> impl IntoView {
    let state = target.state();
    let part = |name: &str, label: &str| {
        let id = target.id(name);
        Frame::new(id.clone(), label.to_owned(), state.problem(id))
    };
    let touch = move |name: &'static str| state.touch(&target.id(name));
    let kind = Part {
        frame: part("document.kind", "field-household-document-kind"),
        value: Signal::derive(move || target.read(|m, _| m.document.kind.map(|k| k.code().to_owned())).flatten()),
        set: Callback::new(move |v: Option<String>| {
            touch("document.kind");
            target.write(|m| m.document.kind = v.as_deref().and_then(Code::from_code));
        }),
    };
    let number = Part {
        frame: part("document.number", "field-household-document-number"),
        value: Signal::derive(move || target.read(|m, _| m.document.number.clone()).unwrap_or_default()),
        set: Callback::new(move |v: String| {
            touch("document.number");
            target.write(|m| m.document.number = v);
        }),
    };
    let personal_number = Part {
        frame: part("document.personal_number", "field-household-document-personal_number"),
        value: Signal::derive(move || target.read(|m, _| m.document.personal_number.clone()).unwrap_or_default()),
        set: Callback::new(move |v: String| {
            touch("document.personal_number");
            target.write(|m| m.document.personal_number = v);
        }),
    };
    view! {
        <DocumentField
            legend="field-household-document-kind".to_owned()
            types=Memo::new(move |_| target.read(|m, _| document_types_for(m.citizenship).iter().map(|d| d.code()).collect()).unwrap_or_default()).into()
            kind number personal_number
            shows_number=Signal::derive(move || target.read(|m, _| m.shows_document_number()).unwrap_or(false))
            personal_kind=Memo::new(move |_| target.read(|m, _| m.shows_personal_number()).flatten()).into()
        />
    }
}

/// One member's fieldset with its row buttons.
#[component]
fn MemberRow(state: FormState, key: MemberKey) -> impl IntoView {
    let i18n = use_i18n();
    let target = MemberOf(state, key);
    let index = Memo::new(move |_| state.form.with(|f| f.household.iter().position(|m| m.key == key)));
    let count = Memo::new(move |_| state.form.with(|f| f.household.len()));
    let n = move || index.get().map_or(0, |i| i + 1);
    let heading = move || i18n.tr_args("household-member_n", &[("n", Arg::from(n()))]);
    let name = move || target.read(|m, _| m.full_name.clone()).unwrap_or_default();
    let special = Memo::new(move |_| state.form.with(|f| f.basis.opens_special_data()));

    let move_by = move |delta: isize, what: &'static str| {
        let Some(from) = index.get_untracked() else { return };
        let to = from as isize + delta;
        if to < 0 || to as usize >= count.get_untracked() {
            return;
        }
        state.update(|f| f.move_member(from, to as usize));
        // Keep focus on the button pressed; at an end that button is disabled, so
        // the other one takes it.
        let at_end = to == 0 || to as usize + 1 == count.get_untracked();
        let other = if what == "up" { "down" } else { "up" };
        focus_later(button_id(key, if at_end { other } else { what }));
    };
    let remove = move |_| {
        let Some(i) = index.get_untracked() else { return };
        let next = state.form.with_untracked(|f| {
            f.household.get(i + 1).or_else(|| i.checked_sub(1).and_then(|p| f.household.get(p))).map(|m| m.key)
        });
        state.update(|f| {
            f.remove_member(i);
        });
        focus_later(next.map_or_else(|| "household-add".to_owned(), heading_id));
    };

    view! {
        <fieldset class="repeat-row member" aria-labelledby=heading_id(key)>
            <h3 id=heading_id(key) tabindex="-1">{heading} " " <span class="member-name">{name}</span></h3>
            {render_all(BEFORE_DOCUMENT, target)}
            <MemberDocument target />
            {render_all(AFTER_DOCUMENT, target)}
            <Show when=move || special.get()>{render_all(SPECIAL, target)}</Show>
            <div class="row-actions">
                <button type="button" id=button_id(key, "up") disabled=move || index.get() == Some(0)
                    aria-label=move || format!("{} — {}", i18n.tr("common-move_up"), heading())
                    on:click=move |_| move_by(-1, "up")>{i18n.t("common-move_up")}</button>
                <button type="button" id=button_id(key, "down")
                    disabled=move || { index.get().is_none_or(|i| i + 1 >= count.get()) }
                    aria-label=move || format!("{} — {}", i18n.tr("common-move_down"), heading())
                    on:click=move |_| move_by(1, "down")>{i18n.t("common-move_down")}</button>
                <button type="button" id=button_id(key, "remove") class="danger"
                    aria-label=move || format!("{} — {}", i18n.tr("household-remove_member"), heading())
                    on:click=remove>{i18n.t("household-remove_member")}</button>
            </div>
        </fieldset>
    }
}

/// The household section's repeat group.
#[component]
pub fn HouseholdGroup(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let keys = Memo::new(move |_| state.form.with(|f| f.household.iter().map(|m| m.key).collect::<Vec<_>>()));
    let full = move || keys.with(|k| k.len() >= shared::forms::check::MAX_MEMBERS);
    let add = move |_| {
        let mut key = None;
        state.update(|f| key = Some(f.add_member()));
        if let Some(k) = key {
            focus_later(MemberOf(state, k).id("full_name"));
        }
    };
    let count = move || i18n.tr_args("household-members_count", &[("count", Arg::from(keys.with(Vec::len)))]);
    let problem = state.problem("f-household".to_owned());
    view! {
        <div class="repeat-group" id="f-household" tabindex="-1" aria-describedby="f-household-error">
            <p class="repeat-count" aria-live="polite">{count}</p>
            <For each=move || keys.get() key=|k| *k children=move |k| view! { <MemberRow state key=k /> } />
            <p class="field-error" id="f-household-error" role="alert">
                {move || problem.get().map(|p| i18n.tr(&p.message_key()))}
            </p>
            <button type="button" id="household-add" class="add" disabled=full on:click=add>
                {i18n.t("household-add_member")}
            </button>
        </div>
    }
}
