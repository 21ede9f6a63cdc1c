//! How alike pages are: sets of word shingles (every run of five words),
//! MinHash signatures, and locality-sensitive hashing (LSH) over bands of
//! the signatures to find candidate pairs without comparing every page
//! with every other. Each candidate's Jaccard similarity is then computed
//! exactly on the shingle sets, so reported figures are the true ones.
//!
//! A small implementation of our own rather than a crate: the whole thing
//! is a hundred lines, works on the shingle hashes we need anyway for the
//! boilerplate check, and lets the band layout follow the configured
//! threshold.

use std::collections::HashMap;

use rayon::prelude::*;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;
/// Hash functions per signature.
const HASHES: usize = 120;

/// A 64-bit mix (SplitMix64's finalizer): distinct inputs give
/// well-spread, distinct-looking outputs.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A word's hash, the unit shingles are made of.
pub fn word_hash(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in word.bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
    }
    mix(h)
}

/// The shingles of a page's words (their [`word_hash`]es): one hash per
/// run of [`SHINGLE_WORDS`] words, sorted, without repeats. A page shorter
/// than that has one shingle of all its words (none if it has none).
pub fn shingles(hashes: &[u64]) -> Vec<u64> {
    let width = SHINGLE_WORDS.min(hashes.len());
    if width == 0 {
        return Vec::new();
    }
    let mut shingles: Vec<u64> = hashes
        .windows(width)
        .map(|window| {
            window
                .iter()
                .fold(0u64, |acc, h| mix(acc.rotate_left(17) ^ h))
        })
        .collect();
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

/// Jaccard similarity of two sorted shingle sets: shared / all.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Multipliers (odd) and offsets of the signature's hash functions.
const FUNCTIONS: ([u32; HASHES], [u32; HASHES]) = {
    let mut multipliers = [0u32; HASHES];
    let mut offsets = [0u32; HASHES];
    let mut i = 0;
    while i < HASHES {
        multipliers[i] = (mix(2 * i as u64 + 1) as u32) | 1;
        offsets[i] = mix(2 * i as u64 + 2) as u32;
        i += 1;
    }
    (multipliers, offsets)
};

/// MinHash signature: for each of [`HASHES`] hash functions `a*x + b`
/// (odd `a`, modulo 2^32, over the already mixed shingle hashes folded to
/// 32 bits), the least value. 32-bit lanes let the compiler compute all
/// functions of one shingle with vector instructions: this loop is most of
/// the audit's time.
fn signature(shingles: &[u64]) -> [u32; HASHES] {
    let (multipliers, offsets) = &FUNCTIONS;
    let mut signature = [u32::MAX; HASHES];
    for &shingle in shingles {
        let x = (shingle ^ (shingle >> 32)) as u32;
        for ((min, a), b) in signature.iter_mut().zip(multipliers).zip(offsets) {
            *min = (*min).min(a.wrapping_mul(x).wrapping_add(*b));
        }
    }
    signature
}

/// Rows per band for `threshold`: the most rows (fewest false candidates)
/// that still make a pair at the threshold a candidate with probability
/// 0.99 or more.
fn rows_per_band(threshold: f64) -> usize {
    (1..=HASHES)
        .rev()
        .filter(|r| HASHES.is_multiple_of(*r) || *r <= 8)
        .find(|&r| {
            let bands = (HASHES / r) as i32;
            1.0 - (1.0 - threshold.powi(r as i32)).powi(bands) >= 0.99
        })
        .unwrap_or(1)
}

/// Pairs of pages (by index, `i < j`) whose similarity is at least
/// `threshold`, with it; among `pages` (their shingle sets) only those
/// `comparable` says may be compared.
pub fn near_duplicates<S: AsRef<[u64]> + Sync>(
    pages: &[S],
    threshold: f64,
    comparable: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<(usize, usize, f64)> {
    let signatures: Vec<[u32; HASHES]> = pages.par_iter().map(|s| signature(s.as_ref())).collect();
    let rows = rows_per_band(threshold);
    let bands = HASHES / rows;
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for band in 0..bands {
        let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
        for (page, signature) in signatures.iter().enumerate() {
            if pages[page].as_ref().is_empty() {
                continue;
            }
            let key = signature[band * rows..(band + 1) * rows]
                .iter()
                .fold(band as u64, |acc, &v| mix(acc ^ u64::from(v)));
            buckets.entry(key).or_default().push(page as u32);
        }
        for members in buckets.values().filter(|m| m.len() > 1) {
            for (k, &a) in members.iter().enumerate() {
                for &b in &members[k + 1..] {
                    candidates.push((a, b));
                }
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut found: Vec<(usize, usize, f64)> = candidates
        .par_iter()
        .filter(|&&(a, b)| comparable(a as usize, b as usize))
        .filter_map(|&(a, b)| {
            let similarity = jaccard(pages[a as usize].as_ref(), pages[b as usize].as_ref());
            (similarity >= threshold).then_some((a as usize, b as usize, similarity))
        })
        .collect();
    found.sort_by_key(|x| (x.0, x.1));
    found
}

/// Parts the shingle space is split into for counting sites (by the top
/// bits of the hash): each part needs memory for 1/PARTS of all shingles.
const PARTS: u64 = 32;

/// For each page, the share of its shingles that at least `min_sites`
/// sites other than its own also have. `site_of` gives each page's site.
///
/// Counted by sorting rather than in a hash map: for each part of the hash
/// space, each site's distinct shingles in it are laid end to end and
/// sorted, so that a shingle's run length is the number of sites having
/// it. Page shingles are sorted, so a part of a page is one slice; parts
/// are counted in parallel and only a few are in memory at a time.
pub fn boilerplate_shares<S: AsRef<[u64]> + Sync>(
    pages: &[S],
    site_of: &[usize],
    min_sites: usize,
) -> Vec<f64> {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_key(|&p| site_of[p]);
    let sites: Vec<&[usize]> = order.chunk_by(|&a, &b| site_of[a] == site_of[b]).collect();
    let common: Vec<u64> = (0..PARTS)
        .into_par_iter()
        .flat_map_iter(|part| common_in_part(pages, &sites, part, min_sites))
        .collect();
    pages
        .par_iter()
        .map(|shingles| {
            let shingles = shingles.as_ref();
            if shingles.is_empty() {
                return 0.0;
            }
            let shared = shingles
                .iter()
                .filter(|s| common.binary_search(s).is_ok())
                .count();
            shared as f64 / shingles.len() as f64
        })
        .collect()
}

/// The shingles of hash-space part `part` that more than `min_sites` of
/// `sites` (each a list of pages) have, sorted.
fn common_in_part<S: AsRef<[u64]>>(
    pages: &[S],
    sites: &[&[usize]],
    part: u64,
    min_sites: usize,
) -> Vec<u64> {
    let width = u64::MAX / PARTS + 1;
    let low = part * width;
    let in_part = |shingles: &[u64]| -> std::ops::Range<usize> {
        let start = shingles.partition_point(|&s| s < low);
        let end = if part + 1 == PARTS {
            shingles.len()
        } else {
            shingles.partition_point(|&s| s < low + width)
        };
        start..end
    };
    let mut all = Vec::new();
    for site in sites {
        let start = all.len();
        for &page in *site {
            let shingles = pages[page].as_ref();
            all.extend_from_slice(&shingles[in_part(shingles)]);
        }
        let segment = &mut all[start..];
        segment.sort_unstable();
        let mut kept = 0;
        for i in 0..segment.len() {
            if kept == 0 || segment[i] != segment[kept - 1] {
                segment[kept] = segment[i];
                kept += 1;
            }
        }
        all.truncate(start + kept);
    }
    all.sort_unstable();
    all.chunk_by(|a, b| a == b)
        .filter(|run| run.len() > min_sites)
        .map(|run| run[0])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<u64> {
        text.split_whitespace().map(word_hash).collect()
    }

    #[test]
    fn jaccard_counts_shared_shingles() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        let a = shingles(&words("a b c d e f"));
        assert_eq!(a.len(), 2);
        assert_eq!(shingles(&words("a b")).len(), 1);
        assert!(shingles(&[]).is_empty());
    }

    #[test]
    fn bands_follow_the_threshold() {
        assert_eq!(rows_per_band(0.8), 6);
        assert!(rows_per_band(0.5) < rows_per_band(0.8));
        assert!(rows_per_band(0.95) > rows_per_band(0.8));
    }

    #[test]
    fn near_copies_are_found_and_others_not() {
        let base: Vec<u64> = (0..400)
            .map(|i| word_hash(&format!("w{}", i * 7 % 397)))
            .collect();
        let mut copy = base.clone();
        copy[100] = word_hash("changed");
        let other: Vec<u64> = (0..400).map(|i| word_hash(&format!("x{i}"))).collect();
        let pages = vec![shingles(&base), shingles(&copy), shingles(&other)];
        let found = near_duplicates(&pages, 0.8, |_, _| true);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (0, 1));
        assert!((found[0].2 - jaccard(&pages[0], &pages[1])).abs() < 1e-12);
        let none = near_duplicates(&pages, 0.8, |_, _| false);
        assert!(none.is_empty());
    }

    /// 1,000 pages: 200 texts of 150 words, each in five variants with up
    /// to four words replaced, so that pairs spread around the threshold.
    fn clustered_pages() -> Vec<Vec<u64>> {
        let mut state = 7u64;
        let mut random = move |below: u64| {
            state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            state % below
        };
        let mut pages = Vec::new();
        for _ in 0..200 {
            let base: Vec<u64> = (0..150)
                .map(|_| word_hash(&random(5000).to_string()))
                .collect();
            for _ in 0..5 {
                let mut words = base.clone();
                for _ in 0..random(5) {
                    let at = random(150) as usize;
                    words[at] = word_hash(&format!("x{}", random(1_000_000)));
                }
                pages.push(shingles(&words));
            }
        }
        pages
    }

    #[test]
    fn lsh_finds_at_least_95_percent_of_the_pairs_all_pairs_finds() {
        let pages = clustered_pages();
        let mut exact = Vec::new();
        for a in 0..pages.len() {
            for b in a + 1..pages.len() {
                let similarity = jaccard(&pages[a], &pages[b]);
                if similarity >= 0.8 {
                    exact.push((a, b));
                }
            }
        }
        let found: Vec<(usize, usize)> = near_duplicates(&pages, 0.8, |_, _| true)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        assert!(
            exact.len() > 500,
            "{} pairs above the threshold",
            exact.len()
        );
        assert!(exact.len() < 1900, "pairs below the threshold too");
        assert!(found.iter().all(|pair| exact.binary_search(pair).is_ok()));
        let recall = found.len() as f64 / exact.len() as f64;
        assert!(recall >= 0.95, "recall {recall}");
    }

    #[test]
    fn boilerplate_counts_other_sites() {
        let shared = vec![1, 2, 3, 4];
        let pages = vec![
            shared.clone(),
            shared.clone(),
            shared.clone(),
            shared.clone(),
            vec![9],
        ];
        let shares = boilerplate_shares(&pages, &[0, 1, 2, 3, 0], 3);
        assert_eq!(shares, [1.0, 1.0, 1.0, 1.0, 0.0]);
        let shares = boilerplate_shares(&pages, &[0, 1, 2, 3, 0], 4);
        assert_eq!(shares[0], 0.0);
        // Two pages of one site count as one site.
        let shares = boilerplate_shares(&pages, &[0, 0, 1, 2, 3], 3);
        assert_eq!(shares, [0.0; 5]);
        let half = vec![vec![1, 2], vec![1, 3], vec![1, 4], vec![1, 5]];
        assert_eq!(boilerplate_shares(&half, &[0, 1, 2, 3], 3), [0.5; 4]);
    }
}
