//! A real headless Chromium, driven through chromedriver, for the end-to-end stories.
//!
//! Each [`Browser`] has its own chromedriver process and its own profile directory
//! (`--user-data-dir`, fresh unless a story hands one back with
//! [`Browser::start_in`]), started with the flags this machine needs (no sandbox as
//! root, no background networking: the network is closed). The profile directory
//! outlives the browser until the `Browser` is dropped, so a story can search it after
//! closing the session, and open the same profile again.
//!
//! This is what a browser can do (start, open a page, wait, click, type, read); the
//! app's own steps a person repeats (enrol, unlock, fill an intake) are in
//! [`super::steps`]. A story that starts one takes its turn first ([`super::turns`]).

use anyhow::{bail, Context, Result};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use super::relay::workspace_root;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian puts them.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < within {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listened on 127.0.0.1:{port} within {within:?}")
}

/// The language the stories read the app in (see [`Browser::goto`]).
pub const STORY_LANGUAGE: &str = "en";

/// Whether `url` is one of the app's own pages (not a file such as `/favicon.svg` or
/// a bench page).
pub fn is_app_page(url: &str) -> bool {
    let after_host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_host.find('/').map_or("/", |i| &after_host[i..]);
    let path = path.split(['#', '?']).next().unwrap_or("/");
    matches!(path, "/" | "/index.html" | "/adviser" | "/adviser/")
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh headless Chromium with an empty profile.
    pub async fn start() -> Result<Self> {
        Self::start_in(tempfile::tempdir()?).await
    }

    /// A headless Chromium on an existing profile directory (one [`Browser::close`]
    /// returned): the same IndexedDB, caches and service workers as before.
    pub async fn start_in(profile: tempfile::TempDir) -> Result<Self> {
        Self::start_in_with(profile, &[]).await
    }

    /// A fresh headless Chromium started with `extra` flags too (e.g. trusting a test
    /// CA's key with `--ignore-certificate-errors-spki-list`).
    pub async fn start_with_flags(extra: &[String]) -> Result<Self> {
        Self::start_in_with(tempfile::tempdir()?, extra).await
    }

    async fn start_in_with(profile: tempfile::TempDir, extra: &[String]) -> Result<Self> {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {CHROMEDRIVER} (Debian package chromium-driver)"))?;
        wait_for_port(port, Duration::from_secs(20))?;
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,1000".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let args: Vec<String> = args.into_iter().chain(extra.iter().cloned()).collect();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert("goog:chromeOptions".into(), serde_json::json!({ "binary": CHROMIUM, "args": args }));
        // Keep the page's console, so a failing step can say what the app said.
        caps.insert("goog:loggingPrefs".into(), serde_json::json!({ "browser": "ALL" }));
        let client = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a Chromium session")?;
        Ok(Self { client, driver, profile })
    }

    pub fn profile_dir(&self) -> &Path {
        self.profile.path()
    }

    /// Opens `url`; on the app's own pages (`/`, `/adviser`) also picks
    /// [`STORY_LANGUAGE`] in the banner's switch, as a person would, because the stories
    /// read English sentences and the app starts in Uzbek.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        if is_app_page(url) {
            self.choose_language(STORY_LANGUAGE).await?;
        }
        Ok(())
    }

    /// Opens `url` and leaves the language as this profile last chose it.
    pub async fn goto_keeping_language(&self, url: &str) -> Result<()> {
        Ok(self.client.goto(url).await?)
    }

    /// Picks a language (`en`, `ru`, `uz-Cyrl`…) in the banner's `#language-switch`
    /// (the app keeps the choice on this device); waits until the page shows it
    /// (`<html lang>` follows the catalog shown).
    pub async fn choose_language(&self, tag: &str) -> Result<()> {
        let switch = self.wait_for("#language-switch", 30).await?;
        if switch.prop("value").await?.as_deref() != Some(tag) {
            switch.select_by_value(tag).await.with_context(|| format!("choosing {tag}"))?;
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let lang = self.client.execute("return document.documentElement.lang", vec![]).await?;
            if lang.as_str() == Some(tag) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the page never switched to {tag} (lang={lang})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to `secs`) for an element matching a CSS selector.
    pub async fn wait_for(&self, css: &str, secs: u64) -> Result<Element> {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting {secs}s for `{css}`"))
        {
            Ok(el) => Ok(el),
            Err(e) => {
                let text = self.page_text().await.unwrap_or_default();
                let console = self.console().await.unwrap_or_default().join("\n");
                Err(e.context(format!("the page said:\n{text}\nits console:\n{console}")))
            }
        }
    }

    /// The page's console messages since the last call (chromedriver keeps them).
    pub async fn console(&self) -> Result<Vec<String>> {
        #[derive(Debug)]
        struct BrowserLog;
        impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
            fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
                base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
            }
            fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
                (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
            }
        }
        let log = self.client.issue_cmd(BrowserLog).await?;
        Ok(log
            .as_array()
            .map(|a| a.iter().filter_map(|m| m["message"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }

    /// Types into the field with this id (after clearing it).
    pub async fn type_into(&self, id: &str, text: &str) -> Result<()> {
        let el = self.wait_for(&format!("#{id}"), 20).await?;
        el.clear().await.ok();
        el.send_keys(text).await.with_context(|| format!("typing into #{id}"))?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css, 20).await?.click().await.with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Picks the option `value` of the `<select>` with this id.
    /// (Clicks the option, as WebDriver's select does; waiting for the option itself
    /// also waits for skip logic to offer it, e.g. a region's districts.)
    pub async fn choose(&self, id: &str, value: &str) -> Result<()> {
        let option = self.wait_for(&format!("#{id} option[value='{value}']"), 20).await?;
        option.click().await.with_context(|| format!("choosing {value} in #{id}"))?;
        Ok(())
    }

    /// Types into the empty field with this id (a fresh form: one request fewer than
    /// [`Browser::type_into`], which clears first).
    pub async fn enter(&self, id: &str, text: &str) -> Result<()> {
        let el = self.wait_for(&format!("#{id}"), 20).await?;
        el.send_keys(text).await.with_context(|| format!("typing into #{id}"))?;
        Ok(())
    }

    /// The ids of every element matching `css`, in page order.
    pub async fn ids_of(&self, css: &str) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await? {
            if let Some(id) = el.attr("id").await? {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// How many elements match a CSS selector now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Waits until the page's text contains `needle`; returns the text.
    pub async fn wait_for_text(&self, needle: &str, secs: u64) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let text = self.page_text().await?;
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("the page never said {needle:?} within {secs}s; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The visible text of the page body.
    pub async fn page_text(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Saves a screenshot under `target/screenshots/NAME.png` for review.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the WebDriver session (Chromium exits); the profile stays until drop.
    pub async fn close(mut self) -> Result<tempfile::TempDir> {
        self.client.clone().close().await.ok();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let profile = std::mem::replace(&mut self.profile, tempfile::tempdir()?);
        Ok(profile)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A story that failed before `close` leaves Chromium running without its
        // driver: end every process started with this profile.
        let _ = Command::new("pkill")
            .args(["-f", "--"])
            .arg(format!("user-data-dir={}", self.profile.path().display()))
            .stderr(Stdio::null())
            .status();
    }
}
