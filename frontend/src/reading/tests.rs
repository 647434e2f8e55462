//! Native tests of reading: how each kind of entry is described, that every label it
//! can show is in every catalog, and that cases come out in reading order however
//! their entries arrive.

use std::sync::Arc;

use shared::forms::consent::ConsentKind;
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::intake::FamilyIntake;
use shared::forms::{CaseDocument, CaseEntry};
use shared::record::{Date, RiskFactor};
use shared::{CaseId, EntryId};

use super::case_book::rank;
use super::describe::{moment, BORN};
use super::*;
use crate::opening::Content;
use shared::forms::consent::{ConsentEntry, Permission, SharingParty};
use shared::forms::followup::ClosureOutcome;
use shared::forms::household::Relation;
use shared::forms::intake::{ChildAtRisk, Need, Priority, Service};
use shared::record::Region;

fn doc(case: CaseId, at: &str, entry: CaseEntry) -> Content {
    Content::Document(
        Arc::new(CaseDocument { schema: 2, case, created_at: at.into(), author: "cw".into(), supersedes: None, entry }),
        shared::authorship::Signer::Unsigned,
    )
}

/// An opened attachment holding `bytes`.
fn scan(bytes: &[u8]) -> Content {
    let media_type =
        shared::forms::attachment::MediaType::sniff(bytes).unwrap_or(shared::forms::attachment::MediaType::Pdf);
    Content::Attachment { media_type, size: bytes.len() as u64, content: shared::ids::ContentHash::of(bytes) }
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
    assert_eq!((region.class, &region.value), (Some("region"), &Value::Bits(vec![Bit::Msg("region-uz-sa".into())])));
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
    let closure = Closure {
        transferred_to: None,
        outcome: Some(ClosureOutcome::ChildReturned),
        children_returned: 2,
        ..Closure::default()
    };
    let intake = FamilyIntake { family_name: "Karimova".into(), ..FamilyIntake::default() };
    let groups = by_case(
        [
            (EntryId::of(b"1"), a, doc(a, "2026-11-20T09:00:00.000Z", CaseEntry::Closure(closure))),
            (EntryId::of(b"2"), a, doc(a, "2026-11-10T09:00:00.000Z", CaseEntry::FollowUp(FollowUp::default()))),
            (EntryId::of(b"3"), b, doc(b, "2026-11-01T09:00:00.000Z", CaseEntry::Intake(FamilyIntake::default()))),
            (EntryId::of(b"4"), a, doc(a, "2026-11-21T09:00:00.000Z", CaseEntry::Intake(intake))),
            (EntryId::of(b"5"), a, doc(a, "2026-11-05T09:00:00.000Z", CaseEntry::Consent(ConsentEntry::default()))),
            (EntryId::of(b"6"), a, scan(b"%PDF six")),
        ],
        Judge::default(),
    );
    assert_eq!(groups.iter().map(|g| g.case).collect::<Vec<_>>(), vec![a, b], "the case with the newest entry first");
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
                0 => CaseEntry::Intake(FamilyIntake { family_name: format!("Family {n}"), ..FamilyIntake::default() }),
                5 => CaseEntry::Closure(Closure::default()),
                _ => CaseEntry::FollowUp(FollowUp { notes: format!("{n} {e}"), ..FollowUp::default() }),
            };
            entries.push((EntryId::of(&[n as u8, e]), *case, doc(*case, &at, entry)));
        }
    }
    // The same document again under another id (a re-seal), and an attachment.
    entries.push((EntryId::of(b"again"), cases[1], entries[8].2.clone()));
    entries.push((EntryId::of(b"scan"), cases[2], scan(b"%PDF scan")));
    // A tie: another follow-up saved at the same moment as one already there (they
    // stay in the order they arrived), and a case with only an attachment.
    let tied = match &entries[2].2 {
        Content::Document(d, _) => d.created_at.clone(),
        Content::Attachment { .. } => unreachable!("a document"),
    };
    let tie = CaseEntry::FollowUp(FollowUp { notes: "same moment".into(), ..FollowUp::default() });
    entries.push((EntryId::of(b"tie"), cases[0], doc(cases[0], &tied, tie)));
    let scans_only = CaseId::random();
    entries.push((EntryId::of(b"photo"), scans_only, scan(b"\xFF\xD8\xFF photo")));
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
        let case = if let Content::Document(d, _) = content { d.case } else { *listed };
        if !reference.iter().any(|g| g.case == case) {
            reference.push(CaseEntries {
                case,
                docs: Vec::new(),
                attachments: Vec::new(),
                authors: Default::default(),
            });
        }
        let g = reference.iter_mut().find(|g| g.case == case).expect("pushed");
        match content {
            Content::Document(d, _) if g.docs.iter().any(|(_, seen)| seen == d) => {}
            Content::Document(d, signer) => {
                g.authors.insert(*id, Judge::default().judge(&d.author, *signer));
                g.docs.push((*id, d.clone()))
            }
            Content::Attachment { media_type, size, content } => g.attachments.push(super::case_book::CaseAttachment {
                id: *id,
                media_type: *media_type,
                size: *size,
                content: *content,
            }),
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
        .filter_map(|(_, _, c)| if let Content::Document(d, _) = c { Some(d.created_at.as_str()) } else { None })
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
    let scan = AttachmentRef {
        entry: EntryId::of(b"s"),
        media_type: MediaType::Pdf,
        size: 1,
        caption: String::new(),
        content: None,
    };
    paper.signature = Some(Signature::OnPaper { scan: Some(scan) });
    let mut withdrawn = ConsentEntry::new(ConsentKind::Withdrawn);
    withdrawn.withdrawal_form = Some(WithdrawalForm::Oral);
    withdrawn.set(Permission::CaseWork, Some(false));
    let mut all = withdrawn.clone();
    all.withdraw_all = true;

    let follow_up = FollowUp {
        date: d,
        contacts: vec![Contact { date: d, channel: Some(Channel::HomeVisit), with_whom: own("w"), notes: own("n") }],
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
        transferred_to: Some(SharingParty::School),
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
        .map(|&l| Catalog::new(l, &std::fs::read_to_string(root.join(format!("{}.ftl", l.tag()))).unwrap()).unwrap())
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

/// Only a verified author's entries count: one consent signed by her approved key,
/// one by a stranger's key under her name, one unsigned (older), one by another
/// approved caseworker's key under her name. All four are listed; one counts.
#[test]
fn only_a_verified_authors_entry_counts_and_the_others_are_still_listed() {
    use shared::authorship::{ApprovedAuthor, AuthorKey, AuthorStatus, Roster, Signer};
    use shared::keyring::OrgSigningKey;
    let org = OrgSigningKey::generate();
    let (dilnoza, aziz, stranger) = (AuthorKey::generate(), AuthorKey::generate(), AuthorKey::generate());
    let approved = |n: &str, k: &AuthorKey| ApprovedAuthor { name: n.into(), key: k.public().to_string() };
    let roster = Roster::sign(1, "Org", vec![approved("dilnoza", &dilnoza), approved("aziz", &aziz)], &org)
        .verify(&org.public())
        .unwrap();
    let case = CaseId::random();
    let signed = |k: &AuthorKey| Signer::Signed { key: k.public(), valid: true };
    let mut book = CaseBook::new(Judge::roster(roster.clone()));
    let mut ids = Vec::new();
    for (n, signer) in [signed(&dilnoza), signed(&stranger), Signer::Unsigned, signed(&aziz)].into_iter().enumerate() {
        let id = EntryId::of(format!("entry {n}").as_bytes());
        let Content::Document(d, _) =
            doc(case, &format!("2026-11-2{n}T10:00:00Z"), CaseEntry::Closure(Default::default()))
        else {
            panic!("a document")
        };
        let d = Arc::new(CaseDocument { author: "dilnoza".into(), ..(*d).clone() });
        book.add(id, case, Content::Document(d, signer));
        ids.push(id);
    }
    let g = &book.sorted()[0];
    assert_eq!(g.docs.len(), 4, "every entry is listed");
    let statuses: Vec<AuthorStatus> = ids.iter().map(|id| g.authorship(id).status).collect();
    assert_eq!(
        statuses,
        [AuthorStatus::Verified, AuthorStatus::Unapproved, AuthorStatus::UnsignedOlder, AuthorStatus::Forged]
    );
    let counted: Vec<EntryId> = g.counted().into_iter().map(|(id, _)| id).collect();
    assert_eq!(counted, [ids[0]], "only the verified one counts");
}

/// On her own device, before the roster approves her: her own entries read "author
/// not yet approved" but count (signed with the key in her unlocked vault, naming her);
/// one a stranger signed in her name neither counts nor reads otherwise.
#[test]
fn on_her_own_device_her_own_key_counts_before_approval_and_a_strangers_does_not() {
    use shared::authorship::{AuthorKey, AuthorStatus, Signer, VerifiedRoster};
    let (mine, stranger) = (AuthorKey::generate(), AuthorKey::generate());
    let judge = Judge { roster: VerifiedRoster::empty(), own: Some(("dilnoza".into(), mine.public())) };
    let signed = |k: &AuthorKey| Signer::Signed { key: k.public(), valid: true };
    let own = judge.judge("dilnoza", signed(&mine));
    assert_eq!((own.status, own.counts), (AuthorStatus::Unapproved, true));
    let forged = judge.judge("dilnoza", signed(&stranger));
    assert_eq!((forged.status, forged.counts), (AuthorStatus::Unapproved, false));
    let in_anothers_name = judge.judge("aziz", signed(&mine));
    assert!(!in_anothers_name.counts, "her key counts only for entries naming her");
    let broken = judge.judge("dilnoza", Signer::Signed { key: mine.public(), valid: false });
    assert_eq!((broken.status, broken.counts), (AuthorStatus::Forged, false));
    assert!(!Judge::roster(VerifiedRoster::empty()).judge("dilnoza", signed(&mine)).counts, "a key holder's judge");
}

/// A consent signed on paper by `author` naming the scan `bytes` (by content, or by the
/// entry `id` alone as references did before content hashes).
fn paper_consent(case: CaseId, author: &str, bytes: &[u8], id: EntryId, by_content: bool) -> CaseDocument {
    use shared::forms::attachment::{AttachmentRef, MediaType};
    use shared::forms::consent::Signature;
    let scan = AttachmentRef {
        entry: id,
        media_type: MediaType::Pdf,
        size: bytes.len() as u64,
        caption: String::new(),
        content: by_content.then(|| shared::ids::ContentHash::of(bytes)),
    };
    let c = ConsentEntry { signature: Some(Signature::OnPaper { scan: Some(scan) }), ..ConsentEntry::default() };
    CaseDocument {
        schema: 2,
        case,
        created_at: "2026-11-05T09:00:00.000Z".into(),
        author: author.into(),
        supersedes: None,
        entry: CaseEntry::Consent(c),
    }
}

#[test]
fn a_scan_is_vouched_for_only_by_a_counted_record_that_names_its_bytes() {
    use super::case_book::Vouched;
    use shared::authorship::{ApprovedAuthor, AuthorKey, Roster, Signer};
    let org = shared::keyring::OrgSigningKey::generate();
    let ana = AuthorKey::generate();
    let approved = vec![ApprovedAuthor { name: "ana".into(), key: ana.public().to_string() }];
    let judge = Judge::roster(Roster::sign(1, "Org", approved, &org).verify(&org.public()).unwrap());
    let case = CaseId::random();
    let signed = |d: &CaseDocument, key: &AuthorKey| {
        Content::Document(Arc::new(d.clone()), Signer::Signed { key: key.public(), valid: true })
    };
    let (page, forged_page) = (b"%PDF the family's signed page".as_slice(), b"%PDF a page the relay made".as_slice());
    let (page_id, resealed_id, other_id) = (EntryId::of(b"scan ct"), EntryId::of(b"scan ct 2"), EntryId::of(b"x"));
    let consent = paper_consent(case, "ana", page, page_id, true);
    let groups = by_case(
        [
            (EntryId::of(b"consent"), case, signed(&consent, &ana)),
            (page_id, case, scan(page)),
            // The same bytes sealed again to a newer keyring: one file, listed once.
            (resealed_id, case, scan(page)),
            (other_id, case, scan(forged_page)),
        ],
        judge.clone(),
    );
    let g = &groups[0];
    assert_eq!(g.attachments.len(), 2, "the re-sealed copy of the page is not listed twice");
    assert_eq!(g.vouched(&g.attachments[0]), Vouched::By(EntryId::of(b"consent")));
    assert_eq!(g.vouched(&g.attachments[1]), Vouched::Unnamed, "a file anyone sealed into the case");
    assert!(g.holds(g.docs[0].1.entry.attachments().next().unwrap()));

    // Only the re-sealed copy left (the old entry removed): still the bytes she signed for.
    let groups = by_case(
        [(EntryId::of(b"consent"), case, signed(&consent, &ana)), (resealed_id, case, scan(page))],
        judge.clone(),
    );
    assert_eq!(groups[0].vouched(&groups[0].attachments[0]), Vouched::By(EntryId::of(b"consent")));

    // The same consent by a key the roster does not hold (the relay's own) vouches for nothing.
    let groups = by_case(
        [(EntryId::of(b"consent"), case, signed(&consent, &AuthorKey::generate())), (page_id, case, scan(page))],
        judge.clone(),
    );
    assert_eq!(groups[0].vouched(&groups[0].attachments[0]), Vouched::Unnamed);

    // The scan a counted consent names withheld: the case does not hold it.
    let groups = by_case([(EntryId::of(b"consent"), case, signed(&consent, &ana))], judge.clone());
    assert!(!groups[0].holds(groups[0].docs[0].1.entry.attachments().next().unwrap()));

    // A reference from before content hashes names the entry: only that entry is vouched for.
    let older = paper_consent(case, "ana", page, page_id, false);
    let groups = by_case(
        [
            (EntryId::of(b"consent"), case, signed(&older, &ana)),
            (page_id, case, scan(page)),
            (other_id, case, scan(forged_page)),
        ],
        judge,
    );
    assert_eq!(groups[0].vouched(&groups[0].attachments[0]), Vouched::By(EntryId::of(b"consent")));
    assert_eq!(groups[0].vouched(&groups[0].attachments[1]), Vouched::Unnamed);
}
