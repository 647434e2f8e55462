//! The programme's reported figures (DOMAIN.md, "Reported indicators"), computed from
//! the case documents a key holder opened: families served, children served, services
//! delivered by type, children returned to their family and families that left the
//! service because their situation recovered — by area (region, or city / district
//! where the pilot areas list one) and by month of a period.
//!
//! Definitions (one place, so the chart, the table and the CSV agree):
//! - a family is **served** in a period when its case was open at some time in it:
//!   intake date ≤ period end, and no closure or a closure date ≥ period start;
//! - **children served**: the children of the served families (members under 18 on the
//!   intake date, and every child listed at risk);
//! - **services delivered**: services of follow-ups dated in the period, by type;
//! - **children returned**: from closures in the period with outcome "child returned
//!   to the family" (the number recorded, at least one);
//! - **families exited**: closures in the period whose outcome is "situation recovered"
//!   or "child returned" (the family left the service because things got better).
//!
//! Only families whose current consent allows anonymised figures are counted (DOMAIN:
//! "Reports count only families who allowed anonymised use"); the others are only
//! counted as left out, so the adviser knows the figures are partial. Superseded
//! entries are ignored.
//!
//! The aggregate CSV ([`Report::csv`]) carries no names and no ids, only areas, months
//! and counts, and suppresses small cells: a count of 1 or 2 is written `<3`, and when
//! a column has exactly one suppressed area (or month) the next smallest one is
//! suppressed too, so the total cannot give it away. Why: the file is meant to leave
//! the key holders (reports to a ministry or a donor), and in a pilot district "1 child
//! returned in March" points at one family. The page's own chart and table show exact
//! counts: whoever sees them can read the cases anyway.

use std::collections::BTreeMap;

use crate::csv::Csv;
use crate::find::{consent_state, current, latest_closure, latest_intake};
use crate::forms::address::District;
use crate::forms::codes::Code;
use crate::forms::followup::ClosureOutcome;
use crate::forms::intake::Service;
use crate::forms::{CaseDocument, CaseEntry};
use crate::ids::EntryId;
use crate::record::{Date, Region};

/// Cells below this are suppressed in the CSV.
pub const SUPPRESS_BELOW: u64 = 3;

/// Most months one report breaks down (ten years).
pub const MAX_MONTHS: usize = 120;

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: u16,
    pub month: u8,
}

impl Month {
    /// The month a date is in.
    pub fn of(d: Date) -> Self {
        // `Date` shows as YYYY-MM-DD; its fields are private to keep dates valid.
        let s = d.to_string();
        Month { year: s[..4].parse().expect("a date's year"), month: s[5..7].parse().expect("a date's month") }
    }

    fn first(self) -> Date {
        Date::new(self.year, self.month, 1).expect("the first of a month exists")
    }

    fn last(self) -> Date {
        (28..=31).rev().find_map(|d| Date::new(self.year, self.month, d)).expect("a month has a last day")
    }

    fn next(self) -> Self {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    /// `2026-03`, the code a CSV row carries.
    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `03.2026`, as people read it.
    pub fn display(self) -> String {
        format!("{:02}.{:04}", self.month, self.year)
    }
}

/// A period, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    fn contains(self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// The months the period touches (at most [`MAX_MONTHS`], the latest ones).
    pub fn months(self) -> Vec<Month> {
        let mut v = Vec::new();
        let mut m = Month::of(self.from);
        while m <= Month::of(self.to) {
            v.push(m);
            m = m.next();
        }
        let skip = v.len().saturating_sub(MAX_MONTHS);
        v.split_off(skip)
    }
}

/// How areas are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Region,
    /// The listed district or city (Urgench, Samarkand, Temirtau…) where the region
    /// has a list, else the region (Tashkent, Almaty and Astana are regions already).
    City,
}

/// An area a family is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Region(Region),
    District(District),
    /// The intake names no region.
    Unknown,
}

impl Area {
    /// The code a CSV row carries.
    pub fn code(self) -> &'static str {
        match self {
            Area::Region(r) => Code::code(r),
            Area::District(d) => Code::code(d),
            Area::Unknown => "unknown",
        }
    }

    /// The catalog key of its label.
    pub fn label_key(self) -> String {
        match self {
            Area::Region(r) => Code::label_key(r),
            Area::District(d) => Code::label_key(d),
            Area::Unknown => "indicators-area-unknown".into(),
        }
    }
}

/// What one case contributes, reduced from its entries once (no names, no ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub region: Option<Region>,
    pub district: Option<District>,
    /// Intake date (or the day the intake was saved).
    pub start: Date,
    /// Closure date, when closed.
    pub end: Option<Date>,
    pub children: u64,
    pub delivered: Vec<(Date, Service)>,
    /// The closure's outcome and its returned-children count.
    pub outcome: Option<(ClosureOutcome, u8)>,
    /// Whether its consent allows anonymised figures today.
    pub counts: bool,
}

fn saved_on(d: &CaseDocument) -> Option<Date> {
    d.created_at.get(..10).and_then(Date::parse_iso)
}

impl CaseSummary {
    /// A case's summary; `None` for a case without an intake (nothing to count it by).
    pub fn of(docs: &[(EntryId, &CaseDocument)], today: Date) -> Option<Self> {
        let docs = current(docs);
        let intake = latest_intake(&docs)?;
        let intake_doc = docs.iter().find(|d| matches!(&d.entry, CaseEntry::Intake(f) if std::ptr::eq(f, intake)))?;
        let start = intake.meta.date.or_else(|| saved_on(intake_doc))?;
        let closure = latest_closure(&docs);
        let closure_doc = docs
            .iter()
            .find(|d| matches!(&d.entry, CaseEntry::Closure(c) if closure.is_some_and(|x| std::ptr::eq(c, x))));
        let end = closure.and_then(|c| c.date.or_else(|| closure_doc.and_then(|d| saved_on(d))));
        let children = intake
            .household
            .iter()
            .filter(|m| m.is_child_on(start) || intake.children_at_risk.iter().any(|c| c.member == m.key))
            .count() as u64;
        let mut delivered = Vec::new();
        for d in &docs {
            if let CaseEntry::FollowUp(u) = &d.entry {
                for s in &u.services {
                    if let (Some(service), Some(on)) = (s.service, s.date.or(u.date).or_else(|| saved_on(d))) {
                        delivered.push((on, service));
                    }
                }
            }
        }
        Some(CaseSummary {
            region: intake.address.region,
            district: intake.address.district,
            start,
            end,
            children,
            delivered,
            outcome: closure.and_then(|c| c.outcome.map(|o| (o, c.children_returned))),
            counts: consent_state(&docs).counts_in_reports(today),
        })
    }

    fn area(&self, by: GroupBy) -> Area {
        match (by, self.district, self.region) {
            (GroupBy::City, Some(d), _) => Area::District(d),
            (_, _, Some(r)) => Area::Region(r),
            _ => Area::Unknown,
        }
    }

    fn add_to(&self, period: Period, f: &mut Figures) {
        if self.start <= period.to && self.end.is_none_or(|e| e >= period.from) {
            f.families_served += 1;
            f.children_served += self.children;
        }
        for (on, s) in &self.delivered {
            if period.contains(*on) {
                *f.services.entry(*s).or_default() += 1;
            }
        }
        if let (Some(end), Some((outcome, returned))) = (self.end, self.outcome) {
            if period.contains(end) {
                if outcome == ClosureOutcome::ChildReturned {
                    f.children_returned += u64::from(returned.max(1));
                }
                if matches!(outcome, ClosureOutcome::SituationRecovered | ClosureOutcome::ChildReturned) {
                    f.families_exited += 1;
                }
            }
        }
    }
}

/// The figures of one area, one month, or the whole period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub families_served: u64,
    pub children_served: u64,
    pub services: BTreeMap<Service, u64>,
    pub children_returned: u64,
    pub families_exited: u64,
}

/// A figure's column: its code and label key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    FamiliesServed,
    ChildrenServed,
    ChildrenReturned,
    FamiliesExited,
    Service(Service),
}

impl Figure {
    /// Every column, in table order: the four headline figures, then each service.
    pub fn all() -> Vec<Figure> {
        let mut v =
            vec![Figure::FamiliesServed, Figure::ChildrenServed, Figure::ChildrenReturned, Figure::FamiliesExited];
        v.extend(Service::ALL.iter().map(|s| Figure::Service(*s)));
        v
    }

    pub fn code(self) -> String {
        match self {
            Figure::FamiliesServed => "families_served".into(),
            Figure::ChildrenServed => "children_served".into(),
            Figure::ChildrenReturned => "children_returned".into(),
            Figure::FamiliesExited => "families_exited".into(),
            Figure::Service(s) => format!("service:{}", s.code()),
        }
    }

    pub fn label_key(self) -> String {
        match self {
            Figure::Service(s) => Code::label_key(s),
            other => format!("indicators-{}", other.code()),
        }
    }
}

impl Figures {
    /// One figure's value.
    pub fn get(&self, f: Figure) -> u64 {
        match f {
            Figure::FamiliesServed => self.families_served,
            Figure::ChildrenServed => self.children_served,
            Figure::ChildrenReturned => self.children_returned,
            Figure::FamiliesExited => self.families_exited,
            Figure::Service(s) => self.services.get(&s).copied().unwrap_or(0),
        }
    }

    /// Services delivered, all types.
    pub fn services_total(&self) -> u64 {
        self.services.values().sum()
    }
}

/// The figures of a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub period: Period,
    pub by_area: Vec<(Area, Figures)>,
    pub by_month: Vec<(Month, Figures)>,
    pub total: Figures,
    /// Families left out because their consent does not allow anonymised figures.
    pub not_counted: u64,
}

impl Report {
    /// The report of `period` over the cases' summaries.
    pub fn new(cases: &[CaseSummary], period: Period, by: GroupBy) -> Self {
        let mut areas: BTreeMap<Area, Figures> = BTreeMap::new();
        let months = period.months();
        let mut by_month: Vec<(Month, Figures)> = months.iter().map(|m| (*m, Figures::default())).collect();
        let mut total = Figures::default();
        let mut not_counted = 0;
        for c in cases {
            if !c.counts {
                // Only those served in the period would have been counted.
                if c.start <= period.to && c.end.is_none_or(|e| e >= period.from) {
                    not_counted += 1;
                }
                continue;
            }
            c.add_to(period, &mut total);
            c.add_to(period, areas.entry(c.area(by)).or_default());
            for (m, f) in &mut by_month {
                let within = Period { from: m.first().max(period.from), to: m.last().min(period.to) };
                c.add_to(within, f);
            }
        }
        // Areas where nobody was counted in the period are left out.
        let by_area = areas.into_iter().filter(|(_, f)| *f != Figures::default()).collect();
        Report { period, by_area, by_month, total, not_counted }
    }

    /// The aggregate-only CSV: one row per area, per month and the total, with small
    /// cells suppressed (see the module doc). `tr` gives a catalog message.
    pub fn csv(&self, tr: &dyn Fn(&str) -> String) -> String {
        let figures = Figure::all();
        let mut csv = Csv::new();
        csv.text(&tr("indicators-col-breakdown")).text(&tr("indicators-col-code")).text(&tr("indicators-col-label"));
        csv.text(&tr("indicators-col-from")).text(&tr("indicators-col-to"));
        for f in &figures {
            csv.text(&format!("{} [{}]", tr(&f.label_key()), f.code()));
        }
        csv.end_row();
        let (from, to) = (self.period.from.display(), self.period.to.display());
        let area_rows: Vec<(String, String, &Figures)> =
            self.by_area.iter().map(|(a, f)| (a.code().to_owned(), tr(&a.label_key()), f)).collect();
        let month_rows: Vec<(String, String, &Figures)> =
            self.by_month.iter().map(|(m, f)| (m.code(), m.display(), f)).collect();
        for (kind, rows) in [("area", &area_rows), ("month", &month_rows)] {
            let hidden = suppressed(&rows.iter().map(|r| r.2).collect::<Vec<_>>(), &figures);
            for (i, (code, label, f)) in rows.iter().enumerate() {
                csv.text(kind).text(code).text(label).text(&from).text(&to);
                for (j, fig) in figures.iter().enumerate() {
                    cell(&mut csv, f.get(*fig), hidden[i][j]);
                }
                csv.end_row();
            }
        }
        csv.text("total").text("total").text(&tr("indicators-total")).text(&from).text(&to);
        for fig in &figures {
            let n = self.total.get(*fig);
            cell(&mut csv, n, n > 0 && n < SUPPRESS_BELOW);
        }
        csv.end_row();
        csv.finish()
    }
}

fn cell(csv: &mut Csv, n: u64, hide: bool) {
    if hide {
        csv.text(&format!("<{SUPPRESS_BELOW}"));
    } else {
        csv.number(n);
    }
}

/// Which cells of a breakdown to hide: every count of 1 or 2, and, in a column with
/// exactly one such cell, the next smallest non-zero one as well, so that the
/// published total minus the others does not give the hidden one away.
fn suppressed(rows: &[&Figures], figures: &[Figure]) -> Vec<Vec<bool>> {
    let mut hidden = vec![vec![false; figures.len()]; rows.len()];
    for (j, fig) in figures.iter().enumerate() {
        let values: Vec<u64> = rows.iter().map(|f| f.get(*fig)).collect();
        for (i, v) in values.iter().enumerate() {
            hidden[i][j] = *v > 0 && *v < SUPPRESS_BELOW;
        }
        if hidden.iter().filter(|h| h[j]).count() == 1 {
            let next = (0..values.len()).filter(|&i| !hidden[i][j] && values[i] > 0).min_by_key(|&i| values[i]);
            if let Some(i) = next {
                hidden[i][j] = true;
            }
        }
    }
    hidden
}

#[cfg(test)]
mod tests;
