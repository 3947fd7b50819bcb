//! Stable error codes (part of the public contract: they end up in DynamoDB and in API answers).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnsupportedFormat,
    CorruptDocument,
    EncryptedDocument,
    TooLarge,
    TooManyPages,
    ImageTooLarge,
    Timeout,
    /// The worker process reading the document died (a crash in a parser, or its memory cap).
    EngineCrashed,
    NotFound,
    AccessDenied,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::UnsupportedFormat,
        ErrorCode::CorruptDocument,
        ErrorCode::EncryptedDocument,
        ErrorCode::TooLarge,
        ErrorCode::TooManyPages,
        ErrorCode::ImageTooLarge,
        ErrorCode::Timeout,
        ErrorCode::EngineCrashed,
        ErrorCode::NotFound,
        ErrorCode::AccessDenied,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::CorruptDocument => "corrupt_document",
            ErrorCode::EncryptedDocument => "encrypted_document",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooManyPages => "too_many_pages",
            ErrorCode::ImageTooLarge => "image_too_large",
            ErrorCode::Timeout => "timeout",
            ErrorCode::EngineCrashed => "engine_crashed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document-level failure: a stable code plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ProcessError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProcessError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnsupportedFormat, message)
    }
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::CorruptDocument, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_contract_strings() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }
}
