//! The app's frame: banner, the `#status` live region, and the page for the path the
//! relay served (`/adviser` for key holders, anything else for caseworkers). Two
//! pages do not need a router.

use leptos::prelude::*;

use crate::components::status::{provide_status, StatusRegion};
use crate::pages::{adviser::AdviserPage, caseworker::CaseworkerPage};
use crate::text::t;

/// Whether the path is the key holder's page.
pub fn is_adviser_path(path: &str) -> bool {
    path.trim_end_matches('/') == "/adviser"
}

#[component]
pub fn App() -> impl IntoView {
    let status = provide_status();
    let adviser = window().location().pathname().map(|p| is_adviser_path(&p)).unwrap_or(false);
    view! {
        <header class="banner">
            <h1>{t("app.name")}</h1>
            <p class="tagline">{t("app.tagline")}</p>
        </header>
        <main id="main">
            <StatusRegion status=status />
            {if adviser { view! { <AdviserPage /> }.into_any() } else { view! { <CaseworkerPage /> }.into_any() }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_adviser_path_shows_the_key_holder_page() {
        assert!(super::is_adviser_path("/adviser"));
        assert!(super::is_adviser_path("/adviser/"));
        assert!(!super::is_adviser_path("/"));
        assert!(!super::is_adviser_path("/advisers"));
    }
}
