//! The family intake form. Answers live in signals; every change re-runs
//! `shared::validate::intake`, and a field shows its problem once it has been touched
//! (all of them after a save attempt, with the summary on top). Saving seals the
//! record and clears the form; a failed save keeps every answer as typed.

use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::record::{Region, RiskFactor};
use shared::seal::Recipient;
use shared::{validate, ErrorCode};

use crate::components::error_summary::{focus_by_id, ErrorSummary};
use crate::components::status::use_status;
use crate::intake_draft::{field_id, risk_id, ChildDraft, IntakeDraft};
use crate::keyring_pin::Pin;
use crate::text::t;
use crate::{clock, sealing};

/// A field's problem, in a paragraph its input points at with `aria-describedby`.
#[component]
fn FieldProblem(id: String, message: Signal<Option<&'static str>>) -> impl IntoView {
    view! { <p class="field-error" id=id>{move || message.get()}</p> }
}

#[component]
pub fn IntakeForm(author: String, own: Recipient, pin: RwSignal<Option<Pin>>, on_sealed: Callback<()>) -> impl IntoView {
    let status = use_status();
    let family_name = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let child_name = RwSignal::new(String::new());
    let child_dob = RwSignal::new(String::new());
    let risks = RwSignal::new(Vec::<RiskFactor>::new());
    let assessment = RwSignal::new(String::new());
    let touched = RwSignal::new(BTreeSet::<String>::new());
    let attempted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let today = clock::today();

    let draft = move || IntakeDraft {
        family_name: family_name.get(),
        region: region.get(),
        children: vec![ChildDraft { full_name: child_name.get(), date_of_birth: child_dob.get() }],
        risk_factors: risks.get(),
        assessment: assessment.get(),
    };
    let errors = Memo::new(move |_| validate::intake(&draft().to_intake(), today));
    let touch = move |path: &str| {
        if !touched.with_untracked(|t| t.contains(path)) {
            touched.update(|t| {
                t.insert(path.to_owned());
            });
        }
    };
    let problem = move |path: &'static str| -> Signal<Option<&'static str>> {
        Signal::derive(move || {
            if !attempted.get() && !touched.with(|t| t.contains(path)) {
                return None;
            }
            errors.with(|es| es.iter().find(|e| e.field == path).map(|e| e.problem.message()))
        })
    };
    let invalid = move |s: Signal<Option<&'static str>>| move || if s.get().is_some() { "true" } else { "false" };

    let p_family = problem("family_name");
    let p_region = problem("region");
    let p_children = problem("children");
    let p_child_name = problem("children.0.full_name");
    let p_child_dob = problem("children.0.date_of_birth");
    let p_risks = problem("risk_factors");
    let p_assessment = problem("assessment");

    let clear = move || {
        family_name.set(String::new());
        region.set(String::new());
        child_name.set(String::new());
        child_dob.set(String::new());
        risks.set(Vec::new());
        assessment.set(String::new());
        touched.set(BTreeSet::new());
        attempted.set(false);
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        attempted.set(true);
        if !errors.with_untracked(Vec::is_empty) {
            status.error(ErrorCode::Invalid.message());
            request_animation_frame(|| focus_by_id("error-summary"));
            return;
        }
        let intake = untrack(draft).to_intake();
        let author = author.clone();
        let own = own.clone();
        busy.set(true);
        status.info(t("intake.sealing"));
        leptos::task::spawn_local(async move {
            match sealing::seal_and_store(intake, &author, &own).await {
                Ok((_, in_force)) => {
                    pin.try_set(Some(in_force));
                    clear();
                    status.info(t("intake.saved"));
                    on_sealed.run(());
                }
                Err(p) => status.error(p.message()),
            }
            busy.try_set(false);
        });
    };

    let regions = Region::ALL
        .iter()
        .map(|&r| view! { <option value=r.code() prop:selected=move || region.get() == r.code()>{r.label()}</option> })
        .collect_view();
    let risk_boxes = RiskFactor::ALL
        .iter()
        .map(|&r| {
            let id = risk_id(r);
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="risk_factors" value=r.code()
                        aria-describedby="risk_factors-error"
                        prop:checked=move || risks.with(|v| v.contains(&r))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            risks.update(|v| {
                                v.retain(|x| *x != r);
                                if on {
                                    v.push(r);
                                }
                            });
                            touch("risk_factors");
                        } />
                    <label for=id>{r.label()}</label>
                </div>
            }
        })
        .collect_view();
    let child_name_id = field_id("children.0.full_name");
    let child_dob_id = field_id("children.0.date_of_birth");

    view! {
        <form id="intake" class="card intake" novalidate autocomplete="off" on:submit=save
            aria-labelledby="intake-title">
            <h2 id="intake-title">{t("intake.title")}</h2>
            <ErrorSummary errors=errors visible=Signal::derive(move || attempted.get()) />

            <div class="field" class:has-error=move || p_family.get().is_some()>
                <label for="family_name">{t("intake.family_name")}</label>
                <FieldProblem id="family_name-error".into() message=p_family />
                <input id="family_name" name="family_name" type="text" autocomplete="off"
                    aria-required="true" aria-describedby="family_name-error" aria-invalid=invalid(p_family)
                    prop:value=move || family_name.get()
                    on:input=move |ev| { family_name.set(event_target_value(&ev)); touch("family_name"); } />
            </div>

            <div class="field" class:has-error=move || p_region.get().is_some()>
                <label for="region">{t("intake.region")}</label>
                <FieldProblem id="region-error".into() message=p_region />
                <select id="region" name="region" aria-required="true" aria-describedby="region-error"
                    aria-invalid=invalid(p_region)
                    on:change=move |ev| { region.set(event_target_value(&ev)); touch("region"); }>
                    <option value="" prop:selected=move || region.get().is_empty()>{t("intake.region_choose")}</option>
                    {regions}
                </select>
            </div>

            <fieldset id="children" class="group" class:has-error=move || p_children.get().is_some()>
                <legend>{t("intake.child")}</legend>
                <FieldProblem id="children-error".into() message=p_children />
                <div class="field" class:has-error=move || p_child_name.get().is_some()>
                    <label for=child_name_id.clone()>{t("intake.child_full_name")}</label>
                    <FieldProblem id=format!("{child_name_id}-error") message=p_child_name />
                    <input id=child_name_id.clone() name=child_name_id.clone() type="text" autocomplete="off"
                        aria-required="true" aria-describedby=format!("{child_name_id}-error")
                        aria-invalid=invalid(p_child_name)
                        prop:value=move || child_name.get()
                        on:input=move |ev| { child_name.set(event_target_value(&ev)); touch("children.0.full_name"); } />
                </div>
                <div class="field" class:has-error=move || p_child_dob.get().is_some()>
                    <label for=child_dob_id.clone()>{t("intake.child_date_of_birth")}</label>
                    <FieldProblem id=format!("{child_dob_id}-error") message=p_child_dob />
                    <input id=child_dob_id.clone() name=child_dob_id.clone() type="date" autocomplete="off"
                        max=today.to_string()
                        aria-required="true" aria-describedby=format!("{child_dob_id}-error")
                        aria-invalid=invalid(p_child_dob)
                        prop:value=move || child_dob.get()
                        on:input=move |ev| { child_dob.set(event_target_value(&ev)); touch("children.0.date_of_birth"); }
                        on:change=move |ev| { child_dob.set(event_target_value(&ev)); touch("children.0.date_of_birth"); } />
                </div>
            </fieldset>

            <fieldset id="risk_factors" class="group checks" class:has-error=move || p_risks.get().is_some()>
                <legend>{t("intake.risk_factors")}</legend>
                <FieldProblem id="risk_factors-error".into() message=p_risks />
                {risk_boxes}
            </fieldset>

            <div class="field" class:has-error=move || p_assessment.get().is_some()>
                <label for="assessment">{t("intake.assessment")}</label>
                <FieldProblem id="assessment-error".into() message=p_assessment />
                <textarea id="assessment" name="assessment" rows="6" autocomplete="off"
                    aria-describedby="assessment-error" aria-invalid=invalid(p_assessment)
                    prop:value=move || assessment.get()
                    on:input=move |ev| { assessment.set(event_target_value(&ev)); touch("assessment"); }></textarea>
            </div>

            <button id="save" type="submit" class="primary" prop:disabled=move || busy.get()>
                {move || if busy.get() { t("intake.sealing") } else { t("intake.save") }}
            </button>
        </form>
    }
}
