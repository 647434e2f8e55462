//! `amanat user add … --qr` and `amanat user enrol NAME --qr`: the enrolment link drawn
//! as a QR code in the terminal, read back here by a QR decoder (`rqrr`) from the very
//! characters printed, rasterised into a grey image; the link stays the last line for
//! scripts (the token, with `--token`), and without `--qr` nothing else changes.

use std::path::Path;

use amanat_tests::support::relay::amanat;

const URL: &str = "https://amanat.example.org";
/// Black on white, set explicitly on every line of the code, then reset.
const DARK_ON_LIGHT: &str = "\x1b[38;5;16;48;5;231m";
const RESET: &str = "\x1b[0m";

fn run(data: &Path, args: &[&str]) -> String {
    let out = amanat(data, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The half-block lines of the QR code on the screen, each checked to be drawn dark on
/// light and reset at its end.
fn qr_lines(screen: &str) -> Vec<Vec<char>> {
    let lines: Vec<Vec<char>> = screen
        .lines()
        .filter(|l| l.contains('\x1b'))
        .map(|l| {
            let body = l.strip_prefix(DARK_ON_LIGHT).and_then(|b| b.strip_suffix(RESET));
            let body = body.unwrap_or_else(|| panic!("a QR line not drawn dark on light: {l:?}"));
            assert!(body.chars().all(|c| " ▀▄█".contains(c)), "{body:?}");
            body.chars().collect()
        })
        .collect();
    assert!(!lines.is_empty(), "no QR code on the screen:\n{screen}");
    assert!(lines.iter().all(|l| l.len() == lines[0].len()), "a ragged QR code");
    lines
}

/// Reads the QR code drawn by `lines` (a character is two modules: the upper and the
/// lower half, dark where the block is drawn), each module as a 6×6 square of pixels.
fn decode(lines: &[Vec<char>]) -> Option<String> {
    const SCALE: usize = 6;
    let dark = |x: usize, y: usize| matches!((lines[y / 2][x], y % 2), ('█', _) | ('▀', 0) | ('▄', 1));
    let (w, h) = (lines[0].len(), lines.len() * 2);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * SCALE, h * SCALE, |x, y| {
        if dark(x / SCALE, y / SCALE) {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    let (_, content) = grids.first()?.decode().ok()?;
    Some(content)
}

/// Four light modules (two lines, four columns) around the code on every side.
fn has_quiet_zone(lines: &[Vec<char>]) -> bool {
    let n = lines.len();
    let w = lines[0].len();
    lines[..2].iter().chain(&lines[n - 2..]).flatten().all(|&c| c == ' ')
        && lines.iter().all(|l| l[..4].iter().chain(&l[w - 4..]).all(|&c| c == ' '))
}

#[test]
fn a_caseworkers_enrolment_link_is_printed_as_a_qr_code_that_reads_back_to_it_and_scripts_still_find_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    // `user add --qr --token`: header, code, link, then the token still last.
    let screen = run(&data, &["user", "add", "malika", "--role", "caseworker", "--qr", "--token", "--url", URL]);
    let lines: Vec<&str> = screen.lines().collect();
    let token = *lines.last().unwrap();
    assert!(token.starts_with("amt_"), "the last line is the bearer token: {screen}");
    let link_at = lines.iter().position(|l| l.contains("#enrol=")).expect("the link is printed");
    let link = lines[link_at];
    assert!(link.starts_with(&format!("{URL}/#enrol=enr_")), "{link}");
    assert!(lines[link_at + 1].starts_with("Bearer token"), "{screen}");
    assert!(lines[link_at - 1].starts_with(DARK_ON_LIGHT), "the code is just above the link: {screen}");
    let code = qr_lines(&screen);
    assert!(has_quiet_zone(&code), "{screen}");
    assert_eq!(decode(&code).as_deref(), Some(link), "the QR code reads back to the printed link");

    // The decoder really reads what is drawn: the halves of each character swapped
    // (every module row out of place) no longer read as the link.
    let swapped: Vec<Vec<char>> = code
        .iter()
        .map(|l| {
            l.iter()
                .map(|&c| {
                    if c == '▀' {
                        '▄'
                    } else if c == '▄' {
                        '▀'
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    assert_ne!(decode(&swapped).as_deref(), Some(link));

    // `user enrol --qr`: a new link, drawn, and still the last line.
    let screen = run(&data, &["user", "enrol", "malika", "--qr", "--url", URL]);
    let again = screen.lines().last().unwrap();
    assert!(again.starts_with(&format!("{URL}/#enrol=enr_")) && again != link, "{screen}");
    assert_eq!(decode(&qr_lines(&screen)).as_deref(), Some(again));

    // Without `--qr` the output is as it was: no colours, no code, the link last.
    let plain = run(&data, &["user", "enrol", "malika", "--url", URL]);
    assert!(!plain.contains('\x1b') && !plain.contains('█'), "{plain}");
    assert_eq!(plain.lines().count(), 2);
    assert!(plain.lines().last().unwrap().contains("#enrol=enr_"));

    // Only a caseworker has a link to draw.
    let adviser = run(&data, &["user", "add", "dilnoza", "--role", "adviser", "--qr", "--token"]);
    assert!(adviser.contains("no QR code") && !adviser.contains('\x1b'), "{adviser}");
    assert!(adviser.lines().last().unwrap().starts_with("amt_"));
}
