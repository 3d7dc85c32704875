//! The store story, run on SQLite and on PostgreSQL (DESIGN.md: one story, both backends).

use futures::FutureExt;
use store::audit::{self, NewEvent, Verdict};
use store::complaints::{self, ComplainantInput, ListFilter, NewRow};
use store::{on_conn, org, taxonomy, Store, StoreError, StoreOptions};
use testkit::{fresh, BACKENDS};
use uuid::Uuid;

struct Fixture {
    project_a: (i64, String),
    project_b: (i64, String),
    region_path: String,
}

async fn seed(store: &Store) -> Fixture {
    store
        .write(|c| {
            async move {
                for (i, cat) in domain::category::default_categories().iter().enumerate() {
                    taxonomy::upsert_category(c, cat, i as i32).await?;
                }
                let group_id = org::insert_node(c, None, "group", "G", "集团", None).await?;
                let group = org::node(c, group_id).await?.unwrap();
                let region_id = org::insert_node(c, Some(&group), "region", "R1", "华南区域", None).await?;
                let region = org::node(c, region_id).await?.unwrap();
                let city_id = org::insert_node(c, Some(&region), "city", "C1", "广州公司", None).await?;
                let city = org::node(c, city_id).await?.unwrap();
                let a = org::insert_node(c, Some(&city), "project", "GZ-001", "天河项目", None).await?;
                let other_region_id = org::insert_node(c, Some(&group), "region", "R2", "华东区域", None).await?;
                let other_region = org::node(c, other_region_id).await?.unwrap();
                let b = org::insert_node(c, Some(&other_region), "project", "SH-001", "浦东项目", None).await?;
                let pa = org::node(c, a).await?.unwrap().path;
                let pb = org::node(c, b).await?.unwrap().path;
                Ok::<_, StoreError>(Fixture {
                    project_a: (a, pa),
                    project_b: (b, pb),
                    region_path: region.path,
                })
            }
            .boxed()
        })
        .await
        .unwrap()
}

fn row(number: String, month: &str, serial: i64, project: &(i64, String), who: Uuid, received: i64) -> NewRow {
    NewRow {
        id: Uuid::now_v7(),
        number,
        month: month.into(),
        serial,
        grade: "general".into(),
        grade_decided_by: "rules".into(),
        suggested_grade: "general".into(),
        grade_reasons: "[]".into(),
        grade_note: None,
        category_code: "engineering.leakage".into(),
        category_decided_by: "rules".into(),
        category_reasons: "[]".into(),
        channel: "hotline".into(),
        complainant_id: who,
        complainant_name: "张三".into(),
        complainant_kind: "owner".into(),
        project_id: project.0,
        org_path: project.1.clone(),
        building: Some("3栋".into()),
        unit: Some("1502".into()),
        location: None,
        stage: None,
        subject: "卫生间漏水 😀".into(),
        description: "楼上渗水".into(),
        demands: None,
        households: 1,
        received_at: received,
        registered_by: None,
        suggested_department: "engineering".into(),
        repeat_of: None,
        complained_user_id: None,
        now: received,
    }
}

/// Registers one complaint the way the service does: serial, person, row, event, all in one write.
async fn register(
    store: &Store,
    month: &'static str,
    project: (i64, String),
    phone: &'static str,
    received: i64,
) -> Result<String, StoreError> {
    store
        .write(move |c| {
            async move {
                let serial = complaints::next_serial(c, month).await?;
                let who = complaints::upsert_complainant(
                    c,
                    &ComplainantInput {
                        name: "张三",
                        phone: Some(phone),
                        email: None,
                        kind: "owner",
                    },
                    received,
                )
                .await?;
                let number = domain::number::format(month, serial);
                let r = row(number.clone(), month, serial, &project, who, received);
                complaints::insert(c, &r).await?;
                let payload = serde_json::json!({"number": number});
                audit::append(
                    c,
                    &NewEvent {
                        complaint_id: Some(r.id),
                        at_ms: received,
                        actor_id: None,
                        kind: "registered",
                        payload: &payload,
                    },
                )
                .await?;
                Ok(number)
            }
            .boxed()
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_story_on_both_backends() {
    for backend in BACKENDS {
        let db = fresh(backend);
        let store = Store::open(&db.url, StoreOptions::default()).await.unwrap();
        let fx = seed(&store).await;

        // Concurrent registrations get unique, consecutive serials (R-IN-3).
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = store.clone();
            let p = if i % 2 == 0 {
                fx.project_a.clone()
            } else {
                fx.project_b.clone()
            };
            tasks.push(tokio::spawn(async move {
                register(&s, "202611", p, "13812345678", 1_000 + i).await.unwrap()
            }));
        }
        let mut numbers: Vec<String> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=40).map(|i| domain::number::format("202611", i)).collect();
        assert_eq!(numbers, expected, "{backend:?}");
        assert_eq!(
            register(&store, "202612", fx.project_a.clone(), "13812345678", 5_000)
                .await
                .unwrap(),
            "KS-202612-00001"
        );

        // A failing job in a batch rolls back alone, and gives its number back (gap-free).
        let dup = store
            .write(|c| {
                async move {
                    let serial = complaints::next_serial(c, "202611").await?;
                    assert_eq!(serial, 41);
                    let who = complaints::upsert_complainant(
                        c,
                        &ComplainantInput {
                            name: "李四",
                            phone: Some("13900000000"),
                            email: None,
                            kind: "owner",
                        },
                        1,
                    )
                    .await?;
                    let mut r = row("KS-202611-00001".into(), "202611", serial, &(1, "/1/".into()), who, 1);
                    r.number = "KS-202611-00001".into();
                    complaints::insert(c, &r).await?;
                    Ok::<_, StoreError>(())
                }
                .boxed()
            })
            .await;
        assert!(matches!(dup, Err(StoreError::Constraint(_))), "{backend:?}: {dup:?}");
        {
            let mut r = store.reader().await.unwrap();
            let mut c = r.conn();
            let li_si: i64 = on_conn!(&mut c, |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM complainant WHERE phone = '13900000000'"
            )
            .fetch_one(&mut **c)
            .await)
            .unwrap();
            assert_eq!(li_si, 0, "{backend:?}: the rolled-back job left nothing behind");
        }
        assert_eq!(
            register(&store, "202611", fx.project_a.clone(), "13900000000", 9_000)
                .await
                .unwrap(),
            "KS-202611-00041"
        );

        let mut r = store.reader().await.unwrap();
        let mut c = r.conn();
        assert_eq!(complaints::count(&mut c).await.unwrap(), 42);
        // The person record is reused: one per phone (R-ORG-5).
        let people: i64 = on_conn!(&mut c, |c| sqlx::query_scalar("SELECT COUNT(*) FROM complainant")
            .fetch_one(&mut **c)
            .await)
        .unwrap();
        assert_eq!(people, 2, "{backend:?}");
        // Scope: the region sees only its subtree; pages follow the keyset without overlap (R-ORG-4).
        let region = domain::access::Scope {
            all: false,
            subtrees: vec![fx.region_path.clone()],
            departments: vec![],
        };
        let mut seen = Vec::new();
        let mut filter = ListFilter {
            limit: 7,
            ..Default::default()
        };
        loop {
            let page = complaints::list(&mut c, &filter, &region).await.unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.iter().all(|p| p.project_code == "GZ-001"));
            let last = page.last().unwrap();
            filter.after = Some((last.received_at, last.id));
            seen.extend(page.into_iter().map(|p| p.number));
        }
        assert_eq!(
            seen.len(),
            22,
            "{backend:?}: 20 + December + the one after the rollback"
        );
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), seen.len());
        let by_category = ListFilter {
            categories: vec!["engineering".into()],
            projects: vec!["SH-001".into()],
            limit: 100,
            ..Default::default()
        };
        let all = domain::access::Scope {
            all: true,
            ..Default::default()
        };
        assert_eq!(complaints::list(&mut c, &by_category, &all).await.unwrap().len(), 20);
        let wrong = ListFilter {
            categories: vec!["engineer".into()],
            limit: 100,
            ..Default::default()
        };
        assert!(
            complaints::list(&mut c, &wrong, &all).await.unwrap().is_empty(),
            "a prefix of a code is not its parent"
        );
        assert!(complaints::list(
            &mut c,
            &ListFilter {
                limit: 5,
                ..Default::default()
            },
            &domain::access::Scope::default()
        )
        .await
        .unwrap()
        .is_empty());

        // The audit chain verifies, and names the first altered event (R-SEC-3).
        assert_eq!(audit::verify(&mut c).await.unwrap(), Verdict::Intact { events: 42 });
        drop(c);
        drop(r);
        store
            .write(|c| {
                async move {
                    on_conn!(c, |c| sqlx::query(
                        "UPDATE event SET payload = '{\"number\":\"forged\"}' WHERE seq = 17"
                    )
                    .execute(&mut **c)
                    .await
                    .map(|_| ()))?;
                    Ok::<_, StoreError>(())
                }
                .boxed()
            })
            .await
            .unwrap();
        let mut r = store.reader().await.unwrap();
        match audit::verify(&mut r.conn()).await.unwrap() {
            Verdict::Broken { seq, .. } => assert_eq!(seq, 17, "{backend:?}"),
            v => panic!("{backend:?}: tampering not detected: {v:?}"),
        }
        drop(r);
        store.close().await;
    }
}
