//! A page's words as visual rows (words on one baseline across the whole page, left to right),
//! the labels found in them, the values beside or under a label, and the vendor at the top.

use super::amounts::{self, Amount};
use super::labels;
use crate::output::result::{BBox, PageResult, Word};

/// Words OCR is less sure of than this are left out (picture specks, junk).
const MIN_WORD_CONFIDENCE: f32 = 30.0;
/// The vendor and its address stand in this top share of the first page.
const VENDOR_ZONE: f32 = 0.45;
/// An address has at most this many lines.
const MAX_ADDRESS_LINES: usize = 5;
/// Lines that are not an address (a date, a tax number) passed over between a name and its address.
const MAX_LINES_BEFORE_ADDRESS: usize = 2;
/// The vendor's name is among the first this many plain lines of the page.
const VENDOR_CANDIDATES: usize = 4;
/// Words OCR is this unsure of at either end of a name are a logo's specks, not the name.
const MIN_NAME_WORD_CONFIDENCE: f32 = 50.0;
/// Words further apart than this many text heights are separate pieces of a row (a letterhead's
/// name on the left, the document's title on the right).
const PIECE_GAP: f32 = 2.0;

#[derive(Debug, Clone)]
pub struct Row {
    pub page: u32,
    pub page_height: u32,
    pub words: Vec<Word>,
    /// Each word upper case, without the punctuation around it ("No." -> "NO", "Total:" -> "TOTAL").
    pub tokens: Vec<String>,
}

/// Where a value stands and how sure OCR was of its words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub page: u32,
    pub bbox: BBox,
    /// 0 to 1.
    pub confidence: f32,
}

fn token(text: &str) -> String {
    let t = text
        .trim_start_matches(['(', '[', '*', '-', '~'])
        .trim_end_matches([':', '.', ',', ';', ')', ']', '*', '-', '~'])
        .to_uppercase();
    // "ITEM(S)", "QUANTITY(S)": the word itself.
    match t.strip_suffix("(S") {
        Some(w) => w.to_string(),
        None => t,
    }
}

/// Whether a row's token is a label's word: the same, or the same but for the letters OCR most
/// often takes for one another in a word of four letters or more ("TOTAI", "INVOLCE", "T0TAL").
fn same_word(label: &str, token: &str) -> bool {
    let fold = |c: char| match c {
        'I' | '1' | '|' | '!' => 'L',
        '0' => 'O',
        c => c,
    };
    label == token
        || (label.len() >= 4
            && label.len() == token.len()
            && label.chars().map(fold).eq(token.chars().map(fold)))
}

/// A word that is a total's label on its own ("TOTAL", "JUMLAH"): kept whatever Tesseract's
/// confidence in it (a short word in large bold print can read right at 22), as junk that spells
/// exactly that is rare.
fn is_total_word(token: &str) -> bool {
    labels::TOTAL
        .iter()
        .any(|label| !label.contains(' ') && same_word(label, token))
}

/// A token that is a phone's or a tax number's label glued to its value ("Tel:03-9054", "GST:00").
fn labelled_number(token: &str) -> bool {
    ["TEL", "FAX", "GST", "H/P", "HP", "PHONE", "SST"]
        .iter()
        .any(|l| {
            token
                .strip_prefix(l)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c == ':' || c == '.' || c.is_ascii_digit())
        })
}

/// A company's registration number: digits and a letter after a dash or a space ("126926-H",
/// "(1125830-V)", "S19537-X", "373665-A").
fn registration_number(token: &str) -> bool {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    let digits = t.chars().filter(char::is_ascii_digit).count();
    digits >= 5
        && t.chars().last().is_some_and(|c| c.is_ascii_alphabetic())
        && t.contains('-')
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The page's rows, top to bottom.
pub fn of_page(page: &PageResult) -> Vec<Row> {
    let frame = frame_height(&page.words);
    let mut words: Vec<&Word> = page
        .words
        .iter()
        .filter(|w| {
            !w.text.trim().is_empty()
                && (w.confidence >= MIN_WORD_CONFIDENCE || is_total_word(&token(&w.text)))
                && !(is_mark(w) && w.bbox.height > frame)
        })
        .collect();
    words.sort_by_key(|w| w.bbox.top + w.bbox.height / 2);
    let mut rows: Vec<Vec<Word>> = Vec::new();
    for w in words {
        // The row whose middle band this word's middle falls in.
        let home = rows.iter_mut().rev().take(3).find(|r| holds(r, w));
        match home {
            Some(r) => r.push(w.clone()),
            None => rows.push(vec![w.clone()]),
        }
    }
    for row in &mut rows {
        row.sort_by_key(|w| w.bbox.left);
    }
    for w in page.words.iter().filter(|w| inside_a_line(w)) {
        if let Some(row) = rows.iter_mut().find(|r| holds(r, w)) {
            if let Some(at) = between_words(row, w) {
                row.insert(at, w.clone());
            }
        }
    }
    rows.into_iter()
        .map(|mut words| {
            mend(&mut words);
            Row {
                page: page.page,
                page_height: page.height,
                tokens: words.iter().map(|w| token(&w.text)).collect(),
                words,
            }
        })
        .collect()
}

/// Marks taller than this are a frame's or a rule's edge read as "|" or "]", not text: in a row
/// they would stretch its band over the lines above and below and merge them. 1.5 times the
/// median height of the page's words of letters or digits.
fn frame_height(words: &[Word]) -> u32 {
    let mut heights: Vec<u32> = words
        .iter()
        .filter(|w| !is_mark(w))
        .map(|w| w.bbox.height)
        .collect();
    if heights.is_empty() {
        return u32::MAX;
    }
    let mid = heights.len() / 2;
    let median = *heights.select_nth_unstable(mid).1;
    median * 3 / 2
}

/// A word of marks only: no letter, no digit.
fn is_mark(w: &Word) -> bool {
    !w.text.chars().any(char::is_alphanumeric)
}

/// A word OCR was unsure of that may still be a line's: letters only (never a figure, which could
/// pass for an amount). Kept only between two words of a row (`between_words`): an address line's
/// "Jalan Pelabur" read at confidence 0 between sure words, where alone it would be a speck.
fn inside_a_line(w: &Word) -> bool {
    w.confidence < MIN_WORD_CONFIDENCE
        && w.text.chars().any(char::is_alphabetic)
        && !w.text.chars().any(|c| c.is_ascii_digit())
}

/// Where `w` goes in `row` (sorted left to right) when it stands between two of its words, each
/// within a piece's gap.
fn between_words(row: &[Word], w: &Word) -> Option<usize> {
    let at = row
        .iter()
        .position(|r| r.bbox.left >= w.bbox.left + w.bbox.width)?;
    let (left, right) = (row.get(at.checked_sub(1)?)?, &row[at]);
    let (top, bottom) = band(row);
    let height = (bottom - top) as f32;
    let gap_before = w.bbox.left.saturating_sub(left.bbox.left + left.bbox.width) as f32;
    let gap_after = right.bbox.left.saturating_sub(w.bbox.left + w.bbox.width) as f32;
    (left.bbox.left + left.bbox.width <= w.bbox.left + w.bbox.width / 2
        && gap_before <= PIECE_GAP * height
        && gap_after <= PIECE_GAP * height)
        .then_some(at)
}

/// OCR's slips in a name's marks and legal form, mended: "¥" for Y in a word without digits
/// ("D.I.¥."), braces for brackets ("{M)"), a word one letter off a company form that makes a
/// two-word form with its neighbour ("SON BHD", "SDN BHO").
fn mend(words: &mut [Word]) {
    for w in words.iter_mut() {
        if w.text.contains(['¥', '{', '}']) {
            let digits = w.text.chars().any(|c| c.is_ascii_digit());
            w.text = w
                .text
                .chars()
                .map(|c| match c {
                    '¥' if !digits => 'Y',
                    '{' => '(',
                    '}' => ')',
                    c => c,
                })
                .collect();
        }
    }
    // Initials with a letter read as a digit ("D.1.¥." for D.I.Y.): each mark one letter.
    for w in words.iter_mut().filter(|w| is_initials(&w.text)) {
        w.text = w
            .text
            .chars()
            .map(|c| match c {
                '1' => 'I',
                '0' => 'O',
                '5' => 'S',
                '8' => 'B',
                '¥' => 'Y',
                c => c,
            })
            .collect();
    }
    // Only into a two-word form with its neighbour ("SON BHD" -> "SDN BHD", "SON. GHD." -> "SDN.
    // BHD.", each word one letter off): "INK SDN BHD" stays.
    let as_form: Vec<Option<String>> = words
        .iter()
        .map(|w| {
            let up = w.text.to_uppercase();
            if labels::TRAILING_FORMS.contains(&up.as_str()) {
                Some(up)
            } else {
                one_letter_off_form(&w.text).map(str::to_string)
            }
        })
        .collect();
    let pair = |a: &str, b: &str| labels::is_company_form(&format!("{a} {b}"));
    let form_at = |k: usize| as_form.get(k).and_then(|f| f.as_deref());
    for (i, word) in words.iter_mut().enumerate() {
        let Some(form) = one_letter_off_form(&word.text) else {
            continue;
        };
        let before = i > 0 && form_at(i - 1).is_some_and(|p| pair(p, form));
        let after = form_at(i + 1).is_some_and(|n| pair(form, n));
        // A form with a slash ("S/B") is a form alone.
        if before || after || form.contains('/') {
            word.text = form.to_string();
        }
    }
}

/// Dotted initials, at least two, one a letter: "D.I.Y.", "D.1.¥.", "S.B." (not "1.5." nor "No.").
pub(super) fn is_initials(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.len() >= 4
        && chars.len().is_multiple_of(2)
        && chars.chunks(2).all(|p| p[1] == '.' && p[0] != '.')
        && chars.iter().any(|c| c.is_alphabetic())
}

/// The company form of three characters or more that `word` (not a form) misses by one letter, or
/// by a digit that looks like it ("SDN 3HD", "5/B").
fn one_letter_off_form(word: &str) -> Option<&'static str> {
    // A form's closing point ("SON." for "SDN.") is compared without it, and kept.
    if let Some(bare) = word.strip_suffix('.') {
        let form = one_letter_off_form(bare)?;
        return labels::TRAILING_FORMS
            .iter()
            .find(|f| f.strip_suffix('.') == Some(form))
            .copied()
            .or(Some(form));
    }
    let up = word.to_uppercase();
    let form_like = |c: char| c.is_ascii_alphanumeric() || c == '/';
    if up.len() < 3
        || !up.chars().all(form_like)
        || !up.chars().any(|c| c.is_ascii_alphabetic())
        || labels::TRAILING_FORMS.contains(&up.as_str())
    {
        return None;
    }
    labels::TRAILING_FORMS
        .iter()
        .filter(|f| f.len() == up.len() && f.chars().all(|c| c.is_ascii_alphabetic() || c == '/'))
        .find(|f| {
            let mut off = f.chars().zip(up.chars()).filter(|(a, b)| a != b);
            match (off.next(), off.next()) {
                (Some((letter, read)), None) => {
                    read.is_ascii_alphabetic() || looks_like(read, letter)
                }
                _ => false,
            }
        })
        .copied()
}

/// A digit OCR reads for a capital letter of that shape.
fn looks_like(digit: char, letter: char) -> bool {
    matches!(
        (digit, letter),
        ('5', 'S')
            | ('8' | '3', 'B')
            | ('0', 'O' | 'D')
            | ('1', 'I' | 'L')
            | ('6', 'G')
            | ('2', 'Z')
    )
}

/// Whether `w`'s middle falls in the row's middle band and it shares the row's height.
fn holds(row: &[Word], w: &Word) -> bool {
    let (t, b) = band(row);
    let mid = w.bbox.top + w.bbox.height / 2;
    mid >= t && mid <= b && overlap(row, w)
}

fn band(words: &[Word]) -> (u32, u32) {
    let t = words.iter().map(|w| w.bbox.top).min().unwrap_or(0);
    let b = words
        .iter()
        .map(|w| w.bbox.top + w.bbox.height)
        .max()
        .unwrap_or(0);
    (t, b.max(t + 1))
}

/// Whether a word shares more than half the height of the smaller with the row's words.
fn overlap(row: &[Word], w: &Word) -> bool {
    let (t, b) = band(row);
    let (wt, wb) = (w.bbox.top, w.bbox.top + w.bbox.height);
    let shared = b.min(wb).saturating_sub(t.max(wt));
    let h = (b - t).min(w.bbox.height.max(1));
    shared * 2 > h
}

impl Row {
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Byte offset of word `k` in [`Row::text`].
    pub fn offset_of(&self, k: usize) -> usize {
        self.words[..k].iter().map(|w| w.text.len() + 1).sum()
    }

    /// The first label of `list` (strongest first) found in the row: (its index, first word, end).
    pub fn find(&self, list: &[&str]) -> Option<(usize, usize, usize)> {
        list.iter().enumerate().find_map(|(i, label)| {
            let want: Vec<&str> = label.split(' ').collect();
            (0..self.tokens.len())
                .find(|&s| {
                    s + want.len() <= self.tokens.len()
                        && want
                            .iter()
                            .zip(&self.tokens[s..])
                            .all(|(a, b)| same_word(a, b))
                })
                .map(|s| (i, s, s + want.len()))
        })
    }

    /// Whether one of `list` stands in the row capitalised, as a title or a label does ("Invoice",
    /// "TAX INVOICE", "Receipt No"): the word in running text or a heading's phrase ("... the
    /// invoice was ...", "Section 3: Northern invoice") does not make the document one.
    pub fn has_title(&self, list: &[&str]) -> bool {
        list.iter().any(|label| {
            let want: Vec<&str> = label.split(' ').collect();
            (0..self.tokens.len()).any(|s| {
                s + want.len() <= self.tokens.len()
                    && want
                        .iter()
                        .zip(&self.tokens[s..])
                        .all(|(a, b)| same_word(a, b))
                    && self.words[s]
                        .text
                        .chars()
                        .find(|c| c.is_alphabetic())
                        .is_some_and(char::is_uppercase)
            })
        })
    }

    /// Whether the row holds an amount with cents (after any word: "Item 4 ... 30.00" has one).
    pub fn has_amount(&self) -> bool {
        (0..self.words.len()).any(|k| {
            self.amount_after(k, false)
                .is_some_and(|(a, _, _)| a.has_cents)
        })
    }

    /// The first amount after word `end` (a currency mark before it counts as its currency). Its
    /// text is the number as printed, with a mark written into it ("RM8.60"), not one standing
    /// apart ("RM 12.50": "12.50", in MYR): that one may stand words away ("RM Incl. of GST 11.80").
    pub fn amount_after(&self, end: usize, comma: bool) -> Option<(Amount, String, Span)> {
        let mut currency = None;
        for k in end..self.words.len() {
            let text = &self.words[k].text;
            if let Some(c) = amounts::currency_of(text) {
                currency = Some(c);
                continue;
            }
            // An amount OCR cut at its separator ("11. 80", "250 .00"): the two pieces as one.
            let joined = self.words.get(k + 1).and_then(|next| {
                let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
                let cut = text.ends_with(['.', ',']) && text.len() > 1;
                let cents = next.text.len() == 2 && digits(&next.text);
                let point_cents = next
                    .text
                    .strip_prefix(['.', ','])
                    .is_some_and(|c| c.len() == 2 && digits(c));
                ((cut && cents) || (digits(text) && point_cents))
                    .then(|| format!("{text}{}", next.text))
            });
            if let Some((mut a, last)) = joined
                .as_deref()
                .and_then(|j| amounts::parse(j, comma).map(|a| (a, k + 1)))
                .or_else(|| amounts::parse(text, comma).map(|a| (a, k)))
            {
                // A rate is no amount ("TVA 5,5 % : 14,30 €").
                if self
                    .words
                    .get(last + 1)
                    .is_some_and(|w| w.text.starts_with('%'))
                {
                    continue;
                }
                // A currency mark before it, or right after it ("1.234,50 €").
                let after = self
                    .words
                    .get(last + 1)
                    .and_then(|w| amounts::currency_of(&w.text));
                a.currency = a.currency.or(currency).or(after);
                let start = k;
                let k = last;
                let printed = self.words[start..=k]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                return Some((a, printed, self.span(start, k + 1)));
            }
        }
        None
    }

    /// The one amount of this row standing under (or right of) the label `label[..end]` of the
    /// row above it: a total printed under its label.
    pub fn amount_under(
        &self,
        above: &Row,
        end: usize,
        comma: bool,
    ) -> Option<(Amount, String, Span)> {
        if self.find(labels::TOTAL).is_some() || self.find(labels::PAYMENT).is_some() {
            return None;
        }
        let left = above.words.first()?.bbox.left;
        let label_right = above.words[end - 1].bbox.left + above.words[end - 1].bbox.width;
        let found: Vec<(usize, Amount)> = self
            .words
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.bbox.left + w.bbox.width >= left && w.bbox.left <= label_right + 4 * w.bbox.height
            })
            .filter_map(|(k, w)| amounts::parse(&w.text, comma).map(|a| (k, a)))
            .filter(|(_, a)| a.has_cents)
            .collect();
        match found.as_slice() {
            [(k, a)] => Some((a.clone(), self.words[*k].text.clone(), self.span(*k, k + 1))),
            _ => None,
        }
    }

    /// Words `from..to` as a span.
    pub fn span(&self, from: usize, to: usize) -> Span {
        let words = &self.words[from..to.max(from + 1).min(self.words.len())];
        let l = words.iter().map(|w| w.bbox.left).min().unwrap_or(0);
        let t = words.iter().map(|w| w.bbox.top).min().unwrap_or(0);
        let r = words
            .iter()
            .map(|w| w.bbox.left + w.bbox.width)
            .max()
            .unwrap_or(l);
        let b = words
            .iter()
            .map(|w| w.bbox.top + w.bbox.height)
            .max()
            .unwrap_or(t);
        let confidence =
            words.iter().map(|w| w.confidence).sum::<f32>() / words.len().max(1) as f32 / 100.0;
        Span {
            page: self.page,
            bbox: BBox {
                left: l,
                top: t,
                width: r - l,
                height: b - t,
            },
            confidence,
        }
    }

    /// The words covering bytes `at..at + len` of [`Row::text`].
    pub fn span_of_text(&self, at: usize, len: usize) -> Span {
        let (mut from, mut to, mut offset) = (None, 0, 0);
        for (k, w) in self.words.iter().enumerate() {
            let end = offset + w.text.len();
            if end > at && offset < at + len {
                from.get_or_insert(k);
                to = k + 1;
            }
            offset = end + 1;
        }
        self.span(from.unwrap_or(0), to)
    }

    /// The row's pieces: runs of words closer than a few text heights (word indices).
    fn pieces(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for k in 1..=self.words.len() {
            let apart = k == self.words.len() || {
                let (a, b) = (&self.words[k - 1].bbox, &self.words[k].bbox);
                let h = a.height.max(b.height).max(1) as f32;
                (b.left as f32 - (a.left + a.width) as f32) > PIECE_GAP * h
            };
            if apart {
                out.push(start..k);
                start = k;
            }
        }
        out
    }

    fn piece_text(&self, r: &std::ops::Range<usize>) -> String {
        self.words[r.clone()]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Whether a piece of a row could be part of a vendor's name or address: letters, read with some
/// confidence, no phone, registration, title, date or amount.
fn plain(row: &Row, r: &std::ops::Range<usize>) -> bool {
    let text = row.piece_text(r);
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let confidence = row.span(r.start, r.end).confidence;
    letters >= 3
        && confidence >= 0.5
        && !registration(row, r)
        && no_label_date_or_amount(row, r, &text)
}

/// No label of what is not a vendor (a phone, a tax number, a title), no date and no amount in
/// the piece `r` of a row (`text` is its text).
fn no_label_date_or_amount(row: &Row, r: &std::ops::Range<usize>, text: &str) -> bool {
    !row.tokens[r.clone()]
        .iter()
        .any(|t| labels::NOT_VENDOR.contains(&t.as_str()) || labelled_number(t) || title_word(t))
        && super::dates::find(text).is_empty()
        && !row.words[r.clone()]
            .iter()
            .any(|w| amounts::parse(&w.text, false).is_some_and(|a| a.has_cents))
}

/// A document's title or its number's label in one word ("RECHNUNG", "FACTURE",
/// "RECHNUNGSNUMMER"): a line holding one is not the vendor's. Short ones ("BON") are left out:
/// they are words of street names too.
fn title_word(token: &str) -> bool {
    labels::KIND
        .iter()
        .chain(labels::INVOICE_ID)
        .any(|l| l.len() >= 5 && !l.contains(' ') && same_word(l, token))
}

/// A registration number under a name ("(1125830-V)", "CO. NO. 373665-A", "COMPANY NO:
/// 499702-V"): skipped, it ends nothing.
fn registration(row: &Row, r: &std::ops::Range<usize>) -> bool {
    let text = row.piece_text(r);
    let tokens = &row.tokens[r.clone()];
    (text.starts_with('(') && text.chars().any(|c| c.is_ascii_digit()))
        || tokens.iter().any(|t| registration_number(t))
}

/// A piece without the unsure words at its ends.
fn trimmed(row: &Row, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    // A rule or a frame read as "|" is not part of a name either.
    let sure = |k: &usize| {
        row.words[*k].confidence >= MIN_NAME_WORD_CONFIDENCE
            && row.words[*k].text.chars().any(char::is_alphanumeric)
    };
    let start = r.clone().find(sure).unwrap_or(r.start);
    let end = r.clone().rev().find(sure).map_or(r.end, |k| k + 1);
    start..end.max(start + 1)
}

/// A name without the registration number printed after it ("AEON CO. (M) BHD (126926-H)",
/// "... SDN BHD (139386 X)"): a registration-like word, or a group in brackets of up to three words
/// holding five digits or more (a bracketed "(M)" or "(KL)" is part of the name).
fn without_registration(row: &Row, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut end = r.end;
    while end > r.start + 1 {
        let group = (r.start + 1..end)
            .rev()
            .take(3)
            .find(|&k| row.words[k].text.starts_with('('))
            // The group closes the name ("(M) BHD 126926-H" is no bracketed number), or is its
            // last word with its bracket lost ("... SDN BHD (139386").
            .filter(|&k| row.words[end - 1].text.ends_with(')') || k == end - 1)
            .filter(|&k| {
                row.words[k..end]
                    .iter()
                    .flat_map(|w| w.text.chars())
                    .filter(char::is_ascii_digit)
                    .count()
                    >= 5
            });
        if let Some(k) = group {
            end = k;
        } else if registration_number(&row.words[end - 1].text) {
            end -= 1;
        } else {
            break;
        }
    }
    r.start..end
}

/// The vendor: the first plain line at the top of the first page (its left piece: a letterhead's
/// title stands apart on the right), with the next line when only that one ends in a company form
/// ("... SDN BHD"); its address: the plain lines under it, in its column, until a phone, a number
/// or a gap.
#[allow(clippy::type_complexity)]
pub fn vendor(rows: &[Row]) -> (Option<(String, Span)>, Option<(String, Span)>) {
    let Some(first_page) = rows.first().map(|r| r.page) else {
        return (None, None);
    };
    let top: Vec<&Row> = rows
        .iter()
        .filter(|r| r.page == first_page)
        .filter(|r| {
            let t = r.words.first().map_or(0, |w| w.bbox.top) as f32;
            t <= VENDOR_ZONE * r.page_height as f32
        })
        .collect();
    let ends_in_form = |text: &str| ends_in(text, labels::company_forms());
    // The first plain pieces at the top; of them the first whose name ends in a company form (a
    // logo read as words often stands above the name), else the first.
    let candidates: Vec<(usize, std::ops::Range<usize>)> = top
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let p = trimmed(r, without_registration(r, r.pieces().into_iter().next()?));
            plain(r, &p).then_some((i, p))
        })
        // The name stands above its address.
        .take_while(|(i, p)| !opens_an_address(top[*i], p))
        .take(VENDOR_CANDIDATES)
        .collect();
    // A limited company's form ("SDN BHD", "LTD") names the legal vendor over a trade name ("&
    // CO.", "ENTERPRISE") above it ("AMPHAWA THAI TEA & CO." over "Dimiliki oleh T PLUS F&B SDN.
    // BHD."); with no form at all, the name printed over its registration number ("FTOF NOODLE
    // HOUSE" over "(002049088-U)", under a sign's "FACE TO FACE NOODLE HOUSE").
    let legal = |text: &str| ends_in(text, labels::LEGAL_FORMS.iter().copied());
    // A line of a registration number alone: a name before it ("SANYU SUPPLY SDN BHD
    // (1135772-K)") would leave a plain name when cut off.
    let registered = |i: usize| {
        top.get(i + 1).is_some_and(|r| {
            r.pieces().into_iter().next().is_some_and(|p| {
                registration(r, &p) && !plain(r, &without_registration(r, p.clone()))
            })
        })
    };
    let Some((at, piece)) = candidates
        .iter()
        .find(|(i, p)| legal(&top[*i].piece_text(p)))
        .or_else(|| {
            candidates
                .iter()
                .find(|(i, p)| ends_in_form(&top[*i].piece_text(p)))
        })
        .or_else(|| candidates.iter().find(|(i, _)| registered(*i)))
        .or(candidates.first())
        .cloned()
    else {
        return (None, None);
    };
    let row = top[at];
    let mut name = row.piece_text(&piece);
    let mut span = row.span(piece.start, piece.end);
    let mut next = at + 1;
    // "CO. (M) SDN BHD" under "POPULAR BOOK": the name began on the line above.
    let continues = row.words[piece.start].text.to_uppercase();
    if at > 0 && labels::TRAILING_FORMS.contains(&continues.as_str()) {
        let above = top[at - 1];
        if let Some(p) = above
            .pieces()
            .into_iter()
            .find(|p| beneath(above, p, &span))
            .map(|p| trimmed(above, p))
        {
            let s = above.span(p.start, p.end);
            let gap = span.bbox.top.saturating_sub(s.bbox.top + s.bbox.height);
            if plain(above, &p) && gap <= s.bbox.height {
                name = format!("{} {name}", above.piece_text(&p));
                span = join(s, span);
            }
        }
    }
    if !ends_in_form(&name) {
        if let Some(r) = top.get(at + 1) {
            if let Some(p) = r.pieces().into_iter().find(|p| beneath(r, p, &span)) {
                let more = r.piece_text(&p);
                if plain(r, &p) && ends_in_form(&more) {
                    name = format!("{name} {more}");
                    span = join(span, r.span(p.start, p.end));
                    next += 1;
                }
            }
        }
    }
    let name = letters_for_digits(&name);
    // The address: lines under the name, in its column.
    let mut address: Vec<String> = Vec::new();
    let mut address_span: Option<Span> = None;
    // Its words' confidences, for their mean over all its lines.
    let (mut sure, mut words) = (0.0f32, 0usize);
    let mut last_bottom = span.bbox.top + span.bbox.height;
    let mut passed = 0;
    for r in top.iter().skip(next) {
        let Some(p) = r.pieces().into_iter().find(|p| beneath(r, p, &span)) else {
            continue;
        };
        let s = r.span(p.start, p.end);
        let gap = s.bbox.top.saturating_sub(last_bottom);
        if gap > 2 * s.bbox.height.max(1) || address.len() >= MAX_ADDRESS_LINES {
            break;
        }
        last_bottom = s.bbox.top + s.bbox.height;
        if registration(r, &p) {
            continue;
        }
        // An outlet's name in brackets under its address ("(IOI PUCHONG)") is not part of it.
        let text = r.piece_text(&p);
        if !address.is_empty() && text.starts_with('(') {
            break;
        }
        // The name again before the address, as a shop prints it under its sign ("FASARAYA
        // BORUNG SUPER SEVEN" under "SUPER SEVEN CASH & CARRY SDN BHD") or its owner ("formerly
        // known as ... Sdn Bhd"): without a digit, half its words the name's, or a company's form.
        if address.is_empty()
            && !text.chars().any(|c| c.is_ascii_digit())
            && (repeats_name(&name, &text) || ends_in_form(&text))
        {
            continue;
        }
        if !plain_address(r, &p) {
            // Between a name and its address a receipt may print its date or its tax number.
            if address.is_empty() && passed < MAX_LINES_BEFORE_ADDRESS {
                passed += 1;
                continue;
            }
            break;
        }
        address.push(text);
        address_span = Some(address_span.map_or(s, |a| join(a, s)));
        sure += s.confidence * p.len() as f32;
        words += p.len();
    }
    let address = address_span
        .filter(|_| {
            address
                .iter()
                .any(|l| l.chars().any(|c| c.is_ascii_digit()))
        })
        .map(|s| {
            let confidence = sure / words.max(1) as f32;
            (address.join(" "), Span { confidence, ..s })
        });
    (Some((name, span)), address)
}

/// Whether a name ends in one of `forms` (or is one).
fn ends_in<'a>(text: &str, mut forms: impl Iterator<Item = &'a str>) -> bool {
    let up = text.to_uppercase();
    forms.any(|f| up.ends_with(&format!(" {f}")) || up == f)
}

/// Whether a piece reads as an address's line rather than a name: a house number first ("NO. 31G",
/// "LOT 3"), or a postcode of five digits ("40150 SHAH ALAM").
fn opens_an_address(row: &Row, r: &std::ops::Range<usize>) -> bool {
    // Tokens are without their closing point: "NO." is "NO", "NO.31G" stays one token.
    let tokens = &row.tokens[r.clone()];
    let numbered = |first: &str, rest: &str| {
        ["NO", "LOT"].contains(&first) && rest.chars().any(|c| c.is_ascii_digit())
    };
    let house = tokens.first().is_some_and(|first| {
        tokens.get(1).is_some_and(|second| numbered(first, second))
            || first
                .split_once('.')
                .is_some_and(|(f, rest)| numbered(f, rest))
    });
    let postcode = tokens
        .iter()
        .any(|t| t.len() == 5 && t.chars().all(|c| c.is_ascii_digit()));
    house || postcode
}

/// A name's word of four letters or more with one digit OCR read for a letter of its shape after
/// a lower-case one ("BHPetro1" for BHPetrol): the letter. Upper-case words are left: "1" there
/// may be I or L.
pub(super) fn letters_for_digits(name: &str) -> String {
    let mend = |word: &str| -> String {
        let mut chars: Vec<char> = word.chars().collect();
        let digits: Vec<usize> = (0..chars.len())
            .filter(|&k| chars[k].is_ascii_digit())
            .collect();
        let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
        match digits[..] {
            [k] if letters >= 4 && k > 0 && chars[k - 1].is_lowercase() => {
                let letter = match chars[k] {
                    '1' => 'l',
                    '0' => 'o',
                    _ => return word.to_string(),
                };
                chars[k] = letter;
                chars.into_iter().collect()
            }
            _ => word.to_string(),
        }
    };
    name.split(' ').map(mend).collect::<Vec<_>>().join(" ")
}

/// Whether half the words of `text` or more are words of `name` (three letters or more).
fn repeats_name(name: &str, text: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split_whitespace()
            .map(token)
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
            .collect()
    };
    let of_name = words(name);
    let line = words(text);
    let shared = line.iter().filter(|w| of_name.contains(w)).count();
    !line.is_empty() && shared * 2 >= line.len()
}

/// An address line may hold digits (a number, a postcode), not a phone (a line of seven digits or
/// more and hardly a letter), a registration or a date.
fn plain_address(row: &Row, r: &std::ops::Range<usize>) -> bool {
    let text = row.piece_text(r);
    let tokens = &row.tokens[r.clone()];
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let phone = (digits >= 7 && letters * 4 <= digits) || holds_phone_number(&text);
    let lower = text.to_lowercase();
    let web = ["www", "http", ".com", "@"]
        .iter()
        .any(|m| lower.contains(m));
    !phone
        && !web
        && text.chars().filter(|c| c.is_alphanumeric()).count() >= 3
        && row.span(r.start, r.end).confidence >= 0.5
        && no_label_date_or_amount(row, r, &text)
        && !tokens
            .iter()
            .any(|t| t == "TO" || t == "BILL" || t == "SHIP")
}

/// Whether a text holds a phone number: nine digits or more with nothing but spaces, dashes,
/// brackets or a plus between them ("Whatsapp : +6012-918 7937"; a postcode and a house number
/// make six or seven).
fn holds_phone_number(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 9 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '+' | '(' | ')') {
            run = 0;
        }
    }
    false
}

/// Whether a piece stands under `above`: their columns overlap.
fn beneath(row: &Row, p: &std::ops::Range<usize>, above: &Span) -> bool {
    let s = row.span(p.start, p.end);
    let (l, r) = (s.bbox.left, s.bbox.left + s.bbox.width);
    let (al, ar) = (above.bbox.left, above.bbox.left + above.bbox.width);
    l < ar && r > al
}

fn join(a: Span, b: Span) -> Span {
    let l = a.bbox.left.min(b.bbox.left);
    let t = a.bbox.top.min(b.bbox.top);
    let r = (a.bbox.left + a.bbox.width).max(b.bbox.left + b.bbox.width);
    let btm = (a.bbox.top + a.bbox.height).max(b.bbox.top + b.bbox.height);
    Span {
        page: a.page,
        bbox: BBox {
            left: l,
            top: t,
            width: r - l,
            height: btm - t,
        },
        confidence: (a.confidence + b.confidence) / 2.0,
    }
}
