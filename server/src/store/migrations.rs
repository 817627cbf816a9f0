//! Schema migrations, kept in `server/migrations/` and applied in order.
//! SQLite's `user_version` records how far a database has come, so a
//! migration runs exactly once per file.

use rusqlite::Connection;

use crate::error::Result;

/// Every migration, in order. Append; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

/// Applies the migrations this database has not had yet, each in its own
/// transaction.
pub fn run(conn: &mut Connection) -> Result<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        run(&mut conn).expect("first run");
        run(&mut conn).expect("second run is a no-op");
        let v: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, MIGRATIONS.len());
    }
}
