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
use shared::forms::basis::LawfulGround;
use shared::forms::consent::{ConsentEntry, ConsentState};
use shared::forms::intake::FamilyIntake;
use shared::forms::{CaseDocument, CaseEntry};
use shared::{CaseId, ErrorCode};

use crate::account::author_key::AuthorKeyCard;
use crate::account::change_passphrase::ChangePassphrase;
use crate::caseworker::my_cases::MyCases;
use crate::caseworker::outbox_list::OutboxList;
use crate::caseworker::pin_info::PinInfo;
use crate::components::status::{use_status, Msg};
use crate::drafts::{self, DraftHandle, DraftStatus};
use crate::forms::descriptor::FormState;
use crate::forms::intake_form::IntakeForm;
use crate::i18n::{t, t_args, OwnedArg};
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
    /// The case the "New family" intake goes into: one opened with the family's
    /// consent first; `None`, a new case.
    intake_for: RwSignal<Option<CaseId>>,
}

impl Cases {
    fn of(&self, case: CaseId) -> Vec<CaseDocument> {
        self.known.with(|k| k.iter().filter(|d| d.case == case).cloned().collect())
    }

    /// The consent entries of `case` known here (tracked).
    fn consents(&self, case: CaseId) -> Vec<ConsentEntry> {
        self.known.with(|k| {
            k.iter()
                .filter(|d| d.case == case)
                .filter_map(|d| match &d.entry {
                    CaseEntry::Consent(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
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
    let cases =
        Cases { current: RwSignal::new(None), known: RwSignal::new(Vec::new()), intake_for: RwSignal::new(None) };
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
            Part::Case => view! { <CasePart unlocked=u.clone() cases=cases part=part /> }.into_any(),
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

/// A new family: the whole intake, on a lawful basis. With a legal ground the intake
/// opens a new case; with consent, the consent is recorded first (a new case opens
/// with it), then the intake goes into that case, and until then the health,
/// disability and violence fields stay closed.
#[component]
fn IntakePart(unlocked: Arc<Unlocked>, cases: Cases, part: RwSignal<Part>) -> impl IntoView {
    let session = use_session();
    let form = RwSignal::new(FamilyIntake::default());
    let today = clock::today();
    let state = FormState::new(form, today);
    let draft = drafts::autosave(&session, "intake", None, form);
    resume_into(&unlocked, "intake", None, form, draft);
    let busy = RwSignal::new(false);
    let consent = Signal::derive(move || {
        cases.intake_for.get().map(|case| ConsentState::from_entries(cases.consents(case).iter())).unwrap_or_default()
    });
    // The basis's consent day follows the case's consent (filled in, never typed).
    Effect::new(move |_| {
        let on_consent = form.with(|f| f.basis.ground) == Some(LawfulGround::Consent);
        let day = on_consent.then(|| consent.with(|s| s.case_work_since(today))).flatten();
        if form.with_untracked(|f| f.basis.consent_of) != day {
            state.update(|f| f.basis.consent_of = day);
        }
    });
    let saver = Saver { state, draft, wrap: CaseEntry::Intake, consent: Some(consent) };
    let target = move || cases.intake_for.get_untracked().unwrap_or_else(CaseId::random);
    let submit = saver.submit(target, "form-error-summary", busy, move |doc: CaseDocument| {
        let case = doc.case;
        cases.add(doc);
        cases.current.set(Some(case));
        cases.intake_for.set(None);
        state.reset(FamilyIntake::default());
        part.set(Part::Case);
    });
    let consent_first = move |_| {
        let case = cases.intake_for.get_untracked().unwrap_or_else(CaseId::random);
        cases.intake_for.set(Some(case));
        cases.current.set(Some(case));
        part.set(Part::Case);
    };
    let basis_extra = ViewFn::from(move || {
        let since = Memo::new(move |_| form.with(|f| f.basis.consent_of));
        view! {
            <Show when=move || form.with(|f| f.basis.ground == Some(LawfulGround::Consent))>
                {move || match since.get() {
                    Some(d) => view! {
                        <p id="intake-consent-of" class="hint">
                            {t_args("intake-consent_of", move || vec![("date", OwnedArg::Str(d.display()))])}
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <button type="button" id="intake-consent-first" on:click=consent_first>
                            {t("intake-consent_first")}
                        </button>
                    }
                    .into_any(),
                }}
            </Show>
            <Show when=move || cases.intake_for.with(Option::is_some)>
                <p id="intake-for-case" class="hint">{t("intake-for_case")}</p>
            </Show>
        }
    });
    view! {
        <form id="intake-form" class="full-form" novalidate autocomplete="off" on:submit=submit>
            <DraftStatus draft=draft />
            <IntakeForm state=state basis_extra />
            <SaveButton busy=busy />
        </form>
    }
}

mod case_forms;
use case_forms::CasePart;
