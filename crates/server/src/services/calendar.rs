//! The working calendar per year (R-SLA-2): read by anyone signed in, replaced by administrators.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use domain::access::Permission;
use domain::calendar::YearCalendar;
use domain::FieldError;
use futures::FutureExt;
use serde_json::{json, Value};

/// Years the calendar accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A year as API.md's body: `{"year", "holidays", "makeup_workdays"}`.
pub fn to_json(y: &YearCalendar) -> Value {
    let days = |v: &[NaiveDate]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    json!({"year": y.year, "holidays": days(&y.holidays), "makeup_workdays": days(&y.makeup_workdays)})
}

/// A stored year; 404 for a year nobody has entered (it counts as plain Monday–Friday).
pub async fn get(state: &AppState, year: i32) -> AppResult<Value> {
    if !YEARS.contains(&year) {
        return Err(AppError::NotFound);
    }
    let mut r = state.store.reader().await?;
    let y = store::calendar::get(&mut r.conn(), year)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(to_json(&y))
}

fn date_list(body: &Value, field: &str, errors: &mut Vec<FieldError>) -> Vec<NaiveDate> {
    let Some(items) = body.get(field).and_then(Value::as_array) else {
        errors.push(FieldError::new(field, "must be a list of dates YYYY-MM-DD"));
        return vec![];
    };
    if items.len() > 366 {
        errors.push(FieldError::new(field, "lists more days than a year has"));
        return vec![];
    }
    items
        .iter()
        .filter_map(
            |v| match v.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
                Some(d) => Some(d),
                None => {
                    errors.push(FieldError::new(
                        field,
                        format!(
                            "{} is not a date YYYY-MM-DD",
                            v.to_string().chars().take(20).collect::<String>()
                        ),
                    ));
                    None
                }
            },
        )
        .collect()
}

/// Replaces a year (administrators); the change is on the audit trail.
pub async fn put(state: &AppState, who: &Principal, year: i32, body: Value) -> AppResult<Value> {
    if !YEARS.contains(&year) {
        return Err(AppError::NotFound);
    }
    who.require(Permission::Administer)?;
    let mut errors = Vec::new();
    for key in body
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if !["year", "holidays", "makeup_workdays"].contains(&key.as_str()) {
            errors.push(FieldError::new(
                key.chars().take(40).collect::<String>(),
                "is not a known field",
            ));
        }
    }
    if body.get("year").is_some_and(|y| y.as_i64() != Some(i64::from(year))) {
        errors.push(FieldError::new("year", "must match the year in the path"));
    }
    let holidays = date_list(&body, "holidays", &mut errors);
    let makeup = date_list(&body, "makeup_workdays", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let data = YearCalendar::new(year, holidays, makeup).map_err(AppError::Validation)?;
    let after = to_json(&data);
    let (user, at) = (who.user_id, domain::time::to_millis(state.clock.now()));
    let payload_after = after.clone();
    state
        .store
        .write(move |c| {
            async move {
                let before = store::calendar::get(c, year).await?.map(|y| to_json(&y));
                store::calendar::put(c, &data, at).await?;
                let setting = format!("calendar/{year}");
                crate::services::settings::audit_change(c, &setting, before.into(), payload_after, user, at).await?;
                crate::services::clocks::settings_changed(c, crate::services::clocks::Affects::WorkingDays).await
            }
            .boxed()
        })
        .await?;
    state.reload_settings().await?;
    Ok(after)
}
