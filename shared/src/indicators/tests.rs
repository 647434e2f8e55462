//! Tests of the programme indicators: counting by area and month, small cells suppressed.

use super::*;
use crate::forms::consent::{ConsentEntry, ConsentKind, Permission};
use crate::forms::followup::{Closure, FollowUp, ServiceDelivered};
use crate::forms::intake::{ChildAtRisk, FamilyIntake};
use crate::CaseId;

fn d(y: u16, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

fn doc(case: CaseId, at: Date, entry: CaseEntry) -> CaseDocument {
    CaseDocument {
        schema: 2,
        case,
        created_at: format!("{at}T10:00:00Z"),
        author: "cw".into(),
        supersedes: None,
        entry,
    }
}

/// One family as a caseworker records it: intake with `children` under 18 and one
/// adult, consent (anonymised figures allowed or not), services, maybe a closure.
struct Family {
    region: Region,
    district: Option<District>,
    intake: Date,
    children: usize,
    reports: bool,
    services: Vec<(Date, Service)>,
    closure: Option<(Date, ClosureOutcome, u8)>,
}

impl Family {
    fn new(region: Region, intake: Date, children: usize) -> Self {
        Family { region, district: None, intake, children, reports: true, services: vec![], closure: None }
    }

    fn docs(&self) -> Vec<CaseDocument> {
        let case = CaseId::random();
        let mut f = FamilyIntake { family_name: "Secret Family Name".into(), ..FamilyIntake::default() };
        f.meta.date = Some(self.intake);
        f.address.region = Some(self.region);
        f.address.district = self.district;
        f.add_member();
        f.household[0].full_name = "Parent".into();
        f.household[0].date_of_birth = Some(d(1985, 1, 1));
        for i in 0..self.children {
            let key = f.add_member();
            f.household.last_mut().unwrap().date_of_birth = Some(d(2015, 1, 1));
            if i == 0 {
                f.children_at_risk.push(ChildAtRisk { member: key, ..ChildAtRisk::default() });
            }
        }
        let mut c = ConsentEntry::new(ConsentKind::Given);
        c.date = Some(self.intake);
        c.set(Permission::CaseWork, Some(true));
        c.set(Permission::AnonymisedReports, Some(self.reports));
        let mut v = vec![doc(case, self.intake, CaseEntry::Intake(f)), doc(case, self.intake, CaseEntry::Consent(c))];
        for (on, s) in &self.services {
            let u = FollowUp {
                date: Some(*on),
                services: vec![ServiceDelivered { service: Some(*s), date: Some(*on), ..Default::default() }],
                ..FollowUp::default()
            };
            v.push(doc(case, *on, CaseEntry::FollowUp(u)));
        }
        if let Some((on, outcome, n)) = self.closure {
            let c = Closure { date: Some(on), outcome: Some(outcome), children_returned: n, ..Closure::default() };
            v.push(doc(case, on, CaseEntry::Closure(c)));
        }
        v
    }

    fn summary(&self) -> CaseSummary {
        let docs = self.docs();
        let ids: Vec<(EntryId, &CaseDocument)> = docs.iter().map(|d| (EntryId::of(&d.to_bytes()), d)).collect();
        CaseSummary::of(&ids, d(2026, 11, 23)).unwrap()
    }
}

fn year_2026() -> Period {
    Period { from: d(2026, 1, 1), to: d(2026, 12, 31) }
}

/// Samarkand: two open families, one returned a child in March; Khorezm (Urgench
/// city): one that recovered last year (not served in 2026); Tashkent: one that
/// said no to anonymised figures.
fn cases() -> Vec<CaseSummary> {
    let mut a = Family::new(Region::UzSamarkand, d(2025, 11, 1), 2);
    a.services = vec![
        (d(2026, 2, 10), Service::Psychological),
        (d(2026, 3, 5), Service::Legal),
        (d(2025, 12, 1), Service::Legal),
    ];
    let b = Family::new(Region::UzSamarkand, d(2026, 2, 14), 3);
    let mut c = Family::new(Region::UzSamarkand, d(2026, 1, 20), 1);
    c.district = Some(District::SaSamarqandCity);
    c.closure = Some((d(2026, 3, 30), ClosureOutcome::ChildReturned, 2));
    c.services = vec![(d(2026, 3, 1), Service::Reunification)];
    let mut old = Family::new(Region::UzKhorezm, d(2025, 1, 1), 1);
    old.district = Some(District::XoUrganchCity);
    old.closure = Some((d(2025, 12, 1), ClosureOutcome::SituationRecovered, 0));
    let mut no = Family::new(Region::UzTashkentCity, d(2026, 5, 1), 4);
    no.reports = false;
    [a, b, c, old, no].iter().map(Family::summary).collect()
}

#[test]
fn the_period_counts_families_open_in_it_their_children_services_and_exits() {
    let r = Report::new(&cases(), year_2026(), GroupBy::Region);
    assert_eq!(r.total.families_served, 3, "the family closed in 2025 and the one without consent are not counted");
    assert_eq!(r.total.children_served, 2 + 3 + 1);
    assert_eq!(r.total.get(Figure::Service(Service::Legal)), 1, "the December 2025 delivery is outside");
    assert_eq!(r.total.services_total(), 3);
    assert_eq!((r.total.children_returned, r.total.families_exited), (2, 1));
    assert_eq!(r.not_counted, 1);
    assert_eq!(r.by_area.len(), 1, "only Samarkand had counted families in 2026");
    assert_eq!(r.by_area[0].0, Area::Region(Region::UzSamarkand));

    let by_city = Report::new(&cases(), year_2026(), GroupBy::City);
    let areas: Vec<Area> = by_city.by_area.iter().map(|(a, _)| *a).collect();
    assert_eq!(areas, vec![Area::Region(Region::UzSamarkand), Area::District(District::SaSamarqandCity)]);

    let r2025 = Report::new(&cases(), Period { from: d(2025, 1, 1), to: d(2025, 12, 31) }, GroupBy::City);
    assert_eq!(r2025.total.families_exited, 1);
    assert!(r2025.by_area.iter().any(|(a, f)| *a == Area::District(District::XoUrganchCity) && f.families_served == 1));
}

#[test]
fn each_month_counts_what_happened_in_it() {
    let r = Report::new(&cases(), Period { from: d(2026, 1, 15), to: d(2026, 4, 30) }, GroupBy::Region);
    let months: Vec<String> = r.by_month.iter().map(|(m, _)| m.code()).collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03", "2026-04"]);
    let served: Vec<u64> = r.by_month.iter().map(|(_, f)| f.families_served).collect();
    assert_eq!(served, [2, 3, 3, 2], "b starts in February; c closes in March");
    assert_eq!(r.by_month[2].1.children_returned, 2);
    assert_eq!(r.by_month[1].1.get(Figure::Service(Service::Psychological)), 1);
}

#[test]
fn the_csv_has_no_names_or_ids_and_suppresses_small_cells() {
    let r = Report::new(&cases(), year_2026(), GroupBy::Region);
    let csv = r.csv(&|k| k.to_owned());
    assert!(!csv.contains("Secret") && !csv.contains("Parent"));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].contains("indicators-families_served [families_served]"));
    let total = lines.iter().find(|l| l.starts_with("total,")).unwrap();
    // families 3, children 6, returned 2 → <3, exited 1 → <3.
    assert!(total.starts_with("total,total,indicators-total,01.01.2026,31.12.2026,3,6,<3,<3,"), "{total}");
    let area = lines.iter().find(|l| l.starts_with("area,uz-sa,")).unwrap();
    assert!(area.contains(",3,6,<3,<3,"), "{area}");
    // Every id-looking token (32 hex) is absent.
    assert!(!csv.split([',', '\r', '\n']).any(|c| c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit())));
}

#[test]
fn a_lone_small_cell_takes_its_next_smallest_neighbour_with_it() {
    let f = |n| Figures { families_served: n, ..Figures::default() };
    let rows = [f(2), f(7), f(5), f(0)];
    let hidden = suppressed(&rows.iter().collect::<Vec<_>>(), &[Figure::FamiliesServed]);
    assert_eq!(hidden.iter().map(|h| h[0]).collect::<Vec<_>>(), [true, false, true, false]);
    let rows = [f(2), f(1), f(9)];
    let hidden = suppressed(&rows.iter().collect::<Vec<_>>(), &[Figure::FamiliesServed]);
    assert_eq!(hidden.iter().map(|h| h[0]).collect::<Vec<_>>(), [true, true, false], "two hidden already");
}

#[test]
fn every_label_the_search_the_exports_and_the_indicators_show_is_in_every_catalog() {
    use crate::find::{CaseStatus, ConsentStatus, CASE_COLUMNS};
    use crate::i18n::{embedded_ftl, Catalog, Locale};
    let mut keys: Vec<String> = Figure::all().iter().map(|f| f.label_key()).collect();
    keys.extend(ConsentStatus::ALL.iter().map(|c| c.label_key()));
    keys.extend(CaseStatus::ALL.iter().map(|c| c.label_key()));
    keys.extend(CASE_COLUMNS.iter().map(|(k, _)| (*k).to_owned()));
    keys.push(Area::Unknown.label_key());
    let csv_keys = [
        "indicators-col-breakdown",
        "indicators-col-code",
        "indicators-col-label",
        "indicators-col-from",
        "indicators-col-to",
        "indicators-total",
    ];
    keys.extend(csv_keys.map(String::from));
    for &l in Locale::ALL {
        let c = Catalog::new(l, embedded_ftl(l)).unwrap();
        let missing: Vec<&String> = keys.iter().filter(|k| !c.has(k)).collect();
        assert!(missing.is_empty(), "{l}: {missing:?}");
    }
}
