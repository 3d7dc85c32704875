//! Showing a complainant's full phone and e-mail (R-SEC-2): only to roles that contact owners,
//! only for a complaint in scope, and every time as an event on the complaint's audit trail.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::read_visible;
use crate::state::AppState;
use domain::access::Permission;
use domain::time::to_millis;
use futures::FutureExt;
use serde_json::{json, Value};
use store::audit;

/// The complainant's name, phone and e-mail in full; the reveal is appended to the audit trail
/// (who, when; never the values) in the same transaction, so no unlogged reveal is possible.
pub async fn reveal_contact(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    let (who2, number2, at) = (who.clone(), number.to_string(), to_millis(state.clock.now()));
    state
        .store
        .write(move |c| {
            async move {
                let row = read_visible(c, &who2, &number2).await?;
                who2.require(Permission::RevealContact)?;
                let payload = json!({"fields": ["phone", "email"]});
                audit::append(
                    c,
                    &audit::NewEvent {
                        complaint_id: Some(row.id),
                        at_ms: at,
                        actor_id: Some(who2.user_id),
                        kind: "contact_revealed",
                        payload: &payload,
                    },
                )
                .await?;
                Ok::<_, AppError>(json!({
                    "number": row.number,
                    "name": row.complainant_name,
                    "phone": row.complainant_phone,
                    "email": row.complainant_email,
                }))
            }
            .boxed()
        })
        .await
}
