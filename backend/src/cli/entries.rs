//! `amanat entries remove --superseded | ID… [--dry-run]`: the administrator's end of
//! keyring rotation.
//!
//! After a key holder re-sealed entries to the current keyring (each upload naming the
//! entry it supersedes, see `store::supersessions`), the old entries are still sealed to
//! the removed key holder. This removes them: only entries whose replacement is stored,
//! so a typo cannot delete the only copy of a record. Each removal is audited
//! (`entry_removed`, actor `amanat-cli`) and its file deletion fsync'd; `amanat verify`
//! passes afterwards. `--dry-run` lists what would go and changes nothing.

use std::path::Path;

use clap::Subcommand;
use shared::EntryId;

use crate::audit::CLI_ACTOR;
use crate::store::{Store, Superseded};

#[derive(Subcommand, Debug)]
pub enum EntriesCommand {
    /// Remove entries that a stored entry supersedes (re-sealed to the current keyring).
    Remove {
        /// Every superseded entry.
        #[arg(long, conflicts_with = "ids", required_unless_present = "ids")]
        superseded: bool,
        /// Only these superseded entries (ids as listed by the relay).
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Print what would be removed; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs the command; `Ok(false)` when some named id could not be removed.
pub async fn run(data: &Path, database: Option<&str>, cmd: EntriesCommand) -> anyhow::Result<bool> {
    let EntriesCommand::Remove { superseded: _, ids, dry_run } = cmd;
    let wanted: Vec<EntryId> = ids
        .iter()
        .map(|s| s.trim().parse::<EntryId>().map_err(|e| anyhow::anyhow!("{s:?}: {e}")))
        .collect::<anyhow::Result<_>>()?;
    let store = Store::open_with(data, database).await?;
    let result = remove(&store, &wanted, dry_run).await;
    store.close().await;
    let (lines, ok) = result?;
    print!("{lines}");
    Ok(ok)
}

/// Removes (or, dry, lists) the superseded entries, all of them when `wanted` is empty.
/// Returns the report and whether every wanted id was superseded.
pub async fn remove(store: &Store, wanted: &[EntryId], dry_run: bool) -> anyhow::Result<(String, bool)> {
    let superseded = store.superseded().await?;
    let mut out = String::new();
    let mut ok = true;
    for id in wanted {
        if !superseded.iter().any(|s| s.entry.meta.id == *id) {
            out.push_str(&format!("not removed {id}: no stored entry supersedes it (or it is not stored)\n"));
            ok = false;
        }
    }
    let chosen: Vec<&Superseded> =
        superseded.iter().filter(|s| wanted.is_empty() || wanted.contains(&s.entry.meta.id)).collect();
    let verb = if dry_run { "would remove" } else { "removed" };
    let mut bytes = 0u64;
    // Entries that supersede each other in a cycle (A by B, B by A) must not all go: an
    // entry is removed only while its replacement is still stored and not removed (or, dry,
    // about to be removed) in this run, so the last of a cycle stays.
    let mut gone: Vec<EntryId> = Vec::new();
    let mut removed = 0usize;
    for s in &chosen {
        let m = &s.entry.meta;
        if gone.contains(&s.by) || store.entry(&s.by).await?.is_none() {
            out.push_str(&format!("kept {}: its replacement {} is removed or not stored\n", m.id, s.by));
            continue;
        }
        if !dry_run {
            store.remove_entry(&m.id, CLI_ACTOR).await?;
        }
        gone.push(m.id);
        removed += 1;
        bytes += m.size;
        out.push_str(&format!(
            "{verb} {} (case {}, {} bytes, by {}), superseded by {} (uploaded by {})\n",
            m.id, m.case, m.size, m.author, s.by, s.actor
        ));
    }
    out.push_str(&format!(
        "{} {} superseded entries ({bytes} bytes){}.\n",
        if dry_run { "Would remove" } else { "Removed" },
        removed,
        if dry_run { "; nothing was changed" } else { "" }
    ));
    Ok((out, ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::Role;
    use shared::CaseId;

    async fn stored(store: &Store, case: CaseId, text: &[u8]) -> EntryId {
        crate::store::tests::stored(store, case, "cw", text).await
    }

    #[tokio::test]
    async fn only_superseded_entries_are_removed_by_id_and_a_dry_run_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", Role::Caseworker).await.unwrap();
        let case = CaseId::random();
        let (a, b, a2) = (
            stored(&store, case, b"a").await,
            stored(&store, case, b"b").await,
            stored(&store, case, b"a again").await,
        );
        store.record_supersession(&a2, &a, "adviser").await.unwrap();

        let (out, ok) = remove(&store, &[a, b], true).await.unwrap();
        assert!(!ok, "b is superseded by nothing: {out}");
        assert!(out.contains(&format!("not removed {b}")) && out.contains(&format!("would remove {a}")), "{out}");
        assert!(store.entry(&a).await.unwrap().is_some(), "a dry run removes nothing");

        let (out, ok) = remove(&store, &[b], false).await.unwrap();
        assert!(!ok && out.contains("Removed 0 superseded entries"), "{out}");
        assert!(store.entry(&b).await.unwrap().is_some(), "the only copy of a record is never removed");

        let (out, ok) = remove(&store, &[a], false).await.unwrap();
        assert!(ok && out.contains("Removed 1 superseded entries"), "{out}");
        assert!(store.entry(&a).await.unwrap().is_none() && store.entry(&a2).await.unwrap().is_some());
        assert!(crate::verify::verify(&store).await.unwrap().ok());
        store.close().await;
    }
}
