//! The SLA sweep (R-SLA-3, R-SLA-5): every few seconds, claim the clocks whose next look is due,
//! warn, send reminder notices (催办单) and walk the escalation ladder. Each step is written with
//! its notices in one transaction, on rows no other process can claim meanwhile, so each fires
//! exactly once across processes and restarts.

use crate::error::{AppError, AppResult};
use crate::services::workflow::notify_staff;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use domain::sweep::{decide, ClockStatus, Step, LADDER};
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::{Code, Grade, Role, SlaClock};
use futures::FutureExt;
use serde_json::json;
use store::workflow::{self as wf, DueClock};
use store::Conn;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Clocks looked at.
    pub claimed: usize,
    /// Warnings sent.
    pub warned: usize,
    /// Clocks that ran out (reminder notices sent).
    pub breached: usize,
    /// Escalations up the ladder.
    pub escalated: usize,
}

/// Clocks handled per transaction.
pub const BATCH: i64 = 200;

/// Sweeps until nothing is due at the current time.
pub async fn run(state: &AppState) -> AppResult<SweepReport> {
    run_at(state, state.clock.now()).await
}

/// Sweeps as of `now` until nothing more is due.
pub async fn run_at(state: &AppState, now: DateTime<Utc>) -> AppResult<SweepReport> {
    let mut total = SweepReport::default();
    loop {
        let batch = state
            .store
            .write(move |c| async move { sweep_batch(c, now).await }.boxed())
            .await?;
        total.claimed += batch.claimed;
        total.warned += batch.warned;
        total.breached += batch.breached;
        total.escalated += batch.escalated;
        for (step, n) in [
            ("warn", batch.warned),
            ("breach", batch.breached),
            ("escalate", batch.escalated),
        ] {
            if n > 0 {
                state.metrics.step(step, n as u64);
            }
        }
        // Stop only when nothing was claimed: rows another process held locked (SKIP LOCKED)
        // may be due again when it commits, and one step can make the next one due at once.
        if batch.claimed == 0 {
            return Ok(total);
        }
    }
}

/// Who hears about a clock: the handler, else the lead department's heads, else the service
/// centre's supervisors over the project.
async fn first_line(c: &mut Conn<'_>, d: &DueClock) -> AppResult<Vec<i64>> {
    if let Some(h) = d.handler_id {
        return Ok(vec![h]);
    }
    match d.lead_department_id {
        Some(dept) => holders(c, d, Role::DeptHead, Some(dept)).await,
        None => holders(c, d, Role::Supervisor, None).await,
    }
}

/// Holders of a role over the complaint, never the employee it is about (R-WF-3).
async fn holders(c: &mut Conn<'_>, d: &DueClock, role: Role, department: Option<i64>) -> AppResult<Vec<i64>> {
    let people = wf::holders(c, role.code(), &d.org_path, department).await?;
    Ok(people
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| Some(*id) != d.complained_user_id)
        .collect())
}

fn clock_label(code: &str) -> String {
    SlaClock::from_code(code)
        .map(|c| c.label().zh.to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn sweep_batch(c: &mut Conn<'_>, now: DateTime<Utc>) -> AppResult<SweepReport> {
    let now_ms = to_millis(now);
    let rows = wf::claim_due(c, now_ms, BATCH).await?;
    let (mut events, mut touched) = (Vec::new(), Vec::new());
    let mut report = SweepReport {
        claimed: rows.len(),
        ..Default::default()
    };
    for mut d in rows {
        let grade = Grade::from_code(&d.grade).unwrap_or(Grade::General);
        let status = ClockStatus {
            due_at: from_millis(d.due_at),
            warned_at: d.warned_at.map(from_millis),
            breached_at: d.breached_at.map(from_millis),
            ladder_level: d.ladder_level.max(0) as usize,
            grade,
        };
        let (step, next) = decide(&status, now);
        let label = clock_label(&d.clock);
        let due = rfc3339_cn(from_millis(d.due_at));
        let base = json!({"clock": d.clock, "due_at": due});
        match step {
            Some(Step::Warn) => {
                d.warned_at = Some(now_ms);
                for user in first_line(c, &d).await? {
                    let mut p = base.clone();
                    p["zh"] = json!(format!("预警：投诉 {} 的「{label}」时限将于 {due} 到期。", d.number));
                    p["en"] = json!(format!(
                        "Warning: the {} clock of complaint {} runs out at {due}.",
                        d.clock, d.number
                    ));
                    notify_staff(c, d.complaint_id, &d.number, user, "deadline_warning", p, now_ms).await?;
                }
                report.warned += 1;
            }
            Some(Step::Breach) => {
                d.breached_at = Some(d.due_at);
                d.ladder_level = 1;
                // The reminder notice (催办单) goes to the first line and the department head (level 1).
                let mut people = first_line(c, &d).await?;
                if d.lead_department_id.is_some() {
                    for id in holders(c, &d, Role::DeptHead, d.lead_department_id).await? {
                        if !people.contains(&id) {
                            people.push(id);
                        }
                    }
                }
                for user in people {
                    let mut p = base.clone();
                    p["level"] = json!(1);
                    p["zh"] = json!(format!(
                        "催办单：投诉 {} 的「{label}」时限已于 {due} 超期，请立即处理。",
                        d.number
                    ));
                    p["en"] = json!(format!(
                        "Reminder: the {} clock of complaint {} ran out at {due}; act now.",
                        d.clock, d.number
                    ));
                    notify_staff(c, d.complaint_id, &d.number, user, "deadline_reminder", p, now_ms).await?;
                }
                if let Some(dept) = d.lead_department_id {
                    let zh = format!(
                        "催办单：投诉 {} 的「{label}」时限已于 {due} 超期，请立即处理。",
                        d.number
                    );
                    crate::services::robots::notify(
                        c,
                        d.complaint_id,
                        &d.number,
                        dept,
                        "deadline_reminder",
                        &zh,
                        now_ms,
                    )
                    .await?;
                }
                let payload = json!({"action": "reminder", "clock": d.clock, "due_at": due, "level": 1});
                events.push((d.complaint_id, "deadline_breached", payload));
                report.breached += 1;
            }
            Some(Step::Escalate(level)) => {
                d.ladder_level = level as i32;
                let role = LADDER[level - 1];
                let department = if role == Role::DeptHead {
                    d.lead_department_id
                } else {
                    None
                };
                for user in holders(c, &d, role, department).await? {
                    let mut p = base.clone();
                    p["level"] = json!(level);
                    p["zh"] = json!(format!(
                        "升级督办：投诉 {} 的「{label}」时限超期未办，已升级至{}。",
                        d.number,
                        role.label().zh
                    ));
                    p["en"] = json!(format!(
                        "Escalation: the {} clock of complaint {} is still overdue; escalated to you ({}).",
                        d.clock,
                        d.number,
                        role.code()
                    ));
                    notify_staff(c, d.complaint_id, &d.number, user, "deadline_escalated", p, now_ms).await?;
                }
                let payload = json!({"action": "escalated", "clock": d.clock, "level": level, "to": role.code()});
                events.push((d.complaint_id, "deadline_escalated", payload));
                report.escalated += 1;
            }
            None => {}
        }
        wf::record_step(c, &d, next.map(to_millis)).await?;
        touched.push(d.complaint_id);
    }
    // The roll-up in one ordered pass, then the audit trail last: every transaction takes the
    // chain's head last, so concurrent sweeps and registrations never deadlock (R-OP-2).
    store::rollup::refresh_many(c, &touched).await?;
    for (complaint, kind, payload) in &events {
        let event = store::audit::NewEvent {
            complaint_id: Some(*complaint),
            at_ms: now_ms,
            actor_id: None,
            kind,
            payload,
        };
        store::audit::append(c, &event).await?;
    }
    Ok::<_, AppError>(report)
}
