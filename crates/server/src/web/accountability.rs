//! Accountability in the console (R-AC-2…4): a month's statement per person and department with
//! its xlsx/CSV export, the staff figures, a form to record a penalty or reward, and the month's
//! close, on the same services as the API.

use super::export::{download, Format, Table};
use super::session::WebUser;
use super::{checked, error_page, refusal, render, see_other, FormData, Layout};
use crate::error::AppError;
use crate::services::sanctions;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::Code;
use serde_json::{json, Map, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accountability", get(page).post(record))
        .route("/accountability/close", post(close))
        .route("/accountability/statement.{ext}", get(export))
        .route("/complaints/{number}/accountability", get(of_complaint))
        .route("/complaints/{number}/accountability/{step}", post(act_on_complaint))
}

#[derive(askama::Template)]
#[template(path = "web/accountability.html")]
struct AccountabilityPage {
    l: Layout,
    month: String,
    closed: bool,
    statement: Vec<Vec<String>>,
    departments: Vec<Vec<String>>,
    performance: Vec<Vec<String>>,
    budgets: Vec<Vec<String>>,
    error: Option<String>,
}

/// Fen as yuan with two decimals, exactly (no floating point).
fn yuan(v: &Value) -> String {
    let f = v.as_i64().unwrap_or(0);
    let sign = if f < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", f.abs() / 100, f.abs() % 100)
}

fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn month_or_current(state: &AppState, f: &FormData) -> String {
    let m = f.value("month");
    if m.trim().is_empty() {
        domain::time::date_cn(state.clock.now()).format("%Y-%m").to_string()
    } else {
        m
    }
}

const STATEMENT: [(&str, &str); 10] = [
    ("name", "姓名"),
    ("department", "部门"),
    ("bonus_fen", "效益奖金"),
    ("carried_in_fen", "上月结转"),
    ("assessed_fen", "本月处罚"),
    ("cap_fen", "扣款上限"),
    ("deducted_fen", "本月扣款"),
    ("carried_out_fen", "结转下月"),
    ("rewards_fen", "奖励"),
    ("user", "用户名"),
];

fn statement_rows(v: &Value) -> Vec<Vec<String>> {
    v["people"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            STATEMENT
                .iter()
                .map(|(k, _)| {
                    if k.ends_with("_fen") {
                        yuan(&p[*k])
                    } else {
                        p[*k].as_str().unwrap_or_default().to_string()
                    }
                })
                .collect()
        })
        .collect()
}

async fn show(state: &AppState, u: &WebUser, month: String, error: Option<String>) -> Response {
    let who = &u.principal;
    let (statement, performance) = match (
        sanctions::statement(state, who, &month).await,
        sanctions::performance(state, who, &month).await,
    ) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(e), _) | (_, Err(e)) => return error_page(u.lang, &e),
    };
    let departments = statement["departments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            vec![
                d["department"].as_str().unwrap_or_default().to_string(),
                d["people"].to_string(),
                yuan(&d["deducted_fen"]),
                yuan(&d["carried_out_fen"]),
                yuan(&d["rewards_fen"]),
            ]
        })
        .collect();
    let performance = performance["people"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            vec![
                p["name"].as_str().unwrap_or_default().to_string(),
                p["department"].as_str().unwrap_or_default().to_string(),
                p["handled"].to_string(),
                p["closed"].to_string(),
                pct(&p["handling_timely_rate"]),
                pct(&p["satisfaction_rate"]),
                yuan(&p["penalties_fen"]),
                yuan(&p["rewards_fen"]),
            ]
        })
        .collect();
    // Each region's customer-relations budget for the month's year (R-AC-3).
    let year = month.get(..4).unwrap_or_default().to_string();
    let regions: Vec<String> = match state.store.reader().await {
        Ok(mut r) => store::org::all_nodes(&mut r.conn())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.kind == "region" && who.scope.admits(&n.path, &[]))
            .map(|n| n.code)
            .collect(),
        Err(e) => return error_page(u.lang, &e.into()),
    };
    let mut budgets = Vec::new();
    for code in regions {
        if let Ok(b) = crate::services::money::report(state, who, &code, &year).await {
            budgets.push(vec![
                code,
                yuan(&b["budget_fen"]),
                yuan(&b["cap_fen"]),
                yuan(&b["spent_fen"]),
                yuan(&b["remaining_fen"]),
                yuan(&b["excluded_fen"]["compensation"]),
                yuan(&b["compensation_paid_fen"]),
            ]);
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &AccountabilityPage {
            l: Layout::new(u, "accountability", u.lang.t("nav.accountability")),
            closed: statement["closed"].as_bool().unwrap_or(false),
            statement: statement_rows(&statement),
            departments,
            performance,
            budgets,
            month,
            error,
        },
    )
}

async fn page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let month = month_or_current(&state, &f);
    show(&state, &u, month, None).await
}

async fn record(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let month = month_or_current(&state, &f);
    let mut m = Map::new();
    for k in ["user", "kind", "reason", "complaint"] {
        let v = f.value(k);
        if !v.trim().is_empty() {
            m.insert(k.into(), json!(v.trim()));
        }
    }
    m.insert("month".into(), json!(month));
    for k in ["bases", "amount_fen"] {
        let v = f.value(k);
        if !v.trim().is_empty() {
            m.insert(
                k.into(),
                v.trim().parse::<i64>().map_or_else(|_| json!(v), |n| json!(n)),
            );
        }
    }
    match sanctions::record(&state, &u.principal, m).await {
        Ok(_) => see_other(&format!("/accountability?month={month}")),
        Err(e) => match refusal(&e) {
            Some(msg) => show(&state, &u, month, Some(msg)).await,
            None => error_page(u.lang, &e),
        },
    }
}

async fn close(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let month = month_or_current(&state, &f);
    match sanctions::close(&state, &u.principal, &month).await {
        Ok(_) => see_other(&format!("/accountability?month={month}")),
        Err(e) => match refusal(&e) {
            Some(msg) => show(&state, &u, month, Some(msg)).await,
            None => error_page(u.lang, &e),
        },
    }
}

/// The month's statement for HR as xlsx or CSV (amounts in yuan with two decimals, as text so
/// they stay exact).
async fn export(
    State(state): State<AppState>,
    u: WebUser,
    Path(ext): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let f = FormData::parse(raw.unwrap_or_default().as_bytes());
    let month = month_or_current(&state, &f);
    let format = match ext.as_str() {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        _ => return error_page(u.lang, &AppError::NotFound),
    };
    match sanctions::statement(&state, &u.principal, &month).await {
        Ok(v) => download(
            &Table {
                name: month.clone(),
                header: STATEMENT.iter().map(|(_, h)| h.to_string()).collect(),
                rows: statement_rows(&v),
                numeric: vec![],
            },
            format,
            &format!("statement-{month}"),
        )
        .unwrap_or_else(|e| error_page(u.lang, &e)),
        Err(e) => error_page(u.lang, &e),
    }
}

#[derive(askama::Template)]
#[template(path = "web/complaint_accountability.html")]
struct ComplaintPage {
    l: Layout,
    number: String,
    state: Option<String>,
    parties: Vec<(String, String, String)>,
    may_propose: bool,
    may_decide: bool,
    compensation: String,
    may_pay: bool,
    error: Option<String>,
}

/// A complaint's responsibility and compensation, with the forms the user may use now.
async fn complaint_page(state: &AppState, u: &WebUser, number: &str, error: Option<String>) -> Response {
    use domain::access::{any_allows, Permission as P};
    let who = &u.principal;
    let (resp, comp) = match (
        crate::services::responsibility::get(state, who, number).await,
        crate::services::money::compensation(state, who, number).await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) | (_, Err(e)) => return error_page(u.lang, &e),
    };
    let a = &resp["assignment"];
    let st = a["state"].as_str().map(String::from);
    let parties = a["parties"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                domain::PartyKind::from_code(p["kind"].as_str().unwrap_or_default())
                    .map(|k| k.label().zh.to_string())
                    .unwrap_or_default(),
                p["party"].as_str().unwrap_or_default().to_string(),
                p["share"].to_string(),
            )
        })
        .collect();
    let compensation = match (&comp["approved_fen"], &comp["paid"]) {
        (Value::Null, _) => "—".to_string(),
        (approved, Value::Null) => format!("{} 元 {}", yuan(approved), comp["form"].as_str().unwrap_or_default()),
        (approved, paid) => format!(
            "{} 元 {} · {} {}",
            yuan(approved),
            comp["form"].as_str().unwrap_or_default(),
            paid["paid_on"].as_str().unwrap_or_default(),
            paid["reference"].as_str().unwrap_or_default()
        ),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ComplaintPage {
            l: Layout::new(u, "complaints", u.lang.t("ac.of_complaint")),
            number: number.to_string(),
            may_propose: any_allows(&who.grants, P::ProposeResponsibility)
                && st.as_deref().is_none_or(|s| s == "rejected"),
            may_decide: any_allows(&who.grants, P::ApproveResponsibility) && st.as_deref() == Some("proposed"),
            may_pay: any_allows(&who.grants, P::ManageAccountability)
                && !comp["approved_fen"].is_null()
                && comp["paid"].is_null(),
            state: st.map(|s| match s.as_str() {
                "proposed" => "待审批".to_string(),
                "approved" => "已批准".to_string(),
                _ => "已驳回".to_string(),
            }),
            parties,
            compensation,
            error,
        },
    )
}

async fn of_complaint(State(state): State<AppState>, u: WebUser, Path(number): Path<String>) -> Response {
    complaint_page(&state, &u, &number, None).await
}

async fn act_on_complaint(
    State(state): State<AppState>,
    u: WebUser,
    Path((number, step)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let who = &u.principal;
    let result = match step.as_str() {
        "propose" => {
            let parties: Vec<Value> = (0..3)
                .filter(|i| !f.value(&format!("kind{i}")).is_empty())
                .map(|i| {
                    let share = f.value(&format!("share{i}"));
                    json!({
                        "kind": f.value(&format!("kind{i}")),
                        "party": f.value(&format!("party{i}")).trim(),
                        "share": share.trim().parse::<f64>().map_or_else(|_| json!(share), |v| json!(v)),
                    })
                })
                .collect();
            let mut m = Map::new();
            m.insert("parties".into(), json!(parties));
            crate::services::responsibility::propose(&state, who, &number, m).await
        }
        "decide" => {
            let mut m = Map::new();
            m.insert("approve".into(), json!(f.value("approve") == "true"));
            m.insert("note".into(), json!(f.value("note")));
            crate::services::responsibility::decide(&state, who, &number, m).await
        }
        "pay" => {
            let mut m = Map::new();
            let a = f.value("amount_fen");
            m.insert(
                "amount_fen".into(),
                a.trim().parse::<i64>().map_or_else(|_| json!(a), |n| json!(n)),
            );
            m.insert("paid_on".into(), json!(f.value("paid_on")));
            m.insert("reference".into(), json!(f.value("reference")));
            crate::services::money::pay(&state, who, &number, m).await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(_) => see_other(&format!("/complaints/{number}/accountability")),
        Err(e) => match refusal(&e) {
            Some(msg) => complaint_page(&state, &u, &number, Some(msg)).await,
            None => error_page(u.lang, &e),
        },
    }
}
