//! Hand-made tables: words 10 px high, 6 px a character, and rules where the table draws them.

use super::*;
use crate::output::result::{BBox, Word};

/// One phrase's words from `left` on the line whose top is `top` (a space is 4 px).
fn phrase(text: &str, left: u32, top: u32) -> Vec<Word> {
    let mut x = left;
    text.split(' ')
        .map(|t| {
            let w = Word {
                text: t.to_string(),
                confidence: 95.0,
                bbox: BBox {
                    left: x,
                    top,
                    width: 6 * t.chars().count() as u32,
                    height: 10,
                },
            };
            x += 6 * t.chars().count() as u32 + 4;
            w
        })
        .collect()
}

/// A table from rows of (left, text) cells, one row every `pitch` px from `top`.
fn rows_of(top: u32, pitch: u32, rows: &[&[(u32, &str)]]) -> Vec<Word> {
    rows.iter()
        .enumerate()
        .flat_map(|(r, cells)| {
            cells
                .iter()
                .flat_map(move |&(x, t)| phrase(t, x, top + r as u32 * pitch))
        })
        .collect()
}

fn cell<'a>(g: &'a Grid, text: &str) -> &'a TableCell {
    g.cells
        .iter()
        .find(|c| c.text == text)
        .unwrap_or_else(|| panic!("no cell {text:?} in {:#?}", g.cells))
}

fn at(g: &Grid, row: u32, col: u32) -> Option<&str> {
    g.cells
        .iter()
        .find(|c| c.row == row && c.col == col)
        .map(|c| c.text.as_str())
}

/// Rules around and between every row and column of a grid.
fn grid_rules(xs: &[f32], ys: &[f32]) -> Vec<Rule> {
    let (x0, x1) = (xs[0], *xs.last().unwrap());
    let (y0, y1) = (ys[0], *ys.last().unwrap());
    ys.iter()
        .map(|&y| Rule::horizontal(y, x0, x1))
        .chain(xs.iter().map(|&x| Rule::vertical(x, y0, y1)))
        .collect()
}

#[test]
fn a_borderless_table_is_read_by_its_columns_of_white_with_empty_cells_absent() {
    let words = rows_of(
        100,
        20,
        &[
            &[(10, "Item"), (120, "Qty"), (200, "Price")],
            &[(10, "Recycled paper"), (120, "12"), (200, "4.80")],
            &[(10, "Pens"), (120, "3"), (200, "1.20")],
            &[(10, "Total"), (200, "6.00")],
        ],
    );
    let g = structure(&words, &[], 10.0).expect("a table");
    assert_eq!((g.rows, g.cols, g.header_rows), (4, 3, 1));
    assert_eq!(at(&g, 1, 0), Some("Recycled paper"));
    assert_eq!(at(&g, 2, 1), Some("3"));
    // The total row has no quantity: that cell is simply absent.
    assert_eq!(at(&g, 3, 0), Some("Total"));
    assert_eq!(at(&g, 3, 1), None);
    assert_eq!(at(&g, 3, 2), Some("6.00"));
    assert!(g.cells.iter().all(|c| c.row_span == 1 && c.col_span == 1));
    assert_eq!(g.lines[1].text, "Recycled paper 12 4.80");
}

#[test]
fn a_fully_ruled_table_keeps_text_wrapped_in_a_cell_as_one_cell() {
    // Rows 20 px apart, the second two lines high.
    let mut words = rows_of(105, 20, &[&[(15, "Pollutant"), (125, "to air")]]);
    words.extend(phrase("Chlorine and", 15, 125));
    words.extend(phrase("(as HCl)", 15, 137));
    words.extend(phrase("10 000", 125, 131));
    words.extend(phrase("Methane", 15, 155));
    words.extend(phrase("100", 125, 155));
    let rules = grid_rules(&[10.0, 120.0, 200.0], &[100.0, 120.0, 150.0, 170.0]);
    let g = structure(&words, &rules, 10.0).expect("a table");
    assert_eq!((g.rows, g.cols), (3, 2));
    assert_eq!(at(&g, 1, 0), Some("Chlorine and (as HCl)"));
    assert_eq!(at(&g, 1, 1), Some("10 000"));
    assert_eq!(at(&g, 2, 0), Some("Methane"));
    // A cell's box is its area between the rules.
    let c = cell(&g, "Methane");
    assert_eq!((c.bbox.top, c.bbox.height), (150, 20));
}

#[test]
fn a_ruled_cell_without_its_inner_rule_spans_rows() {
    // "Metals" stands in one cell over two rows: the rule between them stops at its column.
    let mut words = rows_of(105, 20, &[&[(15, "Group"), (85, "Name"), (165, "Limit")]]);
    words.extend(phrase("Metals", 15, 135));
    words.extend(phrase("Lead", 85, 125));
    words.extend(phrase("20", 165, 125));
    words.extend(phrase("Zinc", 85, 145));
    words.extend(phrase("200", 165, 145));
    let mut rules = vec![
        Rule::horizontal(100.0, 10.0, 240.0),
        Rule::horizontal(120.0, 10.0, 240.0),
        Rule::horizontal(140.0, 80.0, 240.0),
        Rule::horizontal(160.0, 10.0, 240.0),
    ];
    for x in [10.0, 80.0, 160.0, 240.0] {
        rules.push(Rule::vertical(x, 100.0, 160.0));
    }
    let g = structure(&words, &rules, 10.0).expect("a table");
    let metals = cell(&g, "Metals");
    assert_eq!((metals.row, metals.col, metals.row_span), (1, 0, 2));
    assert_eq!(at(&g, 2, 1), Some("Zinc"));
}

#[test]
fn a_header_over_several_columns_spans_them_and_a_stacked_header_is_one_cell() {
    // Centred over the three columns of values (120..322).
    let mut words = phrase("THRESHOLD FOR RELEASES", 157, 100);
    words.extend(rows_of(
        115,
        12,
        &[
            &[(120, "to air"), (200, "to water"), (280, "to land")],
            &[(120, "kg/year"), (200, "kg/year"), (280, "kg/year")],
        ],
    ));
    words.extend(rows_of(
        145,
        16,
        &[
            &[
                (10, "Carbon dioxide"),
                (120, "100 million"),
                (200, "-"),
                (280, "-"),
            ],
            &[(10, "Methane"), (120, "100 000"), (200, "-"), (280, "-")],
            &[
                (10, "Nitrous oxide"),
                (120, "10 000"),
                (200, "-"),
                (280, "-"),
            ],
            &[(10, "Ammonia"), (120, "10 000"), (200, "-"), (280, "-")],
        ],
    ));
    let g = structure(&words, &[], 10.0).expect("a table");
    let top = cell(&g, "THRESHOLD FOR RELEASES");
    assert_eq!((top.row, top.col, top.col_span), (0, 1, 3));
    let air = cell(&g, "to air kg/year");
    assert_eq!((air.row, air.col), (1, 1));
    assert_eq!(g.header_rows, 2);
    assert_eq!(at(&g, 2, 0), Some("Carbon dioxide"));
    assert_eq!(at(&g, 5, 3), Some("-"));
}

#[test]
fn rules_only_around_the_header_stack_its_wrapped_labels() {
    // Booktabs: a rule over the table, one under its header, one under the table.
    let mut words = rows_of(
        105,
        12,
        &[
            &[(120, "Margin of"), (220, "Share")],
            &[(10, "Category"), (120, "error"), (220, "in %")],
        ],
    );
    words.extend(rows_of(
        140,
        16,
        &[
            &[(10, "All ages"), (120, "1.2"), (220, "100.0")],
            &[(10, "Under 15"), (120, "0.4"), (220, "12.1")],
            &[(10, "Over 65"), (120, "0.9"), (220, "15.8")],
        ],
    ));
    let rules = vec![
        Rule::horizontal(100.0, 5.0, 300.0),
        Rule::horizontal(132.0, 5.0, 300.0),
        Rule::horizontal(190.0, 5.0, 300.0),
    ];
    let g = structure(&words, &rules, 10.0).expect("a table");
    // Every column's header stacked into one cell: one header row.
    assert_eq!(g.header_rows, 1);
    let margin = cell(&g, "Margin of error");
    assert_eq!((margin.row, margin.col), (0, 1));
    assert_eq!(at(&g, 0, 2), Some("Share in %"));
    let category = cell(&g, "Category");
    assert_eq!((category.row, category.row_span), (0, 1));
    assert_eq!(at(&g, 1, 0), Some("All ages"));
    assert_eq!(at(&g, 3, 2), Some("15.8"));
}

#[test]
fn a_label_wrapped_onto_a_second_line_stays_in_its_row() {
    let words = rows_of(
        100,
        12,
        &[
            &[(10, "Region"), (200, "2019"), (260, "2020")],
            &[(10, "North and"), (200, "12"), (260, "14")],
            &[(10, "eastern islands")],
            &[(10, "South"), (200, "9"), (260, "11")],
        ],
    );
    let g = structure(&words, &[], 10.0).expect("a table");
    assert_eq!(g.rows, 3);
    assert_eq!(at(&g, 1, 0), Some("North and eastern islands"));
    assert_eq!(at(&g, 2, 0), Some("South"));
}

#[test]
fn running_text_is_not_a_table() {
    let words = rows_of(
        100,
        14,
        &[
            &[(
                10,
                "The facility reports its releases every year to the register,",
            )],
            &[(
                10,
                "which publishes them for each pollutant and each medium: air,",
            )],
            &[(
                10,
                "water and land, as the regulation requires of the operator.",
            )],
        ],
    );
    assert!(structure(&words, &[], 10.0).is_none());
}

#[test]
fn numbers_read_as_numbers() {
    assert!(is_numeric("1,234.50"));
    assert!(is_numeric("12.0%"));
    assert!(is_numeric("**12,760"));
    assert!(!is_numeric("Table 1"));
    assert!(!is_numeric("-"));
}
