//! Reading what was sealed: one opened entry of a case (intake, consent, follow-up or
//! closure) as a list of labelled values, and a case's entries grouped in reading
//! order (intake, then consents and follow-ups in time order, then the closure).
//!
//! Data-driven on purpose: each kind of entry is first described as plain [`Line`]s
//! (a label key and a value made of [`Bit`]s) by ordinary functions, and one small
//! renderer turns lines into DOM. This keeps the wasm small (one view shape instead of
//! one per field) and the describing testable natively. Stored answers are codes; a
//! code is shown through its catalog label (`{list}-{code}`), so every label follows
//! the language shown. Only answered fields are shown.
//!
//! Selectors the stories use: `article.record[data-id][data-case][data-kind]`,
//! `.family-name` (an intake's heading), `dd.region`, `ul.children`, `ul.risk-factors
//! li[data-code]`, `dd.assessment`; cases are `section.case[data-case]`.

use std::sync::Arc;

use leptos::prelude::*;
use shared::forms::codes::Code;
use shared::forms::consent::{ConsentEntry, ConsentKind, Signature};
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::intake::FamilyIntake;
use shared::forms::{CaseDocument, CaseEntry};
use shared::i18n::Arg;
use shared::record::{Date, RiskFactor};
use shared::{CaseId, EntryId};

use crate::i18n::{t, use_i18n, I18n};
use crate::opening::Content;

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

const BORN: &str = "adviser-born";

fn intake_lines(f: &FamilyIntake) -> Vec<Line> {
    let mut l = Lines::default();
    let (m, a) = (&f.meta, &f.address);
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
                    [Some(Bit::Msg(d.permission.label_key())), Some(yes_no(d.granted))],
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
    l.bits("field-outcome", Some("outcome"), [code(c.outcome), text(&c.outcome_note)]);
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
fn moment(rfc3339: &str) -> String {
    let day = rfc3339.get(..10).and_then(Date::parse_iso);
    match (day, rfc3339.get(11..16)) {
        (Some(d), Some(hm)) if rfc3339.ends_with('Z') => format!("{} {hm} UTC", d.display()),
        _ => rfc3339.to_owned(),
    }
}

fn render_bit(i18n: I18n, b: Bit) -> AnyView {
    match b {
        Bit::Text(s) => s.into_any(),
        Bit::Msg(k) => (move || i18n.tr(&k)).into_any(),
        Bit::Date(d) => view! { <time datetime=d.to_string()>{d.display()}</time> }.into_any(),
        Bit::Tagged(k, b) => view! { {move || i18n.tr(k)} ": " {render_bit(i18n, *b)} }.into_any(),
        Bit::Drawing(w, h, d) => view! {
            <svg class="signature-drawn" viewBox=format!("0 0 {w} {h}") aria-hidden="true">
                <path d=d fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        }
        .into_any(),
    }
}

fn render_bits(i18n: I18n, bits: Vec<Bit>) -> Vec<AnyView> {
    let mut out = Vec::with_capacity(bits.len() * 2);
    for (i, b) in bits.into_iter().enumerate() {
        if i > 0 {
            out.push(", ".into_any());
        }
        out.push(render_bit(i18n, b));
    }
    out
}

fn render_line(i18n: I18n, line: Line) -> impl IntoView {
    let value = match line.value {
        Value::Bits(bits) => view! { <dd class=line.class>{render_bits(i18n, bits)}</dd> }.into_any(),
        Value::Items(items) => {
            let items = items
                .into_iter()
                .map(|it| view! { <li data-code=it.code>{render_bits(i18n, it.bits)}</li> })
                .collect_view();
            view! { <dd><ul class=line.class>{items}</ul></dd> }.into_any()
        }
    };
    view! { <dt>{i18n.t(line.label)}</dt> {value} }
}

/// One opened entry of a case. `superseded`: a later entry of the case corrects it
/// (entries are never edited), so it is marked as such, and kept.
#[component]
pub fn RecordView(id: EntryId, doc: Arc<CaseDocument>, #[prop(optional)] superseded: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (heading, lines) = describe(&doc.entry);
    let heading = match heading {
        Ok(family) => view! { <h4 class="family-name">{family}</h4> }.into_any(),
        Err(key) => view! { <h4 class="entry-kind">{i18n.t(key)}</h4> }.into_any(),
    };
    let lines = lines.into_iter().map(|l| render_line(i18n, l)).collect_view();
    view! {
        <article class="record card" class:superseded=superseded data-id=id.to_string() data-case=doc.case.to_string() data-kind=doc.entry.kind()>
            {heading}
            {superseded.then(|| view! { <p class="superseded-note">{t("record-superseded")}</p> })}
            <dl>
                {lines}
                <dt>{t("adviser-author")}</dt>
                <dd class="author">{doc.author.clone()}</dd>
                <dt>{t("adviser-created_at")}</dt>
                <dd><time datetime=doc.created_at.clone()>{moment(&doc.created_at)}</time></dd>
            </dl>
        </article>
    }
}

/// The opened entries of one case, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseEntries {
    pub case: CaseId,
    /// Intake first, then consents and follow-ups by the time they were saved, then
    /// the closure.
    pub docs: Vec<(EntryId, Arc<CaseDocument>)>,
    /// Photos and scans of the case (format, plaintext size), in listing order.
    pub attachments: Vec<(EntryId, shared::forms::attachment::MediaType, u64)>,
}

impl CaseEntries {
    /// Which documents this group holds, as one number: summaries made from the group
    /// are reused only while it is the same (another key that opens as many entries of
    /// the case gives another stamp).
    pub fn stamp(&self) -> u64 {
        self.docs.iter().fold(self.docs.len() as u64, |acc, (id, _)| {
            let b = id.as_bytes();
            acc.rotate_left(5) ^ u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })
    }
}

impl CaseEntries {
    /// The family's name from the case's latest intake, if it has one.
    pub fn family_name(&self) -> Option<&str> {
        self.docs.iter().rev().find_map(|(_, d)| match &d.entry {
            CaseEntry::Intake(f) if !f.family_name.trim().is_empty() => Some(f.family_name.as_str()),
            _ => None,
        })
    }

    /// The time of its latest entry (for ordering cases, newest first).
    fn latest(&self) -> Option<&str> {
        self.docs.iter().map(|(_, d)| d.created_at.as_str()).max()
    }

    /// Everything this group shows, for keying a list: its case and entry count.
    pub fn key(&self) -> (CaseId, usize) {
        (self.case, self.docs.len() + self.attachments.len())
    }
}

fn rank(e: &CaseEntry) -> u8 {
    match e {
        CaseEntry::Intake(_) => 0,
        CaseEntry::Consent(_) | CaseEntry::FollowUp(_) => 1,
        CaseEntry::Closure(_) => 2,
    }
}

/// Groups opened entries by case: a document by the case sealed inside it, an
/// attachment by the case it was listed under. Cases with the newest entry first.
pub fn by_case(opened: impl IntoIterator<Item = (EntryId, CaseId, Content)>) -> Vec<CaseEntries> {
    let mut book = CaseBook::default();
    for (id, listed, content) in opened {
        book.add(id, listed, content);
    }
    book.sorted()
}

/// Opened entries grouped by case as they arrive ([`by_case`] all at once): adding an
/// entry touches only its own case, so the key holder's page, which opens thousands in
/// batches, never regroups what it already grouped.
#[derive(Debug, Default)]
pub struct CaseBook {
    index: std::collections::HashMap<CaseId, usize>,
    /// In the order their cases were first seen; each in reading order.
    groups: Vec<CaseEntries>,
}

impl CaseBook {
    /// Files one opened entry under its case, in reading order (an entry that sorts
    /// equal to one already there goes after it, as a stable sort would put it).
    pub fn add(&mut self, id: EntryId, listed: CaseId, content: Content) {
        let case = match &content {
            Content::Document(d) => d.case,
            Content::Attachment { .. } => listed,
        };
        let groups = &mut self.groups;
        let at = *self.index.entry(case).or_insert_with(|| {
            groups.push(CaseEntries { case, docs: Vec::new(), attachments: Vec::new() });
            groups.len() - 1
        });
        let group = &mut groups[at];
        match content {
            // A re-seal to a new keyring uploads the same document again under a new id
            // until an admin removes the old entry: one record, shown and counted once.
            Content::Document(d) if group.docs.iter().any(|(_, seen)| **seen == *d) => {}
            Content::Document(d) => {
                let key = (rank(&d.entry), d.created_at.as_str());
                let pos = group.docs.partition_point(|(_, e)| (rank(&e.entry), e.created_at.as_str()) <= key);
                group.docs.insert(pos, (id, d));
            }
            Content::Attachment { media_type, size } => group.attachments.push((id, media_type, size)),
        }
    }

    /// Every case (the documents shared, not copied), the one with the newest entry
    /// first; cases without documents keep the order they were seen in, after the others.
    pub fn sorted(&self) -> Vec<CaseEntries> {
        let mut groups = self.groups.clone();
        groups.sort_by_cached_key(|g| std::cmp::Reverse(g.latest().map(str::to_owned)));
        groups
    }
}

/// One case: its family (or its id), its entries in reading order, its attachments,
/// and, when `on_open` is given, a button that makes it the case being worked on.
#[component]
pub fn CaseGroup(group: CaseEntries, on_open: Option<Callback<(CaseId, Vec<CaseDocument>)>>) -> impl IntoView {
    let i18n = use_i18n();
    let case = group.case;
    let title = match group.family_name() {
        Some(name) => name.to_owned().into_any(),
        None => t("adviser-case").into_any(),
    };
    let open = on_open.map(|cb| {
        // Shared until the click; the workspace gets its own copies then.
        let docs = StoredValue::new(group.docs.iter().map(|(_, d)| Arc::clone(d)).collect::<Vec<_>>());
        let hand_over =
            move |_| cb.run((case, docs.with_value(|d| d.iter().map(|d| CaseDocument::clone(d)).collect())));
        view! {
            <button type="button" class="continue-case" data-case=case.to_string() on:click=hand_over>
                {t("cases-continue")}
            </button>
        }
    });
    let attachments = (!group.attachments.is_empty()).then(|| {
        let items = group
            .attachments
            .iter()
            .map(|&(id, media, size)| {
                let kb = size.div_ceil(1024) as i64;
                view! {
                    <li class="attachment" data-id=id.to_string() data-code=media.code()>
                        {i18n.t(media.label_key())} ", " {move || i18n.tr_args("record-kb", &[("kb", Arg::Num(kb))])}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h4>{t("record-attachments")}</h4>
            <ul class="attachments">{items}</ul>
        }
    });
    let corrected: Vec<EntryId> = group.docs.iter().filter_map(|(_, d)| d.supersedes).collect();
    let docs = group
        .docs
        .into_iter()
        .map(|(id, doc)| view! { <RecordView id doc superseded=corrected.contains(&id) /> })
        .collect_view();
    view! {
        <section class="case" data-case=case.to_string()>
            <h3 class="case-title">{title} " " <code class="case-id">{case.to_string().chars().take(8).collect::<String>()}</code></h3>
            {open}
            {docs}
            {attachments}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::forms::consent::{ConsentEntry, Permission, SharingParty};
    use shared::forms::followup::ClosureOutcome;
    use shared::forms::household::Relation;
    use shared::forms::intake::{ChildAtRisk, Need, Priority, Service};
    use shared::record::Region;

    fn doc(case: CaseId, at: &str, entry: CaseEntry) -> Content {
        Content::Document(Arc::new(CaseDocument {
            schema: 2,
            case,
            created_at: at.into(),
            author: "cw".into(),
            supersedes: None,
            entry,
        }))
    }

    fn find<'a>(lines: &'a [Line], label: &str) -> &'a Line {
        lines.iter().find(|l| l.label == label).unwrap_or_else(|| panic!("no line {label}"))
    }

    #[test]
    fn an_intake_reads_as_codes_for_the_catalog_with_the_children_at_risk_by_name_and_birth() {
        let mut f = FamilyIntake { family_name: "Karimova".into(), ..FamilyIntake::default() };
        f.address.region = Some(Region::UzSamarkand);
        f.address.district_text = "Urgut".into();
        let parent = f.add_member();
        let child = f.add_member();
        f.household[0].full_name = "Dilnoza".into();
        f.household[1].full_name = "Aziz".into();
        f.household[1].relation = Some(Relation::Child);
        f.household[1].date_of_birth = Date::new(2016, 3, 1);
        f.children_at_risk.push(ChildAtRisk { member: child, ..ChildAtRisk::default() });
        f.risk.factors = vec![RiskFactor::Other];
        f.risk.other = "flooded house".into();
        f.needs.push(Need { service: Service::Legal, priority: Priority::Urgent, note: String::new() });
        let _ = parent;
        let (heading, lines) = describe(&CaseEntry::Intake(f));
        assert_eq!(heading, Ok("Karimova".into()));
        let region = find(&lines, "field-address-region");
        assert_eq!(
            (region.class, &region.value),
            (Some("region"), &Value::Bits(vec![Bit::Msg("region-uz-sa".into())]))
        );
        assert_eq!(find(&lines, "field-address-district").value, Value::Bits(vec![Bit::Text("Urgut".into())]));
        let Value::Items(children) = &find(&lines, "field-children_at_risk").value else { panic!() };
        assert_eq!(
            children[0].bits,
            vec![Bit::Text("Aziz".into()), Bit::Tagged(BORN, Box::new(Bit::Date(Date::new(2016, 3, 1).unwrap())))]
        );
        let Value::Items(risks) = &find(&lines, "field-risk-factors").value else { panic!() };
        assert_eq!(risks[0].code.as_deref(), Some("other"));
        assert_eq!(risks[0].bits[1], Bit::Text("flooded house".into()));
        let Value::Items(needs) = &find(&lines, "field-needs").value else { panic!() };
        assert_eq!(needs[0].bits[1], Bit::Tagged("needs-priority", Box::new(Bit::Msg("priority-urgent".into()))));
        assert!(lines.iter().all(|l| l.label != "field-assessment"), "an unanswered field is not shown");
    }

    #[test]
    fn a_consent_shows_each_decision_and_a_withdrawal_only_what_it_withdraws() {
        let mut e = ConsentEntry::new(ConsentKind::Given);
        e.set(Permission::CaseWork, Some(true));
        e.set(Permission::Sharing(SharingParty::Police), Some(false));
        let (heading, lines) = describe(&CaseEntry::Consent(e));
        assert_eq!(heading, Err("form-consent-title"));
        let Value::Items(d) = &find(&lines, "field-decisions").value else { panic!() };
        assert_eq!(d.len(), Permission::all().len(), "unanswered ones say so");
        let police = d.iter().find(|i| i.code.as_deref() == Some("sharing.police")).unwrap();
        assert_eq!(police.bits, vec![Bit::Msg("party-police".into()), Bit::Msg("common-no".into())]);

        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.set(Permission::PhotosAudio, Some(false));
        let (_, lines) = describe(&CaseEntry::Consent(w));
        assert!(lines.iter().all(|l| l.label != "field-decisions"));
        let Value::Items(which) = &find(&lines, "consent-withdraw-which").value else { panic!() };
        assert_eq!(which[0].bits, vec![Bit::Msg("purpose-photos_audio".into())]);
    }

    #[test]
    fn a_case_reads_intake_first_then_its_later_entries_in_time_then_the_closure() {
        let (a, b) = (CaseId::random(), CaseId::random());
        let closure =
            Closure { outcome: Some(ClosureOutcome::ChildReturned), children_returned: 2, ..Closure::default() };
        let intake = FamilyIntake { family_name: "Karimova".into(), ..FamilyIntake::default() };
        let groups = by_case([
            (EntryId::of(b"1"), a, doc(a, "2026-11-20T09:00:00.000Z", CaseEntry::Closure(closure))),
            (EntryId::of(b"2"), a, doc(a, "2026-11-10T09:00:00.000Z", CaseEntry::FollowUp(FollowUp::default()))),
            (EntryId::of(b"3"), b, doc(b, "2026-11-01T09:00:00.000Z", CaseEntry::Intake(FamilyIntake::default()))),
            (EntryId::of(b"4"), a, doc(a, "2026-11-21T09:00:00.000Z", CaseEntry::Intake(intake))),
            (EntryId::of(b"5"), a, doc(a, "2026-11-05T09:00:00.000Z", CaseEntry::Consent(ConsentEntry::default()))),
            (
                EntryId::of(b"6"),
                a,
                Content::Attachment { media_type: shared::forms::attachment::MediaType::Pdf, size: 9 },
            ),
        ]);
        assert_eq!(
            groups.iter().map(|g| g.case).collect::<Vec<_>>(),
            vec![a, b],
            "the case with the newest entry first"
        );
        let kinds: Vec<&str> = groups[0].docs.iter().map(|(_, d)| d.entry.kind()).collect();
        assert_eq!(kinds, ["intake", "consent", "follow_up", "closure"]);
        assert_eq!(groups[0].family_name(), Some("Karimova"));
        assert_eq!(groups[1].family_name(), None, "an intake without a name leaves the case id as the title");
        assert_eq!(groups[0].attachments.len(), 1);
        assert_eq!(groups[0].key(), (a, 5));
        let (_, lines) = describe(&groups[0].docs[3].1.entry);
        assert_eq!(find(&lines, "field-children_returned").value, Value::Bits(vec![Bit::Text("2".into())]));
    }

    #[test]
    fn a_case_book_filled_batch_by_batch_keeps_the_documented_order_ties_included() {
        let cases: Vec<CaseId> = (0..4).map(|_| CaseId::random()).collect();
        let mut entries = Vec::new();
        for (n, case) in cases.iter().enumerate() {
            for e in 0..6u8 {
                let at = format!("2026-0{}-1{e}T09:00:00.000Z", 1 + (n * 5 + e as usize) % 9);
                let entry = match e {
                    0 => CaseEntry::Intake(FamilyIntake {
                        family_name: format!("Family {n}"),
                        ..FamilyIntake::default()
                    }),
                    5 => CaseEntry::Closure(Closure::default()),
                    _ => CaseEntry::FollowUp(FollowUp { notes: format!("{n} {e}"), ..FollowUp::default() }),
                };
                entries.push((EntryId::of(&[n as u8, e]), *case, doc(*case, &at, entry)));
            }
        }
        // The same document again under another id (a re-seal), and an attachment.
        entries.push((EntryId::of(b"again"), cases[1], entries[8].2.clone()));
        entries.push((
            EntryId::of(b"scan"),
            cases[2],
            Content::Attachment { media_type: shared::forms::attachment::MediaType::Pdf, size: 9 },
        ));
        // A tie: another follow-up saved at the same moment as one already there (they
        // stay in the order they arrived), and a case with only an attachment.
        let tied = match &entries[2].2 {
            Content::Document(d) => d.created_at.clone(),
            Content::Attachment { .. } => unreachable!("a document"),
        };
        let tie = CaseEntry::FollowUp(FollowUp { notes: "same moment".into(), ..FollowUp::default() });
        entries.push((EntryId::of(b"tie"), cases[0], doc(cases[0], &tied, tie)));
        let scans_only = CaseId::random();
        entries.push((
            EntryId::of(b"photo"),
            scans_only,
            Content::Attachment { media_type: shared::forms::attachment::MediaType::Jpeg, size: 7 },
        ));
        // Interleaved as batches arrive from several workers: reversed, then every other.
        let mut arrival: Vec<_> = entries.iter().rev().step_by(2).cloned().collect();
        arrival.extend(entries.iter().rev().skip(1).step_by(2).cloned());
        let mut book = CaseBook::default();
        let in_order = |groups: &[CaseEntries]| {
            groups.iter().all(|g| {
                g.docs
                    .windows(2)
                    .all(|w| (rank(&w[0].1.entry), &w[0].1.created_at) <= (rank(&w[1].1.entry), &w[1].1.created_at))
            }) && groups.windows(2).all(|w| w[0].latest() >= w[1].latest())
        };
        for chunk in arrival.chunks(5) {
            for (id, case, content) in chunk.iter().cloned() {
                book.add(id, case, content);
            }
            assert!(in_order(&book.sorted()), "in reading order after every batch");
        }
        let groups = book.sorted();
        // The documented order, worked out without CaseBook: every entry pushed as it
        // arrived (a document already there once), then stable sorts.
        let mut reference: Vec<CaseEntries> = Vec::new();
        for (id, listed, content) in &arrival {
            let case = if let Content::Document(d) = content { d.case } else { *listed };
            if !reference.iter().any(|g| g.case == case) {
                reference.push(CaseEntries { case, docs: Vec::new(), attachments: Vec::new() });
            }
            let g = reference.iter_mut().find(|g| g.case == case).expect("pushed");
            match content {
                Content::Document(d) if g.docs.iter().any(|(_, seen)| seen == d) => {}
                Content::Document(d) => g.docs.push((*id, d.clone())),
                Content::Attachment { media_type, size } => g.attachments.push((*id, *media_type, *size)),
            }
        }
        for g in &mut reference {
            g.docs.sort_by(|x, y| (rank(&x.1.entry), &x.1.created_at).cmp(&(rank(&y.1.entry), &y.1.created_at)));
        }
        reference.sort_by(|x, y| y.latest().cmp(&x.latest()));
        assert_eq!(groups, reference, "reading order, ties in the order they arrived");
        assert_eq!(groups.len(), 5);
        for g in &groups[..4] {
            let tie = usize::from(g.case == cases[0]);
            assert_eq!(g.docs.len(), 6 + tie, "each document once, the re-sealed copy too");
            assert_eq!(g.docs[0].1.entry.kind(), "intake");
            assert_eq!(g.docs[5 + tie].1.entry.kind(), "closure");
        }
        assert_eq!(groups[4].case, scans_only, "a case with only attachments comes last");
        assert!(groups[4].docs.is_empty());
        let newest = entries
            .iter()
            .filter_map(|(_, _, c)| if let Content::Document(d) = c { Some(d.created_at.as_str()) } else { None })
            .max();
        assert_eq!(groups[0].latest(), newest, "the case with the newest entry first");
        assert_eq!(groups.iter().map(|g| g.attachments.len()).sum::<usize>(), 2);
    }

    /// Every catalog key an entry can show: its heading, line labels and messages.
    fn keys_of(entry: &CaseEntry) -> Vec<String> {
        fn bit(b: &Bit, out: &mut Vec<String>) {
            match b {
                Bit::Msg(k) => out.push(k.clone()),
                Bit::Tagged(k, b) => {
                    out.push((*k).to_owned());
                    bit(b, out);
                }
                Bit::Text(_) | Bit::Date(_) | Bit::Drawing(..) => {}
            }
        }
        let (heading, lines) = describe(entry);
        let mut out: Vec<String> = heading.err().map(str::to_owned).into_iter().collect();
        for l in &lines {
            out.push(l.label.to_owned());
            match &l.value {
                Value::Bits(bits) => bits.iter().for_each(|b| bit(b, &mut out)),
                Value::Items(items) => items.iter().flat_map(|i| &i.bits).for_each(|b| bit(b, &mut out)),
            }
        }
        out
    }

    /// Entries with every field answered, so every label and message they can show
    /// is named (the i18n test only sees keys in `t("…")` calls).
    fn everything() -> Vec<CaseEntry> {
        use shared::forms::attachment::{AttachmentRef, MediaType};
        use shared::forms::consent::{
            ChildAssent, ChildAssentEntry, ConsenterRole, DataCategory, Signature, WithdrawalForm,
        };
        use shared::forms::followup::{Contact, GoalStatus, PlanGoal, Referral, ReferralStatus, ServiceDelivered};
        use shared::forms::household::{DisabilityGroup, Residence};
        use shared::forms::intake::{
            CareArrangement, Channel, ReferralSource, RiskLevel, SchoolAttendance, SeparationRisk,
        };
        use shared::forms::signature::Strokes;
        let d = Date::new(2026, 11, 1);
        let own = |s: &str| s.to_owned();
        let mut f = FamilyIntake { family_name: own("F"), assessment: own("a"), ..FamilyIntake::default() };
        f.meta.date = d;
        f.meta.channel = Some(Channel::Phone);
        f.meta.referral_source = Some(ReferralSource::Other);
        f.meta.referral_note = own("n");
        f.address.region = Some(Region::UzSamarkand);
        f.address.mahalla = own("m");
        let key = f.add_member();
        let m = &mut f.household[0];
        (m.full_name, m.date_of_birth, m.relation) = (own("x"), d, Some(Relation::Child));
        (m.disability_group, m.residence) = (Some(DisabilityGroup::DisabledChild), Some(Residence::InHousehold));
        f.children_at_risk.push(ChildAtRisk {
            member: key,
            separation_risk: Some(SeparationRisk::High),
            care_arrangement: Some(CareArrangement::Relatives),
            school_attendance: Some(SchoolAttendance::Regular),
            notes: own("n"),
        });
        f.risk = shared::forms::intake::RiskAssessment {
            factors: RiskFactor::ALL.to_vec(),
            other: own("o"),
            notes: own("n"),
            level: Some(RiskLevel::Emergency),
        };
        f.needs.push(Need { service: Service::Legal, priority: Priority::Urgent, note: own("n") });

        let mut given = ConsentEntry::new(ConsentKind::Given);
        (given.date, given.place, given.witness, given.notes) = (d, own("p"), own("w"), own("n"));
        given.operator.name = own("o");
        (given.consenter.full_name, given.consenter.role) = (own("c"), Some(ConsenterRole::Parent));
        given.children.push(ChildAssentEntry {
            member: None,
            full_name: own("k"),
            date_of_birth: d,
            assent: Some(ChildAssent::Assents),
        });
        given.set(Permission::CaseWork, Some(true));
        given.set(Permission::Public, Some(false));
        (given.data_categories, given.retention_years, given.expires_on) = (DataCategory::ALL.to_vec(), Some(5), d);
        given.signature = Some(Signature::Drawn { strokes: Strokes::encode(10, 10, &[vec![(1, 1)]]).unwrap() });
        let mut paper = given.clone();
        let scan =
            AttachmentRef { entry: EntryId::of(b"s"), media_type: MediaType::Pdf, size: 1, caption: String::new() };
        paper.signature = Some(Signature::OnPaper { scan: Some(scan) });
        let mut withdrawn = ConsentEntry::new(ConsentKind::Withdrawn);
        withdrawn.withdrawal_form = Some(WithdrawalForm::Oral);
        withdrawn.set(Permission::CaseWork, Some(false));
        let mut all = withdrawn.clone();
        all.withdraw_all = true;

        let follow_up = FollowUp {
            date: d,
            contacts: vec![Contact {
                date: d,
                channel: Some(Channel::HomeVisit),
                with_whom: own("w"),
                notes: own("n"),
            }],
            services: vec![ServiceDelivered {
                service: Some(Service::Medical),
                date: d,
                provider: own("p"),
                via_referral: true,
                notes: own("n"),
            }],
            referrals: vec![Referral {
                party: Some(SharingParty::School),
                organisation: own("o"),
                service: Some(Service::Education),
                date: d,
                status: Some(ReferralStatus::Sent),
                notes: own("n"),
            }],
            goals: vec![PlanGoal {
                goal: own("g"),
                service: Some(Service::Employment),
                target_date: d,
                status: Some(GoalStatus::Achieved),
                notes: own("n"),
            }],
            notes: own("n"),
        };
        let closure = Closure {
            date: d,
            outcome: Some(ClosureOutcome::Other),
            outcome_note: own("o"),
            children_returned: 1,
            notes: own("n"),
        };
        vec![
            CaseEntry::Intake(f),
            CaseEntry::Consent(given),
            CaseEntry::Consent(paper),
            CaseEntry::Consent(withdrawn),
            CaseEntry::Consent(all),
            CaseEntry::FollowUp(follow_up),
            CaseEntry::Closure(closure),
        ]
    }

    #[test]
    fn every_label_an_entry_can_show_is_in_every_catalog() {
        use shared::i18n::{Catalog, Locale};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/locales");
        let catalogs: Vec<Catalog> = Locale::ALL
            .iter()
            .map(|&l| {
                Catalog::new(l, &std::fs::read_to_string(root.join(format!("{}.ftl", l.tag()))).unwrap()).unwrap()
            })
            .collect();
        let mut keys: Vec<String> = everything().iter().flat_map(keys_of).collect();
        keys.extend(
            [
                "adviser-author",
                "adviser-created_at",
                "adviser-case",
                "record-attachments",
                "record-kb",
                "record-superseded",
                "cases-continue",
            ]
            .map(String::from),
        );
        keys.sort();
        keys.dedup();
        assert!(keys.len() > 100, "every field answered: {} keys", keys.len());
        for c in &catalogs {
            let missing: Vec<&String> = keys.iter().filter(|k| !c.has(k)).collect();
            assert!(missing.is_empty(), "{:?} lacks {missing:?}", c.locale());
        }
    }

    #[test]
    fn times_are_shown_as_people_read_them() {
        assert_eq!(moment("2026-11-23T10:05:00.123Z"), "23.11.2026 10:05 UTC");
        assert_eq!(moment("yesterday"), "yesterday");
    }
}
