//! `--shard I/N`: split a network's sites deterministically over N machines.

use std::str::FromStr;

/// One part of a network split into `count` parts; `index` is 1-based, like
/// `cargo nextest --partition` and Playwright's `--shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1 to `count`.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl Shard {
    /// Keeps the sites of this shard: with sites sorted by name, site number
    /// `k` (0-based) belongs to shard `k % count + 1`. Shards are disjoint,
    /// cover every site, and differ in size by at most one.
    pub fn pick<T>(self, sorted_sites: Vec<T>) -> Vec<T> {
        sorted_sites
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % self.count + 1 == self.index)
            .map(|(_, site)| site)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || format!("invalid shard `{text}`: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if count == 0 || index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn shards_partition_the_sites() {
        let sites: Vec<u32> = (0..10).collect();
        let mut all = Vec::new();
        for index in 1..=3 {
            let part = Shard { index, count: 3 }.pick(sites.clone());
            assert!(part.len() == 3 || part.len() == 4);
            all.extend(part);
        }
        all.sort();
        assert_eq!(all, sites);
    }
}
