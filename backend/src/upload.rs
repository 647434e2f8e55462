//! Receiving an upload's body as a stream, in bounded memory.
//!
//! An entry may be an attachment of a gigabyte, so the body is never held whole: it is
//! hashed (SHA-256, which must equal the id in the URL) as it arrives, the first bytes
//! are kept for the age header check (`shared::ingest::check_age` on the first
//! [`HEADER_WINDOW`] bytes gives the same answer as on the whole file, because the
//! header parser never looks further), and everything past [`SPILL_BYTES`] is written
//! to a [`PendingBlob`] in the blob's final directory. Small entries (the usual 10 KB
//! record) therefore cost one blocking task at the end, big ones about one megabyte of
//! memory each. Nothing is visible until [`Received::commit`]; a refused or broken
//! upload drops its temporary file.

use axum::body::Body;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use shared::ingest::{Hashed, HEADER_WINDOW};
use shared::{EntryId, ErrorCode};

use crate::blobs::{Blobs, PendingBlob};
use crate::error::AppError;

/// Bytes buffered in memory before they go to the temporary file.
pub const SPILL_BYTES: usize = 1 << 20;

/// A body that arrived whole and hashed, not yet stored.
#[derive(Debug)]
pub struct Received {
    /// The SHA-256 of the whole body.
    pub id: EntryId,
    pub size: u64,
    /// The first [`HEADER_WINDOW`] bytes (all of them if the body is shorter).
    head: Vec<u8>,
    /// Bytes not yet written to `pending`.
    tail: Vec<u8>,
    pending: Option<PendingBlob>,
    blobs: Blobs,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!("storing an upload: {e}");
    AppError(ErrorCode::Internal)
}

/// Why a body stream broke off: over a size limit, or anything else (a client that
/// hung up or paused too long).
fn body_error(e: &axum::Error) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return ErrorCode::TooLarge.into();
        }
        source = s.source();
    }
    ErrorCode::BadRequest.into()
}

/// Reads `body` (refusing more than `max` bytes, or a declared length over it, with
/// `too_large`), hashing it and spilling it to a temporary blob for `claimed` (the id
/// in the URL) once it outgrows memory.
pub async fn receive(
    body: Body,
    declared_len: Option<u64>,
    max: usize,
    claimed: &EntryId,
    blobs: &Blobs,
) -> Result<Received, AppError> {
    if declared_len.is_some_and(|n| n > max as u64) {
        return Err(ErrorCode::TooLarge.into());
    }
    let mut stream = body.into_data_stream();
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut tail = Vec::new();
    let mut size = 0u64;
    let mut pending: Option<PendingBlob> = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| body_error(&e))?;
        size += chunk.len() as u64;
        if size > max as u64 {
            return Err(ErrorCode::TooLarge.into());
        }
        hasher.update(&chunk);
        if head.len() < HEADER_WINDOW {
            let take = chunk.len().min(HEADER_WINDOW - head.len());
            head.extend_from_slice(&chunk[..take]);
        }
        tail.extend_from_slice(&chunk);
        if tail.len() >= SPILL_BYTES {
            let (blobs, id, bytes, mut p) = (blobs.clone(), *claimed, std::mem::take(&mut tail), pending.take());
            let p = tokio::task::spawn_blocking(move || -> std::io::Result<PendingBlob> {
                let mut p = match p.take() {
                    Some(p) => p,
                    None => blobs.create_pending(&id)?,
                };
                p.write(&bytes)?;
                Ok(p)
            })
            .await
            .map_err(internal)?
            .map_err(internal)?;
            pending = Some(p);
        }
    }
    let id = EntryId::from_digest(hasher.finalize().into());
    Ok(Received { id, size, head, tail, pending, blobs: blobs.clone() })
}

/// What the ingest steps check: the hash of the whole body, the age header on its head.
impl Hashed for Received {
    fn id(&self) -> EntryId {
        self.id
    }
    fn head(&self) -> &[u8] {
        &self.head
    }
}

impl Received {
    /// Makes the blob durable under its id (see [`crate::blobs`]).
    pub async fn commit(self) -> Result<(), AppError> {
        let Received { id, tail, pending, blobs, .. } = self;
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut p = match pending {
                Some(p) => p,
                None => blobs.create_pending(&id)?,
            };
            p.write(&tail)?;
            p.commit()
        })
        .await
        .map_err(internal)?
        .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(len: usize) -> Vec<u8> {
        let r = shared::seal::generate_identity().to_public();
        shared::seal::seal_bytes(&vec![7u8; len], [r].iter()).unwrap().into_bytes()
    }

    /// A body arriving in small pieces, as from a network.
    fn chunked(bytes: &[u8], piece: usize) -> Body {
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(piece).map(|c| Ok(c.to_vec())).collect();
        Body::from_stream(futures_util::stream::iter(pieces))
    }

    #[tokio::test]
    async fn a_body_bigger_than_memory_spills_hashes_and_lands_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path().join("blobs"));
        let bytes = sealed(3 * SPILL_BYTES + 12345);
        let id = EntryId::of(&bytes);
        let got = receive(chunked(&bytes, 65_536), None, usize::MAX, &id, &blobs).await.unwrap();
        assert_eq!((got.id, got.size), (id, bytes.len() as u64));
        assert!(got.pending.is_some(), "a big body goes to a temporary file, not memory");
        shared::ingest::check_age(got.head(), 1).unwrap();
        got.commit().await.unwrap();
        assert_eq!(blobs.get(&id).unwrap().unwrap(), bytes);
        assert_eq!(blobs.list_files().unwrap().len(), 1, "only the blob, no temporary file");
    }

    #[tokio::test]
    async fn an_oversized_or_refused_body_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path().join("blobs"));
        let bytes = sealed(2 * SPILL_BYTES);
        let id = EntryId::of(&bytes);
        let err = receive(chunked(&bytes, 65_536), None, SPILL_BYTES + 1, &id, &blobs).await.unwrap_err();
        assert_eq!(err.0, ErrorCode::TooLarge);
        let err = receive(chunked(&bytes, 65_536), Some(bytes.len() as u64), 1000, &id, &blobs).await.unwrap_err();
        assert_eq!(err.0, ErrorCode::TooLarge, "a declared length over the limit is refused before reading");
        let not_age = b"plain text, not age\n".repeat(SPILL_BYTES / 10);
        let got = receive(chunked(&not_age, 4096), None, usize::MAX, &EntryId::of(&not_age), &blobs).await.unwrap();
        assert_eq!(shared::ingest::check_age(got.head(), 1).unwrap_err(), ErrorCode::NotAge);
        drop(got);
        assert!(blobs.list_files().unwrap().is_empty(), "{:?}", blobs.list_files());
    }
}
