//! Hand-made receipts and invoices: words 20 px high, 10 px a character, at the places given.

use super::*;
use crate::output::result::{Block, BlockKind, Source, Table, TableCell, Word};

/// A page from (text, left, top) pieces; each piece's words 10 px a character, 10 px apart, read
/// at 96 as a clean scan's are.
fn page(n: u32, pieces: &[(&str, u32, u32)]) -> PageResult {
    let mut words = Vec::new();
    for &(text, left, top) in pieces {
        let mut x = left;
        for w in text.split_whitespace() {
            let width = 10 * w.chars().count() as u32;
            words.push(Word {
                text: w.to_string(),
                confidence: 96.0,
                bbox: BBox {
                    left: x,
                    top,
                    width,
                    height: 20,
                },
            });
            x += width + 10;
        }
    }
    PageResult {
        page: n,
        width: 1200,
        height: 1600,
        dpi: Some(200),
        source: Source::Ocr,
        rotation: 0,
        skew: 0.0,
        text: String::new(),
        confidence: Some(92.0),
        blocks: vec![],
        words,
        qr_codes: vec![],
        codes: vec![],
    }
}

fn value(f: &Option<Field>) -> Option<&str> {
    f.as_ref().and_then(|f| f.value.as_deref())
}

fn text(f: &Option<Field>) -> Option<&str> {
    f.as_ref().map(|f| f.text.as_str())
}

fn receipt() -> PageResult {
    page(
        1,
        &[
            ("SWC ENTERPRISE SDN BHD", 160, 100),
            ("(1125830-V)", 260, 130),
            ("5-7, JALAN MAHAGONI 7/1", 230, 160),
            ("SEKSYEN 4, BANDAR UTAMA, 44300", 180, 190),
            ("BATANG KALI, SELANGOR", 230, 220),
            ("03-60571377", 280, 250),
            ("GST ID 002017808384", 20, 300),
            ("Tax Invoice No : 00518087100028", 20, 330),
            ("002", 20, 380),
            ("28/03/2018 10:36:13", 380, 380),
            ("0025679 U", 20, 430),
            ("3x8.00", 360, 430),
            ("24.00 S", 520, 430),
            ("Item 4", 20, 500),
            ("SubTotal Incl GST", 220, 500),
            ("30.00", 530, 500),
            ("Rounding", 310, 530),
            ("0.00", 540, 530),
            ("Total", 340, 560),
            ("30.00", 530, 560),
            ("Cash", 350, 590),
            ("50.00", 530, 590),
            ("Change", 330, 620),
            ("20.00", 530, 620),
            ("GST Summary", 20, 680),
            ("Amount(RM)", 200, 680),
            ("Tax(RM)", 500, 680),
            ("S(6%)", 20, 710),
            ("28.30", 230, 710),
            ("1.70", 540, 710),
            ("Total", 20, 740),
            ("28.30", 230, 740),
            ("1.70", 540, 740),
            ("THANK YOU PLEASE COME AGAIN", 120, 800),
        ],
    )
}

#[test]
fn a_receipt_gives_its_vendor_address_date_number_and_the_total_that_was_paid() {
    let (f, items) = extract(&[receipt()]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
    assert_eq!(
        text(&f.vendor_address),
        Some("5-7, JALAN MAHAGONI 7/1 SEKSYEN 4, BANDAR UTAMA, 44300 BATANG KALI, SELANGOR")
    );
    assert_eq!(value(&f.date), Some("2018-03-28"));
    assert_eq!(text(&f.date), Some("28/03/2018"));
    assert_eq!(text(&f.invoice_receipt_id), Some("00518087100028"));
    // The total paid (cash less change), not the GST summary's "Total" under it.
    assert_eq!(value(&f.total), Some("30.00"));
    let total = f.total.as_ref().unwrap();
    assert_eq!((total.page, total.bbox.top), (1, 560));
    assert!(total.confidence > 0.85, "{total:?}");
    assert_eq!(value(&f.subtotal), Some("30.00"));
    assert!(items.is_empty(), "no item table");
    // As the result carries them: only what was found, names as AnalyzeExpense's.
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["total"]["value"], "30.00");
    assert!(json.get("due_date").is_none());
}

fn invoice() -> PageResult {
    let mut p = page(
        1,
        &[
            ("Summit Logistics Inc", 100, 100),
            ("INVOICE", 800, 100),
            ("487 Oak Way", 100, 135),
            ("Invoice No: INV-2024-8348", 650, 135),
            ("Bristol 38237", 100, 165),
            ("Date: 2019-06-14", 750, 165),
            ("Phone +1 555 9708", 100, 195),
            ("Due: 22 February 2023", 700, 195),
            ("Bill To:", 100, 260),
            ("Helen Dubois", 100, 290),
            ("Description", 100, 400),
            ("Qty", 500, 400),
            ("Unit Price", 650, 400),
            ("Amount", 880, 400),
            ("Cleaning supplies", 100, 440),
            ("19", 510, 440),
            ("509.00", 680, 440),
            ("9,671.00", 880, 440),
            ("USB cable set", 100, 470),
            ("12", 510, 470),
            ("640.67", 680, 470),
            ("7,688.04", 880, 470),
            ("Subtotal: 17,359.04", 700, 540),
            ("Tax (20%): 3,471.81", 700, 570),
            ("Total USD: 20,830.85", 700, 600),
        ],
    );
    let cell = |row: u32, col: u32, text: &str| TableCell {
        row,
        col,
        row_span: 1,
        col_span: 1,
        text: text.into(),
        bbox: BBox {
            left: 100 + 250 * col,
            top: 400 + 35 * row,
            width: 240,
            height: 30,
        },
    };
    let cells = vec![
        cell(0, 0, "Description"),
        cell(0, 1, "Qty"),
        cell(0, 2, "Unit Price"),
        cell(0, 3, "Amount"),
        cell(1, 0, "Cleaning supplies"),
        cell(1, 1, "19"),
        cell(1, 2, "509.00"),
        cell(1, 3, "9,671.00"),
        cell(2, 0, "USB cable set"),
        cell(2, 1, "12"),
        cell(2, 2, "640.67"),
        cell(2, 3, "7,688.04"),
    ];
    p.blocks.push(Block {
        kind: BlockKind::Table,
        bbox: BBox {
            left: 100,
            top: 400,
            width: 1000,
            height: 100,
        },
        lines: vec![],
        table: Some(Table {
            rows: 3,
            cols: 4,
            header_rows: 1,
            cells,
            continued_from: None,
        }),
    });
    p
}

#[test]
fn an_invoice_gives_every_field_and_its_item_table_as_line_items() {
    let (f, items) = extract(&[invoice()]);
    assert_eq!(text(&f.vendor_name), Some("Summit Logistics Inc"));
    assert_eq!(text(&f.vendor_address), Some("487 Oak Way Bristol 38237"));
    assert_eq!(text(&f.invoice_receipt_id), Some("INV-2024-8348"));
    assert_eq!(value(&f.date), Some("2019-06-14"));
    assert_eq!(value(&f.due_date), Some("2023-02-22"));
    assert_eq!(value(&f.subtotal), Some("17359.04"));
    assert_eq!(value(&f.tax), Some("3471.81"));
    assert_eq!(value(&f.total), Some("20830.85"));
    assert_eq!(f.total.as_ref().unwrap().currency.as_deref(), Some("USD"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].description.as_deref(), Some("USB cable set"));
    assert_eq!(items[1].quantity.as_deref(), Some("12"));
    assert_eq!(items[1].unit_price.as_deref(), Some("640.67"));
    assert_eq!(items[1].amount.as_deref(), Some("7688.04"));
}

#[test]
fn a_european_invoice_writes_day_first_and_decimal_commas() {
    let p = page(
        1,
        &[
            ("Bäckerei Müller GmbH", 100, 100),
            ("Hauptstraße 5", 100, 130),
            ("80331 München", 100, 160),
            ("RECHNUNG", 800, 100),
            ("Rechnungsnummer: 2026-0042", 650, 130),
            ("Datum: 03.02.2026", 700, 160),
            ("Zwischensumme 1.037,39", 650, 500),
            ("MwSt 197,11", 650, 530),
            ("Gesamtbetrag 1.234,50 €", 650, 560),
        ],
    );
    let (f, _) = extract(&[p]);
    assert_eq!(value(&f.total), Some("1234.50"));
    assert_eq!(f.total.as_ref().unwrap().currency.as_deref(), Some("EUR"));
    assert_eq!(value(&f.subtotal), Some("1037.39"));
    assert_eq!(value(&f.tax), Some("197.11"));
    // 03.02.2026 in a euro document: the 3rd of February.
    assert_eq!(value(&f.date), Some("2026-02-03"));
    assert_eq!(text(&f.invoice_receipt_id), Some("2026-0042"));
    assert_eq!(text(&f.vendor_name), Some("Bäckerei Müller GmbH"));
}

#[test]
fn a_currency_that_ends_the_label_is_the_amounts_currency_not_its_text() {
    let p = page(
        1,
        &[
            ("Northwind Paper Co", 100, 100),
            ("INVOICE", 800, 100),
            ("Invoice No: NW-2026-0412", 650, 130),
            ("Subtotal: 54,190.24", 650, 500),
            ("Total USD: 65,028.29", 650, 560),
        ],
    );
    let (f, _) = extract(&[p]);
    let total = f.total.as_ref().unwrap();
    assert_eq!(total.text, "65,028.29");
    assert_eq!(total.currency.as_deref(), Some("USD"));
    assert_eq!(value(&f.total), Some("65028.29"));
}

#[test]
fn a_total_under_its_label_and_a_tip_before_the_payment() {
    let p = page(
        1,
        &[
            ("CAFE ROMA", 200, 100),
            ("RECEIPT", 230, 130),
            ("Subtotal", 100, 300),
            ("20.00", 400, 300),
            ("Tip", 100, 330),
            ("3.00", 410, 330),
            ("TOTAL", 100, 360),
            ("23.00", 100, 390),
            ("Cash", 100, 420),
            ("30.00", 400, 420),
            ("Change", 100, 450),
            ("7.00", 410, 450),
        ],
    );
    let (f, _) = extract(&[p]);
    assert_eq!(value(&f.total), Some("23.00"));
    let total = f.total.as_ref().unwrap();
    assert_eq!(total.bbox.top, 390, "under its label");
}

#[test]
fn an_ambiguous_date_keeps_its_text_and_gets_no_value() {
    let p = page(
        1,
        &[
            ("QUICK MART", 100, 100),
            ("RECEIPT", 100, 130),
            ("Date: 02/03/2018", 100, 160),
            ("Total 5.00", 100, 300),
        ],
    );
    let (f, _) = extract(&[p]);
    let date = f.date.as_ref().expect("the date");
    assert_eq!(date.text, "02/03/2018");
    assert_eq!(date.value, None);
}

#[test]
fn a_letter_or_an_article_gets_no_fields() {
    let letter = page(
        1,
        &[
            ("Northwind Paper Co.", 100, 100),
            ("12 Harbour Street", 100, 130),
            ("3 March 2026", 800, 200),
            ("Dear Ms Dubois,", 100, 300),
            (
                "Thank you for your order of 12 boxes; the total of 57.60",
                100,
                340,
            ),
            ("will be invoiced next month.", 100, 370),
            ("Total 57.60", 100, 400),
        ],
    );
    let (f, items) = extract(&[letter]);
    assert!(f.is_empty(), "{f:?}");
    assert!(items.is_empty());
    // A report that talks about invoices, in its text and its headings, is no invoice.
    let report = page(
        1,
        &[
            ("Large Project Report 2021", 100, 100),
            ("12 June 2022", 100, 140),
            ("2. Quarterly invoice overview", 100, 200),
            (
                "After the invoice the payment was reduced by 12.50",
                100,
                240,
            ),
            ("Section 34: Northern invoice", 100, 280),
        ],
    );
    let (f, _) = extract(&[report]);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_total_including_its_tax_is_the_total_and_the_tax_named_after_it_is_not_a_tax_amount() {
    let p = page(
        1,
        &[
            ("KEDAI RUNCIT MAJU SDN BHD", 100, 100),
            ("CASH BILL", 200, 160),
            ("Total GST", 100, 400),
            ("1.70", 530, 400),
            ("Total Incl. GST 6%", 100, 440),
            ("11. 80", 520, 440),
            ("Cash", 100, 480),
            ("20.00", 530, 480),
            ("Change", 100, 510),
            ("8.20", 540, 510),
        ],
    );
    let (f, _) = extract(&[p]);
    // "11. 80" is one amount OCR split in two; the tax row is the tax, not a total.
    assert_eq!(value(&f.total), Some("11.80"));
    assert_eq!(value(&f.tax), Some("1.70"));
}

#[test]
fn a_total_label_read_unsure_still_labels_its_amount_but_other_unsure_words_do_not_count() {
    // Tesseract can be unsure of a short word in large print that it read right ("Total" at 22).
    let unsure = |mut page: PageResult, word: &str, top: u32| {
        for w in page.words.iter_mut() {
            if w.text == word && w.bbox.top == top {
                w.confidence = 22.0;
            }
        }
        page
    };
    let (f, _) = extract(&[unsure(receipt(), "Total", 560)]);
    assert_eq!(value(&f.total), Some("30.00"));
    assert_eq!(f.total.as_ref().unwrap().bbox.top, 560);
    // An unsure word that is not a total's label stays out: the cash line no longer checks
    // the total, and no "Cash" row is read.
    let (f, _) = extract(&[unsure(receipt(), "Cash", 590)]);
    assert_eq!(value(&f.total), Some("30.00"));
    let rows = rows::of_page(&unsure(receipt(), "Cash", 590));
    assert!(rows.iter().all(|r| r.find(&["CASH"]).is_none()));
}

/// The hand-made receipt with every word spelled `from` spelled `to` (same place), and pieces added.
fn receipt_with(replace: &[(&str, &str)], add: &[(&str, u32, u32)]) -> PageResult {
    let mut page = receipt();
    for (from, to) in replace {
        let mut found = false;
        for w in page.words.iter_mut().filter(|w| w.text == *from) {
            w.text = to.to_string();
            found = true;
        }
        assert!(found, "{from} is on the receipt");
    }
    let extra = self::page(1, add);
    page.words.extend(extra.words);
    page
}

#[test]
fn a_name_printed_over_two_lines_with_its_registration_and_a_date_before_the_address() {
    let mut page = page(
        1,
        &[
            ("| POPULAR BOOK", 200, 60),
            ("CO. (M) SDN BHD (139386 X)", 160, 100),
            ("09 Apr 2018 18:26", 200, 130),
            ("5-7, JALAN MAHAGONI 7/1", 230, 160),
            ("BATANG KALI, SELANGOR", 230, 190),
            ("03-60571377", 280, 220),
        ],
    );
    page.words
        .extend(receipt().words.into_iter().filter(|w| w.bbox.top >= 300));
    let (f, _) = extract(&[page]);
    assert_eq!(text(&f.vendor_name), Some("POPULAR BOOK CO. (M) SDN BHD"));
    assert_eq!(
        text(&f.vendor_address),
        Some("5-7, JALAN MAHAGONI 7/1 BATANG KALI, SELANGOR")
    );
    // A bracketed part of the name stays ("(M)"); a bracketed number goes.
    let (f, _) = extract(&[receipt_with(&[("(1125830-V)", "(M)")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
}

#[test]
fn labels_and_dates_as_ocr_misreads_them_still_count() {
    // "Totai" for Total, "INVOLCE" for INVOICE, a date glued to the next word.
    let (f, _) = extract(&[receipt_with(
        &[("Total", "Totai"), ("10:36:13", "10:36:13AM")],
        &[],
    )]);
    assert_eq!(f.total.as_ref().unwrap().bbox.top, 560);
    assert_eq!(value(&f.total), Some("30.00"));
    let page = page(
        1,
        &[
            ("TAX INVOLCE", 100, 40),
            ("ACME TRADING", 100, 80),
            ("Date: 21/05/2018Time: 11:12:56", 100, 300),
            ("Amount", 100, 400),
            ("<RM_34.80", 400, 400),
        ],
    );
    let (f, _) = extract(&[page]);
    assert_eq!(value(&f.date), Some("2018-05-21"));
    assert_eq!(text(&f.date), Some("21/05/2018"));
    assert_eq!(text(&f.vendor_name), Some("ACME TRADING"));
    // A word that only looks like a label in part is none: "TOTE" is not "TOTAL" (the total then
    // comes from the payment, less sure).
    let (f, _) = extract(&[receipt_with(&[("Total", "Tote")], &[])]);
    assert!(f.total.as_ref().unwrap().confidence < 0.8, "{:?}", f.total);
    let (f, _) = extract(&[receipt_with(&[("Total", "Totai")], &[])]);
    assert!(f.total.as_ref().unwrap().confidence > 0.85, "{:?}", f.total);
}

#[test]
fn a_total_whose_label_is_unreadable_is_what_was_paid_when_it_is_printed() {
    // The total's label lost to OCR, the subtotal's too: cash 50.00 less change 20.00.
    let (f, _) = extract(&[receipt_with(
        &[("Total", "Tc#@l"), ("SubTotal", "5ubT@t")],
        &[],
    )]);
    let total = f
        .total
        .as_ref()
        .expect("the paid amount, printed above the cash");
    assert_eq!(total.value.as_deref(), Some("30.00"));
    assert_eq!(
        total.bbox.top, 560,
        "the lowest printing above the cash line"
    );
    assert!(total.confidence < 0.8, "less sure than a labelled total");
    // Not printed anywhere above the payment: no total.
    let (f, _) = extract(&[receipt_with(
        &[
            ("Total", "Tc#@l"),
            ("SubTotal", "5ubT@t"),
            ("20.00", "21.00"),
        ],
        &[],
    )]);
    assert_eq!(f.total, None);
}

#[test]
fn a_french_invoice_keeps_its_title_out_of_the_address_and_its_vat_rate_out_of_the_tax() {
    let page = page(
        1,
        &[
            ("Boulangerie Lefèvre SARL", 100, 60),
            ("8 rue des Lilas", 100, 100),
            ("69003 Lyon", 100, 130),
            ("Facture", 100, 160),
            ("Facture n° F-2026-112", 100, 220),
            ("Date : 21/09/2026", 100, 250),
            ("Total HT : 260,00 €", 700, 500),
            ("TVA 5,5 % : 14,30 €", 700, 530),
            ("Total TTC : 274,30 €", 700, 560),
        ],
    );
    let (f, _) = extract(&[page]);
    assert_eq!(text(&f.vendor_name), Some("Boulangerie Lefèvre SARL"));
    assert_eq!(text(&f.vendor_address), Some("8 rue des Lilas 69003 Lyon"));
    assert_eq!(text(&f.invoice_receipt_id), Some("F-2026-112"));
    assert_eq!(value(&f.tax), Some("14.30"));
    assert_eq!(value(&f.total), Some("274.30"));
    assert_eq!(value(&f.date), Some("2026-09-21"));
}

#[test]
fn ocr_slips_in_a_names_marks_and_company_form_are_mended() {
    let (f, _) = extract(&[receipt_with(&[("SWC", "D.I.¥."), ("SDN", "SON")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("D.I.Y. ENTERPRISE SDN BHD"));
    let (f, _) = extract(&[receipt_with(&[("BHD", "BHO"), ("(1125830-V)", "{M}")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
    // A bracket inside the name, then the registration unbracketed on the same line.
    let (f, _) = extract(&[receipt_with(
        &[("SWC", "AEON"), ("ENTERPRISE", "CO."), ("SDN", "{M)")],
        &[("126926-H", 420, 100)],
    )]);
    assert_eq!(text(&f.vendor_name), Some("AEON CO. (M) BHD"));
    // Not a form's neighbour, or a figure: as read.
    let (f, _) = extract(&[receipt_with(&[("ENTERPRISE", "INK")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SWC INK SDN BHD"));
    let (f, _) = extract(&[receipt_with(&[("SWC", "SQN")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SQN ENTERPRISE SDN BHD"));
    // A digit of a letter's shape in a form: "SDN 3HD"; "S/B" read "5/B" is a form alone, not a
    // street's "3/B".
    let (f, _) = extract(&[receipt_with(&[("BHD", "3HD")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
    let (f, _) = extract(&[receipt_with(&[("SDN", "5/B"), ("BHD", "")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE S/B"));
    let (f, _) = extract(&[receipt_with(&[("7/1", "3/B")], &[])]);
    assert_eq!(
        text(&f.vendor_address),
        Some("5-7, JALAN MAHAGONI 3/B SEKSYEN 4, BANDAR UTAMA, 44300 BATANG KALI, SELANGOR")
    );
}

#[test]
fn a_word_ocr_was_unsure_of_inside_a_line_stays_in_it_but_no_unsure_figure_does() {
    let mut page = receipt();
    for w in page.words.iter_mut() {
        w.confidence = if w.text == "MAHAGONI" { 0.0 } else { 99.0 };
    }
    let texts = |page: &PageResult| -> Vec<String> {
        rows::of_page(page).iter().map(|r| r.text()).collect()
    };
    assert!(texts(&page).contains(&"5-7, JALAN MAHAGONI 7/1".to_string()));
    // The address it is part of, read at 0.91 on average over its 12 words, is not given.
    let (f, _) = extract(std::slice::from_ref(&page));
    assert_eq!(text(&f.vendor_address), None);
    // An unsure figure stays out.
    for w in page.words.iter_mut().filter(|w| w.text == "44300") {
        w.confidence = 0.0;
    }
    let rows = texts(&page);
    assert!(
        rows.contains(&"SEKSYEN 4, BANDAR UTAMA,".to_string()),
        "{rows:?}"
    );
}

/// A till receipt with its name and kind at the top, then `rows` 30 px apart from y = 300.
fn till(rows: &[&str]) -> PageResult {
    let mut pieces = vec![
        ("KEDAI RUNCIT MAJU SDN BHD", 100, 100),
        ("RECEIPT", 100, 140),
    ];
    for (i, r) in rows.iter().enumerate() {
        pieces.push((r, 100, 300 + 30 * i as u32));
    }
    page(1, &pieces)
}

#[test]
fn an_amounts_text_is_the_number_as_printed_with_a_currency_standing_apart_left_out() {
    for (printed, text) in [
        ("Total RM Incl. of GST 11.80", "11.80"),
        ("Total RM 11.80", "11.80"),
        ("Total RM11.80", "RM11.80"),
    ] {
        let (f, _) = extract(&[till(&[printed, "CASH RM 20.00"])]);
        let total = f.total.as_ref().expect(printed);
        assert_eq!(total.text, text, "{printed}");
        assert_eq!(total.value.as_deref(), Some("11.80"));
        assert_eq!(total.currency.as_deref(), Some("MYR"), "{printed}");
    }
}

#[test]
fn a_total_rounded_to_coins_is_the_rounded_one_when_it_is_printed() {
    let page = |rows: &[&str]| extract(&[till(rows)]).0;
    let f = page(&[
        "Total Sales Incl GST 28.31",
        "Rounding Adjustment -0.01",
        "TOTAL : 28.30",
        "CASH 50.00",
    ]);
    assert_eq!(value(&f.total), Some("28.30"));
    // Not printed: the total stays as printed; a "rounding" of a ringgit is no rounding.
    let f = page(&[
        "Total Sales Incl GST 28.31",
        "Rounding Adjustment -0.01",
        "CASH 50.00",
    ]);
    assert_eq!(value(&f.total), Some("28.31"));
    let f = page(&[
        "Total Sales Incl GST 28.31",
        "Rounding -1.01",
        "Voucher 27.30",
        "CASH 50.00",
    ]);
    assert_eq!(value(&f.total), Some("28.31"));
}

#[test]
fn cents_keep_their_sign() {
    assert_eq!(super::cents("-0.02"), Some(-2));
    assert_eq!(super::cents("-1.50"), Some(-150));
    assert_eq!(super::cents("12.30"), Some(1230));
}

#[test]
fn an_outlets_name_in_brackets_and_a_phone_under_the_address_are_not_part_of_it() {
    let full = "5-7, JALAN MAHAGONI 7/1 SEKSYEN 4, BANDAR UTAMA, 44300 BATANG KALI, SELANGOR";
    for (line, address) in [
        ("(IOI PUCHONG)", full),
        ("Whatsapp : +6012-918 7937", full),
        ("BANDAR BARU (X)", &*format!("{full} BANDAR BARU (X)")),
    ] {
        let mut page = receipt();
        // Under "BATANG KALI, SELANGOR" in place of the phone line.
        page.words.retain(|w| w.text != "03-60571377");
        page.words.extend(self::page(1, &[(line, 230, 250)]).words);
        let (f, _) = extract(&[page]);
        assert_eq!(text(&f.vendor_address), Some(address), "{line}");
    }
}

#[test]
fn initials_with_a_letter_read_as_a_digit_are_mended() {
    let (f, _) = extract(&[receipt_with(&[("SWC", "D.1.¥.")], &[])]);
    assert_eq!(text(&f.vendor_name), Some("D.I.Y. ENTERPRISE SDN BHD"));
    // Not a number's digits, nor a word that is no initials.
    for word in ["D.I.Y.", "D.1.¥.", "S.B."] {
        assert!(rows::is_initials(word), "{word}");
    }
    for word in ["1.5.", "No.", "3.90", "A.", "¥.1."] {
        assert!(!rows::is_initials(word), "{word}");
    }
}

#[test]
fn a_registration_number_that_lost_its_closing_bracket_is_cut_from_the_name() {
    // "SWC ENTERPRISE SDN BHD" ends at x = 380 on its row.
    let (f, _) = extract(&[receipt_with(&[], &[("(139386", 390, 100)])]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
}

#[test]
fn a_name_or_address_read_unsurely_is_left_out() {
    let mut page = receipt();
    for w in page.words.iter_mut().filter(|w| w.text == "ENTERPRISE") {
        w.confidence = 40.0;
    }
    let (f, _) = extract(&[page.clone()]);
    assert_eq!(text(&f.vendor_name), None);
    assert!(f.vendor_address.is_some() && f.total.is_some());
    for w in page
        .words
        .iter_mut()
        .filter(|w| w.text.starts_with("JALAN"))
    {
        w.confidence = 0.0;
    }
    for w in page
        .words
        .iter_mut()
        .filter(|w| w.text == "MAHAGONI" || w.text == "BANDAR")
    {
        w.confidence = 40.0;
    }
    let (f, _) = extract(&[page]);
    assert_eq!(text(&f.vendor_address), None);
}

/// A receipt's head of `pieces` over `receipt()`'s body (its words from y = 300 down).
fn head(pieces: &[(&str, u32, u32)]) -> PageResult {
    let mut page = page(1, pieces);
    page.words
        .extend(receipt().words.into_iter().filter(|w| w.bbox.top >= 300));
    page
}

#[test]
fn a_limited_company_names_the_vendor_over_a_trade_name_and_a_registered_name_over_a_sign() {
    let (f, _) = extract(&[head(&[
        ("AMPHAWA THAI TEA & CO.", 160, 60),
        ("Dimiliki oleh T PLUS F&B SDN. BHD.", 120, 100),
        ("(1219716-T)", 260, 130),
        ("PARADIGM MALL", 250, 160),
        ("LOT NO.: 4F-27 & 4FK-38, 4TH FLOOR", 150, 190),
        ("TEL: 03-7886 2233", 200, 220),
    ])]);
    assert_eq!(
        text(&f.vendor_name),
        Some("Dimiliki oleh T PLUS F&B SDN. BHD.")
    );
    assert_eq!(
        text(&f.vendor_address),
        Some("PARADIGM MALL LOT NO.: 4F-27 & 4FK-38, 4TH FLOOR")
    );
    // No company form: the name over the registration number, not the sign above it.
    let (f, _) = extract(&[head(&[
        ("FACE TO FACE NOODLE HOUSE", 140, 60),
        ("FTOF NOODLE HOUSE", 180, 100),
        ("(002049088-U)", 200, 130),
        ("No.25, Jalan Metro Perdana Barat 2,", 100, 160),
        ("52100 Kuala Lumpur.", 200, 190),
        ("Tel: 016-680 8777", 200, 220),
    ])]);
    assert_eq!(text(&f.vendor_name), Some("FTOF NOODLE HOUSE"));
    assert_eq!(
        text(&f.vendor_address),
        Some("No.25, Jalan Metro Perdana Barat 2, 52100 Kuala Lumpur.")
    );
    // An owner printed under the address is not the vendor the receipt is headed with.
    let (f, _) = extract(&[head(&[
        ("SANYU STATIONERY SHOP", 100, 40),
        ("NO. 31G&33G, JALAN SETIA INDAH", 100, 70),
        ("40170 SETIA ALAM", 100, 100),
        ("Tel: +603-3362 4137", 100, 130),
        ("Owned By :", 100, 160),
        ("SANYU SUPPLY SDN BHD (1135772-K)", 100, 190),
    ])]);
    assert_eq!(text(&f.vendor_name), Some("SANYU STATIONERY SHOP"));
    assert_eq!(
        text(&f.vendor_address),
        Some("NO. 31G&33G, JALAN SETIA INDAH 40170 SETIA ALAM")
    );
}

#[test]
fn an_address_is_no_name_and_a_shops_sign_or_web_address_no_address() {
    // The name unread: its address's lines are not taken for it.
    let (f, _) = extract(&[head(&[
        ("NO. 31G&33G, JALAN SETIA INDAH", 100, 70),
        ("40170 SETIA ALAM", 100, 100),
        ("Owned By :", 100, 130),
    ])]);
    assert_eq!(text(&f.vendor_name), None);
    let (f, _) = extract(&[head(&[
        ("40150 SHAH ALAM, SELANGOR", 100, 70),
        ("BILL NO: 06015047", 100, 100),
    ])]);
    assert_eq!(text(&f.vendor_name), None);
    let (f, _) = extract(&[head(&[
        ("SUPER SEVEN CASH & CARRY SDN BHD", 100, 40),
        ("(590150-A)", 200, 70),
        ("PASARAYA BORONG SUPER SEVEN", 140, 100),
        ("NO. 1 Jalan Euro 1", 160, 130),
        ("Shah Alam, 40150", 160, 160),
        ("http://www.super7.com.my", 140, 190),
        ("FAX : 03-78590864", 160, 220),
    ])]);
    assert_eq!(
        text(&f.vendor_name),
        Some("SUPER SEVEN CASH & CARRY SDN BHD")
    );
    assert_eq!(
        text(&f.vendor_address),
        Some("NO. 1 Jalan Euro 1 Shah Alam, 40150")
    );
}

#[test]
fn a_frames_edge_read_as_a_mark_does_not_merge_the_lines_beside_it() {
    let mut page = receipt();
    let edge = |top, height| Word {
        text: "|".into(),
        confidence: 70.0,
        bbox: BBox {
            left: 0,
            top,
            width: 2,
            height,
        },
    };
    // Two edges, each as tall as two and a half lines, across the name's and address's lines.
    page.words.push(edge(95, 50));
    page.words.push(edge(150, 50));
    let (f, _) = extract(&[page]);
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
    assert_eq!(
        text(&f.vendor_address),
        Some("5-7, JALAN MAHAGONI 7/1 SEKSYEN 4, BANDAR UTAMA, 44300 BATANG KALI, SELANGOR")
    );
}

#[test]
fn the_total_is_not_what_was_handed_over_nor_a_misread_without_cents() {
    let total = |rows: &[&str]| extract(&[till(rows)]).0.total.map(|t| t.value);
    assert_eq!(
        total(&["Total amount 1.50", "Accepted total 2.00", "Change 0.50"])
            .flatten()
            .as_deref(),
        Some("1.50")
    );
    // The payment is printed with cents: a total read without them is a misread, none is given.
    assert_eq!(
        total(&["Grand Total re) ® 35", "Cash RM10.50", "Change RM2.15"]),
        None
    );
    // A total OCR cut before its point ("250 .00") is one amount.
    assert_eq!(
        total(&["TOTAL AMOUNT DUE 250 .00", "PAYMENT MODE: CASH 250 .00"])
            .flatten()
            .as_deref(),
        Some("250.00")
    );
    // A rounding printed as cents alone, and the rounded total under it.
    assert_eq!(
        total(&[
            "Total Sales (Inclusive GST) RM 177.22",
            "Rounding Adjustment RM -.02",
            "Rounding RM 177.20",
            "CREDIT RM 177.20"
        ])
        .flatten()
        .as_deref(),
        Some("177.20")
    );
}

#[test]
fn a_second_reading_gives_the_total_and_date_the_first_lacks_and_nothing_else() {
    // Tesseract's reading: the name and items, the total's row and the date unreadable.
    let first = till(&[
        "SUGAR 1KG 2.50",
        "RICE 5KG 8.90",
        "Tqtl ® 1?.40",
        "CASH 20.00",
    ]);
    // The line reader's: the total and date, a name spoilt (no space after its mark).
    let second = till(&[
        "SUGAR 1KG 2.50",
        "RICE 5KG 8.90",
        "Total 11.40",
        "CASH 20.00",
        "Date:15/06/2018 09:40",
    ]);
    let mut second_words = second.words;
    for w in second_words.iter_mut().filter(|w| w.text == "KEDAI") {
        w.text = "KEDAI-RUNClT".into();
    }
    let (f, _) = extract(std::slice::from_ref(&first));
    assert_eq!(f.total, None);
    assert_eq!(f.date, None);
    let (f, _) = extract_with(std::slice::from_ref(&first), &[second_words.clone()]);
    assert_eq!(value(&f.total), Some("11.40"));
    assert_eq!(value(&f.date), Some("2018-06-15"));
    assert_eq!(text(&f.vendor_name), Some("KEDAI RUNCIT MAJU SDN BHD"));
    // Whether a page needs one: a reading without total or date does.
    let lines = |p: &PageResult| vec![p.words.clone()];
    let size = (first.width, first.height);
    assert!(lacks_total_or_date(&lines(&first), size, first.dpi));
    let whole = PageResult {
        words: second_words,
        ..first.clone()
    };
    assert!(!lacks_total_or_date(&lines(&whole), size, first.dpi));
    // A first reading that gives both keeps them.
    let (f, _) = extract_with(
        std::slice::from_ref(&whole),
        std::slice::from_ref(&first.words),
    );
    assert_eq!(value(&f.total), Some("11.40"));
}

#[test]
fn a_total_of_nothing_is_no_total() {
    let (f, _) = extract(&[till(&[
        "MILUX GAS REGULATOR 28.00",
        "TOTAL 0.00",
        "CASH 40.00",
        "CHANGE 12.00",
    ])]);
    // The cash less the change, printed above the payment, is what was paid.
    assert_eq!(value(&f.total), Some("28.00"));
}

#[test]
fn an_address_needs_its_words_read_surer_than_a_name() {
    let mut page = receipt();
    // The name's words as sure as before; the address's at 0.90 on average: a name would pass.
    for w in page
        .words
        .iter_mut()
        .filter(|w| w.bbox.top > 150 && w.bbox.top < 230)
    {
        w.confidence = 90.0;
    }
    let (f, _) = extract(std::slice::from_ref(&page));
    assert_eq!(text(&f.vendor_name), Some("SWC ENTERPRISE SDN BHD"));
    assert_eq!(text(&f.vendor_address), None);
    for w in page
        .words
        .iter_mut()
        .filter(|w| w.bbox.top > 150 && w.bbox.top < 230)
    {
        w.confidence = 95.0;
    }
    let (f, _) = extract(&[page]);
    assert!(f.vendor_address.is_some());
}

#[test]
fn a_company_form_with_both_words_misread_and_a_digit_read_for_a_letter_are_mended() {
    let (f, _) = extract(&[head(&[
        ("Cash Saie", 200, 40),
        ("SINNATHAMBY HOLDINGS SON. GHD. (219336-T)", 60, 70),
        ("NO.17, JALAN BESAR,", 150, 100),
        ("39100 BRINCHANG,", 150, 130),
    ])]);
    assert_eq!(text(&f.vendor_name), Some("SINNATHAMBY HOLDINGS SDN. BHD."));
    let (f, _) = extract(&[head(&[
        ("BHPetro1 Subang Airport", 100, 40),
        ("Jalan Lapangan Terbang Subang", 100, 70),
        ("47200 Subang Selangor", 100, 100),
    ])]);
    assert_eq!(text(&f.vendor_name), Some("BHPetrol Subang Airport"));
    // Upper case: "1" may be I or L, it stays; so do a word of figures and a short word.
    assert_eq!(
        rows::letters_for_digits("PETRO1 7-11 Mea1s Go0d A1"),
        "PETRO1 7-11 Meals Go0d A1"
    );
}
