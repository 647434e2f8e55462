//! Shows which organisation key this device trusts to sign the keyring, so a person
//! can compare it with the one the administrator published.

use leptos::prelude::*;

use crate::keyring_pin::{Pin, PinSource};
use crate::text::t;

#[component]
pub fn PinInfo(pin: RwSignal<Option<Pin>>) -> impl IntoView {
    view! {
        <p id="org-key" class="pin">
            <span class="pin-title">{t("pin.title")}": "</span>
            {move || match pin.get() {
                Some(p) => {
                    let how = match p.source {
                        PinSource::BuiltIn => t("pin.built_in"),
                        PinSource::FirstUse => t("pin.first_use"),
                    };
                    view! {
                        <code id="org-key-fingerprint" data-source=how>{p.key.to_string()}</code>
                        <span class="pin-source">" (" {how} ")"</span>
                    }
                        .into_any()
                }
                None => view! { <span class="pin-source">{t("pin.none")}</span> }.into_any(),
            }}
        </p>
    }
}
