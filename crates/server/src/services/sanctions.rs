//! Penalties and rewards (R-AC-2; seed 001-4 客户投诉行政处罚准则): efficiency bonuses, the
//! ledger, the monthly close and the monthly statement per person and department for HR, where
//! a month deducts what is due up to half of that month's bonus and carries the rest.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::{reject_unknown, text_field};
use crate::state::AppState;
use domain::access::Permission;
use domain::accountability::{amount, is_penalty, settle, AmountError, Rates};
use domain::period::Period;
use domain::time::to_millis;
use domain::{Code, SanctionKind};
use futures::FutureExt;
use serde_json::{json, Map, Value};
use store::Conn;

const RATES: &str = "sanction_rates";

fn month_of(v: &str) -> AppResult<String> {
    match Period::parse(v) {
        Some(p @ Period::Month(_)) => Ok(p.code()),
        _ => Err(AppError::field("month", "must be a month YYYY-MM")),
    }
}

/// The ledger's rates in fen per base, as configured (defaults of seed 001-4 otherwise).
pub async fn rates(c: &mut Conn<'_>) -> AppResult<Rates> {
    let Some(text) = store::settings::get(c, RATES).await? else {
        return Ok(Rates::default());
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("stored rates: {e}")))?;
    let get = |k: &str| {
        v[k].as_i64()
            .ok_or_else(|| AppError::Internal(format!("stored rates lack {k}")))
    };
    Ok(Rates {
        warning: get("warning")?,
        minor_demerit: get("minor_demerit")?,
        commendation: get("commendation")?,
        merit: get("merit")?,
    })
}

fn rates_json(r: &Rates) -> Value {
    json!({"warning": r.warning, "minor_demerit": r.minor_demerit, "commendation": r.commendation, "merit": r.merit})
}

/// The rates as the API shows them.
pub async fn read_rates(state: &AppState) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    Ok(rates_json(&rates(&mut r.conn()).await?))
}

/// Replaces the rates (administrators): every one in fen, 1 to 100,000,000; audited.
pub async fn set_rates(state: &AppState, who: &Principal, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::Administer)?;
    let keys = ["warning", "minor_demerit", "commendation", "merit"];
    reject_unknown(&body, &keys)?;
    let mut v = [0i64; 4];
    for (i, k) in keys.iter().enumerate() {
        v[i] = body
            .get(*k)
            .and_then(Value::as_i64)
            .filter(|n| (1..=100_000_000).contains(n))
            .ok_or_else(|| AppError::field(k, "must be an amount in fen from 1 to 100000000"))?;
    }
    let new = Rates {
        warning: v[0],
        minor_demerit: v[1],
        commendation: v[2],
        merit: v[3],
    };
    let now = to_millis(state.clock.now());
    let user = who.user_id;
    state
        .store
        .write(move |c| {
            async move {
                let before = rates_json(&rates(c).await?);
                store::settings::put(c, RATES, &rates_json(&new).to_string()).await?;
                crate::services::settings::audit_change(c, RATES, before, rates_json(&new), user, now).await
            }
            .boxed()
        })
        .await?;
    Ok(rates_json(&new))
}

async fn user_of(c: &mut Conn<'_>, field: &str, username: &str) -> AppResult<i64> {
    store::users::by_username(c, username)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| AppError::field(field, "unknown user"))
}

async fn open_month(c: &mut Conn<'_>, month: &str) -> AppResult<()> {
    if store::sanctions::is_closed(c, month).await? {
        return Err(AppError::Conflict(format!("{month} is closed")));
    }
    Ok(())
}

/// Records efficiency bonuses for a month: `{bonuses: [{user, amount_fen}]}`.
pub async fn set_bonuses(state: &AppState, who: &Principal, month: &str, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let month = month_of(month)?;
    reject_unknown(&body, &["bonuses"])?;
    let list = body
        .get("bonuses")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty() && l.len() <= 5000)
        .cloned()
        .ok_or_else(|| AppError::field("bonuses", "list 1 to 5000 bonuses"))?;
    let mut rows = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let amount = b["amount_fen"]
            .as_i64()
            .filter(|a| (0..=100_000_000).contains(a))
            .ok_or_else(|| AppError::field(&format!("bonuses[{i}].amount_fen"), "must be fen from 0 to 100000000"))?;
        let user = b["user"].as_str().unwrap_or_default().to_string();
        rows.push((i, user, amount));
    }
    let m2 = month.clone();
    state
        .store
        .write(move |c| {
            async move {
                open_month(c, &m2).await?;
                for (i, user, amount) in &rows {
                    let id = user_of(c, &format!("bonuses[{i}].user"), user).await?;
                    store::sanctions::set_bonus(c, id, &m2, *amount).await?;
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    statement(state, who, &month).await
}

/// Records a penalty or reward: `{user, month, kind, bases, amount_fen, complaint, reason}`
/// (`bases` defaults to 1; `amount_fen` only for a bonus reward).
pub async fn record(state: &AppState, who: &Principal, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    reject_unknown(
        &body,
        &["user", "month", "kind", "bases", "amount_fen", "complaint", "reason"],
    )?;
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let month = month_of(&s("month"))?;
    let kind = SanctionKind::from_code(&s("kind")).ok_or_else(|| {
        AppError::field(
            "kind",
            "must be warning, minor_demerit, major_demerit, commendation, merit or reward",
        )
    })?;
    let bases = match body.get("bases") {
        None => 1,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| AppError::field("bases", "must be a whole number from 1 to 12"))?,
    };
    let given = match body.get("amount_fen") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| AppError::field("amount_fen", "must be a whole number of fen"))?,
        ),
    };
    let reason = text_field("reason", &s("reason"), 1000)?;
    let (username, complaint) = (s("user"), s("complaint"));
    let now = to_millis(state.clock.now());
    let who2 = who.clone();
    let m2 = month.clone();
    let id = state
        .store
        .write(move |c| {
            async move {
                open_month(c, &m2).await?;
                let user = user_of(c, "user", &username).await?;
                let complaint_id = if complaint.is_empty() {
                    None
                } else {
                    Some(
                        crate::services::complaints::read_visible(c, &who2, &complaint)
                            .await
                            .map_err(|_| AppError::field("complaint", "unknown complaint"))?
                            .id,
                    )
                };
                let bonus = store::sanctions::bonus(c, user, &m2).await?;
                let fen = amount(kind, bases, bonus, given, &rates(c).await?).map_err(|e| match e {
                    AmountError::Bases => AppError::field("bases", "must be a whole number from 1 to 12"),
                    AmountError::NoBonus => AppError::field(
                        "kind",
                        "a major demerit takes the month's efficiency bonus: record it first",
                    ),
                    AmountError::Amount => {
                        AppError::field("amount_fen", "a bonus reward needs its amount in fen, above 0")
                    }
                })?;
                let entry = store::sanctions::NewSanction {
                    user_id: user,
                    month: &m2,
                    kind: kind.code(),
                    bases,
                    amount_fen: fen,
                    complaint_id,
                    reason: &reason,
                    created_by: who2.user_id,
                };
                Ok::<_, AppError>((store::sanctions::insert(c, &entry, now).await?, fen))
            }
            .boxed()
        })
        .await?;
    Ok(json!({"id": id.0, "month": month, "kind": kind.code(), "amount_fen": id.1, "penalty": is_penalty(kind)}))
}

/// Closes a month: no bonus or entry may be recorded for it afterwards.
pub async fn close(state: &AppState, who: &Principal, month: &str) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let month = month_of(month)?;
    let now = to_millis(state.clock.now());
    let (m2, user) = (month.clone(), who.user_id);
    state
        .store
        .write(move |c| {
            async move {
                if !store::sanctions::close(c, &m2, user, now).await? {
                    return Err(AppError::Conflict(format!("{m2} is already closed")));
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    statement(state, who, &month).await
}

/// The department a person answers to in statements: the department of their first grant
/// that has one ("" when none).
async fn department_of(c: &mut Conn<'_>, user: i64) -> AppResult<String> {
    Ok(store::users::grants_of(c, user)
        .await?
        .into_iter()
        .find_map(|g| g.department_code)
        .unwrap_or_default())
}

/// The month's statement: per person the bonus, what was carried in, assessed, the cap,
/// deducted, carried out and the rewards; per department the sums (fen).
pub async fn statement(state: &AppState, who: &Principal, month: &str) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let month = month_of(month)?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let rows = store::sanctions::months_up_to(&mut c, &month).await?;
    let closed = store::sanctions::is_closed(&mut c, &month).await?;
    let users = store::users::all(&mut c).await?;
    let mut people = Vec::new();
    let mut departments: Vec<(String, [i64; 4])> = Vec::new();
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.dedup();
    for id in ids {
        let mine: Vec<&(i64, String, Option<i64>, i64, i64)> = rows.iter().filter(|r| r.0 == id).collect();
        // Every month from the person's first to this one, empty months included.
        let mut months = Vec::new();
        let mut p = Period::parse(&mine[0].1).ok_or_else(|| AppError::Internal("stored month".into()))?;
        while p.code() <= month {
            let m = mine.iter().find(|r| r.1 == p.code());
            months.push((
                m.and_then(|r| r.2).unwrap_or(0),
                m.map_or(0, |r| r.3),
                m.map_or(0, |r| r.4),
            ));
            p = p.next();
        }
        let settled = settle(&months.iter().map(|m| (m.0, m.1)).collect::<Vec<_>>());
        let (Some(last), Some(this)) = (settled.last(), months.last()) else {
            continue;
        };
        if last.assessed == 0 && last.carried_in == 0 && this.2 == 0 && mine.last().is_none_or(|r| r.1 != month) {
            continue;
        }
        let (username, name) = users
            .iter()
            .find(|u| u.0 == id)
            .map_or((String::new(), String::new()), |u| (u.1.clone(), u.2.clone()));
        let department = department_of(&mut c, id).await?;
        people.push(json!({
            "user": username, "name": name, "department": department,
            "bonus_fen": this.0, "carried_in_fen": last.carried_in, "assessed_fen": last.assessed, "cap_fen": last.cap,
            "deducted_fen": last.deducted, "carried_out_fen": last.carried_out, "rewards_fen": this.2,
        }));
        let sums = [last.deducted, last.carried_out, this.2, 1];
        match departments.iter_mut().find(|d| d.0 == department) {
            Some(d) => (0..4).for_each(|i| d.1[i] += sums[i]),
            None => departments.push((department, sums)),
        }
    }
    departments.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(json!({
        "month": month,
        "closed": closed,
        "people": people,
        "departments": departments.iter().map(|(d, s)| json!({
            "department": d, "deducted_fen": s[0], "carried_out_fen": s[1], "rewards_fen": s[2], "people": s[3],
        })).collect::<Vec<_>>(),
    }))
}

/// Staff figures for a month (R-AC-4; seed 003 第七章 2): per handler and per department, the
/// complaints received that month that they handle, how many are closed, the handling-timely
/// and satisfaction rates, and the penalties and rewards recorded for the month (fen).
pub async fn performance(state: &AppState, who: &Principal, month: &str) -> AppResult<Value> {
    who.require(Permission::ManageInsight)?;
    let month = month_of(month)?;
    let p = Period::parse(&month).ok_or_else(|| AppError::field("month", "must be a month YYYY-MM"))?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let rows =
        crate::services::reports::counts(&mut c, who, p.first(), p.last(), store::reports::Dimension::Handler).await?;
    let ledger = store::sanctions::sums_for_month(&mut c, &month).await?;
    let users = store::users::all(&mut c).await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.key.parse().ok()).collect();
    ids.extend(ledger.iter().map(|l| l.0));
    ids.sort_unstable();
    ids.dedup();
    let figures = |n: &store::reports::Counts| {
        json!({
            "handled": n.count, "closed": n.closed,
            "handling_timely_rate": domain::report::rate(n.handling_ok, n.handling_measured),
            "satisfaction_rate": domain::report::rate(n.satisfied, n.rated),
        })
    };
    let mut people = Vec::new();
    let mut departments: Vec<(String, store::reports::Counts, i64, i64)> = Vec::new();
    for id in ids {
        let n = rows
            .iter()
            .find(|r| r.key == id.to_string())
            .cloned()
            .unwrap_or_default();
        let (pen, rew) = ledger.iter().find(|l| l.0 == id).map_or((0, 0), |l| (l.1, l.2));
        let Some((_, username, name)) = users.iter().find(|u| u.0 == id) else {
            continue;
        };
        let department = department_of(&mut c, id).await?;
        let mut v = figures(&n);
        v["user"] = json!(username);
        v["name"] = json!(name);
        v["department"] = json!(department);
        v["penalties_fen"] = json!(pen);
        v["rewards_fen"] = json!(rew);
        people.push(v);
        match departments.iter_mut().find(|d| d.0 == department) {
            Some(d) => {
                d.1.add(&n, 1);
                d.2 += pen;
                d.3 += rew;
            }
            None => departments.push((department, n, pen, rew)),
        }
    }
    departments.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(json!({
        "month": month,
        "people": people,
        "departments": departments.iter().map(|(d, n, pen, rew)| {
            let mut v = figures(n);
            v["department"] = json!(d);
            v["penalties_fen"] = json!(pen);
            v["rewards_fen"] = json!(rew);
            v
        }).collect::<Vec<_>>(),
    }))
}
