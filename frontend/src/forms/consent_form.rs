//! The informed-consent form (`shared::forms::consent::ConsentEntry`): the
//! organisation, who consents, the children's assent, a separate yes/no per purpose
//! and per sharing party, the data covered, retention, the rights text and the
//! signature (drawn, or on paper with the scan attached); or, as a later entry, a
//! withdrawal of chosen purposes. What the form keeps (skip logic's pruning, the kind
//! switch, pre-fill from the intake) is `ConsentEntry`'s, in `shared`; the case's
//! current consent is shown by [`crate::forms::consent_standing`].
//!
//! Like the intake, the answers live in an `RwSignal<ConsentEntry>` the page owns
//! (it seals it through `sealing::save_entry`); this module stores nothing. Every
//! change re-runs `shared::forms::check::consent` and drops answers skip logic hides
//! ([`CONSENT_RULES`]).
//!
//! The operator, the default retention and the assent age come from the
//! organisation's signed settings ([`crate::org_settings`]): the operator section is
//! read-only text, and the entry's `operator` is set from the settings on every change
//! (so the sealed record names exactly what was shown). Without verified settings the
//! section shows the translated reason and the operator stays empty, so the form
//! cannot be saved; what was typed is kept.

use leptos::prelude::*;
use shared::forms::attachment::AttachmentRef;
use shared::forms::check::{self, ConsentRules, MAX_MEMBERS};
use shared::forms::codes::Code;
use shared::forms::consent::{
    ChildAssent, ChildAssentEntry, ConsentEntry, ConsentKind, ConsentState, ConsenterRole, DataCategory, Permission,
    SharingParty, Signature, Standing, WithdrawalForm, RIGHTS_TEXT_KEY,
};
use shared::forms::form_day;
use shared::forms::household::{document_types_for, personal_number_for, Citizenship};
use shared::i18n::Arg;
use shared::record::Date;

use crate::forms::descriptor::{
    code_field, codes, long_field, render_all, text_field, Control, FieldDef, FormState, Rules, Whole,
};
use crate::forms::fields::{DocumentField, Frame, MultiCheck, Part, TextField};
use crate::forms::intake_form::Section;
use crate::forms::repeat::{repeat_group, Group};
use crate::forms::signature_pad::SignaturePad;
use crate::forms::summary::{path_id, ErrorSummary};
use crate::i18n::use_i18n;
use crate::org_settings;

/// The consent form's rules: ids under `c-`, a decision's id named after its
/// permission (not its row), ages counted on the consent's date, the operator and the
/// assent age from the organisation's settings.
pub static CONSENT_RULES: Rules<ConsentEntry> = Rules {
    prefix: "c-",
    field_id: consent_field_id,
    on: |e, today| form_day(e.date, today),
    prune: |e, today| {
        e.prune_hidden(today, org_settings::assent_age());
        org_settings::apply_to(e);
    },
};

/// The DOM id of a decision's yes/no group (`c-decisions-sharing-school`).
pub fn decision_id(permission: Permission) -> String {
    format!("c-decisions-{}", permission.field_name().replace('.', "-"))
}

fn consent_field_id(path: &str, e: &ConsentEntry) -> String {
    let (row, organisation) = match path.strip_suffix(".organisation") {
        Some(row) => (row, true),
        None => (path, false),
    };
    let decision = row
        .strip_prefix("decisions[")
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| e.decisions.get(i));
    match (decision, organisation) {
        (Some(d), false) => decision_id(d.permission),
        (Some(d), true) => format!("{}-organisation", decision_id(d.permission)),
        (None, _) => path_id("c-", path),
    }
}

/// A consent form's state over the page's signal, checked with `shared`'s rules.
pub fn consent_state(form: RwSignal<ConsentEntry>, today: Date) -> FormState<ConsentEntry> {
    FormState::with_rules(form, today, &CONSENT_RULES, |e, today| {
        check::consent(e, today, ConsentRules { assent_age: org_settings::assent_age() })
    })
}

/// A new consent entry of `kind` (given, renewed, or a withdrawal) and its state.
pub fn new_consent(today: Date, kind: ConsentKind) -> FormState<ConsentEntry> {
    let mut e = ConsentEntry::new(kind);
    e.date = Some(today);
    consent_state(RwSignal::new(e), today)
}

/// The catalog key naming the field `id` in the error summary, where the path's own
/// label is too vague: a decision is named by its purpose or party.
pub fn summary_label(id: &str) -> Option<String> {
    Permission::all().into_iter().find(|p| decision_id(*p) == id).map(Permission::label_key)
}

/// The callback a page gives the attachment picker of "signed on paper": the sealed
/// scan becomes the signature's scan.
pub fn scan_attached(state: FormState<ConsentEntry>) -> Callback<AttachmentRef> {
    Callback::new(move |scan: AttachmentRef| {
        state.touch("c-signature-scan");
        state.update(|e| e.signature = Some(Signature::OnPaper { scan: Some(scan) }));
    })
}

static WHO: &[FieldDef<ConsentEntry>] = &[
    FieldDef {
        name: "kind",
        label: "field-kind",
        help: None,
        shows: None,
        control: Control::Select {
            list: ConsentKind::LIST,
            options: |_, _| codes::<ConsentKind>(),
            get: |e| Some(e.kind.code()),
            set: |e, c| {
                if let Some(k) = c.and_then(ConsentKind::from_code) {
                    e.set_kind(k)
                }
            },
        },
    },
    FieldDef {
        name: "date",
        label: "field-date",
        help: None,
        shows: None,
        control: Control::Date(|e| e.date, |e, d| e.date = d),
    },
    text_field!(ConsentEntry, "place", "field-place", place),
    code_field!(ConsentEntry, ConsenterRole, "consenter.role", "field-consenter-role", consenter.role),
    text_field!(ConsentEntry, "consenter.full_name", "field-consenter-full_name", consenter.full_name),
    FieldDef {
        shows: Some(|e, _| e.shows_terms()),
        ..code_field!(
            ConsentEntry,
            Citizenship,
            "consenter.citizenship",
            "field-consenter-citizenship",
            consenter.citizenship
        )
    },
];

static WITNESS: &[FieldDef<ConsentEntry>] = &[text_field!(ConsentEntry, "witness", "field-witness", witness)];

static CHILD: &[FieldDef<ChildAssentEntry>] = &[
    text_field!(ChildAssentEntry, "full_name", "field-children-full_name", full_name),
    FieldDef {
        name: "date_of_birth",
        label: "field-children-date_of_birth",
        help: None,
        shows: None,
        control: Control::Date(|c| c.date_of_birth, |c, d| c.date_of_birth = d),
    },
    FieldDef {
        shows: Some(|c, on| c.is_asked(on, org_settings::assent_age())),
        ..code_field!(ChildAssentEntry, ChildAssent, "assent", "field-children-assent", assent)
    },
];

static CHILDREN: Group<ConsentEntry, ChildAssentEntry> = Group {
    name: "children",
    label: "field-children",
    row: "children-row",
    add: "consent-children-add",
    rows: |e| &e.children,
    rows_mut: |e| &mut e.children,
    fields: CHILD,
    max: MAX_MEMBERS,
    extra: None,
};

static WITHDRAWAL: &[FieldDef<ConsentEntry>] =
    &[code_field!(ConsentEntry, WithdrawalForm, "withdrawal_form", "field-withdrawal_form", withdrawal_form)];

static TERMS: &[FieldDef<ConsentEntry>] = &[
    FieldDef {
        name: "retention_years",
        label: "field-retention_years",
        help: None,
        shows: None,
        control: Control::Number(
            |e| e.retention_years.map(u32::from),
            |e, n| e.retention_years = n.map(|n| u8::try_from(n).unwrap_or(u8::MAX)),
        ),
    },
    FieldDef {
        name: "expires_on",
        label: "field-expires_on",
        help: None,
        shows: None,
        control: Control::Date(|e| e.expires_on, |e, d| e.expires_on = d),
    },
];

static NOTES: &[FieldDef<ConsentEntry>] = &[long_field!(ConsentEntry, "notes", "field-notes", notes)];

/// One permission's yes/no: two radios in a fieldset, neither checked until answered
/// (an unanswered purpose is not a "no").
#[component]
fn Decide(state: FormState<ConsentEntry>, permission: Permission) -> impl IntoView {
    let i18n = use_i18n();
    let id = decision_id(permission);
    let (no_id, error_id, group_id) = (format!("{id}-no"), format!("{id}-error"), format!("{id}-group"));
    let (yes_label_for, no_name, described_by) = (id.clone(), id.clone(), error_id.clone());
    let problem = state.problem(id.clone());
    let value = Memo::new(move |_| state.form.with(|e| e.get(permission)));
    let touch_id = id.clone();
    let set = Callback::new(move |yes: bool| {
        state.touch(&touch_id);
        state.update(|e| e.set(permission, Some(yes)));
    });
    // A sharing answered yes names the organisation (required for "another
    // organisation": the family agrees to a named one, not to a category).
    let org_id = format!("{id}-organisation");
    let shows_org = Memo::new(move |_| {
        state.form.with(|e| e.decisions.iter().any(|d| d.permission == permission && d.shows_organisation()))
    });
    let org_frame = Frame::new(org_id.clone(), "field-decisions-organisation", state.problem(org_id.clone()));
    let org_value = Signal::derive(move || {
        state.form.with(|e| {
            e.decisions.iter().find(|d| d.permission == permission).map(|d| d.organisation.clone()).unwrap_or_default()
        })
    });
    let org_input = Callback::new(move |v: String| {
        state.touch(&org_id);
        state.update(|e| {
            if let Some(d) = e.decisions.iter_mut().find(|d| d.permission == permission) {
                d.organisation = v;
            }
        });
    });
    view! {
        <fieldset class="field choice-group decision" id=group_id aria-describedby=described_by>
            <legend>{i18n.t(permission.label_key())}</legend>
            <div class="choice">
                <input type="radio" id=id.clone() name=id.clone() value="yes" autocomplete="off"
                    aria-invalid=move || if problem.with(Option::is_some) { "true" } else { "false" }
                    prop:checked=move || value.get() == Some(true) on:change=move |_| set.run(true) />
                <label for=yes_label_for>{i18n.t("common-yes")}</label>
            </div>
            <div class="choice">
                <input type="radio" id=no_id.clone() name=no_name value="no" autocomplete="off"
                    prop:checked=move || value.get() == Some(false) on:change=move |_| set.run(false) />
                <label for=no_id>{i18n.t("common-no")}</label>
            </div>
            <p class="field-error" id=error_id role="alert">{move || problem.get().map(|p| i18n.tr(&p.message_key()))}</p>
            <Show when=move || shows_org.get()>
                <TextField frame=org_frame.clone() value=org_value on_input=org_input />
            </Show>
        </fieldset>
    }
}

/// The consenter's identity document, narrowed by citizenship (a consent to special
/// data names the person by document, as the law asks).
#[component]
fn ConsenterDocument(state: FormState<ConsentEntry>) -> impl IntoView {
    let part = |name: &str, label: &str| {
        let id = state.id(name);
        Frame::new(id.clone(), label.to_owned(), state.problem(id))
    };
    let touch = move |name: &'static str| state.touch(&state.id(name));
    let kind = Part {
        frame: part("consenter.document.kind", "field-consenter-document-kind"),
        value: Signal::derive(move || state.form.with(|e| e.consenter.document.kind.map(|k| k.code().to_owned()))),
        set: Callback::new(move |v: Option<String>| {
            touch("consenter.document.kind");
            state.update(|e| e.consenter.document.kind = v.as_deref().and_then(Code::from_code));
        }),
    };
    let number = Part {
        frame: part("consenter.document.number", "field-consenter-document-number"),
        value: Signal::derive(move || state.form.with(|e| e.consenter.document.number.clone())),
        set: Callback::new(move |v: String| {
            touch("consenter.document.number");
            state.update(|e| e.consenter.document.number = v);
        }),
    };
    let personal_number = Part {
        frame: part("consenter.document.personal_number", "field-consenter-document-personal_number"),
        value: Signal::derive(move || state.form.with(|e| e.consenter.document.personal_number.clone())),
        set: Callback::new(move |v: String| {
            touch("consenter.document.personal_number");
            state.update(|e| e.consenter.document.personal_number = v);
        }),
    };
    let citizenship = Memo::new(move |_| state.form.with(|e| e.consenter.citizenship));
    view! {
        <DocumentField
            legend="field-consenter-document-kind".to_owned()
            types=Memo::new(move |_| document_types_for(citizenship.get()).iter().map(|d| d.code()).collect()).into()
            kind number personal_number
            shows_number=Signal::derive(|| true)
            personal_kind=Memo::new(move |_| personal_number_for(citizenship.get())).into()
        />
    }
}

/// What a withdrawal withdraws: everything at once, or chosen permissions (those the
/// case allows now when its consent state is known, else every permission).
#[component]
fn WithdrawChoice(state: FormState<ConsentEntry>, current: Option<Signal<ConsentState>>) -> impl IntoView {
    let i18n = use_i18n();
    let offered = Memo::new(move |_| {
        let granted: Vec<Permission> = current
            .map(|s| {
                s.with(|s| {
                    s.summary()
                        .into_iter()
                        .filter(|(_, st)| matches!(st, Some(Standing::Granted { .. })))
                        .map(|(p, _)| p)
                        .collect()
                })
            })
            .unwrap_or_default();
        if granted.is_empty() {
            Permission::all()
        } else {
            granted
        }
    });
    let all = Memo::new(move |_| state.form.with(|e| e.withdraw_all));
    let problem = state.problem("c-decisions".to_owned());
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        state.touch("c-decisions");
        state.update(|e| e.withdraw_all = on);
    };
    let items = move || {
        offered
            .get()
            .into_iter()
            .map(|p| {
                let id = decision_id(p);
                let ticked = move || state.form.with(|e| e.get(p) == Some(false));
                let toggle = move |_| {
                    state.touch("c-decisions");
                    state.update(|e| {
                        let now = e.get(p) == Some(false);
                        e.decisions.retain(|d| d.permission != p);
                        if !now {
                            e.set(p, Some(false));
                        }
                    });
                };
                view! {
                    <div class="choice">
                        <input type="checkbox" id=id.clone() autocomplete="off" prop:checked=ticked on:change=toggle />
                        <label for=id>{i18n.t(p.label_key())}</label>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div class="choice">
            <input type="checkbox" id="c-withdraw_all" autocomplete="off" prop:checked=move || all.get() on:change=toggle_all />
            <label for="c-withdraw_all">{i18n.t("consent-withdraw_all")}</label>
        </div>
        <Show when=move || !all.get()>
            <fieldset class="field choice-group" id="c-decisions" tabindex="-1" aria-describedby="c-decisions-error">
                <legend>{i18n.t("consent-withdraw-which")}</legend>
                {items}
            </fieldset>
        </Show>
        <p class="field-error" id="c-decisions-error" role="alert">{move || problem.get().map(|p| i18n.tr(&p.message_key()))}</p>
    }
}

/// The signature: drawn on the pad, or "signed on paper" with the scan attached
/// through `paper_scan` (the page's attachment picker).
#[component]
fn ConsentSignature(state: FormState<ConsentEntry>, paper_scan: Option<ViewFn>) -> impl IntoView {
    let i18n = use_i18n();
    let value = Signal::derive(move || state.form.with(|e| e.signature.clone()));
    let on_change = Callback::new(move |s: Option<Signature>| {
        state.touch("c-signature");
        state.update(|e| e.signature = s);
    });
    let problem = state.problem("c-signature".to_owned());
    let scan_problem = state.problem("c-signature-scan".to_owned());
    let on_paper = Memo::new(move |_| state.form.with(|e| matches!(e.signature, Some(Signature::OnPaper { .. }))));
    let scan = Memo::new(move |_| {
        state.form.with(|e| match &e.signature {
            Some(Signature::OnPaper { scan: Some(s) }) => Some(s.caption.clone()),
            _ => None,
        })
    });
    let special = Memo::new(move |_| state.form.with(|e| e.covers_special_data()));
    view! {
        <Show when=move || special.get()>
            <p class="field-help special-data">{i18n.t("consent-special-data")}</p>
        </Show>
        <SignaturePad id="c-signature".to_owned() value on_change described_by="c-signature-error" />
        <p class="field-error" id="c-signature-error" role="alert">{move || problem.get().map(|p| i18n.tr(&p.message_key()))}</p>
        <Show when=move || on_paper.get()>
            <div class="field paper-scan" id="c-signature-scan" tabindex="-1" aria-describedby="c-signature-scan-error">
                <p class="field-help">{i18n.t("consent-signature-attach_scan")}</p>
                {paper_scan.as_ref().map(|v| v.run())}
                {move || scan.get().map(|caption| view! {
                    <p class="scan-attached" role="status">{i18n.t("attachment-sealed")} ": " {caption}</p>
                })}
                <p class="field-error" id="c-signature-scan-error" role="alert">
                    {move || scan_problem.get().map(|p| i18n.tr(&p.message_key()))}
                </p>
            </div>
        </Show>
    }
}

/// The consent form. `state` is the page's (see [`new_consent`], [`consent_state`]);
/// the page sets `state.attempted` on save to show every problem. `paper_scan` is
/// what "signed on paper" shows to attach the scan (the page's `AttachmentPicker`,
/// whose `on_attached` is [`scan_attached`]). `current` is the case's consent state:
/// a withdrawal then offers what is allowed now.
#[component]
pub fn ConsentForm(
    state: FormState<ConsentEntry>,
    #[prop(optional, into)] paper_scan: Option<ViewFn>,
    #[prop(optional, into)] current: Option<Signal<ConsentState>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let whole = Whole(state);
    // The operator and assent age follow the signed settings: when they arrive or
    // change, and when the entry changes under the form (a draft resumed, a reset),
    // the entry is pruned again, which names the settings' operator.
    let settings = org_settings::use_org_settings();
    org_settings::retry_if_failed();
    Effect::new(move |_| {
        settings.track();
        if state.form.with(org_settings::needs_apply) {
            state.update(|_| {});
        }
    });
    let assent_help = move || {
        settings.track();
        i18n.tr_args("consent-assent-help", &[("age", Arg::Num(i64::from(org_settings::assent_age())))])
    };
    // The entry records in which language the rights text was shown.
    Effect::new(move |_| {
        let tag = i18n.locale().get().tag();
        if state.form.with_untracked(|e| e.rights_text_locale != tag) {
            state.form.update(|e| e.rights_text_locale = tag.to_owned());
        }
    });
    let terms = Memo::new(move |_| state.form.with(|e| e.shows_terms()));
    let signed =
        Memo::new(move |_| state.form.with(|e| e.shows_terms() || e.withdrawal_form == Some(WithdrawalForm::Written)));
    let intro = move || {
        state.form.with(|e| {
            i18n.tr_args(
                "consent-intro",
                &[("organisation", Arg::Str(&e.operator.name)), ("tax_number", Arg::Str(&e.operator.tax_number))],
            )
        })
    };
    let categories = Signal::derive(move || state.form.with(|e| e.data_categories.iter().map(|c| c.code()).collect()));
    let toggle_category = Callback::new(move |code: &'static str| {
        state.touch("c-data_categories");
        if let Some(c) = DataCategory::from_code(code) {
            state.update(|e| match e.data_categories.iter().position(|x| *x == c) {
                Some(i) => {
                    e.data_categories.remove(i);
                }
                None => e.data_categories.push(c),
            });
        }
    });
    let purposes = [
        Permission::CaseWork,
        Permission::PhotosAudio,
        Permission::AnonymisedReports,
        Permission::CrossBorder,
        Permission::Public,
    ];
    let paper_scan = StoredValue::new(paper_scan);
    // Each country's own local bodies (a memo: the rows are drawn again only when the
    // list changes, so typing elsewhere keeps focus).
    let parties = Memo::new(move |_| SharingParty::for_country(state.form.with(|e| e.operator.country)));
    view! {
        <div class="consent-form">
            <ErrorSummary id="consent-error-summary" problems=state.problems.into() visible=state.attempted.into()
                label=summary_label />
            // The intro names the organisation; until it is filled in, it would read
            // "(tax number ) asks…".
            <Show when=move || state.form.with(|e| !e.operator.name.trim().is_empty())>
                <p class="consent-intro">{intro}</p>
            </Show>
            <Section id="c-section-operator" title="section-consent-operator"><org_settings::OperatorDetails state /></Section>
            <Section id="c-section-who" title="section-consent-who">
                {render_all(WHO, whole)}
                <Show when=move || terms.get()><ConsenterDocument state /></Show>
                {render_all(WITNESS, whole)}
            </Section>
            <Show when=move || terms.get()>
                <Section id="c-section-children" title="section-consent-children">
                    <p class="field-help" id="c-assent-help">{assent_help}</p>
                    {repeat_group(state, &CHILDREN)}
                </Section>
                <Section id="c-section-purposes" title="section-consent-purposes">
                    <p class="field-help">{i18n.t("consent-purposes-help")}</p>
                    <div id="c-decisions" tabindex="-1">
                        {purposes.into_iter().map(|permission| view! { <Decide state permission /> }).collect_view()}
                    </div>
                </Section>
                <Section id="c-section-sharing" title="section-consent-sharing">
                    <p class="field-help">{i18n.t("consent-sharing-help")}</p>
                    {move || {
                        parties
                            .get()
                            .into_iter()
                            .map(|p| view! { <Decide state permission=Permission::Sharing(p) /> })
                            .collect_view()
                    }}
                </Section>
                <Section id="c-section-terms" title="section-consent-terms">
                    <MultiCheck frame=Frame::new("c-data_categories", "field-data_categories", state.problem("c-data_categories".into()))
                        list=DataCategory::LIST options=Signal::derive(codes::<DataCategory>) value=categories on_toggle=toggle_category />
                    {render_all(TERMS, whole)}
                    <div class="rights-text" id="c-rights">
                        <p>{i18n.t(RIGHTS_TEXT_KEY)}</p>
                        <p>{i18n.t("field-operator-complaints_contact")} ": "
                            {move || state.form.with(|e| e.operator.complaints_contact.clone())}</p>
                    </div>
                </Section>
            </Show>
            <Show when=move || !terms.get()>
                <Section id="c-section-withdrawal" title="section-consent-withdrawal">
                    <p class="field-help">{i18n.t("consent-withdraw-help")}</p>
                    {render_all(WITHDRAWAL, whole)}
                    <WithdrawChoice state current />
                </Section>
            </Show>
            <Show when=move || signed.get()>
                <Section id="c-section-signature" title="section-consent-signature">
                    <ConsentSignature state paper_scan=paper_scan.get_value() />
                </Section>
            </Show>
            {render_all(NOTES, whole)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decisions_problem_links_to_its_permission_not_its_row_number() {
        let e = ConsentEntry::new(ConsentKind::Given);
        let i = e.decisions.iter().position(|x| x.permission == Permission::Sharing(SharingParty::School)).unwrap();
        assert_eq!(consent_field_id(&format!("decisions[{i}]"), &e), "c-decisions-sharing-school");
        assert_eq!(consent_field_id("decisions", &e), "c-decisions");
        assert_eq!(consent_field_id("children[1].assent", &e), "c-children-1-assent");
        assert_eq!(consent_field_id("operator.tax_number", &e), "c-operator-tax_number");
    }

    #[test]
    fn a_decision_is_named_in_the_summary_by_its_purpose_or_party() {
        assert_eq!(summary_label("c-decisions-sharing-school").as_deref(), Some("party-school"));
        assert_eq!(summary_label("c-place"), None);
    }
}
