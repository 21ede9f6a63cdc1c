//! Whether a page's traffic decayed: its last 28 days against the 28
//! before, and against its best 28 days, as an operator compares them in
//! Search Console.

use std::collections::BTreeMap;

use crate::day::Day;

/// Days in a compared period.
pub const WINDOW: i32 = 28;

/// What fell, and by how much.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decay {
    /// The last 28 days.
    pub last: u64,
    /// The 28 days before them.
    pub previous: u64,
    /// The page's best 28 days (ending on `best_end`).
    pub best: u64,
    /// The last day of the best 28 days.
    pub best_end: Day,
    /// The share lost against the previous 28 days (0.3 = 30%).
    pub against_previous: f64,
    /// The share lost against the best 28 days.
    pub against_best: f64,
}

/// The decay of `counts` (per day) up to `end`, when the last 28 days
/// fell by `share` or more against the previous 28 or the best 28, and
/// what it fell from is at least `min`.
pub fn decay(counts: &BTreeMap<Day, u64>, end: Day, share: f64, min: u64) -> Option<Decay> {
    let sum = |first: Day, last: Day| -> u64 { counts.range(first..=last).map(|(_, c)| c).sum() };
    let last = sum(end.plus(1 - WINDOW), end);
    let previous = sum(end.plus(1 - 2 * WINDOW), end.plus(-WINDOW));
    // The best 28-day window ending on any day with counts (a rolling
    // sum over the days in order).
    let days: Vec<(Day, u64)> = counts.range(..=end).map(|(d, c)| (*d, *c)).collect();
    let (mut best, mut best_end) = (last, end);
    let mut window = 0u64;
    let mut start = 0;
    for &(day, count) in &days {
        window += count;
        while days[start].0 <= day.plus(-WINDOW) {
            window -= days[start].1;
            start += 1;
        }
        if window > best {
            best = window;
            best_end = day;
        }
    }
    let lost = |from: u64| {
        if from == 0 {
            0.0
        } else {
            1.0 - last as f64 / from as f64
        }
    };
    let decay = Decay {
        last,
        previous,
        best,
        best_end,
        against_previous: lost(previous),
        against_best: lost(best),
    };
    let fell = (previous >= min && decay.against_previous >= share)
        || (best >= min && decay.against_best >= share);
    fell.then_some(decay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(values: &[(i32, u64)]) -> BTreeMap<Day, u64> {
        values.iter().map(|&(d, c)| (Day(d), c)).collect()
    }

    #[test]
    fn a_fall_against_the_previous_or_the_best_period() {
        // 10 a day for 56 days, then 4 a day: last 28 = 112 vs 280.
        let mut counts: Vec<(i32, u64)> = (0..56).map(|d| (d, 10)).collect();
        counts.extend((56..84).map(|d| (d, 4)));
        let found = decay(&days(&counts), Day(83), 0.3, 20).unwrap();
        assert_eq!((found.last, found.previous, found.best), (112, 280, 280));
        assert!((found.against_previous - 0.6).abs() < 1e-9);
        // Steady traffic: no decay.
        let steady: Vec<(i32, u64)> = (0..84).map(|d| (d, 10)).collect();
        assert_eq!(decay(&days(&steady), Day(83), 0.3, 20), None);
        // A peak months ago, flat since: a decay against the best only.
        let mut peak: Vec<(i32, u64)> = (0..28).map(|d| (d, 50)).collect();
        peak.extend((28..200).map(|d| (d, 5)));
        let found = decay(&days(&peak), Day(199), 0.3, 20).unwrap();
        assert_eq!(found.best, 1400);
        assert_eq!(found.best_end, Day(27));
        assert_eq!(found.against_previous, 0.0);
        // Too little to say anything.
        let small: Vec<(i32, u64)> = (0..56).map(|d| (d, u64::from(d < 28))).collect();
        assert_eq!(decay(&days(&small), Day(55), 0.3, 50), None);
    }
}
