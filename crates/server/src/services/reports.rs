//! The summary report of API.md (R-AN-3): counts and rates by one dimension over complaints
//! received between two dates (Asia/Shanghai, both inclusive), within the caller's scope.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use domain::report::rate;
use domain::time::{day_start_cn, to_millis};
use domain::{Channel, Code, FieldError, Grade, State};
use serde_json::{json, Value};
use store::complaints::ListFilter;
use store::reports::{Counts, Dimension};

/// A parsed summary request.
#[derive(Debug, Clone)]
pub struct SummaryQuery {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Dimension code.
    pub by: String,
}

fn dimension(by: &str) -> Option<Dimension> {
    Some(match by {
        "category" => Dimension::Category,
        "grade" => Dimension::Grade,
        "channel" => Dimension::Channel,
        "project" => Dimension::Project,
        "department" => Dimension::Department,
        "state" => Dimension::State,
        _ => return None,
    })
}

/// Reads `from`, `to` and `by`, naming every field that is wrong.
pub fn parse(pairs: &[(String, String)]) -> Result<SummaryQuery, Vec<FieldError>> {
    let one = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut errors = Vec::new();
    for (k, _) in pairs {
        if !["from", "to", "by"].contains(&k.as_str()) {
            errors.push(FieldError::new(
                k.chars().take(40).collect::<String>(),
                "is not a known parameter",
            ));
        }
    }
    let mut date = |k: &str| match one(k).map(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d")) {
        Some(Ok(d)) => Some(d),
        _ => {
            errors.push(FieldError::new(k, "must be a date YYYY-MM-DD"));
            None
        }
    };
    let (from, to) = (date("from"), date("to"));
    let by = one("by").unwrap_or_default();
    if dimension(&by).is_none() {
        errors.push(FieldError::new(
            "by",
            "must be one of: category, grade, channel, project, department, state",
        ));
    }
    match (from, to) {
        (Some(f), Some(t)) if f > t => errors.push(FieldError::new("to", "must not be before from")),
        (Some(f), Some(t)) if (t - f).num_days() > 3 * 366 => {
            errors.push(FieldError::new("to", "a summary covers at most three years"))
        }
        _ => {}
    }
    match (from, to) {
        (Some(from), Some(to)) if errors.is_empty() => Ok(SummaryQuery { from, to, by }),
        _ => Err(errors),
    }
}

fn figures(c: &Counts) -> Value {
    json!({
        "count": c.count,
        "response_timely_rate": rate(c.response_ok, c.response_measured),
        "handling_timely_rate": rate(c.handling_ok, c.handling_measured),
        "closure_rate": rate(c.closed, c.closable),
        "satisfaction_rate": rate(c.satisfied, c.rated),
    })
}

/// The summary: one row per value of the dimension, and the total.
pub async fn summary(state: &AppState, who: &Principal, q: &SummaryQuery) -> AppResult<Value> {
    let by = dimension(&q.by).ok_or_else(|| AppError::field("by", "unknown dimension"))?;
    let next_day =
        q.to.succ_opt()
            .ok_or_else(|| AppError::field("to", "is out of range"))?;
    let filter = ListFilter {
        received_from: Some(to_millis(day_start_cn(q.from))),
        received_before: Some(to_millis(day_start_cn(next_day))),
        viewer: Some(who.user_id),
        ..Default::default()
    };
    let now = to_millis(state.clock.now());
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let rows = store::reports::summary(&mut c, &filter, &who.scope, by, now).await?;
    let labels = labels(&mut c, state, by).await?;
    let mut total = Counts::default();
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            for (t, v) in [
                (&mut total.count, row.count),
                (&mut total.response_ok, row.response_ok),
                (&mut total.response_measured, row.response_measured),
                (&mut total.handling_ok, row.handling_ok),
                (&mut total.handling_measured, row.handling_measured),
                (&mut total.closed, row.closed),
                (&mut total.closable, row.closable),
                (&mut total.satisfied, row.satisfied),
                (&mut total.rated, row.rated),
            ] {
                *t += v;
            }
            let (zh, en) = labels(&row.key);
            let mut v = figures(row);
            v["key"] = json!(row.key);
            v["label"] = json!(zh);
            v["label_en"] = json!(en);
            v
        })
        .collect();
    Ok(json!({
        "from": q.from.to_string(),
        "to": q.to.to_string(),
        "by": q.by,
        "rows": items,
        "total": figures(&total),
    }))
}

type Labeller = Box<dyn Fn(&str) -> (String, String) + Send>;

/// Chinese and English labels of the dimension's keys.
async fn labels(c: &mut store::Conn<'_>, state: &AppState, by: Dimension) -> AppResult<Labeller> {
    fn coded<C: Code>(key: &str) -> (String, String) {
        C::from_code(key).map_or_else(
            || (key.to_string(), key.to_string()),
            |v| (v.label().zh.to_string(), v.label().en.to_string()),
        )
    }
    Ok(match by {
        Dimension::Grade => Box::new(coded::<Grade>),
        Dimension::Channel => Box::new(coded::<Channel>),
        Dimension::State => Box::new(coded::<State>),
        Dimension::Category => {
            let settings = state.settings();
            let cats: Vec<(String, String, String)> = settings
                .taxonomy
                .categories
                .iter()
                .map(|c| (c.code.clone(), c.name_zh.clone(), c.name_en.clone()))
                .collect();
            Box::new(move |key| {
                cats.iter().find(|(code, _, _)| code == key).map_or_else(
                    || (key.to_string(), key.to_string()),
                    |(_, zh, en)| (zh.clone(), en.clone()),
                )
            })
        }
        Dimension::Project => {
            let nodes: Vec<(String, String, String)> = store::org::all_nodes(c)
                .await?
                .into_iter()
                .map(|n| (n.code, n.name.clone(), n.name_en.unwrap_or(n.name)))
                .collect();
            Box::new(move |key| {
                nodes.iter().find(|(code, _, _)| code == key).map_or_else(
                    || (key.to_string(), key.to_string()),
                    |(_, zh, en)| (zh.clone(), en.clone()),
                )
            })
        }
        Dimension::Department => Box::new(|key| {
            if key.is_empty() {
                return ("未分派".to_string(), "Not dispatched".to_string());
            }
            domain::org::DEFAULT_DEPARTMENTS
                .iter()
                .find(|(code, _)| *code == key)
                .map_or_else(
                    || (key.to_string(), key.to_string()),
                    |(_, l)| (l.zh.to_string(), l.en.to_string()),
                )
        }),
    })
}
