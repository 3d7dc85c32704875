//! The complaint resource of API.md, built from stored rows.

use chrono::{DateTime, Utc};
use domain::contact::{mask_email, mask_phone};
use domain::sla::Deadline;
use domain::time::{from_millis, rfc3339_cn};
use domain::{Code, DeadlineState, SlaClock};
use serde_json::{json, Value};
use store::attachments::AttachmentRow;
use store::complaints::{ComplaintRow, DeadlineRow};
use store::workflow::LinkedDepartment;

/// The rows that belong to a page of complaints, loaded together.
#[derive(Debug, Default)]
pub struct Related {
    /// Deadlines.
    pub deadlines: Vec<DeadlineRow>,
    /// Lead and co-handling departments.
    pub departments: Vec<LinkedDepartment>,
    /// Evidence.
    pub attachments: Vec<AttachmentRow>,
    /// Related complaints (R-WF-10).
    pub links: Vec<store::workflow::LinkRow>,
}

impl Related {
    /// Loads the related rows of these complaints.
    pub async fn load(c: &mut store::Conn<'_>, ids: &[uuid::Uuid]) -> Result<Related, store::StoreError> {
        Ok(Related {
            deadlines: store::complaints::deadlines_of(c, ids).await?,
            departments: store::workflow::departments(c, ids).await?,
            attachments: store::attachments::of(c, ids).await?,
            links: store::workflow::links(c, ids).await?,
        })
    }

    /// Drops links to complaints the viewer may not see, so no number leaks across scopes.
    pub fn visible_to(mut self, scope: &domain::access::Scope) -> Related {
        self.links.retain(|l| scope.admits(&l.org_path, &[]));
        self
    }
}

/// Renders one complaint as the API resource. Phones and e-mails are masked (R-SEC-2).
pub fn complaint_json(
    row: &ComplaintRow,
    related: &Related,
    department_name: Option<&str>,
    now: DateTime<Utc>,
) -> Value {
    let parse_list = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!([]));
    let departments = &related.departments;
    let deadlines: Vec<Value> = related
        .deadlines
        .iter()
        .filter(|d| d.complaint_id == row.id)
        .filter_map(|d| deadline_json(d, now))
        .collect();
    json!({
        "id": row.id,
        "number": row.number,
        "version": row.version,
        "state": row.state,
        "grade": row.grade,
        "grade_reasons": parse_list(&row.grade_reasons),
        "grade_decided_by": row.grade_decided_by,
        "suggested_grade": row.suggested_grade,
        "grade_note": row.grade_note,
        "category": {
            "code": row.category_code,
            "name": row.category_name_zh,
            "name_en": row.category_name_en,
            "decided_by": row.category_decided_by,
            "reasons": parse_list(&row.category_reasons),
        },
        "channel": row.channel,
        "complainant": {
            "id": row.complainant_id,
            "name": row.complainant_name,
            "phone": row.complainant_phone.as_deref().map(mask_phone),
            "email": row.complainant_email.as_deref().map(mask_email),
            "kind": row.complainant_kind,
        },
        "project": {"code": row.project_code, "name": row.project_name},
        "building": row.building,
        "unit": row.unit,
        "location": row.location,
        "stage": row.stage,
        "subject": row.subject,
        "description": row.description,
        "demands": row.demands,
        "households": row.households,
        "received_at": rfc3339_cn(from_millis(row.received_at)),
        "suggested_department": {"code": row.suggested_department, "name": department_name},
        "lead_department": row.lead_department_code.as_ref().map(|code| json!({"code": code, "name": row.lead_department_name})),
        "handler": row.handler_id.map(|id| json!({"id": id, "name": row.handler_name})),
        "co_departments": departments
            .iter()
            .filter(|d| d.complaint_id == row.id && !d.lead)
            .map(|d| json!({"code": d.code, "name": d.name}))
            .collect::<Vec<_>>(),
        "accountable": row.accountable_user_id.map(|id| json!({"id": id, "name": row.accountable_name})),
        "repeat_of": row.repeat_of,
        "links": related.links.iter().filter(|l| l.complaint_id == row.id).map(|l| json!({"number": l.number, "reason": l.reason})).collect::<Vec<_>>(),
        "attachments": crate::services::attachments::list_json(&related.attachments, row.id, &row.number),
        "assessment": row.assessment.as_deref().map(parse_list),
        "plan": row.plan.as_deref().map(parse_list),
        "approvals_pending": row.approvals_pending,
        "callback_done": row.callback_done,
        "satisfaction": row.satisfaction,
        "escalation_level": row.escalation_level,
        "round": row.round,
        "merged_into": row.merged_into,
        "closed_at": row.closed_at.map(|t| rfc3339_cn(from_millis(t))),
        "archived_at": row.archived_at.map(|t| rfc3339_cn(from_millis(t))),
        "deadlines": deadlines,
        "created_at": rfc3339_cn(from_millis(row.created_at)),
        "updated_at": rfc3339_cn(from_millis(row.updated_at)),
    })
}

fn deadline_json(d: &DeadlineRow, now: DateTime<Utc>) -> Option<Value> {
    let clock = SlaClock::from_code(&d.clock)?;
    let state = DeadlineState::from_code(&d.state)?;
    let dl = Deadline {
        clock,
        due_at: from_millis(d.due_at),
        state,
        met_at: d.met_at.map(from_millis),
    };
    Some(json!({
        "clock": clock.code(),
        "due_at": rfc3339_cn(dl.due_at),
        "state": dl.state_at(now).code(),
        "met_at": dl.met_at.map(rfc3339_cn),
    }))
}
