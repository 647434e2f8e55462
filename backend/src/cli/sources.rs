//! Where `amanat`'s settings come from besides its flags: `AMANAT_*` environment
//! variables and a TOML file (`--config FILE`, or `AMANAT_CONFIG`), for a service
//! manager or a deployment tool that should not edit a command line.
//!
//! A flag wins over the environment, the environment over the file, the file over the
//! built-in default. Clap already ranks flag > environment > default; the file's values
//! are installed as the defaults before parsing, which slots them in between.
//!
//! Every flag of `serve` and the global `--data`, `--database` and `--log-format` has
//! a variable: `AMANAT_` and the flag's name in capitals, `_` for `-`
//! (`--rate-per-address` → `AMANAT_RATE_PER_ADDRESS`; a database URL with a password
//! is better there than on a command line every user can read in `ps`). The file takes
//! the flags' names as keys (`rate-per-address = 5000`, `trusted-proxy =
//! ["127.0.0.1"]`, `secure-cookies = true`); an unknown key is refused with its name,
//! so a typo never silently leaves a default in force. [`describe`] is what `amanat
//! serve --check-config` prints: every setting, its value and where it came from, as a
//! TOML file that reads back.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command, CommandFactory};

/// The variable naming the settings file when `--config` is not given.
pub const CONFIG_ENV: &str = "AMANAT_CONFIG";

/// Global flags that take settings from the environment and the file (besides `serve`'s).
const GLOBALS: &[&str] = &["data", "database", "log-format"];

/// `serve` flags that are one-shot actions, not settings.
const ACTIONS: &[&str] = &["check-config"];

/// The environment variable of a flag (its long name).
pub fn env_name(long: &str) -> String {
    format!("AMANAT_{}", long.to_ascii_uppercase().replace('-', "_"))
}

/// The CLI with environment variables and the settings file's values in place, and the
/// file (if any) with the keys it set.
pub struct Sources {
    pub file: Option<PathBuf>,
    from_file: Vec<String>,
}

fn takes_setting(arg: &Arg, serve: bool) -> bool {
    arg.get_long().is_some_and(|l| if serve { !ACTIONS.contains(&l) } else { GLOBALS.contains(&l) })
}

fn with_env(arg: Arg, serve: bool) -> Arg {
    match arg.get_long().map(str::to_owned) {
        Some(long) if takes_setting(&arg, serve) => arg.env(env_name(&long)),
        _ => arg,
    }
}

/// The settings file named by `--config FILE` / `--config=FILE` in `args`, else by
/// [`CONFIG_ENV`].
fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let Some(s) = a.to_str() else { continue };
        if s == "--" {
            break;
        }
        if s == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = s.strip_prefix("--config=") {
            return Some(PathBuf::from(v));
        }
    }
    std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// One value of the file as clap reads it from a command line.
fn as_arg_value(key: &str, v: &toml::Value) -> anyhow::Result<String> {
    Ok(match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        _ => anyhow::bail!("setting {key:?}: a string, number or true/false is expected"),
    })
}

fn read(path: &Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the settings file {}: {e}", path.display()))?;
    text.parse::<toml::Table>().map_err(|e| anyhow::anyhow!("the settings file {} is not TOML: {e}", path.display()))
}

/// A file value as clap's default values (a list for an array).
fn default_values(key: &str, value: &toml::Value) -> anyhow::Result<Vec<String>> {
    match value {
        toml::Value::Array(items) => items.iter().map(|v| as_arg_value(key, v)).collect(),
        single => Ok(vec![as_arg_value(key, single)?]),
    }
}

/// The `amanat` command with every setting's environment variable, and the settings
/// file's values as defaults.
pub fn command(args: &[OsString]) -> anyhow::Result<(Command, Sources)> {
    let file = config_path(args);
    let table = file.as_deref().map(read).transpose()?.unwrap_or_default();
    let mut cmd = super::Cli::command()
        .mut_args(|a| with_env(a, false))
        .mut_subcommand("serve", |s| s.mut_args(|a| with_env(a, true)));
    let mut from_file = Vec::new();
    for (key, value) in &table {
        let global = GLOBALS.contains(&key.as_str()) && cmd.get_arguments().any(|a| a.get_long() == Some(key));
        let serve = cmd
            .find_subcommand("serve")
            .and_then(|s| s.get_arguments().find(|a| a.get_long() == Some(key)).map(|a| takes_setting(a, true)))
            .unwrap_or(false);
        let id =
            |c: &Command| c.get_arguments().find(|a| a.get_long() == Some(key)).map(|a| a.get_id().as_str().to_owned());
        let values = default_values(key, value)?;
        let set = move |a: Arg| a.default_values(values);
        if global {
            let id = id(&cmd).expect("found above");
            cmd = cmd.mut_arg(&id, set);
        } else if serve {
            let id = id(cmd.find_subcommand("serve").expect("serve exists")).expect("found above");
            cmd = cmd.mut_subcommand("serve", |s| s.mut_arg(&id, set));
        } else {
            let where_ = file.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
            anyhow::bail!("{where_}: {key:?} is not a setting of `amanat serve` (see `amanat serve --help`)");
        }
        from_file.push(key.clone());
    }
    Ok((cmd, Sources { file, from_file }))
}

/// Hides a password in a `postgres://user:password@host/db` URL.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn toml_value(raw: &str) -> String {
    if raw == "true" || raw == "false" || (raw.parse::<f64>().is_ok_and(f64::is_finite) && !raw.contains(':')) {
        raw.to_owned()
    } else {
        toml::Value::String(raw.to_owned()).to_string()
    }
}

/// Every setting `serve` would run with, its value and its source, as TOML.
pub fn describe(root: &ArgMatches, serve: &ArgMatches, command: &Command, sources: &Sources) -> String {
    let mut out = String::new();
    let serve_cmd = command.find_subcommand("serve").expect("serve exists");
    let settings = command
        .get_arguments()
        .filter(|a| takes_setting(a, false))
        .map(|a| (root, a))
        .chain(serve_cmd.get_arguments().filter(|a| takes_setting(a, true)).map(|a| (serve, a)));
    for (matches, arg) in settings {
        let (id, long) = (arg.get_id().as_str(), arg.get_long().expect("settings have long names"));
        let raw: Vec<String> =
            matches.get_raw(id).map(|vs| vs.map(|v| v.to_string_lossy().into_owned()).collect()).unwrap_or_default();
        let raw: Vec<String> = if long == "database" { raw.iter().map(|v| without_password(v)).collect() } else { raw };
        let value = match raw.as_slice() {
            [] => continue,
            [one] if !is_list(arg) => toml_value(one),
            many => format!("[{}]", many.iter().map(|v| toml_value(v)).collect::<Vec<_>>().join(", ")),
        };
        let source = match matches.value_source(id) {
            Some(ValueSource::CommandLine) => "flag".to_owned(),
            Some(ValueSource::EnvVariable) => env_name(long),
            Some(ValueSource::DefaultValue) if sources.from_file.iter().any(|k| k == long) => {
                sources.file.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
            }
            _ => "default".to_owned(),
        };
        out.push_str(&format!("{long} = {value}  # {source}\n"));
    }
    out
}

fn is_list(arg: &Arg) -> bool {
    matches!(arg.get_action(), clap::ArgAction::Append)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn env_names_follow_the_flags() {
        assert_eq!(env_name("rate-per-address"), "AMANAT_RATE_PER_ADDRESS");
        assert_eq!(env_name("data"), "AMANAT_DATA");
    }

    #[test]
    fn the_config_flag_is_found_in_either_spelling() {
        assert_eq!(config_path(&os(&["amanat", "--config", "a.toml", "serve"])), Some("a.toml".into()));
        assert_eq!(config_path(&os(&["amanat", "serve", "--config=b.toml"])), Some("b.toml".into()));
        assert_eq!(
            config_path(&os(&["amanat", "serve", "--", "--config=c"])),
            std::env::var_os(CONFIG_ENV).map(PathBuf::from)
        );
    }

    #[test]
    fn passwords_are_hidden_and_other_urls_kept() {
        assert_eq!(without_password("postgres://amanat:s3cret@db/amanat"), "postgres://amanat:***@db/amanat");
        assert_eq!(without_password("postgres://amanat@db/amanat"), "postgres://amanat@db/amanat");
        assert_eq!(without_password("not a url"), "not a url");
    }

    fn parse(file: &str, args: &[&str]) -> anyhow::Result<(ArgMatches, Command, Sources)> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("amanat.toml");
        std::fs::write(&path, file)?;
        let mut argv = vec!["amanat".to_owned(), "--config".to_owned(), path.display().to_string()];
        argv.extend(args.iter().map(|s| (*s).to_owned()));
        let argv: Vec<OsString> = argv.into_iter().map(OsString::from).collect();
        let (cmd, sources) = command(&argv)?;
        let matches = cmd.clone().try_get_matches_from(&argv)?;
        Ok((matches, cmd, sources))
    }

    #[test]
    fn the_file_sets_defaults_and_a_flag_still_wins() {
        let (m, cmd, sources) = parse(
            "listen = \"127.0.0.1:9000\"\nsecure-cookies = true\ntrusted-proxy = [\"127.0.0.1\", \"10.0.0.0/8\"]\nrate-per-address = 7\n",
            &["serve", "--rate-per-address", "9"],
        )
        .unwrap();
        let (_, serve) = m.subcommand().unwrap();
        let text = describe(&m, serve, &cmd, &sources);
        assert!(text.contains("listen = \"127.0.0.1:9000\"  # "), "{text}");
        assert!(text.contains("secure-cookies = true  # "), "{text}");
        assert!(text.contains("trusted-proxy = [\"127.0.0.1\", \"10.0.0.0/8\"]"), "{text}");
        assert!(text.contains("rate-per-address = 9  # flag"), "{text}");
        let back: toml::Table = text.parse().expect("what --check-config prints reads back as a settings file");
        assert_eq!(back["listen"].as_str(), Some("127.0.0.1:9000"));
    }

    #[test]
    fn an_unknown_or_misspelt_setting_is_refused_by_name() {
        let err = parse("rate-per-adress = 7\n", &["serve"]).err().unwrap().to_string();
        assert!(err.contains("rate-per-adress"), "{err}");
        let err = parse("check-config = true\n", &["serve"]).err().unwrap().to_string();
        assert!(err.contains("check-config"), "an action is not a setting: {err}");
        assert!(parse("listen = [1, 2", &["serve"]).is_err(), "not TOML");
    }
}
