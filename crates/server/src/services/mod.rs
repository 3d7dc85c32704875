//! Use-cases: each one a single transaction (load → domain decision → save events and outbox).

pub mod analysis;
pub mod attachments;
pub mod auth;
pub mod bootstrap;
pub mod calendar;
pub mod casefile;
pub mod clocks;
pub mod complaints;
pub mod deliver;
pub mod hours;
pub mod letter;
pub mod me;
pub mod pdf;
pub mod public;
pub mod reports;
pub mod robots;
pub mod search;
pub mod settings;
pub mod sweep;
pub mod users;
pub mod view;
pub mod warnings;
pub mod workflow;
