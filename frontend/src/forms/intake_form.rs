//! The whole family intake (`shared::forms::intake::FamilyIntake`) as one form:
//! the lawful basis first (consent, or a legal ground with its reason: until one
//! exists the health, disability and violence fields stay closed), intake meta, address (country → region → district, then mahalla), household
//! members, children at risk, risk factors with the overall level, needs with a
//! priority each, and the caseworker's assessment.
//!
//! The answers live in one `RwSignal<FamilyIntake>` that the page owns (it seals it on
//! save; drafts seal it too), so nothing here stores or sends anything. Every change
//! re-runs `shared::forms::check::intake` and prunes answers skip logic now hides.
//! A field shows its problem once touched; `FormState::attempted` (set by the page's
//! save) shows them all, with the summary on top.

use leptos::prelude::*;
use shared::forms::address::{
    district_is_listed, districts_of, regions_of, Country, HousingCondition, HousingType, Region,
};
use shared::forms::basis::{is_special_risk, LawfulGround};
use shared::forms::codes::Code;
use shared::forms::intake::{
    CareArrangement, Channel, ChildAtRisk, FamilyIntake, Priority, ReferralSource, RiskLevel, SchoolAttendance,
    SeparationRisk, Service,
};
use shared::record::{Date, RiskFactor};

use crate::forms::descriptor::{
    code_field, codes, long_field, render_all, text_field, ChildOf, Control, FieldDef, FormState, Target, Whole,
};
use crate::forms::fields::{Frame, MultiCheck, PhoneField, PriorityBinding};
use crate::forms::household::HouseholdGroup;
use crate::forms::summary::ErrorSummary;
use crate::i18n::use_i18n;

static BASIS: &[FieldDef<FamilyIntake>] = &[
    FieldDef {
        help: Some("help-basis-ground"),
        ..code_field!(FamilyIntake, LawfulGround, "basis.ground", "field-basis-ground", basis.ground)
    },
    FieldDef {
        help: Some("help-basis-reason"),
        shows: Some(|f, _| f.basis.shows_reason()),
        ..long_field!(FamilyIntake, "basis.reason", "field-basis-reason", basis.reason)
    },
];

static META: &[FieldDef<FamilyIntake>] = &[
    FieldDef {
        name: "meta.date",
        label: "field-meta-date",
        help: None,
        shows: None,
        control: Control::Date(|f| f.meta.date, |f, d| f.meta.date = d),
    },
    text_field!(FamilyIntake, "meta.caseworker", "field-meta-caseworker", meta.caseworker),
    text_field!(FamilyIntake, "meta.office", "field-meta-office", meta.office),
    code_field!(FamilyIntake, Channel, "meta.channel", "field-meta-channel", meta.channel),
    FieldDef {
        help: Some("help-meta-referral_source"),
        ..code_field!(
            FamilyIntake,
            ReferralSource,
            "meta.referral_source",
            "field-meta-referral_source",
            meta.referral_source
        )
    },
    FieldDef {
        shows: Some(|f, _| f.meta.shows_referral_note()),
        ..text_field!(FamilyIntake, "meta.referral_note", "field-meta-referral_note", meta.referral_note)
    },
    text_field!(FamilyIntake, "family_name", "field-family_name", family_name),
];

static ADDRESS: &[FieldDef<FamilyIntake>] = &[
    code_field!(FamilyIntake, Country, "address.country", "field-address-country", address.country),
    FieldDef {
        name: "address.region",
        label: "field-address-region",
        help: None,
        // Always shown (it is required): every region until a country is chosen, and
        // choosing a region sets its country.
        shows: None,
        control: Control::Select {
            list: Region::LIST,
            options: |f, _| match f.address.country {
                Some(c) => regions_of(c).map(|r| r.code()).collect(),
                None => codes::<Region>(),
            },
            get: |f| f.address.region.map(|r| r.code()),
            set: |f, c| {
                f.address.region = c.and_then(Code::from_code);
                if let Some(r) = f.address.region {
                    f.address.country = Some(r.country());
                }
            },
        },
    },
    FieldDef {
        name: "address.district",
        label: "field-address-district",
        help: None,
        shows: Some(|f, _| district_is_listed(f.address.region)),
        control: Control::Select {
            list: "district",
            options: |f, _| f.address.region.map(|r| districts_of(r).map(|d| d.code()).collect()).unwrap_or_default(),
            get: |f| f.address.district.map(|d| d.code()),
            set: |f, c| f.address.district = c.and_then(Code::from_code),
        },
    },
    FieldDef {
        shows: Some(|f, _| f.address.region.is_some() && !district_is_listed(f.address.region)),
        ..text_field!(FamilyIntake, "address.district_text", "field-address-district_text", address.district_text)
    },
    FieldDef {
        help: Some("help-address-mahalla"),
        ..text_field!(FamilyIntake, "address.mahalla", "field-address-mahalla", address.mahalla)
    },
    text_field!(FamilyIntake, "address.street", "field-address-street", address.street),
];

static HOUSING: &[FieldDef<FamilyIntake>] = &[
    code_field!(FamilyIntake, HousingType, "address.housing_type", "field-address-housing_type", address.housing_type),
    code_field!(
        FamilyIntake,
        HousingCondition,
        "address.housing_condition",
        "field-address-housing_condition",
        address.housing_condition
    ),
    long_field!(FamilyIntake, "address.housing_note", "field-address-housing_note", address.housing_note),
];

static RISK: &[FieldDef<FamilyIntake>] = &[
    FieldDef {
        shows: Some(|f, _| f.risk.shows_other()),
        ..text_field!(FamilyIntake, "risk.other", "field-risk-other", risk.other)
    },
    FieldDef {
        shows: Some(|f, _| f.basis.opens_special_data()),
        ..long_field!(FamilyIntake, "risk.notes", "field-risk-notes", risk.notes)
    },
    FieldDef {
        help: Some("help-risk-level"),
        ..code_field!(FamilyIntake, RiskLevel, "risk.level", "field-risk-level", risk.level)
    },
];

static ASSESSMENT: &[FieldDef<FamilyIntake>] = &[FieldDef {
    help: Some("help-assessment"),
    ..long_field!(FamilyIntake, "assessment", "field-assessment", assessment)
}];

static CHILD_AT_RISK: &[FieldDef<ChildAtRisk>] = &[
    code_field!(
        ChildAtRisk,
        SeparationRisk,
        "separation_risk",
        "field-children_at_risk-separation_risk",
        separation_risk
    ),
    code_field!(
        ChildAtRisk,
        CareArrangement,
        "care_arrangement",
        "field-children_at_risk-care_arrangement",
        care_arrangement
    ),
    code_field!(
        ChildAtRisk,
        SchoolAttendance,
        "school_attendance",
        "field-children_at_risk-school_attendance",
        school_attendance
    ),
    long_field!(ChildAtRisk, "notes", "field-children_at_risk-notes", notes),
];

/// A section: a heading and its fields, labelled for landmarks navigation.
#[component]
pub(crate) fn Section(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="form-section" id=id aria-labelledby=labelled_by>
            <h2 id=heading>{i18n.t(title)}</h2>
            {children()}
        </section>
    }
}

/// The family's phone numbers: a short repeat group of phone fields.
#[component]
fn Phones(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| state.form.with(|f| f.address.phones.len()));
    let rows = move || {
        (0..count.get())
            .map(|i| {
                let id = format!("f-address-phones-{i}");
                let frame = Frame::new(id.clone(), "field-address-phones", state.problem(id.clone()))
                    .with_help((i == 0).then_some("help-address-phones"));
                let value = Signal::derive(move || state.form.with(|f| f.address.phones.get(i).cloned().unwrap_or_default()));
                let on_input = Callback::new(move |v: String| {
                    state.touch(&id);
                    state.update(|f| {
                        if let Some(p) = f.address.phones.get_mut(i) {
                            *p = v;
                        }
                    });
                });
                let remove = move |_: leptos::ev::MouseEvent| {
                    state.update(|f| {
                        if i < f.address.phones.len() {
                            f.address.phones.remove(i);
                        }
                    });
                    crate::forms::fields::focus_field("phones-add");
                };
                view! {
                    <div class="phone-row">
                        <PhoneField frame value on_input />
                        <button type="button" class="remove" on:click=remove
                            aria-label=move || format!("{} — {} {}", i18n.tr("common-remove"), i18n.tr("field-address-phones"), i + 1)>
                            {i18n.t("common-remove")}
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    let add = move |_: leptos::ev::MouseEvent| {
        let i = state.form.with_untracked(|f| f.address.phones.len());
        state.update(|f| f.address.phones.push(String::new()));
        request_animation_frame(move || crate::forms::fields::focus_field(&format!("f-address-phones-{i}")));
    };
    view! {
        <div class="repeat-group phones" id="f-address-phones" tabindex="-1">
            {rows}
            <button type="button" id="phones-add" class="add"
                disabled=move || { count.get() >= shared::forms::check::MAX_PHONES } on:click=add>
                {i18n.t("common-add")} " " {i18n.t("field-address-phones")}
            </button>
        </div>
    }
}

/// Children at risk: every household member who is a child on the intake date, with
/// a tick "at risk" and, when ticked, the child's separation risk, care and school.
#[component]
fn ChildrenAtRisk(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    let children = Memo::new(move |_| {
        let on = state.on();
        state.form.with(|f| f.children(on).map(|m| m.key).collect::<Vec<_>>())
    });
    let problem = state.problem("f-children_at_risk".to_owned());
    view! {
        <fieldset class="field choice-group" id="f-children_at_risk" tabindex="-1" aria-describedby="f-children_at_risk-error">
            <legend>{i18n.t("field-children_at_risk")}</legend>
            <For each=move || children.get() key=|k| *k children=move |key| {
                let target = ChildOf(state, key);
                let id = target.id("member");
                let ticked = move || state.form.with(|f| f.children_at_risk.iter().any(|c| c.member == key));
                let name = move || state.form.with(|f| f.member(key).map(|m| m.full_name.clone()).unwrap_or_default());
                let toggle = move |_| {
                    state.touch("f-children_at_risk");
                    state.update(|f| {
                        if let Some(i) = f.children_at_risk.iter().position(|c| c.member == key) {
                            f.children_at_risk.remove(i);
                        } else {
                            f.children_at_risk.push(ChildAtRisk { member: key, ..ChildAtRisk::default() });
                        }
                    });
                };
                view! {
                    <div class="child-at-risk">
                        <div class="choice">
                            <input type="checkbox" id=id.clone() autocomplete="off" prop:checked=ticked on:change=toggle />
                            <label for=id>{name}</label>
                        </div>
                        <Show when=ticked>
                            <div class="nested">{render_all(CHILD_AT_RISK, target)}</div>
                        </Show>
                    </div>
                }
            } />
            <p class="field-error" id="f-children_at_risk-error" role="alert">
                {move || problem.get().map(|p| i18n.tr(&p.message_key()))}
            </p>
        </fieldset>
    }
}

/// Where special-category fields are hidden: says they open with a consent or a legal
/// basis, so a caseworker knows where they went.
#[component]
fn SpecialClosed(state: FormState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !state.form.with(|f| f.basis.opens_special_data())>
            <p class="field-help special-closed">{i18n.t("intake-special_closed")}</p>
        </Show>
    }
}

/// The whole intake form. `form` is the page's; `today` is validation's today (the
/// page passes `clock::today()`); `state` lets the page show every problem on save
/// (`state.attempted.set(true)`) and read `state.problems`. `basis_extra` is drawn in
/// the lawful-basis section, under the ground (the page's consent status and its
/// "record the consent first" action).
#[component]
pub fn IntakeForm(state: FormState, #[prop(optional)] basis_extra: Option<ViewFn>) -> impl IntoView {
    let whole = Whole(state);
    // Special risk factors are offered only once the basis opens special data.
    let risk_options = Signal::derive(move || {
        let open = state.form.with(|f| f.basis.opens_special_data());
        codes::<RiskFactor>()
            .into_iter()
            .filter(|c| open || RiskFactor::from_code(c).is_none_or(|r| !is_special_risk(r)))
            .collect::<Vec<_>>()
    });
    let risk_value =
        Signal::derive(move || state.form.with(|f| f.risk.factors.iter().map(|r| Code::code(*r)).collect()));
    let toggle_risk = Callback::new(move |code: &'static str| {
        state.touch("f-risk-factors");
        if let Some(r) = <RiskFactor as Code>::from_code(code) {
            state.update(|f| {
                if let Some(i) = f.risk.factors.iter().position(|x| *x == r) {
                    f.risk.factors.remove(i);
                } else {
                    f.risk.factors.push(r);
                }
            });
        }
    });
    let needs_value = Signal::derive(move || state.form.with(|f| f.needs.iter().map(|n| n.service.code()).collect()));
    let toggle_need = Callback::new(move |code: &'static str| {
        state.touch("f-needs");
        if let Some(s) = Service::from_code(code) {
            state.update(|f| f.toggle_need(s));
        }
    });
    let priority = PriorityBinding {
        list: Priority::LIST,
        options: codes::<Priority>,
        get: Callback::new(move |code: &'static str| {
            state.form.with(|f| f.needs.iter().find(|n| n.service.code() == code).map(|n| n.priority.code()))
        }),
        set: Callback::new(move |(code, p): (&'static str, String)| {
            if let (Some(s), Some(p)) = (Service::from_code(code), Priority::from_code(&p)) {
                state.update(|f| {
                    if let Some(n) = f.needs.iter_mut().find(|n| n.service == s) {
                        n.priority = p;
                    }
                });
            }
        }),
    };
    view! {
        <div class="intake-form">
            <ErrorSummary problems=state.problems.into() visible=state.attempted.into() />
            <Section id="section-basis" title="section-basis">
                {render_all(BASIS, whole)}
                {basis_extra.map(|v| v.run())}
            </Section>
            <Section id="section-meta" title="section-meta">{render_all(META, whole)}</Section>
            <Section id="section-address" title="section-address">
                {render_all(ADDRESS, whole)}
                <Phones state />
                {render_all(HOUSING, whole)}
            </Section>
            <Section id="section-household" title="section-household">
                <SpecialClosed state />
                <HouseholdGroup state />
            </Section>
            <Section id="section-children_at_risk" title="section-children_at_risk"><ChildrenAtRisk state /></Section>
            <Section id="section-risk" title="section-risk">
                <MultiCheck frame=Frame::new("f-risk-factors", "field-risk-factors", state.problem("f-risk-factors".into()))
                    list=RiskFactor::LIST options=risk_options value=risk_value on_toggle=toggle_risk />
                <SpecialClosed state />
                {render_all(RISK, whole)}
            </Section>
            <Section id="section-needs" title="section-needs">
                <MultiCheck frame=Frame::new("f-needs", "field-needs", state.problem("f-needs".into()))
                    list=Service::LIST options=Signal::derive(codes::<Service>) value=needs_value on_toggle=toggle_need
                    priority />
            </Section>
            <Section id="section-assessment" title="section-assessment">{render_all(ASSESSMENT, whole)}</Section>
        </div>
    }
}

/// A new, empty intake form's state, with one household member to start from.
pub fn new_intake(today: Date) -> FormState {
    let mut intake = FamilyIntake::default();
    intake.add_member();
    FormState::new(RwSignal::new(intake), today)
}
