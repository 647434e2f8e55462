//! `amanat user add | enrol | token | token revoke | disable | enable | list`.
//!
//! A caseworker gets a one-time enrolment link (the app asks for a passphrase when it
//! is opened; `--hours`, default 24); scripted clients and key holders get bearer
//! tokens with `--token` (`--expires-days`, default 90). `--qr` also draws the link as
//! a QR code for a tablet's camera (`super::qr`) just above it: the link stays the last
//! line of `enrol`, the token the last line of `add --token`. `user token revoke` ends
//! every live token of an account, `user disable` every credential at once; `user list`
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
        /// Also draw the enrolment link as a QR code (for a tablet's camera), above it.
        #[arg(long)]
        qr: bool,
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
        /// Also draw the link as a QR code (for a tablet's camera), above it.
        #[arg(long)]
        qr: bool,
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
        UserCommand::Add { name, role, token, lifetimes, hours, url, qr } => {
            accounts::add_user(store, &name, role).await?;
            println!("Added {name} ({}).", role.code());
            if role == Role::Caseworker {
                print_link(&url, &accounts::issue_enrolment_for(store, &name, hours).await?, hours, qr);
            } else if qr {
                println!("(no QR code: only a caseworker gets an enrolment link)");
            }
            if token {
                print_token(&accounts::issue_token_for(store, &name, lifetimes.expires_days).await?);
            }
        }
        UserCommand::Enrol { name, hours, url, qr } => {
            print_link(&url, &accounts::issue_enrolment_for(store, &name, hours).await?, hours, qr)
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

/// The link is always its own last line (scripts read it there, or the line holding
/// `#enrol=`); the QR code, if asked for, comes before it.
fn print_link(url: &str, token: &str, hours: u32, qr: bool) {
    let link = vault_auth::enrolment_link(url, token);
    println!("Enrolment link (one use, valid {hours} hours; give it only to this person):");
    if qr {
        super::qr::print(&link);
    }
    println!("{link}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct User {
        #[command(subcommand)]
        cmd: UserCommand,
    }

    fn parse(args: &[&str]) -> Result<UserCommand, clap::Error> {
        User::try_parse_from(std::iter::once("user").chain(args.iter().copied())).map(|u| u.cmd)
    }

    #[test]
    fn token_issues_for_a_name_or_revokes_and_lifetimes_are_bounded() {
        match parse(&["token", "revoke", "bob"]).unwrap() {
            UserCommand::Token { action: Some(TokenCommand::Revoke { name }), .. } => assert_eq!(name, "bob"),
            other => panic!("{other:?}"),
        }
        match parse(&["token", "bob", "--expires-days", "7"]).unwrap() {
            UserCommand::Token { name, lifetimes, action: None } => {
                assert_eq!((name.as_deref(), lifetimes.expires_days), (Some("bob"), 7))
            }
            other => panic!("{other:?}"),
        }
        match parse(&["token", "bob"]).unwrap() {
            UserCommand::Token { lifetimes, .. } => assert_eq!(lifetimes.expires_days, DEFAULT_TOKEN_DAYS),
            other => panic!("{other:?}"),
        }
        match parse(&["enrol", "bob"]).unwrap() {
            UserCommand::Enrol { hours, .. } => assert_eq!(hours, DEFAULT_ENROLMENT_HOURS),
            other => panic!("{other:?}"),
        }
        for bad in [
            &["token"][..],
            &["token", "bob", "--expires-days", "0"],
            &["token", "bob", "--expires-days", "3651"],
            &["enrol", "bob", "--hours", "169"],
            &["enrol", "bob", "--hours", "0"],
            &["disable"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
