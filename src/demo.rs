//! Deterministic, realistic demo data. (Being built: see issue 2.)

use crate::store::{Actor, Result, Store};

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Multiplies the volume (1 = about 15 communities, 200 vehicles, …).
    pub scale: u32,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { scale: 1, seed: 2022 }
    }
}

/// What was made, for the command's output.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoSummary {
    pub communities: usize,
    pub compounds: usize,
    pub units: usize,
    pub vehicles: usize,
    pub passes: usize,
    pub recipients: usize,
    pub deliveries: usize,
    pub alerts: usize,
    pub log_entries: i64,
}

/// Fills an empty database. Refuses a database that already has records.
pub fn generate(_store: &mut Store, _actor: &Actor, _opts: DemoOptions) -> Result<DemoSummary> {
    Ok(DemoSummary::default())
}
