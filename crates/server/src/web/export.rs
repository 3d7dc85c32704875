//! Exports of lists and reports (R-AN-4): a table as CSV (UTF-8 with a BOM, so Excel opens it)
//! or xlsx (rust_xlsxwriter). Text is always written as text, never as a formula.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A table to export: a sheet name, a header row and the rows.
pub struct Table {
    /// Sheet and file name stem.
    pub name: String,
    /// Column titles.
    pub header: Vec<String>,
    /// Cells, as text; numbers stay numbers in xlsx when `numeric` says so.
    pub rows: Vec<Vec<String>>,
    /// Which columns hold numbers.
    pub numeric: Vec<usize>,
}

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

/// One CSV line; a cell that a spreadsheet would run as a formula is prefixed with `'`.
pub fn csv_line(cells: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| format!("\"{}\"", domain::import::defuse(&c).replace('"', "\"\"")))
        .collect();
    format!("{}\r\n", cells.join(","))
}

fn xlsx(t: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(t.name.chars().take(31).collect::<String>())?;
    for (col, title) in t.header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &bold)?;
        sheet.set_column_width(col as u16, 16)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (col, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) if t.numeric.contains(&col) => sheet.write_number(r, col as u16, n)?,
                _ => sheet.write_string(r, col as u16, cell)?,
            };
        }
    }
    book.save_to_buffer()
}

/// The table as a download in `format`, named `<stem>.<ext>`.
pub fn download(t: &Table, format: Format, stem: &str) -> Result<Response, AppError> {
    let (body, ctype, ext) = match format {
        Format::Csv => {
            let mut out = String::from("\u{feff}");
            out.push_str(&csv_line(t.header.iter().cloned()));
            for row in &t.rows {
                out.push_str(&csv_line(row.iter().cloned()));
            }
            (out.into_bytes(), "text/csv; charset=utf-8", "csv")
        }
        Format::Xlsx => (
            xlsx(t).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A PDF as a download named `<stem>.pdf`.
pub fn pdf(body: Vec<u8>, stem: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.pdf\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        let line = csv_line(["a\"b".to_string(), "=HYPERLINK(\"x\")".to_string(), "漏水".to_string()]);
        assert_eq!(line, "\"a\"\"b\",\"'=HYPERLINK(\"\"x\"\")\",\"漏水\"\r\n");
    }
}
