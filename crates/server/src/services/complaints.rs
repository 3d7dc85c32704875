//! Reading and listing complaints (R-ORG-4); registering is in `register`.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::view::{complaint_json, Related};
use crate::state::AppState;
use serde_json::Value;
use store::complaints::{self, ComplaintRow, ListFilter};
use store::Conn;
use uuid::Uuid;

pub use super::register::{register, register_imported, IdempotencyKey, Origin, Registered};

/// The Chinese name of a default department code.
pub fn department_label(code: &str) -> Option<&'static str> {
    domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.zh)
}

/// Whether the caller may see a complaint: in scope through its org node or one of its
/// departments, and not the employee it is about (R-ORG-4, R-WF-3).
pub fn visible(who: &Principal, row_path: &str, complained: Option<i64>, departments: &[i64]) -> bool {
    complained != Some(who.user_id) && who.scope.admits(row_path, departments)
}

/// The ids of the departments a complaint is dispatched to.
async fn department_ids(c: &mut Conn<'_>, complaint: Uuid) -> AppResult<Vec<i64>> {
    Ok(store::workflow::departments(c, &[complaint])
        .await?
        .iter()
        .map(|d| d.department_id)
        .collect())
}

/// Locks a complaint for a change if the caller may see it, with its department ids; `None`
/// when it is unknown or hidden, which callers answer as 404 or as an unknown field value.
pub async fn lock_visible(
    c: &mut Conn<'_>,
    who: &Principal,
    number: &str,
) -> AppResult<Option<(store::workflow::WorkRow, Vec<i64>)>> {
    work_visible(c, who, number, true).await
}

/// Like [`lock_visible`]; without `for_update` it only reads (pages that show what one may do).
pub async fn work_visible(
    c: &mut Conn<'_>,
    who: &Principal,
    number: &str,
    for_update: bool,
) -> AppResult<Option<(store::workflow::WorkRow, Vec<i64>)>> {
    if !domain::number::is_well_formed(number) {
        return Ok(None);
    }
    let Some(w) = store::workflow::fetch(c, number, for_update).await? else {
        return Ok(None);
    };
    let linked = department_ids(c, w.id).await?;
    Ok(visible(who, &w.org_path, w.complained_user_id, &linked).then_some((w, linked)))
}

/// Reads a complaint the caller may see; 404 when it is unknown or hidden.
pub async fn read_visible(c: &mut Conn<'_>, who: &Principal, number: &str) -> AppResult<ComplaintRow> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let row = complaints::by_number(c, number).await?.ok_or(AppError::NotFound)?;
    let linked = department_ids(c, row.id).await?;
    if !visible(who, &row.org_path, row.complained_user_id, &linked) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// One complaint in the caller's scope; outside scope is 404, like a missing one (R-ORG-4).
pub async fn get(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = complaints::by_number(&mut c, number).await?.ok_or(AppError::NotFound)?;
    let related = Related::load(&mut c, &[row.id]).await?.visible_to(&who.scope);
    let ids: Vec<i64> = related.departments.iter().map(|d| d.department_id).collect();
    if !visible(who, &row.org_path, row.complained_user_id, &ids) {
        return Err(AppError::NotFound);
    }
    Ok(complaint_json(
        &row,
        &related,
        department_label(&row.suggested_department),
        state.clock.now(),
    ))
}

/// One page of complaints in the caller's scope, with the cursor of the next page.
pub async fn list(
    state: &AppState,
    who: &Principal,
    filter: &ListFilter,
) -> AppResult<(Vec<Value>, Option<(i64, Uuid)>)> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let mut probe = filter.clone();
    probe.limit = filter.limit + 1;
    probe.viewer = Some(who.user_id);
    let mut rows = complaints::list(&mut c, &probe, &who.scope).await?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let related = Related::load(&mut c, &ids).await?.visible_to(&who.scope);
    let now = state.clock.now();
    let next = if more {
        rows.last().map(|r| (r.received_at, r.id))
    } else {
        None
    };
    let items = rows
        .iter()
        .map(|row| complaint_json(row, &related, department_label(&row.suggested_department), now))
        .collect();
    Ok((items, next))
}
