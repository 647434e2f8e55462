//! The opened entries of a case in reading order ([`CaseEntries`]: intake, then
//! consents and follow-ups in time order, then the closure), and [`CaseBook`], which
//! files entries under their cases as they are opened, batch by batch.

use std::sync::Arc;

use shared::authorship::{AuthorPublicKey, AuthorStatus, Signer, VerifiedRoster};
use shared::forms::attachment::{AttachmentRef, MediaType};
use shared::forms::{CaseDocument, CaseEntry};
use shared::ids::ContentHash;
use shared::{CaseId, EntryId};

use crate::opening::Content;

/// The opened entries of one case, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseEntries {
    pub case: CaseId,
    /// Intake first, then consents and follow-ups by the time they were saved, then
    /// the closure.
    pub docs: Vec<(EntryId, Arc<CaseDocument>)>,
    /// Photos and scans of the case, in listing order (one per content: a re-sealed
    /// copy of one already here is not listed twice).
    pub attachments: Vec<CaseAttachment>,
    /// How each document's authorship reads ([`Judge`]), by entry.
    pub authors: std::collections::HashMap<EntryId, Authorship>,
}

/// A photo or scan of the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseAttachment {
    pub id: EntryId,
    pub media_type: MediaType,
    /// Plaintext size in bytes.
    pub size: u64,
    /// What it holds: the SHA-256 a document names it by.
    pub content: ContentHash,
}

/// Whether a counted document (one of a verified author) vouches for an attachment.
/// Anyone with the keyring can seal a file into a case (the relay too), and an
/// attachment carries no signature of its own: it is trustworthy only as the bytes a
/// signed record names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vouched {
    /// Named by this counted document (by its content, or by entry id for a reference
    /// made before references named content).
    By(EntryId),
    /// Named by no counted document: not to be relied on.
    Unnamed,
}

/// One entry's authorship as the reader judged it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorship {
    /// What the reader is shown (`data-author`).
    pub status: AuthorStatus,
    /// Whether it counts toward consent state, indicators and search.
    pub counts: bool,
}

/// How a reader judges authorship: against the organisation's verified roster (only a
/// verified author's entries count) and, on a caseworker's own device, her own author
/// key. Her own entries are shown as the roster says ("author not yet approved" until
/// `amanat roster approve`), but those signed with the key in her unlocked vault and
/// naming her count on her device: the threat is an entry forged by someone else, and
/// she knows what she wrote herself (docs/security.md, "Signed authorship").
#[derive(Clone, Debug, Default)]
pub struct Judge {
    pub roster: VerifiedRoster,
    /// The unlocked caseworker's name and public author key.
    pub own: Option<(String, AuthorPublicKey)>,
}

impl Judge {
    /// A key holder's judge: the roster alone.
    pub fn roster(roster: VerifiedRoster) -> Self {
        Judge { roster, own: None }
    }

    /// How to take an entry whose document names `claimed_author`, signed as `signer`.
    pub fn judge(&self, claimed_author: &str, signer: Signer) -> Authorship {
        let status = self.roster.status(claimed_author, signer);
        let own = match (&self.own, signer) {
            (Some((name, key)), Signer::Signed { key: k, valid: true }) => *key == k && name == claimed_author,
            _ => false,
        };
        Authorship { status, counts: status.counts() || own }
    }
}

impl CaseEntries {
    /// Which documents this group holds, as one number: summaries made from the group
    /// are reused only while it is the same (another key that opens as many entries of
    /// the case gives another stamp).
    pub fn stamp(&self) -> u64 {
        self.docs.iter().fold(self.docs.len() as u64, |acc, (id, _)| {
            let b = id.as_bytes();
            acc.rotate_left(5) ^ u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })
    }

    /// The family's name from the case's latest intake, if it has one.
    pub fn family_name(&self) -> Option<&str> {
        self.docs.iter().rev().find_map(|(_, d)| match &d.entry {
            CaseEntry::Intake(f) if !f.family_name.trim().is_empty() => Some(f.family_name.as_str()),
            _ => None,
        })
    }

    /// The time of its latest entry (for ordering cases, newest first).
    pub(crate) fn latest(&self) -> Option<&str> {
        self.docs.iter().map(|(_, d)| d.created_at.as_str()).max()
    }

    /// How the authorship of the entry `id` (one of [`CaseEntries::docs`]) was judged.
    pub fn authorship(&self, id: &EntryId) -> Authorship {
        self.authors.get(id).copied().unwrap_or(Authorship { status: AuthorStatus::UnsignedOlder, counts: false })
    }

    /// The documents that count toward consent state, indicators and search: only
    /// those of a verified author (and, on her own device, the caseworker's own: see
    /// [`Judge`]). The others are still listed (marked), never counted.
    pub fn counted(&self) -> Vec<(EntryId, &CaseDocument)> {
        self.docs.iter().filter(|(id, _)| self.authorship(id).counts).map(|(id, d)| (*id, &**d)).collect()
    }

    /// Each authorship status among the case's documents, once, in
    /// [`AuthorStatus::all`] order (the export's `author_status` column).
    pub fn statuses(&self) -> Vec<AuthorStatus> {
        AuthorStatus::all()
            .into_iter()
            .filter(|s| self.docs.iter().any(|(id, _)| self.authorship(id).status == *s))
            .collect()
    }

    /// Which counted document vouches for `a` (see [`Vouched`]).
    pub fn vouched(&self, a: &CaseAttachment) -> Vouched {
        let names = |r: &AttachmentRef| match r.content {
            Some(content) => content == a.content,
            None => r.entry == a.id,
        };
        self.counted()
            .into_iter()
            .find(|(_, d)| d.entry.attachments().any(names))
            .map_or(Vouched::Unnamed, |(id, _)| Vouched::By(id))
    }

    /// Whether the case holds the attachment a document names: the same bytes (or, for a
    /// reference made before references named content, the same entry).
    pub fn holds(&self, r: &AttachmentRef) -> bool {
        self.attachments.iter().any(|a| match r.content {
            Some(content) => a.content == content,
            None => a.id == r.entry,
        })
    }

    /// Everything this group shows, for keying a list: its case and entry count.
    pub fn key(&self) -> (CaseId, usize) {
        (self.case, self.docs.len() + self.attachments.len())
    }
}

/// Where an entry sorts in its case: the intake first, the closure last.
pub(crate) fn rank(e: &CaseEntry) -> u8 {
    match e {
        CaseEntry::Intake(_) => 0,
        CaseEntry::Consent(_) | CaseEntry::FollowUp(_) => 1,
        CaseEntry::Closure(_) => 2,
    }
}

/// Groups opened entries by case: a document by the case sealed inside it, an
/// attachment by the case it was listed under. Cases with the newest entry first.
pub fn by_case(opened: impl IntoIterator<Item = (EntryId, CaseId, Content)>, judge: Judge) -> Vec<CaseEntries> {
    let mut book = CaseBook::new(judge);
    for (id, listed, content) in opened {
        book.add(id, listed, content);
    }
    book.sorted()
}

/// Opened entries grouped by case as they arrive ([`by_case`] all at once): adding an
/// entry touches only its own case, so the key holder's page, which opens thousands in
/// batches, never regroups what it already grouped.
#[derive(Debug, Default)]
pub struct CaseBook {
    index: std::collections::HashMap<CaseId, usize>,
    /// In the order their cases were first seen; each in reading order.
    groups: Vec<CaseEntries>,
    /// Judges each document's authorship as it is filed.
    judge: Judge,
}

impl CaseBook {
    /// An empty book that judges authorship with `judge`.
    pub fn new(judge: Judge) -> Self {
        CaseBook { judge, ..CaseBook::default() }
    }

    /// Files one opened entry under its case, in reading order (an entry that sorts
    /// equal to one already there goes after it, as a stable sort would put it).
    pub fn add(&mut self, id: EntryId, listed: CaseId, content: Content) {
        let case = match &content {
            Content::Document(d, _) => d.case,
            Content::Attachment { .. } => listed,
        };
        let groups = &mut self.groups;
        let at = *self.index.entry(case).or_insert_with(|| {
            groups.push(CaseEntries { case, docs: Vec::new(), attachments: Vec::new(), authors: Default::default() });
            groups.len() - 1
        });
        let group = &mut groups[at];
        match content {
            // A re-seal to a new keyring uploads the same document again under a new id
            // until an admin removes the old entry: one record, shown and counted once.
            Content::Document(d, _) if group.docs.iter().any(|(_, seen)| **seen == *d) => {}
            Content::Document(d, signer) => {
                group.authors.insert(id, self.judge.judge(&d.author, signer));
                let key = (rank(&d.entry), d.created_at.as_str());
                let pos = group.docs.partition_point(|(_, e)| (rank(&e.entry), e.created_at.as_str()) <= key);
                group.docs.insert(pos, (id, d));
            }
            // The same bytes re-sealed to a newer keyring: one file, listed once.
            Content::Attachment { content, .. } if group.attachments.iter().any(|a| a.content == content) => {}
            Content::Attachment { media_type, size, content } => {
                group.attachments.push(CaseAttachment { id, media_type, size, content })
            }
        }
    }

    /// Every case (the documents shared, not copied), the one with the newest entry
    /// first; cases without documents keep the order they were seen in, after the others.
    pub fn sorted(&self) -> Vec<CaseEntries> {
        let mut groups = self.groups.clone();
        groups.sort_by_cached_key(|g| std::cmp::Reverse(g.latest().map(str::to_owned)));
        groups
    }
}
