//! Early warning (预警, R-AN-5; seed 004 §1 风险预控/事前预警, §3.4): the signs that a matter is
//! growing before it becomes a crisis, and who hears of it.

pub use crate::codes::WarningKind;

/// Complaints of one category in one building within [`RECURRING_DAYS`] that make a defect
/// recurring.
pub const RECURRING_MIN: i64 = 3;
/// The window of a recurring defect, in days.
pub const RECURRING_DAYS: i64 = 30;
/// Separate complainants in one project about one category within [`GROUP_HOURS`] that make a
/// group complaint forming (R-GR-2 calls three households a group).
pub const GROUP_MIN: i64 = 3;
/// The window of a forming group, in hours.
pub const GROUP_HOURS: i64 = 72;
/// A week's complaints below this never make a spike, whatever the baseline.
pub const SPIKE_MIN: i64 = 5;
/// Weeks before the current one that make the baseline.
pub const BASELINE_WEEKS: i64 = 4;

/// Whether `recent` (the last seven days) rises above the baseline of `previous` complaints over
/// the [`BASELINE_WEEKS`] weeks before: at least [`SPIKE_MIN`] and at least twice the weekly mean.
pub fn spike(recent: i64, previous: i64) -> bool {
    recent >= SPIKE_MIN && recent * BASELINE_WEEKS >= 2 * previous.max(0)
}

/// Words that announce legal action; media and petitions are already recognised by grading
/// (`rule:media`, `rule:government`).
const LEGAL: [&str; 9] = [
    "起诉",
    "诉讼",
    "律师",
    "律师函",
    "法院",
    "仲裁",
    "打官司",
    "告上法庭",
    "维权群",
];

/// The topics of media, petition or legal action a complaint touches, from its grading reasons
/// and its text: `媒体`, `信访`, `诉讼`.
pub fn sensitive_topics(grade_reasons: &[String], text: &str) -> Vec<&'static str> {
    let mut topics = Vec::new();
    if grade_reasons.iter().any(|r| r.starts_with("rule:media")) {
        topics.push("媒体");
    }
    if grade_reasons.iter().any(|r| r.starts_with("rule:government")) {
        topics.push("信访");
    }
    if LEGAL.iter().any(|w| text.contains(w)) {
        topics.push("诉讼");
    }
    topics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_need_volume_and_twice_the_baseline() {
        // (last 7 days, previous 4 weeks, spike?)
        for (recent, previous, want) in [
            (4, 0, false),
            (5, 0, true),
            (5, 10, true),
            (5, 11, false),
            (20, 40, true),
            (19, 40, false),
            (100, 400, false),
        ] {
            assert_eq!(spike(recent, previous), want, "{recent} vs {previous}");
        }
    }

    #[test]
    fn sensitive_topics_from_reasons_and_text() {
        let reasons = vec!["rule:media:媒体曝光".to_string()];
        assert_eq!(sensitive_topics(&reasons, "再不修就找记者"), ["媒体"]);
        assert_eq!(
            sensitive_topics(&["rule:government:政府部门介入".to_string()], "已请律师准备起诉"),
            ["信访", "诉讼"]
        );
        assert!(sensitive_topics(&[], "卫生间漏水三天").is_empty());
    }
}
