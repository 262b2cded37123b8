//! The connection: one Diesel connection type over both backends, SQLite (the default) and
//! PostgreSQL, a pool of them, and the embedded migrations.
//!
//! [`Conn`] is Diesel's `MultiConnection` over `SqliteConnection` and `PgConnection`: the
//! query functions of [`crate::queries`] are written once against it, and the few things that
//! differ by backend (how a batch of leads is written, how a write transaction begins, `ON
//! CONFLICT`) match on its variant. Which backend a URL names is decided once, here, by its
//! scheme; the pool never guesses by trying.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{Result, StoreError};

/// The SQLite migrations, embedded in the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
/// The PostgreSQL migrations, embedded in the binary.
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conn::Sqlite(_) => "Conn::Sqlite",
            Conn::Pg(_) => "Conn::Pg",
        })
    }
}

/// A transaction that writes. On SQLite `BEGIN IMMEDIATE`, which takes the write lock at once,
/// so that concurrent batches wait their turn (busy_timeout) instead of failing when a
/// transaction that began by reading finds that another writer has committed meanwhile. On
/// PostgreSQL an ordinary (READ COMMITTED) transaction: concurrent writers are caught by
/// [`crate::queries::write_leads`]' check and the caller's retry.
pub fn write_transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Manager = <Conn as Connection>::TransactionManager;
    match conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        Conn::Pg(_) => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(v) => {
            Manager::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => {
            // The error that ended the transaction is the one worth reporting.
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` are PostgreSQL; anything else is an SQLite file
    /// (`sqlite://path`, `sqlite:path` or a plain path).
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// `sqlite://path`, `sqlite:path` or a plain path → the SQLite file path.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Makes the pool's connections, each set up for its backend.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        match self.backend {
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(sqlite_path(&self.url))?;
                // One statement per query: SQLite runs only the first of several.
                for pragma in [
                    // Wait for the writer instead of failing.
                    "PRAGMA busy_timeout = 30000",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA synchronous = NORMAL",
                    // 32 MiB of page cache: the default 2 MiB spills to disk mid-batch.
                    "PRAGMA cache_size = -32768",
                    // Statement journals (each INSERT of a batch keeps one, to undo itself
                    // alone) in memory rather than in temporary files.
                    "PRAGMA temp_store = MEMORY",
                ] {
                    diesel::sql_query(pragma).execute(&mut c)?;
                }
                Ok(Conn::Sqlite(c))
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.url)?;
                // Plan every execution with its parameters: a generic plan made while `leads`
                // was empty (a sequential scan) would otherwise be reused as it grows.
                diesel::sql_query("SET plan_cache_mode = force_custom_plan").execute(&mut c)?;
                Ok(Conn::Pg(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// A pooled connection; it derefs to [`Conn`].
pub type Pooled = PooledConnection<Manager>;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({:?})", self.backend)
    }
}

impl Database {
    /// Connects (creating an SQLite file when needed) without migrating.
    pub fn connect(url: &str, pool_size: u32) -> Result<Database> {
        let backend = Backend::of(url);
        let failed = |reason: String| StoreError::Connect {
            target: match backend {
                Backend::Postgres => format!("PostgreSQL at {}", redact(url)),
                Backend::Sqlite => format!("the SQLite database {}", sqlite_path(url)),
            },
            reason,
        };
        if backend == Backend::Sqlite {
            // WAL lets readers go on while a batch is written; set once, it stays with the file.
            let path = sqlite_path(url);
            let mut first = SqliteConnection::establish(path).map_err(|e| failed(e.to_string()))?;
            diesel::sql_query("PRAGMA journal_mode = WAL")
                .execute(&mut first)
                .map_err(|e| failed(e.to_string()))?;
        }
        let mut builder = Pool::builder().max_size(pool_size);
        if backend == Backend::Postgres {
            builder = builder.connection_timeout(Duration::from_secs(10));
        }
        let pool = builder
            .build(Manager {
                url: url.to_owned(),
                backend,
            })
            .map_err(|e| failed(e.to_string()))?;
        Ok(Database { pool, backend })
    }

    /// Connects and applies every pending migration.
    pub fn open(url: &str, pool_size: u32) -> Result<Database> {
        let db = Database::connect(url, pool_size)?;
        db.migrate()?;
        Ok(db)
    }

    /// A connection from the pool.
    pub fn conn(&self) -> Result<Pooled> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` on a pooled connection.
    pub fn with<T, E>(&self, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut c = self.conn()?;
        f(&mut c)
    }

    /// Applies pending migrations; returns their names.
    pub fn migrate(&self) -> Result<Vec<String>> {
        let mut c = self.conn()?;
        let names = |v: Vec<diesel::migration::MigrationVersion<'_>>| {
            v.iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        let applied = match &mut *c {
            Conn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(names),
            Conn::Pg(c) => {
                // Several servers may start at once on one PostgreSQL: one migrates at a time.
                diesel::sql_query("SELECT pg_advisory_lock(7364921)").execute(c)?;
                let r = c.run_pending_migrations(PG_MIGRATIONS).map(names);
                diesel::sql_query("SELECT pg_advisory_unlock(7364921)").execute(c)?;
                r
            }
        };
        applied.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Reverts every migration (for tests of the down migrations).
    pub fn revert_all(&self) -> Result<()> {
        let mut c = self.conn()?;
        let r = match &mut *c {
            Conn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(drop),
            Conn::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS).map(drop),
        };
        r.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// The backend the pool's connections talk to.
    pub fn backend(&self) -> Backend {
        self.backend
    }
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
