//! Where a family lives: country → region (viloyat / oblys) → district (tuman / audan)
//! → mahalla or settlement (free text), street, phones, housing.
//!
//! The region list is complete for both countries (Uzbekistan: 12 viloyats, the
//! Republic of Karakalpakstan and Tashkent city; Kazakhstan: 17 oblystar and the cities
//! of Astana, Almaty and Shymkent). Districts are listed for the pilot areas of the
//! programmes (Tashkent city, Samarkand and Khorezm regions; Almaty and Astana cities,
//! Karaganda region with Temirtau); elsewhere the district is typed as free text
//! ([`district_is_listed`] tells the form which to show). Mahallas change too often
//! for a built-in list, so they are always free text.

use serde::{Deserialize, Serialize};

use super::codes::code_list;
pub use crate::record::Region;

code_list! {
    /// The country of an address.
    Country = "country" {
        Uzbekistan = "uz",
        Kazakhstan = "kz",
    }
}

impl Region {
    /// The country the region belongs to.
    pub fn country(self) -> Country {
        if self.code().starts_with("uz-") {
            Country::Uzbekistan
        } else {
            Country::Kazakhstan
        }
    }
}

/// The regions of a country, in display order.
pub fn regions_of(country: Country) -> impl Iterator<Item = Region> {
    Region::ALL.iter().copied().filter(move |r| r.country() == country)
}

code_list! {
    /// District (tuman / audan) or city of regional status, for the pilot regions.
    /// Codes start with their region's code.
    District = "district" {
        // Tashkent city: its 12 tumans.
        TkBektemir = "uz-tk-bektemir",
        TkChilonzor = "uz-tk-chilonzor",
        TkMirobod = "uz-tk-mirobod",
        TkMirzoUlugbek = "uz-tk-mirzo_ulugbek",
        TkOlmazor = "uz-tk-olmazor",
        TkSergeli = "uz-tk-sergeli",
        TkShayxontohur = "uz-tk-shayxontohur",
        TkUchtepa = "uz-tk-uchtepa",
        TkYakkasaroy = "uz-tk-yakkasaroy",
        TkYangihayot = "uz-tk-yangihayot",
        TkYashnobod = "uz-tk-yashnobod",
        TkYunusobod = "uz-tk-yunusobod",
        // Samarkand region: two cities and 14 tumans.
        SaSamarqandCity = "uz-sa-samarqand_city",
        SaKattaqorgonCity = "uz-sa-kattaqorgon_city",
        SaBulungur = "uz-sa-bulungur",
        SaIshtixon = "uz-sa-ishtixon",
        SaJomboy = "uz-sa-jomboy",
        SaKattaqorgon = "uz-sa-kattaqorgon",
        SaQoshrabot = "uz-sa-qoshrabot",
        SaNarpay = "uz-sa-narpay",
        SaNurobod = "uz-sa-nurobod",
        SaOqdaryo = "uz-sa-oqdaryo",
        SaPastdargom = "uz-sa-pastdargom",
        SaPaxtachi = "uz-sa-paxtachi",
        SaPayariq = "uz-sa-payariq",
        SaSamarqand = "uz-sa-samarqand",
        SaToyloq = "uz-sa-toyloq",
        SaUrgut = "uz-sa-urgut",
        // Khorezm region: two cities and 11 tumans.
        XoUrganchCity = "uz-xo-urganch_city",
        XoXivaCity = "uz-xo-xiva_city",
        XoBogot = "uz-xo-bogot",
        XoGurlan = "uz-xo-gurlan",
        XoHazorasp = "uz-xo-hazorasp",
        XoQoshkopir = "uz-xo-qoshkopir",
        XoShovot = "uz-xo-shovot",
        XoTuproqqala = "uz-xo-tuproqqala",
        XoUrganch = "uz-xo-urganch",
        XoXiva = "uz-xo-xiva",
        XoXonqa = "uz-xo-xonqa",
        XoYangiariq = "uz-xo-yangiariq",
        XoYangibozor = "uz-xo-yangibozor",
        // Almaty city: its 8 audans.
        AlaAlatau = "kz-75-alatau",
        AlaAlmaly = "kz-75-almaly",
        AlaAuezov = "kz-75-auezov",
        AlaBostandyk = "kz-75-bostandyk",
        AlaZhetysu = "kz-75-zhetysu",
        AlaMedeu = "kz-75-medeu",
        AlaNauryzbay = "kz-75-nauryzbay",
        AlaTurksib = "kz-75-turksib",
        // Astana city: its 6 audans.
        AstAlmaty = "kz-71-almaty",
        AstBaikonyr = "kz-71-baikonyr",
        AstYesil = "kz-71-yesil",
        AstSaryarka = "kz-71-saryarka",
        AstNura = "kz-71-nura",
        AstSaraishyq = "kz-71-saraishyq",
        // Karaganda region: six cities of regional status (Temirtau among them) and 7 audans.
        KarKaragandaCity = "kz-35-karaganda_city",
        KarTemirtauCity = "kz-35-temirtau_city",
        KarBalkhashCity = "kz-35-balkhash_city",
        KarSaranCity = "kz-35-saran_city",
        KarShakhtinskCity = "kz-35-shakhtinsk_city",
        KarPriozerskCity = "kz-35-priozersk_city",
        KarAbai = "kz-35-abai",
        KarAktogay = "kz-35-aktogay",
        KarBukharZhyrau = "kz-35-bukhar_zhyrau",
        KarKarkaraly = "kz-35-karkaraly",
        KarNura = "kz-35-nura",
        KarOsakarov = "kz-35-osakarov",
        KarShet = "kz-35-shet",
    }
}

impl District {
    /// The region the district belongs to (its code starts with the region's code).
    pub fn region(self) -> Region {
        let code = self.code();
        *Region::ALL
            .iter()
            .find(|r| {
                code.len() > r.code().len() && code.starts_with(r.code()) && code.as_bytes()[r.code().len()] == b'-'
            })
            .expect("every district code starts with its region's code")
    }
}

/// The listed districts of a region, in display order (empty outside the pilot areas).
pub fn districts_of(region: Region) -> impl Iterator<Item = District> {
    District::ALL.iter().copied().filter(move |d| d.region() == region)
}

/// Skip logic: whether the form offers a district list for the region (otherwise the
/// district is typed as free text).
pub fn district_is_listed(region: Option<Region>) -> bool {
    region.is_some_and(|r| districts_of(r).next().is_some())
}

code_list! {
    /// What kind of home the family lives in.
    HousingType = "housing_type" {
        OwnHouse = "own_house",
        OwnApartment = "own_apartment",
        Rented = "rented",
        WithRelatives = "with_relatives",
        Dormitory = "dormitory",
        Shelter = "shelter",
        NoHousing = "no_housing",
        Other = "other",
    }
}

code_list! {
    /// The state of the home.
    HousingCondition = "housing_condition" {
        Good = "good",
        Satisfactory = "satisfactory",
        Poor = "poor",
        Unsafe = "unsafe",
    }
}

/// Where the family lives and how to reach it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub country: Option<Country>,
    pub region: Option<Region>,
    /// A listed district, where the region has a list.
    pub district: Option<District>,
    /// The district as typed, where the region has no list.
    pub district_text: String,
    /// Mahalla (UZ) or settlement / microdistrict (KZ), as typed.
    pub mahalla: String,
    /// Street, house and flat.
    pub street: String,
    /// Phone numbers as typed; validation normalises them (`validate::phone`).
    pub phones: Vec<String>,
    pub housing_type: Option<HousingType>,
    pub housing_condition: Option<HousingCondition>,
    pub housing_note: String,
}

impl Address {
    /// Clears answers the form no longer shows (a region from another country, a
    /// district from another region), so stale answers are never sealed.
    pub fn prune_hidden(&mut self) {
        if let (Some(c), Some(r)) = (self.country, self.region) {
            if r.country() != c {
                self.region = None;
            }
        }
        if self.district.is_some_and(|d| Some(d.region()) != self.region) {
            self.district = None;
        }
        if district_is_listed(self.region) {
            self.district_text.clear();
        } else {
            self.district = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_countries_have_their_full_region_lists() {
        assert_eq!(regions_of(Country::Uzbekistan).count(), 14);
        assert_eq!(regions_of(Country::Kazakhstan).count(), 20);
    }

    #[test]
    fn every_pilot_area_lists_its_districts_and_each_district_knows_its_region() {
        let count = |r| districts_of(r).count();
        assert_eq!(count(Region::UzTashkentCity), 12);
        assert_eq!(count(Region::UzSamarkand), 16);
        assert_eq!(count(Region::UzKhorezm), 13);
        assert_eq!(count(Region::KzAlmatyCity), 8);
        assert_eq!(count(Region::KzAstanaCity), 6);
        assert_eq!(count(Region::KzKaraganda), 13);
        assert!(districts_of(Region::KzKaraganda).any(|d| d == District::KarTemirtauCity));
        assert!(district_is_listed(Some(Region::UzKhorezm)));
        assert!(!district_is_listed(Some(Region::UzBukhara)));
        assert!(!district_is_listed(None));
    }

    #[test]
    fn a_district_of_another_region_is_dropped_when_the_region_changes() {
        let mut a = Address {
            country: Some(Country::Uzbekistan),
            region: Some(Region::UzSamarkand),
            district: Some(District::XoUrganch),
            district_text: "typed".into(),
            ..Address::default()
        };
        a.prune_hidden();
        assert_eq!((a.district, a.district_text.as_str()), (None, ""));
        a.country = Some(Country::Kazakhstan);
        a.prune_hidden();
        assert_eq!(a.region, None);
    }
}
