//! Describing one opened entry (intake, consent, follow-up or closure) as plain
//! [`Line`]s: a label key and a value made of [`Bit`]s, by ordinary functions with no
//! DOM, so the describing is tested natively and one small renderer (`reading::view`)
//! turns every kind of entry into markup.
//!
//! Stored answers are codes; a code is described by its catalog label key
//! (`{list}-{code}`), so every label follows the language shown. Only answered fields
//! are described.

use shared::forms::codes::Code;
use shared::forms::consent::{ConsentEntry, ConsentKind, Signature};
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::intake::FamilyIntake;
use shared::forms::CaseEntry;
use shared::record::{Date, RiskFactor};

/// One piece of a shown value.
#[derive(Clone, Debug, PartialEq)]
pub enum Bit {
    /// As typed.
    Text(String),
    /// A catalog message: a code's label, or a fixed word ("Yes").
    Msg(String),
    Date(Date),
    /// A labelled value: "born: 01.03.2016".
    Tagged(&'static str, Box<Bit>),
    /// A drawn signature: canvas width, height and SVG path data.
    Drawing(u16, u16, String),
}

/// A list item: an optional code (`data-code`) and its pieces.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub code: Option<String>,
    pub bits: Vec<Bit>,
}

/// A line's value: pieces joined by commas, or a list.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bits(Vec<Bit>),
    Items(Vec<Item>),
}

/// One labelled line of an entry. `class` goes on the `<dd>` (pieces) or `<ul>` (list).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: &'static str,
    pub class: Option<&'static str>,
    pub value: Value,
}

fn text(s: &str) -> Option<Bit> {
    (!s.trim().is_empty()).then(|| Bit::Text(s.to_owned()))
}

fn code<C: Code>(c: Option<C>) -> Option<Bit> {
    c.map(|c| Bit::Msg(c.label_key()))
}

fn date(d: Option<Date>) -> Option<Bit> {
    d.map(Bit::Date)
}

fn tagged(label: &'static str, b: Option<Bit>) -> Option<Bit> {
    b.map(|b| Bit::Tagged(label, Box::new(b)))
}

fn item(code: Option<&str>, bits: impl IntoIterator<Item = Option<Bit>>) -> Item {
    Item { code: code.map(str::to_owned), bits: bits.into_iter().flatten().collect() }
}

/// Lines under construction; empty values are left out.
#[derive(Default)]
struct Lines(Vec<Line>);

impl Lines {
    fn bits(&mut self, label: &'static str, class: Option<&'static str>, bits: impl IntoIterator<Item = Option<Bit>>) {
        let bits: Vec<Bit> = bits.into_iter().flatten().collect();
        if !bits.is_empty() {
            self.0.push(Line { label, class, value: Value::Bits(bits) });
        }
    }

    fn one(&mut self, label: &'static str, bit: Option<Bit>) {
        self.bits(label, None, [bit]);
    }

    fn items(&mut self, label: &'static str, class: &'static str, items: impl IntoIterator<Item = Item>) {
        let items: Vec<Item> = items.into_iter().filter(|i| !i.bits.is_empty()).collect();
        if !items.is_empty() {
            self.0.push(Line { label, class: Some(class), value: Value::Items(items) });
        }
    }
}

pub(crate) const BORN: &str = "adviser-born";

fn intake_lines(f: &FamilyIntake) -> Vec<Line> {
    let mut l = Lines::default();
    let (m, a) = (&f.meta, &f.address);
    l.bits(
        "field-basis-ground",
        Some("basis"),
        [code(f.basis.ground), tagged("basis-consent_day", date(f.basis.consent_of)), text(&f.basis.reason)],
    );
    l.one("field-meta-date", date(m.date));
    l.one("field-meta-channel", code(m.channel));
    l.bits("field-meta-referral_source", None, [code(m.referral_source), text(&m.referral_note)]);
    l.bits("field-address-region", Some("region"), [code(a.region)]);
    l.one("field-address-district", code(a.district).or_else(|| text(&a.district_text)));
    l.one("field-address-mahalla", text(&a.mahalla));
    l.items(
        "field-household",
        "household",
        f.household.iter().map(|p| {
            item(
                None,
                [
                    text(&p.full_name),
                    code(p.relation),
                    tagged(BORN, date(p.date_of_birth)),
                    code(p.disability_group),
                    code(p.residence),
                ],
            )
        }),
    );
    l.items(
        "field-children_at_risk",
        "children",
        f.children_at_risk.iter().map(|c| {
            let member = f.member(c.member);
            item(
                None,
                [
                    member.and_then(|p| text(&p.full_name)).or(Some(Bit::Text("—".into()))),
                    tagged(BORN, member.and_then(|p| date(p.date_of_birth))),
                    tagged("field-children_at_risk-separation_risk", code(c.separation_risk)),
                    tagged("field-children_at_risk-care_arrangement", code(c.care_arrangement)),
                    tagged("field-children_at_risk-school_attendance", code(c.school_attendance)),
                    text(&c.notes),
                ],
            )
        }),
    );
    l.items(
        "field-risk-factors",
        "risk-factors",
        f.risk.factors.iter().map(|&r| {
            let other = if r == RiskFactor::Other { text(&f.risk.other) } else { None };
            item(Some(r.code()), [code(Some(r)), other])
        }),
    );
    l.bits("field-risk-level", Some("risk-level"), [code(f.risk.level)]);
    l.one("field-risk-notes", text(&f.risk.notes));
    l.items(
        "field-needs",
        "needs",
        f.needs.iter().map(|n| {
            item(
                Some(n.service.code()),
                [code(Some(n.service)), tagged("needs-priority", code(Some(n.priority))), text(&n.note)],
            )
        }),
    );
    l.bits("field-assessment", Some("assessment"), [text(&f.assessment)]);
    l.0
}

fn yes_no(granted: Option<bool>) -> Bit {
    Bit::Msg(
        match granted {
            Some(true) => "common-yes",
            Some(false) => "common-no",
            None => "common-not_answered",
        }
        .into(),
    )
}

fn consent_lines(e: &ConsentEntry) -> Vec<Line> {
    let mut l = Lines::default();
    l.bits("field-kind", Some("consent-kind"), [code(Some(e.kind))]);
    l.one("field-date", date(e.date));
    l.one("field-place", text(&e.place));
    l.one("field-operator-name", text(&e.operator.name));
    l.bits("field-consenter-full_name", None, [text(&e.consenter.full_name), code(e.consenter.role)]);
    l.items(
        "field-children",
        "assent",
        e.children.iter().map(|c| {
            item(
                None,
                [
                    text(&c.full_name),
                    tagged(BORN, date(c.date_of_birth)),
                    tagged("field-children-assent", code(c.assent)),
                ],
            )
        }),
    );
    if e.kind == ConsentKind::Withdrawn {
        l.one("field-withdrawal_form", code(e.withdrawal_form));
        let which: Vec<Item> = if e.withdraw_all {
            vec![item(Some("all"), [Some(Bit::Msg("consent-withdraw_all".into()))])]
        } else {
            e.decisions
                .iter()
                .filter(|d| d.granted == Some(false))
                .map(|d| item(Some(&d.permission.field_name()), [Some(Bit::Msg(d.permission.label_key()))]))
                .collect()
        };
        l.items("consent-withdraw-which", "decisions", which);
    } else {
        l.items(
            "field-decisions",
            "decisions",
            e.decisions.iter().map(|d| {
                item(
                    Some(&d.permission.field_name()),
                    [Some(Bit::Msg(d.permission.label_key())), Some(yes_no(d.granted)), text(&d.organisation)],
                )
            }),
        );
        l.items(
            "field-data_categories",
            "data-categories",
            e.data_categories.iter().map(|&c| item(Some(c.code()), [code(Some(c))])),
        );
        l.one("field-retention_years", e.retention_years.map(|y| Bit::Text(y.to_string())));
        l.one("field-expires_on", date(e.expires_on));
    }
    let signature = match &e.signature {
        Some(Signature::Drawn { strokes }) => vec![
            Some(Bit::Msg("record-signed_on_screen".into())),
            strokes.svg_path().ok().map(|d| Bit::Drawing(strokes.width, strokes.height, d)),
        ],
        Some(Signature::OnPaper { scan }) => vec![
            Some(Bit::Msg("consent-signature-on_paper".into())),
            tagged(
                "field-signature-scan",
                scan.as_ref().and_then(|s| text(&s.caption).or_else(|| code(Some(s.media_type)))),
            ),
        ],
        None => vec![],
    };
    l.bits("field-signature", Some("signature"), signature);
    l.one("field-witness", text(&e.witness));
    l.one("field-notes", text(&e.notes));
    l.0
}

fn follow_up_lines(f: &FollowUp) -> Vec<Line> {
    let mut l = Lines::default();
    l.one("field-date", date(f.date));
    l.items(
        "field-contacts",
        "contacts",
        f.contacts.iter().map(|c| {
            item(c.channel.map(|c| c.code()), [date(c.date), code(c.channel), text(&c.with_whom), text(&c.notes)])
        }),
    );
    l.items(
        "field-services",
        "services",
        f.services.iter().map(|s| {
            item(
                s.service.map(|s| s.code()),
                [
                    code(s.service),
                    date(s.date),
                    text(&s.provider),
                    s.via_referral.then(|| Bit::Msg("field-services-via_referral".into())),
                    text(&s.notes),
                ],
            )
        }),
    );
    l.items(
        "field-referrals",
        "referrals",
        f.referrals.iter().map(|r| {
            item(
                r.party.map(|p| p.code()),
                [
                    code(r.party),
                    text(&r.organisation),
                    code(r.service),
                    date(r.date),
                    tagged("field-referrals-status", code(r.status)),
                    text(&r.notes),
                ],
            )
        }),
    );
    l.items(
        "field-goals",
        "goals",
        f.goals.iter().map(|g| {
            item(
                g.status.map(|s| s.code()),
                [
                    text(&g.goal),
                    code(g.service),
                    tagged("field-goals-target_date", date(g.target_date)),
                    tagged("field-goals-status", code(g.status)),
                    text(&g.notes),
                ],
            )
        }),
    );
    l.one("field-notes", text(&f.notes));
    l.0
}

fn closure_lines(c: &Closure) -> Vec<Line> {
    let mut l = Lines::default();
    l.one("field-date", date(c.date));
    l.bits("field-outcome", Some("outcome"), [code(c.outcome), code(c.transferred_to), text(&c.outcome_note)]);
    let returned = c.shows_children_returned() || c.children_returned > 0;
    l.bits(
        "field-children_returned",
        Some("children-returned"),
        [returned.then(|| Bit::Text(c.children_returned.to_string()))],
    );
    l.one("field-notes", text(&c.notes));
    l.0
}

/// What an entry shows: its heading (a family name for an intake, else the form's
/// title key) and its lines.
pub fn describe(entry: &CaseEntry) -> (Result<String, &'static str>, Vec<Line>) {
    match entry {
        CaseEntry::Intake(f) => (Ok(f.family_name.clone()), intake_lines(f)),
        CaseEntry::Consent(e) => (Err("form-consent-title"), consent_lines(e)),
        CaseEntry::FollowUp(f) => (Err("form-follow_up-title"), follow_up_lines(f)),
        CaseEntry::Closure(c) => (Err("form-closure-title"), closure_lines(c)),
    }
}

/// `dd.mm.yyyy HH:MM UTC` for an RFC 3339 time in UTC; the time as stored otherwise.
pub fn moment(rfc3339: &str) -> String {
    let day = rfc3339.get(..10).and_then(Date::parse_iso);
    match (day, rfc3339.get(11..16)) {
        (Some(d), Some(hm)) if rfc3339.ends_with('Z') => format!("{} {hm} UTC", d.display()),
        _ => rfc3339.to_owned(),
    }
}
