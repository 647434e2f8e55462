//! Browser tests of the forms' UI (headless Chromium through wasm-bindgen-test): the
//! intake form mounted for real, typed into with real input events, its problems
//! appearing and going, the household reordered, the language switched with the
//! input kept, and the signature pad drawn on with pointer events.
//!
//! Catalogs are built from the real `shared/locales/*.ftl` texts (the app fetches the
//! same files from `/locales/`).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- forms::`

use crate::support::{container, settle};
use std::cell::Cell;
use std::rc::Rc;

use amanat_frontend::forms::descriptor::FormState;
use amanat_frontend::forms::signature_pad::{SignaturePad, PAD_HEIGHT, PAD_WIDTH};
use amanat_frontend::forms::{new_intake, IntakeForm};
use amanat_frontend::i18n::{provide_i18n, LanguageSwitch};
use leptos::prelude::*;
use shared::forms::consent::Signature;
use shared::forms::household::Citizenship;
use shared::i18n::{Catalog, Locale};
use shared::record::Date;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

/// A mounted intake form in English, with the language switch; unmounted on drop.
struct Mounted {
    state: FormState,
    _handle: Box<dyn std::any::Any>,
    container: web_sys::HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.container.remove();
    }
}

fn mount_intake() -> Mounted {
    let container = container();
    let slot = Rc::new(Cell::new(None));
    let out = Rc::clone(&slot);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, Locale::ALL.iter().map(|&l| Catalog::embedded(l)).collect());
        let state = new_intake(today());
        out.set(Some(state));
        view! { <LanguageSwitch /> <IntakeForm state /> }
    });
    Mounted { state: slot.take().unwrap(), _handle: Box::new(handle), container }
}

fn el(id: &str) -> web_sys::HtmlElement {
    document().get_element_by_id(id).unwrap_or_else(|| panic!("no element #{id}")).unchecked_into()
}

fn exists(id: &str) -> bool {
    document().get_element_by_id(id).is_some()
}

fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target.dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap()).unwrap();
}

/// Types `text` into the input or textarea `id` (one input event, as a paste).
async fn type_into(id: &str, text: &str) {
    let e = el(id);
    if let Some(i) = e.dyn_ref::<web_sys::HtmlInputElement>() {
        i.set_value(text);
    } else {
        e.unchecked_ref::<web_sys::HtmlTextAreaElement>().set_value(text);
    }
    fire(&e, "input");
    settle().await;
}

async fn choose(id: &str, value: &str) {
    let s: web_sys::HtmlSelectElement = el(id).unchecked_into();
    s.set_value(value);
    fire(&s, "change");
    settle().await;
}

fn value_of(id: &str) -> String {
    el(id).unchecked_into::<web_sys::HtmlInputElement>().value()
}

fn error_of(id: &str) -> String {
    el(&format!("{id}-error")).text_content().unwrap_or_default()
}

fn label_of(id: &str) -> String {
    document().query_selector(&format!("label[for='{id}']")).unwrap().unwrap().text_content().unwrap_or_default()
}

fn active_id() -> String {
    document().active_element().map(|e| e.id()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_fields_problem_appears_as_it_is_typed_and_goes_when_it_is_fixed() {
    let m = mount_intake();
    settle().await;
    // Untouched: nothing shown yet, though the field is empty.
    assert_eq!(error_of("f-family_name"), "");
    type_into("f-family_name", "K").await;
    assert_eq!(error_of("f-family_name"), "");
    type_into("f-family_name", "   ").await;
    assert_eq!(error_of("f-family_name"), "Fill this in.");
    assert_eq!(el("f-family_name").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(el("f-family_name").get_attribute("aria-describedby").unwrap().contains("f-family_name-error"));
    assert_eq!(el("f-family_name-error").get_attribute("role").as_deref(), Some("alert"));
    type_into("f-family_name", "Karimova").await;
    assert_eq!(error_of("f-family_name"), "");
    assert_eq!(el("f-family_name").get_attribute("aria-invalid").as_deref(), Some("false"));
    assert_eq!(m.state.form.with_untracked(|f| f.family_name.clone()), "Karimova");

    // A date is typed as dd.mm.yyyy: half a date shows the pattern, a future one the rule.
    type_into("f-meta-date", "12.0").await;
    assert_eq!(error_of("f-meta-date"), "dd.mm.yyyy");
    type_into("f-meta-date", "01.01.2030").await;
    assert_eq!(error_of("f-meta-date"), "The date cannot be in the future.");
    type_into("f-meta-date", "20.11.2026").await;
    assert_eq!(error_of("f-meta-date"), "");
    assert_eq!(m.state.form.with_untracked(|f| f.meta.date), Date::new(2026, 11, 20));
    assert_eq!(el("f-meta-date").get_attribute("autocomplete").as_deref(), Some("off"));

    // A phone is checked by shared's rules.
    el("phones-add").click();
    settle().await;
    assert_eq!(active_id(), "f-address-phones-0", "focus goes to the new phone");
    type_into("f-address-phones-0", "+998 90 12").await;
    assert!(!error_of("f-address-phones-0").is_empty());
    type_into("f-address-phones-0", "+998 90 123 45 67").await;
    assert_eq!(error_of("f-address-phones-0"), "");
}

#[wasm_bindgen_test]
async fn household_members_are_added_reordered_and_removed_keeping_their_answers_and_focus() {
    let m = mount_intake();
    settle().await;
    let keys = || m.state.form.with_untracked(|f| f.household.iter().map(|x| x.key.0).collect::<Vec<_>>());
    let [a] = keys()[..] else { panic!("a new intake starts with one member") };
    type_into(&format!("f-household-k{a}-full_name"), "Dilnoza").await;
    el("household-add").click();
    settle().await;
    let b = keys()[1];
    assert_eq!(active_id(), format!("f-household-k{b}-full_name"), "focus goes to the new member's name");
    type_into(&format!("f-household-k{b}-full_name"), "Aziz").await;

    // Move Aziz up: the order changes, each name stays with its person, focus follows.
    el(&format!("f-household-k{b}-up")).click();
    settle().await;
    assert_eq!(keys(), vec![b, a]);
    assert_eq!(value_of(&format!("f-household-k{b}-full_name")), "Aziz");
    assert_eq!(value_of(&format!("f-household-k{a}-full_name")), "Dilnoza");
    let rows = document().query_selector_all("fieldset.member h3").unwrap();
    assert!(rows.get(0).unwrap().text_content().unwrap().contains("Member 1"));
    assert!(rows.get(0).unwrap().text_content().unwrap().contains("Aziz"));
    assert_eq!(active_id(), format!("f-household-k{b}-down"), "at the top, focus moves to 'move down'");
    assert!(el(&format!("f-household-k{b}-up")).unchecked_into::<web_sys::HtmlButtonElement>().disabled());

    // Remove Aziz: Dilnoza's heading takes focus.
    el(&format!("f-household-k{b}-remove")).click();
    settle().await;
    assert_eq!(keys(), vec![a]);
    assert!(!exists(&format!("f-household-k{b}-full_name")));
    assert_eq!(active_id(), format!("f-household-k{a}-heading"));
}

#[wasm_bindgen_test]
async fn switching_language_keeps_every_answer_and_changes_the_labels() {
    let m = mount_intake();
    settle().await;
    let a = m.state.form.with_untracked(|f| f.household[0].key.0);
    type_into("f-family_name", "Karimova").await;
    type_into("f-meta-date", "12.0").await; // half typed: only the input holds it
    type_into(&format!("f-household-k{a}-full_name"), "Dilnoza").await;
    assert_eq!(label_of("f-family_name"), "Family name");

    choose("language-switch", "ru").await;
    let ru = Catalog::embedded(Locale::Ru);
    assert_eq!(label_of("f-family_name"), ru.tr("field-family_name", &[]));
    assert_ne!(label_of("f-family_name"), "Family name");
    assert_eq!(value_of("f-family_name"), "Karimova");
    assert_eq!(value_of("f-meta-date"), "12.0");
    assert_eq!(value_of(&format!("f-household-k{a}-full_name")), "Dilnoza");
    assert_eq!(document().document_element().unwrap().get_attribute("lang").as_deref(), Some("ru"));
    // Options are labelled in the new language; their values stay codes.
    let opt = document().query_selector("#f-meta-channel option[value='home_visit']").unwrap().unwrap();
    assert_eq!(opt.text_content().unwrap(), ru.tr("channel-home_visit", &[]));

    choose("language-switch", "uz-Cyrl").await;
    assert_eq!(label_of("f-family_name"), Catalog::embedded(Locale::UzCyrl).tr("field-family_name", &[]));
    assert_eq!(value_of("f-family_name"), "Karimova");
    choose("language-switch", "en").await;
}

#[wasm_bindgen_test]
async fn document_and_disability_fields_follow_the_answers() {
    let m = mount_intake();
    settle().await;
    let a = m.state.form.with_untracked(|f| f.household[0].key.0);
    let id = |name: &str| format!("f-household-k{a}-{name}");
    assert!(!exists(&id("document-number")));
    assert!(!exists(&id("document-personal_number")));
    assert!(!exists(&id("disability_group")));

    choose(&id("citizenship"), Citizenship::Kazakhstan.code()).await;
    let offered: Vec<String> = {
        let opts = document().query_selector_all(&format!("#{} option", id("document-kind"))).unwrap();
        (0..opts.length())
            .map(|i| opts.get(i).unwrap().unchecked_into::<web_sys::HtmlOptionElement>().value())
            .collect()
    };
    assert!(offered.contains(&"kz_id_card".to_owned()) && !offered.contains(&"uz_id_card".to_owned()), "{offered:?}");
    choose(&id("document-kind"), "kz_id_card").await;
    assert!(exists(&id("document-number")));
    assert!(exists(&id("document-personal_number")));
    // A 1990-01-01 IIN with a wrong check digit.
    let body = [9, 0, 0, 1, 0, 1, 3, 0, 0, 0, 0];
    let wrong = (shared::validate::kz_check_digit(&body).unwrap_or(0) + 1) % 10;
    type_into(&id("document-personal_number"), &format!("90010130000{wrong}")).await;
    assert!(!error_of(&id("document-personal_number")).is_empty(), "a wrong IIN check digit is shown");

    // Disability is special data: closed until the intake's lawful basis is recorded.
    assert!(!exists(&id("disability")));
    choose("f-basis-ground", "child_in_danger").await;
    type_into("f-basis-reason", "The children are alone at home").await;
    assert!(exists(&id("disability")));

    // Ticking "yes" shows the disability group; "no" hides it and drops the answer.
    el(&id("disability")).click();
    settle().await;
    assert!(exists(&id("disability_group")));
    choose(&id("disability_group"), "not_assessed").await;
    el(&id("disability-no")).click();
    settle().await;
    assert!(!exists(&id("disability_group")));
    assert_eq!(m.state.form.with_untracked(|f| f.household[0].disability_group), None);
}

#[wasm_bindgen_test]
async fn after_a_save_attempt_the_summary_lists_every_problem_and_its_links_focus_the_field() {
    let m = mount_intake();
    settle().await;
    assert!(!exists("form-error-summary"));
    m.state.attempted.set(true);
    settle().await;
    let links = document().query_selector_all("#form-error-summary a").unwrap();
    let count = m.state.problems.with_untracked(Vec::len);
    assert_eq!(links.length() as usize, count);
    assert!(count > 5);
    let title = el("form-error-summary-title").text_content().unwrap();
    assert!(title.contains(&count.to_string()), "{title}");
    // Every link points at a field on the page, and following one focuses it.
    for i in 0..links.length() {
        let href = links.get(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("href").unwrap();
        assert!(exists(&href[1..]), "{href} is not on the page");
    }
    let first: web_sys::HtmlElement = links.get(0).unwrap().unchecked_into();
    let target = first.get_attribute("href").unwrap()[1..].to_owned();
    first.click();
    settle().await;
    assert_eq!(active_id(), target);
    // Fixing a problem takes it off the list.
    type_into("f-family_name", "Karimova").await;
    assert_eq!(m.state.problems.with_untracked(Vec::len), count - 1);
    assert_eq!(document().query_selector_all("#form-error-summary a").unwrap().length() as usize, count - 1);
}

fn pointer(canvas: &web_sys::HtmlCanvasElement, kind: &str, fx: f64, fy: f64) {
    let r = canvas.get_bounding_client_rect();
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    init.set_pointer_id(1);
    init.set_client_x((r.left() + fx * r.width()) as i32);
    init.set_client_y((r.top() + fy * r.height()) as i32);
    canvas.dispatch_event(&web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap()).unwrap();
}

#[wasm_bindgen_test]
async fn a_signature_drawn_with_a_pointer_becomes_strokes_and_paper_is_the_keyboard_alternative() {
    let container = container();
    let value = RwSignal::new(None::<Signature>);
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, vec![Catalog::embedded(Locale::En)]);
        view! { <SignaturePad id="sig".to_owned() value=value.into() on_change=Callback::new(move |s| value.set(s)) /> }
    });
    settle().await;
    let canvas: web_sys::HtmlCanvasElement =
        document().query_selector("#sig canvas").unwrap().unwrap().unchecked_into();
    pointer(&canvas, "pointerdown", 0.1, 0.5);
    pointer(&canvas, "pointermove", 0.5, 0.2);
    pointer(&canvas, "pointermove", 0.9, 0.8);
    pointer(&canvas, "pointerup", 0.9, 0.8);
    settle().await;
    let Some(Signature::Drawn { strokes }) = value.get_untracked() else { panic!("no drawn signature") };
    assert_eq!((strokes.width, strokes.height), (PAD_WIDTH, PAD_HEIGHT));
    let decoded = strokes.decode().unwrap();
    assert_eq!(decoded.len(), 1);
    assert_eq!(decoded[0].len(), 3);
    let (x, _) = decoded[0][2];
    assert!(x > PAD_WIDTH / 2, "positions are mapped to the pad's size: {x}");

    document().query_selector("#sig button.clear").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(value.get_untracked(), None);

    el("sig-paper").click();
    settle().await;
    assert_eq!(value.get_untracked(), Some(Signature::OnPaper { scan: None }));
    assert!(document().query_selector("#sig canvas").unwrap().is_none(), "drawing is hidden while signed on paper");
    container.remove();
}

// ---- Consent, follow-up and closure (forms/consent_form.rs, followup_form.rs, print.rs).

use amanat_frontend::forms::consent_form::{decision_id, scan_attached};
use amanat_frontend::forms::consent_standing::refusal_for;
use amanat_frontend::forms::{
    new_closure, new_consent, new_follow_up, ClosureForm, ConsentForm, ConsentPrint, ConsentRefusal, ConsentStateView,
    FollowUpForm,
};
use shared::forms::attachment::{AttachmentRef, MediaType};
use shared::forms::consent::{
    ConsentEntry, ConsentKind, ConsentState, ConsenterRole, DataCategory, Permission, SharingParty,
};
use shared::forms::signature::Strokes;

/// Mounts `view` in English in a fresh container; the handle unmounts it when dropped.
fn mount_en<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Box<dyn std::any::Any> {
    let container = container();
    Box::new(leptos::mount::mount_to(container, move || {
        provide_i18n(Locale::En, vec![Catalog::embedded(Locale::En)]);
        amanat_frontend::org_settings::provide_verified(org_settings());
        view()
    }))
}

/// The organisation's settings as `amanat settings sign` would make them: the operator
/// every consent form shows, assent from 7, five years' retention.
fn org_settings() -> shared::org_settings::VerifiedSettings {
    let key = shared::keyring::OrgSigningKey::generate();
    let facts = shared::org_settings::SettingsFacts {
        version: 1,
        organisation: "SOS Children's Villages Uzbekistan".into(),
        issued_at: 1_800_000_000,
        operator: shared::forms::consent::Operator {
            name: "SOS Children's Villages Uzbekistan".into(),
            country: Some(shared::forms::address::Country::Uzbekistan),
            tax_number: "201234567".into(),
            address: "Tashkent".into(),
            complaints_contact: "+998 71 000 00 00".into(),
        },
        retention_years: 5,
        assent_age: 7,
    };
    shared::org_settings::OrgSettings::sign(facts, &key).verify(&key.public()).unwrap()
}

fn checked(id: &str) -> bool {
    el(id).unchecked_into::<web_sys::HtmlInputElement>().checked()
}

fn text_of(selector: &str) -> String {
    document()
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing at {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// A consent the family gave on 10.01.2026: everything allowed but the police.
fn given_consent() -> ConsentEntry {
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.date = Date::new(2026, 1, 10);
    e.place = "Urgench".into();
    e.operator.name = "SOS Children's Villages Uzbekistan".into();
    e.operator.country = Some(shared::forms::address::Country::Uzbekistan);
    e.operator.tax_number = "201234567".into();
    e.operator.complaints_contact = "+998 71 000 00 00".into();
    e.consenter.role = Some(ConsenterRole::Parent);
    e.consenter.full_name = "Gulnara Karimova".into();
    e.witness = "Dilnoza".into();
    for p in Permission::all() {
        e.set(p, Some(p != Permission::Sharing(SharingParty::Police)));
    }
    e.data_categories = vec![DataCategory::Identity, DataCategory::Health];
    e.retention_years = Some(5);
    e.expires_on = Date::new(2031, 1, 10);
    e.signature = Some(Signature::Drawn {
        strokes: Strokes::encode(PAD_WIDTH, PAD_HEIGHT, &[vec![(10, 10), (50, 40)]]).unwrap(),
    });
    e
}

#[wasm_bindgen_test]
async fn a_parent_consents_answering_each_purpose_and_signs_on_screen_or_on_paper() {
    let state = new_consent(today(), ConsentKind::Given);
    let scan = AttachmentRef {
        entry: shared::ids::EntryId::of(b"scan"),
        media_type: MediaType::Jpeg,
        size: 2_400_000,
        caption: "Consent, page 1".into(),
        content: Some(shared::ids::ContentHash::of(b"scan's bytes")),
    };
    let _m = mount_en(move || {
        // The page's attachment picker stands here; this one attaches a sealed scan at once.
        let attach = scan_attached(state);
        let paper_scan = move || {
            let scan = scan.clone();
            view! { <button type="button" id="test-attach" on:click=move |_| attach.run(scan.clone())>"attach"</button> }
        };
        view! { <ConsentForm state paper_scan /> }
    });
    settle().await;
    let problems =
        || state.problems.with_untracked(|p| p.iter().map(|(e, id)| (e.field.clone(), id.clone())).collect::<Vec<_>>());

    // Saving an empty consent: the summary lists every answer missing, each decision
    // linked to its own yes/no.
    state.attempted.set(true);
    settle().await;
    let links = document().query_selector_all("#consent-error-summary a").unwrap();
    assert_eq!(links.length() as usize, problems().len());
    assert!(problems().iter().any(|(_, id)| *id == decision_id(Permission::Sharing(SharingParty::School))));
    for (_, id) in problems() {
        assert!(exists(&id), "the summary links to #{id}, which is not on the page");
    }
    assert_eq!(error_of(&decision_id(Permission::CaseWork)), "Fill this in.");
    let summary = text_of("#consent-error-summary");
    assert!(
        summary.contains("Collection and processing of the family's personal data for case work: Fill this in."),
        "{summary}"
    );
    assert!(
        summary.contains("Police (only where the law requires): Fill this in."),
        "each question is named by its purpose or party"
    );

    // The operator is the organisation's signed settings', shown read-only.
    assert_eq!(text_of("#c-operator-name"), "SOS Children's Villages Uzbekistan");
    assert_eq!(text_of("#c-operator-tax_number"), "201234567");
    assert!(document().query_selector("input#c-operator-name").unwrap().is_none(), "not typed on the form");
    assert_eq!(state.form.with_untracked(|e| e.retention_years), Some(5), "retention offered from the settings");
    assert!(text_of("#c-assent-help").contains("from about 7 years old"), "the help names the settings' age");
    assert!(
        text_of(".consent-intro").contains("SOS Children's Villages Uzbekistan"),
        "the intro names the organisation"
    );
    type_into("c-place", "Urgench").await;
    choose("c-consenter-role", "parent").await;
    type_into("c-consenter-full_name", "Gulnara Karimova").await;
    choose("c-consenter-citizenship", "kz").await;
    choose("c-consenter-document-kind", "kz_id_card").await;
    type_into("c-consenter-document-number", "N01234567").await;
    type_into("c-consenter-document-personal_number", "900101400122").await;
    type_into("c-witness", "Dilnoza").await;

    // A child is asked for assent from seven: the answer appears with the age.
    el("c-children-add").click();
    settle().await;
    assert_eq!(active_id(), "c-children-0-full_name", "focus goes to the new child's name");
    type_into("c-children-0-full_name", "Aziz").await;
    type_into("c-children-0-date_of_birth", "01.03.2022").await;
    assert!(!exists("c-children-0-assent"), "a four-year-old is not asked");
    type_into("c-children-0-date_of_birth", "01.03.2015").await;
    assert!(exists("c-children-0-assent"));
    assert_eq!(error_of("c-children-0-assent"), "Fill this in.", "silence is not assent");
    choose("c-children-0-assent", "assents").await;

    // A separate answer per purpose and party of the operator's country: police
    // refused, the rest allowed; "another organisation" is named.
    for p in Permission::for_country(state.form.with_untracked(|e| e.operator.country)) {
        let id = decision_id(p);
        el(&if p == Permission::Sharing(SharingParty::Police) { format!("{id}-no") } else { id }).click();
    }
    settle().await;
    type_into("c-decisions-sharing-other_ngo-organisation", "Umid children's fund").await;
    assert!(
        checked(&decision_id(Permission::CaseWork))
            && checked(&format!("{}-no", decision_id(Permission::Sharing(SharingParty::Police))))
    );
    assert_eq!(state.form.with_untracked(|e| e.get(Permission::Sharing(SharingParty::Police))), Some(false));

    el("c-data_categories-identity").click();
    el("c-data_categories-health").click();
    settle().await;
    assert!(text_of(".special-data").contains("special data"), "health data asks for a signature");
    type_into("c-retention_years", "5 years").await;
    assert_eq!(value_of("c-retention_years"), "5", "digits only");
    type_into("c-expires_on", "23.11.2031").await;
    assert!(text_of("#c-rights").starts_with("Your rights."));
    assert_eq!(problems(), vec![("signature".to_owned(), "c-signature".to_owned())]);
    assert_eq!(
        error_of("c-signature"),
        "Special data (health, private life, violence) needs a signature, drawn or on paper."
    );

    // Signed with a finger on the pad: nothing left to fix.
    let canvas: web_sys::HtmlCanvasElement =
        document().query_selector("#c-signature canvas").unwrap().unwrap().unchecked_into();
    pointer(&canvas, "pointerdown", 0.2, 0.5);
    pointer(&canvas, "pointermove", 0.6, 0.3);
    pointer(&canvas, "pointerup", 0.6, 0.3);
    settle().await;
    assert_eq!(problems(), vec![]);
    assert!(!exists("consent-error-summary"));
    assert!(matches!(state.form.with_untracked(|e| e.signature.clone()), Some(Signature::Drawn { .. })));
    assert_eq!(
        state.form.with_untracked(|e| e.rights_text_locale.clone()),
        "en",
        "the entry records the rights text's language"
    );

    // Or signed on paper: the scan of the signed page is then required, and attached.
    el("c-signature-paper").click();
    settle().await;
    assert_eq!(problems(), vec![("signature.scan".to_owned(), "c-signature-scan".to_owned())]);
    assert_eq!(error_of("c-signature-scan"), "Attach the scan of the signed paper form.");
    el("test-attach").click();
    settle().await;
    assert_eq!(problems(), vec![]);
    assert!(text_of(".scan-attached").contains("Consent, page 1"));
    assert!(matches!(state.form.with_untracked(|e| e.signature.clone()), Some(Signature::OnPaper { scan: Some(_) })));
}

#[wasm_bindgen_test]
async fn a_withdrawal_changes_the_cases_consent_and_the_withdrawn_purpose_is_refused_saying_why() {
    let entries = RwSignal::new(vec![given_consent()]);
    let current = Signal::derive(move || entries.with(|es| ConsentState::from_entries(es.iter())));
    let state = new_consent(today(), ConsentKind::Withdrawn);
    let photos = Signal::derive(move || current.with(|s| refusal_for(s, Permission::PhotosAudio, today())));
    let _m = mount_en(move || {
        view! {
            <ConsentStateView entries today=today() />
            <ConsentRefusal refusal=photos />
            <ConsentForm state current />
        }
    });
    settle().await;
    let row = |p: &str| document().query_selector(&format!("tr[data-permission='{p}']")).unwrap().unwrap();
    let standing = |p: &str| text_of(&format!("tr[data-permission='{p}'] td"));
    assert_eq!(row("photos_audio").class_name(), "allowed");
    assert_eq!(text_of("tr[data-permission='photos_audio'] th"), "Photos and audio recordings");
    assert_eq!(standing("photos_audio"), "Allowed from 10.01.2026 until 10.01.2031");
    assert_eq!(row("sharing.police").class_name(), "not-allowed");
    assert!(!exists("c-data_categories"), "a withdrawal has no terms");
    // Only what is allowed now can be withdrawn: police sharing was refused, not given.
    assert!(exists(&decision_id(Permission::PhotosAudio)));
    assert!(!exists(&decision_id(Permission::Sharing(SharingParty::Police))));

    type_into("c-place", "Urgench").await;
    choose("c-consenter-role", "parent").await;
    type_into("c-consenter-full_name", "Gulnara Karimova").await;
    type_into("c-witness", "Dilnoza").await;
    choose("c-withdrawal_form", "written").await;
    assert!(exists("c-signature"), "a written withdrawal is signed");
    choose("c-withdrawal_form", "oral").await;
    assert!(!exists("c-signature"), "an oral one is not");
    state.attempted.set(true);
    settle().await;
    assert_eq!(error_of("c-decisions"), "Fill this in.", "a withdrawal says what it withdraws");
    el(&decision_id(Permission::PhotosAudio)).click();
    settle().await;
    assert_eq!(state.problems.with_untracked(Vec::len), 0);
    assert!(
        document().query_selector("p.consent-refusal").unwrap().is_none(),
        "photos are allowed until the withdrawal is saved"
    );

    // Saved (the page appends it to the case): the state and the refusal follow.
    entries.update(|es| es.push(state.form.get_untracked()));
    settle().await;
    assert_eq!(row("photos_audio").class_name(), "not-allowed");
    assert_eq!(standing("photos_audio"), "Withdrawn on 23.11.2026");
    assert_eq!(row("case_work").class_name(), "allowed", "the other purposes stand");
    assert_eq!(
        text_of("p.consent-refusal"),
        "Not allowed: the family withdrew \"Photos and audio recordings\" on 23.11.2026."
    );
}

#[wasm_bindgen_test]
async fn follow_up_rows_are_added_and_removed_and_what_consent_does_not_allow_says_why() {
    let entries = RwSignal::new(vec![given_consent()]);
    let consent = Signal::derive(move || entries.with(|es| ConsentState::from_entries(es.iter())));
    let state = new_follow_up(today(), Some(consent));
    let _m = mount_en(move || view! { <FollowUpForm state consent /> });
    settle().await;
    let contacts = || state.form.with_untracked(|f| f.contacts.iter().map(|c| c.with_whom.clone()).collect::<Vec<_>>());
    type_into("u-contacts-0-date", "01.11.2026").await;
    type_into("u-contacts-0-with_whom", "Mother").await;
    el("u-contacts-add").click();
    settle().await;
    assert_eq!(active_id(), "u-contacts-1-date", "focus goes to the new contact");
    type_into("u-contacts-1-date", "05.11.2026").await;
    type_into("u-contacts-1-with_whom", "Teacher").await;
    choose("u-contacts-1-channel", "phone").await;
    assert!(text_of("#u-contacts").contains("Contact 2"));

    // Removing the first contact: the second moves up with every answer, dates too.
    el("u-contacts-0-remove").focus().unwrap();
    el("u-contacts-0-remove").click();
    settle().await;
    assert_eq!(contacts(), vec!["Teacher".to_owned()]);
    assert_eq!(value_of("u-contacts-0-with_whom"), "Teacher");
    assert_eq!(value_of("u-contacts-0-date"), "05.11.2026");
    assert!(!exists("u-contacts-1-date"));
    el("u-contacts-0-remove").click();
    settle().await;
    assert_eq!(active_id(), "u-contacts-add", "with no row left, focus goes to 'add'");
    state.attempted.set(true);
    settle().await;
    assert_eq!(error_of("u-contacts"), "Fill this in.", "a follow-up records something");

    // A referral to the police, which the family refused: refused on the row, with why.
    el("u-referrals-add").click();
    settle().await;
    choose("u-referrals-0-party", "police").await;
    assert_eq!(error_of("u-referrals-0-party"), "The family's consent does not allow this now.");
    assert!(text_of("#u-referrals .consent-refusal").contains("refused"), "{}", text_of("#u-referrals"));
    assert!(text_of("#u-referrals .consent-refusal").contains("10.01.2026"));
    choose("u-referrals-0-party", "school").await;
    assert_eq!(error_of("u-referrals-0-party"), "");
    assert!(document().query_selector("#u-referrals .consent-refusal").unwrap().is_none());
    assert!(document().query_selector(".follow-up-form > .consent-refusal").unwrap().is_none());

    // The family withdraws consent to case work: the form says so on top, and no
    // referral stands any more (sharing needs case work).
    let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
    w.date = Some(today());
    w.set(Permission::CaseWork, Some(false));
    entries.update(|es| es.push(w));
    settle().await;
    assert_eq!(
        text_of(".follow-up-form > .consent-refusal"),
        "Not allowed: the family withdrew \"Collection and processing of the family's personal data for case work\" on 23.11.2026."
    );
    assert_eq!(error_of("u-referrals-0-party"), "The family's consent does not allow this now.");
}

#[wasm_bindgen_test]
async fn closing_a_case_asks_for_its_outcome_and_only_the_details_that_outcome_needs() {
    let state = new_closure(today(), None);
    let _m = mount_en(move || view! { <ClosureForm state /> });
    settle().await;
    state.attempted.set(true);
    settle().await;
    assert_eq!(error_of("x-outcome"), "Fill this in.");
    assert_eq!(document().query_selector_all("#closure-error-summary a").unwrap().length(), 1);
    choose("x-outcome", "child_returned").await;
    assert!(exists("x-children_returned") && !exists("x-outcome_note"));
    assert_eq!(error_of("x-children_returned"), "Fill this in.");
    type_into("x-children_returned", "2").await;
    assert_eq!(state.problems.with_untracked(Vec::len), 0);
    assert!(!exists("closure-error-summary"));
    choose("x-outcome", "moved").await;
    assert!(!exists("x-children_returned"));
    assert_eq!(state.form.with_untracked(|c| c.children_returned), 0, "a hidden answer is dropped");
    assert_eq!(error_of("x-outcome_note"), "Fill this in.");
    type_into("x-outcome_note", "To Samarkand").await;
    assert_eq!(state.problems.with_untracked(Vec::len), 0);
}

#[wasm_bindgen_test]
async fn the_print_view_shows_the_family_and_each_choice_with_lines_to_sign_in_the_language_shown() {
    let mut e = given_consent();
    e.set(Permission::Public, None);
    let entry = RwSignal::new(e);
    let container = container();
    let _m = leptos::mount::mount_to(container, move || {
        provide_i18n(Locale::En, Locale::ALL.iter().map(|&l| Catalog::embedded(l)).collect());
        view! { <LanguageSwitch /> <ConsentPrint entry family_name=Signal::derive(|| "Karimova".to_owned()) /> }
    });
    settle().await;
    let choice = |p: &str| text_of(&format!(".consent-print tr[data-permission='{p}'] .print-choice"));
    assert!(choice("case_work").starts_with("☒ Yes"), "{}", choice("case_work"));
    assert!(choice("sharing.police").contains("☐ Yes") && choice("sharing.police").contains("☒ No"));
    assert!(
        choice("public").contains("☐ Yes") && choice("public").contains("☐ No"),
        "unanswered: two boxes to tick by hand"
    );
    assert!(choice("public").ends_with("Not answered"), "screen readers hear the answer");
    let sheet = text_of(".consent-print");
    assert!(sheet.contains("Karimova") && sheet.contains("Gulnara Karimova") && sheet.contains("Your rights."));
    assert_eq!(document().query_selector_all(".consent-print .signature-line").unwrap().length(), 3);
    assert_eq!(text_of(".consent-print .print-button"), "Print");
    assert!(el("consent-print-title").closest(".no-print").unwrap().is_none(), "the sheet itself prints");

    // In the family's language: the sheet follows the switch, the answers stay.
    choose("language-switch", "uz-Latn").await;
    let uz = Catalog::embedded(Locale::UzLatn);
    assert_eq!(text_of("#consent-print-title"), uz.tr("consent-print-title", &[]));
    let rights: String = uz.tr("consent-rights-text", &[]).chars().take(20).collect();
    assert!(text_of(".consent-print .rights-text").starts_with(&rights));
    assert!(choice("case_work").starts_with(&format!("☒ {}", uz.tr("common-yes", &[]))));
    choose("language-switch", "en").await;
}

/// Every element matching `selector`, as elements.
fn all(selector: &str) -> Vec<web_sys::Element> {
    let list = document().query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.get(i).unwrap().unchecked_into()).collect()
}

#[wasm_bindgen_test]
async fn every_control_of_the_case_forms_is_labelled_unique_on_the_page_and_big_enough_to_touch() {
    // The app's own stylesheets, as the relay serves them.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(concat!(
        include_str!("../../static/style.css"),
        include_str!("../../static/forms.css")
    )));
    document().head().unwrap().append_child(&style).unwrap();
    // Every form at once, as the caseworker's tabs may keep them.
    let intake = new_intake(today());
    let consent = new_consent(today(), ConsentKind::Given);
    let follow_up = new_follow_up(today(), None);
    let closure = new_closure(today(), None);
    let entries = RwSignal::new(vec![given_consent()]);
    let _m = mount_en(move || {
        view! {
            <IntakeForm state=intake />
            <ConsentForm state=consent paper_scan=|| view! { <button type="button">"scan"</button> } />
            <FollowUpForm state=follow_up />
            <ClosureForm state=closure />
            <ConsentStateView entries today=today() />
            <ConsentPrint entry=consent.form />
        }
    });
    settle().await;
    for add in ["c-children-add", "u-contacts-add", "u-services-add", "u-referrals-add", "u-goals-add"] {
        el(add).click();
    }
    choose("x-outcome", "other").await;
    for s in [&intake.attempted, &consent.attempted, &follow_up.attempted, &closure.attempted] {
        s.set(true);
    }
    settle().await;

    let mut ids: Vec<String> = all("[id]").iter().map(|e| e.id()).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "an id is used twice");

    for c in all(".test-mount input, .test-mount select, .test-mount textarea") {
        let id = c.id();
        let labelled = !id.is_empty() && document().query_selector(&format!("label[for='{id}']")).unwrap().is_some();
        assert!(labelled || c.has_attribute("aria-label"), "no label for <{} id={id}>", c.tag_name());
    }
    for f in all(".test-mount fieldset") {
        let named = f.query_selector(":scope > legend").unwrap().is_some() || f.has_attribute("aria-labelledby");
        assert!(named, "a fieldset without a name: {}", f.id());
    }
    for b in all(".test-mount button") {
        assert!(
            !b.text_content().unwrap_or_default().trim().is_empty() || b.has_attribute("aria-label"),
            "a button without a name"
        );
    }
    for e in all(".test-mount [aria-describedby], .test-mount [aria-labelledby]") {
        for attr in ["aria-describedby", "aria-labelledby"] {
            for id in e.get_attribute(attr).unwrap_or_default().split_whitespace() {
                assert!(exists(id), "{attr}={id} points at nothing");
            }
        }
    }
    // Touch targets: at least 44 px high; a radio or checkbox counts with its row
    // (the label is part of the target).
    let mut measured = 0;
    for c in all(".test-mount button, .test-mount select, .test-mount textarea, .test-mount input") {
        let kind = c.get_attribute("type").unwrap_or_default();
        let target =
            if kind == "radio" || kind == "checkbox" { c.closest(".choice").unwrap().unwrap() } else { c.clone() };
        let r = target.get_bounding_client_rect();
        if r.width() == 0.0 {
            continue; // not shown (a hidden section)
        }
        measured += 1;
        assert!(r.height() >= 44.0 - 0.5, "<{} id={}> is {} px high", c.tag_name(), c.id(), r.height());
    }
    assert!(measured > 100, "{measured} controls measured");
    style.remove();
}
