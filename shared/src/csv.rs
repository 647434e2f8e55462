//! CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, and a guard against
//! formula injection.
//!
//! What is here: one writer for the adviser's exports (selected cases, the programme
//! indicators). What is not: reading CSV, or deciding what goes in a file — the callers
//! choose the columns.
//!
//! Why the guard: a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage
//! return) is run as a formula by Excel and LibreOffice when the file is opened
//! (OWASP "CSV injection"). Names and notes are typed by people, so such a cell is
//! written with a leading `'`, which spreadsheets show as text. Numbers the exporter
//! writes itself go through [`Csv::number`] and are never prefixed.

/// A CSV document being written. The text starts with a UTF-8 byte order mark so that
/// Excel reads Cyrillic and Uzbek Latin letters correctly.
#[derive(Clone, Debug)]
pub struct Csv {
    out: String,
    /// Whether the current line has a cell yet (a separator goes before the next one).
    started: bool,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

/// The characters that make a spreadsheet treat a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell's text with `'` before its start, and after every `,` or `;` inside it, where
/// a formula would start: a spreadsheet that splits the cell there (a locale whose
/// separator is `;`, an import that ignores quotes) still sees text, never a formula.
fn guard(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    let mut at_start = true;
    for c in s.chars() {
        if at_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        at_start = matches!(c, ',' | ';');
    }
    out
}

impl Csv {
    /// An empty document (only the byte order mark).
    pub fn new() -> Self {
        Self { out: String::from('\u{feff}'), started: false }
    }

    fn separator(&mut self) {
        if self.started {
            self.out.push(',');
        }
        self.started = true;
    }

    fn quoted(&mut self, s: &str) {
        // `;` too: spreadsheets in the ru, uz and kk locales split on it.
        if s.contains([',', ';', '"', '\n', '\r']) {
            self.out.push('"');
            self.out.push_str(&s.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(s);
        }
    }

    /// A text cell: quoted when it must be, and prefixed with `'` when a spreadsheet
    /// would take it for a formula.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.separator();
        let guarded = guard(s);
        self.quoted(&guarded);
        self
    }

    /// A count the exporter computed (never prefixed: a count cannot be a formula).
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.separator();
        self.out.push_str(&n.to_string());
        self
    }

    /// A whole line of text cells.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        for c in cells {
            self.text(c.as_ref());
        }
        self.end_row()
    }

    /// Ends the current line (CRLF, as RFC 4180 says).
    pub fn end_row(&mut self) -> &mut Self {
        self.out.push_str("\r\n");
        self.started = false;
        self
    }

    /// The finished document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(c: Csv) -> String {
        c.finish().trim_start_matches('\u{feff}').to_owned()
    }

    #[test]
    fn cells_with_commas_quotes_and_line_breaks_are_quoted_as_rfc_4180_says() {
        let mut c = Csv::new();
        c.row(["plain", "a,b", "say \"hi\"", "two\nlines", "Каримова"]);
        c.text("x").number(42).end_row();
        assert_eq!(body(c), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",Каримова\r\nx,42\r\n");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text() {
        let mut c = Csv::new();
        c.row(["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "Aziz = ok"]);
        assert_eq!(body(c), "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2,'@SUM(A1),'\tTab,Aziz = ok\r\n");
    }

    #[test]
    fn a_cell_with_a_semicolon_stays_one_cell_and_no_part_of_it_runs_as_a_formula() {
        // Spreadsheets in the ru, uz and kk locales split CSV on `;`, so an unquoted
        // `Aziz;=1+1` became two cells there, the second a live formula.
        let mut c = Csv::new();
        c.row(["Aziz;=1+1", "note; +7 998", "a,@SUM(A1)", "plain; text"]);
        assert_eq!(body(c), "\"Aziz;'=1+1\",\"note; +7 998\",\"a,'@SUM(A1)\",\"plain; text\"\r\n");
    }

    #[test]
    fn the_file_starts_with_a_byte_order_mark_for_spreadsheets() {
        assert!(Csv::new().finish().starts_with('\u{feff}'));
    }
}
