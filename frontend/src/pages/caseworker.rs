//! The caseworker's page (`/`): sign in, fill the intake form, watch the outbox.
//!
//! Signing in starts the sync loop; ending the session (or leaving the page) stops it
//! and drops everything typed. The outbox itself stays: it holds only ciphertext.

use leptos::prelude::*;
use shared::api::{Role, SessionInfo};

use crate::components::intake_form::IntakeForm;
use crate::components::outbox_list::OutboxList;
use crate::components::pin_info::PinInfo;
use crate::components::signin::SignIn;
use crate::components::status::use_status;
use crate::keyring_pin::{self, Pin};
use crate::sync::{self, OutboxView};
use crate::text::t;
use crate::{local_db, relay_client};

#[component]
pub fn CaseworkerPage() -> impl IntoView {
    let session = RwSignal::new(None::<SessionInfo>);
    let on_signed_in = Callback::new(move |s| session.set(Some(s)));
    let on_end = Callback::new(move |()| session.set(None));
    move || match session.get() {
        None => view! { <SignIn role=Role::Caseworker on_signed_in=on_signed_in /> }.into_any(),
        Some(s) => view! { <Workspace session=s on_end=on_end /> }.into_any(),
    }
}

/// The signed-in caseworker's workspace.
#[component]
fn Workspace(session: SessionInfo, on_end: Callback<()>) -> impl IntoView {
    let status = use_status();
    let outbox = OutboxView::new();
    let pin = RwSignal::new(None::<Pin>);
    let sync = sync::start(outbox);
    let stopper = sync.clone();
    on_cleanup(move || stopper.stop());

    leptos::task::spawn_local(async move {
        if let Err(p) = sync::refresh(outbox).await {
            status.error(p.message());
        }
        // Check (and keep) the keyring now, so a wrong one is reported before any
        // typing, and this device can seal later even if the relay is then offline.
        if let Ok(db) = local_db::open().await {
            match keyring_pin::fetch_verified(&db).await {
                Ok((_, in_force)) => {
                    pin.try_set(Some(in_force));
                }
                Err(p) => {
                    pin.try_set(keyring_pin::current(&db).await.ok().flatten());
                    status.error(p.message());
                }
            }
        }
    });

    let waker = sync.clone();
    let on_sealed = Callback::new(move |()| waker.wake());
    let end = move |_| {
        leptos::task::spawn_local(async move {
            let _ = relay_client::sign_out().await;
            status.info(t("signin.ended"));
            on_end.run(());
        });
    };

    view! {
        <div class="workspace">
            <div class="session-bar">
                <span>{t("app.signed_in_as")} " " <strong id="session-name">{session.name.clone()}</strong></span>
                <button id="end-session" type="button" on:click=end>{t("app.end_session")}</button>
            </div>
            <PinInfo pin=pin />
            <div class="columns">
                <IntakeForm author=session.name pin=pin on_sealed=on_sealed />
                <OutboxList view=outbox sync=sync />
            </div>
        </div>
    }
}
