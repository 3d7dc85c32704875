//! Clocks at intake (R-SLA-1): the wall-clock deadlines that start when a complaint is received.
//! Working-day clocks and the escalation ladder build on this (R-SLA-2, R-SLA-3).

use crate::codes::{DeadlineState, Grade, SlaClock};
use chrono::{DateTime, Duration, Utc};

/// One clock's deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Which clock.
    pub clock: SlaClock,
    /// When it runs out.
    pub due_at: DateTime<Utc>,
    /// Stored state.
    pub state: DeadlineState,
    /// When the target event happened, if it has.
    pub met_at: Option<DateTime<Utc>>,
}

impl Deadline {
    /// The state as of `now`: a running clock past its due time is breached (R-SLA-2).
    pub fn state_at(&self, now: DateTime<Utc>) -> DeadlineState {
        match self.state {
            DeadlineState::Running if now > self.due_at => DeadlineState::Breached,
            s => s,
        }
    }
}

/// Default wall-clock durations of the clocks that start at receipt (R-SLA-1 table).
pub fn intake_clocks(grade: Grade) -> Vec<(SlaClock, Duration)> {
    let mut clocks = vec![
        (SlaClock::FirstResponse, Duration::hours(1)), // 004 §4.3
        (SlaClock::Dispatch, Duration::hours(12)),     // 001-3 §2
        (SlaClock::Acknowledge, Duration::hours(24)),  // 004 投诉规章 第六条
    ];
    if grade == Grade::Urgent {
        clocks.extend([
            (SlaClock::UrgentNotifyDepartment, Duration::minutes(3)), // 001-3 §6
            (SlaClock::UrgentNotifyLeader, Duration::minutes(5)),     // 001-3 §6
            (SlaClock::UrgentNotifyBoard, Duration::minutes(10)),     // 001-3 §7
        ]);
    }
    clocks
}

/// The deadlines a complaint received at `received_at` starts with, soonest first.
pub fn intake_deadlines(grade: Grade, received_at: DateTime<Utc>) -> Vec<Deadline> {
    let mut v: Vec<Deadline> = intake_clocks(grade)
        .into_iter()
        .map(|(clock, d)| Deadline {
            clock,
            due_at: received_at + d,
            state: DeadlineState::Running,
            met_at: None,
        })
        .collect();
    v.sort_by_key(|d| d.due_at);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn intake_deadlines_by_grade() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
        let general = intake_deadlines(Grade::General, t);
        let codes: Vec<_> = general.iter().map(|d| d.clock).collect();
        assert_eq!(
            codes,
            [SlaClock::FirstResponse, SlaClock::Dispatch, SlaClock::Acknowledge]
        );
        assert_eq!(general[0].due_at, t + Duration::hours(1));
        let urgent = intake_deadlines(Grade::Urgent, t);
        assert_eq!(urgent.len(), 6);
        assert_eq!(urgent[0].clock, SlaClock::UrgentNotifyDepartment);
        assert_eq!(urgent[0].due_at, t + Duration::minutes(3));
        assert_eq!(urgent[2].clock, SlaClock::UrgentNotifyBoard);
    }

    #[test]
    fn running_past_due_reads_as_breached() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
        let d = Deadline {
            clock: SlaClock::FirstResponse,
            due_at: t,
            state: DeadlineState::Running,
            met_at: None,
        };
        assert_eq!(d.state_at(t), DeadlineState::Running);
        assert_eq!(d.state_at(t + Duration::seconds(1)), DeadlineState::Breached);
        let met = Deadline {
            state: DeadlineState::Met,
            ..d
        };
        assert_eq!(met.state_at(t + Duration::hours(9)), DeadlineState::Met);
    }
}
