//! `amanat audit head [--json]`: the audit chain's head, to write down or sign.
//!
//! The relay reports its own audit log, so a privacy officer who wants to know later
//! that nothing was cut or rewritten keeps the head somewhere the relay cannot reach:
//! on paper, in a signed note, or in the privacy page's browser (which keeps the last
//! head it verified, see `frontend/src/privacy/relay.rs`). The head is printed only
//! after the whole chain re-verifies from its first event; a broken chain prints no
//! head and exits 1 (run `amanat verify` for the full report).
//!
//! Output, one fact a line (`--json`: the same as one object, `shared::audit_chain::Head`):
//!
//! ```text
//! amanat audit head
//! seq 42
//! hash <64 lowercase hex: the chained SHA-256 of event 42>
//! at 2026-11-23T10:00:00Z
//! events 42
//! ```

use std::path::Path;

use clap::Subcommand;
use shared::audit_chain::Head;

use crate::audit::ChainCheck;
use crate::store::Store;
use crate::verify::PAGE;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Print the audit chain's head (last event's seq, hash and time, and the number of
    /// events) after re-verifying the chain, to write down or sign.
    Head {
        /// One JSON object instead of one fact a line.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command; `Ok(false)` when the chain does not verify (nothing printed).
pub async fn run(data: &Path, database: Option<&str>, cmd: AuditCommand) -> anyhow::Result<bool> {
    let AuditCommand::Head { json } = cmd;
    let store = Store::open_with(data, database).await?;
    let head = head(&store).await;
    store.close().await;
    match head? {
        Ok(head) => {
            if json {
                println!("{}", serde_json::to_string(&head)?);
            } else {
                print!("{}", head.render());
            }
            Ok(true)
        }
        Err((seq, reason)) => {
            eprintln!(
                "error: the audit chain breaks at event {seq}: {reason}. No head is printed; run `amanat verify` \
                 for the full report."
            );
            Ok(false)
        }
    }
}

/// The head of the stored chain, re-verified from its first event page by page, or the
/// first broken link.
pub async fn head(store: &Store) -> anyhow::Result<Result<Head, (u64, &'static str)>> {
    let mut chain = ChainCheck::new();
    let mut head = Head::default();
    loop {
        let events = store.audit_events(head.seq, PAGE).await?;
        let Some((last, _)) = events.last() else { break };
        if let Err(broken) = chain.check(&events) {
            return Ok(Err(broken));
        }
        head = Head {
            seq: last.seq,
            hash: last.hash.clone(),
            at: Some(last.at.clone()),
            events: head.events + events.len() as u64,
        };
        if events.len() < PAGE {
            break;
        }
    }
    Ok(Ok(head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditAction, NewEvent};

    #[tokio::test]
    async fn the_head_is_the_last_events_seq_hash_and_time_and_a_broken_chain_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let empty = head(&store).await.unwrap().unwrap();
        assert_eq!((empty.seq, empty.events, empty.at.as_deref()), (0, 0, None));
        assert_eq!(empty.hash, "0".repeat(64), "an empty chain's head is the genesis hash");
        for _ in 0..3 {
            let e = NewEvent { actor: "cw", action: AuditAction::SignedIn, subject: "cw", size: None };
            store.audit(&e).await.unwrap();
        }
        let h = head(&store).await.unwrap().unwrap();
        let last = store.audit_events(2, 1).await.unwrap().remove(0).0;
        assert_eq!(
            (h.seq, h.events, h.hash.as_str(), h.at.as_deref()),
            (3, 3, last.hash.as_str(), Some(last.at.as_str()))
        );
        let text = h.render();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            ["amanat audit head", "seq 3", &format!("hash {}", last.hash), &format!("at {}", last.at), "events 3"]
        );

        sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(store.pool()).await.unwrap();
        assert_eq!(head(&store).await.unwrap().unwrap_err().0, 3, "an event cut from the middle breaks the chain");
        store.close().await;
    }
}
