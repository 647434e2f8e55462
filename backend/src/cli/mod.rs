//! The `amanat` command line: `serve`, `demo init`, `org init`, `user`, `keyring`, `settings`, `roster`, `entries`,
//! `audit head`, `verify`, `export`, `backup`, `restore`. Every command takes `--data DIR` (default `./data`) and, for a PostgreSQL
//! store, `--database postgres://…`, and works on the same store whether or not a relay
//! is running on it.
//!
//! Output meant for people goes to stdout; logs (only from `serve`) go to stderr.
//! Exit status 0 means success, 1 failure (or, for `verify`, a store that failed).

mod audit;
pub(crate) mod entries;
mod keyring;
mod limit_flags;
mod org;
mod prompt;
mod qr;
mod release;
mod roster;
mod settings;
mod sources;
mod user;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{FromArgMatches, Parser, Subcommand};
use shared::CaseId;

use crate::config::{Config, DEFAULT_LISTEN};
use crate::store::Store;
use crate::{demo, export, verify};

#[derive(Parser, Debug)]
#[command(name = "amanat", version, about = "The Amanat relay and its admin commands.")]
pub struct Cli {
    /// The data directory (database, ciphertext files, keyring).
    #[arg(long, global = true, default_value = "data", value_name = "DIR")]
    data: PathBuf,
    /// Keep metadata in PostgreSQL (`postgres://user:pass@host/db`), shared by several
    /// relays, instead of SQLite in the data directory. Ciphertext stays in `--data`,
    /// which those relays must then share (see docs/storage.md).
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// A TOML file of settings (the flags' names as keys: `listen = "127.0.0.1:8080"`);
    /// flags and `AMANAT_*` environment variables win over it. Also `AMANAT_CONFIG`.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log lines as text (for people) or JSON, one object a line (for log shippers).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the relay on a data directory with an installed keyring (`--demo`: make a
    /// demo organisation on an empty one).
    Serve {
        /// Make (on an empty data directory) and serve a demo organisation, whose
        /// organisation key stays on the relay: for trying Amanat out, never for records.
        #[arg(long)]
        demo: bool,
        #[arg(long, default_value = DEFAULT_LISTEN, value_name = "ADDR")]
        listen: SocketAddr,
        /// The built app to serve at `/`.
        #[arg(long, default_value = "dist", value_name = "DIR")]
        dist: PathBuf,
        /// Largest accepted upload, in bytes.
        #[arg(long, default_value_t = shared::api::DEFAULT_MAX_BODY, value_name = "BYTES")]
        max_body: usize,
        /// Mark the session cookie Secure (serve over HTTPS, e.g. behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// Minutes without input after which the caseworker app locks (organisation setting).
        #[arg(long, default_value_t = shared::vault::DEFAULT_IDLE_LOCK_MINUTES, value_name = "MINUTES",
              value_parser = clap::value_parser!(u32).range(1..=240))]
        idle_lock_minutes: u32,
        /// Seconds without input after which the app locks, overriding
        /// --idle-lock-minutes. Meant for tests and demos, which should not wait minutes;
        /// an organisation sets minutes.
        #[arg(long, value_name = "SECONDS",
              value_parser = clap::value_parser!(u32).range(i64::from(shared::vault::MIN_IDLE_LOCK_SECONDS)..=14_400))]
        idle_lock_seconds: Option<u32>,
        #[command(flatten)]
        limits: limit_flags::LimitFlags,
        /// Serve Prometheus metrics at `http://ADDR/metrics` (keep ADDR private: loopback
        /// or the monitoring network; it asks for no credentials).
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<SocketAddr>,
        /// Serve the app from this other origin (`https://app.example.org`, a static
        /// host the organisation runs; the app built with `--relay-origin`): the relay
        /// then serves no app, and its API allows this origin only (CORS with
        /// credentials). It must be the same site as the relay (see docs/deploy.md).
        #[arg(long, value_name = "ORIGIN")]
        app_origin: Option<shared::origin::WebOrigin>,
        /// Print every setting `serve` would run with and where it came from (flag,
        /// environment, settings file, default), check the data directory, and exit
        /// (0: it would start).
        #[arg(long)]
        check_config: bool,
    },
    /// The demo organisation.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Accounts and their tokens.
    #[command(subcommand)]
    User(user::UserCommand),
    /// The organisation's set-up ceremony, on an offline computer.
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// The signed keyring of key holders.
    #[command(subcommand)]
    Keyring(keyring::KeyringCommand),
    /// The organisation's signed settings: operator details for the consent form,
    /// retention, child assent age.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// The signed roster of approved author keys (who may be shown as a verified author).
    #[command(subcommand)]
    Roster(roster::RosterCommand),
    /// Stored entries: remove those superseded by a re-seal.
    #[command(subcommand)]
    Entries(entries::EntriesCommand),
    /// The signed release: the organisation's signature over a built app's file list.
    #[command(subcommand)]
    Release(release::ReleaseCommand),
    /// The audit chain: `audit head` prints its head to write down or sign.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check every stored entry; exit 0 only if all pass.
    Verify,
    /// Copy the whole relay (database snapshot, the entries' ciphertext files, keyring,
    /// roster) into a new folder with a SHA-256 manifest, while it runs.
    Backup {
        #[arg(long, value_name = "PATH")]
        to: PathBuf,
    },
    /// Put a backup into an empty data directory (and empty database), after checking
    /// its manifest; then verify the result (exit 0 only if it passes).
    Restore {
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
    },
    /// Copy ciphertext out as `<id>.age` files for archives and the `age` CLI.
    Export {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only this case.
        #[arg(long, value_name = "CASE_ID")]
        case: Option<String>,
    },
}

/// How `serve` writes its log lines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum DemoCommand {
    /// Make the demo organisation without serving (does nothing if already made).
    Init,
}

/// Runs the CLI with the process's arguments.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let (command, sources) = match sources::command(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let matches = command.clone().get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Command::Serve { check_config: true, .. } = cli.command {
        let serve = matches.subcommand_matches("serve").expect("the serve command was parsed");
        print!("{}", sources::describe(&matches, serve, &command, &sources));
    }
    let default_log = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("AMANAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match cli.log_format {
        LogFormat::Text => {
            tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init()
        }
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data = cli.data;
    let database = cli.database;
    match cli.command {
        Command::Serve {
            demo,
            listen,
            dist,
            max_body,
            secure_cookies,
            idle_lock_minutes,
            idle_lock_seconds,
            limits,
            metrics_listen,
            app_origin,
            check_config,
        } => {
            let mut config = Config {
                data_dir: data,
                database,
                listen,
                dist_dir: dist,
                max_body,
                secure_cookies,
                demo,
                ..Config::default()
            };
            config.idle_lock_minutes = idle_lock_minutes;
            config.idle_lock_seconds = idle_lock_seconds;
            config.metrics_listen = metrics_listen;
            config.app_origin = app_origin;
            limits.apply(&mut config)?;
            if let Some(origin) = &config.app_origin {
                if config.secure_cookies && origin.is_plain_http() {
                    anyhow::bail!("--app-origin {origin} is plain http:// but --secure-cookies is set: the app would be served without TLS to a relay that requires it; give the app's https:// origin");
                }
            }
            if check_config {
                if !config.demo {
                    crate::server::check_production_data_dir(&config.data_dir)?;
                }
                if let Some(origin) = &config.app_origin {
                    println!("{}", crate::cors::describe(origin));
                }
                println!("# amanat serve would start with these settings.");
                return Ok(ExitCode::SUCCESS);
            }
            crate::serve(config).await?;
        }
        Command::Demo(DemoCommand::Init) => {
            let store = Store::open_with(&data, database.as_deref()).await?;
            let result = demo::init(&store).await;
            store.close().await;
            match result {
                Ok(files) => print!("{}", files.describe(None, true)),
                Err(demo::DemoError::AlreadyInitialised(dir)) => {
                    println!("{} is already initialised; nothing was changed.", dir.display());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::User(cmd) => user::run(&data, database.as_deref(), cmd).await?,
        Command::Org(cmd) => org::run(cmd)?,
        Command::Keyring(cmd) => keyring::run(&data, cmd)?,
        Command::Settings(cmd) => settings::run(&data, cmd)?,
        Command::Roster(cmd) => roster::run(&data, database.as_deref(), cmd).await?,
        Command::Release(cmd) => release::run(cmd)?,
        Command::Entries(cmd) => {
            if !entries::run(&data, database.as_deref(), cmd).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Audit(cmd) => {
            if !audit::run(&data, database.as_deref(), cmd).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Verify => {
            let store = Store::open_with(&data, database.as_deref()).await?;
            let report = verify::verify(&store).await?;
            store.close().await;
            print!("{}", report.render());
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Backup { to } => {
            let store = Store::open_with(&data, database.as_deref()).await?;
            let result = crate::backup::backup(&store, &data, database.as_deref(), &to).await;
            store.close().await;
            let s = result?;
            println!(
                "Backed up {} entries ({} files, {} bytes of ciphertext and keyring) into {}; its manifest is {}.",
                s.entries,
                s.files,
                s.bytes,
                to.display(),
                to.join(crate::backup::MANIFEST).display()
            );
            if crate::backup::has_demo_folder(&data) {
                println!("Not copied: {}/demo (the demo organisation's keys).", data.display());
            }
        }
        Command::Restore { from } => {
            let (s, report) = crate::backup::restore(&from, &data, database.as_deref()).await?;
            println!(
                "Restored {} entries ({} files) from {} into {}.",
                s.entries,
                s.files,
                from.display(),
                data.display()
            );
            print!("{}", report.render());
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export { out, case } => {
            let case = case.map(|c| c.parse::<CaseId>()).transpose().map_err(|e| anyhow::anyhow!("{e}"))?;
            let store = Store::open_with(&data, database.as_deref()).await?;
            let result = export::export(&store, &out, case).await?;
            store.close().await;
            println!(
                "Exported {} entries to {} (manifest: {}).",
                result.written.len(),
                out.display(),
                result.manifest.display()
            );
            for id in &result.missing {
                println!("missing: {id}: the ciphertext file is missing; run `amanat verify`");
            }
            if !result.missing.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
