//! Compensation and expenses (R-AC-3; seed 004 客户关系费用): paying a complaint's compensation
//! once its plan is in force, and each region's customer-relations budget for a year — at most
//! 0.5‰ of its sales target — with its spending, the excluded kinds kept apart.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::work_visible;
use crate::services::{reject_unknown, text_field};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use domain::access::Permission;
use domain::accountability::budget_cap;
use domain::time::to_millis;
use domain::{Code, ExpenseKind};
use futures::FutureExt;
use serde_json::{json, Map, Value};

fn fen(m: &Map<String, Value>, k: &str, min: i64) -> AppResult<i64> {
    m.get(k)
        .and_then(Value::as_i64)
        .filter(|v| (min..=1_000_000_000_000_000).contains(v))
        .ok_or_else(|| AppError::field(k, format!("must be a whole number of fen, at least {min}")))
}

fn date(m: &Map<String, Value>, k: &str) -> AppResult<NaiveDate> {
    m.get(k)
        .and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| AppError::field(k, "must be a date YYYY-MM-DD"))
}

/// Records that a complaint's approved compensation was paid: `{amount_fen, paid_on, reference}`;
/// the amount must be the plan's, the plan must be in force, and it is paid once.
pub async fn pay(state: &AppState, who: &Principal, number: &str, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    reject_unknown(&body, &["amount_fen", "paid_on", "reference"])?;
    let amount = fen(&body, "amount_fen", 1)?;
    let paid_on = date(&body, "paid_on")?.to_string();
    let reference = text_field(
        "reference",
        body.get("reference").and_then(Value::as_str).unwrap_or_default(),
        100,
    )?;
    let now = to_millis(state.clock.now());
    let (who2, number2) = (who.clone(), number.to_string());
    state
        .store
        .write(move |c| {
            async move {
                let (w, _) = work_visible(c, &who2, &number2, true)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let plan: Value = w
                    .plan
                    .as_deref()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or(Value::Null);
                let approved = plan["compensation_fen"].as_i64().unwrap_or(0);
                if !w.plan_in_force || approved <= 0 {
                    return Err(AppError::Conflict(
                        "no compensation has been approved for this complaint".into(),
                    ));
                }
                if amount != approved {
                    return Err(AppError::field(
                        "amount_fen",
                        format!("must be the approved {approved} fen"),
                    ));
                }
                if !store::money::record_payment(c, w.id, amount, &paid_on, &reference, who2.user_id, now).await? {
                    return Err(AppError::Conflict("the compensation was already paid".into()));
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    compensation(state, who, number).await
}

/// A complaint's compensation: approved amount and form, and its payment.
pub async fn compensation(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let (w, _) = work_visible(&mut c, who, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan: Value = w
        .plan
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    let paid = store::money::payment(&mut c, w.id).await?;
    Ok(json!({
        "number": number,
        "approved_fen": if w.plan_in_force { plan["compensation_fen"].clone() } else { Value::Null },
        "form": plan["compensation_form"],
        "paid": paid.map(|(a, on, reference)| json!({"amount_fen": a, "paid_on": on, "reference": reference})),
    }))
}

/// A region code: an org node of kind region that the caller may see.
async fn region(c: &mut store::Conn<'_>, who: &Principal, code: &str) -> AppResult<String> {
    store::org::node_by_code(c, code)
        .await?
        .filter(|n| n.kind == "region" && who.scope.admits(&n.path, &[]))
        .map(|n| n.path)
        .ok_or(AppError::NotFound)
}

fn year_of(y: &str) -> AppResult<i64> {
    y.parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::field("year", "must be a year from 2000 to 2100"))
}

/// Sets a region's budget for a year: `{sales_target_fen, budget_fen}`, the budget at most 0.5‰
/// of the target.
pub async fn set_budget(
    state: &AppState,
    who: &Principal,
    code: &str,
    year: &str,
    body: Map<String, Value>,
) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let year = year_of(year)?;
    reject_unknown(&body, &["sales_target_fen", "budget_fen"])?;
    let target = fen(&body, "sales_target_fen", 0)?;
    let budget = fen(&body, "budget_fen", 0)?;
    if budget > budget_cap(target) {
        return Err(AppError::field(
            "budget_fen",
            format!("exceeds 0.5‰ of the sales target ({} fen)", budget_cap(target)),
        ));
    }
    let (who2, code2) = (who.clone(), code.to_string());
    state
        .store
        .write(move |c| {
            async move {
                region(c, &who2, &code2).await?;
                store::money::set_budget(c, &code2, year, target, budget).await?;
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    report(state, who, code, &year.to_string()).await
}

/// Records a region's spending: `{spent_on, kind, amount_fen, note}`. Customer-relations
/// spending may not take the year's total over its budget (409).
pub async fn spend(
    state: &AppState,
    who: &Principal,
    code: &str,
    year: &str,
    body: Map<String, Value>,
) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let year = year_of(year)?;
    reject_unknown(&body, &["spent_on", "kind", "amount_fen", "note"])?;
    let on = date(&body, "spent_on")?;
    if i64::from(on.year()) != year {
        return Err(AppError::field("spent_on", "must fall in the budget's year"));
    }
    let kind = body
        .get("kind")
        .and_then(Value::as_str)
        .and_then(ExpenseKind::from_code)
        .ok_or_else(|| {
            AppError::field(
                "kind",
                "must be relations, pre_delivery_service, post_delivery_service or compensation",
            )
        })?;
    let amount = fen(&body, "amount_fen", 1)?;
    let note = text_field(
        "note",
        body.get("note").and_then(Value::as_str).unwrap_or_default(),
        500,
    )?;
    let now = to_millis(state.clock.now());
    let (who2, code2) = (who.clone(), code.to_string());
    state
        .store
        .write(move |c| {
            async move {
                region(c, &who2, &code2).await?;
                let (_, budget) = store::money::budget(c, &code2, year)
                    .await?
                    .ok_or_else(|| AppError::Conflict(format!("{code2} has no budget for {year}")))?;
                if kind == ExpenseKind::Relations {
                    let spent: i64 = store::money::spending(c, &code2, year)
                        .await?
                        .into_iter()
                        .filter(|(k, _)| k == ExpenseKind::Relations.code())
                        .map(|(_, v)| v)
                        .sum();
                    if spent + amount > budget {
                        return Err(AppError::Conflict(format!(
                            "over budget: {spent} of {budget} fen spent, {amount} more asked"
                        )));
                    }
                }
                store::money::add_expense(
                    c,
                    &code2,
                    &on.to_string(),
                    kind.code(),
                    amount,
                    &note,
                    who2.user_id,
                    now,
                )
                .await?;
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    report(state, who, code, &year.to_string()).await
}

/// Spending against budget for a region and year (fen): the budget and its cap, what
/// customer-relations spending used and has left, the excluded kinds, and the compensation paid
/// on the region's complaints.
pub async fn report(state: &AppState, who: &Principal, code: &str, year: &str) -> AppResult<Value> {
    who.require(Permission::ManageAccountability)?;
    let year = year_of(year)?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let path = region(&mut c, who, code).await?;
    let (target, budget) = store::money::budget(&mut c, code, year).await?.unwrap_or((0, 0));
    let spending = store::money::spending(&mut c, code, year).await?;
    let of = |k: ExpenseKind| {
        spending
            .iter()
            .filter(|(x, _)| x == k.code())
            .map(|(_, v)| v)
            .sum::<i64>()
    };
    let spent = of(ExpenseKind::Relations);
    Ok(json!({
        "region": code, "year": year,
        "sales_target_fen": target, "cap_fen": budget_cap(target), "budget_fen": budget,
        "spent_fen": spent, "remaining_fen": budget - spent,
        "excluded_fen": {
            "pre_delivery_service": of(ExpenseKind::PreDeliveryService),
            "post_delivery_service": of(ExpenseKind::PostDeliveryService),
            "compensation": of(ExpenseKind::Compensation),
        },
        "compensation_paid_fen": store::money::compensation_paid(&mut c, &path, year).await?,
    }))
}
