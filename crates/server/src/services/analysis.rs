//! The registers and periodic reports of R-AN-2 with the metrics of R-AN-3: the weekly
//! complaint register of a department (客户投诉记录表), the monthly statistical analysis report
//! (顾客投诉统计分析报告表) and the quarterly service evaluation report, each within the caller's
//! scope, as JSON for the API and as the data behind the console's pages, xlsx and PDF.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::reports::{counts, figures, labels};
use crate::state::AppState;
use domain::period::Period;
use domain::report::{mean, quantile, rate};
use domain::time::{day_start_cn, from_millis, minute_cn, to_millis};
use domain::{Code, Grade, Satisfaction, State};
use serde_json::{json, Value};
use store::complaints::ListFilter;
use store::reports::{Counts, Dimension};

/// The most complaints one weekly register lists.
pub const REGISTER_LIMIT: i64 = 5_000;

/// One group of a report: a dimension and its rows.
#[derive(Debug, Clone)]
pub struct Group {
    /// Dimension code (`category`, `project`, …).
    pub by: &'static str,
    /// Heading in Chinese.
    pub title_zh: &'static str,
    /// Heading in English.
    pub title_en: &'static str,
    /// (key, Chinese label, English label, counts), largest first.
    pub rows: Vec<(String, String, String, Counts)>,
}

/// A monthly or quarterly report.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The period reported on.
    pub period: Period,
    /// Its totals.
    pub total: Counts,
    /// The previous period's totals, for comparison.
    pub previous: Counts,
    /// By category, project, department, grade and channel.
    pub groups: Vec<Group>,
    /// Complaints received per day (a month) or per month (a quarter): (label, count).
    pub trend: Vec<(String, i64)>,
    /// Complaints of the period closed so far.
    pub closed: i64,
    /// Mean hours from receipt to closure.
    pub mean_hours: Option<f64>,
    /// Median hours from receipt to closure.
    pub p50_hours: Option<i64>,
    /// 90th percentile of hours from receipt to closure.
    pub p90_hours: Option<i64>,
    /// Complaints of the period with a clock overdue now.
    pub overdue: i64,
}

const GROUPS: [(Dimension, &str, &str, &str); 6] = [
    (Dimension::Category, "category", "按投诉类别", "By category"),
    (Dimension::Project, "project", "按项目", "By project"),
    (Dimension::Department, "department", "按责任部门", "By department"),
    (Dimension::Grade, "grade", "按投诉等级", "By grade"),
    (Dimension::Channel, "channel", "按受理渠道", "By channel"),
    (Dimension::Stage, "stage", "按所处阶段", "By stage"),
];

fn range(p: Period) -> AppResult<(i64, i64)> {
    let next = p
        .last()
        .succ_opt()
        .ok_or_else(|| AppError::field("period", "is out of range"))?;
    Ok((to_millis(day_start_cn(p.first())), to_millis(day_start_cn(next))))
}

/// Parses a monthly (`2026-11`) or quarterly (`2026-Q4`) period.
pub fn parse_report_period(s: &str) -> AppResult<Period> {
    match Period::parse(s) {
        Some(p @ (Period::Month(_) | Period::Quarter(_))) => Ok(p),
        _ => Err(AppError::field(
            "period",
            "must be a month YYYY-MM or a quarter YYYY-Qn",
        )),
    }
}

/// Builds the monthly statistical analysis report or the quarterly evaluation report.
pub async fn analysis(state: &AppState, who: &Principal, period: Period) -> AppResult<Analysis> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let sum = |rows: &[Counts]| {
        let mut t = Counts::default();
        for row in rows {
            t.add(row, 1);
        }
        t
    };
    let (from, to) = (period.first(), period.last());
    let by_day = counts(&mut c, who, from, to, Dimension::Day).await?;
    let total = sum(&by_day);
    let prev = period.previous();
    let previous = sum(&counts(&mut c, who, prev.first(), prev.last(), Dimension::Day).await?);
    let trend = match period {
        Period::Quarter(_) => {
            let mut months = Vec::new();
            let mut m = Period::Month(from);
            while m.first() <= to {
                let key = m.code().replace('-', "");
                let n = by_day.iter().filter(|r| r.key.starts_with(&key)).map(|r| r.count).sum();
                months.push((format!("{}月", m.first().format("%-m")), n));
                m = m.next();
            }
            months
        }
        _ => (0..=(to - from).num_days())
            .map(|i| {
                let d = from + chrono::Days::new(i as u64);
                let key = d.format("%Y%m%d").to_string();
                let n = by_day.iter().find(|r| r.key == key).map_or(0, |r| r.count);
                (d.format("%-d").to_string(), n)
            })
            .collect(),
    };
    let mut groups = Vec::new();
    for (dim, by, title_zh, title_en) in GROUPS {
        let label = labels(&mut c, state, dim).await?;
        let mut rows: Vec<(String, String, String, Counts)> = counts(&mut c, who, from, to, dim)
            .await?
            .into_iter()
            .map(|row| {
                let (zh, en) = label(&row.key);
                (row.key.clone(), zh, en, row)
            })
            .collect();
        rows.sort_by(|a, b| b.3.count.cmp(&a.3.count).then_with(|| a.0.cmp(&b.0)));
        groups.push(Group {
            by,
            title_zh,
            title_en,
            rows,
        });
    }
    let (a, b) = range(period)?;
    let filter = ListFilter {
        received_from: Some(a),
        received_before: Some(b),
        viewer: Some(who.user_id),
        ..Default::default()
    };
    let hours = store::reports::handling_hours(&mut c, &filter, &who.scope).await?;
    let overdue_filter = ListFilter {
        overdue_at: Some(to_millis(state.clock.now())),
        ..filter.clone()
    };
    let overdue = store::complaints::count_matching(&mut c, &overdue_filter, &who.scope).await?;
    Ok(Analysis {
        period,
        total,
        previous,
        groups,
        trend,
        closed: hours.iter().map(|(_, n)| n).sum(),
        mean_hours: mean(&hours),
        p50_hours: quantile(&hours, 0.5),
        p90_hours: quantile(&hours, 0.9),
        overdue,
    })
}

/// The figures of one row, with the repeat-complaint rate.
pub fn row_figures(c: &Counts) -> Value {
    let mut v = figures(c);
    v["repeat_rate"] = json!(rate(c.repeated, c.count));
    v
}

impl Analysis {
    /// The report as the API gives it.
    pub fn to_json(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let rows: Vec<Value> = g
                    .rows
                    .iter()
                    .map(|(key, zh, en, c)| {
                        let mut v = row_figures(c);
                        v["key"] = json!(key);
                        v["label"] = json!(zh);
                        v["label_en"] = json!(en);
                        v
                    })
                    .collect();
                json!({"by": g.by, "title": g.title_zh, "title_en": g.title_en, "rows": rows})
            })
            .collect();
        json!({
            "period": self.period.code(),
            "kind": match self.period { Period::Quarter(_) => "quarterly", _ => "monthly" },
            "title": self.title_zh(),
            "from": self.period.first().to_string(),
            "to": self.period.last().to_string(),
            "due": self.period.report_due().to_string(),
            "total": row_figures(&self.total),
            "previous": {"period": self.period.previous().code(), "count": self.previous.count},
            "change_rate": (self.previous.count > 0)
                .then(|| (self.total.count - self.previous.count) as f64 / self.previous.count as f64),
            "overdue": self.overdue,
            "handling_time": {
                "closed": self.closed,
                "mean_hours": self.mean_hours,
                "p50_hours": self.p50_hours,
                "p90_hours": self.p90_hours,
            },
            "trend": self.trend.iter().map(|(k, n)| json!({"label": k, "count": n})).collect::<Vec<_>>(),
            "groups": groups,
        })
    }

    /// 2026年11月顾客投诉统计分析报告 / 2026年第四季度客户服务评估报告.
    pub fn title_zh(&self) -> String {
        match self.period {
            Period::Quarter(_) => format!("{}客户服务评估报告", self.period.label_zh()),
            _ => format!("{}顾客投诉统计分析报告", self.period.label_zh()),
        }
    }
}

/// One line of the weekly register.
#[derive(Debug, Clone)]
pub struct RegisterLine {
    /// Number, received (Shanghai), project, unit, complainant, category, grade, subject, lead
    /// department, handler, state, satisfaction, closed (Shanghai).
    pub cells: [String; 13],
}

/// The register's column headings, Chinese and English.
pub const REGISTER_HEADINGS: [(&str, &str); 13] = [
    ("投诉编号", "Number"),
    ("受理时间", "Received"),
    ("项目", "Project"),
    ("房号", "Unit"),
    ("投诉人", "Complainant"),
    ("投诉类别", "Category"),
    ("等级", "Grade"),
    ("投诉事项", "Subject"),
    ("责任部门", "Department"),
    ("处理人", "Handler"),
    ("状态", "State"),
    ("满意度", "Satisfaction"),
    ("结案时间", "Closed"),
];

fn label_of<T: Code>(code: &str) -> String {
    T::from_code(code).map_or_else(|| code.to_string(), |v| v.label().zh.to_string())
}

fn minute(ms: i64) -> String {
    minute_cn(from_millis(ms))
}

/// The weekly complaint register of a department (客户投诉记录表, R-AN-2): every complaint
/// received in the week whose lead department has this code, oldest first, in the caller's scope.
pub async fn register(
    state: &AppState,
    who: &Principal,
    week: Period,
    department: &str,
) -> AppResult<Vec<RegisterLine>> {
    let Period::Week(_) = week else {
        return Err(AppError::field("week", "must be an ISO week YYYY-Www"));
    };
    let (a, b) = range(week)?;
    let filter = ListFilter {
        received_from: Some(a),
        received_before: Some(b),
        viewer: Some(who.user_id),
        departments: vec![department.to_string()],
        oldest_first: true,
        limit: REGISTER_LIMIT,
        ..Default::default()
    };
    let mut r = state.store.reader().await?;
    let rows = store::complaints::list(&mut r.conn(), &filter, &who.scope).await?;
    Ok(rows
        .into_iter()
        .map(|c| RegisterLine {
            cells: [
                c.number,
                minute(c.received_at),
                c.project_name,
                [c.building.unwrap_or_default(), c.unit.unwrap_or_default()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("-"),
                c.complainant_name,
                c.category_name_zh,
                label_of::<Grade>(&c.grade),
                c.subject,
                c.lead_department_name.unwrap_or_default(),
                c.handler_name.unwrap_or_default(),
                label_of::<State>(&c.state),
                c.satisfaction
                    .as_deref()
                    .map(label_of::<Satisfaction>)
                    .unwrap_or_default(),
                c.closed_at.map(minute).unwrap_or_default(),
            ],
        })
        .collect())
}

/// The weekly register as the API gives it.
pub fn register_json(week: Period, department: &str, lines: &[RegisterLine]) -> Value {
    let keys = [
        "number",
        "received_at",
        "project",
        "unit",
        "complainant",
        "category",
        "grade",
        "subject",
        "department",
        "handler",
        "state",
        "satisfaction",
        "closed_at",
    ];
    let items: Vec<Value> = lines
        .iter()
        .map(|l| {
            let mut m = serde_json::Map::new();
            for (k, v) in keys.iter().zip(l.cells.iter()) {
                m.insert((*k).to_string(), json!(v));
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "week": week.code(),
        "from": week.first().to_string(),
        "to": week.last().to_string(),
        "department": department,
        "count": items.len(),
        "items": items,
    })
}
