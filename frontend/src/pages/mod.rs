//! The three pages the relay serves: `/` for caseworkers, `/adviser` for key holders,
//! `/privacy` for privacy officers.

pub mod adviser;
pub mod caseworker;
pub mod privacy;
pub mod workspace;

use leptos::prelude::*;

/// The key holder's page, from its own wasm chunk in the release build: caseworkers
/// never download it, and key holders do not download the caseworker's forms.
pub fn lazy_adviser() -> AnyView {
    #[cfg(feature = "split")]
    {
        crate::lazy::view(async move { adviser_chunk().await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <adviser::AdviserPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(adviser, wasm_split_path = ::leptos::wasm_split, fallible)]
fn adviser_chunk() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <adviser::AdviserPage /> }.into_any())
}

/// The privacy officer's page, in its own wasm chunk like the key holder's: nobody
/// else downloads it.
pub fn lazy_privacy() -> AnyView {
    #[cfg(feature = "split")]
    {
        crate::lazy::view(async move { privacy_chunk().await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <privacy::PrivacyPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(privacy, wasm_split_path = ::leptos::wasm_split, fallible)]
fn privacy_chunk() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <privacy::PrivacyPage /> }.into_any())
}
