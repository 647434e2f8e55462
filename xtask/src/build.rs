//! `cargo xtask build`: the release app into `dist/`.
//!
//! Steps: compile `amanat-frontend` for wasm32 with the size-first `wasm-release`
//! profile; generate the JS glue with `wasm-bindgen-cli-support` (a library pinned to
//! the same version as the `wasm-bindgen` crate, so the two can never disagree); shrink
//! with `wasm-opt -Oz` (binaryen from npm, pinned and installed once: see `setup::wasm_opt`); copy
//! `frontend/static/`, and the catalogs `shared/locales/*.ftl` into `dist/locales/`;
//! give the immutable files content-hashed names (`xtask/src/hashed_names.rs`);
//! write a Brotli and a gzip twin of every file that compresses (`app.wasm.br`,
//! `app.wasm.gz`: the relay sends one of them when the browser accepts it, see
//! `backend/src/web.rs`); record every served file's SHA-256, twins included, in
//! `dist/hashes.txt` (`sha256sum -c` format).

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pin::Trust;
use crate::{cargo, root, setup, sh};
use shared::origin::WebOrigin;

/// What a build produced.
pub struct Built {
    /// gzip size of what the first paint loads (the main .wasm, the JS glue and the
    /// chunk loader), in bytes.
    pub gzip_bytes: usize,
    /// Each lazily loaded chunk's file name and gzip size, in bytes.
    pub chunk_gzip: Vec<(String, usize)>,
    /// Each split point (`workspace`, `case_forms`, `adviser`, `privacy`, `unlock`,
    /// `key_unlock`, `open_worker`) and the chunk files opening
    /// it fetches (its own and those it shares with others), sorted by name.
    pub splits: Vec<(String, Vec<String>)>,
}

/// The release app into `dist/`, pinned to an organisation key or a demo build.
pub fn build_app(trust: &Trust, relay: Option<&WebOrigin>) -> Result<Built> {
    let root = root();
    let dist = root.join("dist");
    let built = build_wasm(&[], &dist, trust)?;
    for entry in fs::read_dir(root.join("frontend/static"))? {
        let entry = entry?;
        fs::copy(entry.path(), dist.join(entry.file_name()))?;
    }
    // The relay's origin when the app is served from another (`--relay-origin`): a
    // tag in index.html, so the signed list and the worker's cover it (`shared::origin`).
    if let Some(relay) = relay {
        let index = fs::read_to_string(dist.join("index.html"))?;
        let set = shared::origin::set_in_index(&index, Some(relay))
            .context("frontend/static/index.html has no <meta charset> line to put the relay origin after")?;
        fs::write(dist.join("index.html"), set)?;
    }
    // Content-hashed names for the files a browser may keep for good (the main wasm,
    // the chunks, the JS glue and loader, boot.js, the styles).
    crate::hashed_names::apply(&dist)?;
    // The translation catalogs, fetched by the app per language (`frontend/src/i18n.rs`).
    fs::create_dir_all(dist.join("locales"))?;
    for entry in fs::read_dir(root.join("shared/locales"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ftl") {
            fs::copy(&path, dist.join("locales").join(path.file_name().expect("a file")))?;
        }
    }
    write_service_worker(&dist)?;
    write_compressed_twins(&dist)?;
    // A signature of an earlier build's list would not match this one: the
    // organisation signs each release anew (`amanat release sign dist --org-key …`).
    match fs::remove_file(dist.join("release.sig")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    write_hashes(&dist)?;
    eprintln!(
        "xtask: app built in {} (first paint {} KB gzip: main wasm + JS glue)",
        dist.display(),
        built.gzip_bytes / 1024
    );
    for (name, bytes) in &built.chunk_gzip {
        eprintln!("xtask:   lazily loaded {name}: {} KB gzip", bytes / 1024);
    }
    eprintln!("xtask: {}", trust.describe());
    match relay {
        Some(relay) => eprintln!(
            "xtask: the app calls the relay at {relay} (serve it with `amanat serve --app-origin <this app's origin>`)"
        ),
        None => eprintln!("xtask: the app calls the relay on its own origin"),
    }
    Ok(built)
}

/// Compiles the frontend with `features`, trusting what `trust` says, and writes
/// `amanat.js` + `amanat_bg.wasm` into a fresh `out` directory.
pub fn build_wasm(features: &[&str], out: &Path, trust: &Trust) -> Result<Built> {
    setup::wasm_target()?;
    let root = root();
    // `cargo rustc` so that `--emit-relocs` (which the splitter needs to move code
    // between modules) reaches the final link only, not every dependency's build.
    let mut cmd = Command::new(cargo());
    cmd.current_dir(&root).args([
        "rustc",
        "-p",
        "amanat-frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]);
    let features: Vec<&str> = features.iter().copied().chain(["split"]).collect();
    cmd.args(["--features", &features.join(",")]);
    cmd.args(["--", "-Clink-args=--emit-relocs"]);
    trust.apply(&mut cmd);
    sh(&mut cmd).context("building the wasm app")?;

    let target_dir = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
    let wasm = target_dir.join("wasm32-unknown-unknown/wasm-release/amanat_frontend.wasm");
    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    fs::create_dir_all(out)?;

    // Cut the module at its `#[wasm_split]` functions: `main.wasm` (what the first paint
    // needs) goes on to wasm-bindgen; the chunks and their loader go into `out` as they are.
    let split_dir = target_dir.join("wasm-split");
    if split_dir.exists() {
        fs::remove_dir_all(&split_dir)?;
    }
    fs::create_dir_all(&split_dir)?;
    let input = fs::read(&wasm)?;
    let main_wasm = split_dir.join("main.wasm");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &split_dir;
        opts.main_out_path = &main_wasm;
        opts.main_module = "./amanat.js";
        opts.link_name = "./__wasm_split.js";
        opts
    })
    .map_err(|e| anyhow::anyhow!("splitting the wasm: {e:#}"))?;
    let mut chunks = Vec::new();
    for path in &split.split_modules {
        let name = path.file_name().expect("a chunk file").to_owned();
        fs::copy(path, out.join(&name))?;
        chunks.push(out.join(name));
    }
    fs::copy(split_dir.join("__wasm_split.js"), out.join("__wasm_split.js"))?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_wasm)
        .web(true)?
        .out_name("amanat")
        // The chunks import the main module's function table, which wasm-bindgen
        // would otherwise drop from the exports.
        .keep_lld_exports(true)
        .typescript(false)
        .generate(out)
        .context("wasm-bindgen")?;

    let out_wasm = out.join("amanat_bg.wasm");
    if let Some(wasm_opt) = setup::wasm_opt() {
        for module in std::iter::once(&out_wasm).chain(&chunks) {
            let tmp = module.with_extension("opt.wasm");
            // The features rustc emits for wasm32 today, named one by one.
            sh(Command::new(&wasm_opt)
                .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
                .args(["--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals"])
                .arg(module)
                .arg("-o")
                .arg(&tmp))?;
            fs::rename(&tmp, module)?;
        }
    }
    let mut chunk_gzip = Vec::new();
    for c in &chunks {
        chunk_gzip.push((c.file_name().expect("a file").to_string_lossy().into_owned(), gzip_len(&fs::read(c)?)?));
    }
    let gzip_bytes = gzip_len(&fs::read(&out_wasm)?)?
        + gzip_len(&fs::read(out.join("amanat.js"))?)?
        + gzip_len(&fs::read(out.join("__wasm_split.js"))?)?;
    let mut splits: Vec<(String, Vec<String>)> = split
        .prefetch_map
        .iter()
        .map(|(name, stems)| (name.clone(), stems.iter().map(|s| format!("{s}.wasm")).collect()))
        .collect();
    splits.sort();
    Ok(Built { gzip_bytes, chunk_gzip, splits })
}

/// Every file of `dist` but the twins, with its SHA-256.
fn hashed_files(dist: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    walk(dist, "", &mut files)?;
    files.into_iter().map(|f| Ok((f.clone(), shared::release::files::sha256_hex(&fs::read(dist.join(&f))?)))).collect()
}

/// Fills the service worker's list of shell files with every file of this build (the
/// wasm chunks included, so the whole app opens offline) and each one's SHA-256 (the
/// worker refuses bytes that are not the build's), and names its cache after their
/// hashes, so a new build replaces the old copies (`shared::release::files`).
fn write_service_worker(dist: &Path) -> Result<()> {
    let sw = fs::read_to_string(dist.join("sw.js"))?;
    let filled = shared::release::files::fill_service_worker(&sw, &hashed_files(dist)?);
    let filled = filled.context("frontend/static/sw.js no longer has the lines the build fills in")?;
    fs::write(dist.join("sw.js"), filled)?;
    Ok(())
}

/// Extensions of the files that get compressed twins (text and wasm; the icon too).
/// Not `html`: `index.html` (under 1 KB) is answered by the page routes, as it is.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "ftl", "svg", "webmanifest", "json"];

pub use shared::release::files::is_twin;

/// Writes `<file>.br` (Brotli, quality 11) and `<file>.gz` (gzip, best) beside every
/// compressible file of `dist`, when the twin is at least a tenth smaller; removes
/// the twins of an earlier build first. The relay serves a twin in place of its file
/// to a browser that accepts the encoding (`backend/src/web.rs`).
fn write_compressed_twins(dist: &Path) -> Result<()> {
    let mut files = Vec::new();
    walk(dist, "", &mut files)?;
    for twin in files.iter().filter(|f| is_twin(f)) {
        fs::remove_file(dist.join(twin))?;
    }
    let (mut raw_total, mut br_total) = (0usize, 0usize);
    for f in files.iter().filter(|f| !is_twin(f)) {
        let compressible = Path::new(f).extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let bytes = fs::read(dist.join(f))?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        let gz = gz.finish()?;
        raw_total += bytes.len();
        br_total += br.len().min(bytes.len());
        for (ext, twin) in [("br", br), ("gz", gz)] {
            if twin.len() * 10 <= bytes.len() * 9 {
                fs::write(dist.join(format!("{f}.{ext}")), twin)?;
            }
        }
    }
    eprintln!(
        "xtask: compressed twins written: {} KB of app files, {} KB as Brotli",
        raw_total / 1024,
        br_total / 1024
    );
    Ok(())
}

/// Every file under `dir`, by its path below it with `/` separators.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            walk(&e.path(), &format!("{name}/"), out)?;
        } else {
            out.push(name);
        }
    }
    Ok(())
}

/// `dist/hashes.txt`: `sha256  path` for every served file (subfolders too,
/// `locales/`), sorted, in the format `sha256sum -c` reads (`shared::release::files`).
fn write_hashes(dist: &Path) -> Result<()> {
    fs::write(dist.join("hashes.txt"), shared::release::files::list_text(&hashed_files(dist)?))?;
    Ok(())
}

pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}
