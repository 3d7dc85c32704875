//! Kesu's persistence: one store over SQLite (embedded, single writer with group commit) or
//! PostgreSQL (several processes), with the same schema semantics and the same queries.

pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod clocks;
pub mod complaints;
mod db;
pub mod error;
pub mod idempotency;
pub mod issues;
pub mod money;
pub mod org;
pub mod outbox;
pub mod reports;
pub mod responsibility;
pub mod risks;
pub mod robots;
pub mod rollup;
pub mod sanctions;
pub mod search;
pub mod settings;
pub mod taxonomy;
pub mod users;
pub mod views;
pub mod warnings;
pub mod workflow;

pub use db::{sqlite_path, Backend, Conn, ReadConn, Store, StoreOptions};
pub use error::StoreError;

/// A boxed future borrowing a connection, the shape of every closure given to [`Store::write`].
pub type BoxFut<'a, T> = futures::future::BoxFuture<'a, T>;
