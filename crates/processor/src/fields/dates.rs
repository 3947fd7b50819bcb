//! Dates as people print them: "28/03/2018", "02-03-18", "2018-01-05", "25 MAR 2018", "March 3,
//! 2026", "3. März 2026". Whether 02/03 is the 2nd of March or February the 3rd is decided for the
//! whole document (its other dates, its currency); when nothing decides, a date keeps its text and
//! gets no value. Pure.

/// Month names and their abbreviations in the languages the service documents.
const MONTHS: [&[&str]; 12] = [
    &[
        "jan", "january", "januar", "janvier", "enero", "gennaio", "janeiro", "januari", "jänner",
    ],
    &[
        "feb",
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
    ],
    &[
        "mar", "march", "märz", "marz", "mars", "marzo", "março", "marco", "maart", "mrz",
    ],
    &["apr", "april", "avril", "abril", "aprile"],
    &["may", "mai", "mayo", "maggio", "maio", "mei"],
    &["jun", "june", "juni", "juin", "junio", "giugno", "junho"],
    &["jul", "july", "juli", "juillet", "julio", "luglio", "julho"],
    &["aug", "august", "août", "aout", "agosto", "augustus"],
    &[
        "sep",
        "sept",
        "september",
        "septembre",
        "septiembre",
        "settembre",
        "setembro",
    ],
    &[
        "oct", "october", "oktober", "octobre", "octubre", "ottobre", "outubro", "okt",
    ],
    &["nov", "november", "novembre", "noviembre", "novembro"],
    &[
        "dec",
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "dez",
    ],
];

/// Which of two small numbers comes first in a numeric date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    DayFirst,
    MonthFirst,
}

/// A date found in a text, with what it says for sure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The date as printed.
    pub text: String,
    /// Where it starts in the text (bytes).
    pub at: usize,
    pub year: i32,
    /// Month and day when the text alone settles them.
    pub settled: Option<(u32, u32)>,
    /// Numeric dates: the two numbers before the year, and which order they force, if any.
    pub numbers: Option<(u32, u32)>,
    pub forces: Option<Order>,
}

impl Found {
    /// A date whose text alone settles month and day (a year first, or a month's name).
    fn settled(text: String, at: usize, year: i32, month: u32, day: u32) -> Found {
        Found {
            text,
            at,
            year,
            settled: Some((month, day)),
            numbers: None,
            forces: None,
        }
    }

    /// ISO 8601, once the document's order is known (None: still ambiguous).
    pub fn iso(&self, order: Option<Order>) -> Option<String> {
        let (month, day) = match (self.settled, self.numbers, self.forces.or(order)) {
            (Some(md), _, _) => md,
            (None, Some((a, b)), Some(Order::DayFirst)) => (b, a),
            (None, Some((a, b)), Some(Order::MonthFirst)) => (a, b),
            _ => return None,
        };
        valid(self.year, month, day).then(|| format!("{:04}-{month:02}-{day:02}", self.year))
    }
}

fn valid(y: i32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && (1900..=2100).contains(&y)
}

fn year_of(digits: &str) -> Option<i32> {
    let y: i32 = digits.parse().ok()?;
    match digits.len() {
        4 => Some(y),
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(['.', ',']).to_lowercase();
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

/// Every date in `text`.
pub fn find(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    // Tokens with their byte offsets: runs of letters or digits, and the separators between.
    let tokens: Vec<(usize, &str)> = split(text);
    let mut i = 0;
    while i < tokens.len() {
        if let Some((found, used)) = at(text, &tokens[i..]) {
            out.push(found);
            i += used;
        } else {
            i += 1;
        }
    }
    out
}

/// Runs of letters or of digits and single separators, with their offsets: a date OCR glued to the
/// next word ("21/05/2018Time") is still one.
fn split(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut digits = false;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            let d = c.is_ascii_digit();
            if let Some(s) = start.filter(|_| d != digits) {
                out.push((s, &text[s..i]));
                start = None;
            }
            start.get_or_insert(i);
            digits = d;
        } else {
            if let Some(s) = start.take() {
                out.push((s, &text[s..i]));
            }
            if !c.is_whitespace() {
                out.push((i, &text[i..i + c.len_utf8()]));
            }
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// A date starting at the first token, and how many tokens it takes.
fn at(text: &str, t: &[(usize, &str)]) -> Option<(Found, usize)> {
    let num = |k: usize| {
        t.get(k)
            .and_then(|(_, s)| s.parse::<u32>().ok().map(|n| (n, s.len())))
    };
    let sep = |k: usize| {
        t.get(k)
            .map(|(_, s)| *s)
            .filter(|s| ["/", "-", "."].contains(s))
    };
    let span = |from: usize, to: usize| {
        let start = t[from].0;
        let end = t[to].0 + t[to].1.len();
        (start, text[start..end].to_string())
    };
    // yyyy-mm-dd
    if let (Some((y, 4)), Some(s1), Some((m, _)), Some(s2), Some((d, _))) =
        (num(0), sep(1), num(2), sep(3), num(4))
    {
        if s1 == s2 && valid(y as i32, m, d) {
            let (at, text) = span(0, 4);
            return Some((Found::settled(text, at, y as i32, m, d), 5));
        }
    }
    // a/b/yy(yy): the year last; which of a and b is the month is for the document to say.
    if let (Some((a, la)), Some(s1), Some((b, lb)), Some(s2), Some((_, ly))) =
        (num(0), sep(1), num(2), sep(3), num(4))
    {
        // A time OCR glued to the year ("16/09/201711:59"): the year is its first four digits.
        let glued = (ly == 5 || ly == 6) && t.get(5).is_some_and(|(_, s)| *s == ":");
        let (ly, year_text) = if glued {
            (4, &t[4].1[..4])
        } else {
            (ly, t[4].1)
        };
        if s1 == s2 && la <= 2 && lb <= 2 && (ly == 2 || ly == 4) {
            let year = year_of(year_text)?;
            let forces = match (a > 12, b > 12) {
                (true, false) => Some(Order::DayFirst),
                (false, true) => Some(Order::MonthFirst),
                (false, false) => None,
                (true, true) => return None,
            };
            let (at, mut text) = span(0, 4);
            if glued {
                text.truncate(text.len() - (t[4].1.len() - 4));
            }
            let found = Found {
                text,
                at,
                year,
                settled: None,
                numbers: Some((a, b)),
                forces,
            };
            // An impossible date in either order is no date.
            if found.iso(Some(Order::DayFirst)).is_none()
                && found.iso(Some(Order::MonthFirst)).is_none()
            {
                return None;
            }
            return Some((found, 5));
        }
    }
    // d month yyyy ("25 MAR 2018", "3. März 2026", "25-Mar-18")
    let dot = usize::from(t.get(1).is_some_and(|(_, s)| *s == "." || *s == "-"));
    if let (Some((d, ld)), Some(m)) = (num(0), t.get(1 + dot).and_then(|(_, s)| month_of(s))) {
        let k = 2
            + dot
            + usize::from(
                t.get(2 + dot)
                    .is_some_and(|(_, s)| [",", ".", "-"].contains(s)),
            );
        if let Some((_, ly)) = num(k) {
            if ld <= 2 && (ly == 4 || ly == 2) {
                let year = year_of(t[k].1)?;
                if valid(year, m, d) {
                    let (at, text) = span(0, k);
                    return Some((Found::settled(text, at, year, m, d), k + 1));
                }
            }
        }
    }
    // month d, yyyy ("March 3, 2026", "Mar 25 2018")
    if let (Some(m), Some((d, ld))) = (month_of(t[0].1), num(1)) {
        let k = 2 + usize::from(t.get(2).is_some_and(|(_, s)| *s == ","));
        if let Some((_, 4)) = num(k) {
            let year = year_of(t[k].1)?;
            if ld <= 2 && valid(year, m, d) {
                let (at, text) = span(0, k);
                return Some((Found::settled(text, at, year, m, d), k + 1));
            }
        }
    }
    None
}

/// The document's order of day and month: what its own unambiguous numeric dates show, else what
/// its currency's country writes (the US month first), else none.
pub fn order(dates: &[Found], currency: Option<&str>) -> Option<Order> {
    let day_first = dates
        .iter()
        .filter(|d| d.forces == Some(Order::DayFirst))
        .count();
    let month_first = dates
        .iter()
        .filter(|d| d.forces == Some(Order::MonthFirst))
        .count();
    match (day_first, month_first) {
        (0, 0) => match currency {
            Some("USD") => Some(Order::MonthFirst),
            Some(_) => Some(Order::DayFirst),
            None => None,
        },
        (d, m) if d > m => Some(Order::DayFirst),
        (d, m) if m > d => Some(Order::MonthFirst),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str, order: Option<Order>) -> Option<String> {
        find(text).first().and_then(|d| d.iso(order))
    }

    #[test]
    fn dates_as_printed() {
        assert_eq!(
            iso("28/03/2018 10:36:13", None).as_deref(),
            Some("2018-03-28")
        );
        assert_eq!(iso("Date: 2019-06-14", None).as_deref(), Some("2019-06-14"));
        assert_eq!(iso("25 MAR 2018", None).as_deref(), Some("2018-03-25"));
        assert_eq!(
            iso("Due: 22 February 2023", None).as_deref(),
            Some("2023-02-22")
        );
        assert_eq!(iso("March 3, 2026", None).as_deref(), Some("2026-03-03"));
        assert_eq!(iso("3. März 2026", None).as_deref(), Some("2026-03-03"));
        assert_eq!(iso("25-Mar-18", None).as_deref(), Some("2018-03-25"));
        assert_eq!(iso("12/25/2018", None).as_deref(), Some("2018-12-25"));
        // A time OCR glued to the year.
        let glued = &find("16/09/201711:59.")[0];
        assert_eq!(glued.text, "16/09/2017");
        assert_eq!(glued.iso(None).as_deref(), Some("2017-09-16"));
        assert_eq!(find("16/09/2017119").len(), 0);
        assert_eq!(find("Tel 03-60571377").len(), 0);
        assert_eq!(find("INV-2024-8348").len(), 0);
    }

    #[test]
    fn an_ambiguous_date_gets_its_value_from_the_document_or_none() {
        let d = &find("02-03-18")[0];
        assert_eq!(d.text, "02-03-18");
        assert_eq!(d.iso(None), None);
        assert_eq!(d.iso(Some(Order::DayFirst)).as_deref(), Some("2018-03-02"));
        assert_eq!(
            d.iso(Some(Order::MonthFirst)).as_deref(),
            Some("2018-02-03")
        );
        // Another date on the page settles it; a currency does when none does.
        let all = find("02-03-18 ... printed 28/03/2018");
        assert_eq!(order(&all, None), Some(Order::DayFirst));
        assert_eq!(
            order(&find("02/03/2018"), Some("USD")),
            Some(Order::MonthFirst)
        );
        assert_eq!(
            order(&find("02/03/2018"), Some("MYR")),
            Some(Order::DayFirst)
        );
        assert_eq!(order(&find("02/03/2018"), None), None);
    }
}
