//! Categories and grading rules as data an administrator can extend (R-GR-2, R-GR-3).

use crate::error::{Result, StoreError};
use crate::{on_conn, Conn};
use domain::category::Category;
use domain::grading::{RuleKind, TextRule};
use domain::phrase::Phrase;

/// Inserts or replaces a category.
pub async fn upsert_category(c: &mut Conn<'_>, cat: &Category, sort: i32) -> Result<()> {
    let phrases = serde_json::to_string(&cat.phrases).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    on_conn!(c, |c| {
        sqlx::query(
            "INSERT INTO category (code, parent_code, name_zh, name_en, department_code, phrases, sort, active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, \
         name_zh = excluded.name_zh, name_en = excluded.name_en, department_code = excluded.department_code, \
         phrases = excluded.phrases, sort = excluded.sort",
        )
        .bind(&cat.code)
        .bind(&cat.parent)
        .bind(&cat.name_zh)
        .bind(&cat.name_en)
        .bind(&cat.department)
        .bind(&phrases)
        .bind(sort)
        .bind(true)
        .execute(&mut **c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Active categories in display order.
pub async fn categories(c: &mut Conn<'_>) -> Result<Vec<Category>> {
    let rows: Vec<(String, Option<String>, String, String, String, String)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT code, parent_code, name_zh, name_en, department_code, phrases FROM category WHERE active = $1 ORDER BY sort"
    )
    .bind(true)
    .fetch_all(&mut **c)
    .await
    })?;
    rows.into_iter()
        .map(|(code, parent, name_zh, name_en, department, phrases)| {
            let phrases: Vec<Phrase> =
                serde_json::from_str(&phrases).map_err(|e| StoreError::Corrupt(format!("category {code}: {e}")))?;
            Ok(Category {
                code,
                parent,
                name_zh,
                name_en,
                department,
                phrases,
            })
        })
        .collect()
}

/// Inserts or replaces a grading rule.
pub async fn upsert_rule(c: &mut Conn<'_>, rule: &TextRule, sort: i32) -> Result<()> {
    let phrases = serde_json::to_string(&rule.phrases).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let kind = rule.kind.code();
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO grading_rule (code, kind, label, phrases, sort, active) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, label = excluded.label, phrases = excluded.phrases, sort = excluded.sort"
    )
    .bind(&rule.code)
    .bind(kind)
    .bind(&rule.label)
    .bind(&phrases)
    .bind(sort)
    .bind(true)
    .execute(&mut **c)
    .await.map(|_| ())
    })?;
    Ok(())
}

/// Active grading rules in order.
pub async fn rules(c: &mut Conn<'_>) -> Result<Vec<TextRule>> {
    let rows: Vec<(String, String, String, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT code, kind, label, phrases FROM grading_rule WHERE active = $1 ORDER BY sort"
    )
    .bind(true)
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter()
        .map(|(code, kind, label, phrases)| {
            let kind = match kind.as_str() {
                "emergency" => RuleKind::Emergency,
                "media" => RuleKind::Media,
                "government" => RuleKind::Government,
                other => return Err(StoreError::Corrupt(format!("rule {code}: unknown kind {other}"))),
            };
            let phrases =
                serde_json::from_str(&phrases).map_err(|e| StoreError::Corrupt(format!("rule {code}: {e}")))?;
            Ok(TextRule {
                code,
                kind,
                label,
                phrases,
            })
        })
        .collect()
}
