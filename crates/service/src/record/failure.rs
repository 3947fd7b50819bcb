//! Why a record failed, as stored in `error_code`.

use processor::ErrorCode;

/// Why a record failed: an engine code, or a record-level one. Stored as its string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCode {
    Engine(ErrorCode),
    /// Claimed more often than MAX_ATTEMPTS.
    TooManyAttempts,
    /// The record's own options cannot be met (an unknown output, a language not installed):
    /// what /process answers 422 `invalid_record` for, found on a record written to the table.
    InvalidRecord,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::Engine(code) => code.as_str(),
            FailureCode::TooManyAttempts => "too_many_attempts",
            FailureCode::InvalidRecord => "invalid_record",
        }
    }
}

impl From<ErrorCode> for FailureCode {
    fn from(code: ErrorCode) -> Self {
        FailureCode::Engine(code)
    }
}
