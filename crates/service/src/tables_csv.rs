//! `extract --tables DIR`: each table of a result as a CSV file (RFC 4180, through the `csv`
//! crate), `DIR/<input>.p<page>.t<n>.csv`. A cell spanning several slots is written in its
//! top-left one; the others stay empty, as a spreadsheet shows merged cells.

use processor::{DocumentResult, Table};
use std::path::{Path, PathBuf};

/// The table's rows of cells as text, `rows` x `cols`.
pub fn grid(table: &Table) -> Vec<Vec<String>> {
    let mut out = vec![vec![String::new(); table.cols as usize]; table.rows as usize];
    for c in &table.cells {
        if let Some(slot) = out
            .get_mut(c.row as usize)
            .and_then(|row| row.get_mut(c.col as usize))
        {
            *slot = c.text.clone();
        }
    }
    out
}

/// The CSV text of a table.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    for row in grid(table) {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Writes every table of `result` under `dir` as `<stem>.p<page>.t<n>.csv` (n counts the page's
/// tables from 1, in reading order); returns the files written.
pub fn write(dir: &Path, stem: &Path, result: &DocumentResult) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for page in &result.pages {
        let tables = page.blocks.iter().filter_map(|b| b.table.as_ref());
        for (n, table) in tables.enumerate() {
            let mut name = stem.as_os_str().to_owned();
            name.push(format!(".p{}.t{}.csv", page.page, n + 1));
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, to_csv(table)?)?;
            written.push(path);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use processor::{BBox, TableCell};

    fn cell(row: u32, col: u32, col_span: u32, text: &str) -> TableCell {
        TableCell {
            row,
            col,
            row_span: 1,
            col_span,
            text: text.into(),
            bbox: BBox::default(),
        }
    }

    #[test]
    fn cells_go_to_their_slots_quoted_as_rfc_4180_wants() {
        let table = Table {
            rows: 3,
            cols: 3,
            header_rows: 1,
            cells: vec![
                cell(0, 1, 2, "Amount, in \"EUR\""),
                cell(1, 0, 1, "Paper"),
                cell(1, 2, 1, "4.80"),
                cell(2, 0, 1, "Two\nlines"),
            ],
            continued_from: None,
        };
        let text = String::from_utf8(to_csv(&table).unwrap()).unwrap();
        assert_eq!(
            text,
            ",\"Amount, in \"\"EUR\"\"\",\nPaper,,4.80\n\"Two\nlines\",,\n"
        );
        // Read back by a CSV reader: the same grid.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows, grid(&table));
    }
}
