//! Showing a part of the app that lives in a lazily loaded wasm chunk.
//!
//! The release build (`cargo xtask build`, feature `split`) cuts the app at a few
//! functions marked `#[wasm_split(…)]` (ARCHITECTURE.md lists them: the caseworker's
//! workspace and case forms, the adviser and privacy pages, the unlocking KDF, and the
//! adviser's workers). Calling one fetches its chunk once (the service worker keeps the
//! chunks for offline use) and then runs it. If the chunk cannot be fetched (offline
//! before the first visit) the page says so in the status region instead of breaking.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use shared::ErrorCode;

use crate::components::status::use_status;
use crate::i18n::use_i18n;

/// A view that appears when `load` resolves; a failed load shows a short notice and
/// reports it in the status region.
pub fn view<F>(load: F) -> AnyView
where
    F: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let status = use_status();
    let i18n = use_i18n();
    let fut = leptos::__reexports::send_wrapper::SendWrapper::new(load);
    Suspend::new(async move {
        match fut.await {
            Ok(v) => v,
            Err(_) => {
                status.error(ErrorCode::AppPartUnavailable);
                view! { <p class="hint" role="alert">{move || i18n.error(ErrorCode::AppPartUnavailable)}</p> }
                    .into_any()
            }
        }
    })
    .into_any()
}
