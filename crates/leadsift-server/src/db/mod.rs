//! Persistence: one API over two backends, SQLite (the default) and PostgreSQL.
//!
//! The query functions live once, in `store.rs`, and are compiled for each backend by
//! including that file in the `sqlite` and `pg` modules below, each with its own connection
//! type. Both backends' migrations give the same generated `schema.rs` (the script that
//! generates it checks that they do). They take a connection, not a pool, so that they compose
//! inside a transaction. `Database` holds the pool and picks the module.

use anyhow::{Context, Result};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub mod models;
#[rustfmt::skip]
mod schema;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The SQLite backend's query functions.
pub mod sqlite {
    pub type Conn = diesel::SqliteConnection;
    pub const BACKEND: super::Backend = super::Backend::Sqlite;
    use super::schema;
    include!("store.rs");

    impl BulkInsert for Conn {
        fn bulk_insert(&mut self, rows: &[LeadValues]) -> QueryResult<usize> {
            // Statements of a fixed number of rows, so that Diesel prepares each shape once and
            // keeps it (a multi-row INSERT of any length is parsed and planned every time):
            // 32 rows of 55 columns, then single rows for the rest.
            const ROWS: usize = 32;
            let mut n = 0;
            let mut chunks = rows.chunks_exact(ROWS);
            for chunk in &mut chunks {
                let chunk: &[LeadValues; ROWS] = chunk.try_into().expect("chunks_exact");
                n += diesel::insert_into(schema::leads::table)
                    .values(chunk)
                    .execute(self)?;
            }
            for row in chunks.remainder() {
                n += diesel::insert_into(schema::leads::table)
                    .values(row)
                    .execute(self)?;
            }
            Ok(n)
        }
    }
}

/// The PostgreSQL backend's query functions.
pub mod pg {
    pub type Conn = diesel::PgConnection;
    pub const BACKEND: super::Backend = super::Backend::Postgres;
    use super::schema;
    include!("store.rs");

    impl BulkInsert for Conn {
        fn bulk_insert(&mut self, rows: &[LeadValues]) -> QueryResult<usize> {
            if rows.is_empty() {
                return Ok(0);
            }
            diesel::copy_from(schema::leads::table)
                .from_insertable(rows)
                .execute(self)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends.
#[derive(Clone)]
pub enum Database {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Database::Sqlite(_) => "Database::Sqlite",
            Database::Postgres(_) => "Database::Postgres",
        })
    }
}

/// Each SQLite connection waits for the writer instead of failing, and enforces foreign keys.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // One statement per query: SQLite runs only the first of several.
        for pragma in [
            "PRAGMA busy_timeout = 30000",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            // 32 MiB of page cache: the default 2 MiB spills to disk in the middle of a batch.
            "PRAGMA cache_size = -32768",
            // Statement journals (each INSERT of a batch keeps one, to undo itself alone) in
            // memory rather than in temporary files.
            "PRAGMA temp_store = MEMORY",
        ] {
            diesel::sql_query(pragma)
                .execute(conn)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Each PostgreSQL connection plans every execution with its parameters: a generic plan made
/// while `leads` was empty (a sequential scan) would otherwise be reused as it grows.
#[derive(Debug)]
struct PgSettings;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for PgSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        diesel::sql_query("SET plan_cache_mode = force_custom_plan")
            .execute(conn)
            .map(|_| ())
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// `sqlite://path`, `sqlite:path` or a plain path → the SQLite file path.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

impl Database {
    /// Connects (creating an SQLite file when needed) without migrating.
    pub fn connect(url: &str, pool_size: u32) -> Result<Database> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = Pool::builder()
                .max_size(pool_size)
                .connection_timeout(std::time::Duration::from_secs(10))
                .connection_customizer(Box::new(PgSettings))
                .build(ConnectionManager::<PgConnection>::new(url))
                .with_context(|| format!("could not connect to PostgreSQL at {}", redact(url)))?;
            return Ok(Database::Postgres(pool));
        }
        let path = sqlite_path(url);
        // WAL lets readers go on while a batch is written; set once, it stays with the file.
        let mut first = SqliteConnection::establish(path)
            .with_context(|| format!("could not open the SQLite database {path}"))?;
        diesel::sql_query("PRAGMA journal_mode = WAL")
            .execute(&mut first)
            .with_context(|| format!("could not set up {path}"))?;
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<SqliteConnection>::new(path))
            .with_context(|| format!("could not open the SQLite database {path}"))?;
        Ok(Database::Sqlite(pool))
    }

    /// Connects and applies every pending migration.
    pub fn open(url: &str, pool_size: u32) -> Result<Database> {
        let db = Database::connect(url, pool_size)?;
        db.migrate()?;
        Ok(db)
    }

    /// Applies pending migrations; returns their names.
    pub fn migrate(&self) -> Result<Vec<String>> {
        let applied = match self {
            Database::Sqlite(p) => p
                .get()?
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect()),
            Database::Postgres(p) => {
                let mut c = p.get()?;
                // Several servers may start at once on one PostgreSQL: one migrates at a time.
                diesel::sql_query("SELECT pg_advisory_lock(7364921)").execute(&mut c)?;
                let r = c
                    .run_pending_migrations(PG_MIGRATIONS)
                    .map(|v| v.iter().map(|m| m.to_string()).collect());
                diesel::sql_query("SELECT pg_advisory_unlock(7364921)").execute(&mut c)?;
                r
            }
        };
        applied.map_err(|e| anyhow::anyhow!("could not migrate the database: {e}"))
    }

    /// Reverts every migration (for tests of the down migrations).
    pub fn revert_all(&self) -> Result<()> {
        let r = match self {
            Database::Sqlite(p) => p
                .get()?
                .revert_all_migrations(SQLITE_MIGRATIONS)
                .map(|_| ()),
            Database::Postgres(p) => p.get()?.revert_all_migrations(PG_MIGRATIONS).map(|_| ()),
        };
        r.map_err(|e| anyhow::anyhow!("could not revert the migrations: {e}"))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Sqlite(_) => Backend::Sqlite,
            Database::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn sqlite(&self) -> Option<Result<PooledConnection<ConnectionManager<SqliteConnection>>>> {
        match self {
            Database::Sqlite(p) => Some(p.get().context("no database connection is free")),
            Database::Postgres(_) => None,
        }
    }
}

/// Runs `$body` with `$conn` bound to a pooled connection and `$m` to the backend's module.
#[macro_export]
macro_rules! with_conn {
    ($db:expr, |$conn:ident, $m:ident| $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite(pool) => {
                use $crate::db::sqlite as $m;
                let mut guard = pool
                    .get()
                    .map_err(|e| anyhow::anyhow!("no database connection is free: {e}"))?;
                let $conn: &mut diesel::SqliteConnection = &mut guard;
                $body
            }
            $crate::db::Database::Postgres(pool) => {
                use $crate::db::pg as $m;
                let mut guard = pool
                    .get()
                    .map_err(|e| anyhow::anyhow!("no database connection is free: {e}"))?;
                let $conn: &mut diesel::PgConnection = &mut guard;
                $body
            }
        }
    };
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
