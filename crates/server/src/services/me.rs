//! The signed-in user's own profile: roles, contact addresses, which notices also go by e-mail
//! or SMS (R-NT-1), and the interface language (R-OP-5).

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::notice::Preferences;
use domain::{Code, Grade, Locale, NoticeLevel};
use futures::FutureExt;
use serde_json::{json, Value};
use store::users::ProfileRow;
use store::Conn;

fn preferences(p: &ProfileRow) -> Preferences {
    Preferences {
        email: p.email.clone(),
        phone: p.phone.clone(),
        notify_email: NoticeLevel::from_code(&p.notify_email).unwrap_or(NoticeLevel::Off),
        notify_sms: NoticeLevel::from_code(&p.notify_sms).unwrap_or(NoticeLevel::Off),
        locale: Locale::from_code(&p.locale).unwrap_or(Locale::Zh),
    }
}

fn to_json(who: &Principal, p: &ProfileRow) -> Value {
    let prefs = preferences(p);
    let roles: Vec<Value> = who
        .grants
        .iter()
        .map(|g| {
            json!({
                "role": g.role.code(),
                "label": g.role.label(),
                "org_path": g.org_path,
                "department": g.department.as_ref().map(|(_, code)| code),
            })
        })
        .collect();
    json!({
        "username": p.username,
        "display_name": p.display_name,
        "roles": roles,
        "email": prefs.email,
        "phone": prefs.phone,
        "notifications": {"inbox": "all", "email": prefs.notify_email.code(), "sms": prefs.notify_sms.code()},
        "locale": prefs.locale.code(),
    })
}

async fn load(c: &mut Conn<'_>, id: i64) -> AppResult<ProfileRow> {
    store::users::profile(c, id).await?.ok_or(AppError::NotFound)
}

/// The caller's profile.
pub async fn get(state: &AppState, who: &Principal) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    Ok(to_json(who, &load(&mut r.conn(), who.user_id).await?))
}

/// Changes what the body names of the caller's own settings.
pub async fn patch(state: &AppState, who: &Principal, body: Value) -> AppResult<Value> {
    let id = who.user_id;
    let row = state
        .store
        .write(move |c| {
            async move {
                let mut row = load(c, id).await?;
                let next = preferences(&row).patch(&body).map_err(AppError::Validation)?;
                row.email = next.email;
                row.phone = next.phone;
                row.notify_email = next.notify_email.code().into();
                row.notify_sms = next.notify_sms.code().into();
                row.locale = next.locale.code().into();
                store::users::set_profile(c, &row).await?;
                Ok::<_, AppError>(row)
            }
            .boxed()
        })
        .await?;
    Ok(to_json(who, &row))
}

/// Copies a staff notice to the user's e-mail and SMS as they chose (R-NT-1), in the caller's
/// transaction; the in-app copy is written by the caller.
pub async fn fan_out(
    c: &mut Conn<'_>,
    user: i64,
    complaint: Option<uuid::Uuid>,
    kind: &str,
    payload: &Value,
    now_ms: i64,
) -> AppResult<()> {
    let Some(p) = store::users::profile(c, user).await? else {
        return Ok(());
    };
    let prefs = preferences(&p);
    let channels = [
        ("email", prefs.notify_email, &prefs.email),
        ("sms", prefs.notify_sms, &prefs.phone),
    ];
    if channels.iter().all(|(_, level, _)| *level == NoticeLevel::Off) {
        return Ok(());
    }
    let urgent = match complaint {
        Some(id) => store::complaints::grade_of(c, id).await?.as_deref() == Some(Grade::Urgent.code()),
        None => false,
    };
    let mut payload = payload.clone();
    payload["locale"] = json!(prefs.locale.code());
    for (channel, level, address) in channels {
        let Some(address) = address else { continue };
        if domain::notice::wanted(level, kind, urgent) {
            let message = store::outbox::Message {
                kind,
                channel,
                recipient: address,
                complaint_id: complaint,
                payload: &payload,
            };
            store::outbox::enqueue(c, &message, now_ms).await?;
        }
    }
    Ok(())
}
