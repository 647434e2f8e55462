//! "Re-seal to current keyring": after an administrator added or removed a key holder,
//! a key holder who can still open the old entries seals them again to the current
//! signed keyring and uploads them as superseding entries.
//!
//! The keyring is fetched and checked against this device's pinned organisation key
//! (`keyring_pin`): an unsigned, wrongly signed, expired or rolled-back keyring is
//! refused with its error and nothing is sealed. Under a first-use pin (a demo build,
//! no organisation key compiled in) Re-seal does not run at all: the key it would trust
//! is only the one the relay showed first, and re-sealing everything to a keyring the
//! relay chose would hand it every record. Each case's entries are fetched and opened
//! with the loaded key; an entry sealed to an OLDER keyring version than the current one
//! (or to none recorded) is sealed again — a fresh age file, so a fresh file key: a removed
//! holder may know the old one — to every recipient of the current keyring (advisers
//! and the recovery key), and uploaded with `Amanat-Supersedes: <old id>` so the relay
//! records what it replaces and an administrator can remove the old one
//! (`amanat entries remove --superseded`). An entry the key cannot open is counted and
//! left alone: nothing is uploaded for it.
//!
//! Decisions:
//! - The original author's (caseworker's) personal recipient is **not** added. The page
//!   could only learn it from the relay, which is not trusted to name recipients (the
//!   signed keyring is the only list of who may read); adding it would let a
//!   compromised relay add a reader. The recovery key in the keyring keeps every
//!   record recoverable; the caseworker keeps their own sealed copies on their device.
//! - Re-running is safe: a stale entry whose plaintext is already held by an entry
//!   sealed to the current keyring in the same case is not sealed again.
//! - Attachments (photos, scans) are entries of their own that documents name by id.
//!   They are re-sealed first, and a document naming an old attachment id is re-sealed
//!   with the new id in its place (ids are 64 hex digits, replaced byte for byte), so a
//!   case stays whole after the old entries are removed.
//! - A document signed by its author (`shared::authorship`) is sealed again byte for
//!   byte: renaming its attachments would break the signature. Its references also
//!   carry each attachment's content hash (`AttachmentRef::content`, the SHA-256 of the
//!   bytes), which a new sealing does not change, so the attachment is re-sealed like
//!   any other and the document still names exactly its bytes once the old entry is
//!   removed. A reference made before content hashes existed names only the entry: that
//!   attachment is **not** re-sealed (removing the old entry would leave the signed
//!   document pointing at nothing it can prove); it is kept as it is, still sealed to
//!   the old keyring, counted apart (`kept`), and the page says so.
//! - An entry whose recorded version is HIGHER than the current keyring's is not stale:
//!   a newer keyring existed, so the relay may be serving an old one. It is left alone
//!   and listed by id, for the privacy officer.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::api::EntryMeta;
use shared::ids::ContentHash;
use shared::keyring::VerifiedKeyring;
use shared::seal::{open_bytes, Identity};
use shared::{CaseId, EntryId};
use zeroize::Zeroize;

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, OwnedArg};
use crate::problem::Problem;
use crate::relay_client::{self, RelayError};

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases looked at, of `cases`.
    pub done: usize,
    pub cases: usize,
    /// Entries sealed again and uploaded.
    pub resealed: usize,
    /// Entries already sealed to the current keyring (or already re-sealed before).
    pub current: usize,
    /// Entries the key could not open (or the relay did not send): left as they are.
    pub skipped: usize,
    /// Attachments a signed document names: kept as they are (see the module's notes).
    pub kept: usize,
    /// The current keyring's version.
    pub version: u64,
}

/// Where an entry's recorded keyring version stands against the current keyring's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Sealed to an older keyring (or to none recorded): re-seal it.
    Older,
    /// Sealed to the current keyring.
    Current,
    /// Sealed to a newer keyring than the one served now: a warning sign, left alone.
    Ahead,
}

/// An entry's standing, from the version its upload named.
pub fn standing(recorded: Option<u64>, current: u64) -> Standing {
    match recorded {
        Some(v) if v == current => Standing::Current,
        Some(v) if v > current => Standing::Ahead,
        _ => Standing::Older,
    }
}

/// One opened entry of a case.
struct Plain {
    meta: EntryMeta,
    bytes: Vec<u8>,
}

impl Drop for Plain {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

/// A fingerprint of a plaintext (its SHA-256), to recognise one already re-sealed.
fn fingerprint(bytes: &[u8]) -> EntryId {
    EntryId::of(bytes)
}

fn is_document(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'{')
}

/// Replaces every old attachment id the document names with its re-sealed id.
pub fn rename_attachments(document: &[u8], renamed: &HashMap<EntryId, EntryId>) -> Vec<u8> {
    let mut out = document.to_vec();
    for (old, new) in renamed {
        let (old, new) = (old.to_string(), new.to_string());
        let (old, new) = (old.as_bytes(), new.as_bytes());
        let mut i = 0;
        while i + old.len() <= out.len() {
            if &out[i..i + old.len()] == old {
                out[i..i + old.len()].copy_from_slice(new);
                i += old.len();
            } else {
                i += 1;
            }
        }
    }
    out
}

/// What to do with a case's entries: which to seal again, in order (attachments
/// first), given the keyring version in force. Pure, so it is tested natively.
pub struct CasePlan {
    /// Plaintext fingerprints of entries already sealed to the current keyring.
    current: HashMap<EntryId, EntryId>,
}

impl CasePlan {
    fn new(opened: &[Plain], version: u64) -> Self {
        let current = opened
            .iter()
            .filter(|p| p.meta.keyring_version == Some(version))
            .map(|p| (fingerprint(&p.bytes), p.meta.id))
            .collect();
        CasePlan { current }
    }

    /// The id of an entry of the current keyring holding exactly `plaintext`.
    fn already(&self, plaintext: &[u8]) -> Option<EntryId> {
        self.current.get(&fingerprint(plaintext)).copied()
    }

    fn sealed(&mut self, plaintext: &[u8], id: EntryId) {
        self.current.insert(fingerprint(plaintext), id);
    }
}

/// Every entry's metadata, grouped by case in listing order.
async fn list_cases() -> Result<Vec<(CaseId, Vec<EntryMeta>)>, RelayError> {
    let mut cases: Vec<(CaseId, Vec<EntryMeta>)> = Vec::new();
    let mut index: HashMap<CaseId, usize> = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let page = relay_client::list_entries(after.as_deref()).await?;
        for meta in page.entries {
            let i = *index.entry(meta.case).or_insert_with(|| {
                cases.push((meta.case, Vec::new()));
                cases.len() - 1
            });
            cases[i].1.push(meta);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(cases),
        }
    }
}

/// Whether a signed document among `opened` names the attachment `id` (ids are 64 hex
/// digits, found byte for byte, as [`rename_attachments`] replaces them) without also
/// naming its `content` hash: a reference made before references carried one. Such an
/// attachment stays where it is; one whose content every signed reference names can
/// move, as the documents still name exactly its bytes.
fn pinned_by_a_signed_document(opened: &[Plain], id: &EntryId, content: &ContentHash) -> bool {
    let (id, content) = (id.to_string(), content.to_string());
    let names = |bytes: &[u8], hex: &str| bytes.windows(hex.len()).any(|w| w == hex.as_bytes());
    opened.iter().any(|p| {
        is_document(&p.bytes)
            && matches!(shared::authorship::unwrap(&p.bytes), Ok(u) if u.signer != shared::authorship::Signer::Unsigned)
            && names(&p.bytes, &id)
            && !names(&p.bytes, &content)
    })
}

/// Re-seals one case; returns the entries re-sealed, already current, skipped, and
/// attachments kept for signed documents, and the ids of entries sealed to a newer
/// keyring than the current one (left alone).
async fn reseal_case(
    metas: Vec<EntryMeta>,
    identities: &[Identity],
    keyring: &VerifiedKeyring,
) -> Result<(usize, usize, usize, usize, Vec<EntryId>), RelayError> {
    let version = keyring.version();
    let (mut resealed, mut current, mut skipped, mut kept) = (0, 0, 0, 0);
    let (ahead, metas): (Vec<EntryMeta>, Vec<EntryMeta>) =
        metas.into_iter().partition(|m| standing(m.keyring_version, version) == Standing::Ahead);
    let ahead: Vec<EntryId> = ahead.into_iter().map(|m| m.id).collect();
    let mut opened = Vec::with_capacity(metas.len());
    for meta in metas {
        let bytes = match relay_client::get_entry(&meta.id).await {
            Ok(ct) if EntryId::of(&ct) == meta.id => open_bytes(&ct, identities).ok(),
            Ok(_) => None,
            Err(e) if e.is_transient() => return Err(e),
            Err(_) => None,
        };
        match bytes {
            Some(bytes) => opened.push(Plain { meta, bytes }),
            None => skipped += 1,
        }
    }
    let mut plan = CasePlan::new(&opened, version);
    let pinned: Vec<EntryId> = opened
        .iter()
        .filter(|p| {
            !is_document(&p.bytes) && pinned_by_a_signed_document(&opened, &p.meta.id, &ContentHash::of(&p.bytes))
        })
        .map(|p| p.meta.id)
        .collect();
    let (stale, fresh): (Vec<Plain>, Vec<Plain>) =
        opened.into_iter().partition(|p| standing(p.meta.keyring_version, version) == Standing::Older);
    current += fresh.len();
    // Attachments first, so the documents that name them can name their new ids.
    let (attachments, documents): (Vec<Plain>, Vec<Plain>) = stale.into_iter().partition(|p| !is_document(&p.bytes));
    let mut renamed: HashMap<EntryId, EntryId> = HashMap::new();
    for p in attachments.iter().chain(documents.iter()) {
        if pinned.contains(&p.meta.id) {
            kept += 1;
            continue;
        }
        // A signed document is sealed again byte for byte: renaming its attachments
        // would break its author's signature (it would read as forged). Its attachment
        // references keep naming the entries they were signed with.
        let signed = is_document(&p.bytes)
            && matches!(shared::authorship::unwrap(&p.bytes), Ok(u) if u.signer != shared::authorship::Signer::Unsigned);
        let mut plaintext =
            if is_document(&p.bytes) && !signed { rename_attachments(&p.bytes, &renamed) } else { p.bytes.clone() };
        if let Some(id) = plan.already(&plaintext) {
            renamed.insert(p.meta.id, id);
            current += 1;
            plaintext.zeroize();
            continue;
        }
        let sealed = keyring.seal(&plaintext, &[]);
        let sealed = match sealed {
            Ok(ct) => ct,
            Err(_) => {
                skipped += 1;
                plaintext.zeroize();
                continue;
            }
        };
        let id = sealed.id();
        relay_client::put_resealed(&id, &p.meta.case, version, &p.meta.id, sealed.as_bytes()).await?;
        plan.sealed(&plaintext, id);
        plaintext.zeroize();
        renamed.insert(p.meta.id, id);
        resealed += 1;
    }
    Ok((resealed, current, skipped, kept, ahead))
}

/// The re-seal card: a button, a progress bar and what was done.
#[component]
pub fn ResealCard(
    /// The loaded identities (the page's).
    identities: StoredValue<Option<Vec<Identity>>>,
    /// How many identities the page holds (0: no key).
    key_count: Signal<usize>,
) -> impl IntoView {
    let status = use_status();
    let tally = RwSignal::new(None::<Tally>);
    let running = RwSignal::new(false);
    let ahead = RwSignal::new(Vec::<EntryId>::new());
    // A new run or a forgotten key ends a running one at the next case.
    let generation = RwSignal::new(0u64);
    Effect::new(move |_| {
        if key_count.get() == 0 {
            generation.update(|g| *g += 1);
            running.set(false);
        }
    });

    let start = move |_| {
        let Some(ids) = identities.get_value() else {
            status.info(Msg::key("adviser-no_key"));
            return;
        };
        generation.update(|g| *g += 1);
        let mine = generation.get_untracked();
        let live = move || generation.try_get_untracked() == Some(mine);
        running.set(true);
        tally.set(None);
        ahead.set(Vec::new());
        leptos::task::spawn_local(async move {
            let finish = |problem: Option<Problem>| {
                running.try_set(false);
                if let Some(p) = problem {
                    status.error(p);
                }
            };
            // Refused before anything is fetched: a first-use pin is whatever the relay
            // showed first, and re-sealing to it would hand the relay every record.
            if crate::keyring_pin::is_demo_build() {
                running.try_set(false);
                return status.error(Msg::key("reseal-first_use"));
            }
            let keyring = match crate::local_db::open().await {
                Ok(db) => crate::keyring_pin::fetch_verified(&db).await,
                Err(e) => Err(e.into()),
            };
            let keyring = match keyring {
                Ok((_, pin)) if pin.source == crate::keyring_pin::PinSource::FirstUse => {
                    running.try_set(false);
                    return status.error(Msg::key("reseal-first_use"));
                }
                Ok((k, _)) => k,
                // An unsigned, wrongly signed, stale or rolled-back keyring: nothing is
                // sealed to it.
                Err(p) => return finish(Some(p)),
            };
            let cases = match list_cases().await {
                Ok(c) => c,
                Err(e) => return finish(Some(e.into())),
            };
            let mut t = Tally { cases: cases.len(), version: keyring.version(), ..Tally::default() };
            tally.try_set(Some(t));
            for (_, metas) in cases {
                if !live() {
                    return;
                }
                match reseal_case(metas, &ids, &keyring).await {
                    Ok((r, c, s, k, newer)) => {
                        t.resealed += r;
                        t.current += c;
                        t.skipped += s;
                        t.kept += k;
                        if !newer.is_empty() {
                            ahead.try_update(|a| a.extend(newer));
                        }
                    }
                    Err(e) => {
                        tally.try_set(Some(t));
                        return finish(Some(e.into()));
                    }
                }
                t.done += 1;
                tally.try_set(Some(t));
            }
            if live() {
                finish(None);
                status.info(Msg::args(
                    "reseal-done",
                    vec![
                        ("resealed", OwnedArg::Num(t.resealed as i64)),
                        ("current", OwnedArg::Num(t.current as i64)),
                        ("skipped", OwnedArg::Num(t.skipped as i64)),
                        ("version", OwnedArg::Num(keyring.version() as i64)),
                    ],
                ));
                if t.kept > 0 {
                    status.error(Msg::args("reseal-kept_for_signed", vec![("kept", OwnedArg::Num(t.kept as i64))]));
                }
            }
        });
    };

    let progress = crate::i18n::t_args("reseal-progress", move || {
        let t = tally.get().unwrap_or_default();
        vec![("done", OwnedArg::Num(t.done as i64)), ("total", OwnedArg::Num(t.cases as i64))]
    });
    let counts =
        move || tally.get().map(|t| format!("{} / {} / {}", t.resealed, t.current, t.skipped)).unwrap_or_default();

    view! {
        <section id="reseal" class="card reseal" aria-labelledby="reseal-title">
            <h2 id="reseal-title">{t("reseal-title")}</h2>
            <p class="hint" id="reseal-hint">{t("reseal-hint")}</p>
            <button id="reseal-start" type="button" aria-describedby="reseal-hint" on:click=start
                prop:disabled=move || key_count.get() == 0 || running.get()>
                {t("reseal-start")}
            </button>
            <div class:hidden=move || tally.get().is_none()>
                <progress id="reseal-progress" max=move || tally.get().map_or(1, |t| t.cases.max(1))
                    value=move || tally.get().map_or(0, |t| t.done) aria-describedby="reseal-progress-text"></progress>
                <p id="reseal-progress-text" class="hint">{progress}</p>
                <p id="reseal-counts" class="hint" data-resealed=move || tally.get().map_or(0, |t| t.resealed)
                    data-current=move || tally.get().map_or(0, |t| t.current)
                    data-skipped=move || tally.get().map_or(0, |t| t.skipped)
                    data-kept=move || tally.get().map_or(0, |t| t.kept)
                    data-running=move || running.get().to_string()>{counts}</p>
            </div>
            {move || ahead.with(|a| (!a.is_empty()).then(|| view! {
                <div id="reseal-ahead" class="keyring-warning" role="alert" data-count=a.len().to_string()>
                    <p>{crate::i18n::t_args("reseal-ahead", {
                        let (n, v) = (a.len() as i64, tally.get_untracked().map_or(0, |t| t.version) as i64);
                        move || vec![("count", OwnedArg::Num(n)), ("version", OwnedArg::Num(v))]
                    })}</p>
                    <ul>{a.iter().map(|id| view! { <li class="reseal-ahead-entry" data-id=id.to_string()><code>{id.to_string()}</code></li> }).collect_view()}</ul>
                </div>
            }))}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_entries_of_an_older_keyring_are_stale_and_a_newer_one_is_a_warning_sign() {
        assert_eq!(standing(Some(1), 2), Standing::Older);
        assert_eq!(standing(None, 2), Standing::Older);
        assert_eq!(standing(Some(2), 2), Standing::Current);
        assert_eq!(standing(Some(3), 2), Standing::Ahead);
    }

    #[test]
    fn a_document_names_its_re_sealed_attachments_and_nothing_else_changes() {
        let (a_old, a_new, other) = (EntryId::of(b"scan"), EntryId::of(b"scan, re-sealed"), EntryId::of(b"other"));
        let doc = format!(r#"{{"attachments":[{{"entry":"{a_old}"}},{{"entry":"{other}"}}],"note":"{a_old}"}}"#);
        let renamed = HashMap::from([(a_old, a_new)]);
        let out = String::from_utf8(rename_attachments(doc.as_bytes(), &renamed)).unwrap();
        assert_eq!(out, format!(r#"{{"attachments":[{{"entry":"{a_new}"}},{{"entry":"{other}"}}],"note":"{a_new}"}}"#));
        assert_eq!(rename_attachments(doc.as_bytes(), &HashMap::new()), doc.as_bytes());
    }

    #[test]
    fn an_entry_already_re_sealed_is_recognised_by_its_plaintext_only_among_current_entries() {
        let meta = |text: &[u8], version| EntryMeta {
            id: EntryId::of(text),
            case: CaseId::random(),
            size: 1,
            received_at: String::new(),
            author: "x".into(),
            keyring_version: version,
        };
        let opened = vec![
            Plain { meta: meta(b"ct1", Some(1)), bytes: b"intake".to_vec() },
            Plain { meta: meta(b"ct2", Some(2)), bytes: b"intake".to_vec() },
            Plain { meta: meta(b"ct3", Some(1)), bytes: b"follow-up".to_vec() },
        ];
        let mut plan = CasePlan::new(&opened, 2);
        assert_eq!(plan.already(b"intake"), Some(EntryId::of(b"ct2")));
        assert_eq!(plan.already(b"follow-up"), None, "sealed to version 1 only");
        plan.sealed(b"follow-up", EntryId::of(b"ct4"));
        assert_eq!(plan.already(b"follow-up"), Some(EntryId::of(b"ct4")));
    }

    #[test]
    fn an_attachment_a_signed_document_names_only_by_id_is_kept_so_removal_cannot_orphan_the_reference() {
        let meta = |text: &[u8]| EntryMeta {
            id: EntryId::of(text),
            case: CaseId::random(),
            size: 1,
            received_at: String::new(),
            author: "x".into(),
            keyring_version: Some(1),
        };
        let (scan, other_scan) = (meta(b"scan ct"), meta(b"other scan ct"));
        let pdf = ContentHash::of(b"%PDF-1.7");
        let doc = format!(r#"{{"attachments":[{{"entry":"{}"}}]}}"#, scan.id);
        let signed = shared::authorship::AuthorKey::generate().sign_document(doc.as_bytes());
        let with_signed = vec![
            Plain { meta: meta(b"doc ct"), bytes: signed },
            Plain { meta: scan.clone(), bytes: b"%PDF-1.7".to_vec() },
            Plain { meta: other_scan.clone(), bytes: b"%PDF-1.7".to_vec() },
        ];
        assert!(pinned_by_a_signed_document(&with_signed, &scan.id, &pdf));
        assert!(!pinned_by_a_signed_document(&with_signed, &other_scan.id, &pdf), "named by no document");
        let with_unsigned = vec![Plain { meta: meta(b"doc ct"), bytes: doc.into_bytes() }];
        assert!(
            !pinned_by_a_signed_document(&with_unsigned, &scan.id, &pdf),
            "an unsigned document is renamed instead"
        );
    }

    #[test]
    fn an_attachment_a_signed_document_names_by_its_content_moves_with_the_keyring() {
        let scan = EntryId::of(b"scan ct");
        let pdf = ContentHash::of(b"%PDF-1.7");
        let doc = format!(r#"{{"attachments":[{{"entry":"{scan}","content":"{pdf}"}}]}}"#);
        let signed = shared::authorship::AuthorKey::generate().sign_document(doc.as_bytes());
        let meta = EntryMeta {
            id: EntryId::of(b"doc ct"),
            case: CaseId::random(),
            size: 1,
            received_at: String::new(),
            author: "x".into(),
            keyring_version: Some(1),
        };
        let opened = vec![Plain { meta, bytes: signed }];
        assert!(!pinned_by_a_signed_document(&opened, &scan, &pdf), "the document names its bytes wherever they are");
        assert!(
            pinned_by_a_signed_document(&opened, &scan, &ContentHash::of(b"%PDF-1.7 other")),
            "other bytes under the named id: kept, as the document does not name them"
        );
    }
}
