//! Sizes as DynamoDB counts them, and cutting lists and text to a budget.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

/// Each item of a list as an attribute value (a list's attribute is the list of these).
pub(super) fn each_to_av<T: Serialize>(items: &[T]) -> Result<Vec<AttributeValue>, String> {
    items
        .iter()
        .map(|item| serde_dynamo::to_attribute_value(item).map_err(|e| e.to_string()))
        .collect()
}

/// The first items whose attributes stay within `budget` bytes (each counted as a list element).
pub(super) fn first_within(items: Vec<AttributeValue>, budget: usize) -> Vec<AttributeValue> {
    let mut used = 0;
    items
        .into_iter()
        .take_while(|item| {
            used += av_bytes(item);
            used <= budget
        })
        .collect()
}

/// An attribute value's size as DynamoDB counts it: UTF-8 bytes of strings, about one byte per
/// two digits of numbers, 3 bytes per list or map plus 1 per element, map keys by their length.
pub fn av_bytes(av: &AttributeValue) -> usize {
    match av {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + av_bytes(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + av_bytes(v))
                .sum::<usize>()
        }
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        _ => 16,
    }
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
pub(super) fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_size_counts_like_dynamodb() {
        let av = AttributeValue::M([("ab".to_string(), AttributeValue::S("hello".into()))].into());
        assert_eq!(av_bytes(&av), 3 + 1 + 2 + 5);
        assert_eq!(av_bytes(&AttributeValue::S("é".into())), 2);
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_bytes("héllo", 2), "h");
        assert_eq!(truncate_bytes("héllo", 3), "hé");
        assert_eq!(truncate_bytes("hi", 5), "hi");
    }
}
