//! Passes (前置许可, 绿色通道): vehicle passes, staff work certificates and
//! business permits. The stored state follows requested → issued ⇄
//! suspended, issued | suspended → revoked; *expired* and *expiring soon*
//! are derived from the validity window, never stored.

use chrono::{DateTime, Duration, Utc};

use super::machine::{self, Forbidden};
use crate::code_enum;

code_enum! {
    pub enum PassKind {
        Vehicle => ("vehicle", "车辆通行证", "Vehicle pass", ["车辆", "通行证", "car"]),
        Staff => ("staff", "工作人员证明", "Staff work certificate", ["人员", "工作证明", "person"]),
        Business => ("business", "营业许可", "Business permit", ["营业", "permit", "许可"]),
    }
}

code_enum! {
    /// What is stored.
    pub enum PassState {
        Requested => ("requested", "待审批", "Requested", ["申请", "待审核", "审批中", "申请中"]),
        Issued => ("issued", "已发放", "Issued", ["发放", "valid", "有效", "已发证", "已办理", "正常"]),
        Suspended => ("suspended", "已暂停", "Suspended", ["暂停", "停用", "暂停使用"]),
        Revoked => ("revoked", "已吊销", "Revoked", ["吊销", "收回", "作废", "已作废", "注销", "已注销", "已收回"]),
    }
}

code_enum! {
    pub enum PassAction {
        Issue => ("issue", "发放", "Issue", []),
        Suspend => ("suspend", "暂停", "Suspend", []),
        Reinstate => ("reinstate", "恢复", "Reinstate", []),
        Revoke => ("revoke", "吊销", "Revoke", []),
        Extend => ("extend", "延期", "Extend", []),
    }
}

use PassAction as A;
use PassState as S;

pub const TRANSITIONS: &[(PassState, PassAction, PassState)] = &[
    (S::Requested, A::Issue, S::Issued),
    // A request can be refused outright.
    (S::Requested, A::Revoke, S::Revoked),
    (S::Issued, A::Suspend, S::Suspended),
    (S::Suspended, A::Reinstate, S::Issued),
    (S::Issued, A::Revoke, S::Revoked),
    (S::Suspended, A::Revoke, S::Revoked),
    (S::Issued, A::Extend, S::Issued),
    (S::Suspended, A::Extend, S::Suspended),
];

pub fn step(
    from: PassState,
    action: PassAction,
) -> Result<PassState, Forbidden<PassState, PassAction>> {
    machine::step(TRANSITIONS, from, action)
}

code_enum! {
    /// What a checkpoint needs to know, derived from the stored state and
    /// the window at a given moment. Ordered best first.
    pub enum PassStatus {
        Valid => ("valid", "有效", "VALID", []),
        ExpiringSoon => ("expiring", "即将到期", "EXPIRING", ["expiring_soon"]),
        NotYetValid => ("not_yet_valid", "未生效", "NOT YET VALID", []),
        Requested => ("requested", "待审批", "REQUESTED", []),
        Expired => ("expired", "已过期", "EXPIRED", []),
        Suspended => ("suspended", "已暂停", "SUSPENDED", []),
        Revoked => ("revoked", "已吊销", "REVOKED", []),
    }
}

impl PassStatus {
    /// May the holder pass now?
    pub fn lets_through(self) -> bool {
        matches!(self, PassStatus::Valid | PassStatus::ExpiringSoon)
    }

    /// A symbol that reads without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            PassStatus::Valid => "✔",
            PassStatus::ExpiringSoon => "⌛",
            PassStatus::NotYetValid | PassStatus::Requested => "…",
            PassStatus::Expired | PassStatus::Suspended | PassStatus::Revoked => "✘",
        }
    }
}

/// The status of a pass at `now`, given the warning window for expiry.
pub fn status(
    state: PassState,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    now: DateTime<Utc>,
    warn: Duration,
) -> PassStatus {
    match state {
        S::Requested => PassStatus::Requested,
        S::Suspended => PassStatus::Suspended,
        S::Revoked => PassStatus::Revoked,
        S::Issued if now >= valid_until => PassStatus::Expired,
        S::Issued if now < valid_from => PassStatus::NotYetValid,
        S::Issued if valid_until - now <= warn => PassStatus::ExpiringSoon,
        S::Issued => PassStatus::Valid,
    }
}

/// Checks a validity window.
pub fn check_window(from: DateTime<Utc>, until: DateTime<Utc>) -> Result<(), WindowError> {
    if until <= from {
        Err(WindowError::EndsBeforeStart)
    } else if until - from > Duration::days(366) {
        Err(WindowError::TooLong)
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowError {
    EndsBeforeStart,
    TooLong,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;
    use chrono::TimeZone;

    fn expected(from: PassState, action: PassAction) -> Option<PassState> {
        match (from, action) {
            (S::Requested, A::Issue) => Some(S::Issued),
            (S::Issued, A::Suspend) => Some(S::Suspended),
            (S::Suspended, A::Reinstate) => Some(S::Issued),
            (S::Requested | S::Issued | S::Suspended, A::Revoke) => Some(S::Revoked),
            (S::Issued, A::Extend) => Some(S::Issued),
            (S::Suspended, A::Extend) => Some(S::Suspended),
            _ => None,
        }
    }

    #[test]
    fn every_pair_of_state_and_action() {
        for &from in PassState::ALL {
            for &action in PassAction::ALL {
                assert_eq!(
                    step(from, action).ok(),
                    expected(from, action),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn status_follows_the_window() {
        let t = |h: i64| Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap() + Duration::hours(h);
        let warn = Duration::hours(24);
        let (from, until) = (t(0), t(100));
        assert_eq!(
            status(S::Issued, from, until, t(-1), warn),
            PassStatus::NotYetValid
        );
        assert_eq!(
            status(S::Issued, from, until, t(0), warn),
            PassStatus::Valid
        );
        assert_eq!(
            status(S::Issued, from, until, t(75), warn),
            PassStatus::Valid
        );
        assert_eq!(
            status(S::Issued, from, until, t(76), warn),
            PassStatus::ExpiringSoon
        );
        assert_eq!(
            status(S::Issued, from, until, t(99), warn),
            PassStatus::ExpiringSoon
        );
        assert_eq!(
            status(S::Issued, from, until, t(100), warn),
            PassStatus::Expired
        );
        assert_eq!(
            status(S::Suspended, from, until, t(5), warn),
            PassStatus::Suspended
        );
        assert_eq!(
            status(S::Revoked, from, until, t(5), warn),
            PassStatus::Revoked
        );
        assert_eq!(
            status(S::Requested, from, until, t(5), warn),
            PassStatus::Requested
        );
        assert!(PassStatus::ExpiringSoon.lets_through());
        assert!(!PassStatus::Expired.lets_through());
        assert!(!PassStatus::NotYetValid.lets_through());
    }

    #[test]
    fn windows() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(check_window(a, a), Err(WindowError::EndsBeforeStart));
        assert_eq!(
            check_window(a, a + Duration::days(400)),
            Err(WindowError::TooLong)
        );
        assert_eq!(check_window(a, a + Duration::days(7)), Ok(()));
    }
}
