//! The registers and periodic reports in the console (R-AN-2, R-AN-4): the monthly statistical
//! analysis report and the quarterly evaluation report (page, PDF with charts, xlsx, CSV), and
//! the weekly complaint register of a department (page, PDF, xlsx, CSV).

use super::export::{download, pdf, Format, Table};
use super::i18n::Lang;
use super::session::WebUser;
use super::workbench::Bar;
use super::{error_page, render, FieldErrors, FormData, Layout};
use crate::error::AppError;
use crate::services::analysis::{self as an, Analysis, RegisterLine, REGISTER_HEADINGS};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use domain::period::Period;
use domain::report::rate;
use domain::FieldError;
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/analysis", get(analysis_page))
        .route("/reports/analysis.{ext}", get(analysis_file))
        .route("/reports/register", get(register_page))
        .route("/reports/register.{ext}", get(register_file))
        .route("/reports/meeting.pdf", get(meeting_pdf))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn frac(x: Option<f64>) -> String {
    x.map(|f| format!("{f:.4}")).unwrap_or_default()
}

/// The period asked for, or the last whole month (the report due next).
fn period_of(f: &FormData, today: chrono::NaiveDate) -> Result<Period, FieldError> {
    let v = f.value("period");
    if v.trim().is_empty() {
        return Ok(Period::Month(today).containing(today).previous());
    }
    an::parse_report_period(&v).map_err(|_| FieldError::new("period", "must be a month YYYY-MM or a quarter YYYY-Qn"))
}

/// One group as shown: title and rows (label, bar, five rates).
struct ShownGroup {
    title: String,
    rows: Vec<(String, Bar, [String; 5])>,
}

#[derive(askama::Template)]
#[template(path = "web/analysis.html")]
struct AnalysisPage {
    l: Layout,
    period: String,
    errors: FieldErrors,
    report: Option<Shown>,
}

struct Shown {
    title: String,
    due: String,
    figures: Vec<(String, String)>,
    trend: Vec<Bar>,
    groups: Vec<ShownGroup>,
}

fn rates(c: &store::reports::Counts) -> [Option<f64>; 5] {
    [
        rate(c.response_ok, c.response_measured),
        rate(c.handling_ok, c.handling_measured),
        rate(c.closed, c.closable),
        rate(c.satisfied, c.rated),
        rate(c.repeated, c.count),
    ]
}

/// The key figures, labelled in `lang`.
fn key_figures(a: &Analysis, lang: Lang) -> Vec<(String, String)> {
    let r = rates(&a.total);
    let change = (a.previous.count > 0)
        .then(|| (a.total.count - a.previous.count) as f64 / a.previous.count as f64)
        .map_or_else(|| "—".to_string(), |x| format!("{:+.1}%", x * 100.0));
    let hours = |h: Option<i64>| h.map_or_else(|| "—".to_string(), |h| h.to_string());
    vec![
        (lang.t("r.count").to_string(), a.total.count.to_string()),
        (
            format!("{} ({})", lang.t("an.previous"), a.period.previous().code()),
            a.previous.count.to_string(),
        ),
        (lang.t("an.change").to_string(), change),
        (lang.t("r.response_rate").to_string(), pct(r[0])),
        (lang.t("r.handling_rate").to_string(), pct(r[1])),
        (lang.t("r.closure_rate").to_string(), pct(r[2])),
        (lang.t("r.satisfaction_rate").to_string(), pct(r[3])),
        (lang.t("an.repeat_rate").to_string(), pct(r[4])),
        (lang.t("an.overdue").to_string(), a.overdue.to_string()),
        (lang.t("an.closed").to_string(), a.closed.to_string()),
        (
            lang.t("an.mean_hours").to_string(),
            a.mean_hours.map_or_else(|| "—".to_string(), |h| format!("{h:.1}")),
        ),
        (lang.t("an.p50_hours").to_string(), hours(a.p50_hours)),
        (lang.t("an.p90_hours").to_string(), hours(a.p90_hours)),
    ]
}

fn shown(a: &Analysis, lang: Lang) -> Shown {
    let max = a.trend.iter().map(|t| t.1).max().unwrap_or(0).max(1);
    Shown {
        title: a.title_zh(),
        due: a.period.report_due().to_string(),
        figures: key_figures(a, lang),
        trend: a
            .trend
            .iter()
            .map(|(label, n)| Bar {
                label: label.clone(),
                n: *n,
                pct: n * 100 / max,
            })
            .collect(),
        groups: a
            .groups
            .iter()
            .map(|g| {
                let max = g.rows.iter().map(|r| r.3.count).max().unwrap_or(0).max(1);
                ShownGroup {
                    title: match lang {
                        Lang::Zh => g.title_zh.to_string(),
                        Lang::En => g.title_en.to_string(),
                    },
                    rows: g
                        .rows
                        .iter()
                        .map(|(_, zh, en, c)| {
                            let label = match lang {
                                Lang::Zh => zh.clone(),
                                Lang::En => en.clone(),
                            };
                            let bar = Bar {
                                label: label.clone(),
                                n: c.count,
                                pct: c.count * 100 / max,
                            };
                            (label, bar, rates(c).map(pct))
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

async fn analysis_page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let today = domain::time::date_cn(state.clock.now());
    let (period, report, errors) = match period_of(&f, today) {
        Ok(p) => match an::analysis(&state, &u.principal, p).await {
            Ok(a) => (p.code(), Some(shown(&a, u.lang)), FieldErrors::default()),
            Err(e) => return error_page(u.lang, &e),
        },
        Err(e) => (f.value("period"), None, FieldErrors::from(&[e][..])),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AnalysisPage {
            l: Layout::new(&u, "reports", u.lang.t("an.title")),
            period,
            errors,
            report,
        },
    )
}

/// Every group's rows as one table: group, label, count and the five rates as fractions.
fn analysis_table(a: &Analysis, lang: Lang) -> Table {
    let mut rows = Vec::new();
    let line = |group: String, label: String, c: &store::reports::Counts| {
        let mut v = vec![group, label, c.count.to_string()];
        v.extend(rates(c).map(frac));
        v
    };
    rows.push(line(String::new(), lang.t("r.total").to_string(), &a.total));
    for g in &a.groups {
        let title = match lang {
            Lang::Zh => g.title_zh,
            Lang::En => g.title_en,
        };
        for (_, zh, en, c) in &g.rows {
            let label = match lang {
                Lang::Zh => zh.clone(),
                Lang::En => en.clone(),
            };
            rows.push(line(title.to_string(), label, c));
        }
    }
    Table {
        name: a.period.code(),
        header: [
            "an.group",
            "r.by",
            "r.count",
            "r.response_rate",
            "r.handling_rate",
            "r.closure_rate",
            "r.satisfaction_rate",
            "an.repeat_rate",
        ]
        .iter()
        .map(|k| lang.t(k).to_string())
        .collect(),
        rows,
        numeric: vec![2, 3, 4, 5, 6, 7],
    }
}

/// The report as a PDF: key figures, the trend as columns, and for each group its bars and a
/// table of rates (Chinese, whatever the interface language: it is filed with the company).
fn analysis_pdf(a: &Analysis, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<u8>, AppError> {
    let mut l = crate::services::pdf::Layout::new();
    l.text(&a.title_zh(), 18.0, 0.0);
    l.text(
        &format!(
            "统计期间 {} 至 {}    报送期限 {}",
            a.period.first(),
            a.period.last(),
            a.period.report_due()
        ),
        10.0,
        0.0,
    );
    l.heading("一、总体情况");
    let figures = key_figures(a, Lang::Zh);
    for pair in figures.chunks(2) {
        let text: Vec<String> = pair.iter().map(|(k, v)| format!("{k}：{v}")).collect();
        l.text(&text.join("        "), 10.0, 0.0);
    }
    l.heading("二、投诉量走势");
    l.columns(&a.trend, if a.trend.len() > 12 { 5 } else { 1 });
    for (i, g) in a.groups.iter().enumerate() {
        let numbers = ["三", "四", "五", "六", "七", "八"];
        l.heading(&format!("{}、{}", numbers.get(i).unwrap_or(&"九"), g.title_zh));
        let top: Vec<(String, i64)> = g.rows.iter().take(12).map(|r| (r.1.clone(), r.3.count)).collect();
        l.bars(&top);
        let header: Vec<String> = [
            "",
            "投诉量",
            "响应及时率",
            "处理及时率",
            "结案率",
            "满意率",
            "重复投诉率",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<String>> = g
            .rows
            .iter()
            .map(|(_, zh, _, c)| {
                let mut v = vec![zh.clone(), c.count.to_string()];
                v.extend(rates(c).map(pct));
                v
            })
            .collect();
        l.table(&header, &rows);
    }
    l.finish(&crate::services::pdf::stamp(now))
}

async fn analysis_file(
    State(state): State<AppState>,
    u: WebUser,
    Path(ext): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let today = domain::time::date_cn(state.clock.now());
    let result = async {
        let p = period_of(&f, today).map_err(|e| AppError::Validation(vec![e]))?;
        let a = an::analysis(&state, &u.principal, p).await?;
        let stem = format!("report-{}", p.code());
        match ext.as_str() {
            "pdf" => Ok(pdf(analysis_pdf(&a, state.clock.now())?, &stem)),
            "xlsx" => download(&analysis_table(&a, u.lang), Format::Xlsx, &stem),
            "csv" => download(&analysis_table(&a, u.lang), Format::Csv, &stem),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    result.unwrap_or_else(|e| error_page(u.lang, &e))
}

#[derive(askama::Template)]
#[template(path = "web/register_week.html")]
struct RegisterPage {
    l: Layout,
    week: String,
    department: String,
    departments: Vec<(&'static str, String, bool)>,
    errors: FieldErrors,
    headings: Vec<&'static str>,
    lines: Vec<RegisterLine>,
}

/// The week and department asked for: by default last week and the caller's own department
/// (or engineering).
fn register_args(f: &FormData, u: &WebUser, today: chrono::NaiveDate) -> Result<(Period, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let w = f.value("week");
    let week = if w.trim().is_empty() {
        Some(Period::Week(today).containing(today).previous())
    } else {
        match Period::parse(&w) {
            Some(p @ Period::Week(_)) => Some(p),
            _ => {
                errors.push(FieldError::new("week", "must be an ISO week YYYY-Www"));
                None
            }
        }
    };
    let mut department = f.value("department");
    if department.trim().is_empty() {
        department = u
            .principal
            .grants
            .iter()
            .find_map(|g| g.department.as_ref().map(|d| d.1.clone()))
            .unwrap_or_else(|| "engineering".to_string());
    }
    if !domain::org::DEFAULT_DEPARTMENTS.iter().any(|(c, _)| *c == department) {
        errors.push(FieldError::new("department", "unknown department"));
    }
    match week {
        Some(w) if errors.is_empty() => Ok((w, department)),
        _ => Err(errors),
    }
}

fn department_name(code: &str, lang: Lang) -> String {
    domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(
            || code.to_string(),
            |(_, l)| match lang {
                Lang::Zh => l.zh.to_string(),
                Lang::En => l.en.to_string(),
            },
        )
}

async fn register_page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let today = domain::time::date_cn(state.clock.now());
    let (week, department, lines, errors) = match register_args(&f, &u, today) {
        Ok((w, d)) => match an::register(&state, &u.principal, w, &d).await {
            Ok(lines) => (w.code(), d, lines, FieldErrors::default()),
            Err(e) => return error_page(u.lang, &e),
        },
        Err(errors) => (
            f.value("week"),
            f.value("department"),
            vec![],
            FieldErrors::from(&errors),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let departments = domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .map(|(c, _)| (*c, department_name(c, u.lang), *c == department))
        .collect();
    render(
        status,
        &RegisterPage {
            l: Layout::new(&u, "reports", u.lang.t("reg.title")),
            week,
            department,
            departments,
            errors,
            headings: REGISTER_HEADINGS
                .iter()
                .map(|(zh, en)| match u.lang {
                    Lang::Zh => *zh,
                    Lang::En => *en,
                })
                .collect(),
            lines,
        },
    )
}

async fn register_file(
    State(state): State<AppState>,
    u: WebUser,
    Path(ext): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let today = domain::time::date_cn(state.clock.now());
    let result = async {
        let (week, department) = register_args(&f, &u, today).map_err(AppError::Validation)?;
        let lines = an::register(&state, &u.principal, week, &department).await?;
        let stem = format!("register-{department}-{}", week.code());
        let header: Vec<String> = REGISTER_HEADINGS.iter().map(|(zh, _)| zh.to_string()).collect();
        let rows: Vec<Vec<String>> = lines.iter().map(|l| l.cells.to_vec()).collect();
        match ext.as_str() {
            "pdf" => {
                let mut l = crate::services::pdf::Layout::new();
                l.text("客户投诉记录表", 18.0, 0.0);
                l.text(
                    &format!(
                        "{}    {}（{} 至 {}）    共 {} 件",
                        department_name(&department, Lang::Zh),
                        week.label_zh(),
                        week.first(),
                        week.last(),
                        lines.len()
                    ),
                    10.0,
                    0.0,
                );
                // The columns a printed register needs: number, received, unit, category,
                // grade, subject, handler, state.
                let pick = [0usize, 1, 3, 5, 6, 7, 9, 10];
                let h: Vec<String> = pick.iter().map(|i| header[*i].clone()).collect();
                let r: Vec<Vec<String>> = rows
                    .iter()
                    .map(|row| pick.iter().map(|i| row[*i].clone()).collect())
                    .collect();
                l.table(&h, &r);
                let footer = crate::services::pdf::stamp(state.clock.now());
                Ok(pdf(l.finish(&footer)?, &stem))
            }
            "xlsx" | "csv" => download(
                &Table {
                    name: week.code(),
                    header,
                    rows,
                    numeric: vec![],
                },
                if ext == "xlsx" { Format::Xlsx } else { Format::Csv },
                &stem,
            ),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    result.unwrap_or_else(|e| error_page(u.lang, &e))
}

/// The monthly risk-meeting pack (客户投诉及客户端风险预控月度例会, R-AN-7) as a PDF: the month's
/// figures, the warnings raised in it, the common issues and the open risks, in the user's scope.
async fn meeting_pdf(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let today = domain::time::date_cn(state.clock.now());
    let result = async {
        let p = period_of(&FormData(vec![("period".into(), f.value("month"))]), today)
            .map_err(|_| AppError::field("month", "must be a month YYYY-MM"))?;
        let Period::Month(_) = p else {
            return Err(AppError::field("month", "must be a month YYYY-MM"));
        };
        let who = &u.principal;
        let a = an::analysis(&state, who, p).await?;
        let warnings = crate::services::warnings::list(&state, who, false).await?;
        let issues = crate::services::insight::issues(&state, who).await?;
        let risks = crate::services::insight::risks(&state, who).await?;
        let mut l = crate::services::pdf::Layout::new();
        l.text(&format!("{}客户投诉及客户端风险预控月度例会", p.label_zh()), 17.0, 0.0);
        l.heading("一、本月投诉情况");
        for pair in key_figures(&a, Lang::Zh).chunks(2) {
            let text: Vec<String> = pair.iter().map(|(k, v)| format!("{k}：{v}")).collect();
            l.text(&text.join("        "), 10.0, 0.0);
        }
        let (from, to) = (p.first().to_string(), p.last().to_string());
        let in_month = |v: &Value| {
            v.as_str()
                .and_then(|s| s.get(..10))
                .is_some_and(|d| d >= from.as_str() && d <= to.as_str())
        };
        l.heading("二、本月预警");
        let rows: Vec<Vec<String>> = warnings
            .iter()
            .filter(|w| in_month(&w["raised_at"]))
            .map(|w| {
                vec![
                    w["title"].as_str().unwrap_or_default().to_string(),
                    w["kind_label"].as_str().unwrap_or_default().to_string(),
                    if w["acknowledged_at"].is_null() {
                        "未处理".into()
                    } else {
                        "已确认".into()
                    },
                ]
            })
            .collect();
        l.table(&["预警".into(), "类型".into(), "状态".into()], &rows);
        l.heading("三、共性问题与专项整改");
        let rows: Vec<Vec<String>> = issues
            .iter()
            .map(|i| {
                vec![
                    i["title"].as_str().unwrap_or_default().to_string(),
                    i["owner"].as_str().unwrap_or_default().to_string(),
                    i["deadline"].as_str().unwrap_or_default().to_string(),
                    i["state_label"].as_str().unwrap_or_default().to_string(),
                    i["complaint_count"].to_string(),
                ]
            })
            .collect();
        l.table(
            &[
                "问题".into(),
                "责任人".into(),
                "期限".into(),
                "状态".into(),
                "投诉数".into(),
            ],
            &rows,
        );
        l.heading("四、客户风险预控");
        let rows: Vec<Vec<String>> = risks
            .iter()
            .filter(|r| r["status"] != "closed")
            .map(|r| {
                vec![
                    r["title"].as_str().unwrap_or_default().to_string(),
                    r["source"].as_str().unwrap_or_default().to_string(),
                    r["level_label"].as_str().unwrap_or_default().to_string(),
                    r["mitigation"].as_str().unwrap_or_default().to_string(),
                    r["owner"].as_str().unwrap_or_default().to_string(),
                    r["review_on"].as_str().unwrap_or_default().to_string(),
                ]
            })
            .collect();
        l.table(
            &[
                "风险".into(),
                "来源".into(),
                "等级".into(),
                "措施".into(),
                "责任人".into(),
                "复核日期".into(),
            ],
            &rows,
        );
        let footer = crate::services::pdf::stamp(state.clock.now());
        Ok(pdf(l.finish(&footer)?, &format!("meeting-{}", p.code())))
    }
    .await;
    result.unwrap_or_else(|e| error_page(u.lang, &e))
}
