//! Common issues and rectification (R-AN-6), the risk register and the monthly meeting pack
//! (R-AN-7), and the case library (R-AN-8), over HTTP on both backends: refused input changes
//! nothing, scope hides what is not one's own, results reach the owners through the outbox,
//! cases carry no personal data and are found by Chinese words.

mod common;

use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issues_risks_cases_and_the_meeting_pack() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let sup = app.token("supervisor").await;
        let agent = app.token("agent").await;
        let handler = app.token("handler").await;
        let mut numbers = Vec::new();
        for i in 0..2 {
            let (s, c) = app
                .post("/api/v1/complaints", &cr, &common::body_with_phone(60 + i))
                .await;
            assert_eq!(s, 201, "{c}");
            numbers.push(c["number"].as_str().unwrap().to_string());
        }
        let (a, b) = (numbers[0].clone(), numbers[1].clone());

        // Common issue: refused input creates nothing.
        let good = json!({"node": "GZ-001", "title": "3栋卫生间防水层老化", "root_cause": "防水层施工不合格",
            "plan": "全栋卫生间重做防水", "owner": "projecthead", "deadline": "2026-12-31", "complaints": [a, b]});
        let with = |k: &str, v: Value| {
            let mut x = good.clone();
            x[k] = v;
            x
        };
        for (token, body, status) in [
            (&sup, with("node", json!("NOPE")), 422),
            (&sup, with("owner", json!("nobody")), 422),
            (&sup, with("deadline", json!("31/12/2026")), 422),
            (&sup, with("complaints", json!(["KS-202611-99999"])), 422),
            (&sup, with("title", json!("  ")), 422),
            (&sup, with("extra", json!(1)), 422),
            (&agent, good.clone(), 403),
        ] {
            let (s, p) = app.post("/api/v1/issues", token, &body).await;
            assert_eq!(s, status, "{body}: {p}");
        }
        let (_, none) = app.get("/api/v1/issues", &cr).await;
        assert_eq!(none["items"], json!([]));
        let (s, issue) = app.post("/api/v1/issues", &sup, &good).await;
        assert_eq!(s, 200, "{issue}");
        assert_eq!(
            (issue["state"].as_str(), issue["complaint_count"].as_i64()),
            (Some("open"), Some(2))
        );
        let id = issue["id"].as_i64().unwrap();
        let path = format!("/api/v1/issues/{id}");
        let (s, _) = app.get(&path, &handler).await;
        assert_eq!(s, 404, "a department handler's scope holds no issues");
        let patch = |body: Value| {
            let (app, sup, path) = (&app, &sup, &path);
            async move {
                let r = app
                    .client
                    .patch(format!("{}{path}", app.base))
                    .bearer_auth(sup)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }
        };
        assert_eq!(patch(json!({"state": "done"})).await.0, 422, "done needs its result");
        assert_eq!(patch(json!({"state": "open"})).await.0, 422);
        let (s, v) = patch(json!({"state": "rectifying"})).await;
        assert_eq!((s, v["state"].as_str()), (200, Some("rectifying")));
        let (s, v) = patch(json!({"state": "done", "result": "全栋卫生间防水已重做并闭水试验合格"})).await;
        assert_eq!((s, v["state"].as_str()), (200, Some("done")), "{v}");
        assert!(v["reported_at"].is_string());
        assert_eq!(patch(json!({"state": "done", "result": "again"})).await.0, 409);
        // Each owner hears of the result by SMS.
        {
            let mut r = app.state.store.reader().await.unwrap();
            let mut c = r.conn();
            for n in [&a, &b] {
                let row = store::complaints::by_number(&mut c, n).await.unwrap().unwrap();
                let sent: Vec<_> = store::outbox::of_complaint(&mut c, row.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| m.kind == "issue_reported_back")
                    .collect();
                assert_eq!(sent.len(), 1, "{n}");
                assert_eq!(sent[0].channel, "sms");
                assert!(sent[0].payload.contains("闭水试验合格"));
            }
        }

        // Risk register.
        let risk = json!({"node": "GZ-001", "source": "交付前工程检查", "title": "5栋外墙渗水隐患",
            "assessment": "雨季前未完成修补，可能引发群诉", "level": "high", "mitigation": "交付前完成外墙修补并复检",
            "status": "open", "owner": "projecthead", "review_on": "2026-12-15"});
        for bad in [
            json!({"level": "severe"}),
            json!({"status": "gone"}),
            json!({"review_on": "soon"}),
            json!({"node": "SH-001"}),
        ] {
            let mut body = risk.clone();
            for (k, v) in bad.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, p) = app.post("/api/v1/risks", &sup, &body).await;
            assert_eq!(s, 422, "{bad}: {p}");
        }
        let (s, v) = app.post("/api/v1/risks", &sup, &risk).await;
        assert_eq!(s, 200, "{v}");
        let rid = v["id"].as_i64().unwrap();
        let mut low = risk.clone();
        low["title"] = json!("车位销售口径不一致");
        low["level"] = json!("low");
        assert_eq!(app.post("/api/v1/risks", &sup, &low).await.0, 200);
        let (_, list) = app.get("/api/v1/risks", &sup).await;
        let titles: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["5栋外墙渗水隐患", "车位销售口径不一致"], "highest first");
        let mut closed = risk.clone();
        closed.as_object_mut().unwrap().remove("node");
        closed["status"] = json!("closed");
        let (s, v) = app.put(&format!("/api/v1/risks/{rid}"), &sup, &closed).await;
        assert_eq!((s, v["status_label"].as_str()), (200, Some("已消除")), "{v}");
        let (_, list) = app.get("/api/v1/risks", &sup).await;
        assert_eq!(list["items"][1]["title"], "5栋外墙渗水隐患", "closed ones last");

        // Case library: only a closed complaint, once, no personal data, found by words.
        let case = json!({"title": "卫生间渗漏的快速处置", "lessons": "先止水再定责，24小时内上门"});
        let (s, _) = app.post(&format!("/api/v1/complaints/{a}/case"), &sup, &case).await;
        assert_eq!(s, 409, "still open");
        app.walk(&cr, &a, &common::to_closure()).await;
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{a}/case"), &agent, &case).await.0,
            403
        );
        let (s, v) = app.post(&format!("/api/v1/complaints/{a}/case"), &sup, &case).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            app.post(&format!("/api/v1/complaints/{a}/case"), &sup, &case).await.0,
            409
        );
        for (q, n) in [("漏水", 1), ("渗漏", 1), ("漏电", 0), ("", 1)] {
            let (s, v) = app
                .get(
                    &format!(
                        "/api/v1/cases?q={}",
                        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                    ),
                    &handler,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["items"].as_array().unwrap().len(), n, "{q}");
            let text = v.to_string();
            assert!(
                !text.contains("张三") && !text.contains("1381234"),
                "no personal data: {text}"
            );
        }

        // The monthly meeting pack puts it all on paper.
        let cookie = app.web_cookie("supervisor").await;
        let (status, pdf) = app.web_get(&cookie, "/reports/meeting.pdf?month=2026-11").await;
        assert_eq!(status, 200);
        let text = common::pdf_text(&pdf);
        for expected in [
            "2026年11月客户投诉及客户端风险预控月度例会",
            "3栋卫生间防水层老化",
            "已完成并反馈",
            "车位销售口径不一致",
            "投诉量：2",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert!(!text.contains("5栋外墙渗水隐患"), "closed risks are not on the agenda");

        // The console: an issue created on the form, a refused one explained, text escaped.
        let (cookie, csrf) = app.web_session("supervisor").await;
        let form = |fields: Vec<(&'static str, String)>| {
            let (app, cookie) = (&app, &cookie);
            async move { app.web_post(cookie, "/issues", &fields).await }
        };
        let mut fields = vec![
            ("_csrf", csrf.clone()),
            ("node", "GZ-001".to_string()),
            ("title", "<script>alert(1)</script>电梯频繁困人".to_string()),
            ("root_cause", "维保不到位".to_string()),
            ("plan", "更换维保单位".to_string()),
            ("owner", "projecthead".to_string()),
            ("deadline", "2026-12-20".to_string()),
            ("complaints", b.clone()),
        ];
        let (s, _) = form(fields.clone()).await;
        assert_eq!(s, 303);
        fields[5].1 = "nobody".into();
        let (s, html) = form(fields.clone()).await;
        assert_eq!(s, 422);
        assert!(html.contains("owner: unknown user"), "{html}");
        fields[0].1 = "forged".into();
        let (s, _) = form(fields).await;
        assert_eq!(s, 403);
        let html = String::from_utf8(app.web_get(&cookie, "/issues").await.1).unwrap();
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;电梯频繁困人"),
            "{html}"
        );
        assert_eq!(
            html.matches("电梯频繁困人").count(),
            1,
            "the refused ones were not created"
        );
        // The lists export (R-AN-4), read back by openpyxl.
        let (_, book) = app.web_get(&cookie, "/insight/risks.xlsx").await;
        let rows = common::read_xlsx(&book);
        assert_eq!(rows[0][0].0, "风险");
        assert_eq!(
            (rows[1][0].0.clone(), rows[1][3].0.clone()),
            (json!("车位销售口径不一致"), json!("低"))
        );
        let (_, book) = app.web_get(&cookie, "/insight/issues.xlsx").await;
        let rows = common::read_xlsx(&book);
        assert_eq!(rows.len(), 3, "heading and two issues");
        assert_eq!(
            rows[2][6],
            (json!(2), "n".to_string()),
            "the first issue's two complaints, as a number"
        );
    }
}
