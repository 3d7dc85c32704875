//! Business hours per org node (R-SLA-2): when a node's service desk opens and closes. A
//! "within N working days" clock ends at the close of the complaint's project, found by walking
//! up the org tree to the nearest node that sets its hours; the default is 09:00–18:00.

use crate::validate::FieldError;
use chrono::NaiveTime;

/// Opening and closing time of one node, local (Asia/Shanghai).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    /// Opening time.
    pub open: NaiveTime,
    /// Close of business; working-day clocks end here.
    pub close: NaiveTime,
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            open: hm(9, 0),
            close: crate::calendar::default_close(),
        }
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

/// Parses `HH:MM` (24-hour clock, minutes only).
fn parse_hm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl BusinessHours {
    /// Checks `open` and `close` given as `HH:MM`, naming fields under `at`; open must be before close.
    pub fn parse(open: Option<&str>, close: Option<&str>, at: &str) -> Result<BusinessHours, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut read = |name: &str, v: Option<&str>| {
            let t = v.and_then(parse_hm);
            if t.is_none() {
                errors.push(FieldError::new(
                    format!("{at}.{name}"),
                    "must be a time as HH:MM, e.g. 18:00",
                ));
            }
            t
        };
        let (open, close) = (read("open", open), read("close", close));
        match (open, close) {
            (Some(open), Some(close)) if open < close => Ok(BusinessHours { open, close }),
            (Some(_), Some(_)) => Err(vec![FieldError::new(format!("{at}.close"), "must be later than open")]),
            _ => Err(errors),
        }
    }

    /// `HH:MM` of a time.
    pub fn fmt(t: NaiveTime) -> String {
        t.format("%H:%M").to_string()
    }

    /// Minutes after midnight, as stored.
    pub fn to_minutes(t: NaiveTime) -> i64 {
        use chrono::Timelike;
        i64::from(t.hour() * 60 + t.minute())
    }

    /// A time from minutes after midnight; out-of-range values clamp into the day.
    pub fn from_minutes(m: i64) -> NaiveTime {
        let m = m.clamp(0, 24 * 60 - 1) as u32;
        hm(m / 60, m % 60)
    }
}

/// The hours that apply at an org path: the entry of the longest path that is the node itself
/// or one of its ancestors (paths are `/1/4/9/`), else the default.
pub fn resolve(path: &str, entries: &[(String, BusinessHours)]) -> BusinessHours {
    entries
        .iter()
        .filter(|(p, _)| path.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, h)| *h)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ancestor_wins() {
        let city = BusinessHours::parse(Some("08:30"), Some("17:30"), "x").unwrap();
        let project = BusinessHours::parse(Some("09:00"), Some("20:00"), "x").unwrap();
        let entries = vec![("/1/2/".to_string(), city), ("/1/2/7/".to_string(), project)];
        assert_eq!(resolve("/1/2/7/", &entries), project);
        assert_eq!(resolve("/1/2/8/", &entries), city);
        // "/1/2/" must not match "/1/22/": paths end with a slash.
        assert_eq!(resolve("/1/22/", &entries), BusinessHours::default());
        assert_eq!(BusinessHours::default().close, hm(18, 0));
    }

    #[test]
    fn times_are_checked() {
        for (open, close) in [
            (Some("9:00"), Some("18:00")),
            (Some("09:00"), Some("24:00")),
            (Some("09:00"), None),
            (Some("18:00"), Some("09:00")),
            (Some("09:00"), Some("09:00")),
            (Some("0９:00"), Some("18:00")),
            (Some("09:00:00"), Some("18:00")),
        ] {
            assert!(BusinessHours::parse(open, close, "h").is_err(), "{open:?} {close:?}");
        }
        let h = BusinessHours::parse(Some("08:15"), Some("17:45"), "h").unwrap();
        assert_eq!(BusinessHours::fmt(h.close), "17:45");
        assert_eq!(BusinessHours::from_minutes(BusinessHours::to_minutes(h.open)), h.open);
    }
}
