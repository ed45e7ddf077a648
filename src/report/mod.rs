//! Reports made from the store: the handover report of a shift, as
//! Markdown for people and JSON for programs.

pub mod handover;

pub use handover::{Report, ReportOptions, Which};
