//! The rates of the summary report (R-AN-3): a fraction of what was measured, or none when
//! nothing was (API.md: null, never a made-up 0 or 1).

/// `num / den` in [0, 1], or `None` when `den` is 0.
pub fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| (num.clamp(0, den) as f64) / (den as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_fractions_or_nothing() {
        assert_eq!(rate(1, 2), Some(0.5));
        assert_eq!(rate(0, 3), Some(0.0));
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(5, 4), Some(1.0));
    }
}
