//! Receipts and invoices as fields: vendor, address, date, due date, number, subtotal, tax, total
//! (AWS Textract AnalyzeExpense's names, lower case) and the item table's lines. Pure: the pages'
//! words and tables in, fields out; told nothing about the document's kind, it claims fields only
//! on a document that calls itself an invoice or a receipt (or shows a total and its payment). A
//! field that is not found is absent: each rule says what makes it sure, and a wrong value is worse
//! than none.

pub mod amounts;
pub mod dates;
mod items;
pub mod labels;
mod rows;

use crate::output::result::{BBox, PageResult, Word};
use amounts::Amount;
use rows::Row;
use serde::{Deserialize, Serialize};

/// One field: as printed, normalised, where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// As printed.
    pub text: String,
    /// Normalised: ISO 8601 for dates, a decimal string for amounts ("1234.50"). Absent where the
    /// text cannot be read surely (a date that could be the 2nd of March or February the 3rd).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// ISO 4217, for an amount whose document shows its currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// 1-based page.
    pub page: u32,
    pub bbox: BBox,
    /// 0 to 1: the words' OCR confidence times how sure the rule that found it is.
    pub confidence: f32,
}

/// The document's key fields; each absent when not found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Fields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_address: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_receipt_id: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Field>,
}

impl Fields {
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The fields found, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Field)> {
        [
            ("vendor_name", &self.vendor_name),
            ("vendor_address", &self.vendor_address),
            ("date", &self.date),
            ("due_date", &self.due_date),
            ("invoice_receipt_id", &self.invoice_receipt_id),
            ("subtotal", &self.subtotal),
            ("tax", &self.tax),
            ("total", &self.total),
        ]
        .into_iter()
        .filter_map(|(n, f)| f.as_ref().map(|f| (n, f)))
    }
}

/// One line of an item table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    pub page: u32,
    pub bbox: BBox,
}

/// How sure each rule is, times the words' own confidence.
mod sure {
    pub const LABELLED: f32 = 0.95;
    pub const LABELLED_BELOW: f32 = 0.85;
    pub const CHECKED_TOTAL: f32 = 0.98;
    pub const FIRST_DATE: f32 = 0.8;
    pub const VENDOR: f32 = 0.7;
    pub const ADDRESS: f32 = 0.6;
    pub const PAID: f32 = 0.75;
}

/// A vendor's name or address whose words OCR read at less than this mean confidence (0-1) is
/// left out: one misread letter spoils a name, and below this bar most are spoilt (SROIE: 38 of
/// the 44 names and addresses found below it were wrong; BENCHMARKS.md "Fields").
const MIN_NAME_READ: f32 = 0.85;

/// The same for an address, over all its words: it has three times a name's words or more, and
/// one misread among them spoils it (SROIE, at the seventh session's end: the 9 addresses read at
/// a mean under 0.92 were all wrong; BENCHMARKS.md "Fields").
const MIN_ADDRESS_READ: f32 = 0.92;

/// The fields and line items of a document.
pub fn extract(pages: &[PageResult]) -> (Fields, Vec<LineItem>) {
    extract_with(pages, &[])
}

/// The fields and line items of a document, with a second reading of its pages' words (by page,
/// empty for none: a till receipt read again line by line) for the total and date its own words
/// do not give. The other fields stay the first reading's: the second reads a name's and an
/// address's marks and spaces worse (BENCHMARKS.md "Fields").
pub fn extract_with(pages: &[PageResult], second: &[Vec<Word>]) -> (Fields, Vec<LineItem>) {
    let (mut fields, items) = extract_once(pages);
    if (fields.total.is_some() && fields.date.is_some()) || second.iter().all(Vec::is_empty) {
        return (fields, items);
    }
    let again: Vec<PageResult> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| match second.get(i).filter(|s| !s.is_empty()) {
            Some(words) => PageResult {
                words: words.clone(),
                blocks: Vec::new(),
                text: String::new(),
                ..p.clone()
            },
            None => p.clone(),
        })
        .collect();
    let (other, _) = extract_once(&again);
    fields.total = fields.total.or(other.total);
    fields.date = fields.date.or(other.date);
    (fields, items)
}

/// Whether a page's lines of words (a till receipt's, of `size` pixels at `dpi`) give no total or
/// no date.
pub fn lacks_total_or_date(
    lines: &[Vec<Word>],
    (width, height): (u32, u32),
    dpi: Option<u32>,
) -> bool {
    let page = PageResult {
        page: 1,
        width,
        height,
        dpi,
        source: crate::output::result::Source::Ocr,
        rotation: 0,
        skew: 0.0,
        text: String::new(),
        confidence: None,
        blocks: Vec::new(),
        words: lines.iter().flatten().cloned().collect(),
        qr_codes: Vec::new(),
        codes: Vec::new(),
    };
    let (fields, _) = extract_once(&[page]);
    fields.total.is_none() || fields.date.is_none()
}

fn extract_once(pages: &[PageResult]) -> (Fields, Vec<LineItem>) {
    let rows: Vec<Row> = pages.iter().flat_map(rows::of_page).collect();
    let narrow = pages.first().is_some_and(|p| {
        crate::plan::is_narrow_column(p.width, p.height)
            || crate::plan::text_is_narrow_column(&p.words, p.dpi)
    });
    if rows.is_empty() || !is_expense(&rows, narrow) {
        return (Fields::default(), Vec::new());
    }
    let tokens: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.words.iter().map(|w| w.text.as_str()))
        .collect();
    let comma = amounts::decimal_comma(&tokens);
    let mut fields = Fields::default();
    let totals = amounts_labelled(&rows, labels::TOTAL, comma, true);
    let subtotal = amounts_labelled(&rows, labels::SUBTOTAL, comma, false)
        .into_iter()
        .next();
    let tax = amounts_labelled(&rows, labels::TAX, comma, false)
        .into_iter()
        .find(|t| !t.amount.value.starts_with('-'));
    // The document's currency: shown with its total or subtotal, else a currency's code standing
    // as a word of its own ("RM", "(RM)", "USD"); a lone "$" is too often a misread "S".
    let currency = totals
        .iter()
        .chain(subtotal.iter())
        .find_map(|c| c.amount.currency)
        .or_else(|| {
            tokens
                .iter()
                .map(|t| t.split_once('(').map_or(*t, |(_, inner)| inner))
                .filter(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).len() >= 2)
                .find_map(amounts::currency_of)
        });
    fields.total = pick_total(&rows, &totals, subtotal.as_ref(), tax.as_ref(), comma)
        .map(|(c, sure)| match rounded(&rows, &c, comma) {
            Some(r) => (r, sure::LABELLED),
            None => (c, sure),
        })
        .or_else(|| paid_total(&rows, comma).map(|c| (c, sure::PAID)))
        .map(|(c, sure)| c.field(currency, sure));
    fields.subtotal = subtotal.map(|c| c.field(currency, sure::LABELLED));
    fields.tax = tax.map(|c| c.field(currency, sure::LABELLED));
    let (date, due) = dates_of(&rows, currency);
    fields.date = date;
    fields.due_date = due;
    fields.invoice_receipt_id = invoice_id(&rows);
    let (vendor, address) = rows::vendor(&rows);
    let read = |bar: f32| move |(_, r): &(String, rows::Span)| r.confidence >= bar;
    fields.vendor_name = vendor
        .filter(read(MIN_NAME_READ))
        .map(|(text, r)| field(text, r, sure::VENDOR));
    fields.vendor_address = address
        .filter(read(MIN_ADDRESS_READ))
        .map(|(text, r)| field(text, r, sure::ADDRESS));
    let items = items::from_tables(pages, comma);
    (fields, items)
}

fn field(text: String, r: rows::Span, sure: f32) -> Field {
    Field {
        text,
        value: None,
        currency: None,
        page: r.page,
        bbox: r.bbox,
        confidence: round(r.confidence * sure),
    }
}

fn round(c: f32) -> f32 {
    (c.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// A document that calls itself an invoice or a receipt, or that shows a labelled total and how
/// it was paid, or a labelled total on a till receipt's narrow page.
fn is_expense(rows: &[Row], narrow: bool) -> bool {
    let kind = rows.iter().any(|r| r.has_title(labels::KIND));
    let payment = rows
        .iter()
        .any(|r| r.find(labels::PAYMENT).is_some() && r.has_amount());
    let total = rows
        .iter()
        .any(|r| r.find(labels::TOTAL).is_some() && r.has_amount());
    kind || (total && (payment || narrow))
}

/// An amount found after (or under) a label.
#[derive(Debug, Clone)]
struct Labelled {
    /// Which label: its index in the list (strongest first).
    strength: usize,
    amount: Amount,
    text: String,
    row: usize,
    span: rows::Span,
    below: bool,
}

impl Labelled {
    fn field(self, currency: Option<&'static str>, sure: f32) -> Field {
        let sure = if self.below {
            sure.min(sure::LABELLED_BELOW)
        } else {
            sure
        };
        Field {
            text: self.text,
            value: Some(self.amount.value),
            currency: self.amount.currency.or(currency).map(String::from),
            page: self.span.page,
            bbox: self.span.bbox,
            confidence: round(self.span.confidence * sure),
        }
    }
}

/// Every amount labelled by one of `list`, in the document's order. A "total" line that counts,
/// saves or taxes something ("Total Qty", "Total Saving", "Total GST") is not a total, nor a tax
/// label inside a total's ("Total incl. GST").
fn amounts_labelled(rows: &[Row], list: &[&str], comma: bool, totals: bool) -> Vec<Labelled> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Some((strength, start, end)) = row.find(list) else {
            continue;
        };
        let near = |from: usize, to: usize| {
            &row.tokens[from.min(row.tokens.len())..to.min(row.tokens.len())]
        };
        let has =
            |words: &[String], list: &[&str]| words.iter().any(|t| list.contains(&t.as_str()));
        if totals {
            let after = near(end, end + 3);
            let inclusive = near(start, end + 3)
                .iter()
                .any(|t| t.starts_with("INCL") || t == "INC");
            let before = near(0, start);
            if has(before, labels::NOT_TOTAL)
                || has(before, labels::TAX_WORDS)
                || has(after, labels::NOT_TOTAL)
                || (!inclusive && has(after, labels::TAX_WORDS))
            {
                continue;
            }
        } else if std::ptr::eq(list, labels::TAX)
            && list[strength].split(' ').count() == 1
            && has(near(start.saturating_sub(2), start), labels::INCLUSIVE)
        {
            continue;
        }
        // A subtotal or a tax is an amount with cents (a GST registration number is not).
        let value = row
            .amount_after(end, comma)
            .filter(|(a, _, _)| totals || a.has_cents);
        if let Some((amount, text, span)) = value {
            out.push(Labelled {
                strength,
                amount,
                text,
                row: i,
                span,
                below: false,
            });
        } else if let Some((amount, text, span)) = rows
            .get(i + 1)
            .filter(|next| next.page == row.page)
            .and_then(|next| next.amount_under(row, end, comma))
        {
            out.push(Labelled {
                strength,
                amount,
                text,
                row: i,
                span,
                below: true,
            });
        }
    }
    out
}

/// Cents of a normalised amount ("12.30" -> 1230).
fn cents(v: &str) -> Option<i64> {
    let (sign, v) = v.strip_prefix('-').map_or((1, v), |rest| (-1, rest));
    let (i, f) = v.split_once('.')?;
    Some(sign * (i.parse::<i64>().ok()? * 100 + f.parse::<i64>().ok()?))
}

/// The amount after the first row labelled `label`.
fn paid(rows: &[Row], label: &str, comma: bool) -> Option<(usize, i64)> {
    rows.iter().enumerate().find_map(|(i, r)| {
        let (_, _, end) = r.find(&[label])?;
        r.amount_after(end, comma)
            .and_then(|(a, _, _)| cents(&a.value))
            .map(|c| (i, c))
    })
}

/// No total read under its label (OCR garbled the label, or the amount stands apart from it):
/// the cash tendered less the change is what was paid, taken when the receipt prints that amount
/// above its payment lines.
fn paid_total(rows: &[Row], comma: bool) -> Option<Labelled> {
    let (cash_row, cash) = paid(rows, "CASH", comma)?;
    let (_, change) = paid(rows, "CHANGE", comma)?;
    let total = cash - change;
    if total <= 0 {
        return None;
    }
    rows[..cash_row]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, r)| {
            (0..r.words.len())
                .rev()
                .find_map(|k| amount_of(r, i, k, total, usize::MAX, comma))
        })
}

/// The amount printed at word `k` of row `i` when it is `want` cents (with its cents printed).
fn amount_of(
    r: &Row,
    i: usize,
    k: usize,
    want: i64,
    strength: usize,
    comma: bool,
) -> Option<Labelled> {
    let (amount, text, span) = r.amount_after(k, comma)?;
    (amount.has_cents && cents(&amount.value) == Some(want)).then_some(Labelled {
        strength,
        amount,
        text,
        row: i,
        span,
        below: false,
    })
}

/// A total rounded to what can be paid in coins: a rounding adjustment of a few cents printed after
/// the total ("Rounding Adj -0.02"), and the total plus it printed a few rows after that ("TOTAL :
/// 28.30"): that amount is what was paid. Nothing when the rounded total is not printed.
fn rounded(rows: &[Row], total: &Labelled, comma: bool) -> Option<Labelled> {
    let v = cents(&total.amount.value)?;
    let (at, adjustment) = rows
        .iter()
        .enumerate()
        .skip(total.row + 1)
        .take(MAX_ROWS_TO_ROUNDING)
        .find_map(|(i, r)| {
            let (_, _, end) = r.find(&["ROUNDING"])?;
            let (a, _, _) = r.amount_after(end, comma)?;
            let c = cents(&a.value).filter(|c| *c != 0 && c.abs() <= MAX_ROUNDING_CENTS)?;
            Some((i, c))
        })?;
    let want = v + adjustment;
    rows.iter()
        .enumerate()
        .skip(at)
        .take(MAX_ROWS_TO_ROUNDING)
        .find_map(|(i, r)| {
            (0..r.words.len()).find_map(|k| amount_of(r, i, k, want, total.strength, comma))
        })
}

/// A rounding adjustment is at most this many cents (Malaysia, Australia, Switzerland: 2-5).
const MAX_ROUNDING_CENTS: i64 = 9;
/// ... printed within this many rows of the total, and the rounded total within as many after it.
const MAX_ROWS_TO_ROUNDING: usize = 3;

/// The total that pays: consistent with what was paid (cash less change) or with the subtotal and
/// tax if the document shows them, before the payment lines, the strongest label, the last one
/// (a total after rounding).
fn pick_total(
    rows: &[Row],
    totals: &[Labelled],
    subtotal: Option<&Labelled>,
    tax: Option<&Labelled>,
    comma: bool,
) -> Option<(Labelled, f32)> {
    let tendered = paid(rows, "CASH", comma)
        .zip(paid(rows, "CHANGE", comma))
        .map(|((_, c), (_, ch))| c - ch);
    let computed = subtotal
        .and_then(|s| cents(&s.amount.value))
        .map(|s| s + tax.and_then(|t| cents(&t.amount.value)).unwrap_or(0));
    let first_payment = rows
        .iter()
        .position(|r| r.find(labels::PAYMENT).is_some() && r.has_amount())
        .unwrap_or(usize::MAX);
    // A document prints its money one way: a total without cents where its subtotal, tax or
    // payment has them is a misread ("Grand Total re) ® 35" for RM8.35).
    let in_cents = first_payment != usize::MAX || subtotal.is_some() || tax.is_some();
    let best = totals
        .iter()
        .filter(|c| c.amount.has_cents || (!in_cents && totals.iter().all(|o| !o.amount.has_cents)))
        // Nothing to pay is no total: a label read beside another line's "0.00" (a rounding's).
        .filter(|c| cents(&c.amount.value) != Some(0))
        .max_by_key(|c| {
            let v = cents(&c.amount.value);
            let checked = v.is_some()
                && (v == tendered || computed.is_some_and(|s| (v.unwrap_or(0) - s).abs() <= 5));
            (
                checked,
                c.row < first_payment,
                std::cmp::Reverse(c.strength),
                c.row,
            )
        })?
        .clone();
    let v = cents(&best.amount.value);
    let checked =
        v.is_some() && (v == tendered || computed.is_some_and(|s| (v.unwrap_or(0) - s).abs() <= 5));
    Some((
        best,
        if checked {
            sure::CHECKED_TOTAL
        } else {
            sure::LABELLED
        },
    ))
}

/// The document's date (the one its label names, else its first) and its due date.
fn dates_of(rows: &[Row], currency: Option<&str>) -> (Option<Field>, Option<Field>) {
    let found: Vec<(usize, dates::Found)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| dates::find(&r.text()).into_iter().map(move |d| (i, d)))
        .collect();
    let all: Vec<dates::Found> = found.iter().map(|(_, d)| d.clone()).collect();
    let order = dates::order(&all, currency);
    let as_field = |i: usize, d: &dates::Found, sure: f32| {
        let span = rows[i].span_of_text(d.at, d.text.len());
        Field {
            text: d.text.clone(),
            value: d.iso(order),
            currency: None,
            page: span.page,
            bbox: span.bbox,
            confidence: round(span.confidence * sure),
        }
    };
    let labelled = |list: &[&str]| {
        found.iter().find(|(i, d)| {
            rows[*i]
                .find(list)
                .is_some_and(|(_, start, _)| rows[*i].offset_of(start) <= d.at)
        })
    };
    let due = labelled(labels::DUE_DATE);
    let is_due = |i: usize| rows[i].find(labels::DUE_DATE).is_some();
    let date = labelled(labels::DATE)
        .filter(|(i, _)| !is_due(*i))
        .map(|(i, d)| as_field(*i, d, sure::LABELLED))
        .or_else(|| {
            // A receipt prints the sale's date with its time ("28/03/2018 10:36:13"); else the
            // first date.
            let timed = |i: usize| rows[i].words.iter().any(|w| is_time(&w.text));
            found
                .iter()
                .find(|(i, _)| !is_due(*i) && timed(*i))
                .or_else(|| found.iter().find(|(i, _)| !is_due(*i)))
                .map(|(i, d)| as_field(*i, d, sure::FIRST_DATE))
        });
    (date, due.map(|(i, d)| as_field(*i, d, sure::LABELLED)))
}

/// "10:36", "10:36:13", "8:05PM".
fn is_time(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let parts: Vec<&str> = t.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

/// The document's own number: the token after its label, holding a digit, neither a date nor an
/// amount.
fn invoice_id(rows: &[Row]) -> Option<Field> {
    for row in rows {
        let Some((_, _, end)) = row.find(labels::INVOICE_ID) else {
            continue;
        };
        let skip = ["NO", "NUMBER", "#", "NR", "N°", "NUM", ":", "-", "="];
        let next = (end..row.words.len())
            .find(|&k| !row.tokens[k].is_empty() && !skip.contains(&row.tokens[k].as_str()));
        let Some(k) = next else { continue };
        let word = &row.words[k];
        let text = word
            .text
            .trim_start_matches([':', '#'])
            .trim_end_matches([',', '.']);
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if digits == 0 || text.len() < 3 || !dates::find(text).is_empty() {
            continue;
        }
        if amounts::parse(text, false).is_some_and(|a| a.has_cents) {
            continue;
        }
        let span = row.span(k, k + 1);
        return Some(Field {
            text: text.to_string(),
            value: None,
            currency: None,
            page: span.page,
            bbox: span.bbox,
            confidence: round(span.confidence * sure::LABELLED),
        });
    }
    None
}

#[cfg(test)]
mod tests;
