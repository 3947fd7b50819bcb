//! Line items from the table step: a table whose header names a description and an amount
//! column; each of its rows below, until a total, is an item.

use super::{amounts, labels, LineItem};
use crate::layout::geometry::{bounds, Rect};
use crate::output::result::{BBox, PageResult, Table};

/// Which column of the table holds what, from its header's labels.
#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    description: Option<u32>,
    quantity: Option<u32>,
    unit_price: Option<u32>,
    amount: Option<u32>,
}

fn norm(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| c == ':' || c == '.' || c == '(' || c == ')')
                .to_uppercase()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn columns(table: &Table) -> Option<Columns> {
    let header_rows = table.header_rows.max(1);
    let mut cols = Columns::default();
    for cell in table.cells.iter().filter(|c| c.row < header_rows) {
        let text = norm(&cell.text);
        let is = |list: &[&str]| list.iter().any(|l| text == *l);
        if is(labels::ITEM_DESCRIPTION) {
            cols.description.get_or_insert(cell.col);
        } else if is(labels::ITEM_QUANTITY) {
            cols.quantity.get_or_insert(cell.col);
        } else if is(labels::ITEM_UNIT_PRICE) {
            cols.unit_price.get_or_insert(cell.col);
        } else if is(labels::ITEM_AMOUNT) {
            cols.amount.get_or_insert(cell.col);
        }
    }
    (cols.description.is_some() && (cols.amount.is_some() || cols.unit_price.is_some()))
        .then_some(cols)
}

/// Every item of the documents' item tables, in order.
pub fn from_tables(pages: &[PageResult], comma: bool) -> Vec<LineItem> {
    let mut out = Vec::new();
    for page in pages {
        for table in page.blocks.iter().filter_map(|b| b.table.as_ref()) {
            let Some(cols) = columns(table) else { continue };
            let body = (table.header_rows.max(1)..table.rows).collect::<Vec<_>>();
            for row in body {
                let cell = |c: Option<u32>| {
                    c.and_then(|c| table.cells.iter().find(|x| x.row == row && x.col == c))
                };
                let description = cell(cols.description).map(|c| c.text.clone());
                // A total or subtotal line ends the items.
                if let Some(d) = &description {
                    let d = norm(d);
                    let ends = [labels::TOTAL, labels::SUBTOTAL, labels::TAX]
                        .iter()
                        .any(|list| list.iter().any(|l| d.starts_with(l)));
                    if ends {
                        break;
                    }
                }
                let value = |c: Option<u32>| {
                    cell(c)
                        .and_then(|x| amounts::parse(&x.text, comma))
                        .map(|a| a.value)
                };
                let quantity = cell(cols.quantity).map(|c| c.text.clone());
                let (unit_price, amount) = (value(cols.unit_price), value(cols.amount));
                if description.is_none() || (amount.is_none() && unit_price.is_none()) {
                    continue;
                }
                let boxes: Vec<BBox> = table
                    .cells
                    .iter()
                    .filter(|c| c.row == row)
                    .map(|c| c.bbox)
                    .collect();
                out.push(LineItem {
                    description,
                    quantity,
                    unit_price,
                    amount,
                    page: page.page,
                    bbox: union(&boxes),
                });
            }
        }
    }
    out
}

fn union(boxes: &[BBox]) -> BBox {
    bounds(boxes.iter().copied().map(Rect::of))
        .map(Rect::to_bbox)
        .unwrap_or_default()
}
