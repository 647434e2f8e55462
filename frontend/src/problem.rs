//! One error type for what the pages report: a coded failure from `shared`, the
//! relay's answer, or the browser's storage. Each becomes one sentence for `#status`.

use shared::ErrorCode;

use crate::local_db::StorageError;
use crate::relay_client::RelayError;
use crate::text::t;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Code(ErrorCode),
    Relay(RelayError),
    Storage(StorageError),
}

impl Problem {
    /// The sentence people see.
    pub fn message(&self) -> String {
        match self {
            Problem::Code(code) => code.message().to_owned(),
            Problem::Relay(e) => e.message(),
            Problem::Storage(_) => t("intake.storage_failed").to_owned(),
        }
    }
}

impl From<ErrorCode> for Problem {
    fn from(c: ErrorCode) -> Self {
        Problem::Code(c)
    }
}

impl From<RelayError> for Problem {
    fn from(e: RelayError) -> Self {
        Problem::Relay(e)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        Problem::Storage(e)
    }
}
