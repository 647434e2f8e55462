//! Shows which organisation key this device trusts to sign the keyring, so a person
//! can compare it with the one the administrator published.

use leptos::prelude::*;

use crate::i18n::t;
use crate::keyring_pin::{Pin, PinSource};

#[component]
pub fn PinInfo(pin: RwSignal<Option<Pin>>) -> impl IntoView {
    view! {
        <p id="org-key" class="pin">
            <span class="pin-title">{t("pin-title")}": "</span>
            {move || match pin.get() {
                Some(p) => {
                    let (source, how) = match p.source {
                        PinSource::BuiltIn => ("built_in", t("pin-built_in")),
                        PinSource::FirstUse => ("first_use", t("pin-first_use")),
                    };
                    view! {
                        <code id="org-key-fingerprint" data-source=source>{p.key.to_string()}</code>
                        <span class="pin-source">" (" {how} ")"</span>
                    }
                        .into_any()
                }
                None => view! { <span class="pin-source">{t("pin-none")}</span> }.into_any(),
            }}
        </p>
    }
}
