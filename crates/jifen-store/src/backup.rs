//! Online backup and restore of the SQLite backend.
//!
//! A backup is `VACUUM INTO` on a connection of its own: it copies the database as one read
//! transaction sees it (WAL readers never block the writer nor wait for it), so the copy holds
//! every write committed before it started and none that committed after, whatever the server
//! does meanwhile. The copy is a compact, self-contained database file (no WAL beside it).
//!
//! A restore copies such a file into place. It refuses a target that another process has open
//! (a running server), whatever flags are given, and a target that exists unless the caller
//! says to replace it. PostgreSQL is backed up with its own tools (`pg_dump`, `pg_basebackup`
//! and WAL archiving); see `docs/operations.md`.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions as _, Connection, Row};

use crate::{Result, StoreError};

/// What a backup or restore could not do, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "jifen backs up only SQLite databases; back up PostgreSQL with pg_dump or pg_basebackup \
         and WAL archiving (docs/operations.md)"
    )]
    NotSqlite,
    #[error("{0} exists already; choose another file")]
    DestinationExists(PathBuf),
    #[error("{0} exists; pass --force to replace it")]
    TargetExists(PathBuf),
    #[error("{0} is open in another process (a running jifen?); stop it first")]
    TargetInUse(PathBuf),
    #[error("{0} is not a jifen database: {1}")]
    NotJifen(PathBuf, String),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

/// The path of the file a `sqlite:` URL names, or `None` for any other URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub members: i64,
    pub entries: i64,
}

/// Copies the SQLite database `url` names into `to` (which must not exist), consistently and
/// while a server keeps writing to it.
pub async fn backup(url: &str, to: &Path) -> Result<BackupReport, BackupError> {
    let Some(path) = sqlite_path(url) else {
        return Err(BackupError::NotSqlite);
    };
    if !path.exists() {
        return Err(BackupError::NotJifen(path, "no such file".into()));
    }
    if to.exists() {
        return Err(BackupError::DestinationExists(to.to_owned()));
    }
    let dest = to
        .to_str()
        .ok_or_else(|| BackupError::Io(format!("{} is not a UTF-8 path", to.display())))?;
    let mut conn = open(&path, false).await?;
    check_jifen(&mut conn, &path).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(dest)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let mut copy = open(to, true).await?;
    let report = describe(&mut copy, to).await?;
    copy.close().await?;
    Ok(report)
}

/// Puts the backup `from` in place of the SQLite database `url` names. Refuses when that
/// database is open in another process, and when it exists unless `force`.
pub async fn restore(from: &Path, url: &str, force: bool) -> Result<BackupReport, BackupError> {
    let Some(target) = sqlite_path(url) else {
        return Err(BackupError::NotSqlite);
    };
    if !from.exists() {
        return Err(BackupError::NotJifen(
            from.to_owned(),
            "no such file".into(),
        ));
    }
    let mut source = open(from, true).await?;
    let report = describe(&mut source, from).await?;
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut source)
        .await?;
    source.close().await?;
    if ok != "ok" {
        return Err(BackupError::NotJifen(from.to_owned(), ok));
    }
    if target.exists() {
        if in_use(&target).await? {
            return Err(BackupError::TargetInUse(target));
        }
        if !force {
            return Err(BackupError::TargetExists(target));
        }
    }
    if let Some(dir) = target.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| BackupError::Io(e.to_string()))?;
    }
    // Copy beside the target, then rename over it: a restore cut short leaves the old file.
    let partial = with_suffix(&target, ".restoring");
    std::fs::copy(from, &partial).map_err(|e| BackupError::Io(e.to_string()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::Io(e.to_string()))?;
    for side in ["-wal", "-shm"] {
        let p = with_suffix(&target, side);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| BackupError::Io(e.to_string()))?;
        }
    }
    std::fs::rename(&partial, &target).map_err(|e| BackupError::Io(e.to_string()))?;
    Ok(report)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A connection to a database file: the live one (`backup_file` false), or a backup file that
/// nothing else uses, opened immutable (no locks, no `-wal` or `-shm` created beside it).
async fn open(path: &Path, backup_file: bool) -> Result<sqlx::SqliteConnection, BackupError> {
    let url = format!("sqlite://{}", path.display());
    Ok(SqliteConnectOptions::from_str(&url)?
        .read_only(backup_file)
        .immutable(backup_file)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?)
}

async fn check_jifen(conn: &mut sqlx::SqliteConnection, path: &Path) -> Result<(), BackupError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name IN ('_sqlx_migrations', 'programs', 'members', 'entries')",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| BackupError::NotJifen(path.to_owned(), e.to_string()))?;
    if tables.len() != 4 {
        return Err(BackupError::NotJifen(
            path.to_owned(),
            "it lacks jifen's tables".into(),
        ));
    }
    Ok(())
}

async fn describe(
    conn: &mut sqlx::SqliteConnection,
    path: &Path,
) -> Result<BackupReport, BackupError> {
    check_jifen(conn, path).await?;
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM entries), \
         (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size())",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(BackupReport {
        members: row.try_get(0)?,
        entries: row.try_get(1)?,
        bytes: row.try_get::<i64, _>(2)?.max(0) as u64,
    })
}

/// Whether another process has the database open in WAL mode. Every connection to a WAL
/// database holds a shared lock on the shared-memory file while it is open; a connection in
/// exclusive locking mode can only take its lock when no one else does.
async fn in_use(target: &Path) -> Result<bool, BackupError> {
    let url = format!("sqlite://{}", target.display());
    let opts = SqliteConnectOptions::from_str(&url)?
        .busy_timeout(Duration::ZERO)
        .journal_mode(SqliteJournalMode::Wal)
        .locking_mode(sqlx::sqlite::SqliteLockingMode::Exclusive);
    match opts.connect().await {
        Err(e) if is_busy(&e) => Ok(true),
        Err(e) => Err(e.into()),
        Ok(mut conn) => {
            let held = match sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await {
                Ok(_) => {
                    sqlx::query("ROLLBACK").execute(&mut conn).await?;
                    false
                }
                Err(e) if is_busy(&e) => true,
                Err(e) => return Err(e.into()),
            };
            conn.close().await?;
            Ok(held)
        }
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6")))
}
