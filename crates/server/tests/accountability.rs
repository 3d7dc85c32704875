//! Accountability (R-AC-1): responsibility for a closed complaint, shares that make exactly
//! 100%, proposed and then approved or rejected by someone else; refused input changes nothing.
//! On both backends.

mod common;

use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responsibility_is_shared_to_one_hundred_percent_and_approved() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let sup = app.token("supervisor").await;
        let head = app.token("projecthead").await;
        let agent = app.token("agent").await;
        let (s, c) = app.post("/api/v1/complaints", &cr, &common::body()).await;
        assert_eq!(s, 201, "{c}");
        let number = c["number"].as_str().unwrap().to_string();
        let path = format!("/api/v1/complaints/{number}/responsibility");
        let propose = |token: String, body: Value| {
            let (app, path) = (&app, &path);
            async move { app.put(path, &token, &body).await }
        };
        let good = json!({"parties": [
            {"kind": "department", "party": "engineering", "share": 60},
            {"kind": "contractor", "party": "广州某防水工程公司", "share": 30.5},
            {"kind": "person", "party": "handler", "share": 9.5}
        ]});
        // Not before closure.
        assert_eq!(propose(sup.clone(), good.clone()).await.0, 409);
        app.walk(&cr, &number, &common::to_closure()).await;
        let with = |i: usize, k: &str, v: Value| {
            let mut b = good.clone();
            b["parties"][i][k] = v;
            b
        };
        for (body, field) in [
            (with(0, "share", json!(50)), "parties"),
            (with(0, "share", json!(70)), "parties"),
            (with(2, "share", json!(-0.5)), "parties[2].share"),
            (with(2, "share", json!(9.505)), "parties[2].share"),
            (with(2, "party", json!("nobody")), "parties[2].party"),
            (with(0, "party", json!("dragons")), "parties[0].party"),
            (with(1, "kind", json!("alien")), "parties[1].kind"),
            (
                json!({"parties": [
                    {"kind": "department", "party": "engineering", "share": 60},
                    {"kind": "department", "party": "engineering", "share": 40}
                ]}),
                "parties[1].party",
            ),
            (json!({"parties": []}), "parties"),
            (
                json!({"parties": [{"kind": "team", "party": "维修一组", "share": 100}], "x": 1}),
                "x",
            ),
        ] {
            let (s, p) = propose(sup.clone(), body.clone()).await;
            assert_eq!(s, 422, "{body}: {p}");
            assert_eq!(p["errors"][0]["field"], field, "{p}");
        }
        assert_eq!(propose(agent.clone(), good.clone()).await.0, 403);
        let (_, none) = app.get(&path, &sup).await;
        assert_eq!(none["assignment"], Value::Null, "nothing was written");

        let (s, a) = propose(sup.clone(), good.clone()).await;
        assert_eq!(s, 200, "{a}");
        assert_eq!(a["assignment"]["state"], "proposed");
        let shares: Vec<f64> = a["assignment"]["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["share"].as_f64().unwrap())
            .collect();
        assert_eq!(shares, [60.0, 30.5, 9.5]);
        assert_eq!(
            propose(sup.clone(), good.clone()).await.0,
            409,
            "one proposal at a time"
        );

        let decision = format!("{path}/decision");
        assert_eq!(
            app.post(&decision, &sup, &json!({"approve": true})).await.0,
            403,
            "supervisors propose, heads approve"
        );
        assert_eq!(
            app.post(&decision, &head, &json!({"approve": false})).await.0,
            422,
            "a rejection says why"
        );
        let (s, r) = app
            .post(&decision, &head, &json!({"approve": false, "note": "物业也有责任"}))
            .await;
        assert_eq!((s, r["assignment"]["state"].as_str()), (200, Some("rejected")), "{r}");
        let mut again = good.clone();
        again["parties"][2] = json!({"kind": "department", "party": "property", "share": 9.5});
        let (s, _) = propose(head.clone(), again).await;
        assert_eq!(s, 200, "a rejected assignment may be proposed again");
        let (s, _) = app.post(&decision, &head, &json!({"approve": true})).await;
        assert_eq!(s, 403, "nobody approves their own proposal");
        let (s, r) = app
            .post(&decision, &cr, &json!({"approve": true, "note": "同意"}))
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["assignment"]["state"], "approved");
        assert_eq!(r["assignment"]["proposed_by"], "周涛");
        assert_eq!(r["assignment"]["decided_by"], "钱芳");
        assert_eq!(r["assignment"]["parties"][2]["party"], "property");
        assert_eq!(
            app.post(&decision, &head, &json!({"approve": false, "note": "x"}))
                .await
                .0,
            409
        );
        assert_eq!(
            propose(sup.clone(), good.clone()).await.0,
            409,
            "an approved assignment stands"
        );
        // The console shows it on the complaint's accountability page, with no form left to use.
        let cookie = app.web_cookie("groupcr").await;
        let (s, html) = app
            .web_get(&cookie, &format!("/complaints/{number}/accountability"))
            .await;
        let html = String::from_utf8(html).unwrap();
        assert_eq!(s, 200);
        assert!(html.contains("<p>已批准</p>"), "{html}");
        assert!(
            html.contains("<td>部门</td><td>engineering</td><td>60.0%</td>"),
            "{html}"
        );
        assert!(
            !html.contains("/accountability/propose"),
            "an approved assignment takes no new proposal"
        );
    }
}

/// From a closed complaint to HR's monthly statements (R-AC-2): a major demerit and a warning in
/// October against a 3,000-yuan bonus deduct 1,500 and carry 1,900; November's minor demerit
/// brings 2,700 due, 1,500 deducted, 1,200 carried. Closed months and bad entries are refused
/// and change nothing. On both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_statement_caps_deductions_and_carries_the_rest() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let agent = app.token("agent").await;
        let admin = app.token("admin").await;
        let (s, c) = app.post("/api/v1/complaints", &cr, &common::body()).await;
        assert_eq!(s, 201, "{c}");
        let number = c["number"].as_str().unwrap().to_string();
        app.walk(&cr, &number, &common::to_closure()).await;
        let put = |path: &str, body: Value| {
            let (app, cr, path) = (&app, &cr, path.to_string());
            async move { app.put(&path, cr, &body).await }
        };
        let (s, v) = put(
            "/api/v1/accountability/bonuses/2026-10",
            json!({"bonuses": [{"user": "handler", "amount_fen": 300_000}, {"user": "depthead", "amount_fen": 500_000}]}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            put(
                "/api/v1/accountability/bonuses/2026-11",
                json!({"bonuses": [{"user": "handler", "amount_fen": 300_000}]})
            )
            .await
            .0,
            200
        );
        let record = |body: Value| {
            let (app, cr) = (&app, &cr);
            async move { app.post("/api/v1/accountability/sanctions", cr, &body).await }
        };
        for (body, fen) in [
            (
                json!({"user": "handler", "month": "2026-10", "kind": "major_demerit", "complaint": number, "reason": "防水施工监管失职"}),
                300_000,
            ),
            (
                json!({"user": "handler", "month": "2026-10", "kind": "warning", "reason": "未按时回访"}),
                40_000,
            ),
            (
                json!({"user": "depthead", "month": "2026-10", "kind": "commendation", "reason": "快速组织维修"}),
                20_000,
            ),
            (
                json!({"user": "handler", "month": "2026-11", "kind": "minor_demerit", "bases": 1, "reason": "再次延误"}),
                80_000,
            ),
        ] {
            let (s, v) = record(body.clone()).await;
            assert_eq!(s, 200, "{body}: {v}");
            assert_eq!(v["amount_fen"], fen, "{body}");
        }
        let (_, before) = app.get("/api/v1/accountability/statements/2026-11", &cr).await;
        // Refused entries change nothing.
        for (body, status) in [
            (
                json!({"user": "handler", "month": "2026-11", "kind": "reward", "amount_fen": -100, "reason": "x"}),
                422,
            ),
            (
                json!({"user": "handler", "month": "2026-11", "kind": "warning", "bases": 13, "reason": "x"}),
                422,
            ),
            (
                json!({"user": "nobody", "month": "2026-11", "kind": "warning", "reason": "x"}),
                422,
            ),
            (
                json!({"user": "handler", "month": "2026-13", "kind": "warning", "reason": "x"}),
                422,
            ),
            (
                json!({"user": "handler", "month": "2026-11", "kind": "fine", "reason": "x"}),
                422,
            ),
            (
                json!({"user": "depthead", "month": "2026-11", "kind": "major_demerit", "reason": "no bonus recorded"}),
                422,
            ),
            (
                json!({"user": "handler", "month": "2026-11", "kind": "warning", "reason": "x", "amount": 1}),
                422,
            ),
            (
                json!({"user": "handler", "month": "2026-11", "kind": "warning", "reason": "  "}),
                422,
            ),
        ] {
            let (s, p) = record(body.clone()).await;
            assert_eq!(s, status, "{body}: {p}");
        }
        assert_eq!(
            app.post(
                "/api/v1/accountability/sanctions",
                &agent,
                &json!({"user": "handler", "month": "2026-11", "kind": "warning", "reason": "x"})
            )
            .await
            .0,
            403
        );
        let (_, after) = app.get("/api/v1/accountability/statements/2026-11", &cr).await;
        assert_eq!(before, after, "nothing changed");

        let person = |v: &Value, user: &str| {
            v["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["user"] == user)
                .unwrap()
                .clone()
        };
        let fen = |p: &Value, keys: &[&str]| keys.iter().map(|k| p[*k].as_i64().unwrap()).collect::<Vec<i64>>();
        let keys = [
            "bonus_fen",
            "carried_in_fen",
            "assessed_fen",
            "cap_fen",
            "deducted_fen",
            "carried_out_fen",
            "rewards_fen",
        ];
        let (s, oct) = app.get("/api/v1/accountability/statements/2026-10", &cr).await;
        assert_eq!(s, 200, "{oct}");
        assert_eq!(
            fen(&person(&oct, "handler"), &keys),
            [300_000, 0, 340_000, 150_000, 150_000, 190_000, 0]
        );
        assert_eq!(
            fen(&person(&oct, "depthead"), &keys),
            [500_000, 0, 0, 250_000, 0, 0, 20_000]
        );
        assert_eq!(
            oct["departments"],
            json!([{"department": "engineering", "deducted_fen": 150_000, "carried_out_fen": 190_000, "rewards_fen": 20_000, "people": 2}])
        );
        assert_eq!(
            fen(&person(&after, "handler"), &keys),
            [300_000, 190_000, 80_000, 150_000, 150_000, 120_000, 0]
        );

        // Closing October: nothing more for it, and not twice.
        let (s, closed) = app
            .post("/api/v1/accountability/months/2026-10/close", &cr, &json!({}))
            .await;
        assert_eq!((s, closed["closed"].as_bool()), (200, Some(true)), "{closed}");
        assert_eq!(
            app.post("/api/v1/accountability/months/2026-10/close", &cr, &json!({}))
                .await
                .0,
            409
        );
        assert_eq!(
            record(json!({"user": "handler", "month": "2026-10", "kind": "warning", "reason": "late"}))
                .await
                .0,
            409
        );
        assert_eq!(
            put(
                "/api/v1/accountability/bonuses/2026-10",
                json!({"bonuses": [{"user": "handler", "amount_fen": 1}]})
            )
            .await
            .0,
            409
        );
        let (_, oct2) = app.get("/api/v1/accountability/statements/2026-10", &cr).await;
        assert_eq!(oct2["people"], oct["people"]);

        // Rates are configurable by administrators only.
        let rates = json!({"warning": 50_000, "minor_demerit": 80_000, "commendation": 20_000, "merit": 50_000});
        assert_eq!(app.put("/api/v1/settings/sanction-rates", &cr, &rates).await.0, 403);
        assert_eq!(
            app.put("/api/v1/settings/sanction-rates", &admin, &json!({"warning": 0}))
                .await
                .0,
            422
        );
        assert_eq!(app.put("/api/v1/settings/sanction-rates", &admin, &rates).await.0, 200);
        let (s, v) =
            record(json!({"user": "handler", "month": "2026-11", "kind": "warning", "reason": "态度问题"})).await;
        assert_eq!((s, v["amount_fen"].as_i64()), (200, Some(50_000)));

        // Staff figures for November (R-AC-4): the handler's one complaint, closed on time and
        // satisfied, and 800 + 500 yuan of penalties.
        let (s, perf) = app.get("/api/v1/accountability/performance/2026-11", &cr).await;
        assert_eq!(s, 200, "{perf}");
        assert_eq!(
            perf["people"],
            json!([{"user": "handler", "name": "赵强", "department": "engineering", "handled": 1, "closed": 1,
                "handling_timely_rate": 1.0, "satisfaction_rate": 1.0, "penalties_fen": 130_000, "rewards_fen": 0}])
        );
        assert_eq!(perf["departments"][0]["penalties_fen"], 130_000);
        assert_eq!(perf["departments"][0]["handled"], 1);
        let (s, oct) = app.get("/api/v1/accountability/performance/2026-10", &cr).await;
        assert_eq!(s, 200);
        let names: Vec<&str> = oct["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["user"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["handler", "depthead"], "October: entries only, in user order");
        assert_eq!(
            app.get("/api/v1/accountability/performance/2026-11", &agent).await.0,
            403
        );

        // The console: the statement in yuan, its export for HR, and the form.
        let (cookie, csrf) = app.web_session("groupcr").await;
        let (s, html) = app.web_get(&cookie, "/accountability?month=2026-10").await;
        let html = String::from_utf8(html).unwrap();
        assert_eq!(s, 200);
        assert!(html.contains("<td>赵强</td><td>engineering</td><td>3000.00</td><td>0.00</td><td>3400.00</td><td>1500.00</td><td>1500.00</td><td>1900.00</td><td>0.00</td>"), "{html}");
        let (_, book) = app
            .web_get(&cookie, "/accountability/statement.xlsx?month=2026-11")
            .await;
        let rows = common::read_xlsx(&book);
        assert_eq!(rows[0][6].0, "本月扣款");
        let handler = rows.iter().find(|r| r[9].0 == "handler").unwrap();
        assert_eq!(
            (handler[3].0.clone(), handler[7].0.clone()),
            (json!("1900.00"), json!("1700.00")),
            "with the 500-yuan warning: 1,900 + 800 + 500 due, 1,500 deducted"
        );
        let post = |fields: Vec<(&'static str, String)>| {
            let (app, cookie) = (&app, &cookie);
            async move { app.web_post(cookie, "/accountability", &fields).await }
        };
        let entry = |csrf: &str, user: &str| {
            vec![
                ("_csrf", csrf.to_string()),
                ("month", "2026-11".to_string()),
                ("user", user.to_string()),
                ("kind", "merit".to_string()),
                ("bases", "1".to_string()),
                ("reason", "<b>表扬</b>".to_string()),
            ]
        };
        assert_eq!(post(entry("forged", "handler")).await.0, 403);
        let (s, html) = post(entry(&csrf, "nobody")).await;
        assert_eq!(s, 422);
        assert!(html.contains("user: unknown user"), "{html}");
        assert_eq!(post(entry(&csrf, "handler")).await.0, 303);
        let (_, perf) = app.get("/api/v1/accountability/performance/2026-11", &cr).await;
        assert_eq!(
            perf["people"][0]["rewards_fen"], 50_000,
            "one merit recorded through the form"
        );
    }
}

/// Compensation and expense budgets (R-AC-3): the approved compensation is paid once and in
/// full; a region's budget is at most 0.5‰ of its sales target; customer-relations spending
/// stops at the budget while delivery services and compensation are kept apart. Both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compensation_is_paid_once_and_spending_stays_within_budget() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let sup = app.token("supervisor").await;
        let (s, c) = app.post("/api/v1/complaints", &cr, &common::body()).await;
        assert_eq!(s, 201, "{c}");
        let number = c["number"].as_str().unwrap().to_string();
        let pay = format!("/api/v1/complaints/{number}/compensation/payment");
        let good = json!({"amount_fen": 100_000, "paid_on": "2026-11-22", "reference": "转账 20261122-001"});
        assert_eq!(app.post(&pay, &cr, &good).await.0, 409, "nothing approved yet");
        // A plan with 1,000 yuan of compensation, within the handler's authority: in force at once.
        app.walk(
            &cr,
            &number,
            &[
                ("dispatch", json!({"lead_department": "engineering"})),
                ("assign", json!({"handler": "handler"})),
                ("respond", json!({"content": "已联系业主", "method": "call"})),
                ("assess", json!({"facts": "防水层破损", "reasonableness": "reasonable"})),
                (
                    "propose_plan",
                    json!({"measures": "赔偿天花板修补费用", "compensation_fen": 100_000, "compensation_form": "现金"}),
                ),
            ],
        )
        .await;
        for (body, status) in [
            (
                json!({"amount_fen": 99_999, "paid_on": "2026-11-22", "reference": "x"}),
                422,
            ),
            (
                json!({"amount_fen": -100_000, "paid_on": "2026-11-22", "reference": "x"}),
                422,
            ),
            (
                json!({"amount_fen": 100_000, "paid_on": "22/11/2026", "reference": "x"}),
                422,
            ),
            (
                json!({"amount_fen": 100_000, "paid_on": "2026-11-22", "reference": " "}),
                422,
            ),
        ] {
            assert_eq!(app.post(&pay, &cr, &body).await.0, status, "{body}");
        }
        assert_eq!(app.post(&pay, &sup, &good).await.0, 403);
        let (s, v) = app.post(&pay, &cr, &good).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["approved_fen"], 100_000);
        assert_eq!(v["form"], "现金");
        assert_eq!(v["paid"]["amount_fen"], 100_000);
        assert_eq!(app.post(&pay, &cr, &good).await.0, 409, "paid once");
        let cookie = app.web_cookie("groupcr").await;
        let (_, html) = app
            .web_get(&cookie, &format!("/complaints/{number}/accountability"))
            .await;
        assert!(String::from_utf8(html)
            .unwrap()
            .contains("1000.00 元 现金 · 2026-11-22 转账 20261122-001"));

        // South China: a 20-billion-yuan sales target allows at most 10 million yuan.
        let budget = "/api/v1/budgets/R-SOUTH/2026";
        let target = 20_000_000_000_i64 * 100;
        let (s, p) = app
            .put(
                budget,
                &cr,
                &json!({"sales_target_fen": target, "budget_fen": 1_000_000_001}),
            )
            .await;
        assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("budget_fen")), "{p}");
        assert_eq!(
            app.put(
                "/api/v1/budgets/C-GZ/2026",
                &cr,
                &json!({"sales_target_fen": target, "budget_fen": 1})
            )
            .await
            .0,
            404,
            "a city is not a region"
        );
        let (s, v) = app
            .put(
                budget,
                &cr,
                &json!({"sales_target_fen": target, "budget_fen": 1_000_000_000}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["cap_fen"], 1_000_000_000);
        let spend = format!("{budget}/expenses");
        let expense = |kind: &str, fen: i64| json!({"spent_on": "2026-11-20", "kind": kind, "amount_fen": fen, "note": "业主答谢活动"});
        for (body, status) in [
            (expense("relations", 600_000_000), 200),
            (expense("relations", 400_000_001), 409),
            (expense("post_delivery_service", 700_000_000), 200),
            (expense("compensation", 50_000_000), 200),
            (expense("relations", 400_000_000), 200),
            (expense("relations", 1), 409),
            (expense("gifts", 1), 422),
            (
                json!({"spent_on": "2025-12-31", "kind": "relations", "amount_fen": 1, "note": "x"}),
                422,
            ),
        ] {
            let (s, p) = app.post(&spend, &cr, &body).await;
            assert_eq!(s, status, "{body}: {p}");
        }
        let (s, r) = app.get(budget, &cr).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["spent_fen"], 1_000_000_000);
        assert_eq!(r["remaining_fen"], 0);
        assert_eq!(
            r["excluded_fen"],
            json!({"pre_delivery_service": 0, "post_delivery_service": 700_000_000, "compensation": 50_000_000})
        );
        assert_eq!(
            r["compensation_paid_fen"], 100_000,
            "the complaint's payment, in GZ-001 under South China"
        );
        let (s, _) = app.get("/api/v1/budgets/R-EAST/2026", &sup).await;
        assert_eq!(s, 403);
        let (_, html) = app.web_get(&cookie, "/accountability?month=2026-11").await;
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.contains("<td>R-SOUTH</td><td>10000000.00</td><td>10000000.00</td><td>10000000.00</td><td>0.00</td><td>500000.00</td><td>1000.00</td>"),
            "{html}"
        );
    }
}
