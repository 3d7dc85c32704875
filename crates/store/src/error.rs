//! Store errors, typed so the service layer can map them once.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one we support.
    #[error("unsupported database URL: {0} (use sqlite:///path/to/kesu.db or postgres://…)")]
    UnsupportedUrl(String),
    /// A unique or foreign-key constraint was violated; carries the constraint's name or message.
    #[error("constraint violated: {0}")]
    Constraint(String),
    /// The single SQLite writer has stopped.
    #[error("the database writer has stopped")]
    WriterGone,
    /// The commit of a write failed, so nothing it wrote was kept.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// A stored value could not be interpreted.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error(transparent)]
    Db(sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() || db.is_foreign_key_violation() {
                return StoreError::Constraint(
                    db.constraint()
                        .map(str::to_string)
                        .unwrap_or_else(|| db.message().to_string()),
                );
            }
        }
        StoreError::Db(e)
    }
}

/// Store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
