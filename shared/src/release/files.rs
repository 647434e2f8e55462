//! Which files of a built app go where, and the two lists made from them: the signed
//! list (`hashes.txt`) and the service worker's (`sw.js`). One rule for every tool that
//! writes them: `cargo xtask build`, and `amanat release sign --relay-origin`, which
//! changes `index.html` in a built app and must then rewrite both lists exactly as the
//! build would.
//!
//! Callers read the files; this module only decides and formats (no I/O).

use sha2::{Digest, Sha256};

/// The signed list's file name.
pub const LIST_FILE: &str = "hashes.txt";
/// The service worker's file name.
pub const SERVICE_WORKER: &str = "sw.js";

/// Whether `name` is a compressed twin (`*.br`, `*.gz`) of another file.
pub fn is_twin(name: &str) -> bool {
    name.ends_with(".br") || name.ends_with(".gz")
}

/// Whether `name` (a path below the app folder, `/` separators) is in `hashes.txt`:
/// every served file but the list and its signature.
pub fn in_list(name: &str) -> bool {
    name != LIST_FILE && name != super::SIGNATURE_FILE
}

/// Whether `name` is in the service worker's shell: every file of the list but the
/// worker itself and the compressed twins.
pub fn in_shell(name: &str) -> bool {
    in_list(name) && name != SERVICE_WORKER && !is_twin(name)
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `hashes.txt`'s text (`sha256sum -c` format) for `(name, sha256 hex)` pairs: those
/// [`in_list`], sorted by name.
pub fn list_text(files: &[(String, String)]) -> String {
    let mut files: Vec<&(String, String)> = files.iter().filter(|(n, _)| in_list(n)).collect();
    files.sort();
    files.iter().map(|(n, h)| format!("{h}  {n}\n")).collect()
}

/// `sw.js` with its shell list (`const FILES = …;`) and cache name (`const SHELL =
/// …;`) filled for `(name, sha256 hex)` pairs (those [`in_shell`]): `sw` may be the
/// source (`frontend/static/sw.js`) or a worker filled before. `None` when `sw` has no
/// such lines.
pub fn fill_service_worker(sw: &str, files: &[(String, String)]) -> Option<String> {
    let mut files: Vec<&(String, String)> = files.iter().filter(|(n, _)| in_shell(n)).collect();
    files.sort();
    let mut digest = Sha256::new();
    let mut entries = Vec::new();
    for (f, hash) in &files {
        digest.update(f.as_bytes());
        digest.update(hash.as_bytes());
        if f == "index.html" {
            entries.push(format!("'/': '{hash}'"));
        }
        entries.push(format!("'/{f}': '{hash}'"));
    }
    let version = &hex::encode(digest.finalize())[..16];
    let (mut shell, mut list) = (false, false);
    let mut out = String::with_capacity(sw.len() + entries.len() * 90);
    for line in sw.split_inclusive('\n') {
        if line.starts_with("const SHELL = ") {
            shell = true;
            out.push_str(&format!("const SHELL = 'amanat-shell-{version}';\n"));
        } else if line.starts_with("const FILES = ") {
            list = true;
            out.push_str(&format!("const FILES = {{ {} }};\n", entries.join(", ")));
        } else {
            out.push_str(line);
        }
    }
    (shell && list && entries.iter().any(|e| e.starts_with("'/': '"))).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, String)> {
        ["index.html", "sw.js", "sw.js.br", "hashes.txt", "release.sig", "a.0123456789abcdef.wasm", "locales/en.ftl"]
            .iter()
            .map(|n| ((*n).to_owned(), sha256_hex(n.as_bytes())))
            .collect()
    }

    #[test]
    fn the_list_names_every_served_file_and_the_shell_leaves_out_the_worker_and_twins() {
        let list = list_text(&files());
        let names: Vec<&str> = list.lines().map(|l| l.split_once("  ").unwrap().1).collect();
        assert_eq!(names, ["a.0123456789abcdef.wasm", "index.html", "locales/en.ftl", "sw.js", "sw.js.br"]);
        let sw = "// x\nconst SHELL = 'amanat-shell-dev';\nconst FILES = { '/': null, '/index.html': null };\nrest\n";
        let filled = fill_service_worker(sw, &files()).unwrap();
        assert!(filled.contains("'/locales/en.ftl': '") && filled.contains("'/': '"), "{filled}");
        assert!(!filled.contains("'/sw.js'") && !filled.contains(".br'") && !filled.contains("hashes.txt"));
        assert!(filled.starts_with("// x\nconst SHELL = 'amanat-shell-") && filled.ends_with("rest\n"));
        assert_eq!(fill_service_worker(&filled, &files()).as_deref(), Some(filled.as_str()), "refilling is stable");
        let mut changed = files();
        changed[0].1 = sha256_hex(b"another page");
        let refilled = fill_service_worker(&filled, &changed).unwrap();
        assert_ne!(refilled, filled, "a changed file changes the list and the cache name");
        assert_eq!(fill_service_worker("no lines here", &files()), None);
    }
}
