//! References to attachments: photos and scans sealed as entries of their own.
//!
//! An attachment's bytes are sealed with age as a stream (constant memory) into an
//! entry of the case; a form refers to it by that entry's id. The reference (with the
//! media type and size) lives inside the form's own ciphertext, so the relay sees only
//! one more opaque entry. It also carries the SHA-256 of the bytes, which survives the
//! attachment being sealed again to a newer keyring. [`MediaType::sniff`] recognises
//! the accepted formats by their first bytes, so a file is accepted for what it is, not
//! for its name.

use serde::{Deserialize, Serialize};

use super::codes::code_list;
use crate::ids::{ContentHash, EntryId};

/// Largest attachment accepted, in bytes (a 20 MB scan fits with room to spare).
pub const MAX_ATTACHMENT_BYTES: u64 = 32 * 1024 * 1024;
/// Longest caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 200;

code_list! {
    /// The formats a photo or scan may have.
    MediaType = "media_type" {
        Jpeg = "jpeg",
        Png = "png",
        Webp = "webp",
        Pdf = "pdf",
    }
}

impl MediaType {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Pdf => "application/pdf",
        }
    }

    /// The format of a file from its first bytes (at least 12 are needed for WebP).
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(MediaType::Webp)
        } else if head.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else {
            None
        }
    }
}

/// A sealed attachment, as a form refers to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// The entry that holds the sealed bytes.
    pub entry: EntryId,
    pub media_type: MediaType,
    /// Plaintext size in bytes.
    pub size: u64,
    /// What the page shows ("consent, page 1"); never the original file name.
    #[serde(default)]
    pub caption: String,
    /// The SHA-256 of the attachment's bytes: it stays true when the attachment is sealed
    /// again to a newer keyring (a new entry, a new `entry` id), so a signed document
    /// still names exactly the bytes its author attached. `None` in references made
    /// before it existed; such an attachment is never sealed again under a signed
    /// document (`frontend/src/adviser/reseal.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentHash>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_their_bytes_not_their_names() {
        assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(MediaType::sniff(b"%PDF-1.7"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"MZ\x90\0"), None);
        assert_eq!(MediaType::sniff(b"RIFF"), None);
    }
}
