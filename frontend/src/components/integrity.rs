//! The alarm the service worker raises when the relay serves app code that is not the
//! build's: `frontend/static/sw.js` checks every app file against the SHA-256 the
//! build wrote into it, hands the page the copy kept from before instead, and tells
//! every open page; `frontend/static/boot.js` collects the paths in
//! `window.amanatIntegrity` and fires `amanat-integrity` on the window (messages can
//! arrive before this wasm module runs). This component shows them, on every page.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;

/// The paths the service worker refused so far.
fn refused_paths() -> Vec<String> {
    let Ok(list) = js_sys::Reflect::get(&window(), &JsValue::from_str("amanatIntegrity")) else {
        return Vec::new();
    };
    list.dyn_into::<js_sys::Array>()
        .map(|a| a.iter().filter_map(|v| v.as_string()).take(64).collect())
        .unwrap_or_default()
}

#[component]
pub fn IntegrityAlarm() -> impl IntoView {
    let i18n = use_i18n();
    let paths = RwSignal::new(refused_paths());
    let on_alarm = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        paths.try_set(refused_paths());
    });
    let _ = window().add_event_listener_with_callback("amanat-integrity", on_alarm.as_ref().unchecked_ref());
    on_alarm.forget(); // lives as long as the page
    move || {
        paths.with(|p| !p.is_empty()).then(|| {
            view! {
                <div id="integrity-alarm" class="card problem" role="alert">
                    <p><strong>{i18n.t("integrity-alarm")}</strong></p>
                    <ul>{paths.get().into_iter().map(|p| view! { <li><code class="integrity-path">{p}</code></li> }).collect_view()}</ul>
                </div>
            }
        })
    }
}
