//! Issue 3, "keyboard only": a caseworker fills and saves a whole family intake
//! without touching the mouse, in headless Chromium against the real relay.
//!
//! From the unlocked workspace every step is a WebDriver key action sent to the
//! page as a whole (never to an element): Tab and Shift+Tab move focus, letters type,
//! the arrow keys pick an option of a focused `<select>`, Space ticks a checkbox,
//! Enter presses a button. The story only *reads* the page (which element has focus,
//! what a select holds) to know how many keys to press. A control that cannot be
//! reached by Tab, or does not react to its key, fails the story: that is a bug in
//! the form, not in the test. The saved entry must land in the outbox.

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use anyhow::{bail, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

/// Most Tab presses allowed to reach one control from the one before it. The
/// intake's longest jump (over a member's fields, to "add member") is well under it.
const MAX_TABS: usize = 80;

/// The keyboard: key actions on the page, and what it reads to decide the next key.
struct Keyboard<'a> {
    browser: &'a Browser,
    /// Keys pressed so far (reported in the story's output).
    presses: usize,
}

impl<'a> Keyboard<'a> {
    fn new(browser: &'a Browser) -> Self {
        Self { browser, presses: 0 }
    }

    /// Presses and releases each key in turn; `shift` holds Shift around them.
    async fn keys(&mut self, keys: &[char], shift: bool) -> Result<()> {
        let mut seq = KeyActions::new("keyboard".to_owned());
        if shift {
            seq = seq.then(KeyAction::Down { value: Key::Shift.into() });
        }
        for &k in keys {
            seq = seq.then(KeyAction::Down { value: k }).then(KeyAction::Up { value: k });
        }
        if shift {
            seq = seq.then(KeyAction::Up { value: Key::Shift.into() });
        }
        self.browser.client.perform_actions(seq).await?;
        self.presses += keys.len();
        Ok(())
    }

    async fn press(&mut self, key: Key) -> Result<()> {
        self.keys(&[key.into()], false).await
    }

    /// Types `text` into whatever has focus.
    async fn type_text(&mut self, text: &str) -> Result<()> {
        let chars: Vec<char> = text.chars().collect();
        self.keys(&chars, false).await
    }

    /// Whether the focused element matches the CSS selector; also its id (for messages).
    async fn focused(&self, css: &str) -> Result<(bool, String)> {
        let v = self
            .browser
            .client
            .execute(
                "const a = document.activeElement;
                 return [!!a && a.matches(arguments[0]), a ? (a.id || a.tagName) : ''];",
                vec![css.into()],
            )
            .await?;
        Ok((v[0] == true, v[1].as_str().unwrap_or_default().to_owned()))
    }

    /// Presses Tab (or Shift+Tab with `back`) until the control matching `css` has
    /// focus; fails when it is not reached within [`MAX_TABS`] presses.
    async fn tab_to_css(&mut self, css: &str, back: bool) -> Result<()> {
        let mut path = Vec::new();
        for _ in 0..MAX_TABS {
            let (there, id) = self.focused(css).await?;
            if there {
                return Ok(());
            }
            path.push(id);
            self.keys(&[Key::Tab.into()], back).await?;
        }
        bail!(
            "`{css}` is not reachable with {} (focus went: {})",
            if back { "Shift+Tab" } else { "Tab" },
            path.join(" → ")
        )
    }

    async fn tab_to(&mut self, id: &str) -> Result<()> {
        self.tab_to_css(&format!("#{id}"), false).await
    }

    /// Tabs to the text field `id` and types `text` (the field is empty: new form).
    async fn fill(&mut self, id: &str, text: &str) -> Result<()> {
        self.tab_to(id).await?;
        self.type_text(text).await
    }

    /// Tabs to the select `id` and moves its choice with the arrow keys to the option
    /// whose value is `value`.
    async fn choose(&mut self, id: &str, value: &str) -> Result<()> {
        self.tab_to(id).await?;
        let (now, want) = self.option_index(id, value).await?;
        if want < 0 {
            bail!("#{id} offers no option {value:?}");
        }
        let key: char = if want > now { Key::Down.into() } else { Key::Up.into() };
        let steps = vec![key; (want - now).unsigned_abs() as usize];
        self.keys(&steps, false).await?;
        let (now, _) = self.option_index(id, value).await?;
        if now != want {
            bail!("the arrow keys left #{id} at option {now}, not {want} ({value})");
        }
        Ok(())
    }

    /// The select's chosen index and the index of its option `value` (-1: none).
    async fn option_index(&self, id: &str, value: &str) -> Result<(i64, i64)> {
        let v = self
            .browser
            .client
            .execute(
                "const s = document.getElementById(arguments[0]);
                 return [s.selectedIndex, [...s.options].findIndex(o => o.value === arguments[1])];",
                vec![id.into(), value.into()],
            )
            .await?;
        Ok((v[0].as_i64().unwrap_or(-1), v[1].as_i64().unwrap_or(-1)))
    }

    /// Tabs to the checkbox (or radio) `id` and presses Space.
    async fn tick(&mut self, id: &str) -> Result<()> {
        self.tab_to(id).await?;
        self.press(Key::Space).await
    }

    /// The id of the focused element.
    async fn focused_id(&self) -> Result<String> {
        Ok(self.focused("*").await?.1)
    }
}

#[tokio::test]
async fn a_caseworker_fills_and_saves_a_whole_intake_with_the_keyboard_alone() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.wait_for("#intake-form", 30).await.unwrap();
    let started = Instant::now();
    let mut kb = Keyboard::new(&browser);

    // The lawful basis comes first; the reason opens under the ground chosen.
    kb.choose("f-basis-ground", "child_in_danger").await.unwrap();
    kb.fill("f-basis-reason", "Children alone at home for three days").await.unwrap();
    kb.fill("f-meta-date", "02.11.2026").await.unwrap();
    kb.fill("f-meta-caseworker", "Dilnoza Rahimova").await.unwrap();
    kb.fill("f-meta-office", "Urgut").await.unwrap();
    kb.choose("f-meta-channel", "home_visit").await.unwrap();
    kb.choose("f-meta-referral_source", "mahalla").await.unwrap();
    kb.fill("f-family_name", "Keyboardova").await.unwrap();
    // Back one field with Shift+Tab to finish the office's name.
    kb.tab_to_css("#f-meta-office", true).await.unwrap();
    kb.press(Key::End).await.unwrap();
    kb.type_text(" centre").await.unwrap();

    kb.choose("f-address-country", "uz").await.unwrap();
    kb.choose("f-address-region", "uz-sa").await.unwrap();
    kb.choose("f-address-district", "uz-sa-urgut").await.unwrap();
    kb.fill("f-address-mahalla", "Navbahor").await.unwrap();
    kb.tab_to("phones-add").await.unwrap();
    kb.press(Key::Enter).await.unwrap();
    wait_focus(&kb, "f-address-phones-0").await.unwrap();
    kb.type_text("+998 90 123 45 67").await.unwrap();

    // Household: "add member" by Enter puts focus in the new member's name.
    let mut members = Vec::new();
    for (name, born, sex, relation, doc, pinfl, activity) in [
        ("Rustam Keyboardov", "12.05.1985", "male", "head", "uz_id_card", "31205850120017", "employed"),
        ("Malika Keyboardova", "01.03.2016", "female", "child", "uz_birth_certificate", "60103160120015", "school"),
    ] {
        kb.tab_to("household-add").await.unwrap();
        kb.press(Key::Enter).await.unwrap();
        let focus = wait_focus_matching(&kb, "input[id^='f-household-k'][id$='-full_name']").await.unwrap();
        let k = focus.trim_start_matches("f-household-").trim_end_matches("-full_name").to_owned();
        let id = |f: &str| format!("f-household-{k}-{f}");
        kb.type_text(name).await.unwrap();
        kb.fill(&id("date_of_birth"), born).await.unwrap();
        kb.choose(&id("sex"), sex).await.unwrap();
        kb.choose(&id("relation"), relation).await.unwrap();
        kb.choose(&id("citizenship"), "uz").await.unwrap();
        kb.choose(&id("document-kind"), doc).await.unwrap();
        kb.fill(&id("document-number"), "AB1234567").await.unwrap();
        kb.fill(&id("document-personal_number"), pinfl).await.unwrap();
        kb.choose(&id("activity"), activity).await.unwrap();
        kb.choose(&id("residence"), "in_household").await.unwrap();
        // Disability (open: the basis is recorded): the radio pair; "no" is the answer
        // given, picked with the arrows from "yes" (Tab lands on the checked radio of a
        // group).
        kb.tab_to_css(&format!("#{}, #{}-no", id("disability"), id("disability")), false).await.unwrap();
        if kb.focused_id().await.unwrap() == id("disability") {
            kb.press(Key::Down).await.unwrap();
        }
        members.push(k);
    }

    // The girl at risk: ticked with Space, her details appear and are answered.
    let girl = &members[1];
    let risk = |f: &str| format!("f-children_at_risk-{girl}-{f}");
    kb.tick(&risk("member")).await.unwrap();
    kb.choose(&risk("separation_risk"), "high").await.unwrap();
    kb.choose(&risk("care_arrangement"), "one_parent").await.unwrap();
    kb.choose(&risk("school_attendance"), "irregular").await.unwrap();

    kb.tick("f-risk-factors-labour_migration").await.unwrap();
    kb.choose("f-risk-level", "high").await.unwrap();
    kb.tick("f-needs-psychological").await.unwrap();
    kb.choose("f-needs-psychological-priority", "high").await.unwrap();
    kb.fill("f-assessment", "Father abroad for work; the girl misses school.").await.unwrap();

    // Save with Enter on the save button.
    kb.tab_to_css("#intake-form button.save", false).await.unwrap();
    kb.press(Key::Enter).await.unwrap();
    browser.wait_for("#case-heading", 60).await.unwrap();
    let heading = browser.wait_for("#case-heading", 5).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Keyboardova", "the saved family's case opens");

    // The outbox, reached by keyboard too: the sealed entry is there.
    kb.tab_to("part-outbox-button").await.unwrap();
    kb.press(Key::Enter).await.unwrap();
    browser.wait_for("li.outbox-entry", 30).await.unwrap();
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 1, "one entry sealed");
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    println!("keyboard only: {} key presses, {:?} from unlock to saved", kb.presses, started.elapsed());
}

/// Waits until focus is on `id` (focus moves on the next animation frame).
async fn wait_focus(kb: &Keyboard<'_>, id: &str) -> Result<()> {
    wait_focus_matching(kb, &format!("#{id}")).await.map(|_| ())
}

/// Waits until the focused element matches `css`; returns its id.
async fn wait_focus_matching(kb: &Keyboard<'_>, css: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (there, id) = kb.focused(css).await?;
        if there {
            return Ok(id);
        }
        if Instant::now() > deadline {
            bail!("focus is on {id}, not on `{css}`");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
