//! The summary report of API.md (R-AN-3): counts and rates by one dimension over complaints
//! received between two dates (Asia/Shanghai, both inclusive), within the caller's scope.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use domain::report::rate;
use domain::time::{day_start_cn, to_millis};
use domain::{Channel, Code, FieldError, Grade, State};
use futures::FutureExt;
use serde_json::{json, Value};
use store::complaints::ListFilter;
use store::reports::{Counts, Dimension};
use store::rollup::day_key;

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

/// The rates of the summary API for one row.
pub(crate) fn figures(c: &Counts) -> Value {
    json!({
        "count": c.count,
        "response_timely_rate": rate(c.response_ok, c.response_measured),
        "handling_timely_rate": rate(c.handling_ok, c.handling_measured),
        "closure_rate": rate(c.closed, c.closable),
        "satisfaction_rate": rate(c.satisfied, c.rated),
    })
}

/// The counts per value of `by` of the complaints `who` may see that were received on the days
/// `from..=to` (Asia/Shanghai). From the roll-up when the scope is org subtrees, less the
/// complaints about `who` themselves (R-WF-3); otherwise a full pass.
pub async fn counts(
    c: &mut store::Conn<'_>,
    who: &Principal,
    from: NaiveDate,
    to: NaiveDate,
    by: Dimension,
) -> AppResult<Vec<Counts>> {
    let next_day = to.succ_opt().ok_or_else(|| AppError::field("to", "is out of range"))?;
    let mut filter = ListFilter {
        received_from: Some(to_millis(day_start_cn(from))),
        received_before: Some(to_millis(day_start_cn(next_day))),
        ..Default::default()
    };
    let (a, b) = (day_key(from), day_key(to));
    let Some(mut rows) = store::rollup::summary(c, a, b, &who.scope, by).await? else {
        filter.viewer = Some(who.user_id);
        return Ok(store::reports::summary(c, &filter, &who.scope, by).await?);
    };
    filter.complained = Some(who.user_id);
    for about_me in store::reports::summary(c, &filter, &who.scope, by).await? {
        if let Some(row) = rows.iter_mut().find(|r| r.key == about_me.key) {
            row.add(&about_me, -1);
        }
    }
    rows.retain(|r| r.count != 0);
    Ok(rows)
}

/// The summary: one row per value of the dimension, and the total.
pub async fn summary(state: &AppState, who: &Principal, q: &SummaryQuery) -> AppResult<Value> {
    let by = dimension(&q.by).ok_or_else(|| AppError::field("by", "unknown dimension"))?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let rows = counts(&mut c, who, q.from, q.to, by).await?;
    let labels = labels(&mut c, state, by).await?;
    let mut total = Counts::default();
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            total.add(row, 1);
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

pub(crate) type Labeller = Box<dyn Fn(&str) -> (String, String) + Send>;

/// Chinese and English labels of the dimension's keys.
pub(crate) async fn labels(c: &mut store::Conn<'_>, state: &AppState, by: Dimension) -> AppResult<Labeller> {
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
        Dimension::Handler => {
            let users: Vec<(String, String)> = store::users::all(c)
                .await?
                .into_iter()
                .map(|(id, _, name)| (id.to_string(), name))
                .collect();
            Box::new(move |key| {
                if key.is_empty() {
                    return ("未指派".to_string(), "Not assigned".to_string());
                }
                users
                    .iter()
                    .find(|(id, _)| id == key)
                    .map_or_else(|| (key.to_string(), key.to_string()), |(_, n)| (n.clone(), n.clone()))
            })
        }
        Dimension::Stage => Box::new(|key| {
            if key.is_empty() {
                return ("未注明".to_string(), "Not given".to_string());
            }
            coded::<domain::Stage>(key)
        }),
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
        Dimension::Day => Box::new(|key| {
            let d = match (key.get(..4), key.get(4..6), key.get(6..)) {
                (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
                _ => key.to_string(),
            };
            (d.clone(), d)
        }),
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

/// Adds every complaint with no roll-up contribution yet (written before the roll-up existed),
/// 500 per transaction; returns how many.
pub async fn backfill(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    let mut after = None;
    loop {
        let batch = {
            let mut r = state.store.reader().await?;
            store::rollup::missing(&mut r.conn(), after, 500).await?
        };
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = Some(*last);
        done += batch.len();
        state
            .store
            .write(move |c| {
                async move {
                    store::rollup::refresh_many(c, &batch).await?;
                    Ok::<_, AppError>(())
                }
                .boxed()
            })
            .await?;
    }
}
