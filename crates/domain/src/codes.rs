//! Stable lowercase codes for every enumeration of API.md, with Chinese and English labels.

use serde::Serialize;

/// A label in the two interface languages.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Label {
    /// Simplified Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

/// Behaviour shared by every code enumeration.
pub trait Code: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable lowercase code.
    fn code(self) -> &'static str;
    /// The labels for the interface.
    fn label(self) -> Label;
    /// Parses a code; `None` when unknown.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
    /// The comma-separated list of valid codes, for error messages.
    fn expected() -> String {
        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $(#[doc = $en] $variant,)+ }
        impl Code for $name {
            const ALL: &'static [Self] = &[$(Self::$variant,)+];
            fn code(self) -> &'static str { match self { $(Self::$variant => $code,)+ } }
            fn label(self) -> Label { match self { $(Self::$variant => Label { zh: $zh, en: $en },)+ } }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::from_code(s).ok_or_else(|| format!("unknown code `{s}`; expected one of: {}", Self::expected()))
            }
        }
    };
}

code_enum!(
    /// Intake channel (R-IN-1).
    Channel {
        Hotline = "hotline", "热线/400电话", "Hotline / 400 line";
        RecordedLine = "recorded_line", "24小时录音电话", "24-hour recorded line";
        WalkIn = "walk_in", "来访", "Walk-in";
        Letter = "letter", "来函", "Letter";
        Email = "email", "电子邮件", "E-mail";
        Website = "website", "网站", "Website";
        App = "app", "手机App", "Mobile app";
        Wechat = "wechat", "微信/小程序", "WeChat / mini-program";
        SocialMedia = "social_media", "社交媒体", "Social media";
        Government = "government", "政府转办(12345)", "Government transfer (12345)";
        Media = "media", "媒体", "Media";
        Internal = "internal", "内部(员工/合作方)", "Internal (employee or partner)";
    }
);

code_enum!(
    /// Kind of complainant (R-ORG-5).
    ComplainantKind {
        Owner = "owner", "业主", "Owner";
        Resident = "resident", "住户", "Resident";
        Tenant = "tenant", "租户", "Tenant";
        Prospect = "prospect", "准业主", "Prospective buyer";
        Employee = "employee", "员工", "Employee";
        Partner = "partner", "合作方", "Partner";
        Other = "other", "其他", "Other";
    }
);

code_enum!(
    /// Lifecycle stage of the property (R-IN-2).
    Stage {
        PreSale = "pre_sale", "售前咨询", "Pre-sale";
        Signing = "signing", "签约", "Signing";
        Delivery = "delivery", "交付", "Delivery";
        Occupancy = "occupancy", "入住维保", "Occupancy and warranty";
        PropertyService = "property_service", "物业服务", "Property service";
    }
);

code_enum!(
    /// Complaint grade (R-GR-1), ordered from least to most severe.
    Grade {
        General = "general", "一般", "General";
        Important = "important", "重要", "Important";
        Major = "major", "重大", "Major";
        Urgent = "urgent", "紧急", "Urgent";
    }
);

impl Grade {
    /// One grade up, capped at urgent (R-GR-2 repeat complaints).
    pub fn raised(self) -> Grade {
        match self {
            Grade::General => Grade::Important,
            Grade::Important => Grade::Major,
            Grade::Major | Grade::Urgent => Grade::Urgent,
        }
    }
}

code_enum!(
    /// Workflow state (R-WF-1).
    State {
        Registered = "registered", "已受理", "Registered";
        Dispatched = "dispatched", "已分派", "Dispatched";
        Investigating = "investigating", "核实中", "Investigating";
        AwaitingApproval = "awaiting_approval", "方案待审批", "Plan awaiting approval";
        Implementing = "implementing", "处理中", "Implementing";
        Replied = "replied", "已答复", "Replied";
        AwaitingCallback = "awaiting_callback", "待回访", "Awaiting callback";
        Closed = "closed", "已结案", "Closed";
        Archived = "archived", "已归档", "Archived";
        Withdrawn = "withdrawn", "已撤诉", "Withdrawn";
        Merged = "merged", "已合并", "Merged";
    }
);

impl State {
    /// Whether the matter is still open (not closed, archived, withdrawn or merged).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Archived | State::Withdrawn | State::Merged)
    }
}

code_enum!(
    /// State of one deadline clock (R-SLA-2).
    DeadlineState {
        Running = "running", "计时中", "Running";
        Met = "met", "已达成", "Met";
        Breached = "breached", "已超时", "Breached";
        Paused = "paused", "已暂停", "Paused";
    }
);

code_enum!(
    /// Satisfaction level recorded at callback (R-WF-8).
    Satisfaction {
        VerySatisfied = "very_satisfied", "非常满意", "Very satisfied";
        Satisfied = "satisfied", "满意", "Satisfied";
        Neutral = "neutral", "一般", "Neutral";
        Dissatisfied = "dissatisfied", "不满意", "Dissatisfied";
        VeryDissatisfied = "very_dissatisfied", "非常不满意", "Very dissatisfied";
    }
);

code_enum!(
    /// Role granted to a user at an org node (R-ORG-3).
    Role {
        Agent = "agent", "前台接待", "Receptionist / agent";
        Specialist = "specialist", "客服专员", "Service specialist";
        Supervisor = "supervisor", "客服主管", "Service supervisor";
        Handler = "handler", "责任部门处理人", "Department handler";
        DeptHead = "dept_head", "部门负责人", "Department head";
        ProjectHead = "project_head", "项目总", "Project head";
        CityHead = "city_head", "城市总", "City head";
        RegionHead = "region_head", "区域总裁", "Region head";
        GroupCr = "group_cr", "集团客户关系部", "Group customer relations";
        Management = "management", "管理层", "Management";
        Auditor = "auditor", "审计", "Auditor (read-only)";
        Admin = "admin", "系统管理员", "Administrator";
    }
);

code_enum!(
    /// What raised a warning.
    WarningKind {
        VolumeSpike = "volume_spike", "投诉量高于基线", "Volume above baseline";
        RecurringDefect = "recurring_defect", "同楼栋同类问题反复", "Recurring defect in one building";
        SensitiveMention = "sensitive_mention", "涉及媒体、信访或诉讼", "Mentions media, petition or legal action";
        GroupForming = "group_forming", "多户反映同一问题", "Separate households converging on one matter";
    }
);

code_enum!(
    /// Where a common issue's rectification stands (R-AN-6).
    IssueState {
        Open = "open", "待整改", "Open";
        Rectifying = "rectifying", "整改中", "Being rectified";
        Done = "done", "已完成并反馈", "Done and reported back";
    }
);

code_enum!(
    /// How serious a known risk is (R-AN-7).
    RiskLevel {
        Low = "low", "低", "Low";
        Medium = "medium", "中", "Medium";
        High = "high", "高", "High";
    }
);

code_enum!(
    /// Where a known risk stands (R-AN-7).
    RiskStatus {
        Open = "open", "待处置", "Open";
        Mitigating = "mitigating", "处置中", "Being mitigated";
        Closed = "closed", "已消除", "Closed";
    }
);

code_enum!(
    /// Who can bear responsibility for a complaint (R-AC-1).
    PartyKind {
        Department = "department", "部门", "Department";
        Team = "team", "班组", "Team";
        Person = "person", "个人", "Person";
        Contractor = "contractor", "外部单位", "Outside contractor";
    }
);

code_enum!(
    /// Entries of the penalties and rewards ledger (R-AC-2; seed 001-4).
    SanctionKind {
        Warning = "warning", "警告", "Warning";
        MinorDemerit = "minor_demerit", "小过", "Minor demerit";
        MajorDemerit = "major_demerit", "大过", "Major demerit";
        Commendation = "commendation", "嘉奖", "Commendation";
        Merit = "merit", "记功", "Merit";
        Reward = "reward", "奖金", "Bonus reward";
    }
);

code_enum!(
    /// Kinds of customer-relations spending (seed 004 客户关系费用 4.2): only `relations` counts
    /// against the budget; the delivery services and compensation are excluded.
    ExpenseKind {
        Relations = "relations", "客户关系费用", "Customer relations";
        PreDeliveryService = "pre_delivery_service", "交付前介服务费用", "Pre-delivery service";
        PostDeliveryService = "post_delivery_service", "交付后服务费用", "Post-delivery service";
        Compensation = "compensation", "客户赔偿费用", "Compensation";
    }
);

code_enum!(
    /// The clocks of R-SLA-1, with their API.md codes.
    SlaClock {
        FirstResponse = "first_response", "首次响应", "First response";
        Acknowledge = "acknowledge", "确认收悉", "Acknowledgement of receipt";
        Dispatch = "dispatch", "分派", "Dispatch";
        DepartmentReaction = "department_reaction", "部门反馈", "Department reaction";
        Handle = "handle", "处理答复", "Handled and replied";
        Feedback = "feedback", "反馈客户", "Feedback to the customer";
        InitialInvestigation = "initial_investigation", "初步调查", "Initial investigation";
        FinalHandling = "final_handling", "最终处理", "Final handling";
        CompletionReport = "completion_report", "完成报告", "Completion reported";
        Callback = "callback", "回访", "Callback";
        UrgentNotifyDepartment = "urgent_notify_department", "紧急:通知相关部门", "Urgent: department notified";
        UrgentNotifyLeader = "urgent_notify_leader", "紧急:通知公司领导", "Urgent: company leader notified";
        UrgentNotifyBoard = "urgent_notify_board", "紧急:通知董事会领导", "Urgent: board-level leader notified";
        UrgentVerification = "urgent_verification", "紧急:事后核实", "Urgent: verification";
    }
);

code_enum!(
    /// Reasonableness of a complaint (R-GR-4).
    Reasonableness {
        Reasonable = "reasonable", "合理", "Reasonable";
        PartlyReasonable = "partly_reasonable", "部分合理", "Partly reasonable";
        Unreasonable = "unreasonable", "不合理", "Unreasonable";
        Unfounded = "unfounded", "不成立", "Unfounded";
    }
);

code_enum!(
    /// How a contact with the customer was made (R-WF-6).
    ContactMethod {
        Call = "call", "电话", "Call";
        Visit = "visit", "上门/来访", "Visit";
        Sms = "sms", "短信", "SMS";
        Letter = "letter", "书面函件", "Letter";
        Email = "email", "电子邮件", "E-mail";
        Wechat = "wechat", "微信", "WeChat";
        Other = "other", "其他", "Other";
    }
);

code_enum!(
    /// Which staff notices a user also wants by e-mail or SMS, beyond the in-app inbox (R-NT-1).
    NoticeLevel {
        Off = "off", "不接收", "Off";
        Important = "important", "仅催办、升级与紧急投诉", "Reminders, escalations and urgent complaints";
        All = "all", "全部通知", "Every notice";
    }
);

code_enum!(
    /// Interface language (R-OP-5).
    Locale {
        Zh = "zh", "简体中文", "Simplified Chinese";
        En = "en", "英文", "English";
    }
);

impl Satisfaction {
    /// Whether this level counts as dissatisfied (R-WF-8).
    pub fn is_dissatisfied(self) -> bool {
        matches!(self, Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Code + PartialEq + std::fmt::Debug>() {
        for v in T::ALL {
            assert_eq!(T::from_code(v.code()), Some(*v));
            assert!(!v.label().zh.is_empty() && !v.label().en.is_empty());
        }
        assert_eq!(T::from_code("no_such_code"), None);
    }

    #[test]
    fn every_code_round_trips() {
        round_trips::<Channel>();
        round_trips::<ComplainantKind>();
        round_trips::<Stage>();
        round_trips::<Grade>();
        round_trips::<State>();
        round_trips::<DeadlineState>();
        round_trips::<Satisfaction>();
        round_trips::<Role>();
        round_trips::<WarningKind>();
        round_trips::<IssueState>();
        round_trips::<RiskLevel>();
        round_trips::<RiskStatus>();
        round_trips::<PartyKind>();
        round_trips::<SanctionKind>();
        round_trips::<ExpenseKind>();
        round_trips::<SlaClock>();
        round_trips::<Reasonableness>();
        round_trips::<ContactMethod>();
    }

    #[test]
    fn codes_match_api_md() {
        let channels: Vec<_> = Channel::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            channels,
            [
                "hotline",
                "recorded_line",
                "walk_in",
                "letter",
                "email",
                "website",
                "app",
                "wechat",
                "social_media",
                "government",
                "media",
                "internal"
            ]
        );
        let states: Vec<_> = State::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            states,
            [
                "registered",
                "dispatched",
                "investigating",
                "awaiting_approval",
                "implementing",
                "replied",
                "awaiting_callback",
                "closed",
                "archived",
                "withdrawn",
                "merged"
            ]
        );
    }

    #[test]
    fn grade_order_and_raise() {
        assert!(Grade::General < Grade::Important && Grade::Major < Grade::Urgent);
        assert_eq!(Grade::General.raised(), Grade::Important);
        assert_eq!(Grade::Major.raised(), Grade::Urgent);
        assert_eq!(Grade::Urgent.raised(), Grade::Urgent);
    }
}
