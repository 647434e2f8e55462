//! `cargo xtask build`: the release app into `dist/`.
//!
//! Steps: compile `amanat-frontend` for wasm32 with the size-first `wasm-release`
//! profile; generate the JS glue with `wasm-bindgen-cli-support` (a library pinned to
//! the same version as the `wasm-bindgen` crate, so the two can never disagree); shrink
//! with `wasm-opt -Oz` (binaryen from npm, pinned and installed once: see `setup::wasm_opt`); copy
//! `frontend/static/`, and the catalogs `shared/locales/*.ftl` into `dist/locales/`;
//! record every served file's SHA-256 in `dist/hashes.txt` (`sha256sum -c` format).

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, setup, sh};

/// What a build produced.
pub struct Built {
    /// gzip size of the .wasm and the JS glue, in bytes.
    pub gzip_bytes: usize,
}

/// The release app into `dist/`.
pub fn build_app() -> Result<Built> {
    let root = root();
    let dist = root.join("dist");
    let built = build_wasm(&[], &dist)?;
    for entry in fs::read_dir(root.join("frontend/static"))? {
        let entry = entry?;
        fs::copy(entry.path(), dist.join(entry.file_name()))?;
    }
    // The translation catalogs, fetched by the app per language (`frontend/src/i18n.rs`).
    fs::create_dir_all(dist.join("locales"))?;
    for entry in fs::read_dir(root.join("shared/locales"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ftl") {
            fs::copy(&path, dist.join("locales").join(path.file_name().expect("a file")))?;
        }
    }
    write_hashes(&dist)?;
    eprintln!("xtask: app built in {} ({} KB gzip: wasm + JS glue)", dist.display(), built.gzip_bytes / 1024);
    Ok(built)
}

/// Compiles the frontend with `features` and writes `amanat.js` + `amanat_bg.wasm`
/// into a fresh `out` directory.
pub fn build_wasm(features: &[&str], out: &Path) -> Result<Built> {
    setup::wasm_target()?;
    let root = root();
    let mut cmd = Command::new(cargo());
    cmd.current_dir(&root).args([
        "build",
        "-p",
        "amanat-frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]);
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    sh(&mut cmd).context("building the wasm app")?;

    let target_dir = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
    let wasm = target_dir.join("wasm32-unknown-unknown/wasm-release/amanat_frontend.wasm");
    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    fs::create_dir_all(out)?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .out_name("amanat")
        .typescript(false)
        .generate(out)
        .context("wasm-bindgen")?;

    let out_wasm = out.join("amanat_bg.wasm");
    if let Some(wasm_opt) = setup::wasm_opt() {
        let tmp = out.join("amanat_bg.opt.wasm");
        // The features rustc emits for wasm32 today, named one by one.
        sh(Command::new(wasm_opt)
            .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
            .args(["--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals"])
            .arg(&out_wasm)
            .arg("-o")
            .arg(&tmp))?;
        fs::rename(&tmp, &out_wasm)?;
    }
    let gzip_bytes = gzip_len(&fs::read(&out_wasm)?)? + gzip_len(&fs::read(out.join("amanat.js"))?)?;
    Ok(Built { gzip_bytes })
}

/// `dist/hashes.txt`: `sha256  path` for every served file, sorted.
fn write_hashes(dist: &Path) -> Result<()> {
    // Every file the relay serves, subfolders too (`locales/`), by its path under dist/
    // with `/` separators, in the format `sha256sum -c` reads.
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
        for e in fs::read_dir(dir)? {
            let e = e?;
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                walk(&e.path(), &format!("{name}/"), out)?;
            } else if name != "hashes.txt" {
                out.push(name);
            }
        }
        Ok(())
    }
    let mut names = Vec::new();
    walk(dist, "", &mut names)?;
    names.sort();
    let mut out = String::new();
    for n in names {
        out.push_str(&format!("{}  {n}\n", hex::encode(Sha256::digest(fs::read(dist.join(&n))?))));
    }
    fs::write(dist.join("hashes.txt"), out)?;
    Ok(())
}

pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}
