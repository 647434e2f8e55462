//! `amanat user add | enrol | token | list`.
//!
//! A caseworker gets a one-time enrolment link (the app asks for a passphrase when it
//! is opened); scripted clients get bearer tokens with `--token`.

use std::path::Path;

use clap::Subcommand;
use shared::api::Role;

use crate::accounts;
use crate::store::Store;
use crate::vault::auth as vault_auth;

const DEFAULT_URL: &str = "http://127.0.0.1:8080";

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|_| "one of: caseworker, adviser, privacy-officer, admin".to_owned())
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
        /// The relay's address as caseworkers open it, for the enrolment link.
        #[arg(long, default_value = DEFAULT_URL, value_name = "URL")]
        url: String,
    },
    /// Issue a new one-time enrolment link (to enrol, or to choose a new passphrase).
    Enrol {
        name: String,
        #[arg(long, default_value = DEFAULT_URL, value_name = "URL")]
        url: String,
    },
    /// Issue another bearer token for an account (printed as the last line).
    Token { name: String },
    /// List accounts.
    List,
}

pub async fn run(data: &Path, database: Option<&str>, cmd: UserCommand) -> anyhow::Result<()> {
    let store = Store::open_with(data, database).await?;
    let result = run_on(&store, cmd).await;
    store.close().await;
    result
}

async fn run_on(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { name, role, token, url } => {
            accounts::add_user(store, &name, role).await?;
            println!("Added {name} ({}).", role.code());
            if role == Role::Caseworker {
                print_link(&url, &accounts::issue_enrolment(store, &name).await?);
            }
            if token {
                print_token(&accounts::issue_token(store, &name).await?);
            }
        }
        UserCommand::Enrol { name, url } => print_link(&url, &accounts::issue_enrolment(store, &name).await?),
        UserCommand::Token { name } => print_token(&accounts::issue_token(store, &name).await?),
        UserCommand::List => {
            for u in store.users().await? {
                println!("{}\t{}", u.name, u.role.code());
            }
        }
    }
    Ok(())
}

fn print_token(token: &str) {
    println!("Bearer token (shown only now; keep it secret):");
    println!("{token}");
}

fn print_link(url: &str, token: &str) {
    println!("Enrolment link (one use, valid 72 hours; give it only to this person):");
    println!("{}", vault_auth::enrolment_link(url, token));
}
