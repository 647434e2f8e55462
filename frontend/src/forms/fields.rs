//! The field building blocks every form is made of: text, date, phone, select over a
//! shared code list, yes/no, multiple choice (with an optional priority per choice)
//! and an identity document.
//!
//! Each takes plain signals and callbacks (not a form type), so the intake, consent
//! and follow-up forms share them, and each is one instantiation in the wasm. Every
//! field carries the same accessibility frame: a `<label for>` (or a `<legend>` for a
//! group), its help text and its problem linked by `aria-describedby`, `aria-invalid`
//! while it has a problem, the problem in a `role="alert"` paragraph beside it, and
//! `autocomplete="off"` (a shared tablet must not offer one family's answers to the
//! next). Labels are catalog keys read through [`crate::i18n`], as reactive text
//! only, so a language switch never rebuilds an input.

use leptos::prelude::*;
use shared::forms::household::PersonalNumberKind;
use shared::record::Date;
use shared::validate::FieldProblem;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;

/// What every field shows around its control.
#[derive(Clone)]
pub struct Frame {
    /// The control's DOM id (the error summary links to `#id`).
    pub id: String,
    /// Catalog key of the label.
    pub label: String,
    /// Catalog key of the help text, if any.
    pub help: Option<String>,
    /// The problem to show now (already filtered by "touched or save attempted").
    pub problem: Signal<Option<FieldProblem>>,
}

impl Frame {
    pub fn new(id: impl Into<String>, label: impl Into<String>, problem: Signal<Option<FieldProblem>>) -> Self {
        Self { id: id.into(), label: label.into(), help: None, problem }
    }

    pub fn with_help(mut self, help: Option<impl Into<String>>) -> Self {
        self.help = help.map(Into::into);
        self
    }

    fn help_id(&self) -> String {
        format!("{}-help", self.id)
    }

    fn error_id(&self) -> String {
        format!("{}-error", self.id)
    }

    /// The ids the control's `aria-describedby` lists.
    fn described_by(&self) -> String {
        match self.help {
            Some(_) => format!("{} {}", self.help_id(), self.error_id()),
            None => self.error_id(),
        }
    }

    fn invalid(&self) -> impl Fn() -> &'static str + Send + Sync + 'static {
        let p = self.problem;
        move || if p.with(Option::is_some) { "true" } else { "false" }
    }

    /// The help paragraph (if any) and the problem's live region.
    fn notes(&self, override_message: Option<Signal<Option<String>>>) -> impl IntoView {
        let i18n = use_i18n();
        let help = self.help.clone().map(|key| view! { <p class="field-help" id=self.help_id()>{i18n.t(key)}</p> });
        let problem = self.problem;
        view! {
            {help}
            <p class="field-error" id=self.error_id() role="alert">
                {move || {
                    override_message
                        .and_then(|m| m.get())
                        .or_else(|| problem.get().map(|p| i18n.tr(&p.message_key())))
                }}
            </p>
        }
    }
}

/// Moves keyboard focus to the field `id`: the element itself, or for a group
/// (`<fieldset>`) its first control. Used by the error summary and the repeat group.
pub fn focus_field(id: &str) {
    let Some(el) = document().get_element_by_id(id) else { return };
    let target = if el.tag_name().eq_ignore_ascii_case("fieldset") {
        el.query_selector("input, select, textarea, button").ok().flatten()
    } else {
        Some(el)
    };
    if let Some(t) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = t.focus();
    }
}

/// A one-line or multi-line text field.
#[component]
pub fn TextField(
    frame: Frame,
    value: Signal<String>,
    on_input: Callback<String>,
    #[prop(optional)] multiline: bool,
    /// The tablet keyboard: `tel` for phone numbers, `numeric` for numbers.
    #[prop(optional)]
    kind: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let control = if multiline {
        view! {
            <textarea id=frame.id.clone() autocomplete="off" aria-describedby=frame.described_by()
                aria-invalid=frame.invalid()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=frame.id.clone() type=if kind == Some("tel") { "tel" } else { "text" } inputmode=kind
                autocomplete="off" aria-describedby=frame.described_by() aria-invalid=frame.invalid()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=frame.id.clone()>{i18n.t(frame.label.clone())}</label>
            {control}
            {frame.notes(None)}
        </div>
    }
}

/// A phone number: a text field with the phone keyboard; the number is checked by
/// `shared::validate::phone` (+998 / +7).
#[component]
pub fn PhoneField(frame: Frame, value: Signal<String>, on_input: Callback<String>) -> impl IntoView {
    view! { <TextField frame value on_input kind="tel" /> }
}

/// A date typed as `dd.mm.yyyy` (fast on every keyboard, unlike a date picker). What
/// is typed stays as typed; the form gets the date once it parses
/// (`Date::parse_display`) and `None` until then, and a text that does not parse
/// shows the expected pattern as its problem.
#[component]
pub fn DateField(frame: Frame, value: Signal<Option<Date>>, on_change: Callback<Option<Date>>) -> impl IntoView {
    let i18n = use_i18n();
    let raw = RwSignal::new(value.get_untracked().map(Date::display).unwrap_or_default());
    // A date set from outside (a row of a repeat group taking the next row's answers
    // after a removal, a resumed draft) replaces what is shown; a half-typed text whose
    // date is still `None` stays as typed.
    Effect::new(move |_| {
        let v = value.get();
        if raw.with_untracked(|r| Date::parse_display(r)) != v {
            raw.set(v.map(Date::display).unwrap_or_default());
        }
    });
    let unparsed = Signal::derive(move || {
        raw.with(|r| !r.trim().is_empty() && Date::parse_display(r).is_none()).then(|| i18n.tr("common-date_hint"))
    });
    let problem = frame.problem;
    let invalid =
        move || if unparsed.with(Option::is_some) || problem.with(Option::is_some) { "true" } else { "false" };
    view! {
        <div class="field">
            <label for=frame.id.clone()>{i18n.t(frame.label.clone())}</label>
            <input id=frame.id.clone() type="text" inputmode="numeric" placeholder=move || i18n.tr("common-date_hint")
                maxlength="10" autocomplete="off" aria-describedby=frame.described_by() aria-invalid=invalid
                prop:value=move || raw.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    let parsed = Date::parse_display(&text);
                    raw.set(text);
                    on_change.run(parsed);
                } />
            {frame.notes(Some(unparsed))}
        </div>
    }
}

/// One choice from a shared code list (`list`), the options given as codes and
/// labelled `{list}-{code}` from the catalog. Skip logic narrows `options`.
#[component]
pub fn SelectField(
    frame: Frame,
    list: &'static str,
    options: Signal<Vec<&'static str>>,
    value: Signal<Option<&'static str>>,
    on_change: Callback<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = move || {
        options
            .get()
            .into_iter()
            .map(|code| {
                let key = format!("{list}-{code}");
                view! { <option value=code selected=move || value.get() == Some(code)>{move || i18n.tr(&key)}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field">
            <label for=frame.id.clone()>{i18n.t(frame.label.clone())}</label>
            <select id=frame.id.clone() autocomplete="off" aria-describedby=frame.described_by()
                aria-invalid=frame.invalid()
                prop:value=move || value.get().unwrap_or("")
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    on_change.run((!v.is_empty()).then_some(v));
                }>
                <option value="" selected=move || value.get().is_none()>{i18n.t("common-choose")}</option>
                {items}
            </select>
            {frame.notes(None)}
        </div>
    }
}

/// A yes/no question as two radio buttons in a fieldset (both answers are explicit;
/// the arrow keys move between them). The "yes" radio carries the field's id.
#[component]
pub fn YesNo(frame: Frame, value: Signal<bool>, on_change: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let no_id = format!("{}-no", frame.id);
    view! {
        <fieldset class="field choice-group" aria-describedby=frame.described_by()>
            <legend>{i18n.t(frame.label.clone())}</legend>
            <div class="choice">
                <input type="radio" id=frame.id.clone() name=frame.id.clone() value="yes" autocomplete="off"
                    prop:checked=move || value.get() on:change=move |_| on_change.run(true) />
                <label for=frame.id.clone()>{i18n.t("common-yes")}</label>
            </div>
            <div class="choice">
                <input type="radio" id=no_id.clone() name=frame.id.clone() value="no" autocomplete="off"
                    prop:checked=move || !value.get() on:change=move |_| on_change.run(false) />
                <label for=no_id>{i18n.t("common-no")}</label>
            </div>
            {frame.notes(None)}
        </fieldset>
    }
}

/// How a [`MultiCheck`] shows and changes a priority per ticked choice.
#[derive(Clone, Copy)]
pub struct PriorityBinding {
    /// The code list of the priorities (`priority`).
    pub list: &'static str,
    /// Every priority code, in display order.
    pub options: fn() -> Vec<&'static str>,
    /// The priority of a ticked choice (tracked).
    pub get: Callback<&'static str, Option<&'static str>>,
    pub set: Callback<(&'static str, String)>,
}

/// Several choices from a code list, as checkboxes in a fieldset; with `priority`,
/// each ticked choice gets a priority select beside it.
#[component]
pub fn MultiCheck(
    frame: Frame,
    list: &'static str,
    options: Signal<Vec<&'static str>>,
    value: Signal<Vec<&'static str>>,
    on_toggle: Callback<&'static str>,
    #[prop(optional)] priority: Option<PriorityBinding>,
) -> impl IntoView {
    let i18n = use_i18n();
    let base = frame.id.clone();
    let items = move || {
        options
            .get()
            .into_iter()
            .map(|code| {
                let id = format!("{base}-{code}");
                let key = format!("{list}-{code}");
                let ticked = move || value.with(|v| v.contains(&code));
                let prio = priority.map(|p| {
                    let pid = format!("{id}-priority");
                    let prio_opts = (p.options)()
                        .into_iter()
                        .map(|o| {
                            let okey = format!("{}-{o}", p.list);
                            view! { <option value=o selected=move || p.get.run(code) == Some(o)>{move || i18n.tr(&okey)}</option> }
                        })
                        .collect_view();
                    let label = move || format!("{} — {}", i18n.tr("needs-priority"), i18n.tr(&format!("{list}-{code}")));
                    view! {
                        <Show when=ticked>
                            <label class="visually-hidden" for=pid.clone()>{label}</label>
                            <select id=pid.clone() class="priority" autocomplete="off"
                                prop:value=move || p.get.run(code).unwrap_or("")
                                on:change=move |ev| p.set.run((code, event_target_value(&ev)))>
                                {prio_opts.clone()}
                            </select>
                        </Show>
                    }
                });
                view! {
                    <div class="choice">
                        <input type="checkbox" id=id.clone() value=code autocomplete="off"
                            prop:checked=ticked on:change=move |_| on_toggle.run(code) />
                        <label for=id>{move || i18n.tr(&key)}</label>
                        {prio}
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="field choice-group" id=frame.id.clone() tabindex="-1" aria-describedby=frame.described_by()
            aria-invalid=frame.invalid()>
            <legend>{i18n.t(frame.label.clone())}</legend>
            {items}
            {frame.notes(None)}
        </fieldset>
    }
}

/// One binding of a document part: its frame, value and setter.
#[derive(Clone)]
pub struct Part<T: Send + Sync + 'static> {
    pub frame: Frame,
    pub value: Signal<T>,
    pub set: Callback<T>,
}

/// An identity document: its type (narrowed by citizenship), series and number when
/// the type is not "no document", and the personal number (PINFL or IIN) when the
/// citizenship has one. Checking is `shared`'s (`validate::pinfl`, `validate::iin`).
#[component]
pub fn DocumentField(
    /// Catalog key of the group's legend.
    legend: String,
    /// The document types offered (codes of `document_type`).
    types: Signal<Vec<&'static str>>,
    kind: Part<Option<String>>,
    number: Part<String>,
    personal_number: Part<String>,
    shows_number: Signal<bool>,
    /// Which personal number the citizenship has (pass a memo: the field is rebuilt
    /// whenever it notifies).
    personal_kind: Signal<Option<PersonalNumberKind>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind_value = kind.value;
    let code_value = Signal::derive(move || {
        kind_value.with(|k| {
            k.as_deref()
                .and_then(|k| shared::forms::household::DocumentType::ALL.iter().map(|d| d.code()).find(|c| *c == k))
        })
    });
    let Part { frame: number_frame, value: number_value, set: number_set } = number;
    let Part { frame: pn_frame, value: pn_value, set: pn_set } = personal_number;
    let pn_help = move || match personal_kind.get() {
        Some(PersonalNumberKind::Pinfl) => Some("help-pinfl"),
        Some(PersonalNumberKind::Iin) => Some("help-iin"),
        None => None,
    };
    view! {
        <fieldset class="field-group document">
            <legend>{i18n.t(legend)}</legend>
            <SelectField frame=kind.frame list="document_type" options=types value=code_value on_change=kind.set />
            <Show when=move || shows_number.get()>
                <TextField frame=number_frame.clone() value=number_value on_input=Callback::new(move |v| number_set.run(v)) />
            </Show>
            // Rebuilt when the kind changes (PINFL ↔ IIN: another help text); the value
            // is the form's, so nothing typed is lost.
            {move || pn_help().map(|help| {
                let f = pn_frame.clone().with_help(Some(help));
                view! { <TextField frame=f value=pn_value on_input=Callback::new(move |v| pn_set.run(v)) /> }
            })}
        </fieldset>
    }
}
