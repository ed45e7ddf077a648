//! supplydesk: the duty-desk console of a sub-district's emergency
//! living-supplies guarantee plan.
//!
//! `domain` holds pure types and rules, `store` the SQLite file and the one
//! door every change goes through, `tui` the console, `report` the handover
//! report; `cli` and `main.rs` wire them together.

pub mod backups;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod domain;
pub mod i18n;
pub mod ledger;
pub mod msg;
pub mod notify;
pub mod report;
pub mod store;
pub mod tui;
