//! Approval by authority (核决权限, R-WF-5): which roles must approve a resolution plan, chosen by
//! the complaint's grade and the compensation offered. Tiers are data with sensible defaults.

use crate::codes::{Grade, Role};

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

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

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
