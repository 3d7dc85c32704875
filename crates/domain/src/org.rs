//! The organisation model (R-ORG-1, R-ORG-2): node kinds and the default departments.

use crate::codes::Label;

/// Kinds of org node, from the group down to a project (R-ORG-1). Buildings and units hang off projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// 集团
    Group,
    /// 区域公司
    Region,
    /// 城市公司
    City,
    /// 项目
    Project,
    /// 物业公司
    PropertyCompany,
}

impl NodeKind {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            NodeKind::Group => "group",
            NodeKind::Region => "region",
            NodeKind::City => "city",
            NodeKind::Project => "project",
            NodeKind::PropertyCompany => "property_company",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<NodeKind> {
        [
            NodeKind::Group,
            NodeKind::Region,
            NodeKind::City,
            NodeKind::Project,
            NodeKind::PropertyCompany,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    /// Whether a node of this kind may sit under a node of `parent` kind.
    pub fn may_sit_under(self, parent: NodeKind) -> bool {
        use NodeKind::*;
        matches!(
            (parent, self),
            (Group, Region) | (Region, City) | (City, Project) | (Group | Region | City, PropertyCompany)
        )
    }
}

/// The default departments every org node gets (R-ORG-2): code and labels.
pub const DEFAULT_DEPARTMENTS: [(&str, Label); 12] = [
    (
        "service",
        Label {
            zh: "客户服务部",
            en: "Customer Service Centre",
        },
    ),
    (
        "sales",
        Label {
            zh: "营销部",
            en: "Sales and Marketing",
        },
    ),
    (
        "engineering",
        Label {
            zh: "工程部",
            en: "Engineering",
        },
    ),
    (
        "design",
        Label {
            zh: "设计部",
            en: "Design",
        },
    ),
    (
        "contracts",
        Label {
            zh: "合约部",
            en: "Contracts",
        },
    ),
    (
        "property",
        Label {
            zh: "物业部",
            en: "Property Management",
        },
    ),
    (
        "legal",
        Label {
            zh: "法务部",
            en: "Legal",
        },
    ),
    (
        "quality",
        Label {
            zh: "品质部",
            en: "Quality",
        },
    ),
    (
        "operations",
        Label {
            zh: "运营部",
            en: "Operations",
        },
    ),
    (
        "hr",
        Label {
            zh: "行政人事部",
            en: "Administration and HR",
        },
    ),
    (
        "finance",
        Label {
            zh: "财务部",
            en: "Finance",
        },
    ),
    (
        "repair",
        Label {
            zh: "房修部",
            en: "Home Repairs",
        },
    ),
];

/// The department that owns complaint handling (归口管理, R-ORG-2).
pub const OWNING_DEPARTMENT: &str = "service";

/// Materialised path of a child node: the parent's path plus the child's id and a slash.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// The smallest string greater than every string starting with `prefix` (for range scans).
pub fn prefix_upper_bound(prefix: &str) -> String {
    // Paths are ASCII digits and slashes, so replacing the trailing '/' by '0' is the bound.
    let mut s = prefix.to_string();
    match s.pop() {
        Some(c) => s.push(char::from_u32(c as u32 + 1).unwrap_or(char::MAX)),
        None => s.push(char::MAX),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_rules() {
        assert!(NodeKind::Region.may_sit_under(NodeKind::Group));
        assert!(NodeKind::Project.may_sit_under(NodeKind::City));
        assert!(!NodeKind::Project.may_sit_under(NodeKind::Group));
        assert!(!NodeKind::Group.may_sit_under(NodeKind::Region));
        for k in ["group", "region", "city", "project", "property_company"] {
            assert_eq!(NodeKind::from_code(k).unwrap().code(), k);
        }
    }

    #[test]
    fn paths_and_bounds() {
        assert_eq!(child_path("/1/", 7), "/1/7/");
        let upper = prefix_upper_bound("/1/7/");
        assert_eq!(upper, "/1/70");
        for inside in ["/1/7/", "/1/7/12/", "/1/7/99/3/"] {
            assert!(inside >= "/1/7/" && inside < upper.as_str());
        }
        for outside in ["/1/70/", "/1/8/", "/1/", "/1/6/"] {
            assert!(!(outside >= "/1/7/" && outside < upper.as_str()), "{outside}");
        }
    }
}
