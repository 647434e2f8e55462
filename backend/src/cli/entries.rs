//! `amanat entries remove --superseded | ID… [--yes | --dry-run]`: the administrator's
//! end of keyring rotation, removal by proof rather than by word.
//!
//! After a key holder re-sealed entries to a newer keyring (each upload naming the entry
//! it supersedes, see `store::supersessions`), the old entries are still sealed to the
//! removed key holder. This removes them, but an uploader's word that its upload
//! supersedes an entry is not enough: an entry goes only when its replacement is stored,
//! was uploaded by a key holder's account, declares a newer keyring version than the
//! entry, and names it ([`Superseded::why_kept`]). Every other claim is listed as
//! "kept: <why>" and never acted on, so a caseworker (or anyone with an upload token)
//! cannot make the administrator delete another's record.
//!
//! Without `--yes` it only lists (as `--dry-run` does): what would be removed and what is
//! kept, and why. Each removal is audited (`entry_removed`, actor `amanat-cli`) and its
//! file deletion fsync'd; `amanat verify` passes afterwards. Exit status 0 when nothing
//! was kept or refused, 1 when some claim was kept or a named id cannot be removed (the
//! provable ones are removed all the same with `--yes`).

use std::path::Path;

use clap::Subcommand;
use shared::EntryId;

use crate::audit::CLI_ACTOR;
use crate::store::{Store, Superseded};

#[derive(Subcommand, Debug)]
pub enum EntriesCommand {
    /// Remove entries that a key holder's re-seal to a newer keyring supersedes.
    ///
    /// Lists what would be removed and what is kept (and why); removes only with --yes.
    Remove {
        /// Every superseded entry.
        #[arg(long, conflicts_with = "ids", required_unless_present = "ids")]
        superseded: bool,
        /// Only these superseded entries (ids as listed by the relay).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Remove them (without it, only list).
        #[arg(long, conflicts_with = "dry_run")]
        yes: bool,
        /// Print what would be removed; change nothing (the default without --yes).
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs the command; `Ok(false)` when some claim was kept or a named id not removed.
pub async fn run(data: &Path, database: Option<&str>, cmd: EntriesCommand) -> anyhow::Result<bool> {
    let EntriesCommand::Remove { superseded: _, ids, yes, dry_run: _ } = cmd;
    let wanted: Vec<EntryId> = ids
        .iter()
        .map(|s| s.trim().parse::<EntryId>().map_err(|e| anyhow::anyhow!("{s:?}: {e}")))
        .collect::<anyhow::Result<_>>()?;
    let store = Store::open_with(data, database).await?;
    let result = remove(&store, &wanted, !yes).await;
    store.close().await;
    let (lines, ok) = result?;
    print!("{lines}");
    Ok(ok)
}

/// Removes (or, dry, lists) the entries proven superseded, all of them when `wanted` is
/// empty, and lists every other claim as kept. Returns the report and whether nothing
/// was kept and every wanted id was proven superseded.
pub async fn remove(store: &Store, wanted: &[EntryId], dry_run: bool) -> anyhow::Result<(String, bool)> {
    let claims = store.superseded().await?;
    let mut out = String::new();
    let mut ok = true;
    for id in wanted {
        if !claims.iter().any(|s| s.entry.meta.id == *id) {
            out.push_str(&format!("not removed {id}: no stored entry supersedes it (or it is not stored)\n"));
            ok = false;
        }
    }
    // The replaced entries in upload order, each with its claims.
    let mut olds: Vec<EntryId> = Vec::new();
    for s in &claims {
        let id = s.entry.meta.id;
        if (wanted.is_empty() || wanted.contains(&id)) && !olds.contains(&id) {
            olds.push(id);
        }
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    let (mut bytes, mut removed, mut kept) = (0u64, 0usize, 0usize);
    // A replacement removed (or, dry, about to be removed) in this run is no longer a
    // copy to keep: an entry goes only while its replacement stays.
    let mut gone: Vec<EntryId> = Vec::new();
    for old in olds {
        let mine: Vec<&Superseded> = claims.iter().filter(|s| s.entry.meta.id == old).collect();
        let mut reasons: Vec<String> = Vec::new();
        let mut proof: Option<&Superseded> = None;
        for s in &mine {
            match s.why_kept() {
                Some(why) => reasons.push(why),
                None if gone.contains(&s.by) || store.entry(&s.by).await?.is_none() => {
                    reasons.push(format!("its replacement {} is removed or not stored", s.by));
                }
                None => {
                    proof = Some(s);
                    break;
                }
            }
        }
        let Some(s) = proof else {
            kept += 1;
            ok = false;
            for why in reasons {
                out.push_str(&format!("kept {old}: {why}\n"));
            }
            continue;
        };
        let m = &s.entry.meta;
        if !dry_run {
            store.remove_entry(&m.id, CLI_ACTOR).await?;
        }
        gone.push(m.id);
        removed += 1;
        bytes += m.size;
        let version = |v: Option<u64>| v.map_or_else(|| "none declared".to_owned(), |v| v.to_string());
        out.push_str(&format!(
            "{verb} {} (case {}, {} bytes, by {}, keyring version {}), superseded by {} (uploaded by {}, keyring version {})\n",
            m.id,
            m.case,
            m.size,
            m.author,
            version(m.keyring_version),
            s.by,
            s.actor,
            version(s.replacement.meta.keyring_version)
        ));
    }
    out.push_str(&format!(
        "{} {removed} superseded entries ({bytes} bytes); kept {kept}{}.\n",
        if dry_run { "Would remove" } else { "Removed" },
        if dry_run { "; nothing was changed (run again with --yes to remove them)" } else { "" }
    ));
    Ok((out, ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::stored_at;
    use shared::api::Role;
    use shared::CaseId;

    #[tokio::test]
    async fn only_a_key_holders_re_seal_to_a_newer_version_removes_and_only_when_not_dry() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", Role::Caseworker).await.unwrap();
        store.add_user("adviser", Role::Adviser).await.unwrap();
        let case = CaseId::random();
        let at = |author: &'static str, text: &'static [u8], v: Option<u64>| stored_at(&store, case, author, text, v);
        let (a, b, c, d) = (
            at("cw", b"a", Some(1)).await,
            at("cw", b"b", Some(1)).await,
            at("cw", b"c", Some(2)).await,
            at("cw", b"d", None).await,
        );
        let by_cw = at("cw", b"b by cw", Some(2)).await;
        let a2 = at("adviser", b"a re-sealed", Some(2)).await;
        let c_same = at("adviser", b"c same version", Some(2)).await;
        let d2 = at("adviser", b"d re-sealed", Some(2)).await;
        store.record_supersession(&a2, &a, "adviser").await.unwrap();
        store.record_supersession(&by_cw, &b, "cw").await.unwrap();
        store.record_supersession(&c_same, &c, "adviser").await.unwrap();
        store.record_supersession(&d2, &d, "adviser").await.unwrap();

        let (out, ok) = remove(&store, &[], true).await.unwrap();
        assert!(!ok, "claims were kept: {out}");
        assert!(out.contains(&format!("would remove {a}")) && out.contains(&format!("would remove {d}")), "{out}");
        assert!(out.contains(&format!("kept {b}: its replacement {by_cw} was uploaded by cw (caseworker)")), "{out}");
        assert!(
            out.contains(&format!("kept {c}: its replacement {c_same} declares keyring version 2, not newer")),
            "{out}"
        );
        assert!(out.contains("Would remove 2 superseded entries") && out.contains("kept 2"), "{out}");
        for id in [a, b, c, d] {
            assert!(store.entry(&id).await.unwrap().is_some(), "a listing removes nothing");
        }

        let (out, ok) = remove(&store, &[b], false).await.unwrap();
        assert!(!ok && out.contains("Removed 0 superseded entries"), "{out}");
        assert!(store.entry(&b).await.unwrap().is_some(), "a caseworker's word removes nothing");

        let (out, ok) = remove(&store, &[], false).await.unwrap();
        assert!(!ok && out.contains("Removed 2 superseded entries"), "{out}");
        assert!(store.entry(&a).await.unwrap().is_none() && store.entry(&d).await.unwrap().is_none());
        for id in [b, c, a2, d2, by_cw, c_same] {
            assert!(store.entry(&id).await.unwrap().is_some(), "{id} stays: {out}");
        }
        assert!(crate::verify::verify(&store).await.unwrap().ok());
        let (out, _) = remove(&store, &[], false).await.unwrap();
        assert!(out.contains("Removed 0") && !out.contains("removed "), "{out}");
        store.close().await;
    }

    #[tokio::test]
    async fn a_named_id_that_nothing_supersedes_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", Role::Caseworker).await.unwrap();
        let a = stored_at(&store, CaseId::random(), "cw", b"a", Some(1)).await;
        let (out, ok) = remove(&store, &[a], false).await.unwrap();
        assert!(!ok && out.contains(&format!("not removed {a}")), "{out}");
        assert!(store.entry(&a).await.unwrap().is_some());
        store.close().await;
    }
}
