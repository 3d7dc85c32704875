//! Stored working-calendar years (R-SLA-2).

use crate::error::{Result, StoreError};
use crate::{on_conn, Conn};
use chrono::NaiveDate;
use domain::calendar::YearCalendar;

fn dates(json: &str, year: i32) -> Result<Vec<NaiveDate>> {
    let strings: Vec<String> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("calendar {year}: {e}")))?;
    strings
        .iter()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| StoreError::Corrupt(format!("calendar {year}: {s}: {e}")))
        })
        .collect()
}

fn json(dates: &[NaiveDate]) -> String {
    serde_json::to_string(&dates.iter().map(|d| d.to_string()).collect::<Vec<_>>()).expect("strings serialise")
}

/// One stored year.
pub async fn get(c: &mut Conn<'_>, year: i32) -> Result<Option<YearCalendar>> {
    let row: Option<(String, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT holidays, makeup_workdays FROM calendar_year WHERE year = $1"
    )
    .bind(year)
    .fetch_optional(&mut **c)
    .await)?;
    row.map(|(h, m)| {
        Ok(YearCalendar {
            year,
            holidays: dates(&h, year)?,
            makeup_workdays: dates(&m, year)?,
        })
    })
    .transpose()
}

/// Every stored year.
pub async fn all(c: &mut Conn<'_>) -> Result<Vec<YearCalendar>> {
    let rows: Vec<(i32, String, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT year, holidays, makeup_workdays FROM calendar_year ORDER BY year"
    )
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter()
        .map(|(year, h, m)| {
            Ok(YearCalendar {
                year,
                holidays: dates(&h, year)?,
                makeup_workdays: dates(&m, year)?,
            })
        })
        .collect()
}

/// Replaces a year.
pub async fn put(c: &mut Conn<'_>, y: &YearCalendar, now_ms: i64) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO calendar_year (year, holidays, makeup_workdays, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year) DO UPDATE SET holidays = excluded.holidays, makeup_workdays = excluded.makeup_workdays, updated_at = excluded.updated_at"
    )
    .bind(y.year)
    .bind(json(&y.holidays))
    .bind(json(&y.makeup_workdays))
    .bind(now_ms)
    .execute(&mut **c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}
