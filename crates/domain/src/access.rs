//! Who may do what, and which complaints they see (R-ORG-3, R-ORG-4).

use crate::codes::Role;
use crate::org::OWNING_DEPARTMENT;

/// One role held by a user at an org node, optionally tied to a department there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Materialised path of the org node where the role was granted.
    pub org_path: String,
    /// The department the grant belongs to: id and code.
    pub department: Option<(i64, String)>,
}

/// The complaints a user may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Everything (group customer relations, R-ORG-4).
    pub all: bool,
    /// Org subtrees, by materialised path prefix; none is inside another.
    pub subtrees: Vec<String>,
    /// Departments whose dispatched complaints are visible (department handlers and heads).
    pub departments: Vec<i64>,
}

impl Scope {
    /// Whether the scope admits nothing at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.subtrees.is_empty() && self.departments.is_empty()
    }

    /// Whether a complaint under `org_path`, dispatched to `departments`, is visible.
    pub fn admits(&self, org_path: &str, departments: &[i64]) -> bool {
        self.all
            || self.subtrees.iter().any(|p| org_path.starts_with(p.as_str()))
            || departments.iter().any(|d| self.departments.contains(d))
    }
}

/// Computes the scope of a user's grants (R-ORG-4): group customer relations sees everything;
/// a department handler or head outside the service centre sees what is dispatched to the
/// department; every other role sees the subtree where it was granted.
pub fn scope_of(grants: &[Grant]) -> Scope {
    let mut scope = Scope::default();
    for g in grants {
        let department_bound = matches!(g.role, Role::Handler | Role::DeptHead)
            && g.department.as_ref().is_some_and(|(_, code)| code != OWNING_DEPARTMENT);
        if g.role == Role::GroupCr {
            scope.all = true;
        } else if department_bound {
            let (id, _) = g.department.as_ref().expect("checked above");
            if !scope.departments.contains(id) {
                scope.departments.push(*id);
            }
        } else {
            scope.subtrees.push(g.org_path.clone());
        }
    }
    scope.subtrees.sort();
    let mut kept: Vec<String> = Vec::new();
    for p in scope.subtrees {
        if !kept.iter().any(|k| p.starts_with(k.as_str())) {
            kept.push(p);
        }
    }
    scope.subtrees = kept;
    scope
}

/// Things a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Register a complaint (R-IN-1).
    RegisterComplaint,
    /// Read complaints in scope.
    ReadComplaints,
    /// Change organisation, users, calendars and rules.
    Administer,
    /// Act on insight: acknowledge warnings, run common issues, keep the risk register, publish
    /// cases (R-AN-5…8): supervisors and every head above a complaint.
    ManageInsight,
    /// Propose who answers for a closed complaint (R-AC-1): customer service and the heads.
    ProposeResponsibility,
    /// Approve or reject a proposed responsibility assignment: the heads above a project.
    ApproveResponsibility,
    /// Keep the penalties and rewards ledger, the efficiency bonuses and the monthly close for
    /// HR (R-AC-2): group customer relations and management.
    ManageAccountability,
    /// See a complainant's full phone and e-mail, logged each time (R-SEC-2): the roles that
    /// call owners back — customer service, the responsible department, group customer relations.
    RevealContact,
}

/// Whether `role` carries `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Role::*;
    match permission {
        Permission::RegisterComplaint => {
            matches!(role, Agent | Specialist | Supervisor | GroupCr | Admin)
        }
        Permission::ReadComplaints => true,
        Permission::Administer => role == Admin,
        Permission::ProposeResponsibility => matches!(
            role,
            Supervisor | DeptHead | ProjectHead | CityHead | RegionHead | GroupCr | Management
        ),
        Permission::ApproveResponsibility => {
            matches!(role, ProjectHead | CityHead | RegionHead | GroupCr | Management)
        }
        Permission::ManageAccountability => matches!(role, GroupCr | Management),
        Permission::RevealContact => matches!(role, Agent | Specialist | Supervisor | Handler | DeptHead | GroupCr),
        Permission::ManageInsight => matches!(
            role,
            Supervisor | DeptHead | ProjectHead | CityHead | RegionHead | GroupCr | Management
        ),
    }
}

/// Whether `role` may take `action` on a complaint in its scope. Approving or rejecting a plan
/// further needs the role of the pending approval tier (see [`crate::approval`]).
pub fn may_take(role: Role, action: crate::state::Action) -> bool {
    use crate::state::Action as A;
    use Role::*;
    let service = matches!(role, Agent | Specialist | Supervisor | GroupCr);
    let senior_service = matches!(role, Specialist | Supervisor | GroupCr);
    let handling = matches!(role, Handler | DeptHead | Specialist | Supervisor | GroupCr);
    match action {
        A::Dispatch | A::Close | A::Reopen | A::Merge => senior_service,
        A::Assign => matches!(role, DeptHead | Supervisor | GroupCr),
        A::Respond | A::Assess | A::ProposePlan | A::Reply => handling,
        A::ApprovePlan | A::RejectPlan => matches!(
            role,
            DeptHead | ProjectHead | CityHead | RegionHead | GroupCr | Management
        ),
        A::Confirm | A::Object | A::Callback | A::Withdraw => service,
        A::Archive => matches!(role, Supervisor | GroupCr),
        A::Extend => matches!(role, DeptHead | Supervisor | GroupCr),
        A::Escalate | A::LogContact => handling || service,
        A::Note => !matches!(role, Auditor | Admin),
    }
}

/// Whether any of the grants carries `permission`.
pub fn any_allows(grants: &[Grant], permission: Permission) -> bool {
    grants.iter().any(|g| allows(g.role, permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: &str, dept: Option<(i64, &str)>) -> Grant {
        Grant {
            role,
            org_path: path.into(),
            department: dept.map(|(i, c)| (i, c.to_string())),
        }
    }

    #[test]
    fn scopes() {
        let s = scope_of(&[
            grant(Role::Agent, "/1/2/", None),
            grant(Role::Supervisor, "/1/2/5/", None),
            grant(Role::Agent, "/1/3/", None),
        ]);
        assert_eq!(s.subtrees, ["/1/2/", "/1/3/"]);
        assert!(s.admits("/1/2/5/9/", &[]));
        assert!(!s.admits("/1/4/", &[]));
        assert!(!s.admits("/1/20/", &[]), "a sibling with a longer id is outside");

        let h = scope_of(&[grant(Role::Handler, "/1/2/", Some((7, "engineering")))]);
        assert!(h.subtrees.is_empty() && h.departments == [7]);
        assert!(h.admits("/1/9/", &[7]) && !h.admits("/1/2/", &[8]));

        let svc = scope_of(&[grant(Role::DeptHead, "/1/2/", Some((3, "service")))]);
        assert_eq!(svc.subtrees, ["/1/2/"]);

        let all = scope_of(&[grant(Role::GroupCr, "/1/", None)]);
        assert!(all.all && all.admits("/9/9/", &[]));
        assert!(scope_of(&[]).is_empty());
    }

    #[test]
    fn action_rights() {
        use crate::state::Action;
        assert!(may_take(Role::Supervisor, Action::Dispatch));
        assert!(!may_take(Role::Agent, Action::Dispatch));
        assert!(may_take(Role::Handler, Action::Reply) && !may_take(Role::Handler, Action::Close));
        assert!(may_take(Role::DeptHead, Action::Assign) && !may_take(Role::Handler, Action::Assign));
        assert!(!may_take(Role::Auditor, Action::Note) && !may_take(Role::Admin, Action::Dispatch));
        for a in <Action as crate::codes::Code>::ALL {
            assert!(may_take(Role::GroupCr, *a), "group customer relations may take {a:?}");
            assert!(!may_take(Role::Auditor, *a), "the auditor only reads");
        }
    }

    #[test]
    fn permissions() {
        assert!(allows(Role::Agent, Permission::RegisterComplaint));
        assert!(!allows(Role::Handler, Permission::RegisterComplaint));
        assert!(!allows(Role::Auditor, Permission::RegisterComplaint));
        assert!(allows(Role::Auditor, Permission::ReadComplaints));
        assert!(allows(Role::Admin, Permission::Administer) && !allows(Role::GroupCr, Permission::Administer));
        assert!(allows(Role::Handler, Permission::RevealContact) && allows(Role::Agent, Permission::RevealContact));
        for r in [
            Role::Auditor,
            Role::Admin,
            Role::Management,
            Role::ProjectHead,
            Role::RegionHead,
        ] {
            assert!(
                !allows(r, Permission::RevealContact),
                "{r:?} sees contacts masked (R-SEC-2)"
            );
        }
    }
}
