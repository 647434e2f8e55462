//! `--qr`: a link drawn as a QR code in the terminal, for a tablet's camera
//! (`amanat user add … --qr`, `amanat user enrol NAME --qr`).
//!
//! Two modules a character, with Unicode half blocks (`▀ ▄ █` and space), inside the
//! standard quiet zone of four light modules. The colours are set explicitly, dark
//! modules black on a white ground (256-colour SGR 16 and 231), so the code reads the
//! same on a dark or a light terminal theme; each line resets them at its end. The
//! `qrcode` crate makes the matrix (error correction M); the drawing is here.

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, on every side (ISO/IEC 18004: at least 4).
pub const QUIET_ZONE: usize = 4;
/// Dark foreground (black) on a light ground (white), whatever the terminal's theme.
pub const DARK_ON_LIGHT: &str = "\x1b[38;5;16;48;5;231m";
/// Back to the terminal's own colours.
pub const RESET: &str = "\x1b[0m";

/// The lines of `text` as a QR code; `None` if it is too long for one.
pub fn lines(text: &str) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    // A module in the drawing (quiet zone included): true when dark.
    let dark = |x: usize, y: usize| {
        let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + width).contains(&v);
        inside(x) && inside(y) && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark
    };
    let mut out = Vec::with_capacity(side.div_ceil(2));
    for y in (0..side).step_by(2) {
        let mut line = String::from(DARK_ON_LIGHT);
        for x in 0..side {
            line.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        line.push_str(RESET);
        out.push(line);
    }
    Some(out)
}

/// Prints `text` as a QR code, or says why not (it is still printed as text).
pub fn print(text: &str) {
    match lines(text) {
        Some(lines) => lines.iter().for_each(|l| println!("{l}")),
        None => println!("(too long for a QR code: type the link below)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_framed_by_its_quiet_zone_and_coloured_line_by_line() {
        let link = "https://amanat.example.org/#enrol=enr_0123456789abcdefghijklmnopqrstuvwxyzABCDEF";
        let lines = lines(link).unwrap();
        let body: Vec<Vec<char>> = lines
            .iter()
            .map(|l| l.strip_prefix(DARK_ON_LIGHT).unwrap().strip_suffix(RESET).unwrap().chars().collect())
            .collect();
        let side = body[0].len();
        assert_eq!(lines.len(), side.div_ceil(2), "two modules a line");
        assert!(body.iter().all(|l| l.len() == side));
        // Two lines (four modules) light at the top; at the bottom, the last code row
        // shares a line with a quiet one, then two lines are quiet only.
        assert!(body[..2].iter().flatten().all(|&c| c == ' '));
        assert!(body[body.len() - 2..].iter().flatten().all(|&c| c == ' '));
        for l in &body {
            assert!(l[..QUIET_ZONE].iter().chain(&l[side - QUIET_ZONE..]).all(|&c| c == ' '), "{l:?}");
        }
        // The top-left finder pattern's first two rows: dark edge over dark, light, dark.
        let finder: String = body[2][QUIET_ZONE..QUIET_ZONE + 7].iter().collect();
        assert_eq!(finder, "█▀▀▀▀▀█");
        assert!(super::lines(&"x".repeat(4000)).is_none());
    }
}
