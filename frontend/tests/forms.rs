//! Browser tests of the forms' UI (headless Chromium through wasm-bindgen-test): the
//! intake form mounted for real, typed into with real input events, its problems
//! appearing and going, the household reordered, the language switched with the
//! input kept, and the signature pad drawn on with pointer events.
//!
//! Catalogs are built from the real `shared/locales/*.ftl` texts (the app fetches the
//! same files from `/locales/`).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test forms`

#![cfg(target_arch = "wasm32")]

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

wasm_bindgen_test_configure!(run_in_browser);

fn catalog(locale: Locale) -> Catalog {
    let ftl = match locale {
        Locale::En => include_str!("../../shared/locales/en.ftl"),
        Locale::Ru => include_str!("../../shared/locales/ru.ftl"),
        Locale::Kk => include_str!("../../shared/locales/kk.ftl"),
        Locale::UzLatn => include_str!("../../shared/locales/uz-Latn.ftl"),
        Locale::UzCyrl => include_str!("../../shared/locales/uz-Cyrl.ftl"),
    };
    Catalog::new(locale, ftl).unwrap()
}

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

/// A fresh container for a test's component. A failed test (panics abort in wasm,
/// so nothing is dropped) leaves its DOM behind; it is removed here so ids stay unique.
fn container() -> web_sys::HtmlElement {
    let old = document().query_selector_all(".test-mount").unwrap();
    for i in 0..old.length() {
        old.get(i).unwrap().unchecked_into::<web_sys::Element>().remove();
    }
    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    container.set_class_name("test-mount");
    document().body().unwrap().append_child(&container).unwrap();
    container
}

fn mount_intake() -> Mounted {
    let container = container();
    let slot = Rc::new(Cell::new(None));
    let out = Rc::clone(&slot);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, Locale::ALL.iter().map(|&l| catalog(l)).collect());
        let state = new_intake(today());
        out.set(Some(state));
        view! { <LanguageSwitch /> <IntakeForm state /> }
    });
    Mounted { state: slot.take().unwrap(), _handle: Box::new(handle), container }
}

/// Lets effects, rendering and `requestAnimationFrame` focus moves run.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(40).await;
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
    let ru = catalog(Locale::Ru);
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
    assert_eq!(label_of("f-family_name"), catalog(Locale::UzCyrl).tr("field-family_name", &[]));
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
        (0..opts.length()).map(|i| opts.get(i).unwrap().unchecked_into::<web_sys::HtmlOptionElement>().value()).collect()
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
        provide_i18n(Locale::En, vec![catalog(Locale::En)]);
        view! { <SignaturePad id="sig".to_owned() value=value.into() on_change=Callback::new(move |s| value.set(s)) /> }
    });
    settle().await;
    let canvas: web_sys::HtmlCanvasElement = document().query_selector("#sig canvas").unwrap().unwrap().unchecked_into();
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
