//! The audit chain's rows: appending events inside a write transaction and reading them
//! back. What an event is and how its hash is made is [`crate::audit`]'s; this file
//! only stores and loads.
//!
//! Every append happens under the database's write lock (see [`Store::write_audited`]),
//! so the head read here is the head the new rows chain from.

use shared::api::AuditEvent;
use sqlx::{Any, Row};

use super::{now_rfc3339, placeholders, Result, Store, ROWS_PER_STATEMENT};
use crate::audit::{self, NewEvent, OwnedEvent};

impl Store {
    /// Appends an event to the audit chain.
    pub async fn audit(&self, event: &NewEvent<'_>) -> Result<()> {
        self.audit_many(std::slice::from_ref(event)).await
    }

    /// Several audit events, chained in order in one write transaction (a bulk read
    /// records one event per entry sent, as single reads would, without one commit each).
    ///
    /// For events of their own (a failed sign-in, an entry about to be sent): an action
    /// and its event go through [`Store::write_audited`] together. The write runs to its
    /// end in its own task even if the client hangs up and its request is dropped.
    pub async fn audit_many(&self, events: &[NewEvent<'_>]) -> Result<()> {
        let events: Vec<OwnedEvent> = events.iter().map(OwnedEvent::from).collect();
        self.write_audited("appending audit events", move |tx| async move { Ok((tx, (), events)) }).await
    }

    /// Audit events after `after_seq`, in order, each with the previous hash it stored.
    pub async fn audit_events(&self, after_seq: u64, limit: usize) -> Result<Vec<(AuditEvent, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, size, prev_sha256, sha256 FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq as i64)
        .bind(limit.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let size: Option<i64> = r.try_get("size")?;
                let hash: Vec<u8> = r.try_get("sha256")?;
                let event = AuditEvent {
                    seq: r.try_get::<i64, _>("seq")? as u64,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    size: size.map(|n| n as u64),
                    hash: hex::encode(hash),
                };
                Ok((event, r.try_get("prev_sha256")?))
            })
            .collect()
    }
}

/// Appends events to the audit chain, in order, inside the caller's write transaction.
pub(super) async fn append_audit_events(
    tx: &mut sqlx::Transaction<'static, Any>,
    events: &[NewEvent<'_>],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let last =
        sqlx::query("SELECT seq, sha256 FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let (mut seq, mut prev) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")? as u64, r.try_get::<Vec<u8>, _>("sha256")?),
        None => (0, audit::GENESIS.to_vec()),
    };
    let at = now_rfc3339();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let rows = placeholders(chunk.len(), 8);
        let sql = format!(
            "INSERT INTO audit_events (seq, at, actor, action, subject, size, prev_sha256, sha256) VALUES {rows}"
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            seq += 1;
            let hash = audit::chain_hash(&prev, seq, &at, e.actor, e.action.code(), e.subject, e.size);
            q = q
                .bind(seq as i64)
                .bind(at.clone())
                .bind(e.actor.to_owned())
                .bind(e.action.code())
                .bind(e.subject.to_owned())
                .bind(e.size.map(|n| n as i64))
                .bind(prev)
                .bind(hash.to_vec());
            prev = hash.to_vec();
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
