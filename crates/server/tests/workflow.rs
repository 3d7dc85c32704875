//! The workflow over HTTP (R-WF-1…11): registration to archive, approvals with a rejection,
//! objection rounds, a dissatisfied callback, recusal, and refusals — on SQLite and PostgreSQL.

mod common;

use common::{body_with_phone, spawn, TestApp};
use serde_json::{json, Value};
use std::collections::HashMap;

struct Walk<'a> {
    app: &'a TestApp,
    tokens: HashMap<&'static str, String>,
    number: String,
    version: i64,
}

impl<'a> Walk<'a> {
    async fn new(app: &'a TestApp, body: Value) -> Walk<'a> {
        let mut tokens = HashMap::new();
        for u in [
            "agent",
            "specialist",
            "supervisor",
            "handler",
            "depthead",
            "projecthead",
            "regionhead",
            "groupcr",
        ] {
            tokens.insert(u, app.token(u).await);
        }
        let (s, c) = app.post("/api/v1/complaints", &tokens["agent"], &body).await;
        assert_eq!(s, 201, "{c}");
        Walk {
            app,
            tokens,
            number: c["number"].as_str().unwrap().to_string(),
            version: 1,
        }
    }

    /// Takes an action as `user` with the current version; returns status and body.
    async fn try_act(&self, user: &str, action: &str, mut body: Value) -> (u16, Value) {
        if body.get("version").is_none() {
            body["version"] = json!(self.version);
        }
        self.app
            .post(
                &format!("/api/v1/complaints/{}/actions/{action}", self.number),
                &self.tokens[user],
                &body,
            )
            .await
    }

    /// Takes an action that must succeed and lead to `state`.
    async fn act(&mut self, user: &str, action: &str, body: Value, state: &str) -> Value {
        let (s, c) = self.try_act(user, action, body).await;
        assert_eq!(s, 200, "{user} {action}: {c}");
        assert_eq!(c["state"], state, "{user} {action}");
        assert_eq!(c["version"], self.version + 1);
        self.version += 1;
        c
    }

    async fn through_investigation(&mut self) {
        self.act("supervisor", "dispatch", json!({"lead_department": "engineering", "co_departments": ["property"], "supervision_order": "工程部牵头，物业部配合"}), "dispatched").await;
        self.act("depthead", "assign", json!({"handler": "handler"}), "dispatched")
            .await;
        self.act(
            "handler",
            "respond",
            json!({"content": "已电话联系业主，约定明早上门查看", "method": "call"}),
            "investigating",
        )
        .await;
        self.act("handler", "assess", json!({"facts": "楼上卫生间防水层破损", "responsibility": "施工单位", "reasonableness": "reasonable", "direction": "修复防水并赔偿", "days_needed": 5}), "investigating").await;
    }
}

fn valid_body(action: &str) -> Value {
    match action {
        "dispatch" => json!({"lead_department": "engineering"}),
        "assign" => json!({"handler": "handler"}),
        "respond" | "log_contact" => json!({"content": "内容", "method": "call"}),
        "reply" => json!({"content": "内容"}),
        "assess" => json!({"facts": "事实", "reasonableness": "reasonable"}),
        "propose_plan" => json!({"measures": "措施"}),
        "reject_plan" => json!({"comment": "意见"}),
        "object" | "withdraw" | "reopen" | "escalate" => json!({"reason": "原因"}),
        "callback" => json!({"satisfaction": "satisfied"}),
        "merge" => json!({"into": "KS-202611-00001"}),
        "extend" => json!({"clock": "dispatch", "until": "2026-12-01T10:00:00+08:00", "reason": "原因"}),
        "note" => json!({"text": "备注"}),
        _ => json!({}),
    }
}

/// Every action of API.md, from the domain's own list.
fn actions() -> Vec<&'static str> {
    use domain::Code;
    domain::state::Action::ALL.iter().map(|a| a.code()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_general_complaint_from_registration_to_archive() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let mut w = Walk::new(&app, body_with_phone(1)).await;
        w.through_investigation().await;
        let c = w
            .act(
                "handler",
                "propose_plan",
                json!({"measures": "重做卫生间防水，修补天花板", "deadline": "2026-11-29", "compensation_fen": 0}),
                "implementing",
            )
            .await;
        assert_eq!(
            c["plan"]["approval_chain"],
            json!([]),
            "a general complaint without compensation needs no approval"
        );
        assert_eq!(c["lead_department"]["code"], "engineering");
        assert_eq!(c["co_departments"], json!([{"code": "property", "name": "物业部"}]));
        assert_eq!(c["accountable"]["name"], "孙伟", "the lead department's head (R-SLA-4)");
        assert_eq!(c["handler"]["name"], "赵强");
        let first_response = c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["clock"] == "first_response")
            .unwrap();
        assert_eq!(
            (first_response["state"].as_str(), first_response["met_at"].as_str()),
            (Some("met"), Some("2026-11-22T10:00:00+08:00"))
        );
        w.act(
            "handler",
            "log_contact",
            json!({"method": "visit", "content": "上门查看，拍照取证"}),
            "implementing",
        )
        .await;
        w.act(
            "handler",
            "reply",
            json!({"content": "防水已修复，天花板已修补", "written": true}),
            "replied",
        )
        .await;
        w.act(
            "specialist",
            "confirm",
            json!({"comment": "业主认可"}),
            "awaiting_callback",
        )
        .await;
        let (s, _) = w.try_act("supervisor", "close", json!({})).await;
        assert_eq!(s, 409, "no close before the callback (R-WF-9)");
        w.act(
            "specialist",
            "callback",
            json!({"satisfaction": "satisfied", "remarks": "满意"}),
            "awaiting_callback",
        )
        .await;
        let closed = w
            .act("supervisor", "close", json!({"summary": "已修复"}), "closed")
            .await;
        assert!(closed["closed_at"].is_string());
        let archived = w.act("supervisor", "archive", json!({}), "archived").await;
        assert!(archived["archived_at"].is_string());

        // An archived complaint refuses every change (R-WF-9).
        for action in actions() {
            let (s, p) = w.try_act("groupcr", action, valid_body(action)).await;
            assert_eq!(s, 409, "{backend:?} archived × {action}: {p}");
        }
        let (_, after) = app
            .get(&format!("/api/v1/complaints/{}", w.number), &w.tokens["groupcr"])
            .await;
        assert_eq!(after["version"], w.version);

        let (s, t) = app
            .get(
                &format!("/api/v1/complaints/{}/timeline", w.number),
                &w.tokens["groupcr"],
            )
            .await;
        assert_eq!(s, 200);
        let kinds: Vec<&str> = t["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "registered",
                "dispatch",
                "assign",
                "respond",
                "assess",
                "propose_plan",
                "log_contact",
                "reply",
                "confirm",
                "callback",
                "close",
                "archive"
            ]
        );
        assert_eq!(t["items"][1]["actor"], "刘洋");
        assert_eq!(t["items"][1]["detail"]["before"]["state"], "registered");
        assert_eq!(t["items"][1]["detail"]["after"]["state"], "dispatched");

        // Notifications went to the outbox with the change (delivery is the clocks issue's job).
        let mut r = app.state.store.reader().await.unwrap();
        let id: uuid::Uuid = after["id"].as_str().unwrap().parse().unwrap();
        let kinds: Vec<String> = store::outbox::of_complaint(&mut r.conn(), id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.kind)
            .collect();
        for k in [
            "complaint_registered",
            "complaint_dispatched",
            "complaint_assigned",
            "complaint_replied",
            "callback_survey",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{backend:?}: {k} in {kinds:?}");
        }
        assert!(matches!(
            store::audit::verify(&mut r.conn()).await.unwrap(),
            store::audit::Verdict::Intact { .. }
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_plan_is_rejected_then_approved_up_the_chain() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let mut body = body_with_phone(2);
    body["households"] = json!(3);
    let mut w = Walk::new(&app, body).await;
    w.through_investigation().await;
    let (_, c) = app
        .get(&format!("/api/v1/complaints/{}", w.number), &w.tokens["groupcr"])
        .await;
    assert_eq!(c["grade"], "major");
    assert_eq!(
        c["accountable"]["name"], "郑华",
        "a group complaint is the region head's (R-SLA-4)"
    );
    let plan = json!({"measures": "整栋外墙防水翻新", "compensation_fen": 500_000, "compensation_form": "现金"});
    let c = w
        .act("handler", "propose_plan", plan.clone(), "awaiting_approval")
        .await;
    assert_eq!(
        c["plan"]["approval_chain"],
        json!(["dept_head", "project_head", "region_head"])
    );
    assert_eq!(c["approvals_pending"], 3);
    assert_eq!(
        w.try_act("handler", "approve_plan", json!({})).await.0,
        403,
        "a handler cannot approve"
    );
    assert_eq!(
        w.try_act("projecthead", "approve_plan", json!({})).await.0,
        403,
        "the department head approves first"
    );
    let c = w
        .act(
            "depthead",
            "reject_plan",
            json!({"comment": "赔偿标准偏高，请重新核算"}),
            "investigating",
        )
        .await;
    assert_eq!(c["plan"]["status"], "rejected");
    assert_eq!(c["plan"]["rejections"][0]["comment"], "赔偿标准偏高，请重新核算");
    w.act(
        "handler",
        "propose_plan",
        json!({"measures": "整栋外墙防水翻新", "compensation_fen": 300_000}),
        "awaiting_approval",
    )
    .await;
    w.act(
        "depthead",
        "approve_plan",
        json!({"comment": "同意"}),
        "awaiting_approval",
    )
    .await;
    w.act("projecthead", "approve_plan", json!({}), "awaiting_approval")
        .await;
    let c = w.act("regionhead", "approve_plan", json!({}), "implementing").await;
    assert_eq!(c["plan"]["status"], "in_force");
    let approvers: Vec<&str> = c["plan"]["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert_eq!(approvers, ["dept_head", "project_head", "region_head"]);
    assert_eq!(
        c["plan"]["rejections"].as_array().unwrap().len(),
        1,
        "the rejection stays on record"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objection_opens_a_linked_round_and_dissatisfaction_reopens() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let mut w = Walk::new(&app, body_with_phone(3)).await;
    w.through_investigation().await;
    w.act(
        "handler",
        "reply",
        json!({"content": "经核实为楼上责任，已协调楼上修复"}),
        "replied",
    )
    .await;
    let c = w
        .act(
            "specialist",
            "object",
            json!({"reason": "业主要求赔偿损失"}),
            "investigating",
        )
        .await;
    assert_eq!(
        (c["round"].as_i64(), c["escalation_level"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(c["assessment"].is_null(), "the new round starts a fresh assessment");
    let (s, _) = w.try_act("handler", "propose_plan", json!({"measures": "x"})).await;
    assert_eq!(s, 409, "assess again first");
    w.act(
        "handler",
        "assess",
        json!({"facts": "损失已核实", "reasonableness": "partly_reasonable"}),
        "investigating",
    )
    .await;
    w.act(
        "handler",
        "propose_plan",
        json!({"measures": "赔偿天花板修补费用", "compensation_fen": 100_000}),
        "implementing",
    )
    .await;
    w.act("handler", "reply", json!({"content": "同意赔偿1000元"}), "replied")
        .await;
    w.act("specialist", "confirm", json!({}), "awaiting_callback").await;
    let c = w
        .act(
            "specialist",
            "callback",
            json!({"satisfaction": "very_dissatisfied", "remarks": "处理太慢"}),
            "investigating",
        )
        .await;
    assert_eq!(c["round"], 3);
    assert_eq!(c["satisfaction"], "very_dissatisfied");
    let (_, t) = app
        .get(
            &format!("/api/v1/complaints/{}/timeline", w.number),
            &w.tokens["groupcr"],
        )
        .await;
    let object = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "object")
        .unwrap();
    assert_eq!(object["detail"]["detail"]["round"], 2);
    assert_eq!(object["detail"]["detail"]["escalated_to"], "dept_head");
    let callback = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "callback")
        .unwrap();
    assert_eq!(callback["detail"]["detail"]["reopened"]["round"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recusal_hides_the_complaint_from_the_employee_it_names() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let mut body = body_with_phone(4);
        body["subject"] = json!("维修工态度恶劣");
        body["complained_employee"] = json!("handler");
        let mut w = Walk::new(&app, body).await;
        w.act(
            "supervisor",
            "dispatch",
            json!({"lead_department": "engineering"}),
            "dispatched",
        )
        .await;
        // The handler of the department cannot see it, list it or be assigned to it (R-WF-3).
        let path = format!("/api/v1/complaints/{}", w.number);
        assert_eq!(app.get(&path, &w.tokens["handler"]).await.0, 404, "{backend:?}");
        assert_eq!(app.get(&format!("{path}/timeline"), &w.tokens["handler"]).await.0, 404);
        let (_, list) = app.get("/api/v1/complaints", &w.tokens["handler"]).await;
        assert!(list["items"].as_array().unwrap().is_empty(), "{backend:?}: {list}");
        assert_eq!(w.try_act("handler", "note", json!({"text": "x"})).await.0, 404);
        let (s, p) = w.try_act("depthead", "assign", json!({"handler": "handler"})).await;
        assert_eq!(s, 422, "{p}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("recused"));
        // The department head sees it as usual.
        assert_eq!(app.get(&path, &w.tokens["depthead"]).await.0, 200);
        let (_, list) = app.get("/api/v1/complaints", &w.tokens["depthead"]).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        w.act("depthead", "assign", json!({"handler": "depthead"}), "dispatched")
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_actions_are_refused_and_change_nothing() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let mut w = Walk::new(&app, body_with_phone(5)).await;
    let cases: Vec<(&str, &str, Value, u16)> = vec![
        ("supervisor", "reply", json!({"content": "x"}), 409),
        (
            "supervisor",
            "dispatch",
            json!({"version": 7, "lead_department": "engineering"}),
            409,
        ),
        (
            "supervisor",
            "dispatch",
            json!({"version": "1", "lead_department": "engineering"}),
            422,
        ),
        (
            "supervisor",
            "dispatch",
            json!({"lead_department": "engineering", "version": null}),
            422,
        ),
        ("supervisor", "dispatch", json!({}), 422),
        ("supervisor", "dispatch", json!({"lead_department": "nope"}), 422),
        (
            "supervisor",
            "dispatch",
            json!({"lead_department": "engineering", "co_departments": ["engineering"]}),
            422,
        ),
        (
            "supervisor",
            "dispatch",
            json!({"lead_department": "engineering", "extra": 1}),
            422,
        ),
        ("agent", "dispatch", json!({"lead_department": "engineering"}), 403),
        ("supervisor", "fly", json!({}), 404),
        ("supervisor", "note", json!({"text": "   "}), 422),
        (
            "supervisor",
            "extend",
            json!({"clock": "dispatch", "until": "yesterday", "reason": "x"}),
            422,
        ),
        (
            "supervisor",
            "extend",
            json!({"clock": "dispatch", "until": "2026-11-22T11:00:00+08:00", "reason": "x"}),
            422,
        ),
        (
            "supervisor",
            "extend",
            json!({"clock": "callback", "until": "2026-12-22T11:00:00+08:00", "reason": "x"}),
            422,
        ),
        ("supervisor", "merge", json!({"into": "KS-209901-00001"}), 422),
        ("supervisor", "close", json!({}), 422),
    ];
    for (user, action, body, status) in cases {
        let (s, p) = w.try_act(user, action, body.clone()).await;
        assert_eq!(s, status, "{user} {action} {body}: {p}");
        assert_eq!(p["status"], status);
    }
    let (_, c) = app
        .get(&format!("/api/v1/complaints/{}", w.number), &w.tokens["groupcr"])
        .await;
    assert_eq!(
        (c["version"].as_i64(), c["state"].as_str()),
        (Some(1), Some("registered")),
        "nothing changed"
    );
    // Amounts: negative and absurd compensation.
    w.through_investigation().await;
    for fen in [json!(-1), json!(10_000_000_001i64), json!(12.5), json!("100")] {
        let (s, p) = w
            .try_act(
                "handler",
                "propose_plan",
                json!({"measures": "x", "compensation_fen": fen}),
            )
            .await;
        assert_eq!(s, 422, "{fen}: {p}");
    }
    // By now every intake clock is met: there is nothing running to extend.
    let (s, _) = w
        .try_act(
            "supervisor",
            "extend",
            json!({"clock": "acknowledge", "until": "2026-11-25T18:00:00+08:00", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 422);
    // A deadline extension with a reason moves a running clock and tells the customer (R-WF-11).
    let mut late = Walk::new(&app, body_with_phone(8)).await;
    let c = late
        .act(
            "supervisor",
            "extend",
            json!({"clock": "dispatch", "until": "2026-11-23T10:00:00+08:00", "reason": "需等待检测报告"}),
            "registered",
        )
        .await;
    let dispatch = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["clock"] == "dispatch")
        .unwrap();
    assert_eq!(dispatch["due_at"], "2026-11-23T10:00:00+08:00");
    let mut r = app.state.store.reader().await.unwrap();
    let id: uuid::Uuid = c["id"].as_str().unwrap().parse().unwrap();
    let told = store::outbox::of_complaint(&mut r.conn(), id).await.unwrap();
    assert!(told
        .iter()
        .any(|m| m.kind == "deadline_extended" && m.channel == "sms" && m.payload.contains("需等待检测报告")));
    drop(r);
    // Withdrawal and merge.
    let mut other = Walk::new(&app, body_with_phone(6)).await;
    other
        .act("supervisor", "merge", json!({"into": w.number}), "merged")
        .await;
    let (_, target) = app
        .get(&format!("/api/v1/complaints/{}", w.number), &w.tokens["groupcr"])
        .await;
    assert_eq!(
        target["households"], 2,
        "the merged complaint's households join the target (R-WF-10)"
    );
    assert_eq!(
        other.try_act("supervisor", "withdraw", json!({"reason": "x"})).await.0,
        409
    );
    w.version = target["version"].as_i64().unwrap();
    w.act("specialist", "withdraw", json!({"reason": "业主撤诉"}), "withdrawn")
        .await;
    // An on-the-spot resolution closes at intake (R-IN-4).
    let mut spot = Walk::new(&app, body_with_phone(7)).await;
    spot.act("supervisor", "close", json!({"summary": "当场解释清楚"}), "closed")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_complaints_link_both_ways_without_leaking_across_scopes() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let groupcr = app.token("groupcr").await;
        let agent = app.token("agent").await;
        let mut numbers = Vec::new();
        for (i, project) in ["GZ-001", "GZ-001", "SZ-001"].into_iter().enumerate() {
            let mut b = body_with_phone(20 + i);
            b["project_code"] = json!(project);
            let (_, c) = app.post("/api/v1/complaints", &groupcr, &b).await;
            numbers.push(c["number"].as_str().unwrap().to_string());
        }
        let link = |from: &str, to: &str, token: &str| {
            let (path, body, token) = (
                format!("/api/v1/complaints/{from}/links"),
                json!({"number": to, "reason": "同一栋楼同一渗水点"}),
                token.to_string(),
            );
            let app = &app;
            async move { app.post(&path, &token, &body).await }
        };
        let (s, c) = link(&numbers[0], &numbers[1], &groupcr).await;
        assert_eq!(s, 200, "{backend:?}: {c}");
        assert_eq!(
            c["links"],
            json!([{"number": numbers[1], "reason": "同一栋楼同一渗水点"}])
        );
        let (_, other) = app.get(&format!("/api/v1/complaints/{}", numbers[1]), &groupcr).await;
        assert_eq!(other["links"][0]["number"], numbers[0], "links read both ways");
        assert_eq!(
            link(&numbers[1], &numbers[0], &groupcr).await.0,
            200,
            "linking again is harmless"
        );
        assert_eq!(link(&numbers[0], &numbers[2], &groupcr).await.0, 200);
        // The Guangzhou agent sees the Guangzhou link, not the Shenzhen one.
        let (_, seen) = app.get(&format!("/api/v1/complaints/{}", numbers[0]), &agent).await;
        assert_eq!(
            seen["links"],
            json!([{"number": numbers[1], "reason": "同一栋楼同一渗水点"}]),
            "{backend:?}"
        );
        assert_eq!(
            link(&numbers[0], &numbers[2], &agent).await.0,
            422,
            "the agent cannot name a complaint outside scope"
        );
        assert_eq!(link(&numbers[0], &numbers[0], &groupcr).await.0, 422);
        assert_eq!(link(&numbers[0], "KS-209901-00009", &groupcr).await.0, 422);
        let (_, t) = app
            .get(&format!("/api/v1/complaints/{}/timeline", numbers[0]), &groupcr)
            .await;
        assert_eq!(
            t["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "linked")
                .count(),
            2,
            "one event per new link"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_written_reply_prints_as_a_letter_with_hostile_text_inert() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let mut body = body_with_phone(30);
    body["subject"] = json!("漏水<b>严重</b>");
    let mut w = Walk::new(&app, body).await;
    let letter_url = format!("{}/api/v1/complaints/{}/reply-letter", app.base, w.number);
    let groupcr = w.tokens["groupcr"].clone();
    let get = |lang: &'static str| {
        let req = app.client.get(format!("{letter_url}{lang}")).bearer_auth(&groupcr);
        async move {
            let r = req.send().await.unwrap();
            (
                r.status().as_u16(),
                r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()),
                r.text().await.unwrap(),
            )
        }
    };
    assert_eq!(get("").await.0, 404, "no reply yet");
    w.through_investigation().await;
    w.act(
        "handler",
        "reply",
        json!({"content": "已安排维修。<script>alert('x')</script>", "written": true}),
        "replied",
    )
    .await;
    let (s, ct, html) = get("").await;
    assert_eq!(s, 200);
    assert!(ct.unwrap().starts_with("text/html"));
    for expected in [
        "客户投诉书面答复函",
        w.number.as_str(),
        "尊敬的张三：",
        "2026-11-22",
        "天河·云璟花园 3栋 1502",
        "已安排维修。",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(!html.contains("<script>alert"), "the reply is escaped");
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
        "{html}"
    );
    assert!(!html.contains("<b>严重</b>"), "the owner's subject is escaped");
    let (_, _, english) = get("?lang=en").await;
    assert!(english.contains("Written Reply to Your Complaint") && english.contains("lang=\"en\""));
    // The assigned handler of the lead department may print it too.
    let handler_status = {
        let t = app.token("handler").await;
        app.client
            .get(&letter_url)
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(handler_status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_tiers_are_configurable_and_the_archive_is_filed_by_year() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let admin = app.token("admin").await;
    let groupcr = app.token("groupcr").await;
    let (s, policy) = app.get("/api/v1/settings/approval-policy", &groupcr).await;
    assert_eq!(s, 200);
    assert_eq!(
        policy["ladder"],
        json!(["dept_head", "project_head", "region_head", "group_cr"])
    );
    let client = &app.client;
    let put = |token: &str, body: Value| {
        let req = client
            .put(format!("{}/api/v1/settings/approval-policy", app.base))
            .bearer_auth(token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Only 1,000 yuan within the handler's authority; above that the project head alone.
    let custom = json!({"ladder": ["project_head"], "by_grade": {"general": 0, "important": 1, "major": 1, "urgent": 1}, "by_amount": [{"up_to_fen": 100_000, "tiers": 0}]});
    assert_eq!(put(&groupcr, custom.clone()).await.0, 403, "administrators only");
    let mut bad = custom.clone();
    bad["ladder"] = json!(["agent"]);
    assert_eq!(put(&admin, bad).await.0, 422);
    let (s, now) = put(&admin, custom.clone()).await;
    assert_eq!((s, &now), (200, &custom));

    let mut w = Walk::new(&app, body_with_phone(50)).await;
    w.through_investigation().await;
    let c = w
        .act(
            "handler",
            "propose_plan",
            json!({"measures": "赔偿", "compensation_fen": 150_000}),
            "awaiting_approval",
        )
        .await;
    assert_eq!(
        c["plan"]["approval_chain"],
        json!(["project_head"]),
        "the stored policy applies"
    );
    assert_eq!(w.try_act("depthead", "approve_plan", json!({})).await.0, 403);
    w.act("projecthead", "approve_plan", json!({}), "implementing").await;
    w.act("handler", "reply", json!({"content": "已赔偿"}), "replied").await;
    w.act("specialist", "confirm", json!({}), "awaiting_callback").await;
    w.act(
        "specialist",
        "callback",
        json!({"impossible_reason": "业主电话三次无人接听"}),
        "awaiting_callback",
    )
    .await;
    w.act("supervisor", "close", json!({}), "closed").await;
    w.act("supervisor", "archive", json!({}), "archived").await;

    let (_, in_2026) = app.get("/api/v1/complaints?archived_year=2026", &groupcr).await;
    let numbers: Vec<&str> = in_2026["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [w.number.as_str()]);
    let (_, in_2025) = app.get("/api/v1/complaints?archived_year=2025", &groupcr).await;
    assert!(in_2025["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/v1/complaints?archived_year=26", &groupcr).await.0, 422);
    // The change of policy is on the audit trail, and the chain still holds.
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    let changes: Vec<String> = store::on_conn!(&mut c, |c| sqlx::query_scalar(
        "SELECT payload FROM event WHERE kind = 'setting_changed'"
    )
    .fetch_all(&mut **c)
    .await)
    .unwrap();
    assert_eq!(changes.len(), 1);
    let change: Value = serde_json::from_str(&changes[0]).unwrap();
    assert_eq!(
        change["before"]["ladder"],
        json!(["dept_head", "project_head", "region_head", "group_cr"])
    );
    assert_eq!(change["after"], custom);
    assert!(matches!(
        store::audit::verify(&mut c).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}
