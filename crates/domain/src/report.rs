//! The rates of the summary report (R-AN-3): a fraction of what was measured, or none when
//! nothing was (API.md: null, never a made-up 0 or 1).

/// `num / den` in [0, 1], or `None` when `den` is 0.
pub fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| (num.clamp(0, den) as f64) / (den as f64))
}

/// The `q`-quantile (0..=1) of values given as a histogram of (value, how many), by the
/// nearest-rank method; none when the histogram is empty. Handling times are kept in whole
/// hours, so the answer is exact to the hour.
pub fn quantile(histogram: &[(i64, i64)], q: f64) -> Option<i64> {
    let mut h: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    h.sort_unstable();
    let total: i64 = h.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (v, n) in h {
        seen += n;
        if seen >= rank {
            return Some(v);
        }
    }
    None
}

/// The mean of a histogram, or none when it is empty.
pub fn mean(histogram: &[(i64, i64)]) -> Option<f64> {
    let total: i64 = histogram.iter().map(|(_, n)| n).sum();
    (total > 0).then(|| histogram.iter().map(|(v, n)| (v * n) as f64).sum::<f64>() / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        // Values 1, 2, 2, 3, 10 (hours).
        let h = [(10, 1), (2, 2), (1, 1), (3, 1), (7, 0)];
        assert_eq!(quantile(&h, 0.5), Some(2));
        assert_eq!(quantile(&h, 0.9), Some(10));
        assert_eq!(quantile(&h, 0.8), Some(3));
        assert_eq!(quantile(&h, 0.0), Some(1));
        assert_eq!(quantile(&h, 1.0), Some(10));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(mean(&h), Some(18.0 / 5.0));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn rates_are_fractions_or_nothing() {
        assert_eq!(rate(1, 2), Some(0.5));
        assert_eq!(rate(0, 3), Some(0.0));
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(5, 4), Some(1.0));
    }
}
