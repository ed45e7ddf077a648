//! Corrections: a wrong duty-log entry is never changed; a new entry
//! points at it (`corrects`), and readers show the old one as corrected.

use super::{Actor, Result, Store, StoreError};
use crate::domain::log::LogKind;
use crate::msg;

impl Store {
    /// Writes a correction of entry `seq`: a new note whose `corrects` is
    /// `seq`. Refuses an entry that does not exist, and an entry that was
    /// already corrected (correct the correction instead, so the chain of
    /// corrections stays a line).
    pub fn correct_entry(&mut self, actor: &Actor, seq: i64, text: &str) -> Result<i64> {
        let Some(old) = self.entry(seq)? else {
            return Err(StoreError::NotFound(msg!(
                "没有第 {seq} 号记录，无法更正；请检查记录号。",
                "There is no entry number {seq} to correct; check the number."
            )));
        };
        if let Some(by) = old.corrected_by {
            return Err(StoreError::Refused(msg!(
                "第 {seq} 号记录已由第 {by} 号更正；如需再改，请更正第 {by} 号。",
                "Entry {seq} was already corrected by entry {by}; to change it again, correct entry {by}."
            )));
        }
        self.add_entry(actor, LogKind::Note, text, None, Some(seq))
    }
}
