//! The workbench (工作台): my queue, due soon, overdue, waiting for my approval, and today's and
//! this month's figures with charts (SVG drawn on the server, no script needed).

use super::list::Row;
use super::session::WebUser;
use super::{error_page, render, Layout};
use crate::error::AppError;
use crate::services::complaints as svc;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use domain::access::may_take;
use domain::state::Action;
use domain::time::{date_cn, to_millis};
use domain::{Code, Grade, Role, State as CState};
use std::sync::Arc;
use store::complaints::ListFilter;
use store::reports::Dimension;

/// One bar of a chart.
pub struct Bar {
    /// Label.
    pub label: String,
    /// Count.
    pub n: i64,
    /// Width in percent of the longest bar.
    pub pct: i64,
}

fn bars(mut items: Vec<(String, i64)>) -> Vec<Bar> {
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|(label, n)| Bar {
            label,
            n,
            pct: n * 100 / max,
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "web/workbench.html")]
struct Workbench {
    l: Layout,
    mine: Vec<Row>,
    due_soon: Vec<Row>,
    overdue: Vec<Row>,
    approvals: Vec<Row>,
    today: i64,
    month: i64,
    open: i64,
    overdue_count: String,
    by_grade: Vec<Bar>,
    by_category: Vec<Bar>,
}

/// The workbench's figures for one user, kept for [`FIGURES_TTL`]: counting every open
/// complaint of a large organisation on each visit would cost more than the page itself.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    today: i64,
    month: i64,
    open: i64,
    overdue: i64,
    by_grade: Vec<(String, i64)>,
    by_category: Vec<(String, i64)>,
}

/// The overdue figure counts this many at most and then shows "10000+" (issue 9: counting a
/// hundred thousand overdue complaints took 0.6 s).
pub const OVERDUE_CAP: i64 = 10_000;

/// How long a user's workbench figures are reused.
pub const FIGURES_TTL: std::time::Duration = std::time::Duration::from_secs(30);

async fn figures(state: &AppState, u: &WebUser, overdue_filter: ListFilter) -> Result<Arc<Figures>, AppError> {
    let who = &u.principal;
    if let Some((at, f)) = state.workbench_figures.lock().expect("figures cache").get(&who.user_id) {
        if at.elapsed() < FIGURES_TTL {
            return Ok(f.clone());
        }
    }
    let today = date_cn(state.clock.now());
    let month_start = today.with_day0(0).unwrap_or(today);
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    // From the report roll-up (R-AN-3), like the summary report: a month's complaints are a
    // few hundred cells, not a pass over every complaint.
    let counts = crate::services::reports::counts;
    let month_by_grade = counts(&mut c, who, month_start, today, Dimension::Grade).await?;
    let mut by_category: Vec<(String, i64)> = Vec::new();
    for row in counts(&mut c, who, month_start, today, Dimension::Category).await? {
        let root = row.key.split('.').next().unwrap_or(&row.key).to_string();
        match by_category.iter_mut().find(|(r, _)| *r == root) {
            Some(e) => e.1 += row.count,
            None => by_category.push((root, row.count)),
        }
    }
    let total = |rows: &[store::reports::Counts]| rows.iter().map(|r| r.count).sum::<i64>();
    let today_rows = counts(&mut c, who, today, today, Dimension::Grade).await?;
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today);
    let by_state = counts(&mut c, who, since, today + chrono::Days::new(366), Dimension::State).await?;
    let open = by_state
        .iter()
        .filter(|r| CState::from_code(&r.key).is_some_and(|s| s.is_open()))
        .map(|r| r.count)
        .sum();
    let f = Arc::new(Figures {
        today: total(&today_rows),
        month: total(&month_by_grade),
        open,
        overdue: store::complaints::count_matching_capped(&mut c, &overdue_filter, &who.scope, OVERDUE_CAP).await?,
        by_grade: month_by_grade.iter().map(|r| (r.key.clone(), r.count)).collect(),
        by_category,
    });
    let mut cache = state.workbench_figures.lock().expect("figures cache");
    if cache.len() > 10_000 {
        cache.clear();
    }
    cache.insert(who.user_id, (std::time::Instant::now(), f.clone()));
    Ok(f)
}

fn open_states() -> Vec<String> {
    CState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code().to_string())
        .collect()
}

/// The workbench page.
pub async fn page(State(state): State<AppState>, u: WebUser) -> Response {
    match build(&state, &u).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(u.lang, &e),
    }
}

async fn rows(state: &AppState, u: &WebUser, f: ListFilter) -> Result<Vec<Row>, AppError> {
    let now = state.clock.now();
    let (items, _) = svc::list(state, &u.principal, &ListFilter { limit: 10, ..f }).await?;
    Ok(items.iter().map(|c| Row::from_json(c, u.lang, now)).collect())
}

async fn build(state: &AppState, u: &WebUser) -> Result<Workbench, AppError> {
    let now = state.clock.now();
    let now_ms = to_millis(now);
    let who = &u.principal;
    let open = open_states();
    let base = ListFilter {
        states: open.clone(),
        viewer: Some(who.user_id),
        ..Default::default()
    };
    let has = |roles: &[Role]| who.grants.iter().any(|g| roles.contains(&g.role));
    // My queue: what I handle, plus what waits for my kind of role.
    let mut mine = rows(
        state,
        u,
        ListFilter {
            handler: Some(who.user_id),
            ..base.clone()
        },
    )
    .await?;
    let mut waiting = Vec::new();
    if has(&[Role::Specialist, Role::Supervisor, Role::GroupCr]) {
        waiting.push(CState::Registered.code().to_string());
    }
    if has(&[Role::DeptHead]) {
        waiting.push(CState::Dispatched.code().to_string());
    }
    if !waiting.is_empty() {
        for r in rows(
            state,
            u,
            ListFilter {
                states: waiting,
                ..base.clone()
            },
        )
        .await?
        {
            if !mine.iter().any(|m| m.number == r.number) {
                mine.push(r);
            }
        }
    }
    // Soonest due first, straight from the deadline index; a complaint shows once.
    let (soon, _) = svc::list(
        state,
        &u.principal,
        &ListFilter {
            due_between: Some((now_ms, to_millis(now + Duration::hours(4)))),
            due_order: true,
            limit: 40,
            ..base.clone()
        },
    )
    .await?;
    let mut due_soon: Vec<Row> = Vec::new();
    for c in &soon {
        let r = Row::from_json(c, u.lang, now);
        if due_soon.len() < 10 && !due_soon.iter().any(|d| d.number == r.number) {
            due_soon.push(r);
        }
    }
    let overdue_filter = ListFilter {
        overdue_at: Some(now_ms),
        ..base.clone()
    };
    let overdue = rows(state, u, overdue_filter.clone()).await?;
    let approver = who.grants.iter().any(|g| may_take(g.role, Action::ApprovePlan));
    let approvals = if approver {
        rows(
            state,
            u,
            ListFilter {
                states: vec![CState::AwaitingApproval.code().to_string()],
                ..base.clone()
            },
        )
        .await?
    } else {
        vec![]
    };
    let f = figures(state, u, overdue_filter).await?;
    let lang = u.lang;
    let by_grade = f
        .by_grade
        .iter()
        .map(|(g, n)| (lang.code_label::<Grade>(g), *n))
        .collect();
    let settings = state.settings();
    let mut top: Vec<(String, i64)> = Vec::new();
    for (root, n) in &f.by_category {
        let label = settings
            .taxonomy
            .category(root)
            .map(|c| match lang {
                super::i18n::Lang::Zh => c.name_zh.clone(),
                super::i18n::Lang::En => c.name_en.clone(),
            })
            .unwrap_or_else(|| root.clone());
        top.push((label, *n));
    }
    Ok(Workbench {
        l: Layout::new(u, "workbench", lang.t("nav.workbench")),
        mine,
        due_soon,
        overdue,
        approvals,
        today: f.today,
        month: f.month,
        open: f.open,
        overdue_count: if f.overdue >= OVERDUE_CAP {
            format!("{OVERDUE_CAP}+")
        } else {
            f.overdue.to_string()
        },
        by_grade: bars(by_grade),
        by_category: bars(top),
    })
}

use chrono::Datelike;
