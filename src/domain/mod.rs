//! Pure types and rules of the plan. Nothing here does I/O.

pub mod activation;
pub mod alert;
pub mod codes;
pub mod cover;
pub mod delivery;
pub mod grams;
pub mod log;
pub mod log_text;
pub mod machine;
pub mod mask;
pub mod pass;
pub mod pick;
pub mod place;
pub mod plate;
pub mod scrub;
pub mod shift;
pub mod text;
pub mod time;
pub mod unit;

pub use codes::Code;
