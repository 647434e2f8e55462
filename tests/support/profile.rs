//! Reading a closed browser's profile directory as someone at the same computer could
//! later: every file, byte for byte (History, Sessions, Top Sites, Cookies, caches,
//! IndexedDB…), whatever format Chromium chose for it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&e.path(), out),
            Ok(t) if t.is_file() => out.push(e.path()),
            _ => {}
        }
    }
}

/// Whether `hay` contains `needle`.
pub fn holds(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The files under `dir` that hold `needle` anywhere.
pub fn files_holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|f| std::fs::read(f).is_ok_and(|b| holds(&b, needle))).collect()
}

/// Every token that starts with `prefix` (`enr_`) in any file under `dir`, read as the
/// longest run of URL-safe characters (`A–Z a–z 0–9 - _`) after it, with the files it
/// was found in. Runs shorter than `min_len` characters after the prefix are skipped.
pub fn tokens_in(dir: &Path, prefix: &str, min_len: usize) -> BTreeMap<String, Vec<PathBuf>> {
    let mut found: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let p = prefix.as_bytes();
    for file in files_under(dir) {
        let Ok(bytes) = std::fs::read(&file) else { continue };
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(p.len()).position(|w| w == p) {
            let start = at + i + p.len();
            let len =
                bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_').count();
            if len >= min_len {
                let token = format!("{prefix}{}", String::from_utf8_lossy(&bytes[start..start + len]));
                let files = found.entry(token).or_default();
                if !files.contains(&file) {
                    files.push(file.clone());
                }
            }
            at = start;
        }
    }
    found
}
