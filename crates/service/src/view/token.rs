//! View tokens: a browser cannot send the API key on a page load, so /status hands out a link
//! that carries its own short-lived proof: `{expiry}.{HMAC-SHA256(secret, "view:" id ":" expiry)}`
//! (expiry in Unix seconds, the MAC in lowercase hex). Bound to one document and one expiry, so
//! it opens that document's view and images until then and nothing else. Pure: the clock is an
//! argument.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a token is refused (all are 403: the caller presented something, and it is not valid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the view token is malformed")]
    Malformed,
    #[error("the view token has expired; ask /status for a new view_url")]
    Expired,
    #[error("the view token is not valid for this document")]
    Forged,
}

/// The secret and lifetime tokens are made with.
#[derive(Clone)]
pub struct ViewTokens {
    secret: Vec<u8>,
    pub ttl_secs: u64,
}

impl std::fmt::Debug for ViewTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewTokens")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

impl ViewTokens {
    pub fn new(secret: impl Into<Vec<u8>>, ttl_secs: u64) -> Self {
        ViewTokens {
            secret: secret.into(),
            ttl_secs,
        }
    }

    /// The secret every task of a deployment shares without another setting: derived from the
    /// API key (a different key for a different purpose), so a token made by one task opens the
    /// view on another behind the same load balancer.
    pub fn derived_from(api_key: &str, ttl_secs: u64) -> Self {
        let mut mac = HmacSha256::new_from_slice(api_key.as_bytes()).expect("any key length");
        mac.update(b"document-processor view tokens v1");
        Self::new(mac.finalize().into_bytes().to_vec(), ttl_secs)
    }

    fn mac(&self, id: &str, expiry: u64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("any key length");
        mac.update(format!("view:{id}:{expiry}").as_bytes());
        mac
    }

    /// A token for `id`, valid until `now + ttl`.
    pub fn issue(&self, id: &str, now: u64) -> String {
        let expiry = now + self.ttl_secs;
        let tag = self.mac(id, expiry).finalize().into_bytes();
        format!("{expiry}.{}", hex(&tag))
    }

    /// Whether `token` opens `id` at `now` (the MAC compared in constant time).
    pub fn verify(&self, id: &str, token: &str, now: u64) -> Result<(), TokenError> {
        let (expiry, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        if expiry.is_empty() || !expiry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TokenError::Malformed);
        }
        let expiry: u64 = expiry.parse().map_err(|_| TokenError::Malformed)?;
        let tag = unhex(tag).ok_or(TokenError::Malformed)?;
        self.mac(id, expiry)
            .verify_slice(&tag)
            .map_err(|_| TokenError::Forged)?;
        // Checked after the MAC: an expiry nobody signed is a forgery, not an old token.
        if now >= expiry {
            return Err(TokenError::Expired);
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_token_opens_its_document_until_it_expires() {
        let tokens = ViewTokens::new(*b"secret", 600);
        let t = tokens.issue("doc-1", NOW);
        assert!(t.starts_with("1800000600."), "{t}");
        assert_eq!(tokens.verify("doc-1", &t, NOW), Ok(()));
        assert_eq!(tokens.verify("doc-1", &t, NOW + 599), Ok(()));
        assert_eq!(
            tokens.verify("doc-1", &t, NOW + 600),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn forged_and_foreign_tokens_are_refused() {
        let tokens = ViewTokens::new(*b"secret", 600);
        let t = tokens.issue("doc-1", NOW);
        assert_eq!(tokens.verify("doc-2", &t, NOW), Err(TokenError::Forged));
        let other = ViewTokens::new(*b"another", 600);
        assert_eq!(other.verify("doc-1", &t, NOW), Err(TokenError::Forged));
        // A later expiry with the old MAC: the expiry is signed.
        let (_, tag) = t.split_once('.').unwrap();
        let stretched = format!("{}.{tag}", NOW + 100_000);
        assert_eq!(
            tokens.verify("doc-1", &stretched, NOW),
            Err(TokenError::Forged)
        );
        // Flipped last hex digit.
        let mut flipped = t.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            tokens.verify("doc-1", &flipped, NOW),
            Err(TokenError::Forged)
        );
        for bad in [
            "",
            ".",
            "abc",
            "12.zz",
            "-5.00",
            "1.",
            &format!("{}", NOW + 5),
        ] {
            assert_eq!(
                tokens.verify("doc-1", bad, NOW),
                Err(TokenError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_derived_secret_is_shared_by_tasks_with_the_same_key() {
        let a = ViewTokens::derived_from("api-key", 600);
        let b = ViewTokens::derived_from("api-key", 600);
        let c = ViewTokens::derived_from("other-key", 600);
        let t = a.issue("d", NOW);
        assert_eq!(b.verify("d", &t, NOW), Ok(()));
        assert_eq!(c.verify("d", &t, NOW), Err(TokenError::Forged));
        assert_ne!(a.secret, b"api-key", "the key itself is not the secret");
    }
}
