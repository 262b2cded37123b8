//! leadsift-server: the persistence layer (Diesel, SQLite and PostgreSQL) shared by the server
//! and `leadsift import`, and the actix-web application.

pub mod config;
pub mod db;
pub mod error;
pub mod import;
pub mod metrics;
pub mod middleware;
pub mod routes;
pub mod startup;
pub mod stored;
pub mod telemetry;
