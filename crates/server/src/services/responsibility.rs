//! Responsibility for a closed complaint (R-AC-1; seed 004 §4.5, 001-4): departments, teams,
//! persons or outside contractors with shares that make exactly 100%, proposed by customer
//! service or a head and approved or rejected by a head other than the proposer.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::read_visible;
use crate::services::{reject_unknown, text_field};
use crate::state::AppState;
use domain::access::Permission;
use domain::accountability::{check_shares, ShareError, WHOLE};
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::{Code, PartyKind, State};
use futures::FutureExt;
use serde_json::{json, Map, Value};
use store::responsibility::ShareRow;

/// A share given as a percentage with at most two decimals, in basis points.
fn basis_points(v: &Value) -> Option<i64> {
    let p = v.as_f64()?;
    let bp = (p * 100.0).round();
    ((bp - p * 100.0).abs() < 1e-6 && bp.is_finite()).then_some(bp as i64)
}

/// Reads `{parties: [{kind, party, share}]}`, naming the first field that is wrong.
async fn parties(c: &mut store::Conn<'_>, body: &Map<String, Value>) -> AppResult<Vec<ShareRow>> {
    reject_unknown(body, &["parties"])?;
    let list = body
        .get("parties")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty() && l.len() <= 20)
        .ok_or_else(|| AppError::field("parties", "list 1 to 20 parties"))?;
    let mut shares = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        let kind = p["kind"]
            .as_str()
            .and_then(PartyKind::from_code)
            .ok_or_else(|| AppError::field(&at("kind"), "must be department, team, person or contractor"))?;
        let party = text_field(&at("party"), p["party"].as_str().unwrap_or_default(), 100)?;
        let share_bp = basis_points(&p["share"])
            .ok_or_else(|| AppError::field(&at("share"), "must be a percentage with at most two decimals"))?;
        let user_id = match kind {
            PartyKind::Person => Some(
                store::users::by_username(c, &party)
                    .await?
                    .ok_or_else(|| AppError::field(&at("party"), "unknown user"))?
                    .id,
            ),
            PartyKind::Department => {
                if !domain::org::DEFAULT_DEPARTMENTS.iter().any(|(code, _)| *code == party) {
                    return Err(AppError::field(&at("party"), "unknown department"));
                }
                None
            }
            _ => None,
        };
        if let Some(k) = p
            .as_object()
            .and_then(|o| o.keys().find(|k| !["kind", "party", "share"].contains(&k.as_str())))
        {
            return Err(AppError::field(&at(k), "is not a known field"));
        }
        shares.push(ShareRow {
            kind: kind.code().to_string(),
            party,
            user_id,
            share_bp,
        });
    }
    let keyed: Vec<((String, String), i64)> = shares
        .iter()
        .map(|s| ((s.kind.clone(), s.party.clone()), s.share_bp))
        .collect();
    check_shares(&keyed).map_err(|e| match e {
        ShareError::Empty => AppError::field("parties", "list at least one party"),
        ShareError::OutOfRange(i) => {
            AppError::field(&format!("parties[{i}].share"), "must be above 0% and at most 100%")
        }
        ShareError::Duplicate(i) => AppError::field(&format!("parties[{i}].party"), "is named twice"),
        ShareError::Sum(sum) => AppError::field(
            "parties",
            format!("the shares make {}.{:02}%, not 100%", sum / 100, sum % 100),
        ),
    })?;
    Ok(shares)
}

/// A complaint's responsibility assignment (`null` when none was proposed).
pub async fn get(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = read_visible(&mut c, who, number).await?;
    let Some((a, shares)) = store::responsibility::of(&mut c, row.id).await? else {
        return Ok(json!({"number": number, "assignment": null}));
    };
    let parties: Vec<Value> = shares
        .iter()
        .map(|s| json!({"kind": s.kind, "party": s.party, "share": s.share_bp as f64 / (WHOLE as f64 / 100.0)}))
        .collect();
    Ok(json!({
        "number": number,
        "assignment": {
            "state": a.state, "parties": parties,
            "proposed_by": a.proposed_name, "proposed_at": rfc3339_cn(from_millis(a.proposed_at)),
            "decided_by": a.decided_name, "decided_at": a.decided_at.map(|t| rfc3339_cn(from_millis(t))),
            "note": a.note,
        }
    }))
}

/// Proposes who answers for a closed complaint; replaces a rejected proposal, never an approved
/// or pending one.
pub async fn propose(state: &AppState, who: &Principal, number: &str, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ProposeResponsibility)?;
    let now = to_millis(state.clock.now());
    let (who2, number2) = (who.clone(), number.to_string());
    state
        .store
        .write(move |c| {
            async move {
                let row = read_visible(c, &who2, &number2).await?;
                if !matches!(State::from_code(&row.state), Some(State::Closed | State::Archived)) {
                    return Err(AppError::Conflict(
                        "responsibility is assigned after closure (R-AC-1)".into(),
                    ));
                }
                if let Some((a, _)) = store::responsibility::of(c, row.id).await? {
                    if a.state != "rejected" {
                        return Err(AppError::Conflict(format!("an assignment is already {}", a.state)));
                    }
                }
                let shares = parties(c, &body).await?;
                store::responsibility::propose(c, row.id, &shares, who2.user_id, now).await?;
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    get(state, who, number).await
}

/// Approves or rejects the proposed assignment (`{approve: bool, note}`), by a head who did not
/// propose it.
pub async fn decide(state: &AppState, who: &Principal, number: &str, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ApproveResponsibility)?;
    reject_unknown(&body, &["approve", "note"])?;
    let approve = body
        .get("approve")
        .and_then(Value::as_bool)
        .ok_or_else(|| AppError::field("approve", "must be true or false"))?;
    let note = body
        .get("note")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    if !approve && note.is_empty() {
        return Err(AppError::field("note", "say why it is rejected"));
    }
    let now = to_millis(state.clock.now());
    let (who2, number2) = (who.clone(), number.to_string());
    state
        .store
        .write(move |c| {
            async move {
                let row = read_visible(c, &who2, &number2).await?;
                let (a, _) = store::responsibility::of(c, row.id)
                    .await?
                    .ok_or_else(|| AppError::Conflict("no assignment is proposed".into()))?;
                if a.state != "proposed" {
                    return Err(AppError::Conflict(format!("the assignment is already {}", a.state)));
                }
                if a.proposed_by == who2.user_id {
                    return Err(AppError::Forbidden(
                        "the proposer may not decide their own proposal".into(),
                    ));
                }
                if !store::responsibility::decide(c, row.id, approve, who2.user_id, &note, now).await? {
                    return Err(AppError::Conflict("the assignment changed meanwhile".into()));
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    get(state, who, number).await
}
