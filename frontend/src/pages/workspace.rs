//! The unlocked caseworker's workspace: a new family's intake, the current case's
//! consent, follow-up and closure, the caseworker's own cases, the outbox and the
//! account. It is the `workspace` wasm chunk of the release build (see `lazy`).
//!
//! Everything readable lives in this component's signals, which exist only while the
//! vault is unlocked: locking unmounts the workspace and drops the forms, the opened
//! cases and the [`Session`]. Each form keeps a sealed draft (`drafts`) while it is
//! typed, and a save seals a schema-2 entry into the outbox (`sealing::save_entry`);
//! nothing readable is stored at any time.

use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::forms::consent::{ConsentEntry, ConsentKind, ConsentState};
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::intake::FamilyIntake;
use shared::forms::{CaseDocument, CaseEntry};
use shared::{CaseId, ErrorCode};

use crate::account::author_key::AuthorKeyCard;
use crate::account::change_passphrase::ChangePassphrase;
use crate::attachments::AttachmentPicker;
use crate::caseworker::my_cases::MyCases;
use crate::caseworker::outbox_list::OutboxList;
use crate::caseworker::pin_info::PinInfo;
use crate::components::status::{use_status, Msg};
use crate::drafts::{self, DraftHandle, DraftStatus};
use crate::forms::consent_form::{new_consent, scan_attached, ConsentForm};
use crate::forms::consent_standing::ConsentStateView;
use crate::forms::descriptor::FormState;
use crate::forms::followup_form::{new_closure, new_follow_up, ClosureForm, FollowUpForm};
use crate::forms::intake_form::IntakeForm;
use crate::forms::print::ConsentPrint;
use crate::i18n::t;
use crate::keyring_pin::{self, Pin};
use crate::session::{provide_session, use_session, Session};
use crate::sync::{self, OutboxView};
use crate::vault::{LockReason, Unlocked, Vault};
use crate::{clock, local_db, sealing};
use shared::keyring::Freshness;

/// The workspace's parts, one shown at a time (a tablet screen holds one form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Intake,
    Case,
    Cases,
    Outbox,
    Account,
}

impl Part {
    const ALL: [Part; 5] = [Part::Intake, Part::Case, Part::Cases, Part::Outbox, Part::Account];

    fn key(self) -> &'static str {
        match self {
            Part::Intake => "workspace-part-intake",
            Part::Case => "workspace-part-case",
            Part::Cases => "workspace-part-cases",
            Part::Outbox => "workspace-part-outbox",
            Part::Account => "workspace-part-account",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Part::Intake => "part-intake",
            Part::Case => "part-case",
            Part::Cases => "part-cases",
            Part::Outbox => "part-outbox",
            Part::Account => "part-account",
        }
    }
}

/// The entries of cases known in this session (saved here or reopened from "My
/// cases"), in memory only.
#[derive(Clone, Copy)]
struct Cases {
    current: RwSignal<Option<CaseId>>,
    known: RwSignal<Vec<CaseDocument>>,
}

impl Cases {
    fn of(&self, case: CaseId) -> Vec<CaseDocument> {
        self.known.with(|k| k.iter().filter(|d| d.case == case).cloned().collect())
    }

    fn add(&self, doc: CaseDocument) {
        self.known.update(|k| k.push(doc));
    }
}

#[component]
pub fn Workspace(unlocked: Arc<Unlocked>, vault: Vault) -> impl IntoView {
    let status = use_status();
    let outbox = OutboxView::new(&unlocked.name);
    let pin = RwSignal::new(None::<Pin>);
    // Days left when the keyring in use expires within `shared::keyring::WARN_DAYS`.
    let expires_in = RwSignal::new(None::<u64>);
    let sync = sync::start(outbox);
    let stopper = sync.clone();
    on_cleanup(move || stopper.stop());

    // Upload as soon as the relay session exists (at once, or after an offline unlock).
    let waker = sync.clone();
    Effect::new(move |_| {
        if vault.online.get() {
            waker.wake();
        }
    });

    leptos::task::spawn_local(async move {
        if let Err(p) = sync::refresh(outbox).await {
            status.error(p);
        }
        // Check (and keep) the keyring now, so a wrong one is reported before any
        // typing, and this device can seal later even if the relay is then offline.
        if let Ok(db) = local_db::open().await {
            match keyring_pin::fetch_verified(&db).await {
                Ok((keyring, in_force)) => {
                    pin.try_set(Some(in_force));
                    if let Ok(Freshness::ExpiresSoon { days_left }) = keyring.usable(keyring_pin::unix_now(), 0) {
                        expires_in.try_set(Some(days_left));
                    }
                }
                Err(p) => {
                    pin.try_set(keyring_pin::current(&db).await.ok().flatten());
                    if vault.online.get_untracked() {
                        status.error(p);
                    }
                }
            }
        }
    });

    let waker = sync.clone();
    provide_session(Session {
        author: unlocked.name.clone(),
        own: unlocked.recipient.clone(),
        author_key: Signal::derive(move || vault.unlocked.with(|u| u.as_ref().map(|u| u.author.clone()))),
        pin,
        saved: Callback::new(move |()| waker.wake()),
    });
    let cases = Cases { current: RwSignal::new(None), known: RwSignal::new(Vec::new()) };
    let part = RwSignal::new(Part::Intake);
    let end = move |_| {
        status.clear();
        vault.lock(LockReason::Ended);
    };
    let on_open = Callback::new(move |(case, docs): (CaseId, Vec<CaseDocument>)| {
        cases.known.update(|k| {
            for d in docs {
                if !k.contains(&d) {
                    k.push(d);
                }
            }
        });
        cases.current.set(Some(case));
        part.set(Part::Case);
    });

    let nav = Part::ALL
        .into_iter()
        .map(|p| {
            view! {
                <button type="button" id=format!("{}-button", p.id()) class="part-button"
                    // Only the part shown exists in the DOM: an id that names nothing
                    // is invalid ARIA (axe-core: aria-valid-attr-value, critical).
                    aria-controls=move || (part.get() == p).then_some(p.id())
                    aria-current=move || (part.get() == p).then_some("page")
                    on:click=move |_| part.set(p)>{t(p.key())}</button>
            }
        })
        .collect_view();
    let u = unlocked.clone();
    let shown = move || {
        let body = match part.get() {
            Part::Intake => view! { <IntakePart unlocked=u.clone() cases=cases part=part /> }.into_any(),
            Part::Case => view! { <CasePart unlocked=u.clone() cases=cases /> }.into_any(),
            Part::Cases => {
                view! { <MyCases unlocked=u.clone() online=Signal::from(vault.online) on_open=on_open /> }.into_any()
            }
            Part::Outbox => view! { <OutboxList view=outbox sync=sync.clone() /> }.into_any(),
            Part::Account => view! {
                <AuthorKeyCard unlocked=u.clone() />
                <ChangePassphrase unlocked=u.clone() />
            }
            .into_any(),
        };
        let p = part.get();
        view! { <section id=p.id() class="part" aria-labelledby=format!("{}-button", p.id())>{body}</section> }
    };

    view! {
        <div class="workspace">
            <div class="session-bar">
                <span>{t("app-signed_in_as")} " " <strong id="session-name">{unlocked.name.clone()}</strong></span>
                <Show when=move || !vault.online.get()>
                    <span id="session-offline" class="hint">{t("vault-online_pending")}</span>
                </Show>
                <button id="end-session" type="button" class="end-session" on:click=end>{t("app-end_session")}</button>
            </div>
            <PinInfo pin=pin />
            {move || expires_in.get().map(|days| view! {
                <p id="keyring-expires-soon" class="keyring-warning" role="status" data-days=days.to_string()>
                    {crate::i18n::t_args("keyring-expires_soon", move || vec![("days", crate::i18n::OwnedArg::Num(days as i64))])}
                </p>
            })}
            <nav class="parts" aria-label=t("workspace-parts")>{nav}</nav>
            {shown}
        </div>
    }
}

/// What a form part needs to save one kind of entry.
struct Saver<F: 'static> {
    state: FormState<F>,
    draft: DraftHandle<F>,
    /// The entry the answers become.
    wrap: fn(F) -> CaseEntry,
    /// The case's consent state, for a follow-up's referrals.
    consent: Option<Signal<ConsentState>>,
}

impl<F: Clone + PartialEq + serde::Serialize + Send + Sync + 'static> Saver<F> {
    /// The submit handler: with problems, show them all and move focus to the summary;
    /// otherwise seal and store, then call `done` with the sealed document. On failure
    /// the form keeps every answer and the status line says why.
    fn submit(
        self,
        case: impl Fn() -> CaseId + 'static,
        summary_id: &'static str,
        busy: RwSignal<bool>,
        done: impl Fn(CaseDocument) + Clone + 'static,
    ) -> impl Fn(SubmitEvent) + 'static {
        let session = use_session();
        let status = use_status();
        let Saver { state, draft, wrap, consent } = self;
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            state.attempted.set(true);
            if !state.problems.with_untracked(Vec::is_empty) {
                status.error(ErrorCode::Invalid);
                focus_later(summary_id);
                return;
            }
            busy.set(true);
            status.info(Msg::key("intake-sealing"));
            let (session, done) = (session.clone(), done.clone());
            let entry = wrap(state.form.get_untracked());
            let case = case();
            let consent = consent.map(|c| c.get_untracked());
            leptos::task::spawn_local(async move {
                match sealing::save_entry(&session, case, entry, None, consent.as_ref()).await {
                    Ok((_, doc)) => {
                        draft.discard();
                        status.info(Msg::key("intake-saved"));
                        done(doc);
                    }
                    Err(p) => status.error(p),
                }
                busy.try_set(false);
            });
        }
    }
}

/// Moves focus to `id` once the view has drawn it (the error summary appears on the
/// same change that asks for it).
fn focus_later(id: &'static str) {
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(el) = document().get_element_by_id(id) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// Fills `form` from its kept draft, if any (after a reload, a lock or a closed tab).
fn resume_into<F>(
    unlocked: &Arc<Unlocked>,
    kind: &'static str,
    case: Option<CaseId>,
    form: RwSignal<F>,
    draft: DraftHandle<F>,
) where
    F: serde::de::DeserializeOwned + serde::Serialize + Clone + PartialEq + Send + Sync + 'static,
{
    let unlocked = unlocked.clone();
    leptos::task::spawn_local(async move {
        if let Some(r) = drafts::resume::<F>(&unlocked, kind, case).await {
            form.try_set(r.value);
            draft.mark_resumed();
        }
    });
}

/// The save button of a form part.
#[component]
fn SaveButton(busy: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="form-actions">
            <button type="submit" class="save" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { t("intake-sealing").get() } else { t("intake-save").get() }}
            </button>
        </div>
    }
}

/// A new family: the whole intake. Saving opens a new case and makes it current.
#[component]
fn IntakePart(unlocked: Arc<Unlocked>, cases: Cases, part: RwSignal<Part>) -> impl IntoView {
    let session = use_session();
    let form = RwSignal::new(FamilyIntake::default());
    let state = FormState::new(form, clock::today());
    let draft = drafts::autosave(&session, "intake", None, form);
    resume_into(&unlocked, "intake", None, form, draft);
    let busy = RwSignal::new(false);
    let saver = Saver { state, draft, wrap: CaseEntry::Intake, consent: None };
    let submit = saver.submit(CaseId::random, "form-error-summary", busy, move |doc: CaseDocument| {
        let case = doc.case;
        cases.add(doc);
        cases.current.set(Some(case));
        state.reset(FamilyIntake::default());
        part.set(Part::Case);
    });
    view! {
        <form id="intake-form" class="full-form" novalidate autocomplete="off" on:submit=submit>
            <DraftStatus draft=draft />
            <IntakeForm state=state />
            <SaveButton busy=busy />
        </form>
    }
}

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
}

/// The current case: its consent state, then one of its forms.
#[component]
fn CasePart(unlocked: Arc<Unlocked>, cases: Cases) -> impl IntoView {
    move || match cases.current.get() {
        None => view! { <p class="hint" id="no-case">{t("workspace-no_case")}</p> }.into_any(),
        Some(case) => lazy_case_forms(unlocked.clone(), cases, case),
    }
}

/// The case's forms (consent, print, follow-up, closure) are a chunk of their own in
/// the release build: a caseworker who only enrols families does not load them.
fn lazy_case_forms(unlocked: Arc<Unlocked>, cases: Cases, case: CaseId) -> AnyView {
    #[cfg(feature = "split")]
    {
        crate::lazy::view(async move { case_forms_chunk(unlocked, cases, case).await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <CaseForms unlocked=unlocked cases=cases case=case /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(case_forms, wasm_split_path = ::leptos::wasm_split, fallible)]
fn case_forms_chunk(
    unlocked: Arc<Unlocked>,
    cases: Cases,
    case: CaseId,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <CaseForms unlocked=unlocked cases=cases case=case /> }.into_any())
}

#[component]
fn CaseForms(unlocked: Arc<Unlocked>, cases: Cases, case: CaseId) -> impl IntoView {
    let session = use_session();
    let today = clock::today();
    let consents = Signal::derive(move || {
        cases.known.with(|k| {
            k.iter()
                .filter(|d| d.case == case)
                .filter_map(|d| match &d.entry {
                    CaseEntry::Consent(c) => Some(c.clone()),
                    _ => None,
                })
                .collect::<Vec<ConsentEntry>>()
        })
    });
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

    let kstate = new_closure(today);
    let kdraft = drafts::autosave(&session, "closure", Some(case), kstate.form);
    resume_into(&unlocked, "closure", Some(case), kstate.form, kdraft);
    let closure_submit = Saver { state: kstate, draft: kdraft, wrap: CaseEntry::Closure, consent: None }.submit(
        move || case,
        "closure-error-summary",
        busy,
        move |doc| {
            cases.add(doc);
            kstate.reset(Closure::default());
        },
    );

    let tabs = CaseForm::ALL
        .into_iter()
        .map(|f| {
            view! {
                <button type="button" class="part-button" aria-current=move || (shown.get() == f).then_some("page")
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
                    <ClosureForm state=kstate />
                    <SaveButton busy=busy />
                </form>
            </div>
        </div>
    }
}
