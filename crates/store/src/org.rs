//! The organisation: org nodes with materialised paths, departments, buildings and units (R-ORG-1, R-ORG-2).

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::org::child_path;

/// An org node as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NodeRow {
    /// Id.
    pub id: i64,
    /// Parent id; `None` for the group.
    pub parent_id: Option<i64>,
    /// Kind code.
    pub kind: String,
    /// Unique code, e.g. `GZ-001`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Materialised path, e.g. `/1/2/5/`.
    pub path: String,
}

/// A department as stored, with its node.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentRow {
    /// Id.
    pub id: i64,
    /// Owning org node.
    pub org_node_id: i64,
    /// Code, e.g. `engineering`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
}

/// Inserts an org node under `parent` (with its path) and returns its id.
pub async fn insert_node(
    c: &mut Conn<'_>,
    parent: Option<&NodeRow>,
    kind: &str,
    code: &str,
    name: &str,
    name_en: Option<&str>,
) -> Result<i64> {
    let placeholder = format!("pending:{code}");
    let id: i64 = on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO org_node (parent_id, kind, code, name, name_en, path) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(parent.map(|p| p.id))
    .bind(kind)
    .bind(code)
    .bind(name)
    .bind(name_en)
    .bind(&placeholder)
    .fetch_one(&mut **c)
    .await
    })?;
    let path = child_path(parent.map(|p| p.path.as_str()).unwrap_or("/"), id);
    on_conn!(c, |c| sqlx::query("UPDATE org_node SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(id)
}

/// Every org node, ordered by path (parents before children).
pub async fn all_nodes(c: &mut Conn<'_>) -> Result<Vec<NodeRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, NodeRow>(
        "SELECT id, parent_id, kind, code, name, name_en, path FROM org_node ORDER BY path"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// One node by id.
pub async fn node(c: &mut Conn<'_>, id: i64) -> Result<Option<NodeRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, NodeRow>(
        "SELECT id, parent_id, kind, code, name, name_en, path FROM org_node WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?)
}

/// A project by its code.
pub async fn project_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<NodeRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, NodeRow>(
            "SELECT id, parent_id, kind, code, name, name_en, path FROM org_node WHERE code = $1 AND kind = 'project'",
        )
        .bind(code)
        .fetch_optional(&mut **c)
        .await
    })?)
}

/// Inserts a department at a node and returns its id.
pub async fn insert_department(
    c: &mut Conn<'_>,
    node_id: i64,
    code: &str,
    name: &str,
    name_en: Option<&str>,
) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
            "INSERT INTO department (org_node_id, code, name, name_en) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(node_id)
        .bind(code)
        .bind(name)
        .bind(name_en)
        .fetch_one(&mut **c)
        .await
    })?)
}

/// The departments of one node, by code.
pub async fn departments_of(c: &mut Conn<'_>, node_id: i64) -> Result<Vec<DepartmentRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, DepartmentRow>(
            "SELECT id, org_node_id, code, name, name_en FROM department WHERE org_node_id = $1 ORDER BY id",
        )
        .bind(node_id)
        .fetch_all(&mut **c)
        .await
    })?)
}

/// Inserts a building of a project and returns its id.
pub async fn insert_building(c: &mut Conn<'_>, project_id: i64, name: &str, sort: i32) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO building (project_id, name, sort) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(project_id)
    .bind(name)
    .bind(sort)
    .fetch_one(&mut **c)
    .await)?)
}

/// Inserts a unit of a building.
pub async fn insert_unit(c: &mut Conn<'_>, building_id: i64, name: &str) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO unit (building_id, name) VALUES ($1, $2)"
    )
    .bind(building_id)
    .bind(name)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The buildings of a project with their units, in order.
pub async fn buildings_of(c: &mut Conn<'_>, project_id: i64) -> Result<Vec<(String, Vec<String>)>> {
    let rows: Vec<(String, Option<String>)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT b.name, u.name FROM building b LEFT JOIN unit u ON u.building_id = b.id \
         WHERE b.project_id = $1 ORDER BY b.sort, b.id, u.id"
    )
    .bind(project_id)
    .fetch_all(&mut **c)
    .await)?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (building, unit) in rows {
        if out.last().is_none_or(|(b, _)| *b != building) {
            out.push((building, Vec::new()));
        }
        if let (Some(u), Some((_, units))) = (unit, out.last_mut()) {
            units.push(u);
        }
    }
    Ok(out)
}

/// Any node by its code.
pub async fn node_by_code(c: &mut Conn<'_>, code: &str) -> Result<Option<NodeRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, NodeRow>(
        "SELECT id, parent_id, kind, code, name, name_en, path FROM org_node WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Makes sure a project has a building and the building a unit; true when the unit is new.
pub async fn ensure_unit(c: &mut Conn<'_>, project_id: i64, building: &str, unit: &str) -> Result<bool> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO building (project_id, name, sort) \
         SELECT $1, $2, COALESCE(MAX(sort), 0) + 1 FROM building WHERE project_id = $1 \
         ON CONFLICT (project_id, name) DO NOTHING"
    )
    .bind(project_id)
    .bind(building)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(on_conn!(c, |c| sqlx::query(
        "INSERT INTO unit (building_id, name) SELECT id, $3 FROM building WHERE project_id = $1 AND name = $2 \
         ON CONFLICT (building_id, name) DO NOTHING"
    )
    .bind(project_id)
    .bind(building)
    .bind(unit)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Every unit: project code, building, unit, in order.
pub async fn all_units(c: &mut Conn<'_>) -> Result<Vec<(String, String, String)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT n.code, b.name, u.name FROM unit u JOIN building b ON b.id = u.building_id \
         JOIN org_node n ON n.id = b.project_id ORDER BY n.code, b.sort, b.id, u.id"
    )
    .fetch_all(&mut **c)
    .await)?)
}
