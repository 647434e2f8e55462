//! The organisation's signed settings in the app: the operator a consent form names,
//! the retention period it offers, and the age from which a child's assent is asked
//! (`shared::org_settings`).
//!
//! [`load`] fetches `GET /api/v1/settings` and checks it against the same organisation
//! key the keyring is checked against ([`crate::keyring_pin::current`]: the key built
//! into the app, or in a demo build the first-use pin, made by fetching the keyring
//! first if this device has none yet). Settings that verify are kept in IndexedDB
//! `settings` under [`KEPT_SETTING`] (public data, nothing secret) so the consent form
//! works offline; the kept copy is checked against the pin again on every use. Never a
//! lower version than the one kept: a relay serving older settings is refused
//! (`settings_rollback`), not quietly replaced by the kept copy, so the caseworker and
//! the administrator learn that the relay misbehaves.
//!
//! In the page: [`provide_org_settings`] (the app frame calls it once) loads them into
//! a context; [`use_org_settings`] gives a `Signal<Option<Result<VerifiedSettings,
//! Problem>>>`: `None` while loading, `Some(Err(reason))` when missing or refused (the
//! consent form shows the reason and cannot be saved), `Some(Ok(settings))` otherwise.
//! The consent form's field tables are plain `fn` pointers, so the settings in force
//! are also mirrored in a thread-local ([`assent_age`], [`apply_to`]) which only the
//! loader writes. [`OperatorDetails`] is the consent form's read-only operator section.

use std::cell::RefCell;

use indexed_db_futures::database::Database;
use leptos::prelude::*;
use shared::forms::codes::Code;
use shared::forms::consent::{ConsentEntry, Operator, DEFAULT_ASSENT_AGE};
use shared::org_settings::{OrgSettings, VerifiedSettings};
use shared::ErrorCode;

use crate::forms::descriptor::FormState;
use crate::i18n::use_i18n;
use crate::keyring_pin::{self, Pin};
use crate::problem::Problem;
use crate::{local_db, relay_client};

/// The IndexedDB `settings` key under which the last verified settings' JSON is kept.
pub const KEPT_SETTING: &str = "org_settings";

thread_local! {
    static CURRENT: RefCell<Option<VerifiedSettings>> = const { RefCell::new(None) };
}

/// Checks settings (served, or kept) against the pin and refuses a version lower than
/// `floor`: the whole decision whether the consent form may use them.
pub fn accept(json: &[u8], pin: Pin, floor: u64) -> Result<VerifiedSettings, ErrorCode> {
    OrgSettings::from_json(json)?.verify(&pin.key)?.not_older_than(floor)
}

/// The version of kept settings, if they still verify against `pin` (a kept copy
/// signed by another key raises nothing).
pub fn kept_version(kept: Option<&[u8]>, pin: Pin) -> u64 {
    kept.and_then(|k| accept(k, pin, 0).ok()).map_or(0, |v| v.version())
}

/// The pin the keyring is checked against; on a demo build that has none yet, the
/// keyring is fetched first so its signer is pinned on first use.
async fn pin(db: &Database) -> Result<Pin, Problem> {
    match keyring_pin::current(db).await? {
        Some(pin) => Ok(pin),
        None => Ok(keyring_pin::fetch_verified(db).await?.1),
    }
}

/// Fetches the settings and accepts or refuses them ([`accept`]), keeping what is
/// accepted for offline use. With the relay unreachable (or saying it has none), the
/// kept settings are used if they still verify. On a refusal nothing is stored.
pub async fn load(db: &Database) -> Result<VerifiedSettings, Problem> {
    let pin = pin(db).await?;
    let kept = keyring_pin::setting(db, KEPT_SETTING).await?;
    let floor = kept_version(kept.as_deref().map(str::as_bytes), pin);
    let fallback = |kept: Option<String>, otherwise: Problem| match kept {
        Some(k) => accept(k.as_bytes(), pin, 0).map_err(Problem::from),
        None => Err(otherwise),
    };
    let json = match relay_client::org_settings_bytes().await {
        Ok(Some(json)) => json,
        Ok(None) => return fallback(kept, ErrorCode::SettingsMissing.into()),
        Err(e) if e.is_transient() => return fallback(kept, e.into()),
        Err(e) => return Err(e.into()),
    };
    let verified = accept(&json, pin, floor)?;
    if kept.as_deref().map(str::as_bytes) != Some(&json[..]) {
        if let Ok(text) = String::from_utf8(json) {
            keyring_pin::set_setting(db, KEPT_SETTING, text).await?;
        }
    }
    Ok(verified)
}

/// What the context holds: `None` while loading.
pub type SettingsState = Option<Result<VerifiedSettings, Problem>>;

#[derive(Clone, Copy)]
struct Ctx(RwSignal<SettingsState>);

/// Puts the settings into the context and starts loading them.
pub fn provide_org_settings() {
    let state = RwSignal::new(None);
    provide_context(Ctx(state));
    reload(state);
}

/// Puts settings already verified into the context and in force, without fetching
/// (a page that holds them; the browser tests of the forms).
pub fn provide_verified(settings: VerifiedSettings) {
    CURRENT.with(|c| *c.borrow_mut() = Some(settings.clone()));
    provide_context(Ctx(RwSignal::new(Some(Ok(settings)))));
}

fn reload(state: RwSignal<SettingsState>) {
    leptos::task::spawn_local(async move {
        let result = match local_db::open().await {
            Ok(db) => load(&db).await,
            Err(e) => Err(e.into()),
        };
        CURRENT.with(|c| *c.borrow_mut() = result.as_ref().ok().cloned());
        state.set(Some(result));
    });
}

/// The settings in force (see the module doc); `Some(Err(settings_missing))` where no
/// [`provide_org_settings`] is above.
pub fn use_org_settings() -> Signal<SettingsState> {
    match use_context::<Ctx>() {
        Some(Ctx(s)) => s.into(),
        None => Signal::derive(|| Some(Err(ErrorCode::SettingsMissing.into()))),
    }
}

/// Loads them again if the last attempt failed (the consent form asks when it opens).
pub fn retry_if_failed() {
    if let Some(Ctx(s)) = use_context::<Ctx>() {
        if s.with_untracked(|v| matches!(v, Some(Err(_)))) {
            reload(s);
        }
    }
}

/// The age from which a child's assent is asked: the settings', else the default.
pub fn assent_age() -> i32 {
    CURRENT.with(|c| c.borrow().as_ref().map_or(DEFAULT_ASSENT_AGE, VerifiedSettings::assent_age))
}

/// The operator the settings name (`None` while there are no verified settings).
pub fn operator() -> Option<Operator> {
    CURRENT.with(|c| c.borrow().as_ref().map(|v| v.operator().clone()))
}

/// Whether [`apply_to`] would change `e`.
pub fn needs_apply(e: &ConsentEntry) -> bool {
    e.operator != operator().unwrap_or_default()
}

/// Makes a consent name the operator of the verified settings (or none, so it cannot be
/// saved, while there are none), and offers their retention period on a fresh form.
pub fn apply_to(e: &mut ConsentEntry) {
    CURRENT.with(|c| apply_settings(e, c.borrow().as_ref()));
}

/// [`apply_to`] with the settings given.
pub fn apply_settings(e: &mut ConsentEntry, settings: Option<&VerifiedSettings>) {
    let Some(v) = settings else {
        e.operator = Operator::default();
        return;
    };
    if e.operator != *v.operator() {
        let fresh = e.operator == Operator::default();
        e.operator = v.operator().clone();
        if fresh && e.retention_years.is_none() && e.shows_terms() {
            e.retention_years = Some(v.retention_years());
        }
    }
}

/// The consent form's operator section: the operator as the entry names it (which
/// [`apply_to`] keeps equal to the signed settings'), read-only, and whether the
/// settings are loading, refused (the translated reason) or in force. Each value carries the id a problem's summary link points at.
#[component]
pub fn OperatorDetails(state: FormState<ConsentEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_org_settings();
    let op = Memo::new(move |_| state.form.with(|e| e.operator.clone()));
    let row = move |id: &'static str, label: &'static str, value: Signal<String>| {
        view! {
            <dt>{i18n.t(label)}</dt>
            <dd id=id tabindex="-1">{move || value.get()}</dd>
        }
    };
    let country = Signal::derive(move || op.with(|o| o.country.map(|c| i18n.tr(&c.label_key())).unwrap_or_default()));
    view! {
        {move || match settings.get() {
            None => view! { <p class="field-help" role="status">{i18n.t("consent-settings-loading")}</p> }.into_any(),
            Some(Err(problem)) => view! {
                <p class="field-error settings-refused" id="c-settings-problem" role="alert">{problem.render(&i18n)}</p>
            }.into_any(),
            Some(Ok(_)) => view! { <p class="field-help">{i18n.t("consent-operator-signed")}</p> }.into_any(),
        }}
        <dl class="operator-details" id="c-operator">
            {row("c-operator-name", "field-operator-name", Signal::derive(move || op.with(|o| o.name.clone())))}
            {row("c-operator-country", "field-operator-country", country)}
            {row("c-operator-tax_number", "field-operator-tax_number", Signal::derive(move || op.with(|o| o.tax_number.clone())))}
            {row("c-operator-address", "field-operator-address", Signal::derive(move || op.with(|o| o.address.clone())))}
            {row(
                "c-operator-complaints_contact",
                "field-operator-complaints_contact",
                Signal::derive(move || op.with(|o| o.complaints_contact.clone())),
            )}
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring_pin::PinSource;
    use shared::forms::address::Country;
    use shared::keyring::OrgSigningKey;
    use shared::org_settings::SettingsFacts;

    fn facts(version: u64) -> SettingsFacts {
        SettingsFacts {
            version,
            organisation: "Org".into(),
            issued_at: 1_800_000_000,
            operator: Operator {
                name: "Org LLC".into(),
                country: Some(Country::Uzbekistan),
                tax_number: "201234567".into(),
                address: "Tashkent".into(),
                complaints_contact: "+998 71 200 00 00".into(),
            },
            retention_years: 5,
            assent_age: 9,
        }
    }

    fn signed(org: &OrgSigningKey, version: u64) -> Vec<u8> {
        OrgSettings::sign(facts(version), org).to_json().into_bytes()
    }

    #[test]
    fn settings_signed_by_the_pinned_key_are_accepted_and_another_key_or_a_rollback_refused() {
        let org = OrgSigningKey::generate();
        let pin = Pin { key: org.public(), source: PinSource::BuiltIn };
        assert_eq!(accept(&signed(&org, 2), pin, 0).unwrap().assent_age(), 9);
        let other = OrgSigningKey::generate();
        assert_eq!(accept(&signed(&other, 2), pin, 0).err(), Some(ErrorCode::SettingsWrongSigner));
        let floor = kept_version(Some(&signed(&org, 3)), pin);
        assert_eq!(floor, 3);
        assert_eq!(accept(&signed(&org, 2), pin, floor).err(), Some(ErrorCode::SettingsRollback));
        assert!(accept(&signed(&org, 3), pin, floor).is_ok());
        assert_eq!(kept_version(Some(&signed(&other, 9)), pin), 0, "a forged kept copy raises no floor");
    }

    #[test]
    fn a_consent_names_the_settings_operator_and_none_without_settings() {
        let org = OrgSigningKey::generate();
        let v = OrgSettings::sign(facts(1), &org).verify(&org.public()).unwrap();
        let mut e = ConsentEntry::new(shared::forms::consent::ConsentKind::Given);
        e.operator.name = "typed by hand".into();
        apply_settings(&mut e, Some(&v));
        assert_eq!(e.operator, *v.operator());
        let mut fresh = ConsentEntry::new(shared::forms::consent::ConsentKind::Given);
        apply_settings(&mut fresh, Some(&v));
        assert_eq!(fresh.retention_years, Some(5), "a fresh form offers the settings' retention");
        fresh.retention_years = None;
        apply_settings(&mut fresh, Some(&v));
        assert_eq!(fresh.retention_years, None, "a cleared retention stays cleared");
        apply_settings(&mut fresh, None);
        assert_eq!(fresh.operator, Operator::default());
    }
}
