//! Tidy checks, in the manner of rust-analyzer's `tidy.rs`: facts about the tree that no
//! compiler checks but a newcomer relies on.
//!
//! - every path and module that `ARCHITECTURE.md` names in backticks exists, so the map
//!   cannot drift from the territory;
//! - every `#[wasm_split(name …)]` chunk of the browser app is named in `ARCHITECTURE.md`;
//! - every `.rs` file opens with a `//!` module doc;
//! - no source file outside tests is over [`MAX_LINES`] lines.
//!
//! What it does not check: whether the prose is true. That stays a reviewer's job.

use anyhow::{bail, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Longest a non-test source file may be.
pub const MAX_LINES: usize = 600;

/// The crates whose module paths (`shared::forms::check`) ARCHITECTURE.md may name, and
/// where their sources are.
const CRATES: &[(&str, &str)] =
    &[("shared", "shared/src"), ("frontend", "frontend/src"), ("backend", "backend/src"), ("xtask", "xtask/src")];

/// Runs every check and fails with the whole list of findings.
pub fn check(root: &Path) -> Result<()> {
    let files = rust_files(root)?;
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md"))?;
    let mut findings = Vec::new();
    findings.extend(missing_named_paths(root, &architecture));
    findings.extend(unnamed_chunks(root, &files, &architecture)?);
    for file in &files {
        let text = std::fs::read_to_string(root.join(file))?;
        if !has_module_doc(&text) {
            findings.push(format!("{}: no `//!` module doc at the top", file.display()));
        }
        let lines = text.lines().count();
        if lines > MAX_LINES && !is_test_file(file) {
            findings.push(format!("{}: {lines} lines (at most {MAX_LINES} outside tests)", file.display()));
        }
    }
    if !findings.is_empty() {
        bail!("tidy found {} problem(s):\n  {}", findings.len(), findings.join("\n  "));
    }
    Ok(())
}

/// Every `.rs` file the project keeps in git, relative to the root.
fn rust_files(root: &Path) -> Result<Vec<PathBuf>> {
    let out = std::process::Command::new("git").current_dir(root).args(["ls-files", "-z", "--", "*.rs"]).output()?;
    if !out.status.success() {
        bail!("git ls-files failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| root.join(p).exists())
        .collect())
}

/// Tests and fixtures may be long: a story reads best whole.
fn is_test_file(path: &Path) -> bool {
    let s = path.to_string_lossy();
    s.starts_with("tests/")
        || s.contains("/tests/")
        || s.ends_with("/tests.rs")
        || s.starts_with("fuzz/")
        || s.ends_with("/fixtures.rs")
}

/// A file's first non-empty line is a `//!` doc (an attribute such as
/// `#![cfg(...)]` may come first).
fn has_module_doc(text: &str) -> bool {
    text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("#![")).is_some_and(|l| l.starts_with("//!"))
}

/// The spans of text in backticks, outside fenced code blocks.
fn backticked(markdown: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find('`') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('`') else { break };
            spans.push(&after[..end]);
            rest = &after[end + 1..];
        }
    }
    spans
}

/// A backticked span that names a file or folder of the tree: relative, slash-separated,
/// made of path characters, with a slash or a known extension.
fn as_tree_path(span: &str) -> Option<&str> {
    let path_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-');
    let looks_like_file =
        [".rs", ".toml", ".md", ".json", ".js", ".html", ".css", ".ftl", ".sql"].iter().any(|ext| span.ends_with(ext));
    let first = span.split('/').next().unwrap_or_default();
    let known_root = ["shared", "frontend", "backend", "tests", "xtask", "fuzz", "docs", ".ci", ".cargo"]
        .contains(&first)
        || (!span.contains('/') && looks_like_file);
    (span.chars().all(path_chars)
        && (span.contains('/') || looks_like_file)
        && known_root
        && !span.contains("..")
        && !span.contains('*'))
    .then_some(span.trim_end_matches('/'))
}

/// Paths and modules ARCHITECTURE.md names that the tree does not have. A path with a
/// slash is taken from the root; a bare file name (`view.rs`) must exist somewhere under
/// the folder of the section it is in (`### \`frontend/\``), or anywhere outside `target/`
/// before the first such section.
fn missing_named_paths(root: &Path, architecture: &str) -> Vec<String> {
    let mut missing = BTreeSet::new();
    let mut section = String::new();
    let mut fenced = false;
    for line in architecture.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(heading) = line.strip_prefix("### ") {
            if let Some(folder) = backticked(heading).first().and_then(|s| as_tree_path(s)) {
                section = folder.to_owned();
            }
            continue;
        }
        for span in backticked(line) {
            if let Some(path) = as_tree_path(span) {
                let found = if path.contains('/') {
                    root.join(path).exists()
                } else {
                    root.join(path).exists() || exists_under(&root.join(&section), path)
                };
                if !found {
                    let place = if section.is_empty() { String::new() } else { format!(" (under `{section}/`)") };
                    missing.insert(format!("ARCHITECTURE.md names `{path}`{place}, which does not exist"));
                }
            } else if let Some(problem) = missing_module(root, span) {
                missing.insert(problem);
            }
        }
    }
    missing.into_iter().collect()
}

/// Whether a file or folder called `name` is anywhere under `dir` (skipping `target/`
/// and hidden folders).
fn exists_under(dir: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.filter_map(Result::ok).any(|e| {
        let file_name = e.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name == name {
            return true;
        }
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        is_dir && file_name != "target" && !file_name.starts_with('.') && exists_under(&e.path(), name)
    })
}

/// For a span such as `shared::forms::check` or `frontend::reading::CaseBook`: every
/// module segment must be a file or folder, and a last segment that is not a module
/// must at least appear in its parent module's source.
fn missing_module(root: &Path, span: &str) -> Option<String> {
    let segments: Vec<&str> = span.split("::").collect();
    let (&krate, rest) = segments.split_first()?;
    let &(_, src) = CRATES.iter().find(|(name, _)| *name == krate)?;
    if rest.is_empty() || !segments.iter().all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return None;
    }
    let mut dir = root.join(src);
    let mut parent_file = ["lib.rs", "main.rs"].iter().map(|f| dir.join(f)).find(|p| p.exists())?;
    for (i, segment) in rest.iter().enumerate() {
        let as_file = dir.join(format!("{segment}.rs"));
        let as_dir = dir.join(segment).join("mod.rs");
        let module = [as_file, as_dir].into_iter().find(|p| p.exists());
        match module {
            Some(file) => {
                dir = dir.join(segment);
                parent_file = file;
            }
            None => {
                // An item (type, function, constant) of the module named so far, or an
                // inline module: it must be written in the parent's source.
                let last = i + 1 == rest.len();
                let text = std::fs::read_to_string(&parent_file).unwrap_or_default();
                if last && text.contains(segment) {
                    return None;
                }
                return Some(format!(
                    "ARCHITECTURE.md names `{span}`, but `{segment}` is neither a module nor an item of {}",
                    parent_file.strip_prefix(root).unwrap_or(&parent_file).display()
                ));
            }
        }
    }
    None
}

/// The names of `#[wasm_split(name, …)]` chunks in the browser app's sources.
fn chunk_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("wasm_split(") {
        let after = &rest[at + "wasm_split(".len()..];
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let attribute = rest[..at].trim_end().ends_with("#[") || rest[..at].ends_with("wasm_split::");
        if attribute && !name.is_empty() {
            names.push(name);
        }
        rest = after;
    }
    names
}

/// Chunks the app is cut into that ARCHITECTURE.md does not name (in backticks).
fn unnamed_chunks(root: &Path, files: &[PathBuf], architecture: &str) -> Result<Vec<String>> {
    let named: BTreeSet<&str> = backticked(architecture).into_iter().collect();
    let mut chunks = BTreeSet::new();
    for file in files.iter().filter(|f| f.starts_with("frontend/src")) {
        chunks.extend(chunk_names(&std::fs::read_to_string(root.join(file))?));
    }
    Ok(chunks
        .into_iter()
        .filter(|c| !named.contains(c.as_str()))
        .map(|c| format!("the wasm chunk `{c}` is not named (in backticks) in ARCHITECTURE.md"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_told_from_module_names_and_prose() {
        assert_eq!(as_tree_path("shared/src/seal.rs"), Some("shared/src/seal.rs"));
        assert_eq!(as_tree_path("backend/src/store/"), Some("backend/src/store"));
        assert_eq!(as_tree_path("Cargo.toml"), Some("Cargo.toml"));
        assert_eq!(as_tree_path("shared::seal"), None);
        assert_eq!(as_tree_path("GET /api/v1/keyring"), None);
        assert_eq!(as_tree_path("/api/v1/entries"), None);
        assert_eq!(as_tree_path("application/octet-stream"), None);
        assert_eq!(as_tree_path("target/<profile>/"), None);
    }

    #[test]
    fn backticks_in_fenced_blocks_are_not_names() {
        let md = "see `a/b.rs` and `c`\n```\n`not/this.rs`\n```\n`d.rs`";
        assert_eq!(backticked(md), vec!["a/b.rs", "c", "d.rs"]);
    }

    #[test]
    fn chunk_names_come_from_attributes_not_imports() {
        let src = "use leptos::wasm_split::{wasm_split, X};\n#[wasm_split(open_worker, wasm_split_path = p)]\n\
                   #[leptos::wasm_split::wasm_split(case_forms, fallible)]\nfn f() {}";
        assert_eq!(chunk_names(src), vec!["open_worker", "case_forms"]);
    }

    #[test]
    fn a_module_doc_may_follow_inner_attributes() {
        assert!(has_module_doc("#![cfg(test)]\n\n//! Doc.\nfn f() {}"));
        assert!(!has_module_doc("use x;\n//! Late doc."));
        assert!(!has_module_doc("/// Item doc.\nfn f() {}"));
    }

    #[test]
    fn bare_file_names_are_looked_for_under_their_section() {
        let root = crate::root();
        let md = "### `xtask/`\n`tidy.rs` and `bench-page/`\n### `shared/`\n`tidy.rs`\n";
        assert_eq!(
            missing_named_paths(&root, md),
            vec!["ARCHITECTURE.md names `tidy.rs` (under `shared/`), which does not exist".to_owned()]
        );
    }

    #[test]
    fn module_paths_are_resolved_against_the_tree() {
        let root = crate::root();
        assert_eq!(missing_module(&root, "xtask::tidy"), None);
        assert_eq!(missing_module(&root, "xtask::tidy::MAX_LINES"), None);
        assert!(missing_module(&root, "xtask::no_such_module").is_some());
        assert!(missing_module(&root, "xtask::no_such::deeper").is_some());
        assert_eq!(missing_module(&root, "serde::Serialize"), None, "other crates are not checked");
    }
}
