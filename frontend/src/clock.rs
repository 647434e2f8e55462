//! The browser's clock, read here at the edge because `shared` reads none.

use shared::record::Date;

/// Now, as RFC 3339 in UTC (`2026-11-23T10:00:00.000Z`).
pub fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Today's date on this device's calendar (validation refuses later birth dates).
pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    Date::new(d.get_full_year() as u16, (d.get_month() + 1) as u8, d.get_date() as u8)
        .expect("the browser's calendar gives real dates")
}
