//! The permission matrix (R-ORG-3, R-ORG-4, issue 8): every role × every endpoint of the
//! OpenAPI document and every console page × an object inside and outside the role's scope.
//! What each role may do is written out here by hand from SPEC, not derived from the code: a
//! role without the right gets 403; an object outside the scope answers exactly like one that
//! does not exist; a refused request changes nothing; nothing answers 5xx. A new endpoint that
//! is missing from the table fails the test.

mod common;

use common::{body, spawn, to_closure, TestApp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use testkit::Backend;

const USERS: [&str; 12] = [
    "agent",
    "specialist",
    "supervisor",
    "handler",
    "depthead",
    "projecthead",
    "cityhead",
    "regionhead",
    "groupcr",
    "management",
    "auditor",
    "admin",
];

/// Roles (by demo user) that may do a thing.
#[derive(Clone, Copy)]
enum Who {
    All,
    Only(&'static [&'static str]),
}

impl Who {
    fn admits(self, user: &str) -> bool {
        match self {
            Who::All => true,
            Who::Only(users) => users.contains(&user),
        }
    }
}

const ADMIN: Who = Who::Only(&["admin"]);
const MONEY: Who = Who::Only(&["groupcr", "management"]);
/// Supervisors and every head (R-AN-5…8, R-AC-1 proposing).
const INSIGHT: Who = Who::Only(&[
    "supervisor",
    "depthead",
    "projecthead",
    "cityhead",
    "regionhead",
    "groupcr",
    "management",
]);
const APPROVERS: Who = Who::Only(&["projecthead", "cityhead", "regionhead", "groupcr", "management"]);
const REGISTER: Who = Who::Only(&["agent", "specialist", "supervisor", "groupcr", "admin"]);
/// Those who call owners back (R-SEC-2) and may link or upload evidence.
const CONTACT: Who = Who::Only(&["agent", "specialist", "supervisor", "handler", "depthead", "groupcr"]);
/// Everyone who works complaints: not the auditor (read-only) nor the administrator.
const WORKERS: Who = Who::Only(&[
    "agent",
    "specialist",
    "supervisor",
    "handler",
    "depthead",
    "projecthead",
    "cityhead",
    "regionhead",
    "groupcr",
    "management",
]);

/// What an `{id}` or `{number}` in a path stands for.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Target {
    /// No scoped object: the path is the same for everyone.
    None,
    Complaint,
    Attachment,
    Issue,
    Risk,
    Warning,
}

/// Whether `user` sees the object inside (GZ-001, dispatched to engineering) or outside (SH-001).
fn sees(user: &str, target: Target, inside: bool) -> bool {
    let everything = matches!(user, "groupcr" | "management" | "auditor" | "admin");
    let department_bound = matches!(user, "handler" | "depthead");
    match target {
        Target::None => true,
        Target::Complaint | Target::Attachment => inside || everything,
        // Org-level records have no department; department-bound roles see none of them.
        Target::Issue | Target::Risk | Target::Warning => (inside && !department_bound) || everything,
    }
}

struct Row {
    method: &'static str,
    path: &'static str,
    who: Who,
    target: Target,
    body: Value,
    /// The id in the path names nothing (404 is the right answer even for those allowed).
    absent: bool,
}

fn row(method: &'static str, path: &'static str, who: Who, target: Target, body: Value) -> Row {
    Row {
        method,
        path,
        who,
        target,
        body,
        absent: false,
    }
}

/// Every authenticated endpoint of the OpenAPI document with who may use it.
fn table() -> Vec<Row> {
    use Target::*;
    let none = Value::Null;
    let absent = |mut r: Row| {
        r.absent = true;
        r
    };
    let issue = json!({"node": "GZ-001", "title": "防水", "root_cause": "施工", "plan": "重做",
        "owner": "projecthead", "deadline": "2026-12-31", "complaints": []});
    let risk = json!({"node": "GZ-001", "source": "检查", "title": "外墙渗水", "assessment": "可能群诉", "level": "high",
        "mitigation": "修补", "status": "open", "owner": "projecthead", "review_on": "2026-12-15"});
    vec![
        row(
            "PUT",
            "/api/v1/accountability/bonuses/{month}",
            MONEY,
            None,
            json!({"items": []}),
        ),
        row(
            "POST",
            "/api/v1/accountability/months/{month}/close",
            MONEY,
            None,
            json!({}),
        ),
        row(
            "GET",
            "/api/v1/accountability/performance/{month}",
            INSIGHT,
            None,
            none.clone(),
        ),
        row("POST", "/api/v1/accountability/sanctions", MONEY, None, json!({})),
        row(
            "GET",
            "/api/v1/accountability/statements/{month}",
            MONEY,
            None,
            none.clone(),
        ),
        row("GET", "/api/v1/admin/deliveries", ADMIN, None, none.clone()),
        absent(row(
            "POST",
            "/api/v1/admin/deliveries/{id}/retry",
            ADMIN,
            None,
            json!({}),
        )),
        row("POST", "/api/v1/admin/import/{kind}", ADMIN, None, none.clone()),
        row("GET", "/api/v1/admin/robots", ADMIN, None, none.clone()),
        row("POST", "/api/v1/admin/robots", ADMIN, None, json!({})),
        absent(row("DELETE", "/api/v1/admin/robots/{id}", ADMIN, None, none.clone())),
        row("GET", "/api/v1/auth/tokens", Who::All, None, none.clone()),
        absent(row("DELETE", "/api/v1/auth/tokens/{id}", Who::All, None, none.clone())),
        row("GET", "/api/v1/budgets/{region}/{year}", MONEY, None, none.clone()),
        row("PUT", "/api/v1/budgets/{region}/{year}", MONEY, None, json!({})),
        row(
            "POST",
            "/api/v1/budgets/{region}/{year}/expenses",
            MONEY,
            None,
            json!({}),
        ),
        row("GET", "/api/v1/calendar/{year}", Who::All, None, none.clone()),
        row("PUT", "/api/v1/calendar/{year}", ADMIN, None, json!({})),
        row("GET", "/api/v1/cases", Who::All, None, none.clone()),
        row("GET", "/api/v1/complaints", Who::All, None, none.clone()),
        row("POST", "/api/v1/complaints", REGISTER, None, body()),
        row("GET", "/api/v1/complaints/{number}", Who::All, Complaint, none.clone()),
        row(
            "POST",
            "/api/v1/complaints/{number}/actions/{action}",
            WORKERS,
            Complaint,
            json!({"text": "已电话回访"}),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/attachments",
            WORKERS,
            Complaint,
            none.clone(),
        ),
        row(
            "GET",
            "/api/v1/complaints/{number}/attachments/{id}",
            Who::All,
            Attachment,
            none.clone(),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/case",
            INSIGHT,
            Complaint,
            json!({"title": "漏水", "lessons": "先止水"}),
        ),
        row(
            "GET",
            "/api/v1/complaints/{number}/case-file",
            Who::All,
            Complaint,
            none.clone(),
        ),
        row(
            "GET",
            "/api/v1/complaints/{number}/compensation",
            Who::All,
            Complaint,
            none.clone(),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/compensation/payment",
            MONEY,
            Complaint,
            json!({"amount_fen": 100, "paid_on": "2026-11-22", "reference": "转账"}),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/contact/reveal",
            CONTACT,
            Complaint,
            json!({}),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/links",
            CONTACT,
            Complaint,
            json!({"number": "KS-202611-00002", "reason": "同一漏点"}),
        ),
        // Only the inside complaint has been replied to; the outside one has no letter yet.
        absent(row(
            "GET",
            "/api/v1/complaints/{number}/reply-letter",
            Who::All,
            Complaint,
            none.clone(),
        )),
        row(
            "GET",
            "/api/v1/complaints/{number}/responsibility",
            Who::All,
            Complaint,
            none.clone(),
        ),
        row(
            "PUT",
            "/api/v1/complaints/{number}/responsibility",
            INSIGHT,
            Complaint,
            json!({"parties": [{"kind": "department", "party": "engineering", "share": 100}]}),
        ),
        row(
            "POST",
            "/api/v1/complaints/{number}/responsibility/decision",
            APPROVERS,
            Complaint,
            json!({"approve": true, "note": "同意"}),
        ),
        row(
            "GET",
            "/api/v1/complaints/{number}/timeline",
            Who::All,
            Complaint,
            none.clone(),
        ),
        row("GET", "/api/v1/inbox", Who::All, None, none.clone()),
        absent(row("POST", "/api/v1/inbox/{id}/read", Who::All, None, json!({}))),
        row("GET", "/api/v1/issues", Who::All, None, none.clone()),
        row("POST", "/api/v1/issues", INSIGHT, None, issue),
        row("GET", "/api/v1/issues/{id}", Who::All, Issue, none.clone()),
        row(
            "PATCH",
            "/api/v1/issues/{id}",
            INSIGHT,
            Issue,
            json!({"state": "rectifying"}),
        ),
        row("GET", "/api/v1/me", Who::All, None, none.clone()),
        row("PATCH", "/api/v1/me", Who::All, None, json!({})),
        row("GET", "/api/v1/meta", Who::All, None, none.clone()),
        row("GET", "/api/v1/projects", Who::All, None, none.clone()),
        row("GET", "/api/v1/projects/{code}", Who::All, None, none.clone()),
        row("GET", "/api/v1/reports/analysis", Who::All, None, none.clone()),
        row("GET", "/api/v1/reports/register", Who::All, None, none.clone()),
        row("GET", "/api/v1/reports/summary", Who::All, None, none.clone()),
        row("GET", "/api/v1/risks", Who::All, None, none.clone()),
        row("POST", "/api/v1/risks", INSIGHT, None, risk.clone()),
        row("PUT", "/api/v1/risks/{id}", INSIGHT, Risk, risk),
        row("GET", "/api/v1/settings/approval-policy", Who::All, None, none.clone()),
        row("PUT", "/api/v1/settings/approval-policy", ADMIN, None, json!({})),
        row("GET", "/api/v1/settings/business-hours", Who::All, None, none.clone()),
        row("PUT", "/api/v1/settings/business-hours", ADMIN, None, json!({})),
        row("GET", "/api/v1/settings/clock-policy", Who::All, None, none.clone()),
        row("PUT", "/api/v1/settings/clock-policy", ADMIN, None, json!({})),
        row("GET", "/api/v1/settings/sanction-rates", Who::All, None, none.clone()),
        row("PUT", "/api/v1/settings/sanction-rates", ADMIN, None, json!({})),
        row("GET", "/api/v1/warnings", Who::All, None, none.clone()),
        row(
            "POST",
            "/api/v1/warnings/{id}/acknowledge",
            INSIGHT,
            Warning,
            json!({"note": "已安排专人跟进"}),
        ),
    ]
}

/// Endpoints anyone may call without signing in; they are tested elsewhere (web.rs, metrics.rs).
const PUBLIC: [&str; 7] = [
    "POST /api/v1/auth/token",
    "POST /api/v1/public/complaints",
    "GET /api/v1/public/complaints/{number}",
    "POST /api/v1/public/complaints/{number}/{action}",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
];

/// Rows that change the database, the number of outbox messages and stored files: a refused
/// request must leave all of them as they were.
async fn fingerprint(app: &TestApp) -> (i64, i64, i64, i64) {
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    store::on_conn!(&mut c, |c| sqlx::query_as(
        "SELECT (SELECT seq FROM audit_head), (SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM attachment), \
         (SELECT COUNT(*) FROM api_token WHERE revoked_at IS NOT NULL)"
    )
    .fetch_one(&mut **c)
    .await)
    .unwrap()
}

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

/// Where a request goes: the inside object, the outside one and a missing one when the path
/// names an object; once otherwise.
fn placements(target: Target) -> &'static [Option<bool>] {
    if target == Target::None {
        &[Some(true)]
    } else {
        &[Some(true), Some(false), None]
    }
}

/// A refused request must leave the database as it was.
async fn unchanged_if_refused(app: &TestApp, status: u16, before: &(i64, i64, i64, i64), what: &str) {
    if status >= 400 {
        assert_eq!(
            &fingerprint(app).await,
            before,
            "{what}: refused with {status} yet something changed"
        );
    }
}

/// The answers (inside, outside, missing) about an object the user cannot see must equal the
/// answer about a missing one (R-ORG-4).
fn hidden_like_missing<T: PartialEq + std::fmt::Debug>(user: &str, target: Target, answers: &[T], what: &str) {
    for (inside, answer) in [(true, &answers[0]), (false, &answers[1])] {
        if !sees(user, target, inside) {
            assert_eq!(
                answer, &answers[2],
                "{user} {what}: outside scope must look like nonexistent"
            );
        }
    }
}

/// Sends one request; returns the status and the problem's title and detail (or the body's start).
async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: &Value) -> (u16, String) {
    let mut req = app
        .client
        .request(method.parse().unwrap(), format!("{}{path}", app.base))
        .bearer_auth(token);
    if path.ends_with("/attachments") && method == "POST" {
        let part = reqwest::multipart::Part::bytes(PNG.to_vec())
            .file_name("漏点.png")
            .mime_str("image/png")
            .unwrap();
        req = req.multipart(reqwest::multipart::Form::new().part("file", part));
    } else if !body.is_null() {
        req = req.json(body);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    let shown = match serde_json::from_str::<Value>(&text) {
        Ok(p) if p.get("title").is_some() => format!("{} {}", p["title"], p["detail"]),
        _ => text.chars().take(80).collect(),
    };
    (status, shown)
}

/// The objects inside and outside the scopes, by kind: (inside, outside) path values.
struct Objects {
    complaint: (String, String),
    attachment: (String, String),
    issue: (i64, i64),
    risk: (i64, i64),
    warning: (i64, i64),
}

async fn register(app: &TestApp, token: &str, project: &str, phone: &str) -> String {
    let mut b = body();
    b["project_code"] = json!(project);
    b["complainant"]["phone"] = json!(phone);
    b["description"] = json!("楼上渗水，物业不处理，我准备起诉。");
    let (s, c) = app.post("/api/v1/complaints", token, &b).await;
    assert_eq!(s, 201, "{c}");
    c["number"].as_str().unwrap().to_string()
}

async fn upload(app: &TestApp, token: &str, number: &str) -> String {
    let (s, text) = call(
        app,
        token,
        "POST",
        &format!("/api/v1/complaints/{number}/attachments"),
        &Value::Null,
    )
    .await;
    assert_eq!(s, 200, "{text}");
    let (_, c) = app.get(&format!("/api/v1/complaints/{number}"), token).await;
    c["attachments"][0]["id"].as_str().unwrap().to_string()
}

async fn objects(app: &TestApp) -> Objects {
    let cr = app.token("groupcr").await;
    let inside = register(app, &cr, "GZ-001", "13800001111").await;
    let outside = register(app, &cr, "SH-001", "13800002222").await;
    app.walk(&cr, &inside, &to_closure()[..5]).await; // replied: a reply letter exists
    let attachment = (upload(app, &cr, &inside).await, upload(app, &cr, &outside).await);
    let mut ids = Vec::new();
    for (kind, node) in [
        ("issues", "GZ-001"),
        ("issues", "SH-001"),
        ("risks", "GZ-001"),
        ("risks", "SH-001"),
    ] {
        let body = if kind == "issues" {
            json!({"node": node, "title": "防水", "root_cause": "施工", "plan": "重做", "owner": "groupcr",
                "deadline": "2026-12-31", "complaints": []})
        } else {
            json!({"node": node, "source": "检查", "title": "外墙", "assessment": "群诉", "level": "high",
                "mitigation": "修补", "status": "open", "owner": "groupcr", "review_on": "2026-12-15"})
        };
        let (s, v) = app.post(&format!("/api/v1/{kind}"), &cr, &body).await;
        assert_eq!(s, 200, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let (_, w) = app.get("/api/v1/warnings", &cr).await;
    let warning_of = |number: &str| {
        w["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["complaint_number"] == number)
            .unwrap_or_else(|| panic!("a legal-action warning for {number}: {w}"))["id"]
            .as_i64()
            .unwrap()
    };
    Objects {
        warning: (warning_of(&inside), warning_of(&outside)),
        complaint: (inside, outside),
        attachment,
        issue: (ids[0], ids[1]),
        risk: (ids[2], ids[3]),
    }
}

/// The concrete path for `template` on the inside object, the outside one, or one that does not exist.
fn concrete(template: &str, target: Target, o: &Objects, which: Option<bool>) -> String {
    let pick = |pair: &(String, String), missing: &str| match which {
        Some(true) => pair.0.clone(),
        Some(false) => pair.1.clone(),
        None => missing.to_string(),
    };
    let id = |pair: (i64, i64)| pick(&(pair.0.to_string(), pair.1.to_string()), "999999");
    let number = pick(&o.complaint, "KS-202611-99999");
    let mut path = template.replace("{number}", &number);
    for (placeholder, value) in [
        ("{month}", "2026-11"),
        ("{region}", "R-SOUTH"),
        ("{year}", "2026"),
        ("{code}", "GZ-001"),
        ("{action}", "note"),
        ("{kind}", "units"),
    ] {
        path = path.replace(placeholder, value);
    }
    let query = match template {
        "/api/v1/reports/analysis" => "?period=2026-11",
        "/api/v1/reports/register" => "?week=2026-W47&department=engineering",
        "/api/v1/reports/summary" => "?from=2026-11-01&to=2026-11-30&by=category",
        _ => "",
    };
    path.push_str(query);
    match target {
        Target::Attachment => {
            let file = pick(&o.attachment, "0194a3d2-0000-7000-8000-000000000000");
            path.replace("{id}", &file)
        }
        Target::Issue => path.replace("{id}", &id(o.issue)),
        Target::Risk => path.replace("{id}", &id(o.risk)),
        Target::Warning => path.replace("{id}", &id(o.warning)),
        Target::None | Target::Complaint => path.replace("{id}", "999999"),
    }
}

/// Fills in the complaint's current version for an action.
async fn with_version(app: &TestApp, path: &str, body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(number) = path
        .strip_prefix("/api/v1/complaints/")
        .and_then(|p| p.split('/').next())
    {
        if path.contains("/actions/") {
            let cr = app.token("groupcr").await;
            let (_, c) = app.get(&format!("/api/v1/complaints/{number}"), &cr).await;
            body["version"] = if c["version"].is_null() {
                json!(1)
            } else {
                c["version"].clone()
            };
        }
    }
    body
}

async fn api_matrix(backend: Backend) {
    let app = spawn(backend).await;
    let mut tokens = BTreeMap::new();
    for u in USERS {
        tokens.insert(u, app.token(u).await);
    }
    let o = objects(&app).await;

    // The table covers exactly the OpenAPI document.
    let doc: Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_uppercase()))
        })
        .filter(|e| !PUBLIC.contains(&e.as_str()))
        .collect();
    let rows = table();
    let templates: BTreeSet<String> = rows.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    let missing: Vec<_> = documented.difference(&templates).collect();
    assert!(missing.is_empty(), "endpoints without a row in the matrix: {missing:?}");

    let mut cells = 0;
    for r in &rows {
        for user in USERS {
            let token = &tokens[user];
            let scoped = r.target != Target::None;
            let mut answers = Vec::new();
            for which in placements(r.target) {
                let path = concrete(r.path, r.target, &o, *which);
                let body = with_version(&app, &path, &r.body).await;
                let before = fingerprint(&app).await;
                let (status, shown) = call(&app, token, r.method, &path, &body).await;
                cells += 1;
                let what = format!("{user} {} {path} ({backend:?})", r.method);
                assert!(status < 500, "{what}: {status} {shown}");
                assert_ne!(status, 401, "{what}: a valid token");
                unchanged_if_refused(&app, status, &before, &what).await;
                answers.push((status, shown.replace(&path, "")));
                let Some(inside) = which else { continue };
                let visible = sees(user, r.target, *inside);
                let allowed = r.who.admits(user);
                if visible && allowed {
                    assert!(status != 403, "{what}: allowed, got 403 {shown}");
                    assert!(
                        r.absent || status != 404,
                        "{what}: allowed and visible, got 404 {shown}"
                    );
                } else if visible {
                    assert_eq!(status, 403, "{what}: not allowed, got {status} {shown}");
                }
            }
            if scoped {
                let missing = &answers[2];
                assert!(
                    missing.0 == 403 || missing.0 == 404,
                    "{user} {} {}: a missing object gives {missing:?}",
                    r.method,
                    r.path
                );
                hidden_like_missing(user, r.target, &answers, &format!("{} {}", r.method, r.path));
            }
        }
    }
    println!(
        "API matrix on {backend:?}: {} endpoints × {} roles, {cells} requests",
        rows.len(),
        USERS.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_every_endpoint_in_and_out_of_scope_sqlite() {
    api_matrix(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_every_endpoint_in_and_out_of_scope_postgres() {
    api_matrix(Backend::Postgres).await;
}

/// Console pages: (method, path, who, target). POSTs carry the session's CSRF token.
fn pages() -> Vec<(&'static str, &'static str, Who, Target)> {
    use Target::*;
    vec![
        ("GET", "/", Who::All, None),
        ("GET", "/complaints", Who::All, None),
        ("GET", "/complaints.csv", Who::All, None),
        ("GET", "/complaints.xlsx", Who::All, None),
        ("GET", "/complaints/new", REGISTER, None),
        ("GET", "/reports", Who::All, None),
        (
            "GET",
            "/reports.csv?from=2026-11-01&to=2026-11-30&by=grade",
            Who::All,
            None,
        ),
        ("GET", "/reports/analysis?period=2026-11", Who::All, None),
        ("GET", "/reports/analysis.pdf?period=2026-11", Who::All, None),
        (
            "GET",
            "/reports/register?week=2026-W47&department=engineering",
            Who::All,
            None,
        ),
        ("GET", "/reports/meeting.pdf?month=2026-11", Who::All, None),
        ("GET", "/warnings", Who::All, None),
        ("GET", "/issues", Who::All, None),
        ("GET", "/risks", Who::All, None),
        ("GET", "/cases", Who::All, None),
        ("GET", "/insight/risks.xlsx", Who::All, None),
        ("GET", "/accountability", MONEY, None),
        ("GET", "/accountability/statement.xlsx?month=2026-11", MONEY, None),
        ("GET", "/admin", ADMIN, None),
        ("GET", "/admin/calendar/2026", ADMIN, None),
        ("GET", "/me", Who::All, None),
        ("GET", "/complaints/{number}", Who::All, Complaint),
        ("GET", "/complaints/{number}/case-file", Who::All, Complaint),
        ("GET", "/complaints/{number}/accountability", Who::All, Complaint),
        ("GET", "/complaints/{number}/files/{id}", Who::All, Attachment),
        ("POST", "/complaints/{number}/act/note", WORKERS, Complaint),
        ("POST", "/complaints/{number}/contact", CONTACT, Complaint),
    ]
}

async fn web_matrix(backend: Backend) {
    let app = spawn(backend).await;
    let o = objects(&app).await;
    let mut cells = 0;
    for user in USERS {
        let (cookie, csrf) = app.web_session(user).await;
        for (method, template, who, target) in pages() {
            let scoped = target != Target::None;
            let mut answers = Vec::new();
            for which in placements(target) {
                let path = concrete(template, target, &o, *which);
                let before = fingerprint(&app).await;
                let (status, text) = if method == "GET" {
                    let (s, b) = app.web_get(&cookie, &path).await;
                    (s, String::from_utf8_lossy(&b).chars().take(4000).collect::<String>())
                } else {
                    let cr = app.token("groupcr").await;
                    let number = path.split('/').nth(2).unwrap();
                    let (_, c) = app.get(&format!("/api/v1/complaints/{number}"), &cr).await;
                    let version = c["version"].as_i64().unwrap_or(1).to_string();
                    let fields = [
                        ("_csrf", csrf.clone()),
                        ("version", version),
                        ("text", "已回访".to_string()),
                    ];
                    app.web_post(&cookie, &path, &fields).await
                };
                cells += 1;
                let what = format!("{user} {method} {path} ({backend:?})");
                assert!(status < 500, "{what}: {status}");
                unchanged_if_refused(&app, status, &before, &what).await;
                answers.push((status, text.replace(&path, "")));
                let Some(inside) = which else { continue };
                let visible = sees(user, target, *inside);
                if visible && who.admits(user) {
                    assert!(matches!(status, 200 | 303), "{what}: allowed and visible, got {status}");
                } else if visible {
                    assert_eq!(status, 403, "{what}: not allowed");
                }
            }
            if scoped {
                assert_eq!(answers[2].0, 404, "{user} {template}: a missing object");
                hidden_like_missing(user, target, &answers, &format!("{method} {template}"));
            }
        }
    }
    println!(
        "console matrix on {backend:?}: {} pages × {} roles, {cells} requests",
        pages().len(),
        USERS.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_every_page_in_and_out_of_scope() {
    web_matrix(Backend::Sqlite).await;
}
