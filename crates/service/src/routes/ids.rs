//! Which document ids a path or a record may carry.

pub const INVALID_ID: &str =
    "document_id must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'";

/// `document_id` becomes part of S3 keys (`results/{id}.json`) and URLs: letters, digits, `.`, `_`
/// and `-`, at most 128 (UUIDs and the usual ids fit; `/ ? #` and control characters do not).
pub fn valid_document_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && id != "."
        && id != ".."
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_limited_to_a_safe_set() {
        for ok in [
            "d",
            "doc-1.pdf",
            "550e8400-e29b-41d4-a716-446655440000",
            "A_b.C",
        ] {
            assert!(valid_document_id(ok), "{ok}");
        }
        let long = "a".repeat(129);
        for bad in [
            "",
            "a/b",
            "a?b",
            "a#b",
            "a b",
            "a\nb",
            "é",
            "..",
            long.as_str(),
        ] {
            assert!(!valid_document_id(bad), "{bad:?}");
        }
    }
}
