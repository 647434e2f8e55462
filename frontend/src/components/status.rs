//! The page's one live region, `#status`: what just happened, or what went wrong.
//! Screen readers announce it; errors get a distinct style, not a different region.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// Handle to the status line, shared through context.
#[derive(Clone, Copy)]
pub struct Status(RwSignal<Option<(Tone, String)>>);

impl Status {
    pub fn info(&self, msg: impl Into<String>) {
        self.0.try_set(Some((Tone::Info, msg.into())));
    }

    pub fn error(&self, msg: impl Into<String>) {
        self.0.try_set(Some((Tone::Error, msg.into())));
    }

    pub fn clear(&self) {
        self.0.try_set(None);
    }
}

/// Creates the status line and makes it available to every component below.
pub fn provide_status() -> Status {
    let status = Status(RwSignal::new(None));
    provide_context(status);
    status
}

/// The status line of the current page.
pub fn use_status() -> Status {
    expect_context::<Status>()
}

#[component]
pub fn StatusRegion(status: Status) -> impl IntoView {
    let tone = move || match status.0.get() {
        Some((Tone::Error, _)) => "status status-error",
        Some((Tone::Info, _)) => "status status-info",
        None => "status status-empty",
    };
    view! {
        <div id="status" role="status" aria-live="polite" aria-atomic="true" class=tone>
            {move || status.0.get().map(|(_, msg)| msg)}
        </div>
    }
}
