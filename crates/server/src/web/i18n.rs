//! The console's and portal's words in Simplified Chinese (the default) and English (R-OP-5).

use domain::Code;

/// The interface language of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From the `kesu_lang` cookie value; anything else is Chinese.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The code stored in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// A fixed text by key; an unknown key shows itself, so a missing text is visible in tests.
    pub fn t(self, key: &str) -> &'static str {
        match TEXTS.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing interface text");
                "??"
            }
        }
    }

    /// The label of a code (state, grade, channel, …) in this language.
    pub fn label<C: Code>(self, c: C) -> &'static str {
        let l = c.label();
        match self {
            Lang::Zh => l.zh,
            Lang::En => l.en,
        }
    }

    /// The label of a code given as text, or the text itself when unknown.
    pub fn code_label<C: Code>(self, code: &str) -> String {
        C::from_code(code).map_or_else(|| code.to_string(), |c| self.label(c).to_string())
    }
}

/// Key, Chinese, English.
const TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "客诉管理系统", "Kesu Complaints"),
    ("app.portal", "业主投诉服务", "Owner complaint service"),
    ("nav.workbench", "工作台", "Workbench"),
    ("nav.list", "投诉列表", "Complaints"),
    ("nav.register", "登记投诉", "Register"),
    ("nav.admin", "系统管理", "Administration"),
    ("nav.reports", "统计分析", "Reports"),
    ("r.total", "合计", "Total"),
    ("nav.warnings", "预警", "Warnings"),
    ("nav.accountability", "奖惩", "Accountability"),
    ("ac.of_complaint", "责任与赔偿", "Responsibility and compensation"),
    ("ac.responsibility", "责任认定", "Responsibility"),
    ("ac.propose", "提交责任认定", "Propose"),
    ("ac.approve", "批准", "Approve"),
    ("ac.reject", "驳回", "Reject"),
    ("ac.compensation", "赔偿", "Compensation"),
    ("ac.pay", "登记支付", "Record the payment"),
    ("ac.party", "责任方", "Party"),
    ("ac.paid_on", "支付日期", "Paid on"),
    ("ac.reference", "凭证号", "Reference"),
    ("ac.budgets", "区域客户关系费用", "Regional expense budgets"),
    ("ac.month", "月份（YYYY-MM）", "Month (YYYY-MM)"),
    ("ac.closed", "本月已关账", "This month is closed"),
    ("ac.statement", "月度奖惩结算表", "Monthly statement"),
    ("ac.performance", "人员绩效", "Staff figures"),
    ("ac.handled", "经办投诉", "Handled"),
    ("ac.record", "登记奖惩", "Record a penalty or reward"),
    ("ac.bases", "基数", "Bases"),
    ("ac.amount", "金额（分，仅奖金）", "Amount (fen, rewards only)"),
    ("ac.reason", "事由", "Reason"),
    ("ac.close", "关账", "Close the month"),
    ("nav.issues", "共性问题", "Common issues"),
    ("nav.risks", "风险预控", "Risks"),
    ("nav.cases", "案例库", "Cases"),
    ("i.new", "新建共性问题", "New common issue"),
    ("i.node", "组织（项目编码）", "Org node (project code)"),
    ("i.title", "标题", "Title"),
    ("i.root_cause", "根本原因", "Root cause"),
    ("i.plan", "整改方案", "Rectification plan"),
    ("i.owner", "责任人（用户名）", "Owner (username)"),
    ("i.deadline", "完成期限", "Deadline"),
    ("i.complaints", "关联投诉", "Complaints"),
    ("i.state", "状态", "State"),
    (
        "i.result",
        "整改结果（将反馈给业主）",
        "Result (reported back to the owners)",
    ),
    ("i.done", "完成并反馈", "Done, report back"),
    ("i.create", "保存", "Save"),
    ("k.new", "登记风险", "Register a risk"),
    ("k.source", "来源", "Source"),
    ("k.assessment", "评估", "Assessment"),
    ("k.level", "等级", "Level"),
    ("k.mitigation", "防控措施", "Mitigation"),
    ("k.review_on", "复核日期", "Review on"),
    ("k.meeting", "月度例会材料（PDF）", "Monthly meeting pack (PDF)"),
    ("c.search", "搜索案例", "Search cases"),
    ("c.find", "搜索", "Search"),
    ("c.publish", "发布为案例", "Publish as a case"),
    ("c.lessons", "经验教训", "Lessons learned"),
    ("w.all", "全部预警", "All warnings"),
    ("w.open", "未处理的预警", "Open warnings"),
    ("w.raised", "预警时间", "Raised"),
    ("w.kind", "类型", "Kind"),
    ("w.what", "内容", "What"),
    ("w.complaint", "投诉", "Complaint"),
    ("w.handling", "处理", "Handling"),
    ("w.note", "采取的措施", "What is being done"),
    ("w.acknowledge", "确认", "Acknowledge"),
    ("an.title", "月度 / 季度报告", "Monthly / quarterly report"),
    (
        "an.period",
        "期间（月 YYYY-MM 或季度 YYYY-Qn）",
        "Period (month YYYY-MM or quarter YYYY-Qn)",
    ),
    ("an.due", "报送期限", "Due"),
    ("an.previous", "上期", "Previous period"),
    ("an.change", "环比", "Change"),
    ("an.repeat_rate", "重复投诉率", "Repeat rate"),
    ("an.overdue", "当前超时", "Overdue now"),
    ("an.closed", "已结案", "Closed"),
    ("an.mean_hours", "平均处理时长（小时）", "Mean handling time (hours)"),
    ("an.p50_hours", "处理时长中位数（小时）", "Median handling time (hours)"),
    ("an.p90_hours", "处理时长 P90（小时）", "P90 handling time (hours)"),
    ("an.trend", "投诉量走势", "Complaints over time"),
    ("an.group", "分组", "Group"),
    ("reg.title", "客户投诉记录表（周）", "Weekly complaint register"),
    ("reg.week", "周（YYYY-Www）", "Week (YYYY-Www)"),
    ("reg.department", "部门", "Department"),
    ("reg.count", "本周登记", "Registered this week"),
    ("r.response_rate", "响应及时率", "Response timely"),
    ("r.handling_rate", "处理及时率", "Handling timely"),
    ("r.closure_rate", "结案率", "Closure rate"),
    ("r.satisfaction_rate", "满意率", "Satisfaction"),
    ("r.by", "统计维度", "By"),
    ("r.count", "投诉量", "Complaints"),
    ("r.show", "统计", "Show"),
    ("nav.inbox", "消息", "Inbox"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.lang", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.failed",
        "用户名或密码错误，或账户已锁定。",
        "Wrong username or password, or the account is locked.",
    ),
    (
        "login.hint",
        "演示账户密码均为 Kesu@2026",
        "Demo accounts use the password Kesu@2026",
    ),
    ("wb.mine", "我的待办", "My queue"),
    ("wb.due_soon", "即将超时", "Due soon"),
    ("wb.overdue", "已超时", "Overdue"),
    ("wb.approvals", "待我审批", "Waiting for my approval"),
    ("wb.today", "今日受理", "Received today"),
    ("wb.month", "本月受理", "Received this month"),
    ("wb.open", "处理中", "Open"),
    ("wb.closed_month", "本月结案", "Closed this month"),
    ("wb.by_grade", "本月按等级", "This month by grade"),
    ("wb.by_category", "本月按类别", "This month by category"),
    ("wb.empty", "暂无", "Nothing here"),
    ("f.number", "编号", "Number"),
    ("f.subject", "主题", "Subject"),
    ("f.state", "状态", "State"),
    ("f.grade", "等级", "Grade"),
    ("f.category", "类别", "Category"),
    ("f.channel", "渠道", "Channel"),
    ("f.project", "项目", "Project"),
    ("f.building", "楼栋", "Building"),
    ("f.unit", "房号", "Unit"),
    ("f.location", "具体位置", "Location"),
    ("f.stage", "阶段", "Stage"),
    ("f.description", "投诉内容", "Description"),
    ("f.demands", "客户诉求", "Demands"),
    ("f.households", "涉及户数", "Households"),
    ("f.received_at", "受理时间", "Received"),
    ("f.complainant", "投诉人", "Complainant"),
    ("f.name", "姓名", "Name"),
    ("f.phone", "电话", "Phone"),
    ("f.email", "邮箱", "E-mail"),
    ("f.kind", "身份", "Kind"),
    ("f.lead_department", "主办部门", "Lead department"),
    ("f.handler", "经办人", "Handler"),
    ("f.due", "时限", "Due"),
    ("f.left", "剩余", "Left"),
    ("f.deadlines", "处理时限", "Deadlines"),
    ("f.timeline", "处理记录", "Timeline"),
    ("f.attachments", "附件", "Attachments"),
    ("f.communication", "沟通记录", "Communication log"),
    ("f.reasons", "定级依据", "Grading reasons"),
    ("f.version", "版本", "Version"),
    ("f.any", "全部", "Any"),
    ("f.overdue_only", "仅看超时", "Overdue only"),
    ("f.from", "起", "From"),
    ("f.to", "止", "To"),
    (
        "f.grade_reason",
        "调整等级/类别的理由",
        "Reason for changing grade or category",
    ),
    ("f.suggested", "系统建议", "Suggested"),
    ("f.photos", "照片", "Photos"),
    ("f.auto", "按规则自动", "By the rules"),
    ("list.filter", "筛选", "Filter"),
    ("list.search", "搜索", "Search"),
    ("list.search_hint", "如：漏水 天花板", "e.g. 漏水 天花板"),
    ("list.reset", "重置", "Reset"),
    ("list.next", "下一页", "Next page"),
    ("list.first", "第一页", "First page"),
    ("list.export", "导出 CSV", "Export CSV"),
    ("list.export_xlsx", "导出 Excel", "Export Excel"),
    ("list.save_view", "保存为视图", "Save as view"),
    ("list.view_name", "视图名称", "View name"),
    ("list.views", "我的视图", "My views"),
    ("list.delete_view", "删除", "Delete"),
    ("list.sort", "排序", "Sort"),
    ("list.sort_new", "最新受理在前", "Newest first"),
    ("list.sort_old", "最早受理在前", "Oldest first"),
    ("list.count", "条", "items"),
    ("c.actions", "可执行操作", "Actions you can take"),
    (
        "c.no_actions",
        "当前没有您可以执行的操作。",
        "There is nothing you can do on this complaint now.",
    ),
    ("c.submit", "提交", "Submit"),
    ("c.upload", "上传", "Upload"),
    ("c.letter", "书面答复函", "Reply letter"),
    ("c.reveal", "显示完整联系方式（将记录）", "Show full contact (logged)"),
    ("c.case_file", "案宗 PDF", "Case file PDF"),
    ("c.overdue_by", "已超时", "overdue by"),
    ("c.met", "已完成", "met"),
    (
        "c.stale",
        "该投诉已被他人更新，请查看最新内容后重试。",
        "Someone else changed this complaint; check the latest and try again.",
    ),
    ("c.done", "操作已完成。", "Done."),
    (
        "c.fix",
        "请修改标红的字段。",
        "Please correct the fields marked in red.",
    ),
    ("r.title", "登记投诉", "Register a complaint"),
    ("r.lookup", "按电话查询历史", "Look up by phone"),
    ("r.history", "该来电人的历史投诉", "This caller's earlier complaints"),
    (
        "r.duplicates",
        "同一房号的未结投诉（可能重复）",
        "Open complaints from the same unit (possible duplicates)",
    ),
    ("r.none", "没有记录", "None"),
    ("r.submit", "登记", "Register"),
    ("r.created", "投诉已登记", "Complaint registered"),
    ("a.org", "组织架构", "Organisation"),
    ("a.users", "用户与角色", "Users and roles"),
    ("a.categories", "投诉类别", "Categories"),
    ("a.clocks", "时限策略", "Clock policies"),
    ("a.calendar", "工作日历", "Working calendar"),
    ("a.hours", "营业时间", "Business hours"),
    ("a.channels", "通知渠道", "Notification channels"),
    ("a.holidays", "法定假日（工作日）", "Holidays (on weekdays)"),
    ("a.makeup", "调休上班日（周末）", "Make-up working days (weekends)"),
    ("a.save", "保存", "Save"),
    ("a.saved", "已保存。", "Saved."),
    ("a.default", "默认", "Default"),
    ("a.open", "开始", "Opens"),
    ("a.close", "结束", "Closes"),
    ("a.deliveries", "发送失败的消息", "Failed deliveries"),
    ("a.retry", "重发", "Retry"),
    ("a.import", "批量导入", "Import"),
    ("a.import_kind", "导入内容", "What the file holds"),
    ("a.units", "房号", "Units"),
    ("a.history", "历史投诉", "Past complaints"),
    ("a.dry_run", "仅检查，不保存", "Check only, store nothing"),
    (
        "a.import_help",
        "第一行为列名；任何一行有误则不导入。列说明见 docs/operations.md。",
        "Row 1 names the columns; nothing is imported if any row is wrong. Columns: docs/operations.md.",
    ),
    ("a.row", "行", "Row"),
    ("a.column", "列", "Column"),
    ("a.tokens", "登录与令牌", "Sessions and tokens"),
    ("a.issued", "签发", "Issued"),
    ("a.expires", "到期", "Expires"),
    ("a.revoke", "注销", "Revoke"),
    ("a.revoked", "已注销", "Revoked"),
    ("a.my_channels", "我的通知方式", "My notification channels"),
    ("a.new_user", "新建用户", "New user"),
    ("a.departments", "部门", "Departments"),
    ("a.robot", "群机器人", "Group robot"),
    ("a.grant", "授予角色", "Grant a role"),
    ("a.role", "角色", "Role"),
    ("a.node", "组织节点编码", "Org node code"),
    ("a.department", "部门编码（可选）", "Department code (optional)"),
    ("a.overrides_json", "覆盖规则（JSON）", "Overrides (JSON)"),
    ("p.file", "我要投诉", "File a complaint"),
    ("p.track", "查询进度", "Track a complaint"),
    (
        "p.track_hint",
        "请输入投诉编号和登记时的手机号码。",
        "Enter the complaint number and the phone you gave.",
    ),
    (
        "p.not_found",
        "编号与电话不匹配，或投诉不存在。",
        "The number and phone do not match, or there is no such complaint.",
    ),
    ("p.received", "您的投诉已受理", "Your complaint has been received"),
    (
        "p.keep",
        "请保存编号和查询链接，以便查询进度。",
        "Keep the number and the tracking link to follow it.",
    ),
    ("p.link", "查询链接", "Tracking link"),
    ("p.replies", "答复", "Replies"),
    ("p.progress", "处理进度", "Progress"),
    ("p.confirm", "我认可处理结果", "I accept the result"),
    ("p.object", "我有异议", "I object"),
    ("p.object_reason", "异议理由", "Why you object"),
    ("p.rate", "满意度评价", "Rate our service"),
    ("p.remarks", "意见建议", "Remarks"),
    ("p.thanks", "感谢您的反馈。", "Thank you for your feedback."),
    ("p.submit", "提交投诉", "Submit"),
    ("p.expected", "预计答复时间", "Expected reply by"),
    (
        "p.too_many",
        "提交过于频繁，请稍后再试。",
        "Too many requests; please try again later.",
    ),
    ("err.title", "出错了", "Something went wrong"),
    ("err.back", "返回", "Back"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is listed twice");
        for (k, zh, en) in TEXTS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(Lang::Zh.t("nav.list"), "投诉列表");
        assert_eq!(Lang::En.t("nav.list"), "Complaints");
        assert_eq!(Lang::Zh.t("no.such.key"), "??");
    }
}
