//! The clocks of R-SLA-1 as policies: what starts each clock, how long it runs (wall-clock or
//! working days, R-SLA-2), what meets it, and for which grades.

use crate::calendar::Calendar;
use crate::codes::{DeadlineState, Grade, SlaClock};
use chrono::{DateTime, Duration, NaiveTime, Utc};

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

/// How long a clock runs: wall-clock time, or working days on the calendar (R-SLA-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Wall-clock minutes.
    Minutes(i64),
    /// Working days, ending at close of business.
    WorkingDays(u32),
}

/// The events that start and stop clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The complaint was received (registered).
    Received,
    /// Dispatched to a department.
    Dispatched,
    /// A handler was assigned (the department reacted).
    Assigned,
    /// The first response reached the customer.
    Responded,
    /// The assessment was recorded.
    Assessed,
    /// A reply was given (handling complete for this round).
    Replied,
    /// The customer accepted the reply.
    Confirmed,
    /// The callback was made.
    CalledBack,
    /// The complaint was closed.
    Closed,
}

/// One clock of R-SLA-1: when it starts, how long it runs, what stops it, and for which grades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockPolicy {
    /// The clock.
    pub clock: SlaClock,
    /// Its length.
    pub span: Span,
    /// The event that starts it.
    pub start: Trigger,
    /// The events that meet it.
    pub stop: Vec<Trigger>,
    /// The grades it applies to; empty for all.
    pub grades: Vec<Grade>,
}

fn policy(clock: SlaClock, span: Span, start: Trigger, stop: &[Trigger], grades: &[Grade]) -> ClockPolicy {
    ClockPolicy {
        clock,
        span,
        start,
        stop: stop.to_vec(),
        grades: grades.to_vec(),
    }
}

/// The defaults of the R-SLA-1 table, with the seed clauses they come from.
pub fn default_policies() -> Vec<ClockPolicy> {
    use Span::*;
    use Trigger::*;
    const H: i64 = 60;
    vec![
        policy(SlaClock::FirstResponse, Minutes(H), Received, &[Responded], &[]), // 004 §4.3
        policy(SlaClock::Acknowledge, Minutes(24 * H), Received, &[Responded], &[]), // 004 投诉规章 第六条
        policy(SlaClock::Dispatch, Minutes(12 * H), Received, &[Dispatched], &[]), // 001-3 §2
        policy(
            SlaClock::DepartmentReaction,
            Minutes(2 * H),
            Dispatched,
            &[Assigned, Responded],
            &[],
        ), // 001-3 §4
        policy(
            SlaClock::Handle,
            Minutes(24 * H),
            Received,
            &[Replied],
            &[Grade::General],
        ), // 002 §2.3 3
        policy(SlaClock::Feedback, Minutes(48 * H), Received, &[Replied], &[]),   // 003 第五章 2
        policy(
            SlaClock::InitialInvestigation,
            WorkingDays(5),
            Received,
            &[Assessed],
            &[],
        ), // 004 投诉规章 第十一条
        policy(SlaClock::FinalHandling, WorkingDays(10), Received, &[Replied], &[]), // 004 投诉规章 第十二条
        policy(SlaClock::CompletionReport, Minutes(2 * H), Replied, &[Confirmed], &[]), // 001-3 §5, §8
        policy(SlaClock::Callback, WorkingDays(2), Confirmed, &[CalledBack], &[]), // 001-3 §5
        policy(
            SlaClock::UrgentNotifyDepartment,
            Minutes(3),
            Received,
            &[Dispatched],
            &[Grade::Urgent],
        ), // 001-3 §6
        policy(
            SlaClock::UrgentNotifyLeader,
            Minutes(5),
            Received,
            &[Responded],
            &[Grade::Urgent],
        ), // 001-3 §6
        policy(
            SlaClock::UrgentNotifyBoard,
            Minutes(10),
            Received,
            &[Replied],
            &[Grade::Urgent],
        ), // 001-3 §7
        policy(
            SlaClock::UrgentVerification,
            Minutes(8 * H),
            Replied,
            &[CalledBack, Closed],
            &[Grade::Urgent],
        ), // 001-3 §7
    ]
}

impl ClockPolicy {
    fn applies(&self, grade: Grade) -> bool {
        self.grades.is_empty() || self.grades.contains(&grade)
    }

    /// When the clock is due if it starts at `at`; working-day clocks end at `close` (R-SLA-2).
    pub fn due(&self, at: DateTime<Utc>, calendar: &Calendar, close: NaiveTime) -> DateTime<Utc> {
        match self.span {
            Span::Minutes(m) => at + Duration::minutes(m),
            Span::WorkingDays(n) => calendar.working_days_due(at, n, close),
        }
    }
}

/// An administrator's change to one clock's length, for some grades and/or one category subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockOverride {
    /// The clock.
    pub clock: SlaClock,
    /// Grades it applies to; empty for all.
    pub grades: Vec<Grade>,
    /// Category code it applies to, with its children (`engineering` covers `engineering.leakage`).
    pub category: Option<String>,
    /// The length instead of the default.
    pub span: Span,
}

impl ClockOverride {
    fn matches(&self, clock: SlaClock, grade: Grade, category: &str) -> bool {
        self.clock == clock
            && (self.grades.is_empty() || self.grades.contains(&grade))
            && self
                .category
                .as_deref()
                .is_none_or(|c| category == c || category.strip_prefix(c).is_some_and(|rest| rest.starts_with('.')))
    }

    /// The override as JSON: `{"clock", "grades", "category", "minutes" | "working_days"}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "clock": crate::codes::Code::code(self.clock),
            "grades": self.grades.iter().map(|g| crate::codes::Code::code(*g)).collect::<Vec<_>>(),
            "category": self.category,
        });
        match self.span {
            Span::Minutes(m) => v["minutes"] = serde_json::json!(m),
            Span::WorkingDays(d) => v["working_days"] = serde_json::json!(d),
        }
        v
    }

    /// Parses one override, naming the fields that are wrong under `at` (e.g. `overrides[2]`).
    pub fn from_json(v: &serde_json::Value, at: &str) -> Result<ClockOverride, Vec<crate::validate::FieldError>> {
        use crate::codes::Code;
        use crate::validate::FieldError;
        let mut errors = Vec::new();
        let clock = v["clock"].as_str().and_then(SlaClock::from_code);
        if clock.is_none() {
            errors.push(FieldError::new(
                format!("{at}.clock"),
                "must be a clock code (see GET /api/v1/meta)",
            ));
        }
        let mut grades = Vec::new();
        for g in v["grades"].as_array().into_iter().flatten() {
            match g.as_str().and_then(Grade::from_code) {
                Some(g) => grades.push(g),
                None => errors.push(FieldError::new(format!("{at}.grades"), "must list grade codes")),
            }
        }
        let category = match &v["category"] {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) if !s.trim().is_empty() && s.len() <= 64 => Some(s.trim().to_string()),
            _ => {
                errors.push(FieldError::new(
                    format!("{at}.category"),
                    "must be a category code or null",
                ));
                None
            }
        };
        let span = match (v["minutes"].as_i64(), v["working_days"].as_u64()) {
            (Some(m), None) if (1..=60 * 24 * 90).contains(&m) => Some(Span::Minutes(m)),
            (None, Some(d)) if (1..=60).contains(&d) => Some(Span::WorkingDays(d as u32)),
            _ => {
                errors.push(FieldError::new(
                    at,
                    "give either minutes (1 to 129600) or working_days (1 to 60)",
                ));
                None
            }
        };
        match (clock, span) {
            (Some(clock), Some(span)) if errors.is_empty() => Ok(ClockOverride {
                clock,
                grades,
                category,
                span,
            }),
            _ => Err(errors),
        }
    }
}

/// The policies for a complaint of `grade` in `category`: each default, with the first matching
/// override's length (R-SLA-1: configurable per grade and category).
pub fn policies_for(
    defaults: &[ClockPolicy],
    overrides: &[ClockOverride],
    grade: Grade,
    category: &str,
) -> Vec<ClockPolicy> {
    defaults
        .iter()
        .map(
            |p| match overrides.iter().find(|o| o.matches(p.clock, grade, category)) {
                Some(o) => ClockPolicy {
                    span: o.span,
                    ..p.clone()
                },
                None => p.clone(),
            },
        )
        .collect()
}

/// The clocks an event starts for a complaint of `grade`, with their due times, soonest first.
pub fn started_by(
    trigger: Trigger,
    grade: Grade,
    at: DateTime<Utc>,
    policies: &[ClockPolicy],
    calendar: &Calendar,
    close: NaiveTime,
) -> Vec<Deadline> {
    let mut v: Vec<Deadline> = policies
        .iter()
        .filter(|p| p.start == trigger && p.applies(grade))
        .map(|p| Deadline {
            clock: p.clock,
            due_at: p.due(at, calendar, close),
            state: DeadlineState::Running,
            met_at: None,
        })
        .collect();
    v.sort_by_key(|d| (d.due_at, d.clock));
    v
}

/// The clocks an event meets.
pub fn stopped_by(trigger: Trigger, policies: &[ClockPolicy]) -> Vec<SlaClock> {
    policies
        .iter()
        .filter(|p| p.stop.contains(&trigger))
        .map(|p| p.clock)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn policies_start_and_stop_clocks() {
        let calendar = Calendar::new(&[crate::calendar::builtin(2026).unwrap()]);
        let p = default_policies();
        // Every clock of R-SLA-1 has a policy.
        for clock in <SlaClock as crate::codes::Code>::ALL {
            assert!(p.iter().any(|x| x.clock == *clock), "{clock:?}");
        }
        // Received on the eve of National Day, 2026-09-30 15:00 Shanghai.
        let t = Utc.with_ymd_and_hms(2026, 9, 30, 7, 0, 0).unwrap();
        let general = started_by(
            Trigger::Received,
            Grade::General,
            t,
            &p,
            &calendar,
            crate::calendar::default_close(),
        );
        let got: Vec<(SlaClock, String)> = general
            .iter()
            .map(|d| (d.clock, crate::time::rfc3339_cn(d.due_at)))
            .collect();
        assert_eq!(
            got,
            [
                (SlaClock::FirstResponse, "2026-09-30T16:00:00+08:00".to_string()),
                (SlaClock::Dispatch, "2026-10-01T03:00:00+08:00".to_string()),
                (SlaClock::Acknowledge, "2026-10-01T15:00:00+08:00".to_string()),
                (SlaClock::Handle, "2026-10-01T15:00:00+08:00".to_string()),
                (SlaClock::Feedback, "2026-10-02T15:00:00+08:00".to_string()),
                (SlaClock::InitialInvestigation, "2026-10-13T18:00:00+08:00".to_string()),
                (SlaClock::FinalHandling, "2026-10-20T18:00:00+08:00".to_string()),
            ]
        );
        let urgent: Vec<SlaClock> = started_by(
            Trigger::Received,
            Grade::Urgent,
            t,
            &p,
            &calendar,
            crate::calendar::default_close(),
        )
        .iter()
        .map(|d| d.clock)
        .collect();
        assert_eq!(
            &urgent[..3],
            [
                SlaClock::UrgentNotifyDepartment,
                SlaClock::UrgentNotifyLeader,
                SlaClock::UrgentNotifyBoard
            ]
        );
        assert!(
            !urgent.contains(&SlaClock::Handle),
            "the 24-hour handling clock is for general complaints"
        );
        // Confirmation on Thursday 24 September starts the 2-working-day callback clock: Friday 25
        // is Mid-Autumn and 26–27 the weekend, so day 1 is Monday 28 and day 2 Tuesday 29.
        let confirmed = Utc.with_ymd_and_hms(2026, 9, 24, 2, 0, 0).unwrap();
        let cb = started_by(
            Trigger::Confirmed,
            Grade::General,
            confirmed,
            &p,
            &calendar,
            crate::calendar::default_close(),
        );
        assert_eq!(
            cb.iter()
                .map(|d| (d.clock, crate::time::rfc3339_cn(d.due_at)))
                .collect::<Vec<_>>(),
            [(SlaClock::Callback, "2026-09-29T18:00:00+08:00".to_string())]
        );
        assert_eq!(
            stopped_by(Trigger::Responded, &p),
            [
                SlaClock::FirstResponse,
                SlaClock::Acknowledge,
                SlaClock::DepartmentReaction,
                SlaClock::UrgentNotifyLeader
            ]
        );
        assert_eq!(
            stopped_by(Trigger::Replied, &p),
            [
                SlaClock::Handle,
                SlaClock::Feedback,
                SlaClock::FinalHandling,
                SlaClock::UrgentNotifyBoard
            ]
        );
    }

    #[test]
    fn overrides_by_grade_and_category() {
        let o = |v: serde_json::Value| ClockOverride::from_json(&v, "o").unwrap();
        let overrides = vec![
            o(serde_json::json!({"clock": "handle", "grades": ["general"], "category": "property", "minutes": 720})),
            o(serde_json::json!({"clock": "final_handling", "working_days": 15})),
        ];
        let d = default_policies();
        let span = |grade, category: &str, clock| {
            policies_for(&d, &overrides, grade, category)
                .into_iter()
                .find(|p| p.clock == clock)
                .unwrap()
                .span
        };
        assert_eq!(
            span(Grade::General, "property.cleaning", SlaClock::Handle),
            Span::Minutes(720)
        );
        assert_eq!(
            span(Grade::General, "engineering.leakage", SlaClock::Handle),
            Span::Minutes(24 * 60),
            "other categories keep the default"
        );
        assert_eq!(
            span(Grade::General, "propertyx.fake", SlaClock::Handle),
            Span::Minutes(24 * 60),
            "a prefix of a code is not its parent"
        );
        assert_eq!(
            span(Grade::Major, "engineering.leakage", SlaClock::FinalHandling),
            Span::WorkingDays(15)
        );
        for bad in [
            serde_json::json!({"clock": "nope", "minutes": 5}),
            serde_json::json!({"clock": "handle", "minutes": 0}),
            serde_json::json!({"clock": "handle", "minutes": 5, "working_days": 2}),
            serde_json::json!({"clock": "handle", "grades": ["critical"], "minutes": 5}),
        ] {
            assert!(ClockOverride::from_json(&bad, "o").is_err(), "{bad}");
        }
        let round = o(overrides[0].to_json());
        assert_eq!(round, overrides[0]);
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
