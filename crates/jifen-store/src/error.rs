/// What can go wrong in the store. Database text stays here: callers see kinds, and the
/// server logs the detail without showing it to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("identity {kind}:{value} belongs to another member")]
    IdentityTaken { kind: String, value: String },
    #[error("the database URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    #[error("a row conflicts with an existing one: {0}")]
    Conflict(String),
    #[error("another transaction wrote the same rows meanwhile; try again")]
    Busy,
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database could not be made ready (created, copied), in words an operator can act on.
    #[error("{0}")]
    Setup(String),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether retrying the same transaction may succeed (serialization failures, busy database).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(db.code().as_deref(), Some("40001" | "40P01" | "5" | "6"))
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) | StoreError::Busy => true,
            _ => false,
        }
    }
}
