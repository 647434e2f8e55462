//! Every string the app shows, keyed by a stable code: the one place a translation
//! catalog will replace. English only for now.
//!
//! What is *not* here: labels of coded answers (regions, risk factors), validation
//! sentences and error sentences. Those live in `shared` beside the codes they explain
//! (`Region::label`, `FieldProblem::message`, `ErrorCode::message`).

/// The English text for `key`. An unknown key shows itself, so a typo is visible on
/// the page (and the native test below fails) instead of leaving a blank.
pub fn t(key: &'static str) -> &'static str {
    TEXT.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).unwrap_or(key)
}

/// The table, grouped by page.
pub const TEXT: &[(&str, &str)] = &[
    // The frame around every page.
    ("app.name", "Amanat"),
    ("app.tagline", "Family records, sealed in this browser before they are stored."),
    ("app.end_session", "End session"),
    ("app.signed_in_as", "Signed in as"),
    // Sign-in.
    ("signin.title", "Sign in"),
    ("signin.name", "Account name"),
    ("signin.token", "Access token"),
    ("signin.submit", "Sign in"),
    ("signin.working", "Signing in…"),
    ("signin.missing", "Enter your account name and access token."),
    ("signin.wrong_role", "This account cannot use this page."),
    ("signin.ended", "Session ended."),
    // The vault: enrolment, passphrase sign-in, locking.
    ("enrol.title", "Choose your passphrase"),
    ("enrol.intro", "Your administrator gave you this one-time link. Type your account name and choose a passphrase: it unlocks your key on any computer, also offline on this one. Nobody can recover it for you."),
    ("enrol.name", "Account name"),
    ("enrol.passphrase", "New passphrase"),
    ("enrol.again", "Type the new passphrase again"),
    ("enrol.rules", "At least 12 characters; best several unrelated words (any language). Not your account name."),
    ("enrol.strength", "Strength"),
    ("enrol.submit", "Make my key"),
    ("enrol.working", "Making your key and sealing it with the passphrase…"),
    ("enrol.done", "Your key is ready. This device can now unlock it offline too."),
    ("strength.too_weak", "too weak"),
    ("strength.fair", "fair"),
    ("strength.good", "good"),
    ("strength.strong", "strong"),
    ("vault.title", "Unlock"),
    ("vault.passphrase", "Passphrase"),
    ("vault.submit", "Unlock"),
    ("vault.working", "Unlocking…"),
    ("vault.missing", "Enter your account name and passphrase."),
    ("vault.offline", "Unlocked offline on this device. Uploads start when the relay can be reached."),
    ("vault.offline_unknown", "The relay cannot be reached, and this account has not signed in on this device before. Connect once to sign in; after that it also works offline."),
    ("vault.locked_idle", "Locked after a time without use. Sign in again to continue."),
    ("vault.locked_other_tab", "Locked because the app was locked in another tab."),
    ("vault.locked_ended", "Session ended. Nothing readable is left on this page."),
    ("vault.online_pending", "Offline: not yet signed in to the relay"),
    ("outbox.progress", "Uploaded"),
    ("outbox.of", "of"),
    ("outbox.counts_waiting", "waiting"),
    ("outbox.counts_uploaded", "uploaded"),
    ("passphrase.title", "Change passphrase"),
    ("passphrase.current", "Current passphrase"),
    ("passphrase.submit", "Change passphrase"),
    ("passphrase.working", "Sealing your key with the new passphrase…"),
    ("passphrase.changed", "Passphrase changed. Use the new one from now on, on every device."),
    ("cases.title", "My cases"),
    ("cases.hint", "Entries you recorded, on this device and on the relay, opened with your own key in this page's memory only."),
    ("cases.open", "Open my cases"),
    ("cases.close", "Close my cases"),
    ("cases.none", "You have not recorded anything yet."),
    // The intake form.
    ("intake.title", "Family intake"),
    ("intake.family_name", "Family name"),
    ("intake.region", "Region"),
    ("intake.region_choose", "Choose a region"),
    ("intake.child", "Child"),
    ("intake.child_full_name", "Child's full name"),
    ("intake.child_date_of_birth", "Child's date of birth"),
    ("intake.risk_factors", "Situation and risk factors"),
    ("intake.assessment", "Assessment"),
    ("intake.save", "Seal and save"),
    ("intake.sealing", "Sealing…"),
    ("intake.saved", "Sealed and saved on this device. It will be uploaded to the relay."),
    ("intake.summary_title", "There is a problem"),
    ("intake.storage_failed", "This browser's storage refused the sealed entry. Nothing was lost from the form; try again."),
    // The outbox.
    ("outbox.title", "Outbox"),
    ("outbox.hint", "Only sealed entries are kept on this device; nothing here can be read without a key holder's key."),
    ("outbox.empty", "Nothing sealed on this device yet."),
    ("outbox.entry", "Entry"),
    ("outbox.case", "case"),
    ("outbox.bytes", "bytes"),
    ("outbox.state.sealed", "sealed"),
    ("outbox.state.waiting", "waiting for the relay"),
    ("outbox.state.uploaded", "uploaded"),
    ("outbox.state.refused", "refused"),
    ("outbox.state.corrupted", "damaged"),
    ("outbox.retry_now", "Try uploading now"),
    // The keyring pin.
    ("pin.title", "Organisation key"),
    ("pin.built_in", "built into this app"),
    ("pin.first_use", "trusted on first use on this device"),
    ("pin.none", "not yet known: it is pinned when the first keyring is checked"),
    // The relay.
    ("relay.unreachable", "The relay cannot be reached. Your work is kept sealed on this device and will be uploaded when it is back."),
    ("relay.unexpected", "The relay answered in a way this app does not understand."),
    // The key holder's page.
    ("adviser.title", "Case files"),
    ("adviser.identity_file", "Your age identity file"),
    ("adviser.identity_hint", "The key is read into this page's memory only. It is never stored or sent."),
    ("adviser.key_loaded", "Key loaded. Opening entries…"),
    ("adviser.key_count", "Identities loaded:"),
    ("adviser.forget_key", "Forget key"),
    ("adviser.key_forgotten", "The key was forgotten and opened records were cleared from the page."),
    ("adviser.reload", "Reload entries"),
    ("adviser.no_entries", "The relay holds no entries."),
    ("adviser.opened", "Opened"),
    ("adviser.failed", "could not be opened"),
    ("adviser.failures", "Entries that could not be opened"),
    ("adviser.region", "Region"),
    ("adviser.children", "Children"),
    ("adviser.born", "born"),
    ("adviser.risk_factors", "Situation and risk factors"),
    ("adviser.assessment", "Assessment"),
    ("adviser.case", "Case"),
    ("adviser.author", "Recorded by"),
    ("adviser.created_at", "Recorded at"),
    ("adviser.no_key", "Choose your identity file to open the entries."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        for (i, (k, _)) in TEXT.iter().enumerate() {
            assert!(TEXT[i + 1..].iter().all(|(o, _)| o != k), "duplicate key {k}");
        }
    }

    /// Every `t("…")` in the sources names a key of the table.
    #[test]
    fn every_key_used_in_the_sources_exists() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(p).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
        let mut used = 0;
        for src in &sources {
            for (at, _) in src.match_indices("t(\"") {
                // `t("…")` itself, not a call whose name ends in t (`part("…")`).
                if src[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let part = &src[at + 3..];
                let key = &part[..part.find('"').unwrap()];
                if key.contains('.') && !key.contains(' ') {
                    used += 1;
                    assert!(TEXT.iter().any(|(k, _)| *k == key), "missing text key {key}");
                }
            }
        }
        assert!(used > 20);
    }
}
