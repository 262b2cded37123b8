//! leadsift-store: persistence for leadsift. Diesel over SQLite (the default) and PostgreSQL,
//! the embedded migrations, and the import pipeline that `leadsift import` and the server's
//! batch API share. No HTTP: the server translates requests into these calls, the command
//! line calls them directly.
//!
//! The way in is [`Database`] (a pool on either backend); [`import`] is the pipeline a batch
//! takes; [`queries`] are the single statements it composes, each taking a connection so that
//! they run inside one transaction.

pub mod columns;
pub mod db;
pub mod error;
pub mod import;
pub mod models;
pub mod queries;
pub mod reconcile;
#[rustfmt::skip]
mod schema;
pub mod write;

pub use db::{Backend, Conn, Database, redact};
pub use error::StoreError;
