//! Approval by authority (核决权限, R-WF-5): which roles must approve a resolution plan, chosen by
//! the complaint's grade and the compensation offered. Tiers are data with sensible defaults.

use crate::codes::{Code, Grade, Role};
use crate::validate::FieldError;
use serde_json::{json, Value};

/// The approval ladder and the thresholds that decide how far up it a plan must go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// The ladder, lowest first: department head → project head → region head → group.
    pub ladder: Vec<Role>,
    /// Tiers a plan needs at least, by grade.
    pub by_grade: Vec<(Grade, usize)>,
    /// Compensation ceilings in fen (inclusive) and the tiers a plan needs up to each; above the
    /// last ceiling, the whole ladder.
    pub by_amount: Vec<(i64, usize)>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            ladder: vec![Role::DeptHead, Role::ProjectHead, Role::RegionHead, Role::GroupCr],
            // Major and urgent complaints are the region head's responsibility (R-SLA-4, 004 第五条).
            by_grade: vec![
                (Grade::General, 0),
                (Grade::Important, 1),
                (Grade::Major, 3),
                (Grade::Urgent, 3),
            ],
            // Up to 2,000 yuan within the handler's authority; 20,000 the department head;
            // 100,000 the project head; 500,000 the region; above that the group.
            by_amount: vec![(200_000, 0), (2_000_000, 1), (10_000_000, 2), (50_000_000, 3)],
        }
    }
}

impl ApprovalPolicy {
    /// The roles that must approve, in order; empty when the plan is within the handler's authority.
    pub fn chain(&self, grade: Grade, compensation_fen: i64) -> Vec<Role> {
        let for_grade = self
            .by_grade
            .iter()
            .find(|(g, _)| *g == grade)
            .map(|(_, n)| *n)
            .unwrap_or(0);
        let for_amount = self
            .by_amount
            .iter()
            .find(|(ceiling, _)| compensation_fen <= *ceiling)
            .map(|(_, n)| *n)
            .unwrap_or(self.ladder.len());
        let tiers = for_grade.max(for_amount).min(self.ladder.len());
        self.ladder[..tiers].to_vec()
    }
}

/// Roles that may sit on the approval ladder.
pub const APPROVER_ROLES: [Role; 6] = [
    Role::DeptHead,
    Role::ProjectHead,
    Role::CityHead,
    Role::RegionHead,
    Role::GroupCr,
    Role::Management,
];

impl ApprovalPolicy {
    /// The policy as JSON: `{"ladder": [...], "by_grade": {"general": 0, …}, "by_amount": [{"up_to_fen", "tiers"}]}`.
    pub fn to_json(&self) -> Value {
        let by_grade: serde_json::Map<String, Value> = self
            .by_grade
            .iter()
            .map(|(g, n)| (g.code().to_string(), json!(n)))
            .collect();
        json!({
            "ladder": self.ladder.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "by_grade": by_grade,
            "by_amount": self.by_amount.iter().map(|(fen, n)| json!({"up_to_fen": fen, "tiers": n})).collect::<Vec<_>>(),
        })
    }

    /// Parses and checks a policy: approver roles only, each once; every grade given; ceilings
    /// rising; tiers never more than the ladder is long.
    pub fn from_json(v: &Value) -> Result<ApprovalPolicy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ladder = Vec::new();
        match v.get("ladder").and_then(Value::as_array) {
            Some(roles) if !roles.is_empty() && roles.len() <= APPROVER_ROLES.len() => {
                for r in roles {
                    match r.as_str().and_then(Role::from_code).filter(|r| APPROVER_ROLES.contains(r)) {
                        Some(role) if !ladder.contains(&role) => ladder.push(role),
                        _ => errors.push(FieldError::new("ladder", "lists approver roles (dept_head, project_head, city_head, region_head, group_cr, management), each once")),
                    }
                }
            }
            _ => errors.push(FieldError::new(
                "ladder",
                "must list 1 to 6 approver roles, lowest first",
            )),
        }
        let tiers = |n: &Value| n.as_u64().filter(|n| *n as usize <= ladder.len()).map(|n| n as usize);
        let mut by_grade = Vec::new();
        for g in Grade::ALL {
            match v.get("by_grade").and_then(|m| m.get(g.code())).and_then(tiers) {
                Some(n) => by_grade.push((*g, n)),
                None => errors.push(FieldError::new(
                    format!("by_grade.{}", g.code()),
                    "must be a number of tiers from 0 to the ladder's length",
                )),
            }
        }
        let mut by_amount: Vec<(i64, usize)> = Vec::new();
        for (i, t) in v
            .get("by_amount")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let fen = t.get("up_to_fen").and_then(Value::as_i64).filter(|f| *f >= 0);
            match (fen, t.get("tiers").and_then(tiers)) {
                (Some(f), Some(n)) if by_amount.last().is_none_or(|(prev, _)| f > *prev) => by_amount.push((f, n)),
                _ => errors.push(FieldError::new(
                    format!("by_amount[{i}]"),
                    "needs up_to_fen (rising, 0 or more) and tiers (0 to the ladder's length)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(ApprovalPolicy {
                ladder,
                by_grade,
                by_amount,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn policies_round_trip_through_json_and_bad_ones_are_refused() {
        let p = ApprovalPolicy::default();
        assert_eq!(ApprovalPolicy::from_json(&p.to_json()).unwrap(), p);
        let mut v = p.to_json();
        v["ladder"] = json!(["dept_head", "agent"]);
        assert!(ApprovalPolicy::from_json(&v).is_err(), "an agent approves nothing");
        let mut v = p.to_json();
        v["by_amount"] = json!([{"up_to_fen": 500, "tiers": 1}, {"up_to_fen": 100, "tiers": 2}]);
        assert!(ApprovalPolicy::from_json(&v).is_err(), "ceilings must rise");
        let mut v = p.to_json();
        v["by_grade"]["major"] = json!(9);
        assert!(ApprovalPolicy::from_json(&v).is_err(), "more tiers than the ladder has");
        let mut v = p.to_json();
        v["ladder"] = json!(["project_head"]);
        v["by_grade"] = json!({"general": 0, "important": 0, "major": 1, "urgent": 1});
        v["by_amount"] = json!([{"up_to_fen": 1_000_000, "tiers": 0}]);
        let custom = ApprovalPolicy::from_json(&v).unwrap();
        assert_eq!(custom.chain(Grade::General, 2_000_000), vec![ProjectHead]);
        assert_eq!(custom.chain(Grade::Important, 0), Vec::<Role>::new());
    }

    #[test]
    fn chains_by_grade_and_amount() {
        let p = ApprovalPolicy::default();
        let cases: [(Grade, i64, &[Role]); 9] = [
            (Grade::General, 0, &[]),
            (Grade::General, 200_000, &[]),
            (Grade::General, 200_001, &[DeptHead]),
            (Grade::Important, 0, &[DeptHead]),
            (Grade::General, 5_000_000, &[DeptHead, ProjectHead]),
            (Grade::Major, 0, &[DeptHead, ProjectHead, RegionHead]),
            (Grade::Urgent, 100, &[DeptHead, ProjectHead, RegionHead]),
            (
                Grade::General,
                50_000_001,
                &[DeptHead, ProjectHead, RegionHead, GroupCr],
            ),
            (Grade::Major, 80_000_000, &[DeptHead, ProjectHead, RegionHead, GroupCr]),
        ];
        for (grade, fen, want) in cases {
            assert_eq!(p.chain(grade, fen), want, "{grade:?} {fen}");
        }
    }
}
