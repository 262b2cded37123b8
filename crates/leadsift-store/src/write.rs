//! How a batch's leads are written: the one thing that differs by backend enough to be written
//! twice. SQLite: cached 32-row INSERTs and one UPDATE per changed lead. PostgreSQL: a binary
//! COPY into a staging table and one `INSERT … ON CONFLICT` from it.

use std::collections::HashSet;

use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

use crate::db::Conn;
use crate::models::LeadValues;
use crate::schema;

/// Inserts `inserts` (keys the batch's plan found absent) and replaces the values of `updates`
/// (keys it found present). `Ok(false)`: the table no longer agrees with that plan (a
/// concurrent writer got there first); the caller rolls back and plans again, so that counts
/// stay exact and no lead is overwritten unasked.
pub fn write_leads(
    conn: &mut Conn,
    inserts: &[LeadValues],
    updates: &mut [(String, LeadValues)],
) -> QueryResult<bool> {
    if inserts.is_empty() && updates.is_empty() {
        return Ok(true);
    }
    match conn {
        Conn::Sqlite(c) => sqlite(c, inserts, updates),
        Conn::Pg(c) => postgres(c, inserts, updates),
    }
}

fn sqlite(
    c: &mut SqliteConnection,
    inserts: &[LeadValues],
    updates: &mut [(String, LeadValues)],
) -> QueryResult<bool> {
    use schema::leads::dsl::{lead_key, leads};
    // Statements of a fixed number of rows, so that Diesel prepares each shape once and keeps
    // it (a multi-row INSERT of any length is parsed and planned every time): 32 rows of 55
    // columns, then single rows for the rest. A key inserted meanwhile fails the transaction
    // on the unique index, and the caller plans again.
    const ROWS: usize = 32;
    let mut chunks = inserts.chunks_exact(ROWS);
    for chunk in &mut chunks {
        let chunk: &[LeadValues; ROWS] = chunk.try_into().expect("chunks_exact");
        diesel::insert_into(leads).values(chunk).execute(c)?;
    }
    for row in chunks.remainder() {
        diesel::insert_into(leads).values(row).execute(c)?;
    }
    // One statement each, in key order; every planned update must find its lead.
    updates.sort_by(|a, b| a.0.cmp(&b.0));
    let mut found = 0;
    for (k, v) in updates.iter() {
        found += diesel::update(leads.filter(lead_key.eq(k)))
            .set(v)
            .execute(c)?;
    }
    Ok(found == updates.len())
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

fn postgres(
    c: &mut PgConnection,
    inserts: &[LeadValues],
    updates: &mut [(String, LeadValues)],
) -> QueryResult<bool> {
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
        .get_result(c)?;
    // A temporary table named `leads` shadows the real one for this session (pg_temp is
    // searched first), so Diesel's binary COPY for `leads` fills it; it is dropped
    // before anything else reads `leads`, and with the transaction in any case.
    diesel::sql_query(format!(
        "CREATE TEMP TABLE leads (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
        t.target
    ))
    .execute(c)?;
    diesel::sql_query("ALTER TABLE pg_temp.leads DROP COLUMN id").execute(c)?;
    let staged: Vec<&LeadValues> = inserts
        .iter()
        .chain(updates.iter().map(|(_, v)| v))
        .collect();
    // On an error the transaction rolls back, which takes the staging table with it.
    diesel::copy_from(schema::leads::table)
        .from_insertable(staged)
        .execute(c)?;
    // In key order, so that concurrent writers lock rows in one order.
    let written: Vec<Written> = diesel::sql_query(format!(
        "INSERT INTO {target} ({columns}) SELECT {columns} FROM pg_temp.leads \
             ORDER BY lead_key ON CONFLICT (lead_key) DO UPDATE SET {updates} \
             RETURNING lead_key, (xmax = 0) AS inserted",
        target = t.target,
        columns = t.columns,
        updates = t.updates,
    ))
    .load(c)?;
    diesel::sql_query("DROP TABLE pg_temp.leads").execute(c)?;
    // The classification holds when exactly the planned inserts were inserted.
    let planned: HashSet<&str> = inserts.iter().map(|v| v.lead_key.as_str()).collect();
    Ok(written.len() == inserts.len() + updates.len()
        && written
            .iter()
            .all(|w| w.inserted == planned.contains(w.lead_key.as_str())))
}
