//! Time in the company's zone: Asia/Shanghai (R-OP-5, R-SLA-2).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

/// Formats an instant as RFC 3339 in Asia/Shanghai with seconds: `2026-11-22T10:00:00+08:00`.
pub fn rfc3339_cn(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// An instant to the minute in Asia/Shanghai, as reports and PDFs print it: `2026-11-22 10:00`.
pub fn minute_cn(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M").to_string()
}

/// The calendar date of an instant in Asia/Shanghai.
pub fn date_cn(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Shanghai).date_naive()
}

/// `YYYYMM` of an instant in Asia/Shanghai, used for numbering (R-IN-3).
pub fn month_key(t: DateTime<Utc>) -> String {
    let d = date_cn(t);
    format!("{:04}{:02}", d.year(), d.month())
}

/// Start of a Shanghai calendar day as a UTC instant.
pub fn day_start_cn(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Asia/Shanghai has had no DST since 1991, so the mapping is unique.
    Shanghai
        .from_local_datetime(&midnight)
        .single()
        .expect("no DST")
        .with_timezone(&Utc)
}

/// Parses an RFC 3339 timestamp that carries an offset.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// Milliseconds since the epoch, the storage form of every instant.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of stored milliseconds.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_formatting_and_month_boundary() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        assert_eq!(rfc3339_cn(t), "2026-12-01T00:30:00+08:00");
        assert_eq!(month_key(t), "202612");
        assert_eq!(
            month_key(Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 59).unwrap()),
            "202611"
        );
        assert_eq!(
            day_start_cn(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap()
        );
        assert_eq!(from_millis(to_millis(t)), t);
    }
}
