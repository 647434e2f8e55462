//! The organisation's signed settings as the relay keeps them: `DATA/settings.json`,
//! served as stored by `GET /api/v1/settings`; what `amanat settings sign` makes from a
//! TOML file with the organisation key on the offline computer; and [`install`], which
//! puts signed settings onto the relay.
//!
//! The relay never signs settings and cannot change them unnoticed: [`install`] checks
//! them against the organisation key the relay already knows (the signer of its
//! installed keyring) and the rules of [`shared::org_settings`], refuses a lower version
//! (and the same version with other content), and writes a temporary file then renames
//! it, so a reader never sees half a file. The app checks the signature again against
//! the key it pins.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use shared::keyring::{fingerprint, OrgPublicKey, OrgSigningKey};
use shared::org_settings::{OrgSettings, SettingsFacts, MAX_SETTINGS_BYTES};
use shared::validate::FieldError;
use shared::ErrorCode;

use crate::keyring_file;

/// File name inside the data directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// Why settings were refused (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum SettingsFileError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a settings file: {1}")]
    Malformed(PathBuf, ErrorCode),
    #[error("{0} is not valid settings TOML: {1}")]
    Toml(PathBuf, String),
    #[error("there are no organisation settings in this data directory yet: sign them offline with `amanat settings sign settings.toml --org-key org-signing.key --out settings.json` and install them here with `amanat settings install settings.json`")]
    Missing,
    #[error("this relay has no keyring yet, so it knows no organisation key to check settings against: install the keyring first (`amanat keyring install keyring.json`)")]
    NoKeyring,
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Keyring(#[from] keyring_file::KeyringFileError),
}

type Result<T> = std::result::Result<T, SettingsFileError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SettingsFileError + '_ {
    move |source| SettingsFileError::Io { path: path.to_owned(), source }
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(SETTINGS_FILE)
}

/// The bytes of `file`, refusing more than [`MAX_SETTINGS_BYTES`] (`None` if missing).
fn read_capped(file: &Path) -> Result<Option<Vec<u8>>> {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(file)(e)),
    };
    let mut bytes = Vec::new();
    f.take(MAX_SETTINGS_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(io_err(file))?;
    if bytes.len() > MAX_SETTINGS_BYTES {
        return Err(SettingsFileError::Malformed(file.to_owned(), ErrorCode::SettingsMalformed));
    }
    Ok(Some(bytes))
}

/// The stored settings' bytes as written, if there are any: what the relay serves.
pub fn read_bytes(data_dir: &Path) -> Result<Option<Vec<u8>>> {
    read_capped(&path(data_dir))
}

/// The stored settings, if there are any.
pub fn load(data_dir: &Path) -> Result<Option<OrgSettings>> {
    let p = path(data_dir);
    match read_bytes(data_dir)? {
        Some(bytes) => OrgSettings::from_json(&bytes).map(Some).map_err(|e| SettingsFileError::Malformed(p, e)),
        None => Ok(None),
    }
}

/// Writes `settings` to `file` atomically (`crate::replace_file`).
pub fn write(file: &Path, settings: &OrgSettings) -> Result<()> {
    crate::replace_file::replace(file, &format!("{}\n", settings.to_json())).map_err(io_err(file))
}

/// One line per broken rule: `operator.tax_number: A STIR has 9 digits; …`.
pub fn describe_problems(problems: &[FieldError]) -> String {
    problems.iter().map(|p| format!("  {}: {}", p.field, p.problem.message())).collect::<Vec<_>>().join("\n")
}

/// Reads the facts to sign from a TOML file (the fields of
/// [`shared::org_settings::SettingsFacts`]; `version` defaults to 1, `issued_at` to
/// `now`), refusing unknown keys and anything [`OrgSettings::problems`] refuses.
pub fn facts_from_toml(file: &Path, now: u64) -> Result<SettingsFacts> {
    let bytes = read_capped(file)?.ok_or_else(|| {
        io_err(file)(io::Error::new(io::ErrorKind::NotFound, "no such file (write it from the settings.toml template)"))
    })?;
    let text = String::from_utf8(bytes).map_err(|_| SettingsFileError::Toml(file.to_owned(), "not UTF-8".into()))?;
    let strict: StrictOperator = toml::from_str::<OperatorTable>(&text)
        .map_err(|e| SettingsFileError::Toml(file.to_owned(), e.to_string()))?
        .operator;
    let mut facts: SettingsFacts =
        toml::from_str(&text).map_err(|e| SettingsFileError::Toml(file.to_owned(), e.to_string()))?;
    facts.operator = strict.into();
    if facts.issued_at == 0 {
        facts.issued_at = now;
    }
    Ok(facts)
}

/// The `[operator]` table read strictly: a misspelt key is an error, not a field
/// silently left empty on every consent form.
#[derive(serde::Deserialize)]
struct OperatorTable {
    operator: StrictOperator,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictOperator {
    name: String,
    country: shared::forms::address::Country,
    tax_number: String,
    #[serde(default)]
    address: String,
    complaints_contact: String,
}

impl From<StrictOperator> for shared::forms::consent::Operator {
    fn from(o: StrictOperator) -> Self {
        Self {
            name: o.name,
            country: Some(o.country),
            tax_number: o.tax_number,
            address: o.address,
            complaints_contact: o.complaints_contact,
        }
    }
}

/// Signs `facts` with `key`, refusing (nothing signed) settings the app would refuse.
pub fn sign(facts: SettingsFacts, key: &OrgSigningKey) -> Result<OrgSettings> {
    let settings = OrgSettings::sign(facts, key);
    let problems = settings.problems();
    if !problems.is_empty() {
        return Err(SettingsFileError::Refused(format!(
            "the settings break these rules; nothing was signed:\n{}",
            describe_problems(&problems)
        )));
    }
    Ok(settings)
}

/// The organisation key this relay checks settings against: the signer of its
/// installed keyring (itself installed with `amanat keyring install`).
pub fn relay_org_key(data_dir: &Path) -> Result<OrgPublicKey> {
    let keyring = keyring_file::load(data_dir)?.ok_or(SettingsFileError::NoKeyring)?;
    keyring
        .signed_by
        .parse()
        .map_err(|_| SettingsFileError::Malformed(keyring_file::path(data_dir), ErrorCode::KeyringMalformed))
}

/// What [`install`] did.
#[derive(Debug)]
pub struct Installed {
    pub settings: OrgSettings,
    /// The version installed before, if any.
    pub replaced: Option<u64>,
    /// The very same settings were installed already: nothing was written.
    pub unchanged: bool,
}

/// Installs settings signed offline into the data directory, atomically. Refused
/// (nothing changed) unless they verify against the relay's organisation key
/// ([`relay_org_key`]) and keep the rules, and unless their version is higher than the
/// installed one's (the same version is accepted only as the very same settings).
pub fn install(data_dir: &Path, file: &Path) -> Result<Installed> {
    let refused = |why: String| SettingsFileError::Refused(format!("{why}; the installed settings were not changed"));
    let bytes =
        read_capped(file)?.ok_or_else(|| io_err(file)(io::Error::new(io::ErrorKind::NotFound, "no such file")))?;
    let new = OrgSettings::from_json(&bytes).map_err(|e| SettingsFileError::Malformed(file.to_owned(), e))?;
    let pin = relay_org_key(data_dir)?;
    new.verify(&pin).map_err(|e| match e {
        ErrorCode::SettingsWrongSigner => refused(format!(
            "{} is signed by another key ({}, fingerprint {}) than this relay's organisation key ({pin}, fingerprint {}, the keyring's signer)",
            file.display(),
            new.signed_by,
            fingerprint(&new.signed_by),
            fingerprint(&pin.to_string())
        )),
        ErrorCode::SettingsBadSignature => {
            refused(format!("the signature of {} does not verify: it was altered after signing", file.display()))
        }
        ErrorCode::SettingsInvalid => refused(format!(
            "{} is signed but breaks these rules:\n{}\n(correct settings.toml and sign again)",
            file.display(),
            describe_problems(&new.problems())
        )),
        e => refused(format!("{} cannot be installed: {}", file.display(), e.message())),
    })?;
    let installed = load(data_dir)?;
    if let Some(old) = &installed {
        if new.version < old.version {
            return Err(refused(format!(
                "{} is version {}, older than the installed version {} (sign changed settings with a higher version)",
                file.display(),
                new.version,
                old.version
            )));
        }
        if new.version == old.version {
            if new == *old {
                return Ok(Installed { settings: new, replaced: Some(old.version), unchanged: true });
            }
            return Err(refused(format!(
                "{} is version {} like the installed settings but says something else: give changed settings a higher version",
                file.display(),
                new.version
            )));
        }
    }
    write(&path(data_dir), &new)?;
    Ok(Installed { replaced: installed.map(|o| o.version), settings: new, unchanged: false })
}

/// The `settings.toml` template `amanat org init` writes beside the organisation's
/// files: every field, with what it means.
pub fn template(organisation: &str) -> String {
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    format!(
        r#"# The organisation's settings, signed with the organisation key and shown read-only
# on every consent form (the law asks a consent to name the operator).
# Sign:    amanat settings sign settings.toml --org-key org-signing.key --out settings.json
# Install: amanat --data DATA settings install settings.json   (on the relay)
# Raise `version` with every change: the relay and the app refuse a lower one.
version = 1
organisation = {}
# Years a consent keeps the family's data by default (1 to 75).
retention_years = 5
# Age from which a child's own assent is asked (5 to 17).
assent_age = 7

[operator]
# The personal data operator, as registered.
name = ""
# "uz" (Uzbekistan: STIR, 9 digits) or "kz" (Kazakhstan: BIN, 12 digits).
country = "uz"
tax_number = ""
address = ""
# Where a family can complain (phone, e-mail or address).
complaints_contact = ""
"#,
        q(organisation)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::keyring::{HolderRole, KeyHolder};

    fn relay_with_keyring(dir: &Path) -> OrgSigningKey {
        let key = OrgSigningKey::generate();
        let r = shared::seal::generate_identity().to_public().to_string();
        keyring_file::init(
            dir,
            &key,
            "Org",
            vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }],
        )
        .unwrap();
        key
    }

    fn toml_facts(dir: &Path, extra: &str) -> SettingsFacts {
        let f = dir.join("s.toml");
        let text = template("Org")
            .replace("name = \"\"", "name = \"Org LLC\"")
            .replace("tax_number = \"\"", "tax_number = \"201234567\"")
            .replace("complaints_contact = \"\"", "complaints_contact = \"+998 71 200 00 00\"")
            .replace("version = 1", extra);
        std::fs::write(&f, text).unwrap();
        facts_from_toml(&f, 1_800_000_000).unwrap()
    }

    #[test]
    fn the_template_filled_in_signs_and_installs_and_a_lower_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = relay_with_keyring(dir.path());
        let v2 = sign(toml_facts(dir.path(), "version = 2"), &key).unwrap();
        assert_eq!((v2.version, v2.issued_at, v2.assent_age), (2, 1_800_000_000, 7));
        let file = dir.path().join("out.json");
        write(&file, &v2).unwrap();
        let done = install(dir.path(), &file).unwrap();
        assert_eq!((done.replaced, done.unchanged), (None, false));
        assert!(install(dir.path(), &file).unwrap().unchanged, "the same file again changes nothing");
        let v1 = sign(toml_facts(dir.path(), "version = 1"), &key).unwrap();
        write(&file, &v1).unwrap();
        assert!(matches!(install(dir.path(), &file), Err(SettingsFileError::Refused(m)) if m.contains("older")));
        let mut other_v2 = sign(toml_facts(dir.path(), "version = 2"), &key).unwrap();
        other_v2 = sign(SettingsFacts { retention_years: 9, ..other_v2.facts() }, &key).unwrap();
        write(&file, &other_v2).unwrap();
        assert!(
            matches!(install(dir.path(), &file), Err(SettingsFileError::Refused(m)) if m.contains("higher version"))
        );
        assert_eq!(load(dir.path()).unwrap().unwrap(), v2);
    }

    #[test]
    fn unknown_keys_and_a_bad_tax_number_are_refused_before_signing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.toml");
        std::fs::write(&f, template("Org") + "colour = \"red\"\n").unwrap();
        assert!(matches!(facts_from_toml(&f, 1), Err(SettingsFileError::Toml(..))), "a misspelt operator key");
        std::fs::write(&f, format!("colour = \"red\"\n{}", template("Org"))).unwrap();
        assert!(matches!(facts_from_toml(&f, 1), Err(SettingsFileError::Toml(..))), "an unknown top-level key");
        let key = OrgSigningKey::generate();
        let mut facts = toml_facts(dir.path(), "version = 1");
        facts.operator.tax_number = "12345".into();
        let err = sign(facts, &key).unwrap_err().to_string();
        assert!(err.contains("operator.tax_number"), "{err}");
    }
}
