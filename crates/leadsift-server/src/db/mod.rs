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

    /// A transaction that writes: `BEGIN IMMEDIATE`, which takes SQLite's write lock at once,
    /// so that concurrent batches wait their turn (busy_timeout) instead of failing when a
    /// transaction that began by reading finds another writer has committed meanwhile.
    pub fn write_transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        conn.immediate_transaction(f)
    }

    impl WriteLeads for Conn {
        fn write_leads(
            &mut self,
            inserts: &[LeadValues],
            updates: &mut [(String, LeadValues)],
        ) -> QueryResult<bool> {
            // Statements of a fixed number of rows, so that Diesel prepares each shape once and
            // keeps it (a multi-row INSERT of any length is parsed and planned every time):
            // 32 rows of 55 columns, then single rows for the rest. A key inserted meanwhile
            // fails the transaction on the unique index, and the caller classifies again.
            const ROWS: usize = 32;
            let mut chunks = inserts.chunks_exact(ROWS);
            for chunk in &mut chunks {
                let chunk: &[LeadValues; ROWS] = chunk.try_into().expect("chunks_exact");
                diesel::insert_into(schema::leads::table)
                    .values(chunk)
                    .execute(self)?;
            }
            for row in chunks.remainder() {
                diesel::insert_into(schema::leads::table)
                    .values(row)
                    .execute(self)?;
            }
            Ok(update_leads(self, updates)? == updates.len())
        }
    }
}

/// The PostgreSQL backend's query functions.
pub mod pg {
    pub type Conn = diesel::PgConnection;
    pub const BACKEND: super::Backend = super::Backend::Postgres;
    use super::schema;
    include!("store.rs");

    /// A transaction that writes (READ COMMITTED; concurrent writers are handled by
    /// [`WriteLeads`]' check and the caller's retry).
    pub fn write_transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        conn.transaction(f)
    }

    /// The real `leads` table (schema-qualified) and its columns but `id`, as SQL.
    #[derive(QueryableByName)]
    struct Target {
        #[diesel(sql_type = diesel::sql_types::Text)]
        target: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        columns: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        updates: String,
    }

    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = diesel::sql_types::Text)]
        lead_key: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        inserted: bool,
    }

    impl WriteLeads for Conn {
        fn write_leads(
            &mut self,
            inserts: &[LeadValues],
            updates: &mut [(String, LeadValues)],
        ) -> QueryResult<bool> {
            if inserts.is_empty() && updates.is_empty() {
                return Ok(true);
            }
            // Found before the staging table exists: afterwards `leads` names the staging table.
            let t: Target = diesel::sql_query(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS target, \
                 string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns, \
                 string_agg(format('%1$I = EXCLUDED.%1$I', a.attname), ', ' ORDER BY a.attnum) \
                   FILTER (WHERE a.attname NOT IN ('lead_key', 'created_run', 'created_at')) AS updates \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = c.oid \
                 WHERE c.oid = 'leads'::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'id' \
                 GROUP BY n.nspname, c.relname",
            )
            .get_result(self)?;
            // A temporary table named `leads` shadows the real one for this session (pg_temp is
            // searched first), so Diesel's binary COPY for `leads` fills it; it is dropped
            // before anything else reads `leads`, and with the transaction in any case.
            diesel::sql_query(format!(
                "CREATE TEMP TABLE leads (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
                t.target
            ))
            .execute(self)?;
            diesel::sql_query("ALTER TABLE pg_temp.leads DROP COLUMN id").execute(self)?;
            let staged: Vec<&LeadValues> = inserts
                .iter()
                .chain(updates.iter().map(|(_, v)| v))
                .collect();
            // On an error the transaction rolls back, which takes the staging table with it.
            diesel::copy_from(schema::leads::table)
                .from_insertable(staged)
                .execute(self)?;
            // In key order, so that concurrent writers lock rows in one order.
            let written: Vec<Written> = diesel::sql_query(format!(
                "INSERT INTO {target} ({columns}) SELECT {columns} FROM pg_temp.leads \
                 ORDER BY lead_key ON CONFLICT (lead_key) DO UPDATE SET {updates} \
                 RETURNING lead_key, (xmax = 0) AS inserted",
                target = t.target,
                columns = t.columns,
                updates = t.updates,
            ))
            .load(self)?;
            diesel::sql_query("DROP TABLE pg_temp.leads").execute(self)?;
            // The classification holds when exactly the planned inserts were inserted.
            let planned: std::collections::HashSet<&str> =
                inserts.iter().map(|v| v.lead_key.as_str()).collect();
            Ok(written.len() == inserts.len() + updates.len()
                && written
                    .iter()
                    .all(|w| w.inserted == planned.contains(w.lead_key.as_str())))
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
