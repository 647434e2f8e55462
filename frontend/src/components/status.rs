//! The page's one live region, `#status`: what just happened, or what went wrong.
//! Screen readers announce it; errors get a distinct style, not a different region.
//!
//! A status is kept as a [`Msg`] (a catalog key, a [`Problem`], or words that are
//! already final), not as a finished sentence, so it is rendered in the language
//! shown and follows a switch like every other label.

use leptos::prelude::*;
use shared::ErrorCode;

use crate::i18n::{use_i18n, I18n, OwnedArg};
use crate::problem::Problem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// What the status line says, rendered in the language shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// An app message by catalog key (`signin-working`).
    Key(&'static str),
    /// An app message with arguments (`adviser-opened` with `ok` and `count`).
    Args(&'static str, Vec<(&'static str, OwnedArg)>),
    /// A failure: its code's sentence, the relay's, or the storage's.
    Problem(Problem),
    /// Words that are already final (the relay's own sentence for an unknown code).
    Text(String),
}

impl Msg {
    /// An app message by catalog key.
    pub fn key(key: &'static str) -> Self {
        Msg::Key(key)
    }

    /// An app message with arguments.
    pub fn args(key: &'static str, args: Vec<(&'static str, OwnedArg)>) -> Self {
        Msg::Args(key, args)
    }

    /// The sentence in `i18n`'s language (tracked inside a view).
    pub fn render(&self, i18n: &I18n) -> String {
        match self {
            Msg::Key(k) => i18n.tr(k),
            Msg::Args(k, args) => {
                let args: Vec<_> = args.iter().map(|(n, a)| (*n, a.as_arg())).collect();
                i18n.tr_args(k, &args)
            }
            Msg::Problem(p) => p.render(i18n),
            Msg::Text(t) => t.clone(),
        }
    }
}

impl From<Problem> for Msg {
    fn from(p: Problem) -> Self {
        Msg::Problem(p)
    }
}

impl From<ErrorCode> for Msg {
    fn from(c: ErrorCode) -> Self {
        Msg::Problem(Problem::Code(c))
    }
}

impl From<String> for Msg {
    fn from(s: String) -> Self {
        Msg::Text(s)
    }
}

impl From<&'static str> for Msg {
    /// Final words (a sentence already in the language shown), not a key: use
    /// [`Msg::key`] for a key.
    fn from(s: &'static str) -> Self {
        Msg::Text(s.to_owned())
    }
}

/// Handle to the status line, shared through context.
#[derive(Clone, Copy)]
pub struct Status(RwSignal<Option<(Tone, Msg)>>);

impl Status {
    pub fn info(&self, msg: impl Into<Msg>) {
        self.0.try_set(Some((Tone::Info, msg.into())));
    }

    pub fn error(&self, msg: impl Into<Msg>) {
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
    let i18n = use_i18n();
    let tone = move || match status.0.with(|s| s.as_ref().map(|(t, _)| *t)) {
        Some(Tone::Error) => "status status-error",
        Some(Tone::Info) => "status status-info",
        None => "status status-empty",
    };
    view! {
        <div id="status" role="status" aria-live="polite" aria-atomic="true" class=tone>
            {move || status.0.with(|s| s.as_ref().map(|(_, msg)| msg.render(&i18n)))}
        </div>
    }
}
