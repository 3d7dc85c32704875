//! Reporting periods (R-AN-2): the ISO week of the weekly register, the month of the monthly
//! statistical analysis report, the quarter of the quarterly service evaluation report.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A reporting period: whole days in Asia/Shanghai, first and last inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// An ISO week, Monday to Sunday (`2026-W47`).
    Week(NaiveDate),
    /// A calendar month (`2026-11`), by its first day.
    Month(NaiveDate),
    /// A calendar quarter (`2026-Q4`), by its first day.
    Quarter(NaiveDate),
}

impl Period {
    /// Parses `2026-W47`, `2026-11` or `2026-Q4`; years 2000–2100.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (year, rest) = s.split_once('-')?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        if let Some(w) = rest.strip_prefix('W') {
            if w.len() != 2 {
                return None;
            }
            let week: u32 = w.parse().ok()?;
            return NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(Period::Week);
        }
        if let Some(q) = rest.strip_prefix('Q') {
            let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).map(Period::Quarter);
        }
        if rest.len() != 2 {
            return None;
        }
        let month: u32 = rest.parse().ok()?;
        NaiveDate::from_ymd_opt(year, month, 1).map(Period::Month)
    }

    /// The period that contains `day`, of the same kind as `self`.
    pub fn containing(self, day: NaiveDate) -> Period {
        match self {
            Period::Week(_) => Period::Week(day - Days::new(u64::from(day.weekday().num_days_from_monday()))),
            Period::Month(_) => Period::Month(day.with_day(1).unwrap_or(day)),
            Period::Quarter(_) => {
                Period::Quarter(NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day))
            }
        }
    }

    /// The first day.
    pub fn first(self) -> NaiveDate {
        match self {
            Period::Week(d) | Period::Month(d) | Period::Quarter(d) => d,
        }
    }

    /// The last day (inclusive).
    pub fn last(self) -> NaiveDate {
        let next = self.next().first();
        next.pred_opt().unwrap_or(next)
    }

    /// The period after this one.
    pub fn next(self) -> Period {
        match self {
            Period::Week(d) => Period::Week(d + Days::new(7)),
            Period::Month(d) => Period::Month(d + Months::new(1)),
            Period::Quarter(d) => Period::Quarter(d + Months::new(3)),
        }
    }

    /// The period before this one (for the comparison in a report).
    pub fn previous(self) -> Period {
        match self {
            Period::Week(d) => Period::Week(d - Days::new(7)),
            Period::Month(d) => Period::Month(d - Months::new(1)),
            Period::Quarter(d) => Period::Quarter(d - Months::new(3)),
        }
    }

    /// The period's code, as [`Period::parse`] reads it.
    pub fn code(self) -> String {
        match self {
            Period::Week(d) => {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month(d) => format!("{}-{:02}", d.year(), d.month()),
            Period::Quarter(d) => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        }
    }

    /// The period in Chinese: 2026年第47周, 2026年11月, 2026年第四季度.
    pub fn label_zh(self) -> String {
        match self {
            Period::Week(d) => {
                let w = d.iso_week();
                format!("{}年第{}周", w.year(), w.week())
            }
            Period::Month(d) => format!("{}年{}月", d.year(), d.month()),
            Period::Quarter(d) => {
                let q = ["一", "二", "三", "四"][(d.month0() / 3) as usize];
                format!("{}年第{q}季度", d.year())
            }
        }
    }

    /// When the report on this period is due (R-AN-2, seed 001-2 七): the monthly report by
    /// the 10th of the next month; the weekly register on the Monday after; the quarterly report
    /// by the 10th of the month after the quarter.
    pub fn report_due(self) -> NaiveDate {
        let next = self.next().first();
        match self {
            Period::Week(_) => next,
            Period::Month(_) | Period::Quarter(_) => next.with_day(10).unwrap_or(next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_weeks_months_and_quarters() {
        let w = Period::parse("2026-W47").unwrap();
        assert_eq!((w.first(), w.last()), (d(2026, 11, 16), d(2026, 11, 22)));
        let m = Period::parse("2026-02").unwrap();
        assert_eq!((m.first(), m.last()), (d(2026, 2, 1), d(2026, 2, 28)));
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!((q.first(), q.last()), (d(2026, 10, 1), d(2026, 12, 31)));
        // ISO week 1 of 2027 starts in 2026.
        assert_eq!(Period::parse("2027-W01").unwrap().first(), d(2027, 1, 4));
        assert_eq!(Period::parse("2025-W53"), None, "2025 has 52 ISO weeks");
        assert!(Period::parse("2026-W53").is_some(), "2026 has 53");
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-Q5",
            "2026-Q0",
            "26-11",
            "2026-W5",
            "1999-11",
            "2026-1",
            "2026-11-01",
            "二〇二六-11",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_round_trip_and_neighbours() {
        for code in ["2026-W47", "2027-W01", "2026-11", "2026-Q4", "2024-02"] {
            assert_eq!(Period::parse(code).unwrap().code(), code);
        }
        let m = Period::parse("2026-01").unwrap();
        assert_eq!(m.previous().code(), "2025-12");
        assert_eq!(Period::parse("2026-Q1").unwrap().previous().code(), "2025-Q4");
        assert_eq!(Period::parse("2025-W01").unwrap().previous().code(), "2024-W52");
        assert_eq!(m.containing(d(2026, 11, 22)).code(), "2026-11");
        assert_eq!(
            Period::parse("2026-Q1").unwrap().containing(d(2026, 11, 22)).code(),
            "2026-Q4"
        );
        assert_eq!(
            Period::parse("2026-W01").unwrap().containing(d(2026, 11, 22)).code(),
            "2026-W47"
        );
    }

    #[test]
    fn labels_and_due_dates() {
        assert_eq!(Period::parse("2026-W47").unwrap().label_zh(), "2026年第47周");
        assert_eq!(Period::parse("2026-11").unwrap().label_zh(), "2026年11月");
        assert_eq!(Period::parse("2026-Q4").unwrap().label_zh(), "2026年第四季度");
        assert_eq!(Period::parse("2026-11").unwrap().report_due(), d(2026, 12, 10));
        assert_eq!(Period::parse("2026-Q4").unwrap().report_due(), d(2027, 1, 10));
        assert_eq!(Period::parse("2026-W47").unwrap().report_due(), d(2026, 11, 23));
    }
}
