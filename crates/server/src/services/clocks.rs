//! Recomputing running clocks when what their due times depend on changes: a clock policy, a
//! calendar year or business hours (R-SLA-1, R-SLA-2; DESIGN.md: deadlines are stored data
//! recomputed on every change).

use crate::error::AppResult;
use crate::state::Settings;
use domain::sla::{default_policies, policies_for, ClockPolicy, Span};
use domain::time::{from_millis, to_millis};
use domain::{Code, Grade, SlaClock};
use std::collections::HashMap;
use store::Conn;

/// After a change of settings, in its transaction: reads the settings as now written, moves every
/// recomputable running clock to the due time they give from when it started, and bumps the
/// settings epoch so other processes reload. Returns how many clocks moved.
///
/// Left as they are: clocks already breached (their ladder is under way), clocks extended by an
/// approval (they keep the approved time) and clocks whose start time predates its recording.
pub async fn settings_changed(c: &mut Conn<'_>, affects: Affects) -> AppResult<usize> {
    let settings = Settings::load(c).await.map_err(crate::error::AppError::from)?;
    let clocks: Vec<&str> = match affects {
        Affects::Clocks(clocks) => clocks.iter().map(|c| c.code()).collect(),
        Affects::WorkingDays => {
            let working = |span: &Span| matches!(span, Span::WorkingDays(_));
            let mut v: Vec<SlaClock> = default_policies()
                .iter()
                .filter(|p| working(&p.span))
                .map(|p| p.clock)
                .chain(
                    settings
                        .clock_overrides
                        .iter()
                        .filter(|o| working(&o.span))
                        .map(|o| o.clock),
                )
                .collect();
            v.sort();
            v.dedup();
            v.iter().map(|c| c.code()).collect()
        }
    };
    let moved = if clocks.is_empty() {
        0
    } else {
        recompute(c, &settings, &clocks).await?
    };
    store::settings::bump_epoch(c).await?;
    if moved > 0 {
        tracing::info!(moved, "running clocks recomputed after a settings change");
    }
    Ok(moved)
}

/// Which running clocks a change can move.
#[derive(Debug, Clone)]
pub enum Affects {
    /// These clocks (a change of clock policy: those named before or after).
    Clocks(Vec<SlaClock>),
    /// Every clock counted in working days (a change of calendar or business hours).
    WorkingDays,
}

/// Rows written per statement when moving clocks.
const BATCH: usize = 500;

async fn recompute(c: &mut Conn<'_>, s: &Settings, clocks: &[&str]) -> AppResult<usize> {
    let defaults = default_policies();
    let mut policies: HashMap<(String, String), Vec<ClockPolicy>> = HashMap::new();
    let mut moves: Vec<(uuid::Uuid, String, i64, i64)> = Vec::new();
    for r in store::clocks::recomputable(c, clocks).await? {
        let for_complaint = policies
            .entry((r.grade.clone(), r.category_code.clone()))
            .or_insert_with(|| {
                let grade = Grade::from_code(&r.grade).unwrap_or(Grade::General);
                policies_for(&defaults, &s.clock_overrides, grade, &r.category_code)
            });
        let Some(policy) = for_complaint.iter().find(|p| p.clock.code() == r.clock) else {
            continue;
        };
        let started = from_millis(r.started_at);
        let due = policy.due(started, &s.calendar, s.close_at(&r.org_path));
        let due_ms = to_millis(due);
        if due_ms == r.due_at {
            continue;
        }
        // A clock already warned about is next looked at when it runs out; otherwise at its
        // new warning time (at once, if that has passed).
        let next_ms = match r.warned_at {
            Some(_) => due_ms,
            None => to_millis(domain::sweep::warn_at(started, due)),
        };
        moves.push((r.complaint_id, r.clock, due_ms, next_ms));
    }
    for chunk in moves.chunks(BATCH) {
        store::clocks::set_due(c, chunk).await?;
    }
    Ok(moves.len())
}
