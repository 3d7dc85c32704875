//! Operations (issue 8): bulk import with a row-by-row report and full export (R-OP-6), on both
//! backends, and the export imported into an empty installation.

mod common;

use common::{spawn, TestApp};
use serde_json::Value;
use testkit::Backend;

async fn import(app: &TestApp, token: &str, kind: &str, query: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/admin/import/{kind}{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn errors_at(report: &Value) -> Vec<(i64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_string()))
        .collect()
}

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    store::on_conn!(&mut c, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM org_node), (SELECT COUNT(*) FROM app_user), (SELECT COUNT(*) FROM unit), \
         (SELECT COUNT(*) FROM complaint)"
    )
    .fetch_one(&mut **c)
    .await)
    .unwrap()
}

fn units_xlsx(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["project_code", "building", "unit"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

const ORG: &str = "code,name,name_en,parent_code,kind\n\
                   R-WEST,西南区域公司,Southwest,GROUP,region\n\
                   C-CD,成都城市公司,Chengdu,R-WEST,city\n\
                   CD-001,高新·锦城湖岸,,C-CD,project\n";

const COMPLAINTS: &str = "received_at,channel,name,phone,kind,project_code,building,unit,subject,description,category_code,closed_at,summary\n\
    2025-03-01T09:00:00+08:00,hotline,张三,13812345678,owner,CD-001,1栋,0101,卫生间漏水,楼上卫生间渗水到我家天花板,,2025-03-05T18:00:00+08:00,已修复防水层\n\
    2025-06-10T14:30:00+08:00,wechat,李四,13900001111,owner,CD-001,2栋,0202,-外墙裂缝,\"外墙出现裂缝，雨天渗水\",,,\n";

async fn import_and_export(backend: Backend) {
    let app = spawn(backend).await;
    let admin = app.token("admin").await;
    let before = counts(&app).await;

    // Bad rows are named by row and column, and nothing of the file is imported.
    let bad = format!("{ORG}X 1,坏,,GROUP,region\nGZ-900,无上级,,NOPE,project\n");
    let (s, report) = import(&app, &admin, "org", "", bad.into_bytes()).await;
    assert_eq!(s, 422, "{report}");
    assert_eq!(
        errors_at(&report),
        [(5, "code".to_string())],
        "file rules first: {report}"
    );
    let (s, report) = import(
        &app,
        &admin,
        "org",
        "",
        format!("{ORG}GZ-900,无上级,,NOPE,project\n").into_bytes(),
    )
    .await;
    assert_eq!(
        (s, errors_at(&report)),
        (422, vec![(5, "parent_code".to_string())]),
        "{report}"
    );
    assert_eq!(counts(&app).await, before, "a refused file imports nothing");
    let (s, _) = import(&app, &app.token("groupcr").await, "org", "", ORG.into()).await;
    assert_eq!(s, 403);
    assert_eq!(import(&app, &admin, "budgets", "", ORG.into()).await.0, 404);

    // A dry run checks and stores nothing; the real run imports; a second run changes nothing.
    let (s, report) = import(&app, &admin, "org", "?dry_run=true", ORG.into()).await;
    assert_eq!(
        (s, report["imported"].as_i64(), report["dry_run"].as_bool()),
        (200, Some(3), Some(true))
    );
    assert_eq!(counts(&app).await, before);
    let (s, report) = import(&app, &admin, "org", "", ORG.into()).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(3)), "{report}");
    let (_, again) = import(&app, &admin, "org", "", ORG.into()).await;
    assert_eq!(
        (again["imported"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3))
    );

    // Units from a spreadsheet; a unit of an unknown project is reported by its row.
    let (s, report) = import(
        &app,
        &admin,
        "units",
        "",
        units_xlsx(&[["CD-001", "1栋", "0101"], ["XX-1", "1栋", "0102"]]),
    )
    .await;
    assert_eq!(
        (s, errors_at(&report)),
        (422, vec![(3, "project_code".to_string())]),
        "{report}"
    );
    let (s, report) = import(
        &app,
        &admin,
        "units",
        "",
        units_xlsx(&[["CD-001", "1栋", "0101"], ["CD-001", "2栋", "0202"]]),
    )
    .await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");

    // Users: the imported handler signs in with the imported password and sees the new project.
    let users = "username,display_name,password,role,node,department,phone\n\
                 cdhandler,成都工程,Chengdu@2026!,handler,CD-001,engineering,13700001111\n\
                 cdhead,成都项目总,Chengdu@2026!,project_head,CD-001,,\n";
    let (s, report) = import(&app, &admin, "users", "", users.into()).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");
    let r = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&serde_json::json!({"username": "cdhead", "password": "Chengdu@2026!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let head: Value = r.json().await.unwrap();
    let head = head["token"].as_str().unwrap().to_string();

    // Historical complaints: graded and classified by the rules, closed when they were, no
    // acknowledgement sent; the same file again adds nothing.
    let outbox_before = outbox(&app).await;
    let (s, report) = import(&app, &admin, "complaints", "", COMPLAINTS.into()).await;
    assert_eq!((s, report["imported"].as_i64()), (200, Some(2)), "{report}");
    let (_, again) = import(&app, &admin, "complaints", "", COMPLAINTS.into()).await;
    assert_eq!(
        (again["imported"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(2)),
        "{again}"
    );
    assert_eq!(
        outbox(&app).await,
        outbox_before,
        "history sends nobody an acknowledgement"
    );
    let (_, list) = app.get("/api/v1/complaints?project_code=CD-001", &head).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let states: Vec<&str> = items.iter().map(|c| c["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["registered", "closed"], "newest first");
    assert_eq!(
        items[0]["subject"], "-外墙裂缝",
        "a cell that looks like a formula is kept as typed"
    );
    assert_eq!(items[1]["received_at"], "2025-03-01T09:00:00+08:00");
    let bad = COMPLAINTS
        .replace("2025-03-05T18:00:00+08:00", "2025-02-05T18:00:00+08:00")
        .replace(",wechat,", ",pigeon,");
    let (s, report) = import(&app, &admin, "complaints", "", bad.into()).await;
    assert_eq!(
        (s, errors_at(&report)),
        (422, vec![(2, "closed_at".into()), (3, "channel".into())]),
        "{report}"
    );

    // Full export, then the export imported into an empty installation gives the same data.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let written = kesu::services::export::to_dir(&app.state, &out).await.unwrap();
    let rows: std::collections::HashMap<String, usize> = written.into_iter().collect();
    let total = counts(&app).await;
    assert_eq!(rows["complaints.csv"] as i64, total.3);
    assert_eq!(rows["units.csv"] as i64, total.2);
    assert!(rows["events.csv"] > 0);
    let users_csv = std::fs::read_to_string(out.join("users.csv")).unwrap();
    assert!(!users_csv.contains("$argon2"), "no password hash leaves the database");

    let fresh = spawn(backend).await;
    let admin2 = fresh.token("admin").await;
    let org_only: String = std::fs::read_to_string(out.join("org.csv")).unwrap();
    let (s, report) = import(&fresh, &admin2, "org", "", org_only.into()).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(
        report["imported"].as_i64(),
        Some(3),
        "only the imported nodes are new there: {report}"
    );
    for file in ["units", "complaints"] {
        let bytes = std::fs::read(out.join(format!("{file}.csv"))).unwrap();
        let (s, report) = import(&fresh, &admin2, file, "", bytes).await;
        assert_eq!(s, 200, "{file}: {report}");
    }
    assert_eq!(counts(&fresh).await.3, total.3, "every complaint came across");
    let cr = fresh.token("groupcr").await;
    let (_, moved) = fresh.get("/api/v1/complaints?project_code=CD-001", &cr).await;
    let subjects: Vec<&str> = moved["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["-外墙裂缝", "卫生间漏水"]);
}

async fn outbox(app: &TestApp) -> i64 {
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    store::on_conn!(&mut c, |c| sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&mut **c)
        .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reports_every_bad_row_and_export_round_trips_sqlite() {
    import_and_export(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reports_every_bad_row_and_export_round_trips_postgres() {
    import_and_export(Backend::Postgres).await;
}

/// The console's import form: administrators upload a file and see the report, row by row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_imports_a_file_and_shows_each_bad_row() {
    let app = spawn(Backend::Sqlite).await;
    let post = |cookie: String, csrf: String, bytes: Vec<u8>, dry: bool| {
        let mut form = reqwest::multipart::Form::new()
            .text("_csrf", csrf)
            .text("kind", "org")
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("org.csv"));
        if dry {
            form = form.text("dry_run", "1");
        }
        let req = app
            .client
            .post(format!("{}/admin/import", app.base))
            .header("cookie", cookie)
            .multipart(form);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (cookie, csrf) = app.web_session("admin").await;
    let bad = format!("{ORG}X 1,<script>alert(1)</script>,,GROUP,region\n");
    let (s, page) = post(cookie.clone(), csrf.clone(), bad.into_bytes(), false).await;
    assert_eq!(s, 422);
    assert!(
        page.contains("未导入任何数据") && page.contains("<td>5</td><td>code</td>"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"), "the file's text is escaped");
    let (s, page) = post(cookie.clone(), csrf.clone(), ORG.into(), true).await;
    assert_eq!(s, 200);
    assert!(page.contains("导入 3 行") && page.contains("仅检查"), "{page}");
    let before = counts(&app).await;
    let (s, _) = post(cookie.clone(), csrf.clone(), ORG.into(), false).await;
    assert_eq!(s, 200);
    assert_eq!(counts(&app).await.0, before.0 + 3);
    let (s, _) = post(cookie.clone(), "forged".into(), ORG.into(), false).await;
    assert_eq!(s, 403, "CSRF");
    let (cr, cr_csrf) = app.web_session("groupcr").await;
    let (s, _) = post(cr, cr_csrf, ORG.into(), false).await;
    assert_eq!(s, 403, "administrators only");
}
