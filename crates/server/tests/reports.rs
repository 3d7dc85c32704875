//! `GET /api/v1/reports/summary` (API.md, R-AN-3): every figure compared with values worked out
//! by hand from a small fixture, rates null where nothing was measured, on both backends.

mod common;

use chrono::Duration;
use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_matches_figures_worked_out_by_hand() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        // Three complaints received 2026-11-22 10:00 Shanghai: A and B general, C urgent.
        let mut numbers = Vec::new();
        for (i, grade) in [None, None, Some("urgent")].iter().enumerate() {
            let mut b = common::body_with_phone(200 + i);
            if let Some(g) = grade {
                b["grade"] = json!(g);
                b["grade_reason"] = json!("业主反映有安全隐患");
            }
            let (s, c) = app.post("/api/v1/complaints", &cr, &b).await;
            assert_eq!(s, 201, "{c}");
            numbers.push(c["number"].as_str().unwrap().to_string());
        }
        let (a, b) = (&numbers[0], &numbers[1]); // C is left alone
        let dispatch = ("dispatch", json!({"lead_department": "engineering"}));
        let assign = ("assign", json!({"handler": "handler"}));
        let respond = ("respond", json!({"content": "已联系业主", "method": "call"}));
        // 10:30: A responds in time (first_response is due at 11:00).
        app.clock.advance(Duration::minutes(30));
        app.walk(&cr, a, &[dispatch.clone(), assign.clone(), respond.clone()])
            .await;
        // 12:30: B responds late; C never responds.
        app.clock.advance(Duration::hours(2));
        app.walk(&cr, b, &[dispatch.clone(), assign.clone(), respond.clone()])
            .await;
        // Both are assessed and replied to (final_handling: 10 working days, met in time),
        // confirmed and called back: A satisfied and closed, B dissatisfied and still open.
        let finish = |satisfaction: &str| {
            vec![
                ("assess", json!({"facts": "防水层破损", "reasonableness": "reasonable"})),
                ("reply", json!({"content": "已修复"})),
                ("confirm", json!({})),
                ("callback", json!({"satisfaction": satisfaction})),
            ]
        };
        app.walk(&cr, a, &finish("satisfied")).await;
        app.walk(&cr, a, &[("close", json!({"summary": "已修复"}))]).await;
        app.walk(&cr, b, &finish("dissatisfied")).await;
        // The sweep (every few seconds in a running server) marks C's response clock breached.
        kesu::services::sweep::run(&app.state).await.unwrap();
        rollup_equals_full_pass(&app).await;
        // Rebuilt from nothing, as after an upgrade, the cells are the same again. The start
        // marked the roll-up whole (so later starts skip the walk); clearing forgets that.
        let marked = |app: &common::TestApp| {
            let store = app.state.store.clone();
            async move {
                let mut r = store.reader().await.unwrap();
                store::settings::get(&mut r.conn(), store::rollup::WHOLE_KEY)
                    .await
                    .unwrap()
                    .is_some()
            }
        };
        assert!(marked(&app).await, "marked whole at start");
        app.state
            .store
            .write(|c| Box::pin(async move { store::rollup::clear(c).await }))
            .await
            .unwrap();
        assert!(!marked(&app).await, "cleared: the next start walks the table again");
        assert_eq!(kesu::services::reports::backfill(&app.state).await.unwrap(), 3);
        rollup_equals_full_pass(&app).await;

        let (s, r) = app
            .get("/api/v1/reports/summary?from=2026-11-22&to=2026-11-22&by=grade", &cr)
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str(), r["by"].as_str()),
            (Some("2026-11-22"), Some("2026-11-22"), Some("grade"))
        );
        let row = |key: &str| {
            r["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["key"] == key)
                .unwrap()
                .clone()
        };
        // general: A and B. Response: 2 measured, 1 in time. Handling: both replied in time.
        // Closure: A of 2. Satisfaction: A of the 2 rated.
        let general = row("general");
        assert_eq!(general["label"], "一般");
        assert_eq!(general["count"], 2);
        assert_eq!(general["response_timely_rate"], 0.5);
        assert_eq!(general["handling_timely_rate"], 1.0);
        assert_eq!(general["closure_rate"], 0.5);
        assert_eq!(general["satisfaction_rate"], 0.5);
        // urgent: C. Its response clock ran out unmet; nothing else was measured.
        let urgent = row("urgent");
        assert_eq!(urgent["count"], 1);
        assert_eq!(urgent["response_timely_rate"], 0.0);
        assert_eq!(urgent["handling_timely_rate"], Value::Null);
        assert_eq!(urgent["closure_rate"], 0.0);
        assert_eq!(urgent["satisfaction_rate"], Value::Null);
        // Total: 3 complaints; response 1 of 3; handling 2 of 2; closure 1 of 3; satisfaction 1 of 2.
        let t = &r["total"];
        assert_eq!(t["count"], 3);
        assert_eq!(t["response_timely_rate"].as_f64().unwrap(), 1.0 / 3.0);
        assert_eq!(t["handling_timely_rate"], 1.0);
        assert_eq!(t["closure_rate"].as_f64().unwrap(), 1.0 / 3.0);
        assert_eq!(t["satisfaction_rate"], 0.5);
        assert_eq!(r["rows"].as_array().unwrap().len(), 2);

        // By department and state; a day with nothing; the agent's scope.
        let (_, d) = app
            .get(
                "/api/v1/reports/summary?from=2026-11-22&to=2026-11-22&by=department",
                &cr,
            )
            .await;
        let keys: Vec<&str> = d["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["", "engineering"], "C was never dispatched");
        assert_eq!(d["rows"][0]["label"], "未分派");
        let (_, st) = app
            .get("/api/v1/reports/summary?from=2026-11-01&to=2026-11-30&by=state", &cr)
            .await;
        assert_eq!(st["total"]["count"], 3);
        let (_, empty) = app
            .get("/api/v1/reports/summary?from=2026-11-23&to=2026-11-30&by=grade", &cr)
            .await;
        assert_eq!(empty["rows"], json!([]));
        assert_eq!(empty["total"]["count"], 0);
        assert_eq!(empty["total"]["satisfaction_rate"], Value::Null);
        let shanghai = app.token("auditor").await;
        let (s, _) = app
            .get(
                "/api/v1/reports/summary?from=2026-11-22&to=2026-11-22&by=project",
                &shanghai,
            )
            .await;
        assert_eq!(s, 200);
        // The console shows the same figures.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookie = app.web_cookie("groupcr").await;
        let html = client
            .get(format!("{}/reports?from=2026-11-22&to=2026-11-22&by=grade", app.base))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<td>一般</td><td>2</td>"), "{html}");
        assert!(html.contains("<td>50.0%</td><td>100.0%</td><td>50.0%</td><td>50.0%</td>"));
        assert!(html.contains("<th>33.3%</th>"));
        // The same report as xlsx, read back by openpyxl (R-AN-4).
        let book = client
            .get(format!(
                "{}/reports.xlsx?from=2026-11-22&to=2026-11-22&by=grade",
                app.base
            ))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            book.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let rows = common::read_xlsx(&book.bytes().await.unwrap());
        let texts: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| r.iter().map(|(v, _)| v.clone()).collect())
            .collect();
        assert_eq!(texts[0][1], "投诉量");
        assert_eq!(
            texts[1],
            vec![json!("一般"), json!(2), json!(0.5), json!(1), json!(0.5), json!(0.5)]
        );
        assert_eq!(texts[2][0..3], [json!("紧急"), json!(1), json!(0)]);
        assert_eq!(texts[2][3], Value::Null, "unmeasured stays empty");
        assert_eq!(texts[3][0..2], [json!("合计"), json!(3)]);
        assert!((texts[3][2].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-3);
        assert_eq!(rows[1][1].1, "n", "counts are numbers");
        for bad in [
            "from=2026-11-22&to=2026-11-21&by=grade",
            "from=2026-11-22&to=2026-11-22&by=colour",
            "from=22/11/2026&to=2026-11-22&by=grade",
            "to=2026-11-22&by=grade",
            "from=2026-11-22&to=2026-11-22&by=grade&x=1",
            "from=2020-01-01&to=2026-11-22&by=grade",
        ] {
            let (s, p) = app.get(&format!("/api/v1/reports/summary?{bad}"), &cr).await;
            assert_eq!(s, 422, "{bad}: {p}");
        }
    }
}

/// The roll-up's figures equal a full pass over the complaints for every dimension, in the
/// whole group's scope and in a subtree, and days outside the fixture have none (R-AN-3).
async fn rollup_equals_full_pass(app: &common::TestApp) {
    use store::reports::Dimension as D;
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    let whole = domain::access::Scope {
        all: true,
        ..Default::default()
    };
    let south = domain::access::Scope {
        subtrees: vec![store::org::node_by_code(&mut c, "R-SOUTH").await.unwrap().unwrap().path],
        ..Default::default()
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let filter = store::complaints::ListFilter {
        received_from: Some(domain::time::to_millis(domain::time::day_start_cn(day))),
        received_before: Some(domain::time::to_millis(domain::time::day_start_cn(
            day.succ_opt().unwrap(),
        ))),
        ..Default::default()
    };
    let mut seen = 0;
    for scope in [&whole, &south] {
        for by in [
            D::Category,
            D::Grade,
            D::Channel,
            D::Project,
            D::Department,
            D::State,
            D::Stage,
            D::Handler,
            D::Day,
        ] {
            let fast = store::rollup::summary(&mut c, 20261122, 20261122, scope, by)
                .await
                .unwrap()
                .unwrap();
            let full = store::reports::summary(&mut c, &filter, scope, by).await.unwrap();
            assert_eq!(fast, full, "{by:?}");
            seen += fast.len();
            let none = store::rollup::summary(&mut c, 20261123, 20261130, scope, by)
                .await
                .unwrap()
                .unwrap();
            assert!(none.is_empty());
        }
    }
    assert!(seen > 7, "the fixture shows up in the roll-up");
}
