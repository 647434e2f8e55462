//! `amanat user add | enrol | token | token revoke | disable | enable | list`.
//!
//! A caseworker gets a one-time enrolment link (the app asks for a passphrase when it
//! is opened; `--hours`, default 24); scripted clients and key holders get bearer
//! tokens with `--token` (`--expires-days`, default 90). `user token revoke` ends every
//! live token of an account, `user disable` every credential at once; `user list`
//! prints `name role status last_use live_tokens`, tab-separated, one account a line.

use std::path::Path;

use clap::{Args, Subcommand};
use shared::api::Role;

use crate::accounts::{self, IssuedToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
use crate::store::Store;
use crate::vault::auth::{self as vault_auth, DEFAULT_ENROLMENT_HOURS, MAX_ENROLMENT_HOURS};

const DEFAULT_URL: &str = "http://127.0.0.1:8080";

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|_| "one of: caseworker, adviser, privacy-officer, admin".to_owned())
}

/// How long a new token or enrolment link lasts.
#[derive(Args, Debug, Clone, Copy)]
pub struct Lifetimes {
    /// Days the bearer token stays valid (1 to 3650).
    #[arg(long, default_value_t = DEFAULT_TOKEN_DAYS, value_name = "DAYS",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TOKEN_DAYS)))]
    expires_days: u32,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Enrol an account.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Also issue a bearer token (printed as the last line).
        #[arg(long)]
        token: bool,
        #[command(flatten)]
        lifetimes: Lifetimes,
        /// Hours the enrolment link stays valid (1 to 168).
        #[arg(long, default_value_t = DEFAULT_ENROLMENT_HOURS, value_name = "HOURS",
              value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ENROLMENT_HOURS)))]
        hours: u32,
        /// The relay's address as caseworkers open it, for the enrolment link.
        #[arg(long, default_value = DEFAULT_URL, value_name = "URL")]
        url: String,
    },
    /// Issue a new one-time enrolment link (to enrol, or to choose a new passphrase).
    /// The account's earlier links and open enrolments stop working.
    Enrol {
        name: String,
        /// Hours the link stays valid (1 to 168).
        #[arg(long, default_value_t = DEFAULT_ENROLMENT_HOURS, value_name = "HOURS",
              value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ENROLMENT_HOURS)))]
        hours: u32,
        #[arg(long, default_value = DEFAULT_URL, value_name = "URL")]
        url: String,
    },
    /// Issue another bearer token for an account (printed as the last line), or
    /// `token revoke NAME`.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Token {
        #[arg(required = true)]
        name: Option<String>,
        #[command(flatten)]
        lifetimes: Lifetimes,
        #[command(subcommand)]
        action: Option<TokenCommand>,
    },
    /// End every session, token and enrolment link of an account at once; nothing of
    /// it is accepted until `user enable`.
    Disable { name: String },
    /// Let a disabled account sign in again (its revoked tokens stay revoked).
    Enable { name: String },
    /// List accounts: name, role, status, last use, live tokens (tab-separated).
    List,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Revoke every live token of an account (and end its sessions).
    Revoke { name: String },
}

pub async fn run(data: &Path, database: Option<&str>, cmd: UserCommand) -> anyhow::Result<()> {
    let store = Store::open_with(data, database).await?;
    let result = run_on(&store, cmd).await;
    store.close().await;
    result
}

async fn run_on(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { name, role, token, lifetimes, hours, url } => {
            accounts::add_user(store, &name, role).await?;
            println!("Added {name} ({}).", role.code());
            if role == Role::Caseworker {
                print_link(&url, &accounts::issue_enrolment_for(store, &name, hours).await?, hours);
            }
            if token {
                print_token(&accounts::issue_token_for(store, &name, lifetimes.expires_days).await?);
            }
        }
        UserCommand::Enrol { name, hours, url } => {
            print_link(&url, &accounts::issue_enrolment_for(store, &name, hours).await?, hours)
        }
        UserCommand::Token { action: Some(TokenCommand::Revoke { name }), .. } => {
            let n = accounts::revoke_tokens(store, &name).await?;
            println!("Revoked {n} token(s) of {name}; its sessions have ended.");
        }
        UserCommand::Token { name, lifetimes, action: None } => {
            let name = name.ok_or_else(|| anyhow::anyhow!("name the account"))?;
            print_token(&accounts::issue_token_for(store, &name, lifetimes.expires_days).await?);
        }
        UserCommand::Disable { name } => {
            accounts::set_disabled(store, &name, true).await?;
            println!("Disabled {name}: its sessions, tokens and enrolment links have ended.");
        }
        UserCommand::Enable { name } => {
            accounts::set_disabled(store, &name, false).await?;
            println!("Enabled {name}. Revoked tokens stay revoked: issue a new one if needed.");
        }
        UserCommand::List => {
            for a in store.account_summaries().await? {
                let status = if a.disabled { "disabled" } else { "active" };
                let last = a.last_used_at.map_or_else(|| "never".to_owned(), rfc3339);
                println!("{}\t{}\t{status}\t{last}\t{}", a.user.name, a.user.role.code(), a.live_tokens);
            }
        }
    }
    Ok(())
}

/// Unix seconds as RFC 3339 UTC (to the second).
fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "never".to_owned())
}

fn print_token(t: &IssuedToken) {
    println!("Bearer token (shown only now; keep it secret; valid until {}):", rfc3339(t.expires_at));
    println!("{}", t.token);
}

fn print_link(url: &str, token: &str, hours: u32) {
    println!("Enrolment link (one use, valid {hours} hours; give it only to this person):");
    println!("{}", vault_auth::enrolment_link(url, token));
}
