//! Spreading a total over a period's days in proportion to weights (the
//! export's daily totals), in whole numbers that add up to the total
//! (largest remainders), so a report over the whole period gives back
//! exactly what the export said.

/// `total` split over `weights.len()` days in proportion to `weights`
/// (evenly when they are all zero).
pub fn spread(total: u64, weights: &[u64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u64 = weights.iter().sum();
    let weights: Vec<u64> = if sum == 0 {
        vec![1; weights.len()]
    } else {
        weights.to_vec()
    };
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let mut shares: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        shares.push((exact / sum) as u64);
        remainders.push((exact % sum, i));
    }
    let mut left = total - shares.iter().sum::<u64>();
    // Largest remainder first; ties to the earlier day (deterministic).
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_follow_the_weights() {
        assert_eq!(spread(10, &[1, 1, 2]), [3, 2, 5]);
        assert_eq!(spread(7, &[0, 0, 0]), [3, 2, 2]);
        assert_eq!(spread(0, &[5, 5]), [0, 0]);
        assert_eq!(spread(3, &[0, 9, 0]), [0, 3, 0]);
        let weights: Vec<u64> = (0..31).map(|i| (i * 37 % 11) as u64).collect();
        for total in [0, 1, 29, 1000, 123_457] {
            assert_eq!(spread(total, &weights).iter().sum::<u64>(), total);
        }
    }
}
