//! The current case's forms: its consent state, then consent (with renewal from the
//! last consent when it is about to end), the printable consent, follow-up and
//! closure (a transfer checked against consent to share). A case opened with the
//! family's consent and no intake yet offers to fill the intake in.

use std::sync::Arc;

use leptos::prelude::*;
use shared::forms::consent::{ConsentEntry, ConsentKind, ConsentState};
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::CaseEntry;
use shared::CaseId;

use super::{resume_into, Cases, Part, SaveButton, Saver};
use crate::attachments::AttachmentPicker;
use crate::clock;
use crate::drafts::{self, DraftStatus};
use crate::forms::consent_form::{new_consent, scan_attached, ConsentForm};
use crate::forms::consent_standing::ConsentStateView;
use crate::forms::followup_form::{new_closure, new_follow_up, ClosureForm, FollowUpForm};
use crate::forms::print::ConsentPrint;
use crate::i18n::{t, t_args, OwnedArg};
use crate::session::use_session;
use crate::vault::Unlocked;

use crate::reading::view::CONSENT_WARNING_DAYS as EXPIRY_WARNING_DAYS;

/// Which form of the current case is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseForm {
    Consent,
    Print,
    FollowUp,
    Closure,
}

impl CaseForm {
    const ALL: [CaseForm; 4] = [CaseForm::Consent, CaseForm::Print, CaseForm::FollowUp, CaseForm::Closure];

    fn key(self) -> &'static str {
        match self {
            CaseForm::Consent => "form-consent-title",
            CaseForm::Print => "workspace-print",
            CaseForm::FollowUp => "form-follow_up-title",
            CaseForm::Closure => "form-closure-title",
        }
    }

    /// The DOM id of its tab button (`case-form-print`).
    fn button_id(self) -> &'static str {
        match self {
            CaseForm::Consent => "case-form-consent",
            CaseForm::Print => "case-form-print",
            CaseForm::FollowUp => "case-form-follow_up",
            CaseForm::Closure => "case-form-closure",
        }
    }
}

/// The current case: its consent state, then one of its forms.
#[component]
pub(super) fn CasePart(unlocked: Arc<Unlocked>, cases: Cases, part: RwSignal<Part>) -> impl IntoView {
    move || match cases.current.get() {
        None => view! { <p class="hint" id="no-case">{t("workspace-no_case")}</p> }.into_any(),
        Some(case) => lazy_case_forms(unlocked.clone(), cases, case, part),
    }
}

/// The case's forms (consent, print, follow-up, closure) are a chunk of their own in
/// the release build: a caseworker who only enrols families does not load them.
fn lazy_case_forms(unlocked: Arc<Unlocked>, cases: Cases, case: CaseId, part: RwSignal<Part>) -> AnyView {
    #[cfg(feature = "split")]
    {
        crate::lazy::view(async move { case_forms_chunk(unlocked, cases, case, part).await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <CaseForms unlocked=unlocked cases=cases case=case part=part /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(case_forms, wasm_split_path = ::leptos::wasm_split, fallible)]
fn case_forms_chunk(
    unlocked: Arc<Unlocked>,
    cases: Cases,
    case: CaseId,
    part: RwSignal<Part>,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <CaseForms unlocked=unlocked cases=cases case=case part=part /> }.into_any())
}

#[component]
fn CaseForms(unlocked: Arc<Unlocked>, cases: Cases, case: CaseId, part: RwSignal<Part>) -> impl IntoView {
    let session = use_session();
    let today = clock::today();
    let consents = Signal::derive(move || cases.consents(case));
    let consent_state = Signal::derive(move || consents.with(|c| ConsentState::from_entries(c.iter())));
    let intake = Memo::new(move |_| {
        cases.of(case).into_iter().find_map(|d| match d.entry {
            CaseEntry::Intake(i) => Some(i),
            _ => None,
        })
    });
    let family = Signal::derive(move || intake.with(|i| i.as_ref().map(|i| i.family_name.clone()).unwrap_or_default()));
    let shown = RwSignal::new(CaseForm::Consent);
    let busy = RwSignal::new(false);

    // Consent: the children and the consenter come from the family's intake.
    let cstate = new_consent(today, ConsentKind::Given);
    if let Some(i) = intake.get_untracked() {
        cstate.form.update(|e| e.prefill_from_intake(&i, today));
    }
    let cdraft = drafts::autosave(&session, "consent", Some(case), cstate.form);
    resume_into(&unlocked, "consent", Some(case), cstate.form, cdraft);
    let consent_submit = Saver { state: cstate, draft: cdraft, wrap: CaseEntry::Consent, consent: None }.submit(
        move || case,
        "consent-error-summary",
        busy,
        move |doc| {
            cases.add(doc);
            let mut next = ConsentEntry::new(ConsentKind::Given);
            next.date = Some(today);
            cstate.reset(next);
        },
    );
    let scan = scan_attached(cstate);
    let paper_scan = ViewFn::from(move || {
        view! { <AttachmentPicker case=case caption=t("field-signature-scan").get_untracked() on_attached=scan /> }
    });

    let fstate = new_follow_up(today, Some(consent_state));
    let fdraft = drafts::autosave(&session, "followup", Some(case), fstate.form);
    resume_into(&unlocked, "followup", Some(case), fstate.form, fdraft);
    let follow_submit = Saver { state: fstate, draft: fdraft, wrap: CaseEntry::FollowUp, consent: Some(consent_state) }
        .submit(
            move || case,
            "follow-up-error-summary",
            busy,
            move |doc| {
                cases.add(doc);
                fstate.reset(FollowUp::default());
            },
        );

    let kstate = new_closure(today, Some(consent_state));
    let kdraft = drafts::autosave(&session, "closure", Some(case), kstate.form);
    resume_into(&unlocked, "closure", Some(case), kstate.form, kdraft);
    let closure_submit = Saver { state: kstate, draft: kdraft, wrap: CaseEntry::Closure, consent: Some(consent_state) }
        .submit(
            move || case,
            "closure-error-summary",
            busy,
            move |doc| {
                cases.add(doc);
                kstate.reset(Closure::default());
            },
        );

    // A consent about to end: say when, and renew it from the last consent given or
    // renewed (the family, the children and the data carried over; every purpose asked
    // again). The button is there whenever a consent exists to renew from.
    let last_consent = Memo::new(move |_| {
        consents.with(|c| {
            c.iter().filter(|e| e.kind != ConsentKind::Withdrawn && e.date.is_some()).max_by_key(|e| e.date).cloned()
        })
    });
    let ending = Memo::new(move |_| consent_state.with(|s| s.expiring_within(today, EXPIRY_WARNING_DAYS)));
    let renew = move |_| {
        if let Some(previous) = last_consent.get_untracked() {
            cstate.reset(ConsentEntry::renewal_of(&previous, today));
            shown.set(CaseForm::Consent);
        }
    };
    let renewal = move || {
        last_consent.with(Option::is_some).then(|| {
            view! {
                <div class="consent-renewal">
                    {move || ending.get().map(|d| view! {
                        <p id="consent-expiring" class="consent-warning" role="status" data-until=d.to_string()>
                            {t_args("consent-expiring", move || vec![("date", OwnedArg::Str(d.display()))])}
                        </p>
                    })}
                    <button type="button" id="consent-renew" on:click=renew>{t("consent-renew")}</button>
                </div>
            }
        })
    };
    // Opened with the family's consent, no intake yet: the intake goes into this case.
    let no_intake = move || {
        let waiting = intake.with(Option::is_none) && consent_state.with(|s| s.case_work_since(today).is_some());
        waiting.then(|| {
            let fill = move |_| {
                cases.intake_for.set(Some(case));
                part.set(Part::Intake);
            };
            view! {
                <div class="case-no-intake">
                    <p class="hint">{t("case-no_intake")}</p>
                    <button type="button" id="case-fill-intake" on:click=fill>{t("case-fill_intake")}</button>
                </div>
            }
        })
    };

    let tabs = CaseForm::ALL
        .into_iter()
        .map(|f| {
            view! {
                <button type="button" id=f.button_id() class="part-button" aria-current=move || (shown.get() == f).then_some("page")
                    on:click=move |_| shown.set(f)>{t(f.key())}</button>
            }
        })
        .collect_view();
    let heading = move || {
        let name = family.get();
        if name.is_empty() {
            case.to_string()
        } else {
            name
        }
    };
    view! {
        <div class="case" data-case=case.to_string()>
            <h2 id="case-heading">{heading}</h2>
            <ConsentStateView entries=consents today=today />
            {renewal}
            {no_intake}
            <nav class="parts case-forms" aria-label=t("workspace-case_forms")>{tabs}</nav>
            <div class:hidden=move || shown.get() != CaseForm::Consent>
                <form id="consent-form" class="full-form" novalidate autocomplete="off" on:submit=consent_submit>
                    <DraftStatus draft=cdraft />
                    <ConsentForm state=cstate paper_scan=paper_scan current=consent_state />
                    <SaveButton busy=busy />
                </form>
            </div>
            <div class:hidden=move || shown.get() != CaseForm::Print>
                <ConsentPrint entry=cstate.form family_name=family />
            </div>
            <div class:hidden=move || shown.get() != CaseForm::FollowUp>
                <form id="follow-up-form" class="full-form" novalidate autocomplete="off" on:submit=follow_submit>
                    <DraftStatus draft=fdraft />
                    <FollowUpForm state=fstate consent=consent_state />
                    <SaveButton busy=busy />
                </form>
            </div>
            <div class:hidden=move || shown.get() != CaseForm::Closure>
                <form id="closure-form" class="full-form" novalidate autocomplete="off" on:submit=closure_submit>
                    <DraftStatus draft=kdraft />
                    <ClosureForm state=kstate consent=consent_state />
                    <SaveButton busy=busy />
                </form>
            </div>
        </div>
    }
}
