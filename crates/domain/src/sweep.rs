//! What the SLA sweep does with a clock that needs attention (R-SLA-3): warn before it runs out,
//! send the reminder notice (催办单) when it does, then walk the escalation ladder, each level on
//! its own clock. Pure: the store claims the rows, the service writes the notices.

use crate::codes::{Grade, Role};
use chrono::{DateTime, Duration, Utc};

/// The escalation ladder of R-SLA-3 (004 第五条 一把手责任制), level 1 first.
pub const LADDER: [Role; 5] = [
    Role::DeptHead,
    Role::ProjectHead,
    Role::CityHead,
    Role::RegionHead,
    Role::GroupCr,
];

/// How long after the breach each ladder level is reached: level 1 at once, with the reminder.
pub fn ladder_delay(level: usize, grade: Grade) -> Duration {
    // Urgent complaints climb in minutes (001-3 §6, §7); the rest in hours.
    let steps_urgent = [0, 5, 10, 15, 30];
    let steps_hours = [0, 4, 8, 24, 48];
    let i = level.clamp(1, LADDER.len()) - 1;
    if grade == Grade::Urgent {
        Duration::minutes(steps_urgent[i])
    } else {
        Duration::hours(steps_hours[i])
    }
}

/// When to warn about a clock started at `start` and due at `due`: a quarter of its length
/// before, at most four hours and at least one minute.
pub fn warn_at(start: DateTime<Utc>, due: DateTime<Utc>) -> DateTime<Utc> {
    let lead = ((due - start) / 4).clamp(Duration::minutes(1), Duration::hours(4));
    (due - lead).max(start)
}

/// A clock as the sweep sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockStatus {
    /// Due time.
    pub due_at: DateTime<Utc>,
    /// When the warning went out.
    pub warned_at: Option<DateTime<Utc>>,
    /// When it was marked breached.
    pub breached_at: Option<DateTime<Utc>>,
    /// Highest ladder level reached, 0 before the breach.
    pub ladder_level: usize,
    /// The complaint's grade.
    pub grade: Grade,
}

/// One thing the sweep does to a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Warn the handler that the clock is about to run out.
    Warn,
    /// The clock ran out: mark it breached, send the reminder notice (催办单), reach ladder level 1.
    Breach,
    /// Escalate to this ladder level (2 and up).
    Escalate(usize),
}

/// The step due now, if any, and when to look at the clock next (`None`: never again).
pub fn decide(c: &ClockStatus, now: DateTime<Utc>) -> (Option<Step>, Option<DateTime<Utc>>) {
    match c.breached_at {
        None if now < c.due_at => {
            let step = c.warned_at.is_none().then_some(Step::Warn);
            (step, Some(c.due_at))
        }
        None => (Some(Step::Breach), next_level_at(c.due_at, 1, c.grade)),
        Some(breached) => {
            let level = c.ladder_level + 1;
            if level > LADDER.len() {
                return (None, None);
            }
            if now < breached + ladder_delay(level, c.grade) {
                return (None, Some(breached + ladder_delay(level, c.grade)));
            }
            (Some(Step::Escalate(level)), next_level_at(breached, level, c.grade))
        }
    }
}

fn next_level_at(breached: DateTime<Utc>, reached: usize, grade: Grade) -> Option<DateTime<Utc>> {
    (reached < LADDER.len()).then(|| breached + ladder_delay(reached + 1, grade))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap() + Duration::minutes(h)
    }

    /// A general clock due at minute 600 walks warning → breach → every ladder level.
    #[test]
    fn the_ladder_step_by_step() {
        let mut c = ClockStatus {
            due_at: t(600),
            warned_at: None,
            breached_at: None,
            ladder_level: 0,
            grade: Grade::General,
        };
        assert_eq!(decide(&c, t(400)), (Some(Step::Warn), Some(t(600))));
        c.warned_at = Some(t(400));
        assert_eq!(decide(&c, t(500)), (None, Some(t(600))), "warned once only");
        assert_eq!(decide(&c, t(600)), (Some(Step::Breach), Some(t(600 + 4 * 60))));
        c.breached_at = Some(t(600));
        c.ladder_level = 1;
        assert_eq!(
            decide(&c, t(601)),
            (None, Some(t(600 + 4 * 60))),
            "level 2 has its own clock"
        );
        let mut seen = vec![];
        let mut now = t(600);
        for _ in 0..20 {
            now += Duration::hours(1);
            if let (Some(Step::Escalate(level)), _) = decide(&c, now) {
                seen.push((level, (now - t(600)).num_hours()));
                c.ladder_level = level;
            }
        }
        assert_eq!(
            seen,
            [(2, 4), (3, 8)],
            "within 20 hours: project head at +4 h, city head at +8 h"
        );
        c.ladder_level = 5;
        assert_eq!(decide(&c, t(100_000)), (None, None), "the top of the ladder ends it");
    }

    #[test]
    fn urgent_complaints_climb_in_minutes() {
        let c = ClockStatus {
            due_at: t(3),
            warned_at: Some(t(2)),
            breached_at: Some(t(3)),
            ladder_level: 1,
            grade: Grade::Urgent,
        };
        assert_eq!(decide(&c, t(8)), (Some(Step::Escalate(2)), Some(t(13))));
        assert_eq!(LADDER[1], Role::ProjectHead);
    }

    #[test]
    fn warnings_come_a_quarter_before() {
        assert_eq!(warn_at(t(0), t(60)), t(45));
        assert_eq!(warn_at(t(0), t(3)), t(2), "at least a minute");
        assert_eq!(
            warn_at(t(0), t(10 * 24 * 60)),
            t(10 * 24 * 60 - 240),
            "at most four hours"
        );
    }
}
