//! A signature drawn on the screen, stored as compact vector strokes.
//!
//! A canvas gives a list of strokes, each a list of points. Stored as JSON numbers
//! that would be ~10 bytes a point; here each point is the difference from the
//! previous one, zigzag-encoded as a LEB128 varint (one or two bytes for a hand's
//! movement between two pointer events), then base64. A signature of 600 points takes
//! about 1.5 KB inside the sealed entry, and decoding is bounded by the limits below,
//! because a stored signature is read back from entries that could be damaged.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// Largest canvas side accepted, in CSS pixels.
pub const MAX_CANVAS_SIDE: u16 = 4096;
/// Most strokes one signature may hold.
pub const MAX_STROKES: usize = 500;
/// Most points one signature may hold, over all strokes.
pub const MAX_POINTS: usize = 20_000;

/// A point on the signature canvas, in CSS pixels from its top-left corner.
pub type Point = (u16, u16);

/// Why strokes were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrokesError {
    /// Nothing was drawn.
    Empty,
    /// Too many strokes or points, or a canvas too large.
    TooLarge,
    /// A point lies outside the canvas.
    OutOfCanvas,
    /// The stored encoding is damaged.
    Malformed,
}

/// The strokes of a drawn signature on a `width` × `height` canvas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strokes {
    pub width: u16,
    pub height: u16,
    /// Base64 (standard, no padding) of the varint-encoded deltas.
    pub data: String,
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], at: &mut usize) -> Result<u32, StrokesError> {
    let mut v: u32 = 0;
    for shift in [0, 7, 14, 21, 28] {
        let b = *bytes.get(*at).ok_or(StrokesError::Malformed)?;
        *at += 1;
        v |= u32::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(StrokesError::Malformed)
}

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn unzigzag(v: u32) -> i32 {
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

impl Strokes {
    /// Encodes what the canvas drew. Empty strokes are dropped.
    pub fn encode(width: u16, height: u16, strokes: &[Vec<Point>]) -> Result<Self, StrokesError> {
        if width == 0 || height == 0 || width > MAX_CANVAS_SIDE || height > MAX_CANVAS_SIDE {
            return Err(StrokesError::TooLarge);
        }
        let strokes: Vec<&Vec<Point>> = strokes.iter().filter(|s| !s.is_empty()).collect();
        let points: usize = strokes.iter().map(|s| s.len()).sum();
        if points == 0 {
            return Err(StrokesError::Empty);
        }
        if strokes.len() > MAX_STROKES || points > MAX_POINTS {
            return Err(StrokesError::TooLarge);
        }
        let mut out = Vec::with_capacity(points * 2 + strokes.len() + 2);
        put_varint(&mut out, strokes.len() as u32);
        let mut prev = (0i32, 0i32);
        for s in strokes {
            put_varint(&mut out, s.len() as u32);
            for &(x, y) in s {
                if x >= width || y >= height {
                    return Err(StrokesError::OutOfCanvas);
                }
                let (x, y) = (i32::from(x), i32::from(y));
                put_varint(&mut out, zigzag(x - prev.0));
                put_varint(&mut out, zigzag(y - prev.1));
                prev = (x, y);
            }
        }
        Ok(Self { width, height, data: base64::engine::general_purpose::STANDARD_NO_PAD.encode(out) })
    }

    /// The strokes back, checked against the limits and the canvas.
    pub fn decode(&self) -> Result<Vec<Vec<Point>>, StrokesError> {
        if self.width == 0 || self.height == 0 || self.width > MAX_CANVAS_SIDE || self.height > MAX_CANVAS_SIDE {
            return Err(StrokesError::TooLarge);
        }
        // Each point takes at least two bytes; refuse before decoding anything larger.
        if self.data.len() > (MAX_POINTS * 2 * 5 + MAX_STROKES * 5 + 5) * 4 / 3 + 4 {
            return Err(StrokesError::TooLarge);
        }
        let bytes =
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(&self.data).map_err(|_| StrokesError::Malformed)?;
        let mut at = 0;
        let n = get_varint(&bytes, &mut at)? as usize;
        if n == 0 {
            return Err(StrokesError::Empty);
        }
        if n > MAX_STROKES {
            return Err(StrokesError::TooLarge);
        }
        let mut out = Vec::with_capacity(n);
        let (mut x, mut y) = (0i64, 0i64);
        let mut total = 0usize;
        for _ in 0..n {
            let len = get_varint(&bytes, &mut at)? as usize;
            total += len;
            if len == 0 || total > MAX_POINTS {
                return Err(if len == 0 { StrokesError::Malformed } else { StrokesError::TooLarge });
            }
            let mut stroke = Vec::with_capacity(len);
            for _ in 0..len {
                // i64: a damaged delta near i32::MAX must not overflow.
                x += i64::from(unzigzag(get_varint(&bytes, &mut at)?));
                y += i64::from(unzigzag(get_varint(&bytes, &mut at)?));
                if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
                    return Err(StrokesError::OutOfCanvas);
                }
                stroke.push((x as u16, y as u16));
            }
            out.push(stroke);
        }
        if at != bytes.len() {
            return Err(StrokesError::Malformed);
        }
        Ok(out)
    }

    /// SVG path data (`M x y L x y …`) for showing and printing the signature; a
    /// single-point stroke (a dot) becomes a zero-length line, which a round line cap
    /// draws as a dot.
    pub fn svg_path(&self) -> Result<String, StrokesError> {
        use std::fmt::Write;
        let mut d = String::new();
        for s in self.decode()? {
            let _ = write!(d, "M{} {}", s[0].0, s[0].1);
            if s.len() == 1 {
                let _ = write!(d, "l0 0");
            }
            for p in &s[1..] {
                let _ = write!(d, "L{} {}", p.0, p.1);
            }
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_signature_is_small_and_reads_back_as_drawn() {
        let stroke: Vec<Point> = (0..600).map(|i| (100 + (i % 300) as u16, 50 + (i / 10) as u16)).collect();
        let s = Strokes::encode(800, 300, std::slice::from_ref(&stroke)).unwrap();
        assert!(s.data.len() < 2_000, "{} bytes", s.data.len());
        assert_eq!(s.decode().unwrap(), vec![stroke]);
        assert!(s.svg_path().unwrap().starts_with("M100 50L101 50"));
    }

    #[test]
    fn nothing_drawn_or_outside_the_canvas_or_damaged_is_refused() {
        assert_eq!(Strokes::encode(800, 300, &[vec![]]), Err(StrokesError::Empty));
        assert_eq!(Strokes::encode(800, 300, &[vec![(800, 1)]]), Err(StrokesError::OutOfCanvas));
        assert_eq!(Strokes::encode(0, 300, &[vec![(1, 1)]]), Err(StrokesError::TooLarge));
        let mut s = Strokes::encode(800, 300, &[vec![(1, 1), (2, 2)]]).unwrap();
        s.data.push_str("AAAA");
        assert!(s.decode().is_err());
        s.data = "////////".into();
        assert!(s.decode().is_err());
        s.data = "!".into();
        assert_eq!(s.decode(), Err(StrokesError::Malformed));
    }

    proptest! {
        #[test]
        fn any_drawing_within_the_limits_round_trips(
            strokes in proptest::collection::vec(proptest::collection::vec((0u16..1024, 0u16..512), 1..60), 1..20)
        ) {
            let s = Strokes::encode(1024, 512, &strokes).unwrap();
            prop_assert_eq!(s.decode().unwrap(), strokes);
        }

        #[test]
        fn arbitrary_stored_data_never_panics(data in "[A-Za-z0-9+/]{0,200}", w in 0u16..5000, h in 0u16..5000) {
            let _ = Strokes { width: w, height: h, data }.decode();
        }
    }
}
