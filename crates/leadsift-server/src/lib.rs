//! leadsift-server: the actix-web application over [`leadsift_store`]. HTTP only: it
//! authenticates, bounds and translates requests into the store's calls, and renders their
//! answers; the rules are the core's and the persistence is the store's.

pub mod config;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod routes;
pub mod startup;
pub mod telemetry;
