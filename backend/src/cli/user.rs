//! `amanat user add | token | list`.

use std::path::Path;

use clap::Subcommand;
use shared::api::Role;

use crate::accounts;
use crate::store::Store;

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
    },
    /// Issue another bearer token for an account (printed as the last line).
    Token { name: String },
    /// List accounts.
    List,
}

pub async fn run(data: &Path, cmd: UserCommand) -> anyhow::Result<()> {
    let store = Store::open(data).await?;
    let result = run_on(&store, cmd).await;
    store.close().await;
    result
}

async fn run_on(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { name, role, token } => {
            accounts::add_user(store, &name, role).await?;
            println!("Added {name} ({}).", role.code());
            if token {
                print_token(&accounts::issue_token(store, &name).await?);
            }
        }
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
