//! The later entries of a case: a follow-up (`shared::forms::followup::FollowUp`:
//! visits and contacts, services delivered, referrals, service-plan goals, each a
//! repeat group) and the closure (`Closure`: date, outcome, details, children
//! returned, notes; a transfer names the receiving party and is checked against the
//! family's consent to share with it, saying why when refused).
//!
//! As with the intake and consent, the answers live in a signal the page owns and
//! seals; every change re-runs `shared::forms::check::follow_up` / `closure`. Given
//! the case's consent state, a referral to a party the family has not allowed (or
//! has withdrawn) is a problem on that referral's party, and the row says why in the
//! family's terms (the refusal sentence), so the referral cannot be saved.

use leptos::prelude::*;
use shared::forms::check::{self, MAX_ROWS};
use shared::forms::consent::{ConsentState, Permission, SharingParty};
use shared::forms::followup::{
    Closure, ClosureOutcome, Contact, FollowUp, GoalStatus, PlanGoal, Referral, ReferralStatus, ServiceDelivered,
};
use shared::forms::form_day;
use shared::forms::intake::{Channel, Service};
use shared::record::Date;

use crate::forms::consent_standing::{refusal_for, ConsentRefusal};
use crate::forms::descriptor::{
    code_field, long_field, render_all, text_field, Control, FieldDef, FormState, Rules, Whole,
};
use crate::forms::intake_form::Section;
use crate::forms::repeat::{repeat_group, Group};
use crate::forms::summary::{path_id, ErrorSummary};

/// The follow-up's rules: ids under `u-` by position; nothing is hidden by skip logic.
pub static FOLLOW_UP_RULES: Rules<FollowUp> = Rules {
    prefix: "u-",
    field_id: |path, _| path_id("u-", path),
    on: |f, today| form_day(f.date, today),
    prune: |_, _| {},
};

/// The closure's rules: ids under `x-`; the outcome's details and the count of
/// children returned are dropped when the outcome does not ask for them.
pub static CLOSURE_RULES: Rules<Closure> = Rules {
    prefix: "x-",
    field_id: |path, _| path_id("x-", path),
    on: |c, today| form_day(c.date, today),
    prune: |c, _| c.prune_hidden(),
};

/// The consent state the follow-up form checks referrals against (a context, so a
/// referral row can say why its party is refused).
#[derive(Clone, Copy)]
struct CaseConsent(Signal<ConsentState>);

/// A follow-up form's state over the page's signal. With `consent` (the case's
/// consent state), referrals are checked against it and re-checked when it changes.
pub fn follow_up_state(
    form: RwSignal<FollowUp>,
    today: Date,
    consent: Option<Signal<ConsentState>>,
) -> FormState<FollowUp> {
    FormState::with_rules(form, today, &FOLLOW_UP_RULES, move |f, today| match consent {
        Some(s) => s.with(|s| check::follow_up(f, today, Some(s))),
        None => check::follow_up(f, today, None),
    })
}

/// A new follow-up dated today with one empty contact to start from.
pub fn new_follow_up(today: Date, consent: Option<Signal<ConsentState>>) -> FormState<FollowUp> {
    let f = FollowUp { date: Some(today), contacts: vec![Contact::default()], ..FollowUp::default() };
    follow_up_state(RwSignal::new(f), today, consent)
}

/// A closure form's state over the page's signal. With `consent` (the case's consent
/// state), a transfer is checked against consent to share with the receiving party.
pub fn closure_state(
    form: RwSignal<Closure>,
    today: Date,
    consent: Option<Signal<ConsentState>>,
) -> FormState<Closure> {
    FormState::with_rules(form, today, &CLOSURE_RULES, move |c, today| match consent {
        Some(s) => s.with(|s| check::closure(c, today, Some(s))),
        None => check::closure(c, today, None),
    })
}

/// A new closure dated today.
pub fn new_closure(today: Date, consent: Option<Signal<ConsentState>>) -> FormState<Closure> {
    closure_state(RwSignal::new(Closure { date: Some(today), ..Closure::default() }), today, consent)
}

static CONTACT: &[FieldDef<Contact>] = &[
    FieldDef {
        name: "date",
        label: "field-contacts-date",
        help: None,
        shows: None,
        control: Control::Date(|c| c.date, |c, d| c.date = d),
    },
    code_field!(Contact, Channel, "channel", "field-contacts-channel", channel),
    text_field!(Contact, "with_whom", "field-contacts-with_whom", with_whom),
    long_field!(Contact, "notes", "field-contacts-notes", notes),
];

static SERVICE: &[FieldDef<ServiceDelivered>] = &[
    code_field!(ServiceDelivered, Service, "service", "field-services-service", service),
    FieldDef {
        name: "date",
        label: "field-services-date",
        help: None,
        shows: None,
        control: Control::Date(|s| s.date, |s, d| s.date = d),
    },
    text_field!(ServiceDelivered, "provider", "field-services-provider", provider),
    FieldDef {
        name: "via_referral",
        label: "field-services-via_referral",
        help: None,
        shows: None,
        control: Control::YesNo(|s| s.via_referral, |s, b| s.via_referral = b),
    },
    long_field!(ServiceDelivered, "notes", "field-services-notes", notes),
];

static REFERRAL: &[FieldDef<Referral>] = &[
    code_field!(Referral, SharingParty, "party", "field-referrals-party", party),
    text_field!(Referral, "organisation", "field-referrals-organisation", organisation),
    code_field!(Referral, Service, "service", "field-referrals-service", service),
    FieldDef {
        name: "date",
        label: "field-referrals-date",
        help: None,
        shows: None,
        control: Control::Date(|r| r.date, |r, d| r.date = d),
    },
    code_field!(Referral, ReferralStatus, "status", "field-referrals-status", status),
    long_field!(Referral, "notes", "field-referrals-notes", notes),
];

static GOAL: &[FieldDef<PlanGoal>] = &[
    text_field!(PlanGoal, "goal", "field-goals-goal", goal),
    code_field!(PlanGoal, Service, "service", "field-goals-service", service),
    FieldDef {
        name: "target_date",
        label: "field-goals-target_date",
        help: None,
        shows: None,
        control: Control::Date(|g| g.target_date, |g, d| g.target_date = d),
    },
    code_field!(PlanGoal, GoalStatus, "status", "field-goals-status", status),
    long_field!(PlanGoal, "notes", "field-goals-notes", notes),
];

static CONTACTS: Group<FollowUp, Contact> = Group {
    name: "contacts",
    label: "field-contacts",
    row: "contacts-row",
    add: "contacts-add",
    rows: |f| &f.contacts,
    rows_mut: |f| &mut f.contacts,
    fields: CONTACT,
    max: MAX_ROWS,
    extra: None,
};

static SERVICES: Group<FollowUp, ServiceDelivered> = Group {
    name: "services",
    label: "field-services",
    row: "services-row",
    add: "services-add",
    rows: |f| &f.services,
    rows_mut: |f| &mut f.services,
    fields: SERVICE,
    max: MAX_ROWS,
    extra: None,
};

static REFERRALS: Group<FollowUp, Referral> = Group {
    name: "referrals",
    label: "field-referrals",
    row: "referrals-row",
    add: "referrals-add",
    rows: |f| &f.referrals,
    rows_mut: |f| &mut f.referrals,
    fields: REFERRAL,
    max: MAX_ROWS,
    extra: Some(referral_refusal),
};

static GOALS: Group<FollowUp, PlanGoal> = Group {
    name: "goals",
    label: "field-goals",
    row: "goals-row",
    add: "goals-add",
    rows: |f| &f.goals,
    rows_mut: |f| &mut f.goals,
    fields: GOAL,
    max: MAX_ROWS,
    extra: None,
};

/// Under a referral: why the family's consent does not allow referring to its party
/// (as of the referral's date), when it does not.
fn referral_refusal(state: FormState<FollowUp>, index: usize) -> AnyView {
    let Some(CaseConsent(consent)) = use_context::<CaseConsent>() else { return ().into_any() };
    let refusal = Signal::derive(move || {
        let asked = state.form.with(|f| f.referrals.get(index).and_then(|r| r.party.map(|p| (p, r.date))));
        asked.and_then(|(party, date)| {
            consent.with(|s| refusal_for(s, Permission::Sharing(party), form_day(date, state.today)))
        })
    });
    view! { <ConsentRefusal refusal /> }.into_any()
}

static HEAD: &[FieldDef<FollowUp>] = &[FieldDef {
    name: "date",
    label: "field-date",
    help: None,
    shows: None,
    control: Control::Date(|f| f.date, |f, d| f.date = d),
}];

static FOLLOW_UP_NOTES: &[FieldDef<FollowUp>] = &[long_field!(FollowUp, "notes", "field-notes", notes)];

/// The follow-up form. `state` is the page's ([`new_follow_up`],
/// [`follow_up_state`]); pass the same `consent` signal given to the state, so a
/// refused referral says why, and a case whose consent to case work is missing,
/// withdrawn or expired says so above the form.
#[component]
pub fn FollowUpForm(
    state: FormState<FollowUp>,
    #[prop(optional, into)] consent: Option<Signal<ConsentState>>,
) -> impl IntoView {
    if let Some(c) = consent {
        provide_context(CaseConsent(c));
    }
    // Every follow-up processes the family's data for case work: while the family
    // has not allowed it (or has withdrawn it), the form says so on top.
    let case_work = Signal::derive(move || {
        let on = state.on();
        consent.and_then(|c| c.with(|s| refusal_for(s, Permission::CaseWork, on)))
    });
    let whole = Whole(state);
    view! {
        <div class="follow-up-form">
            <ConsentRefusal refusal=case_work />
            <ErrorSummary id="follow-up-error-summary" problems=state.problems.into() visible=state.attempted.into() />
            {render_all(HEAD, whole)}
            <Section id="u-section-contacts" title="section-contacts">{repeat_group(state, &CONTACTS)}</Section>
            <Section id="u-section-services" title="section-services">{repeat_group(state, &SERVICES)}</Section>
            <Section id="u-section-referrals" title="section-referrals">{repeat_group(state, &REFERRALS)}</Section>
            <Section id="u-section-goals" title="section-goals">{repeat_group(state, &GOALS)}</Section>
            {render_all(FOLLOW_UP_NOTES, whole)}
        </div>
    }
}

static CLOSURE: &[FieldDef<Closure>] = &[
    FieldDef {
        name: "date",
        label: "field-date",
        help: None,
        shows: None,
        control: Control::Date(|c| c.date, |c, d| c.date = d),
    },
    code_field!(Closure, ClosureOutcome, "outcome", "field-outcome", outcome),
    FieldDef {
        shows: Some(|c, _| c.shows_transferred_to()),
        ..code_field!(Closure, SharingParty, "transferred_to", "field-transferred_to", transferred_to)
    },
    FieldDef {
        shows: Some(|c, _| c.shows_outcome_note()),
        ..text_field!(Closure, "outcome_note", "field-outcome_note", outcome_note)
    },
    FieldDef {
        name: "children_returned",
        label: "field-children_returned",
        help: None,
        shows: Some(|c, _| c.shows_children_returned()),
        control: Control::Number(
            |c| (c.children_returned > 0).then_some(u32::from(c.children_returned)),
            |c, n| c.children_returned = n.map_or(0, |n| u8::try_from(n).unwrap_or(u8::MAX)),
        ),
    },
    long_field!(Closure, "notes", "field-notes", notes),
];

/// The closure form. `state` is the page's ([`new_closure`], [`closure_state`]); pass
/// the same `consent` given to the state, so a transfer the family's consent does not
/// allow says why under the outcome.
#[component]
pub fn ClosureForm(
    state: FormState<Closure>,
    #[prop(optional, into)] consent: Option<Signal<ConsentState>>,
) -> impl IntoView {
    let transfer = Signal::derive(move || {
        let asked = state.form.with(|c| c.consent_needed().into_iter().next().map(|p| (p, c.date)));
        asked.and_then(|(p, date)| consent.and_then(|s| s.with(|s| refusal_for(s, p, form_day(date, state.today)))))
    });
    view! {
        <div class="closure-form">
            <ErrorSummary id="closure-error-summary" problems=state.problems.into() visible=state.attempted.into() />
            {render_all(CLOSURE, Whole(state))}
            <div id="x-transfer-refusal"><ConsentRefusal refusal=transfer /></div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_of_rows_link_to_the_rows_fields() {
        assert_eq!((FOLLOW_UP_RULES.field_id)("referrals[2].party", &FollowUp::default()), "u-referrals-2-party");
        assert_eq!((CLOSURE_RULES.field_id)("children_returned", &Closure::default()), "x-children_returned");
    }
}
