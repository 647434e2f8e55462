//! Browser tests of the app's language (headless Chromium through wasm-bindgen-test):
//! what is already on the page — the status line, a problem kept in a list, a counted
//! message — follows a language switch, and so do sentences built outside a view.
//!
//! Catalogs are built from the real `shared/locales/*.ftl` texts (the app fetches the
//! same files from `/locales/`).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- i18n::`

use crate::support::settle;
use std::cell::Cell;
use std::rc::Rc;

use amanat_frontend::components::status::{provide_status, Msg, Status, StatusRegion};
use amanat_frontend::i18n::{provide_i18n, tr_now, I18n, OwnedArg};
use amanat_frontend::problem::Problem;
use amanat_frontend::relay_client::RelayError;
use leptos::prelude::*;
use shared::i18n::{Catalog, Locale};
use shared::ErrorCode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn text_of(id: &str) -> String {
    document().get_element_by_id(id).unwrap_or_else(|| panic!("no #{id}")).text_content().unwrap_or_default()
}

/// The status line mounted in English with every catalog preloaded.
fn mount() -> (I18n, Status, web_sys::HtmlElement, Box<dyn std::any::Any>) {
    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let slot = Rc::new(Cell::new(None));
    let out = Rc::clone(&slot);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        let i18n = provide_i18n(Locale::En, Locale::ALL.iter().map(|&l| Catalog::embedded(l)).collect());
        let status = provide_status();
        out.set(Some((i18n, status)));
        view! { <StatusRegion status=status /> }
    });
    let (i18n, status) = slot.take().unwrap();
    (i18n, status, container, Box::new(handle))
}

#[wasm_bindgen_test]
async fn the_status_line_follows_a_language_switch() {
    let (i18n, status, container, _handle) = mount();
    let (en, ru, kk) = (Catalog::embedded(Locale::En), Catalog::embedded(Locale::Ru), Catalog::embedded(Locale::Kk));

    status.error(ErrorCode::WrongPassphrase);
    settle().await;
    assert_eq!(text_of("status"), en.error(ErrorCode::WrongPassphrase));
    assert_eq!(document().document_element().unwrap().get_attribute("lang").as_deref(), Some("en"));

    i18n.switch(Locale::Ru);
    settle().await;
    assert_eq!(text_of("status"), ru.error(ErrorCode::WrongPassphrase), "the shown error is re-read in Russian");
    assert_eq!(document().document_element().unwrap().get_attribute("lang").as_deref(), Some("ru"));

    // A message with counts, and the relay's refusal with a code this app knows.
    status.info(Msg::args("adviser-opened", vec![("ok", OwnedArg::Num(2)), ("count", OwnedArg::Num(3))]));
    settle().await;
    assert_eq!(text_of("status"), "Открыто: 2 из 3");
    let refused = RelayError::Refused {
        status: 403,
        code: Some(ErrorCode::Forbidden),
        message: "Your role does not allow this.".into(),
    };
    status.error(Problem::from(refused));
    i18n.switch(Locale::Kk);
    settle().await;
    assert_eq!(
        text_of("status"),
        kk.error(ErrorCode::Forbidden),
        "the relay's English words give way to the code's sentence"
    );

    // An app situation by key, and the relay being away.
    status.error(Problem::Message("vault-offline_unknown"));
    settle().await;
    assert_eq!(text_of("status"), kk.tr("vault-offline_unknown", &[]));
    status.error(Problem::from(RelayError::Unavailable));
    i18n.switch(Locale::En);
    settle().await;
    assert_eq!(text_of("status"), en.tr("relay-unreachable", &[]));
    container.remove();
}

#[wasm_bindgen_test]
async fn sentences_built_outside_a_view_use_the_language_shown_then() {
    let (i18n, _status, container, _handle) = mount();
    i18n.switch(Locale::UzCyrl);
    settle().await;
    let uz = Catalog::embedded(Locale::UzCyrl);
    assert_eq!(tr_now("app-language"), "Тил");
    assert_eq!(Problem::Code(ErrorCode::Corrupted).message(), uz.error(ErrorCode::Corrupted));
    assert_eq!(RelayError::Unavailable.message(), uz.tr("relay-unreachable", &[]));
    i18n.switch(Locale::En);
    settle().await;
    assert_eq!(Problem::Code(ErrorCode::Corrupted).message(), ErrorCode::Corrupted.message());
    container.remove();
}
