//! Bulk import files (R-OP-6): the organisation, users, units and historical complaints as CSV
//! (UTF-8, with or without BOM) or as the cells of a spreadsheet. Every data row is either
//! taken or reported with its row number as a spreadsheet shows it (the header is row 1) and
//! the column at fault, so the person importing can fix the file and send it again.

use crate::contact::{Email, Phone};
use crate::intake::{NewComplaint, RawComplaint};
use crate::validate::{text, Lines};
use crate::{Code, Role};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Regions, cities and projects under the group.
    Org,
    /// Users with one role each row (a user may appear on several rows to get several roles).
    Users,
    /// Buildings and units of projects.
    Units,
    /// Complaints from the system used before, open or closed.
    Complaints,
}

impl Kind {
    /// Every kind, in the order an empty installation imports them.
    pub const ALL: &'static [Kind] = &[Kind::Org, Kind::Users, Kind::Units, Kind::Complaints];

    /// The code used in URLs and commands.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Org => "org",
            Kind::Users => "users",
            Kind::Units => "units",
            Kind::Complaints => "complaints",
        }
    }

    /// The kind of a code.
    pub fn from_code(s: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.code() == s)
    }

    /// The columns: name and whether it is required.
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Kind::Org => &[
                ("code", true),
                ("name", true),
                ("name_en", false),
                ("parent_code", true),
                ("kind", true),
            ],
            Kind::Users => &[
                ("username", true),
                ("display_name", true),
                ("password", true),
                ("role", true),
                ("node", true),
                ("department", false),
                ("email", false),
                ("phone", false),
            ],
            Kind::Units => &[("project_code", true), ("building", true), ("unit", true)],
            Kind::Complaints => &[
                ("received_at", true),
                ("channel", true),
                ("name", true),
                ("phone", false),
                ("email", false),
                ("kind", true),
                ("project_code", true),
                ("building", false),
                ("unit", false),
                ("location", false),
                ("stage", false),
                ("subject", true),
                ("description", true),
                ("demands", false),
                ("category_code", false),
                ("grade", false),
                ("households", false),
                ("closed_at", false),
                ("summary", false),
                // Written by the full export, read and ignored here: a new installation numbers,
                // dispatches and assigns afresh.
                ("number", false),
                ("state", false),
                ("lead_department", false),
                ("handler", false),
                ("satisfaction", false),
            ],
        }
    }
}

/// One thing wrong with a file: row 1 is the header, data starts at row 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Row number as a spreadsheet shows it.
    pub row: usize,
    /// The column at fault (empty when the row as a whole is wrong).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// A row that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An org node under `parent_code`.
    Node {
        /// Unique code.
        code: String,
        /// Chinese name.
        name: String,
        /// English name.
        name_en: Option<String>,
        /// The parent's code.
        parent_code: String,
        /// `region`, `city`, `project` or `property_company`.
        kind: String,
    },
    /// A user and one role.
    User {
        /// Login name.
        username: String,
        /// Shown name.
        display_name: String,
        /// Initial password (only used when the user is new).
        password: String,
        /// The role.
        role: Role,
        /// Org node code of the grant.
        node: String,
        /// Department code at that node.
        department: Option<String>,
        /// E-mail.
        email: Option<String>,
        /// Mobile.
        phone: Option<String>,
    },
    /// A unit of a building of a project.
    Unit {
        /// Project code.
        project_code: String,
        /// Building name.
        building: String,
        /// Unit name.
        unit: String,
    },
    /// A complaint, closed at `closed` (time and summary) when the old system had closed it.
    Complaint(Box<NewComplaint>, Option<(DateTime<Utc>, String)>),
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Data rows read (blank rows skipped).
    pub rows: usize,
    /// The rows taken, with their row numbers.
    pub records: Vec<(usize, Record)>,
    /// What is wrong, by row.
    pub errors: Vec<RowError>,
}

/// Starts that make a spreadsheet run a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell made safe to open in a spreadsheet: one that would run as a formula gets a leading `'`.
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The inverse of [`defuse`], applied to every imported cell, so exported files import as they were.
pub fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// At most this many data rows per file.
pub const MAX_ROWS: usize = 100_000;

/// Parses CSV bytes (UTF-8, BOM allowed) as `kind`, at `now` (for complaint times).
pub fn parse_csv(kind: Kind, bytes: &[u8], now: DateTime<Utc>) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Vec::new();
    for (i, rec) in reader.byte_records().enumerate() {
        match rec {
            Ok(r) => table.push(r.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()),
            Err(e) => {
                let mut p = Parsed::default();
                p.errors.push(RowError {
                    row: i + 1,
                    column: String::new(),
                    message: format!("not readable as CSV: {e}"),
                });
                return p;
            }
        }
        if table.len() > MAX_ROWS + 1 {
            break;
        }
    }
    parse_table(kind, &table, now)
}

/// Parses a table whose first row is the header.
pub fn parse_table(kind: Kind, table: &[Vec<String>], now: DateTime<Utc>) -> Parsed {
    let mut p = Parsed::default();
    let header_error = |message: String| RowError {
        row: 1,
        column: String::new(),
        message,
    };
    let Some(header) = table.first() else {
        p.errors.push(header_error(
            "the file is empty; the first row names the columns".into(),
        ));
        return p;
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let known = kind.columns();
    for (i, h) in header.iter().enumerate() {
        if !known.iter().any(|(c, _)| c == h) {
            p.errors.push(RowError {
                row: 1,
                column: h.chars().take(40).collect(),
                message: format!("column {} is not one of: {}", i + 1, names(known)),
            });
        } else if header[..i].contains(h) {
            p.errors.push(RowError {
                row: 1,
                column: h.clone(),
                message: "this column appears twice".into(),
            });
        }
    }
    for (c, required) in known {
        if *required && !header.iter().any(|h| h == c) {
            p.errors.push(RowError {
                row: 1,
                column: c.to_string(),
                message: "this required column is missing".into(),
            });
        }
    }
    if !p.errors.is_empty() {
        return p;
    }
    let body = &table[1..];
    if body.len() > MAX_ROWS {
        p.errors.push(header_error(format!("at most {MAX_ROWS} rows per file")));
        return p;
    }
    let mut keys = HashSet::new();
    for (i, cells) in body.iter().enumerate() {
        let row_no = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        p.rows += 1;
        let get = Cells { header: &header, cells };
        let mut errs = Vec::new();
        if cells.len() > header.len() {
            errs.push((
                "".to_string(),
                format!("{} cells, but the header names {}", cells.len(), header.len()),
            ));
        }
        let record = match kind {
            Kind::Org => org_row(&get, &mut errs),
            Kind::Users => user_row(&get, &mut errs),
            Kind::Units => unit_row(&get, &mut errs),
            Kind::Complaints => complaint_row(&get, now, &mut errs),
        };
        if let (true, Some(r)) = (errs.is_empty(), record) {
            let key = match &r {
                Record::Node { code, .. } => Some(code.clone()),
                Record::User {
                    username,
                    node,
                    role,
                    department,
                    ..
                } => Some(format!(
                    "{username}\u{1f}{node}\u{1f}{}\u{1f}{department:?}",
                    role.code()
                )),
                Record::Unit {
                    project_code,
                    building,
                    unit,
                } => Some(format!("{project_code}\u{1f}{building}\u{1f}{unit}")),
                Record::Complaint(..) => None,
            };
            if key.is_some_and(|k| !keys.insert(k)) {
                errs.push(("".into(), "repeats an earlier row".into()));
            } else {
                p.records.push((row_no, r));
                continue;
            }
        }
        p.errors.extend(errs.into_iter().map(|(column, message)| RowError {
            row: row_no,
            column,
            message,
        }));
    }
    p
}

fn names(cols: &[(&str, bool)]) -> String {
    cols.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
}

type Errs = Vec<(String, String)>;

/// One row's cells by column name.
struct Cells<'a> {
    header: &'a [String],
    cells: &'a [String],
}

impl<'a> Cells<'a> {
    /// The trimmed cell of a column, if present and not blank.
    fn cell(&self, name: &str) -> Option<&'a str> {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| self.cells.get(i))
            .map(|v| undefuse(v.trim()).trim())
            .filter(|v| !v.is_empty())
    }
}

fn req(get: &Cells<'_>, col: &str, max: usize, errs: &mut Errs) -> Option<String> {
    match text(col, get.cell(col).unwrap_or_default(), max, Lines::Single) {
        Ok(v) => Some(v),
        Err(e) => {
            errs.push((col.into(), e.message));
            None
        }
    }
}

fn opt(get: &Cells<'_>, col: &str, max: usize, errs: &mut Errs) -> Option<String> {
    get.cell(col).and_then(|_| req(get, col, max, errs))
}

fn code_like(v: &Option<String>, col: &str, errs: &mut Errs) {
    if let Some(v) = v {
        if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            errs.push((col.into(), "letters, digits, - and _ only".into()));
        }
    }
}

fn org_row(get: &Cells<'_>, errs: &mut Errs) -> Option<Record> {
    let code = req(get, "code", 32, errs);
    code_like(&code, "code", errs);
    let name = req(get, "name", 100, errs);
    let name_en = opt(get, "name_en", 100, errs);
    let parent_code = req(get, "parent_code", 32, errs);
    let kind = req(get, "kind", 32, errs);
    if let Some(k) = &kind {
        if !matches!(k.as_str(), "region" | "city" | "project" | "property_company") {
            errs.push((
                "kind".into(),
                "must be region, city, project or property_company".into(),
            ));
        }
    }
    Some(Record::Node {
        code: code?,
        name: name?,
        name_en,
        parent_code: parent_code?,
        kind: kind?,
    })
}

fn user_row(get: &Cells<'_>, errs: &mut Errs) -> Option<Record> {
    let username = req(get, "username", 32, errs);
    if let Some(u) = &username {
        let ok = u.len() >= 3
            && u.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
        if !ok {
            errs.push((
                "username".into(),
                "3 to 32 characters: lowercase letters, digits, _ . -".into(),
            ));
        }
    }
    let display_name = req(get, "display_name", 40, errs);
    let password = get.cell("password").map(str::to_string);
    if password
        .as_ref()
        .is_none_or(|p| p.chars().count() < 10 || p.chars().count() > 256)
    {
        errs.push(("password".into(), "10 to 256 characters".into()));
    }
    let role = get.cell("role").and_then(Role::from_code);
    if role.is_none() {
        errs.push(("role".into(), format!("must be one of: {}", Role::expected())));
    }
    let node = req(get, "node", 32, errs);
    let department = opt(get, "department", 64, errs);
    let email = get.cell("email").and_then(|e| {
        Email::parse("email", e)
            .map_err(|x| errs.push(("email".into(), x.message)))
            .ok()
    });
    let phone = get.cell("phone").and_then(|e| {
        Phone::parse("phone", e)
            .map_err(|x| errs.push(("phone".into(), x.message)))
            .ok()
    });
    Some(Record::User {
        username: username?,
        display_name: display_name?,
        password: password?,
        role: role?,
        node: node?,
        department,
        email: email.map(|e| e.as_str().to_string()),
        phone: phone.map(|p| p.as_str().to_string()),
    })
}

fn unit_row(get: &Cells<'_>, errs: &mut Errs) -> Option<Record> {
    let project_code = req(get, "project_code", 32, errs);
    let building = req(get, "building", 50, errs);
    let unit = req(get, "unit", 50, errs);
    Some(Record::Unit {
        project_code: project_code?,
        building: building?,
        unit: unit?,
    })
}

fn complaint_row(get: &Cells<'_>, now: DateTime<Utc>, errs: &mut Errs) -> Option<Record> {
    let s = |c: &str| get.cell(c).map(str::to_string);
    let households = match get.cell("households").map(str::parse::<i64>) {
        None => None,
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => {
            errs.push(("households".into(), "must be a whole number".into()));
            None
        }
    };
    let raw = RawComplaint {
        channel: s("channel"),
        name: s("name"),
        phone: s("phone"),
        email: s("email"),
        kind: s("kind"),
        project_code: s("project_code"),
        building: s("building"),
        unit: s("unit"),
        location: s("location"),
        stage: s("stage"),
        subject: s("subject"),
        description: s("description"),
        demands: s("demands"),
        received_at: s("received_at"),
        category_code: s("category_code"),
        grade: s("grade"),
        grade_reason: get.cell("grade").map(|_| "导入：原系统定级 imported grade".to_string()),
        households,
        complained_employee: None,
    };
    let parsed = NewComplaint::parse(&raw, now).map_err(|fields| {
        for f in fields {
            let column = f.field.strip_prefix("complainant.").unwrap_or(&f.field).to_string();
            errs.push((column, f.message));
        }
    });
    let closed = match get.cell("closed_at") {
        None => None,
        Some(t) => match crate::time::parse_rfc3339(t).map(|t| t.with_timezone(&Utc)) {
            None => {
                errs.push((
                    "closed_at".into(),
                    "must be a time like 2026-11-22T10:00:00+08:00".into(),
                ));
                None
            }
            Some(t) if t > now => {
                errs.push(("closed_at".into(), "is in the future".into()));
                None
            }
            Some(t) => {
                let received = get.cell("received_at").and_then(crate::time::parse_rfc3339);
                if received.is_some_and(|r| t < r) {
                    errs.push(("closed_at".into(), "is before received_at".into()));
                }
                let summary = opt(get, "summary", 2000, errs).unwrap_or_else(|| "原系统已办结".into());
                Some((t, summary))
            }
        },
    };
    Some(Record::Complaint(Box::new(parsed.ok()?), closed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap()
    }

    #[test]
    fn rows_are_taken_or_reported_by_row_and_column() {
        let csv = "\u{feff}username,display_name,password,role,node,department,phone\n\
                   zhao,赵一,Kesu@2026-long,handler,GZ-001,engineering,13800001111\n\
                   ,,,,,,\n\
                   Bad Name,钱二,short,boss,GZ-001,,12345\n\
                   zhao,赵一,Kesu@2026-long,handler,GZ-001,engineering,\n";
        let p = parse_csv(Kind::Users, csv.as_bytes(), now());
        assert_eq!(p.rows, 3, "the blank row is skipped");
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].0, 2);
        let at: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            at,
            [(4, "username"), (4, "password"), (4, "role"), (4, "phone"), (5, "")]
        );
    }

    #[test]
    fn headers_are_checked_first() {
        let p = parse_csv(Kind::Units, b"project_code,floor\nGZ-001,3\n", now());
        assert!(p.records.is_empty() && p.rows == 0);
        let cols: Vec<&str> = p.errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["floor", "building", "unit"]);
        assert!(p.errors.iter().all(|e| e.row == 1));
        assert_eq!(parse_csv(Kind::Org, b"", now()).errors.len(), 1);
    }

    #[test]
    fn complaints_use_the_registration_rules_and_may_come_closed() {
        let head = "received_at,channel,name,phone,kind,project_code,subject,description,closed_at,summary\n";
        let rows = "2025-03-01T09:00:00+08:00,hotline,张三,13812345678,owner,GZ-001,漏水,卫生间漏水,2025-03-05T18:00:00+08:00,已修复\n\
                    2025-03-01T09:00:00+08:00,fax,李四,1381234,owner,GZ-001,,渗水,2025-02-01T00:00:00+08:00,\n";
        let p = parse_csv(Kind::Complaints, format!("{head}{rows}").as_bytes(), now());
        assert_eq!(p.records.len(), 1);
        let Record::Complaint(c, Some((closed, summary))) = &p.records[0].1 else {
            panic!("{p:?}")
        };
        assert_eq!((c.subject.as_str(), summary.as_str()), ("漏水", "已修复"));
        assert!(*closed > c.received_at);
        let cols: Vec<&str> = p.errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["channel", "phone", "subject", "closed_at"], "{:?}", p.errors);
    }

    #[test]
    fn quoted_cells_and_org_kinds() {
        let p = parse_csv(
            Kind::Org,
            "code,name,parent_code,kind\nGZ-003,\"天河,新城\",C-GZ,project\nX 1,名,C-GZ,village\n".as_bytes(),
            now(),
        );
        assert_eq!(p.records.len(), 1);
        assert!(matches!(&p.records[0].1, Record::Node { name, .. } if name == "天河,新城"));
        assert_eq!(
            p.errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(),
            ["code", "kind"]
        );
    }
}
