//! Which files of the built app the relay serves, decided before the file system is
//! asked for the file: a path that could name an app file ([`AppPath`]: short ASCII
//! segments, no dotfile), listed in the build's own list (`dist/hashes.txt`, which
//! `cargo xtask build` writes in `sha256sum -c` format), and found as a regular file
//! inside `dist` with no symlink on the way ([`locate`]).
//!
//! This is not a general static-file server: a `.env`, a `.git/` or a symlink left in
//! the served folder is never served, whatever the list says. A folder without
//! `hashes.txt` is a development build (the benches' pages, a hand-made `dist`): then
//! the path rules and the symlink rule alone decide.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The build's list of its files, itself served (the privacy page compares the served
/// files with it).
pub const LIST: &str = "hashes.txt";
/// The organisation's signature over the list (`amanat release sign`), served beside it.
pub const SIGNATURE: &str = shared::release::SIGNATURE_FILE;
/// Longest path segment: a file name on Linux (`NAME_MAX`).
pub const MAX_SEGMENT: usize = 255;
/// Longest path, far above any app file's and far below `PATH_MAX`.
pub const MAX_PATH: usize = 1024;

/// A request path that can name an app file: below `/`, segments of ASCII letters,
/// digits, `-`, `_` and `.`, none empty, none starting with `.` (so no `..`, no
/// dotfile, no percent-encoding), each at most [`MAX_SEGMENT`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPath(String);

impl AppPath {
    /// The path of a request URI (`/locales/ru.ftl`), or `None` if no app file has it.
    pub fn parse(uri_path: &str) -> Option<Self> {
        let rel = uri_path.strip_prefix('/')?;
        if rel.is_empty() || rel.len() > MAX_PATH {
            return None;
        }
        let fits = |seg: &str| {
            !seg.is_empty()
                && seg.len() <= MAX_SEGMENT
                && !seg.starts_with('.')
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        rel.split('/').all(fits).then(|| Self(rel.to_owned()))
    }

    /// Relative to the app folder, `/`-separated (`locales/ru.ftl`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the build's list (`<sha256>  <path>` lines) names `path`.
pub fn listed(list: &str, path: &AppPath) -> bool {
    list.lines()
        .any(|line| line.split_once(' ').is_some_and(|(_, name)| name.trim_start_matches([' ', '*']) == path.as_str()))
}

/// The file in `dist` the relay may answer `path` with, or `None` (a 404).
pub fn locate(dist: &Path, path: &AppPath) -> Option<PathBuf> {
    let root = dist.canonicalize().ok()?;
    if path.as_str() != LIST && path.as_str() != SIGNATURE {
        match fs::symlink_metadata(root.join(LIST)) {
            // A development build: the path and symlink rules alone.
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            _ => {
                let list = fs::read_to_string(regular_file(&root, LIST)?).ok()?;
                if !listed(&list, path) {
                    return None;
                }
            }
        }
    }
    regular_file(&root, path.as_str())
}

/// Whether `dist` has no list at all: a development build.
pub fn is_dev_build(dist: &Path) -> bool {
    matches!(fs::symlink_metadata(dist.join(LIST)), Err(e) if e.kind() == ErrorKind::NotFound)
}

/// `root/rel` if it is a regular file reached from the canonical `root` without a
/// symlink: the file itself is not one (`symlink_metadata`), and resolving every link
/// on the way changes nothing (`rel` has no `.` or `..`, so only a link could).
fn regular_file(root: &Path, rel: &str) -> Option<PathBuf> {
    let file = root.join(rel);
    if !fs::symlink_metadata(&file).ok()?.file_type().is_file() {
        return None;
    }
    (file.canonicalize().ok()? == file).then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> AppPath {
        AppPath::parse(p).unwrap_or_else(|| panic!("{p} is an app path"))
    }

    #[test]
    fn app_paths_are_short_plain_names_without_dotfiles() {
        for ok in ["/index.html", "/amanat_bg.wasm", "/locales/uz-Latn.ftl", "/chunk_12.wasm", "/hashes.txt"] {
            assert_eq!(path(ok).as_str(), &ok[1..]);
        }
        let long_segment = format!("/{}", "a".repeat(MAX_SEGMENT + 1));
        let long_path = format!("/{}", vec!["b"; MAX_PATH].join("/"));
        for bad in [
            "",
            "/",
            "index.html",
            "/.env",
            "/.git/config",
            "/a/.cache/x.js",
            "/..",
            "/locales/../x",
            "/locales//ru.ftl",
            "/locales/",
            "/%2eenv",
            "/a%20b",
            "/a\\b",
            "/a:b",
            "/ü.js",
            &long_segment,
            &long_path,
        ] {
            assert_eq!(AppPath::parse(bad), None, "{bad:?}");
        }
        assert!(AppPath::parse(&format!("/{}", "a".repeat(MAX_SEGMENT))).is_some());
    }

    #[test]
    fn the_list_is_read_as_sha256sum_writes_it() {
        let list = format!("{0}  index.html\n{0}  locales/ru.ftl\n{0} *amanat_bg.wasm\n", "0".repeat(64));
        for p in ["/index.html", "/locales/ru.ftl", "/amanat_bg.wasm"] {
            assert!(listed(&list, &path(p)), "{p}");
        }
        for p in ["/ru.ftl", "/locales", "/index.htm", "/x"] {
            assert!(!listed(&list, &path(p)), "{p}");
        }
    }

    #[test]
    fn only_listed_regular_files_reached_without_a_symlink_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let (dist, secret) = (dir.path().join("dist"), dir.path().join("secret"));
        fs::create_dir_all(dist.join("locales")).unwrap();
        fs::create_dir_all(&secret).unwrap();
        fs::write(secret.join("token"), "amt_live").unwrap();
        fs::write(dist.join("index.html"), "app").unwrap();
        fs::write(dist.join("locales/ru.ftl"), "app-name = Amanat").unwrap();
        fs::write(dist.join("extra.js"), "unlisted").unwrap();
        std::os::unix::fs::symlink(secret.join("token"), dist.join("token")).unwrap();
        std::os::unix::fs::symlink(&secret, dist.join("s")).unwrap();
        fs::create_dir_all(dist.join("folder.js")).unwrap();

        // A development build: no list, the path and symlink rules alone.
        assert!(is_dev_build(&dist));
        for p in ["/index.html", "/locales/ru.ftl", "/extra.js"] {
            assert!(locate(&dist, &path(p)).is_some(), "{p}");
        }
        for p in ["/token", "/s/token", "/folder.js", "/missing.js", "/hashes.txt"] {
            assert_eq!(locate(&dist, &path(p)), None, "{p}");
        }

        let list = format!("{0}  index.html\n{0}  locales/ru.ftl\n{0}  token\n{0}  s/token\n", "0".repeat(64));
        fs::write(dist.join(LIST), list).unwrap();
        assert!(!is_dev_build(&dist));
        for p in ["/index.html", "/locales/ru.ftl", "/hashes.txt"] {
            assert!(locate(&dist, &path(p)).is_some(), "{p}");
        }
        // The signature over the list is not in the list it signs, and is served.
        assert_eq!(locate(&dist, &path("/release.sig")), None, "not signed yet");
        fs::write(dist.join(SIGNATURE), "amanat release v1\n").unwrap();
        assert!(locate(&dist, &path("/release.sig")).is_some());
        for p in ["/extra.js", "/token", "/s/token", "/folder.js"] {
            assert_eq!(locate(&dist, &path(p)), None, "{p}");
        }

        // A list that is itself a symlink is not trusted: nothing is served.
        fs::remove_file(dist.join(LIST)).unwrap();
        fs::write(secret.join("list"), format!("{}  index.html\n", "0".repeat(64))).unwrap();
        std::os::unix::fs::symlink(secret.join("list"), dist.join(LIST)).unwrap();
        assert!(!is_dev_build(&dist));
        assert_eq!(locate(&dist, &path("/index.html")), None);
        assert_eq!(locate(&dist, &path("/hashes.txt")), None);
    }
}
