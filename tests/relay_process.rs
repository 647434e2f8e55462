//! The relay as a real process (`amanat serve`), for stories that stop and restart it.
//!
//! The binary is the one cargo built for this test run (`target/<profile>/amanat`,
//! found beside the test executable); if it is missing it is built once. stdout and
//! stderr go to `relay.log` beside the data dir, so a story can search the logs.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::browser::{free_port, wait_for_port, workspace_root};

/// Path of the `amanat` binary, building it if needed.
pub fn amanat_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // target/<profile>/deps/<test-binary> → target/<profile>/amanat
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
        let bin = profile_dir.join("amanat");
        if !bin.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.current_dir(workspace_root()).args(["build", "-p", "amanat-backend", "--bin", "amanat"]);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("running cargo build");
            assert!(status.success(), "building the amanat binary failed");
        }
        bin
    })
    .clone()
}

pub struct RelayProcess {
    pub port: u16,
    pub data: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl RelayProcess {
    /// Starts a relay on a fresh data dir (it makes the demo organisation) serving the
    /// built app from `dist/`.
    pub fn start() -> Result<Self> {
        let dist = workspace_root().join("dist");
        if !dist.join("index.html").exists() {
            bail!("{} has no app: run `cargo xtask build` (or `cargo xtask test`)", dist.display());
        }
        let dir = tempfile::tempdir()?;
        let mut relay = Self {
            port: free_port(),
            data: dir.path().join("data"),
            log: dir.path().join("relay.log"),
            child: None,
            _dir: dir,
        };
        relay.resume()?;
        Ok(relay)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Starts (again) on the same port and data dir.
    pub fn resume(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log)?;
        let child = Command::new(amanat_binary())
            .arg("serve")
            .arg("--data")
            .arg(&self.data)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--dist")
            .arg(workspace_root().join("dist"))
            .env("AMANAT_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting amanat serve")?;
        self.child = Some(child);
        wait_for_port(self.port, Duration::from_secs(30))
    }

    /// Kills the relay (as a crash or a power cut would).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Everything the relay printed so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A demo file's text, trimmed (tokens, identity files).
    pub fn demo_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.data.join("demo").join(name))
            .unwrap_or_else(|e| panic!("demo file {name}: {e}"))
            .trim()
            .to_owned()
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
