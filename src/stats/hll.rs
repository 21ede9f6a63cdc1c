//! Visitors counted without keeping who they were: a HyperLogLog sketch
//! (Flajolet et al.) per site and day. It holds 4,096 small registers, not
//! hashes, so nothing in it leads back to an address; its estimate is
//! within about 1.6% (one standard error), and two sketches of the same day
//! (two imports, two servers' logs) merge into the sketch of their union.

use std::io::{Read, Write};

/// log2 of the number of registers.
const PRECISION: u32 = 12;
const REGISTERS: usize = 1 << PRECISION;

/// A HyperLogLog sketch.
#[derive(Clone, PartialEq, Eq)]
pub struct Sketch {
    registers: Box<[u8; REGISTERS]>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(~{})", self.estimate())
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            registers: Box::new([0; REGISTERS]),
        }
    }
}

impl Sketch {
    /// Adds one (well-mixed) 64-bit hash.
    pub fn add(&mut self, hash: u64) {
        let index = (hash >> (64 - PRECISION)) as usize;
        // The remaining bits, with a stop bit so the run is bounded.
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        let register = &mut self.registers[index];
        if rank > *register {
            *register = rank;
        }
    }

    /// Adds every element of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            if *theirs > *mine {
                *mine = *theirs;
            }
        }
    }

    /// The estimated number of distinct hashes added.
    pub fn estimate(&self) -> u64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            // Small ranges: linear counting is exact enough and unbiased.
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }

    /// The stored form: the registers, deflated (a small day's sketch is
    /// mostly zeros and takes a few dozen bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder
            .write_all(&self.registers[..])
            .expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        let mut registers = Box::new([0u8; REGISTERS]);
        let mut decoder = flate2::read::DeflateDecoder::new(bytes);
        decoder.read_exact(&mut registers[..]).ok()?;
        Some(Sketch { registers })
    }
}

/// A keyed 64-bit hash of a visitor (wyhash-style multiply-mix rounds over
/// the bytes, then a SplitMix64 finalizer). Keyed with a secret salt and
/// the day, the same address and browser give unrelated values on
/// different days and in different networks.
pub fn visitor_hash(key: u64, day: i32, parts: &[&[u8]]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    let mut state = key ^ (day as u64).wrapping_mul(P0);
    for part in parts {
        for chunk in part.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            let value = u64::from_le_bytes(word) ^ P1;
            let product = u128::from(state ^ value) * u128::from(P0 ^ chunk.len() as u64);
            state = (product as u64) ^ ((product >> 64) as u64);
        }
        // Separates the parts: ("ab", "c") and ("a", "bc") differ.
        state = state.wrapping_add(part.len() as u64).wrapping_mul(P1);
    }
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_close_and_merge_like_unions() {
        for n in [0u64, 1, 10, 1_000, 50_000] {
            let mut sketch = Sketch::default();
            for i in 0..n {
                sketch.add(visitor_hash(7, 100, &[&i.to_le_bytes(), b"agent"]));
                // Seen again: no change.
                sketch.add(visitor_hash(7, 100, &[&i.to_le_bytes(), b"agent"]));
            }
            let estimate = sketch.estimate() as f64;
            let error = (estimate - n as f64).abs() / (n.max(1) as f64);
            assert!(error < 0.05, "{n}: {estimate}");
            let stored = Sketch::from_bytes(&sketch.to_bytes()).unwrap();
            assert!(stored == sketch);
        }
        let (mut a, mut b) = (Sketch::default(), Sketch::default());
        for i in 0..3000u64 {
            a.add(visitor_hash(1, 1, &[&i.to_le_bytes()]));
            b.add(visitor_hash(1, 1, &[&(i + 1500).to_le_bytes()]));
        }
        a.merge(&b);
        let union = a.estimate() as f64;
        assert!((union - 4500.0).abs() / 4500.0 < 0.05, "{union}");
    }

    #[test]
    fn the_hash_depends_on_key_day_and_every_part() {
        let h = |key, day, a: &[u8], b: &[u8]| visitor_hash(key, day, &[a, b]);
        let base = h(1, 1, b"1.2.3.4", b"ua");
        assert_ne!(base, h(2, 1, b"1.2.3.4", b"ua"));
        assert_ne!(base, h(1, 2, b"1.2.3.4", b"ua"));
        assert_ne!(base, h(1, 1, b"1.2.3.5", b"ua"));
        assert_ne!(h(1, 1, b"ab", b"c"), h(1, 1, b"a", b"bc"));
        assert_eq!(base, h(1, 1, b"1.2.3.4", b"ua"));
    }
}
