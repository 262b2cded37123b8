//! The store's errors. Retry decisions are made on these variants and Diesel's error kinds,
//! never on a message's text.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Why the store could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("could not connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    /// Every pooled connection is busy (or the database went away meanwhile).
    #[error("no database connection is free: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A migration failed to apply or to revert.
    #[error("could not migrate the database: {0}")]
    Migration(String),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] DieselError),
    /// A stored JSON value (a batch's answer) does not read back.
    #[error("a stored answer does not read back: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// A concurrent writer changed the batch's leads between its classification and its
    /// write; the transaction was rolled back.
    #[error("a concurrent import changed these leads while the batch was being written")]
    Stale,
}

impl StoreError {
    /// Whether trying the same transaction again can succeed: a concurrent writer got there
    /// first (a key inserted meanwhile, SQLSTATE 23505), a serialization failure (40001), or a
    /// classification made stale.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Stale
                | StoreError::Query(DieselError::DatabaseError(
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                    _
                ))
        )
    }
}

/// What a store function returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
