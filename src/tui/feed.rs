//! What changed since a console last looked, read from the duty log.
//!
//! The schema lets no state row change without pointing at the newest log
//! entry, and that entry must name the row (`table:id`) or its table
//! (`table`, a bulk change such as an import). So the entries after the
//! last one a console saw name every row that changed since: a pane
//! updates those rows and nothing else, and reads its whole window again
//! only for what it cannot follow row by row (a bulk change, a subject it
//! does not know, more entries than [`FOLLOW_MAX`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::i18n::Lang;
use crate::store::log::LogRow;

/// More new entries than this at once (an import of thousands of rows, a
/// long outage of the link) are not followed one by one: every pane reads
/// again, as a freshly started console would.
pub const FOLLOW_MAX: usize = 500;

/// The state tables a change entry can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Activation,
    Alert,
    Building,
    Community,
    Compound,
    Contact,
    Delivery,
    HandoverItem,
    NormOverride,
    Outlet,
    Pass,
    Post,
    Recipient,
    Shift,
    Staff,
    StockReport,
    SupplyUnit,
    Vehicle,
    Volunteer,
}

impl Table {
    pub fn from_name(s: &str) -> Option<Table> {
        use Table::*;
        Some(match s {
            "activation" => Activation,
            "alert" => Alert,
            "building" => Building,
            "community" => Community,
            "compound" => Compound,
            "contact" => Contact,
            "delivery" => Delivery,
            "handover_item" => HandoverItem,
            "norm_override" => NormOverride,
            "outlet" => Outlet,
            "pass" => Pass,
            "post" => Post,
            "recipient" => Recipient,
            "shift" => Shift,
            "staff" => Staff,
            "stock_report" => StockReport,
            "supply_unit" => SupplyUnit,
            "vehicle" => Vehicle,
            "volunteer" => Volunteer,
            _ => return None,
        })
    }
}

/// What one entry's subject names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A free-text entry (note, call, instruction): no state row.
    None,
    Row(Table, i64),
    Bulk(Table),
    /// A subject this program does not know (a newer version wrote it).
    Unknown,
}

impl Subject {
    pub fn parse(s: Option<&str>) -> Subject {
        let Some(s) = s else { return Subject::None };
        match s.split_once(':') {
            Some((t, id)) => match (Table::from_name(t), id.parse::<i64>()) {
                (Some(t), Ok(id)) => Subject::Row(t, id),
                _ => Subject::Unknown,
            },
            None => Table::from_name(s).map_or(Subject::Unknown, Subject::Bulk),
        }
    }
}

/// The changes a batch of new entries stands for.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// The new entries, oldest first.
    pub entries: Vec<LogRow>,
    /// The log's newest entry after them.
    pub head: i64,
    /// Rows changed, by table.
    pub rows: BTreeMap<Table, BTreeSet<i64>>,
    /// Tables changed in bulk.
    pub bulk: BTreeSet<Table>,
    /// Something no pane can follow: every pane reads again.
    pub everything: bool,
}

impl Changes {
    pub fn of(entries: Vec<LogRow>) -> Changes {
        let mut c = Changes {
            head: entries.last().map_or(0, |e| e.seq),
            ..Changes::default()
        };
        for e in &entries {
            match Subject::parse(e.subject.as_deref()) {
                Subject::None => {}
                Subject::Row(t, id) => {
                    c.rows.entry(t).or_default().insert(id);
                }
                Subject::Bulk(t) => {
                    c.bulk.insert(t);
                }
                Subject::Unknown => c.everything = true,
            }
        }
        c.entries = entries;
        c
    }

    /// Every pane reads again (the clock, a migration, too many entries).
    pub fn everything() -> Changes {
        Changes {
            everything: true,
            ..Changes::default()
        }
    }

    /// The ids of `table`'s rows that changed one by one.
    pub fn ids(&self, table: Table) -> Vec<i64> {
        self.rows
            .get(&table)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether `table` changed in bulk (or everything must be read).
    pub fn bulk(&self, table: Table) -> bool {
        self.everything || self.bulk.contains(&table)
    }

    /// Whether any of `tables` changed in any way.
    pub fn touches(&self, tables: &[Table]) -> bool {
        self.everything
            || tables
                .iter()
                .any(|t| self.bulk.contains(t) || self.rows.contains_key(t))
    }

    pub fn is_empty(&self) -> bool {
        !self.everything && self.entries.is_empty()
    }
}

/// An entry as a line of the flash that tells an officer what another
/// session just did to a row on screen: who, then what. The one place
/// that turns a stored entry into this line.
pub fn entry_line(e: &LogRow, lang: Lang) -> String {
    let line = e.line(lang);
    let text = crate::domain::text::sanitize(&line);
    let officer = crate::domain::text::sanitize(&e.officer);
    format!("{officer} {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_rows_tables_or_nothing() {
        assert_eq!(Subject::parse(None), Subject::None);
        assert_eq!(
            Subject::parse(Some("pass:42")),
            Subject::Row(Table::Pass, 42)
        );
        assert_eq!(
            Subject::parse(Some("stock_report")),
            Subject::Bulk(Table::StockReport)
        );
        assert_eq!(Subject::parse(Some("pass:x")), Subject::Unknown);
        assert_eq!(Subject::parse(Some("gadget:1")), Subject::Unknown);
    }
}
