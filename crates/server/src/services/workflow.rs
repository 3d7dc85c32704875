//! Carrying a complaint from dispatch to archive (R-WF-1…11): one transaction per action —
//! lock the complaint, check scope, role, version and the state machine, apply the effects,
//! save, append the event and write the notifications to the outbox.

use crate::auth::{load_grants, Principal};
use crate::error::{AppError, AppResult};
use crate::services::complaints::{get, lock_visible, read_visible};
use crate::state::{AppState, Settings};
use chrono::{DateTime, Utc};
use domain::access::may_take;
use domain::sla::{default_policies, policies_for, started_by, stopped_by, Trigger};
use domain::state::{next, Action, Facts};
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::{Code, ContactMethod, Grade, Reasonableness, Role, Satisfaction, SlaClock, State};
use futures::FutureExt;
use serde_json::{json, Value};
use store::workflow::{self as wf, WorkRow};
use store::{audit, org, outbox, users, Conn};

/// An action with its validated input.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Command {
    Dispatch {
        lead: String,
        co: Vec<String>,
        supervision_order: Option<String>,
    },
    Assign {
        handler: String,
    },
    Respond {
        content: String,
        method: Option<ContactMethod>,
    },
    Assess {
        facts: String,
        responsibility: Option<String>,
        reasonableness: Option<Reasonableness>,
        direction: Option<String>,
        days_needed: Option<i64>,
    },
    ProposePlan {
        measures: String,
        responsible: Option<String>,
        deadline: Option<String>,
        resources: Option<String>,
        compensation_fen: i64,
        compensation_form: Option<String>,
    },
    ApprovePlan {
        comment: Option<String>,
    },
    RejectPlan {
        comment: String,
    },
    Reply {
        content: String,
        written: bool,
    },
    Confirm {
        comment: Option<String>,
    },
    Object {
        reason: String,
    },
    Callback {
        satisfaction: Option<Satisfaction>,
        remarks: Option<String>,
        impossible_reason: Option<String>,
    },
    Close {
        summary: Option<String>,
    },
    Archive,
    Withdraw {
        reason: String,
    },
    Reopen {
        reason: String,
    },
    Merge {
        into: String,
    },
    Extend {
        clock: Option<SlaClock>,
        until: Option<DateTime<Utc>>,
        reason: String,
    },
    Escalate {
        reason: String,
    },
    Note {
        text: String,
    },
    LogContact {
        method: Option<ContactMethod>,
        content: String,
    },
}

impl Command {
    /// The action this command takes.
    pub fn action(&self) -> Action {
        use Command as C;
        match self {
            C::Dispatch { .. } => Action::Dispatch,
            C::Assign { .. } => Action::Assign,
            C::Respond { .. } => Action::Respond,
            C::Assess { .. } => Action::Assess,
            C::ProposePlan { .. } => Action::ProposePlan,
            C::ApprovePlan { .. } => Action::ApprovePlan,
            C::RejectPlan { .. } => Action::RejectPlan,
            C::Reply { .. } => Action::Reply,
            C::Confirm { .. } => Action::Confirm,
            C::Object { .. } => Action::Object,
            C::Callback { .. } => Action::Callback,
            C::Close { .. } => Action::Close,
            C::Archive => Action::Archive,
            C::Withdraw { .. } => Action::Withdraw,
            C::Reopen { .. } => Action::Reopen,
            C::Merge { .. } => Action::Merge,
            C::Extend { .. } => Action::Extend,
            C::Escalate { .. } => Action::Escalate,
            C::Note { .. } => Action::Note,
            C::LogContact { .. } => Action::LogContact,
        }
    }
}

/// Takes an action and returns the updated complaint; its text joins the search index.
pub async fn act(state: &AppState, who: &Principal, number: &str, version: i64, cmd: Command) -> AppResult<Value> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let settings = state.settings();
    // Replies, notes and contacts become searchable with the complaint (R-AN-1); segmented
    // here, before the transaction.
    let words = match &cmd {
        Command::Reply { content, .. } | Command::Respond { content, .. } | Command::LogContact { content, .. } => {
            domain::search::index_words(content)
        }
        Command::Note { text } => domain::search::index_words(text),
        _ => vec![],
    };
    let (who2, number2) = (who.clone(), number.to_string());
    state
        .store
        .write(move |c| {
            async move {
                act_in(c, &who2, &number2, version, &cmd, &words, &settings, now).await?;
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    get(state, who, number).await
}

/// The actions `who` may take on a complaint now: their roles allow it, a grant covers the
/// complaint, and the state machine accepts it from here (the console shows exactly these forms).
pub async fn allowed(state: &AppState, who: &Principal, number: &str) -> AppResult<Vec<Action>> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let (w, linked) = crate::services::complaints::work_visible(&mut c, who, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    if !covers(who, None, &w, &linked) {
        return Ok(vec![]);
    }
    let (from, f) = (state_of(&w)?, facts(&w));
    Ok(<Action as Code>::ALL
        .iter()
        .copied()
        .filter(|a| who.grants.iter().any(|g| may_take(g.role, *a)) && next(from, *a, &f).is_ok())
        .collect())
}

/// Whether a grant of `role` held by `who` covers this complaint: its org subtree, or one of its departments.
fn covers(who: &Principal, role: Option<Role>, w: &WorkRow, departments: &[i64]) -> bool {
    who.grants.iter().any(|g| {
        role.is_none_or(|r| g.role == r)
            && (g.role == Role::GroupCr
                || match &g.department {
                    Some((id, code)) if code != domain::org::OWNING_DEPARTMENT => departments.contains(id),
                    _ => w.org_path.starts_with(g.org_path.as_str()),
                })
    })
}

fn facts(w: &WorkRow) -> Facts {
    Facts {
        dispatched: w.lead_department_id.is_some(),
        has_handler: w.handler_id.is_some(),
        assessed: w.assessment.is_some(),
        approvals_pending: w.approvals_pending.clamp(0, 255) as u8,
        plan_in_force: w.plan_in_force,
        callback_done: w.callback_done,
        dissatisfied: w
            .satisfaction
            .as_deref()
            .and_then(Satisfaction::from_code)
            .is_some_and(Satisfaction::is_dissatisfied),
    }
}

fn state_of(w: &WorkRow) -> AppResult<State> {
    State::from_code(&w.state).ok_or_else(|| AppError::Internal(format!("stored state {} unknown", w.state)))
}

fn plan_of(w: &WorkRow) -> Value {
    w.plan
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null)
}

struct Ctx<'a> {
    who: &'a Principal,
    now: DateTime<Utc>,
    now_ms: i64,
}

#[allow(clippy::too_many_arguments)]
async fn act_in(
    c: &mut Conn<'_>,
    who: &Principal,
    number: &str,
    version: i64,
    cmd: &Command,
    words: &[String],
    settings: &Settings,
    now: DateTime<Utc>,
) -> AppResult<uuid::Uuid> {
    let (mut w, linked) = lock_visible(c, who, number).await?.ok_or(AppError::NotFound)?;
    let action = cmd.action();
    if !who.grants.iter().any(|g| may_take(g.role, action)) || !covers(who, None, &w, &linked) {
        return Err(AppError::Forbidden(format!(
            "your roles may not take `{}` on this complaint",
            action.code()
        )));
    }
    if w.version != version {
        return Err(AppError::Conflict(format!(
            "stale version {version}: the complaint is at version {}; reload and retry",
            w.version
        )));
    }
    let from = state_of(&w)?;
    let mut f = facts(&w);
    let mut chain: Vec<Role> = Vec::new();
    if let Command::ProposePlan { compensation_fen, .. } = cmd {
        // Read in this transaction, so every process applies the policy in force now.
        let policy = crate::services::settings::approval_policy(c).await?;
        let grade = Grade::from_code(&w.grade).unwrap_or(Grade::General);
        chain = policy.chain(grade, *compensation_fen);
        f.approvals_pending = chain.len() as u8;
    }
    let mut to = next(from, action, &f).map_err(|r| AppError::Conflict(r.reason))?;
    let ctx = Ctx {
        who,
        now,
        now_ms: to_millis(now),
    };
    let mut detail = json!({});
    apply(c, &ctx, &mut w, &linked, cmd, &chain, &mut to, &mut detail).await?;
    run_clocks(c, &w, action, settings, ctx.now).await?;
    if !to.is_open() {
        // Closed, withdrawn or merged: the sweep has nothing more to chase.
        wf::stop_sweeping(c, w.id).await?;
    }
    w.state = to.code().to_string();
    if !wf::save(c, &w, ctx.now_ms).await? {
        return Err(AppError::Conflict(
            "the complaint changed meanwhile; reload and retry".into(),
        ));
    }
    // The roll-up and search before the audit trail: every transaction takes the audit chain's
    // head last, so none waits for a cell while holding it (no deadlock across processes).
    store::rollup::refresh(c, w.id).await?;
    if !words.is_empty() {
        store::search::add_words(c, w.id, words).await?;
    }
    let payload = json!({
        "action": action.code(),
        "before": {"state": from.code(), "version": version},
        "after": {"state": to.code(), "version": version + 1, "round": w.round, "escalation_level": w.escalation_level},
        "detail": detail,
    });
    audit::append(
        c,
        &audit::NewEvent {
            complaint_id: Some(w.id),
            at_ms: ctx.now_ms,
            actor_id: Some(who.user_id),
            kind: action.code(),
            payload: &payload,
        },
    )
    .await?;
    Ok(w.id)
}

async fn notify_user(
    c: &mut Conn<'_>,
    w: &WorkRow,
    user: i64,
    kind: &str,
    zh: String,
    en: String,
    now_ms: i64,
) -> AppResult<()> {
    notify_staff(c, w.id, &w.number, user, kind, json!({"zh": zh, "en": en}), now_ms).await
}

/// Writes a notice for a member of staff to the outbox: in-app, and by e-mail or SMS as they
/// chose; `payload` gets the number added.
pub(crate) async fn notify_staff(
    c: &mut Conn<'_>,
    complaint: uuid::Uuid,
    number: &str,
    user: i64,
    kind: &str,
    mut payload: Value,
    now_ms: i64,
) -> AppResult<()> {
    payload["number"] = json!(number);
    let recipient = user.to_string();
    let message = outbox::Message {
        kind,
        channel: "inbox",
        recipient: &recipient,
        complaint_id: Some(complaint),
        payload: &payload,
    };
    outbox::enqueue(c, &message, now_ms).await?;
    crate::services::me::fan_out(c, user, Some(complaint), kind, &payload, now_ms).await
}

async fn notify_customer(
    c: &mut Conn<'_>,
    w: &WorkRow,
    kind: &str,
    zh: String,
    en: String,
    now_ms: i64,
) -> AppResult<()> {
    let (channel, recipient) = match (&w.complainant_phone, &w.complainant_email) {
        (Some(p), _) => ("sms", p.clone()),
        (None, Some(e)) => ("email", e.clone()),
        _ => return Ok(()),
    };
    let payload = json!({"number": w.number, "zh": zh, "en": en});
    outbox::enqueue(
        c,
        &outbox::Message {
            kind,
            channel,
            recipient: &recipient,
            complaint_id: Some(w.id),
            payload: &payload,
        },
        now_ms,
    )
    .await?;
    Ok(())
}

/// The holders of `role` over this complaint (a department head of the lead department).
async fn holders_of(c: &mut Conn<'_>, w: &WorkRow, role: Role) -> AppResult<Vec<(i64, String)>> {
    let department = if role == Role::DeptHead {
        w.lead_department_id
    } else {
        None
    };
    let mut people = wf::holders(c, role.code(), &w.org_path, department).await?;
    // The employee the complaint is about hears nothing of it (R-WF-3).
    people.retain(|(id, _)| Some(*id) != w.complained_user_id);
    Ok(people)
}

/// The clock event an action is (R-SLA-1), if any.
fn trigger(action: Action) -> Option<Trigger> {
    Some(match action {
        Action::Dispatch => Trigger::Dispatched,
        Action::Assign => Trigger::Assigned,
        Action::Respond => Trigger::Responded,
        Action::Assess => Trigger::Assessed,
        Action::Reply => Trigger::Replied,
        Action::Confirm => Trigger::Confirmed,
        Action::Callback => Trigger::CalledBack,
        Action::Close => Trigger::Closed,
        _ => return None,
    })
}

/// Meets the clocks an action stops and starts the clocks it starts (deadlines are data,
/// recomputed on every change).
async fn run_clocks(
    c: &mut Conn<'_>,
    w: &WorkRow,
    action: Action,
    settings: &Settings,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(t) = trigger(action) else { return Ok(()) };
    let grade = Grade::from_code(&w.grade).unwrap_or(Grade::General);
    let policies = policies_for(&default_policies(), &settings.clock_overrides, grade, &w.category_code);
    let stopped: Vec<&str> = stopped_by(t, &policies).iter().map(|c| c.code()).collect();
    wf::meet(c, w.id, &stopped, to_millis(now)).await?;
    let started: Vec<(&str, i64, i64)> = started_by(
        t,
        grade,
        now,
        &policies,
        &settings.calendar,
        settings.close_at(&w.org_path),
    )
    .iter()
    .map(|d| {
        (
            d.clock.code(),
            to_millis(d.due_at),
            to_millis(domain::sweep::warn_at(now, d.due_at)),
        )
    })
    .collect();
    wf::start(c, w.id, to_millis(now), &started).await?;
    if t == Trigger::Closed {
        overdue_inquiry(c, w, now).await?;
    }
    Ok(())
}

/// A complaint closed after any of its clocks ran out gets an overdue-cause inquiry (洽办单,
/// R-SLA-3) to the lead department's heads, or the service centre if it was never dispatched.
async fn overdue_inquiry(c: &mut Conn<'_>, w: &WorkRow, now: DateTime<Utc>) -> AppResult<()> {
    let overdue = wf::any_breached(c, w.id).await?;
    if overdue.is_empty() {
        return Ok(());
    }
    let recipients = match w.lead_department_id {
        Some(_) => holders_of(c, w, Role::DeptHead).await?,
        None => holders_of(c, w, Role::Supervisor).await?,
    };
    let now_ms = to_millis(now);
    for (id, _) in recipients {
        let zh = format!(
            "洽办单：投诉 {} 已结案，但以下时限超期：{}。请说明超期原因。",
            w.number,
            overdue.join("、")
        );
        let en = format!(
            "Overdue inquiry: complaint {} closed after these clocks ran out: {}. Please explain why.",
            w.number,
            overdue.join(", ")
        );
        notify_user(c, w, id, "overdue_inquiry", zh, en, now_ms).await?;
    }
    if let Some(dept) = w.lead_department_id {
        let zh = format!(
            "洽办单：投诉 {} 已结案，但时限超期：{}。请说明原因。",
            w.number,
            overdue.join("、")
        );
        crate::services::robots::notify(c, w.id, &w.number, dept, "overdue_inquiry", &zh, now_ms).await?;
    }
    let payload = json!({"action": "overdue_inquiry", "clocks": overdue});
    let event = audit::NewEvent {
        complaint_id: Some(w.id),
        at_ms: now_ms,
        actor_id: None,
        kind: "overdue_inquiry",
        payload: &payload,
    };
    audit::append(c, &event).await?;
    Ok(())
}

/// Tells every holder of the next approval tier that a plan awaits them.
async fn notify_approvers(c: &mut Conn<'_>, w: &WorkRow, role: Role, now_ms: i64) -> AppResult<()> {
    for (approver, _) in holders_of(c, w, role).await? {
        let zh = format!("投诉 {} 的处理方案待您审批。", w.number);
        let en = format!("The plan for complaint {} awaits your approval.", w.number);
        notify_user(c, w, approver, "plan_awaiting_approval", zh, en, now_ms).await?;
    }
    Ok(())
}

/// The escalation ladder of R-SLA-3, one role per level.
fn ladder(level: i32) -> Role {
    match level {
        ..=1 => Role::DeptHead,
        2 => Role::ProjectHead,
        3 => Role::CityHead,
        4 => Role::RegionHead,
        _ => Role::GroupCr,
    }
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    w: &mut WorkRow,
    linked: &[i64],
    cmd: &Command,
    chain: &[Role],
    to: &mut State,
    detail: &mut Value,
) -> AppResult<()> {
    use Command as C;
    let now_ms = ctx.now_ms;
    match cmd {
        C::Dispatch {
            lead,
            co,
            supervision_order,
        } => {
            let departments = org::departments_of(c, w.project_id).await?;
            let find = |code: &str| departments.iter().find(|d| d.code == code);
            let lead_dept =
                find(lead).ok_or_else(|| AppError::field("lead_department", "unknown department of this project"))?;
            let mut co_ids = Vec::new();
            for code in co {
                match find(code) {
                    Some(d) if d.id != lead_dept.id && !co_ids.contains(&d.id) => co_ids.push(d.id),
                    Some(_) => {
                        return Err(AppError::field(
                            "co_departments",
                            "lists the lead department or one twice",
                        ))
                    }
                    None => {
                        return Err(AppError::field(
                            "co_departments",
                            format!("unknown department `{}`", code.chars().take(40).collect::<String>()),
                        ))
                    }
                }
            }
            if w.lead_department_id != Some(lead_dept.id) {
                w.handler_id = None;
            }
            wf::set_departments(c, w.id, lead_dept.id, &co_ids).await?;
            w.lead_department_id = Some(lead_dept.id);
            // Head-of-unit responsibility (R-SLA-4): the lead department's head for a general
            // complaint; the region head for a major, urgent or group complaint.
            let grade = Grade::from_code(&w.grade).unwrap_or(Grade::General);
            let region_level = grade >= Grade::Major || w.households >= domain::grading::GROUP_HOUSEHOLDS;
            let accountable = if region_level {
                holders_of(c, w, Role::RegionHead).await?
            } else {
                holders_of(c, w, Role::DeptHead).await?
            };
            w.accountable_user_id = accountable.first().map(|(id, _)| *id);
            for (head, _) in holders_of(c, w, Role::DeptHead).await? {
                notify_user(
                    c,
                    w,
                    head,
                    "complaint_dispatched",
                    format!("投诉 {} 已分派至{}，请安排处理人。", w.number, lead_dept.name),
                    format!(
                        "Complaint {} was dispatched to {}; assign a handler.",
                        w.number, lead_dept.name
                    ),
                    now_ms,
                )
                .await?;
            }
            let zh = format!("投诉 {} 已分派至{}，请安排处理人。", w.number, lead_dept.name);
            crate::services::robots::notify(c, w.id, &w.number, lead_dept.id, "complaint_dispatched", &zh, now_ms)
                .await?;
            *detail = json!({"lead_department": lead_dept.code, "co_departments": co, "supervision_order": supervision_order, "accountable_user_id": w.accountable_user_id});
        }
        C::Assign { handler } => {
            let user = users::by_username(c, handler)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| AppError::field("handler", "unknown user"))?;
            if w.complained_user_id == Some(user.id) {
                return Err(AppError::field(
                    "handler",
                    "is the employee complained about and is recused (R-WF-3)",
                ));
            }
            let grants = load_grants(c, user.id).await?;
            let department_ids: Vec<i64> = w.lead_department_id.into_iter().chain(linked.iter().copied()).collect();
            let fits = grants.iter().any(|g| {
                matches!(
                    g.role,
                    Role::Handler | Role::DeptHead | Role::Specialist | Role::Supervisor
                ) && match &g.department {
                    Some((id, code)) if code != domain::org::OWNING_DEPARTMENT => department_ids.contains(id),
                    _ => w.org_path.starts_with(g.org_path.as_str()),
                }
            });
            if !fits {
                return Err(AppError::field(
                    "handler",
                    "is not a handler of this complaint's departments",
                ));
            }
            w.handler_id = Some(user.id);
            notify_user(
                c,
                w,
                user.id,
                "complaint_assigned",
                format!("投诉 {} 已指派给您处理，请在1小时内联系客户。", w.number),
                format!(
                    "Complaint {} is assigned to you; contact the customer within one hour.",
                    w.number
                ),
                now_ms,
            )
            .await?;
            *detail = json!({"handler": user.username, "handler_name": user.display_name});
        }
        C::Respond { content, method } => {
            *detail = json!({"content": content, "method": method.map(|m| m.code())});
        }
        C::Assess {
            facts,
            responsibility,
            reasonableness,
            direction,
            days_needed,
        } => {
            let a = json!({"facts": facts, "responsibility": responsibility, "reasonableness": reasonableness.map(|r| r.code()), "direction": direction, "days_needed": days_needed, "by": ctx.who.username, "at": rfc3339_cn(ctx.now)});
            w.assessment = Some(a.to_string());
            *detail = a;
        }
        C::ProposePlan {
            measures,
            responsible,
            deadline,
            resources,
            compensation_fen,
            compensation_form,
        } => {
            let roles: Vec<&str> = chain.iter().map(|r| r.code()).collect();
            let plan = json!({
                "measures": measures, "responsible": responsible, "deadline": deadline, "resources": resources,
                "compensation_fen": compensation_fen, "compensation_form": compensation_form,
                "approval_chain": roles, "approvals": [], "rejections": plan_of(w).get("rejections").cloned().unwrap_or(json!([])),
                "status": if chain.is_empty() { "in_force" } else { "awaiting_approval" },
                "proposed_by": ctx.who.username, "proposed_at": rfc3339_cn(ctx.now),
            });
            w.approvals_pending = chain.len() as i32;
            w.plan_in_force = chain.is_empty();
            w.plan = Some(plan.to_string());
            if let Some(first) = chain.first() {
                notify_approvers(c, w, *first, now_ms).await?;
            }
            *detail = plan;
        }
        C::ApprovePlan { .. } | C::RejectPlan { .. } => {
            let comment = match cmd {
                C::ApprovePlan { comment } => comment.clone(),
                C::RejectPlan { comment } => Some(comment.clone()),
                _ => None,
            };
            let mut plan = plan_of(w);
            let chain: Vec<Role> = plan["approval_chain"]
                .as_array()
                .map(|a| a.iter().filter_map(|r| r.as_str().and_then(Role::from_code)).collect())
                .unwrap_or_default();
            let index = chain.len().saturating_sub(w.approvals_pending.max(0) as usize);
            let needed = *chain
                .get(index)
                .ok_or_else(|| AppError::Conflict("no approval is pending".into()))?;
            if !covers(ctx.who, Some(needed), w, linked) {
                return Err(AppError::Forbidden(format!(
                    "the plan awaits approval by {} ({})",
                    needed.label().zh,
                    needed.code()
                )));
            }
            let entry = json!({"role": needed.code(), "by": ctx.who.username, "name": ctx.who.display_name, "at": rfc3339_cn(ctx.now), "comment": comment});
            if let C::ApprovePlan { .. } = cmd {
                plan["approvals"].as_array_mut().map(|a| a.push(entry.clone()));
                w.approvals_pending -= 1;
                if w.approvals_pending == 0 {
                    w.plan_in_force = true;
                    plan["status"] = json!("in_force");
                    if let Some(h) = w.handler_id {
                        notify_user(
                            c,
                            w,
                            h,
                            "plan_approved",
                            format!("投诉 {} 的处理方案已批准，请落实。", w.number),
                            format!("The plan for complaint {} is approved; carry it out.", w.number),
                            now_ms,
                        )
                        .await?;
                    }
                } else if let Some(next_role) = chain.get(index + 1) {
                    notify_approvers(c, w, *next_role, now_ms).await?;
                }
            } else {
                if plan.get("rejections").and_then(Value::as_array).is_none() {
                    plan["rejections"] = json!([]);
                }
                plan["rejections"].as_array_mut().map(|a| a.push(entry.clone()));
                plan["status"] = json!("rejected");
                w.approvals_pending = 0;
                w.plan_in_force = false;
                if let Some(h) = w.handler_id {
                    notify_user(
                        c,
                        w,
                        h,
                        "plan_rejected",
                        format!("投诉 {} 的处理方案被驳回，请修改后重新提交。", w.number),
                        format!("The plan for complaint {} was rejected; revise and resubmit.", w.number),
                        now_ms,
                    )
                    .await?;
                }
            }
            w.plan = Some(plan.to_string());
            *detail = entry;
        }
        C::Reply { content, written } => {
            notify_customer(
                c,
                w,
                "complaint_replied",
                format!(
                    "您的投诉 {} 已有答复：{}",
                    w.number,
                    content.chars().take(200).collect::<String>()
                ),
                format!(
                    "Your complaint {} has a reply: {}",
                    w.number,
                    content.chars().take(200).collect::<String>()
                ),
                now_ms,
            )
            .await?;
            *detail = json!({"content": content, "written": written});
        }
        C::Confirm { comment } => {
            // The callback survey (R-NT-2): the customer is told the callback is coming and may answer at once.
            let zh = format!("感谢您确认投诉 {} 的处理结果。我们将在2个工作日内回访，您也可直接回复1-5评价：1非常满意 2满意 3一般 4不满意 5非常不满意。", w.number);
            let en = format!("Thank you for confirming the outcome of complaint {}. We will call back within two working days; you may also reply 1-5 now (1 very satisfied … 5 very dissatisfied).", w.number);
            notify_customer(c, w, "callback_survey", zh, en, now_ms).await?;
            *detail = json!({"comment": comment});
        }
        C::Object { reason } => {
            new_round(w);
            let role = ladder(w.escalation_level);
            for (id, _) in holders_of(c, w, role).await? {
                notify_user(
                    c,
                    w,
                    id,
                    "complaint_objected",
                    format!("客户对投诉 {} 的答复有异议，进入第{}轮处理。", w.number, w.round),
                    format!(
                        "The customer objects to the reply on {}; round {} begins.",
                        w.number, w.round
                    ),
                    now_ms,
                )
                .await?;
            }
            *detail = json!({"reason": reason, "round": w.round, "escalated_to": role.code()});
        }
        C::Callback {
            satisfaction,
            remarks,
            impossible_reason,
        } => {
            w.callback_done = true;
            w.satisfaction = satisfaction.map(|s| s.code().to_string());
            *detail = json!({"satisfaction": satisfaction.map(|s| s.code()), "remarks": remarks, "impossible_reason": impossible_reason});
            // Dissatisfaction reopens the complaint for a new round (R-WF-8).
            if satisfaction.is_some_and(Satisfaction::is_dissatisfied) {
                *to = next(*to, Action::Reopen, &facts(w)).map_err(|r| AppError::Conflict(r.reason))?;
                new_round(w);
                detail["reopened"] = json!({"round": w.round});
            }
        }
        C::Close { summary } => {
            if state_of(w)? == State::Registered && summary.is_none() {
                return Err(AppError::field(
                    "summary",
                    "is required to close a complaint resolved on the spot",
                ));
            }
            w.closed_at = Some(now_ms);
            *detail = json!({"summary": summary, "on_the_spot": state_of(w)? == State::Registered});
        }
        C::Archive => {
            w.archived_at = Some(now_ms);
            *detail = json!({"year": from_millis(now_ms).format("%Y").to_string()});
        }
        C::Withdraw { reason } => *detail = json!({"reason": reason}),
        C::Reopen { reason } => {
            new_round(w);
            w.closed_at = None;
            *detail = json!({"reason": reason, "round": w.round});
        }
        C::Merge { into } => {
            if into == &w.number {
                return Err(AppError::field("into", "a complaint cannot merge into itself"));
            }
            let (mut target, _) = lock_visible(c, ctx.who, into)
                .await?
                .ok_or_else(|| AppError::field("into", "unknown complaint"))?;
            if !state_of(&target)?.is_open() {
                return Err(AppError::field("into", "the target complaint is not open"));
            }
            // A group complaint gathers its households (R-WF-10).
            target.households += w.households;
            if !wf::save(c, &target, now_ms).await? {
                return Err(AppError::Conflict(
                    "the target complaint changed meanwhile; retry".into(),
                ));
            }
            let payload = json!({"action": "merged_in", "from": w.number, "households": target.households});
            audit::append(
                c,
                &audit::NewEvent {
                    complaint_id: Some(target.id),
                    at_ms: now_ms,
                    actor_id: Some(ctx.who.user_id),
                    kind: "merged_in",
                    payload: &payload,
                },
            )
            .await?;
            w.merged_into = Some(into.clone());
            *detail = json!({"into": into});
        }
        C::Extend { clock, until, reason } => {
            let (clock, until) = (clock.expect("parsed"), until.expect("parsed"));
            let old = wf::extend(c, w.id, clock.code(), to_millis(until), ctx.now_ms).await?;
            let old =
                old.ok_or_else(|| AppError::field("clock", "this complaint has no running clock of that kind"))?;
            if to_millis(until) <= old {
                return Err(AppError::field("until", "must be later than the current due time"));
            }
            // The customer is told of the extension (R-WF-11).
            notify_customer(
                c,
                w,
                "deadline_extended",
                format!(
                    "您的投诉 {} 处理时限延长至 {}，原因：{}",
                    w.number,
                    rfc3339_cn(until),
                    reason
                ),
                format!(
                    "The deadline of your complaint {} is extended to {}: {}",
                    w.number,
                    rfc3339_cn(until),
                    reason
                ),
                now_ms,
            )
            .await?;
            *detail = json!({"clock": clock.code(), "from": rfc3339_cn(from_millis(old)), "until": rfc3339_cn(until), "reason": reason});
        }
        C::Escalate { reason } => {
            w.escalation_level += 1;
            let role = ladder(w.escalation_level);
            for (id, _) in holders_of(c, w, role).await? {
                notify_user(
                    c,
                    w,
                    id,
                    "complaint_escalated",
                    format!("投诉 {} 已升级至您处，原因：{}", w.number, reason),
                    format!("Complaint {} is escalated to you: {}", w.number, reason),
                    now_ms,
                )
                .await?;
            }
            *detail = json!({"reason": reason, "level": w.escalation_level, "to": role.code()});
        }
        C::Note { text } => *detail = json!({"text": text}),
        C::LogContact { method, content } => *detail = json!({"method": method.map(|m| m.code()), "content": content}),
    }
    Ok(())
}

/// A new round after an objection or dissatisfaction: one step up the ladder, a fresh
/// assessment and plan; the history stays in the events (R-WF-7).
fn new_round(w: &mut WorkRow) {
    w.round += 1;
    w.escalation_level += 1;
    w.assessment = None;
    w.plan = None;
    w.approvals_pending = 0;
    w.plan_in_force = false;
    w.callback_done = false;
}

/// Links two complaints as related (R-WF-10) and returns the first, updated. Both must be
/// visible to the caller; the first may not be archived (the second may: a defect that returns).
pub async fn link(state: &AppState, who: &Principal, number: &str, other: &str, reason: String) -> AppResult<Value> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let (who2, number2, other2) = (who.clone(), number.to_string(), other.to_string());
    state
        .store
        .write(move |c| {
            async move {
                let (w, _) = lock_visible(c, &who2, &number2).await?.ok_or(AppError::NotFound)?;
                if !who2.grants.iter().any(|g| may_take(g.role, Action::Escalate)) {
                    return Err(AppError::Forbidden("your roles may not link complaints".into()));
                }
                if other2 == number2 {
                    return Err(AppError::field("number", "a complaint cannot be linked to itself"));
                }
                if state_of(&w)? == State::Archived {
                    return Err(AppError::Conflict("an archived complaint is immutable (R-WF-9)".into()));
                }
                let (target, _) = lock_visible(c, &who2, &other2)
                    .await?
                    .ok_or_else(|| AppError::field("number", "unknown complaint"))?;
                let at = to_millis(now);
                if wf::link(c, w.id, target.id, &reason, who2.user_id, at).await? {
                    for (id, with) in [(w.id, &target.number), (target.id, &w.number)] {
                        let payload = json!({"action": "link", "with": with, "reason": reason});
                        audit::append(
                            c,
                            &audit::NewEvent {
                                complaint_id: Some(id),
                                at_ms: at,
                                actor_id: Some(who2.user_id),
                                kind: "linked",
                                payload: &payload,
                            },
                        )
                        .await?;
                    }
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    get(state, who, number).await
}

/// The timeline of a complaint in scope.
pub async fn timeline(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = read_visible(&mut c, who, number).await?;
    let items: Vec<Value> = wf::timeline(&mut c, row.id)
        .await?
        .into_iter()
        .map(|e| {
            let detail: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
            json!({"at": rfc3339_cn(from_millis(e.at)), "actor": e.actor, "kind": e.kind, "detail": detail})
        })
        .collect();
    Ok(json!({"items": items}))
}
