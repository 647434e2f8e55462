//! A throwaway PostgreSQL cluster for the storage stories: Debian's `postgresql`
//! binaries, a data directory under a temporary folder, listening on 127.0.0.1 on a
//! free port, stopped (and deleted) when the [`Cluster`] is dropped, also when a test
//! panics.
//!
//! PostgreSQL refuses to run as root, and the tests run as root in CI: then the
//! cluster runs as the `postgres` OS user (made by the Debian package) through
//! `runuser`, in a folder that user owns. Run as anyone else, it runs as that user.
//! Nothing is skipped: with no PostgreSQL installed, [`Cluster::start`] panics with
//! what to install (`cargo xtask test` installs it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running cluster. Each [`Cluster::database`] call makes a fresh, empty database.
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    run_as_postgres: bool,
    next_db: AtomicUsize,
    _dir: tempfile::TempDir,
}

/// The directory holding `initdb` and `pg_ctl`: `AMANAT_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("AMANAT_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

fn check(what: &str, out: std::io::Result<Output>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Cluster {
    /// Initialises and starts a cluster (a few seconds).
    pub fn start() -> Self {
        let bin = bin_dir().expect(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). The PostgreSQL half of the \
             storage suite needs it: run the tests through `cargo xtask test`, which installs Debian's \
             `postgresql`, or `apt-get install postgresql` (or set AMANAT_PG_BIN).",
        );
        let run_as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("amanat-pg-").tempdir().expect("a temporary directory");
        if run_as_postgres {
            // The cluster's files must belong to the user that runs it.
            check("chown to postgres", Command::new("chown").args(["postgres:postgres"]).arg(dir.path()).output());
        }
        let data = dir.path().join("data");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let cluster = Cluster { bin, data, port, run_as_postgres, next_db: AtomicUsize::new(0), _dir: dir };
        // Trust on 127.0.0.1 only: a throwaway cluster for one test process.
        check(
            "initdb",
            cluster
                .command("initdb")
                .arg("-D")
                .arg(&cluster.data)
                .args(["-U", "amanat", "-A", "trust", "-E", "UTF8", "--no-sync"])
                .output(),
        );
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='{}' -c max_connections=200",
            cluster.data.display()
        );
        let log = cluster.data.join("server.log");
        check(
            "pg_ctl start",
            cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(&cluster.data)
                .arg("-o")
                .arg(options)
                .arg("-l")
                .arg(&log)
                .args(["-w", "start"])
                .output(),
        );
        cluster
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The URL of the cluster's maintenance database.
    pub fn admin_url(&self) -> String {
        format!("postgres://amanat@127.0.0.1:{}/postgres", self.port)
    }

    /// Makes a fresh database and returns its URL.
    pub async fn database(&self) -> String {
        use sqlx::Connection as _;
        let name = format!("amanat_test_{}", self.next_db.fetch_add(1, Ordering::Relaxed));
        let mut conn = sqlx::PgConnection::connect(&self.admin_url()).await.expect("the cluster accepts connections");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("CREATE DATABASE");
        conn.close().await.ok();
        format!("postgres://amanat@127.0.0.1:{}/{name}", self.port)
    }

    /// Where the cluster keeps its files.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl").arg("-D").arg(&self.data).args(["-m", "immediate", "-w", "stop"]).output();
    }
}
