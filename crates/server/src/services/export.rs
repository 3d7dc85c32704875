//! Full export (R-OP-6): the organisation, users and their roles, units, every complaint and the
//! whole audit trail as CSV files (UTF-8 with BOM, so Excel opens them in Chinese), in the
//! import's columns where there is an import, so a file can be edited and imported elsewhere.
//! Passwords are never exported: the users file leaves `password` blank to be filled in.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::export::csv_line;
use domain::access::Scope;
use domain::import::Kind;
use domain::time::{from_millis, rfc3339_cn};
use std::io::Write;
use std::path::Path;
use store::complaints::ListFilter;

/// A CSV file being written: BOM, header, rows; cells starting like a formula are defused
/// (the import undoes it).
struct Sheet {
    file: std::io::BufWriter<std::fs::File>,
    rows: usize,
}

impl Sheet {
    fn create(path: &Path, header: &[&str]) -> AppResult<Sheet> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        file.write_all(b"\xef\xbb\xbf").map_err(io)?;
        file.write_all(csv_line(header.iter().map(|h| h.to_string())).as_bytes())
            .map_err(io)?;
        Ok(Sheet { file, rows: 0 })
    }

    fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> AppResult<()> {
        let line = csv_line(cells.iter().map(|c| c.as_ref().to_string()));
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self) -> AppResult<usize> {
        let file = self.file.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
        file.sync_all().map_err(io)?;
        Ok(self.rows)
    }
}

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("writing the export: {e}"))
}

fn columns(kind: Kind) -> Vec<&'static str> {
    kind.columns().iter().map(|(c, _)| *c).collect()
}

fn time(ms: Option<i64>) -> String {
    ms.map(|t| rfc3339_cn(from_millis(t))).unwrap_or_default()
}

/// Writes org.csv, users.csv, units.csv, complaints.csv and events.csv into the new directory
/// `out`; returns each file with its number of rows.
pub async fn to_dir(state: &AppState, out: &Path) -> AppResult<Vec<(String, usize)>> {
    if out.exists() {
        return Err(AppError::Internal(format!(
            "{} exists; the export writes a new directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(io)?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let mut written = Vec::new();

    let nodes = store::org::all_nodes(&mut c).await?;
    let mut org = Sheet::create(&out.join("org.csv"), &columns(Kind::Org))?;
    for n in nodes.iter().filter(|n| n.parent_id.is_some()) {
        let parent = nodes
            .iter()
            .find(|p| Some(p.id) == n.parent_id)
            .map(|p| p.code.clone())
            .unwrap_or_default();
        org.row(&[
            n.code.clone(),
            n.name.clone(),
            n.name_en.clone().unwrap_or_default(),
            parent,
            n.kind.clone(),
        ])?;
    }
    written.push(("org.csv".to_string(), org.finish()?));

    let mut users = Sheet::create(&out.join("users.csv"), &columns(Kind::Users))?;
    for (username, name, role, node, department, email, phone) in store::users::all_grants(&mut c).await? {
        let rest = [department, email, phone].map(Option::unwrap_or_default);
        users.row(&[
            username,
            name,
            String::new(),
            role,
            node,
            rest[0].clone(),
            rest[1].clone(),
            rest[2].clone(),
        ])?;
    }
    written.push(("users.csv".to_string(), users.finish()?));

    let mut units = Sheet::create(&out.join("units.csv"), &columns(Kind::Units))?;
    for (project, building, unit) in store::org::all_units(&mut c).await? {
        units.row(&[project, building, unit])?;
    }
    written.push(("units.csv".to_string(), units.finish()?));

    // Complaints oldest first, in pages along the list's own keyset.
    // The import's columns, the last five of which (number, state, lead department, handler,
    // satisfaction) it reads and ignores; the number comes first for people reading the file.
    let mut header = columns(Kind::Complaints);
    let informational = header.split_off(header.len() - 5);
    header.splice(0..0, informational);
    let mut complaints = Sheet::create(&out.join("complaints.csv"), &header)?;
    let all = Scope {
        all: true,
        ..Scope::default()
    };
    let mut filter = ListFilter {
        limit: 1000,
        oldest_first: true,
        ..ListFilter::default()
    };
    loop {
        let page = store::complaints::list(&mut c, &filter, &all).await?;
        for x in &page {
            complaints.row(&[
                x.number.clone(),
                x.state.clone(),
                x.lead_department_code.clone().unwrap_or_default(),
                x.handler_name.clone().unwrap_or_default(),
                x.satisfaction.clone().unwrap_or_default(),
                time(Some(x.received_at)),
                x.channel.clone(),
                x.complainant_name.clone(),
                x.complainant_phone.clone().unwrap_or_default(),
                x.complainant_email.clone().unwrap_or_default(),
                x.complainant_kind.clone(),
                x.project_code.clone(),
                x.building.clone().unwrap_or_default(),
                x.unit.clone().unwrap_or_default(),
                x.location.clone().unwrap_or_default(),
                x.stage.clone().unwrap_or_default(),
                x.subject.clone(),
                x.description.clone(),
                x.demands.clone().unwrap_or_default(),
                x.category_code.clone(),
                x.grade.clone(),
                x.households.to_string(),
                time(x.closed_at),
                String::new(),
            ])?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == filter.limit => filter.after = Some((last.received_at, last.id)),
            _ => break,
        }
    }
    written.push(("complaints.csv".to_string(), complaints.finish()?));

    let mut events = Sheet::create(
        &out.join("events.csv"),
        &[
            "seq",
            "at",
            "complaint",
            "actor",
            "kind",
            "payload",
            "prev_hash",
            "hash",
        ],
    )?;
    let mut after = 0;
    loop {
        let page = store::audit::page(&mut c, after, 5000).await?;
        for e in &page {
            events.row(&[
                e.seq.to_string(),
                time(Some(e.at)),
                e.complaint_number.clone().unwrap_or_default(),
                e.actor.clone().unwrap_or_default(),
                e.kind.clone(),
                e.payload.clone(),
                e.prev_hash.clone(),
                e.hash.clone(),
            ])?;
        }
        match page.last() {
            Some(last) if page.len() == 5000 => after = last.seq,
            _ => break,
        }
    }
    written.push(("events.csv".to_string(), events.finish()?));
    Ok(written)
}
