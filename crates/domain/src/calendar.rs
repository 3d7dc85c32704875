//! The mainland working calendar (R-SLA-2): statutory rest days, make-up working days (调休) and
//! working-day arithmetic, in Asia/Shanghai.
//!
//! Semantics (SPEC R-SLA-2): a working day is a Monday–Friday that is not a statutory rest day,
//! or a make-up working day that falls on a weekend. "Within N working days" ends at the close of
//! business (default 18:00) of the Nth working day after the day of receipt; the day of receipt
//! never counts, whatever the hour.

use crate::validate::FieldError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Shanghai;
use std::collections::BTreeSet;

/// One year's exceptions to the Monday–Friday week, as API.md's `/calendar/{year}` carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    /// The year.
    pub year: i32,
    /// Statutory rest days that fall on weekdays.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub makeup_workdays: Vec<NaiveDate>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearCalendar {
    /// Checks a year's data: every date in the year, holidays on weekdays, make-up days on
    /// weekends, no date twice. Dates are returned sorted.
    pub fn new(
        year: i32,
        mut holidays: Vec<NaiveDate>,
        mut makeup_workdays: Vec<NaiveDate>,
    ) -> Result<YearCalendar, Vec<FieldError>> {
        let mut errors = Vec::new();
        holidays.sort();
        makeup_workdays.sort();
        for (field, dates, weekend) in [
            ("holidays", &holidays, false),
            ("makeup_workdays", &makeup_workdays, true),
        ] {
            for d in dates.iter() {
                if d.year() != year {
                    errors.push(FieldError::new(field, format!("{d} is not in {year}")));
                } else if is_weekend(*d) != weekend {
                    let what = if weekend {
                        "a make-up working day must fall on a Saturday or Sunday"
                    } else {
                        "a holiday listed here must fall on a weekday (weekends are rest days already)"
                    };
                    errors.push(FieldError::new(field, format!("{d}: {what}")));
                }
            }
            if dates.windows(2).any(|w| w[0] == w[1]) {
                errors.push(FieldError::new(field, "lists a date twice"));
            }
        }
        if errors.is_empty() {
            Ok(YearCalendar {
                year,
                holidays,
                makeup_workdays,
            })
        } else {
            Err(errors)
        }
    }
}

/// Working-day arithmetic over the years it knows; a year it does not know is plain Monday–Friday.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    makeup: BTreeSet<NaiveDate>,
}

/// Default close of business (R-SLA-2).
pub fn default_close() -> NaiveTime {
    NaiveTime::from_hms_opt(18, 0, 0).expect("valid time")
}

impl Calendar {
    /// A calendar of the given years.
    pub fn new(years: &[YearCalendar]) -> Calendar {
        let mut c = Calendar::default();
        for y in years {
            c.holidays.extend(y.holidays.iter().copied());
            c.makeup.extend(y.makeup_workdays.iter().copied());
        }
        c
    }

    /// Whether a Shanghai calendar date is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.makeup.contains(&d) {
            return true;
        }
        !is_weekend(d) && !self.holidays.contains(&d)
    }

    /// The Nth working day after the date of `from` (in Asia/Shanghai); that date never counts.
    pub fn nth_working_day_after(&self, from: DateTime<Utc>, n: u32) -> NaiveDate {
        let mut d = crate::time::date_cn(from);
        let mut counted = 0;
        while counted < n {
            d = d.succ_opt().expect("dates far from the end of time");
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        d
    }

    /// The due instant of "within `n` working days" from `from`: close of business (`close`, the
    /// business hours of the complaint's node) of the Nth working day after the day of `from`.
    pub fn working_days_due(&self, from: DateTime<Utc>, n: u32, close: NaiveTime) -> DateTime<Utc> {
        let day = self.nth_working_day_after(from, n);
        Shanghai
            .from_local_datetime(&day.and_time(close))
            .single()
            .expect("no DST in Shanghai")
            .with_timezone(&Utc)
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid built-in date")
}

fn weekdays_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|x| *x <= to)
        .filter(|x| !is_weekend(*x))
        .collect()
}

/// The State Council's holiday arrangements (国务院办公厅关于部分节假日安排的通知) for 2024–2026,
/// built in; later years are entered by an administrator.
pub fn builtin(year: i32) -> Option<YearCalendar> {
    let ranges: &[(NaiveDate, NaiveDate)];
    let makeup: Vec<NaiveDate>;
    let (r2024, r2025, r2026);
    match year {
        2024 => {
            r2024 = [
                (d(2024, 1, 1), d(2024, 1, 1)),
                (d(2024, 2, 10), d(2024, 2, 17)),
                (d(2024, 4, 4), d(2024, 4, 6)),
                (d(2024, 5, 1), d(2024, 5, 5)),
                (d(2024, 6, 10), d(2024, 6, 10)),
                (d(2024, 9, 15), d(2024, 9, 17)),
                (d(2024, 10, 1), d(2024, 10, 7)),
            ];
            ranges = &r2024;
            makeup = vec![
                d(2024, 2, 4),
                d(2024, 2, 18),
                d(2024, 4, 7),
                d(2024, 4, 28),
                d(2024, 5, 11),
                d(2024, 9, 14),
                d(2024, 9, 29),
                d(2024, 10, 12),
            ];
        }
        2025 => {
            r2025 = [
                (d(2025, 1, 1), d(2025, 1, 1)),
                (d(2025, 1, 28), d(2025, 2, 4)),
                (d(2025, 4, 4), d(2025, 4, 6)),
                (d(2025, 5, 1), d(2025, 5, 5)),
                (d(2025, 5, 31), d(2025, 6, 2)),
                (d(2025, 10, 1), d(2025, 10, 8)),
            ];
            ranges = &r2025;
            makeup = vec![
                d(2025, 1, 26),
                d(2025, 2, 8),
                d(2025, 4, 27),
                d(2025, 9, 28),
                d(2025, 10, 11),
            ];
        }
        2026 => {
            r2026 = [
                (d(2026, 1, 1), d(2026, 1, 3)),
                (d(2026, 2, 15), d(2026, 2, 23)),
                (d(2026, 4, 4), d(2026, 4, 6)),
                (d(2026, 5, 1), d(2026, 5, 5)),
                (d(2026, 6, 19), d(2026, 6, 21)),
                (d(2026, 9, 25), d(2026, 9, 27)),
                (d(2026, 10, 1), d(2026, 10, 7)),
            ];
            ranges = &r2026;
            makeup = vec![
                d(2026, 1, 4),
                d(2026, 2, 14),
                d(2026, 2, 28),
                d(2026, 5, 9),
                d(2026, 9, 20),
                d(2026, 10, 10),
            ];
        }
        _ => return None,
    }
    let holidays = ranges.iter().flat_map(|(a, b)| weekdays_between(*a, *b)).collect();
    Some(YearCalendar::new(year, holidays, makeup).expect("built-in calendars are valid"))
}

/// The years with built-in data.
pub const BUILTIN_YEARS: [i32; 3] = [2024, 2025, 2026];

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::new(&BUILTIN_YEARS.map(|y| builtin(y).unwrap()))
    }

    fn cn(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn working_days() {
        let c = cal();
        let cases = [
            (d(2026, 2, 14), true, "Saturday make-up day before the Spring Festival"),
            (d(2026, 2, 16), false, "Spring Festival"),
            (d(2026, 2, 23), false, "last day of the Spring Festival, a Monday"),
            (d(2026, 2, 24), true, "back to work"),
            (d(2026, 2, 28), true, "Saturday make-up day after the Spring Festival"),
            (d(2026, 3, 1), false, "an ordinary Sunday"),
            (d(2026, 9, 20), true, "Sunday make-up day before National Day"),
            (d(2026, 9, 25), false, "Mid-Autumn Festival, a Friday"),
            (d(2026, 10, 7), false, "National Day week"),
            (d(2026, 10, 10), true, "Saturday make-up day after National Day"),
            (d(2026, 1, 4), true, "Sunday make-up day after New Year"),
            (d(2027, 1, 1), true, "2027 has no data yet: a plain Friday"),
        ];
        for (day, want, why) in cases {
            assert_eq!(c.is_working_day(day), want, "{day} {why}");
        }
    }

    /// Due times of "within N working days" across the 2026 Spring Festival and National Day,
    /// the year end, receipt at night and on rest days (R-SLA-2).
    #[test]
    fn due_times() {
        let c = cal();
        let cases = [
            (
                cn(2026, 2, 13, 10, 0),
                5,
                cn(2026, 2, 27, 18, 0),
                "Friday before the festival: Sat 14 make-up, then 24–27",
            ),
            (
                cn(2026, 2, 14, 20, 0),
                5,
                cn(2026, 2, 28, 18, 0),
                "received on the make-up Saturday: it does not count; 24–28",
            ),
            (
                cn(2026, 2, 17, 9, 0),
                1,
                cn(2026, 2, 24, 18, 0),
                "received during the festival",
            ),
            (
                cn(2026, 9, 30, 15, 0),
                5,
                cn(2026, 10, 13, 18, 0),
                "eve of National Day: Oct 8, 9, 10 (Sat make-up), 12, 13",
            ),
            (
                cn(2026, 9, 30, 15, 0),
                10,
                cn(2026, 10, 20, 18, 0),
                "final handling, 10 working days",
            ),
            (
                cn(2026, 9, 20, 23, 30),
                5,
                cn(2026, 9, 28, 18, 0),
                "late on the Sunday make-up day; Mid-Autumn Fri 25 is off",
            ),
            (
                cn(2025, 12, 31, 9, 0),
                5,
                cn(2026, 1, 8, 18, 0),
                "across the year end: Jan 1–3 off, Sun 4 make-up",
            ),
            (
                cn(2026, 3, 2, 0, 30),
                2,
                cn(2026, 3, 4, 18, 0),
                "just after midnight: the day of receipt still does not count",
            ),
            (
                cn(2026, 3, 6, 19, 0),
                2,
                cn(2026, 3, 10, 18, 0),
                "Friday evening: Mon 9, Tue 10",
            ),
            (
                cn(2026, 3, 7, 11, 0),
                2,
                cn(2026, 3, 10, 18, 0),
                "received on a Saturday",
            ),
        ];
        for (from, n, want, why) in cases {
            assert_eq!(c.working_days_due(from, n, default_close()), want, "{why}");
        }
    }

    #[test]
    fn working_days_end_at_the_nodes_close_of_business() {
        let c = Calendar::new(&[builtin(2026).unwrap()]);
        let close = NaiveTime::from_hms_opt(17, 30, 0).unwrap();
        // Received on the last day before National Day: Oct 1–7 off, Sat 10 a make-up day.
        let from = cn(2026, 9, 30, 17, 45);
        assert_eq!(c.working_days_due(from, 2, close), cn(2026, 10, 9, 17, 30));
        assert_eq!(c.working_days_due(from, 3, close), cn(2026, 10, 10, 17, 30));
    }

    #[test]
    fn wall_clock_clocks_ignore_the_calendar() {
        // "Within N hours" is wall-clock time (R-SLA-2): the Spring Festival does not stop it.
        let from = cn(2026, 2, 16, 10, 0);
        assert_eq!(from + chrono::Duration::hours(24), cn(2026, 2, 17, 10, 0));
    }

    #[test]
    fn built_in_years_match_the_announcements() {
        let y = builtin(2026).unwrap();
        assert_eq!(
            y.makeup_workdays,
            [
                d(2026, 1, 4),
                d(2026, 2, 14),
                d(2026, 2, 28),
                d(2026, 5, 9),
                d(2026, 9, 20),
                d(2026, 10, 10)
            ]
        );
        // Rest days that fall on weekdays: 2 + 6 + 1 + 3 + 1 + 1 + 5.
        assert_eq!(y.holidays.len(), 19);
        assert_eq!(builtin(2025).unwrap().holidays.len(), 1 + 6 + 1 + 3 + 1 + 6);
        assert!(builtin(2023).is_none());
    }

    #[test]
    fn bad_year_data_is_refused() {
        let errs = YearCalendar::new(
            2026,
            vec![d(2026, 2, 21), d(2025, 5, 1)],
            vec![d(2026, 2, 16), d(2026, 2, 14), d(2026, 2, 14)],
        )
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["holidays", "holidays", "makeup_workdays", "makeup_workdays"]);
    }
}
