//! What several browser tests need: a fresh mount point, a pause for effects to run and
//! a fresh database of the app's schema.

use amanat_frontend::local_db;
use indexed_db_futures::database::Database;
use leptos::prelude::document;
use wasm_bindgen::JsCast;

/// A fresh container for a test's component. A failed test (panics abort in wasm,
/// so nothing is dropped) leaves its DOM behind; it is removed here so ids stay unique.
pub fn container() -> web_sys::HtmlElement {
    let old = document().query_selector_all(".test-mount").unwrap();
    for i in 0..old.length() {
        old.get(i).unwrap().unchecked_into::<web_sys::Element>().remove();
    }
    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    container.set_class_name("test-mount");
    document().body().unwrap().append_child(&container).unwrap();
    container
}

/// Lets effects, rendering, spawned tasks and `requestAnimationFrame` focus moves run.
pub async fn settle() {
    gloo_timers::future::TimeoutFuture::new(40).await;
}

/// A fresh database of the app's schema, so tests do not see each other's entries.
pub async fn fresh_db() -> Database {
    local_db::open_named(&format!("amanat-test-{}", js_sys::Math::random())).await.unwrap()
}
