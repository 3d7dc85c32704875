//! The summary report in the console (R-AN-3): pick the dates and a dimension, read the counts
//! and rates as a table with bars.

use super::export::{download, Format, Table};
use super::i18n::Lang;
use super::session::WebUser;
use super::workbench::Bar;
use super::{error_page, render, FieldErrors, FormData, Layout};
use crate::services::reports;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports.csv", get(csv))
        .route("/reports.xlsx", get(xlsx))
}

/// One row as shown.
pub struct ReportRow {
    /// Label.
    pub label: String,
    /// Bar of the count.
    pub bar: Bar,
    /// Rates as percentages, or "—".
    pub rates: [String; 4],
}

#[derive(askama::Template)]
#[template(path = "web/reports.html")]
struct ReportPage {
    l: Layout,
    f: FormData,
    rows: Vec<ReportRow>,
    total: Option<ReportRow>,
    dims: Vec<(&'static str, &'static str, bool)>,
    errors: FieldErrors,
}

fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn row(v: &Value, label: String, max: i64) -> ReportRow {
    let n = v["count"].as_i64().unwrap_or(0);
    ReportRow {
        bar: Bar {
            label: label.clone(),
            n,
            pct: n * 100 / max.max(1),
        },
        label,
        rates: [
            pct(&v["response_timely_rate"]),
            pct(&v["handling_timely_rate"]),
            pct(&v["closure_rate"]),
            pct(&v["satisfaction_rate"]),
        ],
    }
}

async fn page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let lang = u.lang;
    let today = domain::time::date_cn(state.clock.now());
    let month_start = today.with_day(1).unwrap_or(today);
    let mut f = FormData::parse(raw.unwrap_or_default().as_bytes());
    if f.get("from").is_none() && f.get("to").is_none() && f.get("by").is_none() {
        f = FormData(vec![
            ("from".into(), month_start.to_string()),
            ("to".into(), today.to_string()),
            ("by".into(), "category".into()),
        ]);
    }
    let (rows, total, errors) = match reports::parse(&f.0) {
        Ok(q) => match reports::summary(&state, &u.principal, &q).await {
            Ok(v) => {
                let items = v["rows"].as_array().cloned().unwrap_or_default();
                let max = items.iter().filter_map(|r| r["count"].as_i64()).max().unwrap_or(0);
                let rows = items
                    .iter()
                    .map(|r| {
                        let label = match lang {
                            Lang::Zh => r["label"].as_str(),
                            Lang::En => r["label_en"].as_str(),
                        };
                        row(r, label.unwrap_or_default().to_string(), max)
                    })
                    .collect();
                let total = row(
                    &v["total"],
                    lang.t("r.total").to_string(),
                    v["total"]["count"].as_i64().unwrap_or(0),
                );
                (rows, Some(total), FieldErrors::default())
            }
            Err(e) => return error_page(lang, &e),
        },
        Err(errors) => (vec![], None, FieldErrors::from(&errors)),
    };
    let by = f.value("by");
    let dims = [
        ("category", "f.category"),
        ("grade", "f.grade"),
        ("channel", "f.channel"),
        ("project", "f.project"),
        ("department", "f.lead_department"),
        ("state", "f.state"),
    ]
    .iter()
    .map(|(code, key)| (*code, lang.t(key), by == *code))
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ReportPage {
            l: Layout::new(&u, "reports", lang.t("nav.reports")),
            f,
            rows,
            total,
            dims,
            errors,
        },
    )
}

/// The summary as a table: label, count, the four rates as fractions (blank when unmeasured).
async fn table(state: &AppState, u: &WebUser, raw: Option<&str>) -> Result<Table, crate::error::AppError> {
    let lang = u.lang;
    let q = reports::parse(&FormData::parse(raw.unwrap_or_default().as_bytes()).0)
        .map_err(crate::error::AppError::Validation)?;
    let v = reports::summary(state, &u.principal, &q).await?;
    let cell = |x: &Value| x.as_f64().map(|f| format!("{f:.4}")).unwrap_or_default();
    let line = |r: &Value, label: String| {
        vec![
            label,
            r["count"].as_i64().unwrap_or(0).to_string(),
            cell(&r["response_timely_rate"]),
            cell(&r["handling_timely_rate"]),
            cell(&r["closure_rate"]),
            cell(&r["satisfaction_rate"]),
        ]
    };
    let mut rows: Vec<Vec<String>> = v["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let label = match lang {
                Lang::Zh => r["label"].as_str(),
                Lang::En => r["label_en"].as_str(),
            };
            line(r, label.unwrap_or_default().to_string())
        })
        .collect();
    rows.push(line(&v["total"], lang.t("r.total").to_string()));
    Ok(Table {
        name: format!("{} {}~{}", lang.t("nav.reports"), q.from, q.to),
        header: [
            "r.by",
            "r.count",
            "r.response_rate",
            "r.handling_rate",
            "r.closure_rate",
            "r.satisfaction_rate",
        ]
        .iter()
        .map(|k| lang.t(k).to_string())
        .collect(),
        rows,
        numeric: vec![1, 2, 3, 4, 5],
    })
}

async fn export(state: AppState, u: WebUser, raw: Option<String>, format: Format) -> Response {
    match table(&state, &u, raw.as_deref()).await {
        Ok(t) => download(&t, format, &format!("summary-{}", f_stem(raw.as_deref())))
            .unwrap_or_else(|e| error_page(u.lang, &e)),
        Err(e) => error_page(u.lang, &e),
    }
}

fn f_stem(raw: Option<&str>) -> String {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    format!("{}-{}-{}", f.value("by"), f.value("from"), f.value("to"))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

async fn csv(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    export(state, u, raw, Format::Csv).await
}

async fn xlsx(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    export(state, u, raw, Format::Xlsx).await
}
