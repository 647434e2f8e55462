//! Content-hashed names for the app's immutable files, so the relay can let a browser
//! keep them for a year without asking (`Cache-Control: immutable`, see
//! `backend/src/web.rs`): a changed file always gets a new name, an unchanged one keeps
//! its name from build to build.
//!
//! A name is `<stem>.<tag>.<ext>` with `tag` the first 16 hex digits of the SHA-256 of
//! the file's final bytes (`amanat_bg.0123456789abcdef.wasm`). Renamed: the main wasm,
//! every wasm-split chunk, the chunk loader and the JS glue, `boot.js`, the styles.
//! The files that name them are rewritten first, leaves before those that name them,
//! so a file's tag covers the new names inside it. The JS glue and the chunk loader name
//! each other (the glue imports the loader, the loader imports the glue for `initSync`,
//! and both must be one module instance per URL), so they share one tag: the SHA-256
//! of both with those two names as they were, which still changes whenever either
//! file's bytes change, because nothing else in them depends on the tag.
//!
//! Kept as they are (fixed names, `no-cache`): `index.html`, `sw.js`, `hashes.txt`,
//! `release.sig`, the manifest and its icons, `favicon.svg`, `open-worker.js` (the app's
//! code names it) and the catalogs (the app fetches them by language).

use anyhow::{ensure, Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

use shared::release::TAG_LEN;

/// `stem.tag.ext` for `name` (`stem.ext`) and `bytes`.
fn tagged(name: &str, tag: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{tag}.{ext}"),
        None => format!("{name}.{tag}"),
    }
}

fn tag_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))[..TAG_LEN].to_owned()
}

/// Replaces every `from` in `text` by `to`, failing when there is none (a build whose
/// files no longer read as this expects must not ship half renamed).
fn replace_all(text: &str, from: &str, to: &str, file: &str) -> Result<String> {
    ensure!(
        text.contains(from),
        "{file} no longer contains {from}: the renaming in xtask/src/hashed_names.rs needs updating"
    );
    Ok(text.replace(from, to))
}

/// Renames the immutable files of `dist` (a fresh build with the static files copied
/// in) to content-hashed names and rewrites the files that name them. Returns the
/// renames, old name → new name.
pub fn apply(dist: &Path) -> Result<Vec<(String, String)>> {
    let read = |name: &str| fs::read_to_string(dist.join(name)).with_context(|| format!("reading dist/{name}"));
    let mut renames = Vec::new();
    let rename_by_content = |name: &str, renames: &mut Vec<(String, String)>| -> Result<String> {
        let bytes = fs::read(dist.join(name)).with_context(|| format!("reading dist/{name}"))?;
        let new = tagged(name, &tag_of(&bytes));
        fs::rename(dist.join(name), dist.join(&new))?;
        renames.push((name.to_owned(), new.clone()));
        Ok(new)
    };

    // Leaves: the wasm modules (they name no file; their imports are module names
    // the JS glue and the loader resolve, not URLs) and the styles.
    let mut chunks: Vec<String> = fs::read_dir(dist)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| (n.starts_with("chunk_") || n.starts_with("split_")) && n.ends_with(".wasm"))
        .collect();
    chunks.sort();
    let main_wasm = rename_by_content("amanat_bg.wasm", &mut renames)?;
    let styles = [rename_by_content("style.css", &mut renames)?, rename_by_content("forms.css", &mut renames)?];

    // The chunk loader names every chunk.
    let mut loader = read("__wasm_split.js")?;
    for chunk in &chunks {
        let new = rename_by_content(chunk, &mut renames)?;
        loader = replace_all(&loader, &format!("\"./{chunk}\""), &format!("\"./{new}\""), "__wasm_split.js")?;
    }
    // The glue and the loader name each other: one tag over both as they are now.
    let glue = read("amanat.js")?;
    let tag = tag_of(&[glue.as_bytes(), b"\0", loader.as_bytes()].concat());
    let (glue_name, loader_name) = (tagged("amanat.js", &tag), tagged("__wasm_split.js", &tag));
    let glue = replace_all(&glue, "from \"./__wasm_split.js\"", &format!("from \"./{loader_name}\""), "amanat.js")?;
    let loader = replace_all(&loader, "from \"./amanat.js\"", &format!("from \"./{glue_name}\""), "__wasm_split.js")?;
    fs::remove_file(dist.join("amanat.js"))?;
    fs::remove_file(dist.join("__wasm_split.js"))?;
    fs::write(dist.join(&glue_name), glue)?;
    fs::write(dist.join(&loader_name), loader)?;
    renames.push(("amanat.js".into(), glue_name.clone()));
    renames.push(("__wasm_split.js".into(), loader_name.clone()));

    // The scripts that start the module: the page's (renamed) and the workers' (kept).
    for script in ["boot.js", "open-worker.js"] {
        let text = read(script)?;
        let text = replace_all(&text, "'./amanat.js'", &format!("'./{glue_name}'"), script)?;
        let text = replace_all(&text, "'./amanat_bg.wasm'", &format!("'./{main_wasm}'"), script)?;
        fs::write(dist.join(script), text)?;
    }
    let boot = rename_by_content("boot.js", &mut renames)?;

    // The page names the styles and the boot script, and preloads the glue, the loader
    // and the main wasm.
    let mut html = read("index.html")?;
    for (old, new) in [
        ("style.css", &styles[0]),
        ("forms.css", &styles[1]),
        ("boot.js", &boot),
        ("amanat.js", &glue_name),
        ("__wasm_split.js", &loader_name),
        ("amanat_bg.wasm", &main_wasm),
    ] {
        html = replace_all(&html, &format!("\"/{old}\""), &format!("\"/{new}\""), "index.html")?;
    }
    fs::write(dist.join("index.html"), html)?;
    Ok(renames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::release::is_content_tagged as is_tagged;

    /// A miniature of what build_wasm and the static files leave in dist/.
    fn fake_dist(dir: &Path, chunk_byte: u8) {
        let w = |n: &str, s: &[u8]| fs::write(dir.join(n), s).unwrap();
        w("amanat_bg.wasm", b"\0asm main");
        w("chunk_1.wasm", &[0, b'a', b's', b'm', chunk_byte]);
        w("chunk_10.wasm", b"\0asm ten");
        w("split_adviser.wasm", b"\0asm adviser");
        w(
            "__wasm_split.js",
            b"import { initSync } from \"./amanat.js\";\nfetch(new URL(\"./chunk_1.wasm\", import.meta.url));\nfetch(new URL(\"./chunk_10.wasm\", import.meta.url));\nfetch(new URL(\"./split_adviser.wasm\", import.meta.url));\n",
        );
        w(
            "amanat.js",
            b"import * as import1 from \"./__wasm_split.js\"\nconst m = { \"./__wasm_split.js\": import1 };\n",
        );
        w("boot.js", b"import init from './amanat.js';\ninit({ module_or_path: './amanat_bg.wasm' });\n");
        w("open-worker.js", b"import init from './amanat.js';\ninit({ module_or_path: new URL('./amanat_bg.wasm', import.meta.url) });\n");
        w("style.css", b"body {}");
        w("forms.css", b"form {}");
        w(
            "index.html",
            b"<link href=\"/amanat_bg.wasm\"><link href=\"/amanat.js\"><link href=\"/__wasm_split.js\"><link href=\"/style.css\"><link href=\"/forms.css\"><script src=\"/boot.js\"></script>",
        );
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn every_immutable_file_gets_a_tagged_name_and_every_reference_follows() {
        let dir = tempfile::tempdir().unwrap();
        fake_dist(dir.path(), 1);
        apply(dir.path()).unwrap();
        let all = names(dir.path());
        let fixed = ["index.html", "open-worker.js"];
        for n in &all {
            assert!(fixed.contains(&n.as_str()) || is_tagged(n), "{n} kept a fixed name");
        }
        let text = |n: &str| fs::read_to_string(dir.path().join(n)).unwrap();
        let find = |prefix: &str| all.iter().find(|n| n.starts_with(prefix)).unwrap().clone();
        // Every name a file mentions exists.
        let loader = text(&find("__wasm_split."));
        let glue = text(&find("amanat."));
        for n in ["chunk_1.", "chunk_10.", "split_adviser.", "amanat."] {
            assert!(loader.contains(&format!("\"./{}\"", find(n))), "the loader names {n}: {loader}");
        }
        assert!(glue.contains(&format!("from \"./{}\"", find("__wasm_split."))), "{glue}");
        assert!(glue.contains("\"./__wasm_split.js\": import1"), "the wasm import's module name is left alone: {glue}");
        for script in [find("boot."), "open-worker.js".into()] {
            let s = text(&script);
            assert!(s.contains(&find("amanat.")) && s.contains(&find("amanat_bg.")), "{s}");
        }
        let html = text("index.html");
        for n in ["style.", "forms.", "boot.", "amanat.", "__wasm_split.", "amanat_bg."] {
            assert!(html.contains(&format!("\"/{}\"", find(n))), "{html}");
        }
        // A tag is the content's: a file whose tag is its own SHA-256 prefix.
        let wasm = find("amanat_bg.");
        assert!(wasm.contains(&tag_of(&fs::read(dir.path().join(&wasm)).unwrap())));
    }

    #[test]
    fn a_changed_chunk_renames_it_and_every_file_that_names_it_and_nothing_else() {
        let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fake_dist(a.path(), 1);
        fake_dist(b.path(), 1);
        fake_dist(c.path(), 2);
        apply(a.path()).unwrap();
        apply(b.path()).unwrap();
        apply(c.path()).unwrap();
        assert_eq!(names(a.path()), names(b.path()), "the same build, the same names");
        let (before, after) = (names(a.path()), names(c.path()));
        let changed: Vec<&String> = before.iter().filter(|n| !after.contains(n)).collect();
        let prefixes: Vec<&str> = changed.iter().map(|n| n.split('.').next().unwrap()).collect();
        // The chunk, the loader naming it, the glue naming the loader, boot.js naming
        // the glue; the main wasm, the other chunks and the styles keep their names.
        assert_eq!(prefixes, ["__wasm_split", "amanat", "boot", "chunk_1"], "{changed:?}");
        // Same name means same bytes, across the two builds.
        for n in before.iter().filter(|n| after.contains(n) && is_tagged(n)) {
            assert_eq!(fs::read(a.path().join(n)).unwrap(), fs::read(c.path().join(n)).unwrap(), "{n}");
        }
    }
}
