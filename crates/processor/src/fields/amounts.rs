//! Amounts as people print them: "1,234.50", "1.234,50", "RM30.00", "$ 12", "65,028.29 USD",
//! "24.00 S" (a receipt's tax code after it), "(3.80)" and "-3.80". Pure.

/// Currency marks and names, as printed, with their ISO 4217 code. Longer marks first.
pub const CURRENCIES: [(&str, &str); 30] = [
    ("US$", "USD"),
    ("S$", "SGD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("HK$", "HKD"),
    ("NZ$", "NZD"),
    ("RM", "MYR"),
    ("MYR", "MYR"),
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("SGD", "SGD"),
    ("AUD", "AUD"),
    ("CAD", "CAD"),
    ("CHF", "CHF"),
    ("JPY", "JPY"),
    ("INR", "INR"),
    ("IDR", "IDR"),
    ("HKD", "HKD"),
    ("NZD", "NZD"),
    ("SEK", "SEK"),
    ("DKK", "DKK"),
    ("NOK", "NOK"),
    ("PLN", "PLN"),
    ("Rp", "IDR"),
    ("Rs", "INR"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
];

/// An amount read from one token (or a currency token and a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// A decimal string with two decimals, "-" for a negative amount: "1234.50".
    pub value: String,
    /// ISO 4217, when the token shows a currency.
    pub currency: Option<&'static str>,
    /// The number had a decimal part ("30.00", not "30"): what amounts on receipts and invoices have.
    pub has_cents: bool,
}

/// The ISO 4217 code of a currency mark or name standing alone ("RM", "USD", "€").
pub fn currency_of(token: &str) -> Option<&'static str> {
    let t = token.trim_matches(|c: char| c == ':' || c == '(' || c == ')' || c == '.');
    CURRENCIES
        .iter()
        .find(|(mark, _)| mark.eq_ignore_ascii_case(t) && !t.is_empty())
        .map(|(_, iso)| *iso)
}

/// Reads `token` as an amount. `decimal_comma`: the document writes "1.234,50" (a comma before
/// two final digits then means cents; without it, "1,234" is a thousand and "12,50" still cents).
pub fn parse(token: &str, decimal_comma: bool) -> Option<Amount> {
    // Quote marks and strokes OCR reads into a number's edge ("“109.70", "<RM_34.80") are not
    // part of it.
    let mut t = token
        .trim()
        .trim_matches([
            '“', '”', '"', '‘', '’', '\'', '«', '»', '<', '>', '_', '|', '~',
        ])
        .trim_end_matches([':', ';']);
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        negative = true;
        t = inner;
    }
    let mut currency = None;
    for (mark, iso) in CURRENCIES {
        if let Some(rest) = strip_prefix_ci(t, mark) {
            currency = Some(iso);
            t = rest.trim_start_matches([' ', '_', ':']);
            break;
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest;
    }
    if currency.is_none() {
        for (mark, iso) in CURRENCIES {
            if let Some(rest) = strip_suffix_ci(t, mark) {
                currency = Some(iso);
                t = rest.trim_end();
                break;
            }
        }
    }
    // A receipt's tax code after the amount ("24.00S", "7.00 SR" is two tokens), a trailing minus.
    let t = t.trim_end_matches(|c: char| c.is_ascii_uppercase() && c != 'E');
    let t = match t.strip_suffix('-') {
        Some(rest) => {
            negative = !negative;
            rest
        }
        None => t,
    };
    // Cents alone with their point ("-.02", a rounding as tills print it).
    let whole_cents;
    let t = match t.strip_prefix(['.', ',']) {
        Some(c) if c.len() == 2 && c.chars().all(|c| c.is_ascii_digit()) => {
            whole_cents = format!("0{}{c}", &t[..1]);
            whole_cents.as_str()
        }
        _ => t,
    };
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '\'')
    {
        return None;
    }
    let (int, frac) = split_decimal(t, decimal_comma)?;
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    if int.is_empty() || int.len() > 12 {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let cents = match frac {
        Some(f) if f.len() == 1 => format!("{f}0"),
        Some(f) => f.to_string(),
        None => "00".to_string(),
    };
    Some(Amount {
        value: format!("{}{int}.{cents}", if negative { "-" } else { "" }),
        currency,
        has_cents: frac.is_some(),
    })
}

/// The integer part (with its group separators) and the cents, if any.
fn split_decimal(t: &str, decimal_comma: bool) -> Option<(&str, Option<&str>)> {
    let last = t.rfind(['.', ',']);
    let Some(at) = last else {
        return Some((t, None));
    };
    let (int, frac) = (&t[..at], &t[at + 1..]);
    let sep = t.as_bytes()[at] as char;
    let both = t.contains('.') && t.contains(',');
    let grouping_ok = |int: &str, group: char| {
        // Thousands groups of three after the first.
        let parts: Vec<&str> = int.split([group, '\'']).collect();
        parts.len() == 1
            || (parts[0].len() <= 3
                && parts[1..].iter().all(|p| p.len() == 3)
                && !parts[0].is_empty())
    };
    match frac.len() {
        1 | 2 if both => {
            let group = if sep == '.' { ',' } else { '.' };
            grouping_ok(int, group).then_some((int, Some(frac)))
        }
        1 | 2 => {
            // One kind of separator: before one or two final digits it marks the cents.
            (!int.contains(sep) && grouping_ok(int, if sep == '.' { ',' } else { '.' }))
                .then_some((int, Some(frac)))
        }
        3 if !(decimal_comma && sep == ',' || !decimal_comma && sep == '.' && both) => {
            // A thousands separator: "1,234", "12.345" (the document's own convention decides
            // "1.234" against "1,234": a decimal comma means a dot groups).
            let group_is_dot = sep == '.';
            if group_is_dot && !decimal_comma && !both {
                return None;
            }
            grouping_ok(t, sep).then_some((t, None))
        }
        _ => None,
    }
}

fn strip_prefix_ci<'a>(t: &'a str, p: &str) -> Option<&'a str> {
    (t.len() >= p.len() && t.is_char_boundary(p.len()) && t[..p.len()].eq_ignore_ascii_case(p))
        .then(|| &t[p.len()..])
}

fn strip_suffix_ci<'a>(t: &'a str, s: &str) -> Option<&'a str> {
    let at = t.len().checked_sub(s.len())?;
    (t.is_char_boundary(at) && t[at..].eq_ignore_ascii_case(s)).then(|| &t[..at])
}

/// Whether a document writes amounts with a decimal comma: most of its numbers with a separator
/// before two final digits use a comma.
pub fn decimal_comma(tokens: &[&str]) -> bool {
    let (mut comma, mut dot) = (0, 0);
    for t in tokens {
        let digits: String = t
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let b = digits.as_bytes();
        if b.len() >= 4 && b[b.len() - 3] == b',' && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
        {
            comma += 1;
        } else if b.len() >= 4
            && b[b.len() - 3] == b'.'
            && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
        {
            dot += 1;
        }
    }
    comma > dot
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> Option<String> {
        parse(t, false).map(|a| a.value)
    }

    #[test]
    fn amounts_as_printed() {
        assert_eq!(v("1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(v("65,028.29").as_deref(), Some("65028.29"));
        assert_eq!(v("30.00").as_deref(), Some("30.00"));
        assert_eq!(v("RM30.00").as_deref(), Some("30.00"));
        assert_eq!(parse("RM30.00", false).unwrap().currency, Some("MYR"));
        assert_eq!(parse("$1,200", false).unwrap().value, "1200.00");
        assert_eq!(parse("€12,50", false).unwrap().currency, Some("EUR"));
        assert_eq!(v("12,50").as_deref(), Some("12.50"));
        assert_eq!(v("24.00S").as_deref(), Some("24.00"));
        assert_eq!(v("(3.80)").as_deref(), Some("-3.80"));
        assert_eq!(v("-3.80").as_deref(), Some("-3.80"));
        assert_eq!(v("3.80-").as_deref(), Some("-3.80"));
        assert_eq!(v("1.234,50").as_deref(), Some("1234.50"));
        assert_eq!(parse("1.234,50", true).unwrap().value, "1234.50");
        assert_eq!(parse("1.234", true).unwrap().value, "1234.00");
        assert_eq!(v("1,234").as_deref(), Some("1234.00"));
        assert!(!parse("1,234", false).unwrap().has_cents);
        assert_eq!(v("0.5").as_deref(), Some("0.50"));
        // A quote mark OCR read at its edge.
        assert_eq!(v("“109.70").as_deref(), Some("109.70"));
        assert_eq!(v("'12.00'").as_deref(), Some("12.00"));
        // Cents alone, as a till prints a rounding.
        assert_eq!(v("-.02").as_deref(), Some("-0.02"));
        assert_eq!(v(".05").as_deref(), Some("0.05"));
        assert_eq!(v("RM-.02").as_deref(), Some("-0.02"));
        assert_eq!(v(".5"), None);
        assert_eq!(v(".050"), None);
    }

    #[test]
    fn what_is_not_an_amount() {
        for t in [
            "INV-2024-8348",
            "28/03/2018",
            "10:36:13",
            "03-60571377",
            "",
            "RM",
            "1.2.3",
            "12,34,56",
        ] {
            assert_eq!(v(t), None, "{t}");
        }
        assert_eq!(
            v("1.234"),
            None,
            "a dot before three digits is no amount without a decimal comma"
        );
    }

    #[test]
    fn currency_marks_alone() {
        assert_eq!(currency_of("RM"), Some("MYR"));
        assert_eq!(currency_of("USD:"), Some("USD"));
        assert_eq!(currency_of("€"), Some("EUR"));
        assert_eq!(currency_of("Total"), None);
    }

    #[test]
    fn a_documents_decimal_comma() {
        assert!(decimal_comma(&["12,50", "1.234,00", "3"]));
        assert!(!decimal_comma(&["12.50", "1,234.00"]));
    }
}
