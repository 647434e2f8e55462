//! The user's repeated steps in the app, as [`Browser`] methods the stories call in one
//! line: enrolling and unlocking, signing in as a key holder, opening a part of the
//! workspace, filling and saving a complete intake or consent, and the stand-in for a
//! scanned page. What a browser can do at all (start, wait, click, type) is in
//! [`super::driver`]; what is particular to one story stays in that story.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::driver::Browser;
use super::relay::RelayProcess;

/// Writes `name` in `dir`: a small file that starts like a JPEG (what the app's
/// attachment check sniffs) and holds `text`, standing in for a scanned page.
pub fn scan_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00];
    bytes.extend_from_slice(&[0u8; 4]);
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend(std::iter::repeat_n(0x20u8, 2048));
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

impl Browser {
    /// Opens a one-time enrolment link (`…/#enrol=<token>`) and chooses a passphrase
    /// (typed twice); waits until the workspace shows the account.
    pub async fn enrol(&self, link: &str, name: &str, passphrase: &str) -> Result<()> {
        self.goto(link).await?;
        self.type_into("enrol-name", name).await?;
        self.type_into("enrol-passphrase", passphrase).await?;
        self.type_into("enrol-again", passphrase).await?;
        self.click("#enrol-submit").await?;
        self.wait_for("#session-name", 60).await?;
        Ok(())
    }

    /// The passphrase the stories give the demo caseworker.
    pub const DEMO_PASSPHRASE: &'static str = "apricot harbour violin 31 snow";

    /// Enrols the demo caseworker with the link `amanat serve` made on first start.
    pub async fn enrol_demo_caseworker(&self, relay: &RelayProcess) -> Result<()> {
        let link = relay.url(&format!("/#enrol={}", relay.demo_file("caseworker-enrolment.txt")));
        self.enrol(&link, "demo-caseworker", Self::DEMO_PASSPHRASE).await
    }

    /// Unlocks the caseworker page with name and passphrase; waits for the workspace.
    pub async fn unlock(&self, name: &str, passphrase: &str) -> Result<()> {
        self.type_into("signin-name", name).await?;
        self.type_into("signin-passphrase", passphrase).await?;
        self.click("#signin-submit").await?;
        self.wait_for("#session-name", 60).await?;
        Ok(())
    }

    /// Signs in on the key holder's sign-in form (account name and access token).
    pub async fn sign_in(&self, name: &str, token: &str) -> Result<()> {
        self.type_into("signin-name", name).await?;
        self.type_into("signin-token", token).await?;
        self.click("#signin-submit").await
    }

    /// Saves the intake filled on the page while the relay is down (killed, as a power
    /// cut would): the entry is sealed and waits in the outbox. Then the relay comes
    /// back, and the entry uploads by itself.
    pub async fn save_intake_through_a_relay_outage(&self, relay: &mut RelayProcess) -> Result<()> {
        relay.crash();
        self.save_intake().await?;
        self.open_part("outbox").await?;
        self.wait_for("li.outbox-entry[data-state=waiting]", 60).await?;
        relay.restart();
        self.wait_for("li.outbox-entry[data-state=uploaded]", 90).await?;
        Ok(())
    }

    /// Opens one part of the unlocked workspace (`intake`, `case`, `cases`, `outbox`,
    /// `account`) with its button in the workspace's navigation.
    pub async fn open_part(&self, part: &str) -> Result<()> {
        self.click(&format!("#part-{part}-button")).await?;
        self.wait_for(&format!("section#part-{part}"), 20).await?;
        Ok(())
    }

    /// Fills and saves a complete, valid family intake in the workspace's "New family"
    /// part: a family in Samarkand region (Urgut district), a father (head of household)
    /// and one girl born 01.03.2016, both Uzbek citizens with PINFLs that match them,
    /// the girl at high risk of separation, a parent in labour migration, psychological
    /// support asked for; then saves it and waits until the save has either sealed the
    /// entry (the current case opens) or been refused (the status line says why).
    pub async fn fill_intake(&self, family: &str, child: &str) -> Result<()> {
        self.open_part("intake").await?;
        self.fill_intake_with(family, child, "Mother works nights; grandmother helps").await?;
        self.save_intake().await
    }

    /// Fills every field of a complete, valid intake (see [`Browser::fill_intake`]) on
    /// the fresh form, without saving: `family` and `child` are the family's and the
    /// girl's names, the head of household (her father) is `Rustam {family}`, and
    /// `note` goes into every other free-text field the form shows (the basis's reason,
    /// caseworker, office, mahalla, street, housing, health notes, the child's notes,
    /// risk notes, assessment).
    pub async fn fill_intake_with(&self, family: &str, child: &str, note: &str) -> Result<()> {
        self.wait_for("#intake-form", 30).await?;
        // The lawful basis first: a duty under the law, with its reason (the health
        // and violence fields open only then). `consent_before_intake` tells the
        // consent-first way.
        self.choose("f-basis-ground", "legal_duty").await?;
        self.enter("f-basis-reason", &format!("{note} basis")).await?;
        self.fill_intake_details(family, child, note).await
    }

    /// Fills the intake's fields after the lawful basis (see
    /// [`Browser::fill_intake_with`]), whatever basis is chosen: the health,
    /// disability and violence fields only where the form shows them (a basis opens
    /// them), the rest always. Does not save.
    pub async fn fill_intake_details(&self, family: &str, child: &str, note: &str) -> Result<()> {
        self.wait_for("#intake-form", 30).await?;
        self.enter("f-meta-date", "02.11.2026").await?;
        self.enter("f-meta-caseworker", &format!("{note} caseworker")).await?;
        self.enter("f-meta-office", &format!("{note} office")).await?;
        self.choose("f-meta-channel", "home_visit").await?;
        self.choose("f-meta-referral_source", "mahalla").await?;
        self.enter("f-family_name", family).await?;
        // Region first: it sets the country and lists the region's districts.
        self.choose("f-address-region", "uz-sa").await?;
        self.choose("f-address-district", "uz-sa-urgut").await?;
        self.enter("f-address-mahalla", &format!("{note} mahalla")).await?;
        self.enter("f-address-street", &format!("{note} street")).await?;
        self.click("#phones-add").await?;
        self.enter("f-address-phones-0", "+998 90 123 45 67").await?;
        self.choose("f-address-housing_type", "rented").await?;
        self.choose("f-address-housing_condition", "poor").await?;
        self.enter("f-address-housing_note", &format!("{note} housing")).await?;

        // Two members: the form starts with none; keys come from the page.
        let before = self.ids_of("#f-household fieldset.member h3").await?.len();
        for _ in 0..2 {
            self.click("#household-add").await?;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let headings = loop {
            let h = self.ids_of("#f-household fieldset.member h3").await?;
            if h.len() >= before + 2 {
                break h;
            }
            if Instant::now() > deadline {
                bail!("two household members were not added (headings: {h:?})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let key = |heading: &str| heading.trim_end_matches("-heading").trim_start_matches("f-household-").to_owned();
        let (head, girl) = (key(&headings[before]), key(&headings[before + 1]));
        let member = |k: &str, f: &str| format!("f-household-{k}-{f}");
        let people = [
            (
                &head,
                format!("Rustam {family}"),
                "12.05.1985",
                "male",
                "head",
                "uz_id_card",
                "AD1234567",
                "31205850120017",
            ),
            (
                &girl,
                child.to_owned(),
                "01.03.2016",
                "female",
                "child",
                "uz_birth_certificate",
                "I-SM 0123456",
                "60103160120015",
            ),
        ];
        let special = self.count(&format!("#{}", member(&head, "health_notes"))).await? > 0;
        for (k, name, born, sex, relation, doc, number, pinfl) in &people {
            self.enter(&member(k, "full_name"), name).await?;
            self.enter(&member(k, "date_of_birth"), born).await?;
            self.choose(&member(k, "sex"), sex).await?;
            self.choose(&member(k, "relation"), relation).await?;
            self.choose(&member(k, "citizenship"), "uz").await?;
            self.choose(&member(k, "document-kind"), doc).await?;
            self.enter(&member(k, "document-number"), number).await?;
            self.enter(&member(k, "document-personal_number"), pinfl).await?;
            self.choose(&member(k, "activity"), if *relation == "head" { "employed" } else { "school" }).await?;
            self.choose(&member(k, "residence"), "in_household").await?;
            if special {
                self.click(&format!("#{}-no", member(k, "disability"))).await?;
                self.enter(&member(k, "health_notes"), &format!("{note} health")).await?;
            }
        }

        // The girl is at risk.
        let at_risk = |f: &str| format!("f-children_at_risk-{girl}-{f}");
        self.click(&format!("#{}", at_risk("member"))).await?;
        self.choose(&at_risk("separation_risk"), "high").await?;
        self.choose(&at_risk("care_arrangement"), "one_parent").await?;
        self.choose(&at_risk("school_attendance"), "irregular").await?;
        self.enter(&at_risk("notes"), &format!("{note} child")).await?;

        self.click("#f-risk-factors-labour_migration").await?;
        if special {
            self.enter("f-risk-notes", &format!("{note} risk")).await?;
        }
        self.choose("f-risk-level", "high").await?;
        self.click("#f-needs-psychological").await?;
        self.choose("f-needs-psychological-priority", "high").await?;
        self.enter("f-assessment", &format!("{note} assessment")).await?;
        Ok(())
    }

    /// Fills the current case's consent form (the workspace's "Current case" part,
    /// opened after an intake by [`Browser::fill_intake`]) with a complete, valid
    /// consent given by a parent: the operator shown from the relay's signed settings
    /// (read-only; this waits for it), `note` in every free-text field (place,
    /// consenter, witness, the other organisation named for sharing, notes), every
    /// purpose and party allowed but the police, identity and health data, five years; signed on
    /// paper with the scan at `scan` attached through the file picker (the scan is
    /// sealed as an entry of its own; this waits until the form shows it attached).
    /// Does not save.
    pub async fn fill_consent_with(&self, note: &str, scan: &Path) -> Result<()> {
        self.wait_for("#consent-form", 30).await?;
        self.wait_for_operator_from_settings().await?;
        self.type_into("c-date", "02.11.2026").await?;
        self.type_into("c-place", &format!("{note} place")).await?;
        self.choose("c-consenter-role", "parent").await?;
        self.type_into("c-consenter-full_name", &format!("{note} parent")).await?;
        self.choose("c-consenter-citizenship", "uz").await?;
        self.choose("c-consenter-document-kind", "uz_id_card").await?;
        self.type_into("c-consenter-document-number", &format!("{}1", note.chars().take(28).collect::<String>()))
            .await?;
        self.type_into("c-consenter-document-personal_number", "31205850120017").await?;
        self.type_into("c-witness", &format!("{note} witness")).await?;
        // The intake's children come over; each old enough is asked for assent.
        for id in self.ids_of("#consent-form select[id$='-assent']").await? {
            self.choose(&id, "assents").await?;
        }
        for id in self.ids_of("#consent-form input[type=radio][id^='c-decisions-']").await? {
            if id.ends_with("-no") {
                continue;
            }
            let pick = if id == "c-decisions-sharing-police" { format!("{id}-no") } else { id };
            self.click(&format!("#{pick}")).await?;
        }
        // "Another organisation" allowed: the family names it.
        self.enter("c-decisions-sharing-other_ngo-organisation", &format!("{note} fund")).await?;
        self.click("#c-data_categories-identity").await?;
        self.click("#c-data_categories-health").await?;
        self.type_into("c-retention_years", "5").await?;
        self.type_into("c-expires_on", "02.11.2031").await?;
        self.type_into("c-notes", &format!("{note} notes")).await?;
        self.click("#c-signature-paper").await?;
        let picker = self.wait_for("#c-signature-scan input[type=file]", 20).await?;
        picker.send_keys(&scan.display().to_string()).await.context("choosing the scan")?;
        self.wait_for("#c-signature-scan .scan-attached", 60).await?;
        Ok(())
    }

    /// Waits until the consent form names the operator from the organisation's signed
    /// settings (`#c-operator-name` not empty), and gives that name.
    pub async fn wait_for_operator_from_settings(&self) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let name = self.wait_for("#c-operator-name", 20).await?.text().await?;
            if !name.trim().is_empty() {
                return Ok(name);
            }
            if Instant::now() > deadline {
                let text = self.page_text().await.unwrap_or_default();
                bail!("the consent form named no operator from the settings within 30 s; the page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves the current case's consent (see [`Browser::save_form`]).
    pub async fn save_consent(&self) -> Result<()> {
        self.save_form("consent-form", "consent-error-summary").await
    }

    /// Presses the intake's save button and waits for the outcome: sealed (the form
    /// leaves: the new case opens) or refused (the status line says why and the form
    /// is still there, answers kept). A form the app finds invalid
    /// is an error here, with the error summary's text: the stories fill valid forms.
    pub async fn save_intake(&self) -> Result<()> {
        self.save_form("intake-form", "form-error-summary").await
    }

    /// Presses the save button of `form_id` and waits as [`Browser::save_intake`] does
    /// (a case form stays on the page after a save, emptied; the status line says
    /// "saved" or why not).
    pub async fn save_form(&self, form_id: &str, summary_id: &str) -> Result<()> {
        self.click(&format!("#{form_id} button.save")).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let started = Instant::now();
        loop {
            let state: serde_json::Value = self
                .client
                .execute(
                    "const [form, summary] = arguments;
                     const f = document.getElementById(form);
                     const s = document.getElementById(summary);
                     const status = document.getElementById('status');
                     const button = f && f.querySelector('button.save');
                     return {
                       gone: !f || !!f.closest('.hidden'),
                       summary: s ? s.innerText : null,
                       busy: !!button && button.getAttribute('aria-disabled') === 'true',
                       told: !!status && !status.classList.contains('status-empty'),
                     };",
                    vec![form_id.into(), summary_id.into()],
                )
                .await?;
            if state["gone"] == true {
                return Ok(());
            }
            if let Some(summary) = state["summary"].as_str() {
                bail!("the app refused the form as invalid:\n{summary}");
            }
            // The save button is busy from the click until the entry is sealed or
            // refused; then the status line says which.
            if state["busy"] == false && state["told"] == true && started.elapsed() > Duration::from_millis(300) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let text = self.page_text().await.unwrap_or_default();
                bail!("saving #{form_id} had no outcome within 60 s; the page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
