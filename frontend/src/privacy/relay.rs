//! "The relay": what the privacy officer's browser fetches (through `relay_client`)
//! and checks itself.
//!
//! From `GET /api/v1/verification` (the relay's own pass over every blob: header,
//! hash, size; the audit chain), `GET /api/v1/keyring`, every page of
//! `GET /api/v1/audit` and of `GET /api/v1/entries` it builds a [`RelayReport`]. The
//! keyring's signature is checked here with `shared`'s keyring code (against the key
//! this device pins, or, with no pin, against its own signer, which is then shown by
//! fingerprint for comparison in person); the stanza counts are compared with the size
//! of that verified keyring, not with the relay's own figure; the audit listing is
//! re-chained here with `shared::audit_chain` (the first broken link is named) and must
//! reach the head the verification reports; and the listing must hold as many entries
//! as the verification checked.
//!
//! The relay could delete an audit event and recompute every hash after it; its own
//! check and the re-chaining here would then pass. So this browser keeps the last head
//! it verified (seq and hash, public data) in IndexedDB `settings` under
//! [`AUDIT_HEAD_SETTING`], and the next listing must extend it: the event at that seq
//! must carry that hash. If it does not, the page raises an alarm and the kept head
//! does not move, so reloading cannot make the alarm go away. Keeping it is the one
//! write this page makes (creating the app's database if needed).

use std::collections::BTreeMap;

use shared::api::{AuditPage, EntryPage, VerificationReport};
use shared::audit_chain::KeptHead;
use shared::keyring::{fingerprint, Keyring};
use shared::ErrorCode;

use crate::relay_client::{self, RelayError};

/// The settings key under which the last verified audit head is kept (JSON of a
/// [`KeptHead`]).
pub const AUDIT_HEAD_SETTING: &str = "audit_head";

/// Pages of the audit log and of the listing read at most (500 a page: a million rows).
const MAX_PAGES: usize = 2_000;

/// One key holder as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub label: String,
    pub role: &'static str,
    pub recipient: String,
    pub fingerprint: String,
}

/// How the keyring's signature was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Against the organisation key built into the app or pinned on this device.
    Pinned,
    /// This device pins no key: the signature verifies against the signer it names,
    /// whose fingerprint must be compared in person.
    OwnSigner,
    /// Refused, with the reason.
    Failed(ErrorCode),
}

/// Everything the relay section shows.
#[derive(Clone, Debug, PartialEq)]
pub struct RelayReport {
    pub verification: VerificationReport,
    pub keyring_version: u64,
    pub organisation: String,
    pub signer: String,
    pub signer_fingerprint: String,
    pub signature: SignatureCheck,
    pub holders: Vec<Holder>,
    /// Distinct recipients of the keyring as verified here.
    pub keyring_size: usize,
    /// Entries listed, by month of receipt (`YYYY-MM`).
    pub by_month: BTreeMap<String, usize>,
    pub listed: usize,
    /// Audit events by action.
    pub audit_actions: BTreeMap<String, usize>,
    pub audit_listed: usize,
    /// The hash of the listed event at the verification's count: must be its head.
    pub audit_last_hash: Option<String>,
    /// The first broken link this browser found re-chaining the listing (seq, why).
    pub audit_recheck: Option<(u64, String)>,
    /// The head this browser kept from its last check, if any.
    pub kept_before: Option<KeptHead>,
    /// Whether the listing extends `kept_before` (`None`: nothing was kept).
    pub extends_kept: Option<bool>,
    /// The head kept after this check: the listing's last event when every audit check
    /// passed, else `kept_before` unchanged.
    pub kept_now: Option<KeptHead>,
}

impl RelayReport {
    /// Entries whose blob failed the relay's check (header, hash, size, missing).
    pub fn bad_headers(&self) -> usize {
        self.verification.checks.iter().filter(|c| c.failure.is_some()).count()
    }

    /// Entries sealed to fewer X25519 recipients than the keyring verified here holds.
    pub fn below_keyring(&self) -> usize {
        self.verification.checks.iter().filter(|c| c.x25519 < self.keyring_size).count()
    }

    /// The fewest X25519 stanzas of any entry.
    pub fn fewest_stanzas(&self) -> Option<usize> {
        self.verification.checks.iter().map(|c| c.x25519).min()
    }

    /// The audit chain: `Ok` when the relay's check passed and the listing ends at the
    /// head it reports; otherwise the first broken link (or the mismatch).
    pub fn audit(&self) -> Result<(), String> {
        if let Some(f) = &self.verification.audit_failure {
            return Err(f.clone());
        }
        if let Some((seq, why)) = &self.audit_recheck {
            return Err(format!("audit event {seq}: {why}"));
        }
        if self.audit_last_hash != self.verification.audit_head {
            return Err(format!(
                "the listing ends at {} but the verification's head is {}",
                short(self.audit_last_hash.as_deref()),
                short(self.verification.audit_head.as_deref())
            ));
        }
        Ok(())
    }

    /// The relay's audit log no longer holds the head this browser kept: it was
    /// rewritten (or cut) since.
    pub fn audit_rewritten(&self) -> bool {
        self.extends_kept == Some(false)
    }

    /// The listing holds the entries the verification checked.
    pub fn listing_agrees(&self) -> bool {
        self.listed == self.verification.entries
    }

    /// Every check passes.
    pub fn all_pass(&self) -> bool {
        self.verification.ok
            && self.bad_headers() == 0
            && self.below_keyring() == 0
            && self.audit().is_ok()
            && !self.audit_rewritten()
            && !matches!(self.signature, SignatureCheck::Failed(_))
            && self.listing_agrees()
    }
}

fn short(h: Option<&str>) -> String {
    h.map_or_else(|| "none".into(), |h| h.chars().take(12).collect())
}

/// The month (`YYYY-MM`) of an RFC 3339 time.
pub fn month(at: &str) -> String {
    at.get(..7).unwrap_or("?").to_owned()
}

/// Keyring facts, its signature checked with `keyring_pin::check` against `pin`.
pub fn read_keyring(json: &[u8], pin: Option<crate::keyring_pin::Pin>) -> Result<(Keyring, SignatureCheck), ErrorCode> {
    let keyring = Keyring::from_json(json)?;
    let check = match crate::keyring_pin::check(json, pin) {
        Ok(_) if pin.is_some() => SignatureCheck::Pinned,
        Ok(_) => SignatureCheck::OwnSigner,
        Err(e) => SignatureCheck::Failed(e),
    };
    Ok((keyring, check))
}

pub fn holders(k: &Keyring) -> Vec<Holder> {
    k.recipients
        .iter()
        .map(|h| Holder {
            label: h.label.clone(),
            role: h.role.code(),
            recipient: h.recipient.clone(),
            fingerprint: fingerprint(&h.recipient),
        })
        .collect()
}

/// Fetches and checks everything; `progress` hears what is being read.
pub async fn run(progress: impl Fn(&'static str)) -> Result<RelayReport, RelayError> {
    progress("privacy-relay-step-verification");
    let verification: VerificationReport = relay_client::verification().await?;
    progress("privacy-relay-step-keyring");
    let json = relay_client::keyring_bytes().await?;
    // The app's database is opened only if it exists: opening creates it, and this page
    // says it writes nothing to the device.
    let exists = super::js::database_names()
        .await
        .map(|names| names.iter().any(|n| n == super::classify::APP_DB))
        .unwrap_or(false);
    let built_in = || {
        crate::keyring_pin::BUILT_IN
            .and_then(|k| k.parse().ok())
            .map(|key| crate::keyring_pin::Pin { key, source: crate::keyring_pin::PinSource::BuiltIn })
    };
    let pin = match exists {
        true => match crate::local_db::open().await {
            Ok(db) => crate::keyring_pin::current(&db).await.ok().flatten(),
            Err(_) => built_in(),
        },
        false => built_in(),
    };
    let (keyring, signature) = read_keyring(&json, pin).map_err(|code| RelayError::Refused {
        status: 200,
        code: Some(code),
        message: code.message().into(),
    })?;

    progress("privacy-relay-step-entries");
    let mut by_month = BTreeMap::new();
    let mut listed = 0;
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page: EntryPage = relay_client::list_entries(after.as_deref()).await?;
        for e in &page.entries {
            *by_month.entry(month(&e.received_at)).or_insert(0) += 1;
        }
        listed += page.entries.len();
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }

    let kept_before: Option<KeptHead> = match exists {
        true => match crate::local_db::open().await {
            Ok(db) => crate::keyring_pin::setting(&db, AUDIT_HEAD_SETTING)
                .await
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str(&json).ok()),
            Err(_) => None,
        },
        false => None,
    };

    progress("privacy-relay-step-audit");
    // The verification's head is the hash of its `audit_events`-th event; events
    // written since (this run's own `verification_run`, the listings) come after it.
    let mut audit_actions = BTreeMap::new();
    let mut audit_listed = 0;
    let mut audit_last_hash = None;
    let mut chain = shared::audit_chain::ListedChain::extending(kept_before.clone());
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page: AuditPage = relay_client::audit_page(after.as_deref()).await?;
        for e in &page.events {
            chain.push(e);
            *audit_actions.entry(e.action.clone()).or_insert(0) += 1;
            audit_listed += 1;
            if audit_listed == verification.audit_events {
                audit_last_hash = Some(e.hash.clone());
            }
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }

    let mut report = RelayReport {
        keyring_version: keyring.version,
        organisation: keyring.organisation.clone(),
        signer_fingerprint: fingerprint(&keyring.signed_by),
        signer: keyring.signed_by.clone(),
        signature,
        keyring_size: keyring.recipient_count(),
        holders: holders(&keyring),
        verification,
        by_month,
        listed,
        audit_actions,
        audit_listed,
        audit_last_hash,
        audit_recheck: chain.broken().map(|(seq, why)| (seq, why.to_owned())),
        extends_kept: chain.extends(),
        kept_now: kept_before.clone(),
        kept_before,
    };
    let (seq, hash) = chain.head();
    if report.audit().is_ok() && !report.audit_rewritten() && seq > 0 {
        let head = KeptHead { seq, hash, kept_at: crate::clock::now_rfc3339() };
        let json = serde_json::to_string(&head).unwrap_or_default();
        // Kept only once stored: a head that could not be written is not shown as kept.
        if let Ok(db) = crate::local_db::open().await {
            if crate::keyring_pin::set_setting(&db, AUDIT_HEAD_SETTING, json).await.is_ok() {
                report.kept_now = Some(head);
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::EntryCheck;
    use shared::keyring::{HolderRole, KeyHolder, OrgSigningKey};
    use shared::EntryId;

    fn keyring(org: &OrgSigningKey) -> Keyring {
        let holder = |role| KeyHolder {
            label: format!("{role:?}"),
            role,
            recipient: shared::seal::generate_identity().to_public().to_string(),
        };
        Keyring::sign(
            3,
            "Demo",
            vec![holder(HolderRole::Adviser), holder(HolderRole::Recovery)],
            shared::fixtures::WIDE_VALIDITY,
            org,
        )
    }

    fn report(x25519: &[usize]) -> RelayReport {
        let checks: Vec<EntryCheck> = x25519
            .iter()
            .enumerate()
            .map(|(i, &n)| EntryCheck { id: EntryId::of(&[i as u8]), failure: None, x25519: n, below_keyring: false })
            .collect();
        RelayReport {
            verification: VerificationReport {
                ok: true,
                entries: checks.len(),
                passed: checks.len(),
                warnings: 0,
                keyring_recipients: Some(2),
                checks,
                audit_events: 4,
                audit_head: Some("ab".repeat(32)),
                audit_failure: None,
            },
            keyring_version: 3,
            organisation: "Demo".into(),
            signer: String::new(),
            signer_fingerprint: String::new(),
            signature: SignatureCheck::Pinned,
            holders: Vec::new(),
            keyring_size: 2,
            by_month: BTreeMap::new(),
            listed: x25519.len(),
            audit_actions: BTreeMap::new(),
            audit_listed: 6,
            audit_last_hash: Some("ab".repeat(32)),
            audit_recheck: None,
            kept_before: None,
            extends_kept: None,
            kept_now: None,
        }
    }

    #[test]
    fn a_sound_relay_passes_and_each_fault_fails_its_own_check() {
        assert!(report(&[3, 2]).all_pass());
        let thin = report(&[3, 1]);
        assert_eq!((thin.below_keyring(), thin.fewest_stanzas()), (1, Some(1)));
        assert!(!thin.all_pass());
        let mut cut = report(&[3]);
        cut.audit_last_hash = Some("cd".repeat(32));
        assert!(cut.audit().is_err() && !cut.all_pass());
        let mut broken = report(&[3]);
        broken.verification.audit_failure = Some("audit event 2: it was altered".into());
        assert_eq!(broken.audit(), Err("audit event 2: it was altered".into()));
        let mut rechecked = report(&[3]);
        rechecked.audit_recheck = Some((4, "an event before it is missing".into()));
        assert_eq!(rechecked.audit(), Err("audit event 4: an event before it is missing".into()));
        assert!(!rechecked.all_pass());
        let mut short = report(&[3]);
        short.listed = 0;
        assert!(!short.listing_agrees() && !short.all_pass());
        let mut rewritten = report(&[3]);
        rewritten.extends_kept = Some(false);
        assert!(rewritten.audit_rewritten() && rewritten.audit().is_ok() && !rewritten.all_pass());
        let mut extended = report(&[3]);
        extended.extends_kept = Some(true);
        assert!(extended.all_pass());
        let mut refused = report(&[3]);
        refused.signature = SignatureCheck::Failed(ErrorCode::KeyringBadSignature);
        assert!(!refused.all_pass());
    }

    #[test]
    fn the_keyring_is_checked_against_the_pin_or_its_own_signer_and_a_stranger_is_refused() {
        let org = OrgSigningKey::generate();
        let json = keyring(&org).to_json();
        let pin = crate::keyring_pin::Pin { key: org.public(), source: crate::keyring_pin::PinSource::FirstUse };
        assert_eq!(read_keyring(json.as_bytes(), Some(pin)).unwrap().1, SignatureCheck::Pinned);
        assert_eq!(read_keyring(json.as_bytes(), None).unwrap().1, SignatureCheck::OwnSigner);
        let stranger = crate::keyring_pin::Pin { key: OrgSigningKey::generate().public(), ..pin };
        assert_eq!(
            read_keyring(json.as_bytes(), Some(stranger)).unwrap().1,
            SignatureCheck::Failed(ErrorCode::KeyringWrongSigner)
        );
        let (k, _) = read_keyring(json.as_bytes(), None).unwrap();
        let shown = holders(&k);
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[0].fingerprint, fingerprint(&k.recipients[0].recipient));
        assert_eq!(month("2026-11-23T10:00:00Z"), "2026-11");
    }
}
