//! Complaint numbers (R-IN-3): `KS-YYYYMM-NNNNN`, a serial per month that restarts at 1.

/// Formats a complaint number; the serial has at least five digits.
pub fn format(month: &str, serial: i64) -> String {
    format!("KS-{month}-{serial:05}")
}

/// Whether a string has the shape of a complaint number (used to reject junk before any query).
pub fn is_well_formed(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("KS-") else {
        return false;
    };
    let Some((month, serial)) = rest.split_once('-') else {
        return false;
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let month_ok = month.len() == 6
        && digits(month)
        && matches!(
            &month[4..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        );
    month_ok && serial.len() >= 5 && serial.len() <= 12 && digits(serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(format("202611", 42), "KS-202611-00042");
        assert_eq!(format("202611", 123456), "KS-202611-123456");
        assert!(is_well_formed("KS-202611-00042"));
        assert!(is_well_formed("KS-202611-123456"));
        for bad in [
            "KS-202613-00001",
            "KS-2026-00001",
            "KS-202611-0001",
            "ks-202611-00001",
            "KS-202611-0000a",
            "",
            "KS-202611-",
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }
}
