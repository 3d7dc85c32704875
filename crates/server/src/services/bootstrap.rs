//! What an empty database needs before it can serve: the category taxonomy and grading rules,
//! a group node, and the `admin` user (API.md).

use crate::auth::{hash_password, new_secret};
use crate::config::Config;
use chrono::{DateTime, Utc};
use domain::org::DEFAULT_DEPARTMENTS;
use futures::FutureExt;
use store::{org, taxonomy, users, Store, StoreError};

/// The user the owner portal acts as.
pub const PORTAL_USER: &str = "portal";

/// Code of the group node created on an empty database.
pub const GROUP_CODE: &str = "GROUP";

/// Seeds the taxonomy and rules when missing, and creates the group and `admin` on an empty database.
pub async fn run(store: &Store, config: &Config, now: DateTime<Utc>) -> anyhow::Result<()> {
    let password = config.admin_password.clone();
    let created = store
        .write(move |c| {
            async move {
                if taxonomy::categories(c).await?.is_empty() {
                    for (i, cat) in domain::category::default_categories().iter().enumerate() {
                        taxonomy::upsert_category(c, cat, i as i32).await?;
                    }
                    for (i, rule) in domain::grading::default_rules().iter().enumerate() {
                        taxonomy::upsert_rule(c, rule, i as i32).await?;
                    }
                }
                // The built-in holiday years (R-SLA-2), unless an administrator already stored them.
                for year in domain::calendar::BUILTIN_YEARS {
                    if store::calendar::get(c, year).await?.is_none() {
                        let data = domain::calendar::builtin(year).expect("built-in year");
                        store::calendar::put(c, &data, domain::time::to_millis(now)).await?;
                    }
                }
                if users::count(c).await? > 0 {
                    return Ok(None);
                }
                let group = match org::all_nodes(c).await?.into_iter().find(|n| n.parent_id.is_none()) {
                    Some(g) => g,
                    None => {
                        let id = org::insert_node(c, None, "group", GROUP_CODE, "集团总部", Some("Group headquarters"))
                            .await?;
                        for (code, label) in DEFAULT_DEPARTMENTS {
                            org::insert_department(c, id, code, label.zh, Some(label.en)).await?;
                        }
                        org::node(c, id).await?.expect("just inserted")
                    }
                };
                let (secret, generated) = match password {
                    Some(p) => (p, false),
                    None => (new_secret(), true),
                };
                let hash = hash_password(&secret).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let id = users::insert_user(c, "admin", "系统管理员", &hash, domain::time::to_millis(now)).await?;
                users::grant(c, id, "admin", group.id, None).await?;
                Ok::<_, StoreError>(Some((secret, generated)))
            }
            .boxed()
        })
        .await?;
    // The owner portal acts as this user (R-IN-5); it cannot sign in.
    let at = domain::time::to_millis(now);
    store
        .write(move |c| {
            async move {
                users::ensure_system_user(c, PORTAL_USER, "业主自助服务", at)
                    .await
                    .map(|_| ())
            }
            .boxed()
        })
        .await?;
    if let Some((secret, true)) = created {
        // Printed once, as API.md promises; set KESU_ADMIN_PASSWORD to choose it instead.
        eprintln!(
            "kesu: created user `admin` with password {secret} (shown once; set KESU_ADMIN_PASSWORD to choose it)"
        );
    } else if created.is_some() {
        tracing::info!("created user `admin` with the password from KESU_ADMIN_PASSWORD");
    }
    Ok(())
}
