//! The result viewer (GET /documents/{id}/view and `extract --html`): one HTML page, its script
//! and style inline and allowed by their hashes in a strict Content-Security-Policy, the result
//! embedded as JSON data the script draws from. Pure: the routes and the CLI put it together.

pub mod local;
pub mod token;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const SCRIPT: &str = include_str!("assets/view.js");
const STYLE: &str = include_str!("assets/view.css");

/// What the page needs besides the data.
pub struct ViewPage<'a> {
    /// The document's name in the title (escaped here).
    pub title: &'a str,
    /// Page N's preview is at `pages/N.webp` + this query (the view token); None: no previews,
    /// the boxes are drawn on blank paper.
    pub image_query: Option<&'a str>,
}

/// The policy: nothing but this page's own script and style (by hash: no other inline code runs,
/// so an injected `onerror=` or `<script>` is refused even if it reached the DOM), images from
/// the page's own origin, no plugins, forms, frames or base URL.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; img-src 'self'; \
             base-uri 'none'; form-action 'none'",
            hash_source(SCRIPT),
            hash_source(STYLE)
        )
    })
}

/// The policy as a response header: with `frame-ancestors`, which only a header can set.
pub fn content_security_policy_header() -> String {
    format!("{}; frame-ancestors 'none'", content_security_policy())
}

fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page before and after its JSON data (which goes between them, through [`escape_json`]).
pub fn around_data(page: &ViewPage) -> (String, &'static str) {
    let (images, query) = match page.image_query {
        Some(q) => ("yes", q),
        None => ("no", ""),
    };
    let head = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\
         <title>{title} · Document Processor</title><style>{STYLE}</style></head>\n\
         <body data-images=\"{images}\" data-image-query=\"{query}\">\
         <main id=\"app\"><noscript>The viewer needs JavaScript; the result is in this page's \
         source.</noscript></main>\n<script type=\"application/json\" id=\"doc\">",
        csp = escape_html(content_security_policy()),
        title = escape_html(page.title),
        query = escape_html(query),
    );
    (head, TAIL)
}

const TAIL: &str = concat!(
    "</script>\n<script>",
    include_str!("assets/view.js"),
    "</script>\n</body></html>\n"
);

/// JSON made safe inside `<script type="application/json">`: every `<` becomes `\u003c` (JSON
/// reads it back as `<`), so no `</script>` or `<!--` in a document's text can end the block.
/// `<` only ever occurs inside JSON strings, where the escape is valid; the rest is untouched,
/// so a stream can be escaped chunk by chunk.
pub fn escape_json(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 16);
    for &b in json {
        match b {
            b'<' => out.extend_from_slice(b"\\u003c"),
            _ => out.push(b),
        }
    }
    out
}

/// Text for HTML content or a quoted attribute value.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole page with its data (the CLI's file; the service streams the same parts).
pub fn page(page: &ViewPage, json: &[u8]) -> Vec<u8> {
    let (head, tail) = around_data(page);
    let mut out = head.into_bytes();
    out.extend_from_slice(&escape_json(json));
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_this_script_and_style() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; "), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        // The hashes are of the inline code as it is in the page.
        let html = String::from_utf8(page(
            &ViewPage {
                title: "t",
                image_query: None,
            },
            b"{}",
        ))
        .unwrap();
        let script = html
            .rsplit_once("<script>")
            .unwrap()
            .1
            .split_once("</script>")
            .unwrap()
            .0;
        assert!(csp.contains(&hash_source(script)));
        let style = html
            .split_once("<style>")
            .unwrap()
            .1
            .split_once("</style>")
            .unwrap()
            .0;
        assert!(csp.contains(&hash_source(style)));
        assert!(content_security_policy_header().ends_with("frame-ancestors 'none'"));
    }

    #[test]
    fn document_text_cannot_leave_the_data_block() {
        let evil = br#"{"text":"</script><script>alert(1)</script><!--","n":"a<b"}"#;
        let escaped = escape_json(evil);
        let s = std::str::from_utf8(&escaped).unwrap();
        assert!(!s.contains('<'), "{s}");
        let back: serde_json::Value = serde_json::from_slice(&escaped).unwrap();
        assert_eq!(
            back["text"], "</script><script>alert(1)</script><!--",
            "JSON reads the escape back as the text"
        );
        let html = String::from_utf8(page(
            &ViewPage {
                title: "<img src=x onerror=alert(1)>",
                image_query: Some("?token=\"x"),
            },
            evil,
        ))
        .unwrap();
        assert_eq!(
            html.matches("<script").count(),
            2,
            "only the page's own two"
        );
        assert!(!html.contains("<img"), "the title is escaped");
        assert!(html.contains("data-image-query=\"?token=&quot;x\""));
    }

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
