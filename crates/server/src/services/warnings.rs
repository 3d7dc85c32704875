//! Early warning (预警, R-AN-5): checks run when a complaint is registered (a mention of media,
//! petition or legal action; a defect recurring in one building; separate households converging
//! on one matter) and every hour over the roll-up (a project's or category's volume above its
//! baseline). A warning is raised once per matter and window and reaches the responsible heads
//! through the outbox: their inbox, and e-mail or SMS as they chose.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use domain::time::{date_cn, from_millis, rfc3339_cn, to_millis};
use domain::warning::{self as rule, WarningKind};
use domain::{Code, Role};
use futures::FutureExt;
use serde_json::{json, Value};
use store::warnings::{NewWarning, WarningRow};
use store::Conn;
use uuid::Uuid;

/// What the registration checks need to know about the new complaint.
pub struct Registered<'a> {
    /// Its id.
    pub id: Uuid,
    /// Its number.
    pub number: &'a str,
    /// Project id, code and materialised path.
    pub project: (i64, &'a str, &'a str),
    /// Building as typed.
    pub building: Option<&'a str>,
    /// Category code, Chinese and English name.
    pub category: (&'a str, &'a str, &'a str),
    /// Grading reasons.
    pub reasons: &'a [String],
    /// Subject, description and demands.
    pub text: &'a str,
    /// Time of receipt.
    pub received_at: DateTime<Utc>,
    /// Time of registration (a warning's window is counted from it).
    pub now: DateTime<Utc>,
}

impl<'a> Registered<'a> {
    /// Its building, when one was given.
    fn building(&self) -> Option<&'a str> {
        self.building.filter(|b| !b.trim().is_empty())
    }

    /// Where the recurring-defect window starts (ms).
    fn recurring_since(&self) -> i64 {
        to_millis(self.received_at - Duration::days(rule::RECURRING_DAYS))
    }

    /// Where the forming-group window starts (ms).
    fn group_since(&self) -> i64 {
        to_millis(self.received_at - Duration::hours(rule::GROUP_HOURS))
    }

    /// The recurring-defect warning's matter and window, when a building is named.
    fn recurring_matter(&self) -> Option<(String, i64)> {
        let (_, project_code, _) = self.project;
        let bucket = day_number(self.now) / rule::RECURRING_DAYS;
        self.building()
            .map(|b| (format!("{project_code}|{b}|{}", self.category.0), bucket))
    }

    /// The forming-group warning's matter and window.
    fn group_matter(&self) -> (String, i64) {
        let (_, project_code, _) = self.project;
        (format!("{project_code}|{}", self.category.0), day_number(self.now) / 3)
    }
}

fn day_number(t: DateTime<Utc>) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&date_cn(t)))
}

/// The counts [`on_registered`] needs for a complaint: similar ones in its building (when it
/// names one), then households with the same matter in its project; neither is counted when
/// its warning was already raised in the window (the count is then -1).
pub fn probes<'a>(r: &Registered<'a>) -> Vec<store::warnings::Probe<'a>> {
    let (project_id, _, _) = r.project;
    let (category, _, _) = r.category;
    let mut probes = Vec::with_capacity(2);
    if let (Some(b), Some((subject, bucket))) = (r.building(), r.recurring_matter()) {
        probes.push(store::warnings::Probe {
            project_id,
            category,
            building: Some(b),
            since_ms: r.recurring_since(),
            cap: rule::RECURRING_MIN,
            households: false,
            unless_raised: Some((WarningKind::RecurringDefect.code(), subject, bucket)),
        });
    }
    let (subject, bucket) = r.group_matter();
    probes.push(store::warnings::Probe {
        project_id,
        category,
        building: None,
        since_ms: r.group_since(),
        cap: rule::GROUP_MIN,
        households: true,
        unless_raised: Some((WarningKind::GroupForming.code(), subject, bucket)),
    });
    probes
}

/// Runs the registration checks in the registering transaction, given the counts of its
/// [`probes`] (made for a whole group of registrations at once).
pub async fn on_registered(c: &mut Conn<'_>, r: &Registered<'_>, counts: &[i64]) -> AppResult<()> {
    let now_ms = to_millis(r.now);
    let (project_id, project_code, path) = r.project;
    let (category, name_zh, name_en) = r.category;
    let topics = rule::sensitive_topics(r.reasons, r.text);
    if !topics.is_empty() {
        let t = topics.join("、");
        raise(
            c,
            &NewWarning {
                kind: WarningKind::SensitiveMention.code(),
                subject: r.number,
                bucket: 0,
                org_path: path,
                title_zh: &format!("投诉 {} 涉及{t}", r.number),
                title_en: &format!("Complaint {} mentions {}", r.number, english(&topics)),
                detail: &json!({"topics": topics}),
                complaint_id: Some(r.id),
            },
            Some(r.number),
            now_ms,
        )
        .await?;
    }
    let since = r.recurring_since();
    if let (Some(b), Some((subject, bucket))) = (r.building(), r.recurring_matter()) {
        let kind = WarningKind::RecurringDefect.code();
        let n = counts.first().copied().unwrap_or_default();
        // Raised earlier in this group when the count said not yet.
        if n >= rule::RECURRING_MIN && !store::warnings::exists(c, kind, &subject, bucket).await? {
            let numbers = store::warnings::similar_numbers(c, project_id, category, Some(b), since).await?;
            raise(
                c,
                &NewWarning {
                    kind,
                    subject: &subject,
                    bucket,
                    org_path: path,
                    title_zh: &format!(
                        "{b} {} 天内 {} 起「{name_zh}」投诉",
                        rule::RECURRING_DAYS,
                        numbers.len()
                    ),
                    title_en: &format!(
                        "{} complaints about {name_en} in {b} within {} days",
                        numbers.len(),
                        rule::RECURRING_DAYS
                    ),
                    detail: &json!({"project": project_code, "building": b, "category": category, "numbers": numbers}),
                    complaint_id: Some(r.id),
                },
                Some(r.number),
                now_ms,
            )
            .await?;
        }
    }
    let recent = r.group_since();
    let (subject, bucket) = r.group_matter();
    let kind = WarningKind::GroupForming.code();
    let households = counts.last().copied().unwrap_or_default();
    if households >= rule::GROUP_MIN && !store::warnings::exists(c, kind, &subject, bucket).await? {
        let numbers = store::warnings::similar_numbers(c, project_id, category, None, recent).await?;
        raise(
            c,
            &NewWarning {
                kind,
                subject: &subject,
                bucket,
                org_path: path,
                title_zh: &format!("{project_code} 多户在 {} 小时内反映「{name_zh}」，可能形成群诉", rule::GROUP_HOURS),
                title_en: &format!(
                    "{project_code}: several households raised {name_en} within {} hours; a group complaint may be forming",
                    rule::GROUP_HOURS
                ),
                detail: &json!({"project": project_code, "category": category, "numbers": numbers}),
                complaint_id: Some(r.id),
            },
            Some(r.number),
            now_ms,
        )
        .await?;
    }
    Ok(())
}

fn english(topics: &[&str]) -> String {
    topics
        .iter()
        .map(|t| match *t {
            "媒体" => "the media",
            "信访" => "petitions",
            _ => "legal action",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Raises a warning and tells the responsible heads, once per matter and window; whether it
/// was raised now.
async fn raise(c: &mut Conn<'_>, w: &NewWarning<'_>, number: Option<&str>, now_ms: i64) -> AppResult<bool> {
    let Some(id) = store::warnings::raise(c, w, now_ms).await? else {
        return Ok(false);
    };
    // A project's warnings go to its project head and customer-service supervisors (every
    // holder over it); group-wide ones (a category) to group customer relations and management.
    let group_wide = w.org_path.matches('/').count() <= 2;
    let roles: &[Role] = if group_wide {
        &[Role::GroupCr, Role::Management]
    } else {
        &[Role::ProjectHead, Role::Supervisor]
    };
    let mut users = Vec::new();
    for role in roles {
        let holders = store::workflow::holders(c, role.code(), w.org_path, None).await?;
        users.extend(holders.into_iter().map(|(id, _)| id));
    }
    if users.is_empty() {
        for (id, _) in store::workflow::holders(c, Role::GroupCr.code(), "/", None).await? {
            users.push(id);
        }
    }
    users.sort_unstable();
    users.dedup();
    let payload = json!({"warning": id, "kind": w.kind, "number": number, "zh": format!("预警：{}", w.title_zh), "en": format!("Warning: {}", w.title_en)});
    for user in users {
        let recipient = user.to_string();
        store::outbox::enqueue(
            c,
            &store::outbox::Message {
                kind: "early_warning",
                channel: "inbox",
                recipient: &recipient,
                complaint_id: w.complaint_id,
                payload: &payload,
            },
            now_ms,
        )
        .await?;
        crate::services::me::fan_out(c, user, w.complaint_id, "early_warning", &payload, now_ms).await?;
    }
    Ok(true)
}

/// The hourly volume check over the roll-up: the last seven days of each project and category
/// against the four weeks before; returns how many warnings were raised.
pub async fn scan_volume(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    state
        .store
        .write(move |c| {
            async move {
                let today = date_cn(now);
                let key = store::rollup::day_key;
                let recent_from = today - chrono::Days::new(6);
                let base_from = recent_from - chrono::Days::new(7 * rule::BASELINE_WEEKS as u64);
                let rows = store::warnings::volumes(c, key(base_from), key(recent_from), key(today)).await?;
                let root = store::org::all_nodes(c)
                    .await?
                    .into_iter()
                    .find(|n| n.parent_id.is_none())
                    .map(|n| n.path)
                    .unwrap_or_default();
                let mut raised = 0;
                for (what, code, path, recent, previous) in rows {
                    if !rule::spike(recent, previous) {
                        continue;
                    }
                    let path = if what == "project" { path } else { root.clone() };
                    let fresh = raise(
                        c,
                        &NewWarning {
                            kind: WarningKind::VolumeSpike.code(),
                            subject: &format!("{what}|{code}"),
                            bucket: day_number(now) / 7,
                            org_path: &path,
                            title_zh: &format!(
                                "{} {code} 近 7 天投诉 {recent} 件，前 4 周周均 {:.1} 件",
                                if what == "project" { "项目" } else { "类别" },
                                previous as f64 / rule::BASELINE_WEEKS as f64
                            ),
                            title_en: &format!(
                                "{what} {code}: {recent} complaints in 7 days against a weekly mean of {:.1}",
                                previous as f64 / rule::BASELINE_WEEKS as f64
                            ),
                            detail: &json!({"what": what, "code": code, "recent": recent, "previous_four_weeks": previous}),
                            complaint_id: None,
                        },
                        None,
                        to_millis(now),
                    )
                    .await?;
                    raised += usize::from(fresh);
                }
                Ok::<_, AppError>(raised)
            }
            .boxed()
        })
        .await
}

fn item(w: &WarningRow) -> Value {
    json!({
        "id": w.id,
        "kind": w.kind,
        "kind_label": WarningKind::from_code(&w.kind).map(|k| k.label().zh),
        "title": w.title_zh,
        "title_en": w.title_en,
        "detail": serde_json::from_str::<Value>(&w.detail).unwrap_or(Value::Null),
        "complaint_number": w.number,
        "raised_at": rfc3339_cn(from_millis(w.raised_at)),
        "acknowledged_at": w.acknowledged_at.map(|t| rfc3339_cn(from_millis(t))),
        "acknowledged_by": w.acknowledged_name,
        "note": w.note,
    })
}

/// The newest warnings the caller may see (only open ones when `open`).
pub async fn list(state: &AppState, who: &Principal, open: bool) -> AppResult<Vec<Value>> {
    let mut r = state.store.reader().await?;
    let rows = store::warnings::list(&mut r.conn(), &who.scope, open, 200).await?;
    Ok(rows.iter().map(item).collect())
}

/// Acknowledges a warning the caller may see, with what is being done about it.
pub async fn acknowledge(state: &AppState, who: &Principal, id: i64, note: String) -> AppResult<Value> {
    who.require(domain::access::Permission::ManageInsight)?;
    let note = crate::services::text_field("note", &note, 2000)?;
    let now = to_millis(state.clock.now());
    let (who2, note2) = (who.clone(), note.clone());
    state
        .store
        .write(move |c| {
            async move {
                store::warnings::get(c, &who2.scope, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !store::warnings::acknowledge(c, id, who2.user_id, &note2, now).await? {
                    return Err(AppError::Conflict("the warning was already acknowledged".into()));
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    let mut r = state.store.reader().await?;
    let row = store::warnings::get(&mut r.conn(), &who.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(item(&row))
}
