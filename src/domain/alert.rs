//! Shortage alerts: a community (and perhaps a compound) runs short of an
//! item class. open → acknowledged → in progress → resolved | cancelled.

use super::machine::{self, Forbidden};
use crate::code_enum;

code_enum! {
    /// The item classes of the plan's living supplies.
    pub enum ItemClass {
        Grain => ("grain", "粮", "Grain", ["rice", "flour", "粮食", "米面"]),
        Oil => ("oil", "油", "Oil", ["食用油", "粮油"]),
        Meat => ("meat", "肉", "Meat", ["pork", "肉类", "猪肉"]),
        Vegetables => ("vegetables", "菜", "Vegetables", ["veg", "vegetable", "蔬菜"]),
        EggsMilk => ("eggs_milk", "蛋奶", "Eggs & milk", ["eggs", "milk", "egg", "蛋", "奶", "eggs-milk", "eggsmilk"]),
        Medicine => ("medicine", "药品", "Medicine", ["drugs", "meds", "药"]),
        InfantFormula => ("infant_formula", "婴幼儿奶粉", "Infant formula", ["formula", "奶粉", "infant-formula"]),
        Protective => ("protective", "防护用品", "Protective supplies", ["ppe", "防护", "protective-supplies"]),
        Other => ("other", "其他", "Other", ["其它"]),
    }
}

code_enum! {
    pub enum Severity {
        Critical => ("critical", "紧急", "Critical", ["crit", "p1", "特急", "严重"]),
        High => ("high", "高", "High", ["p2", "较重"]),
        Medium => ("medium", "中", "Medium", ["med", "p3", "一般"]),
        Low => ("low", "低", "Low", ["p4", "轻微"]),
    }
}

impl Severity {
    /// A symbol that reads without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Critical => "!!!",
            Severity::High => "!! ",
            Severity::Medium => "!  ",
            Severity::Low => "·  ",
        }
    }
}

code_enum! {
    pub enum AlertState {
        Open => ("open", "待处理", "Open", ["new", "新"]),
        Acknowledged => ("acknowledged", "已确认", "Acknowledged", ["ack", "确认"]),
        InProgress => ("in_progress", "处理中", "In progress", ["dispatched", "处置中"]),
        Resolved => ("resolved", "已解决", "Resolved", ["done", "closed", "解决"]),
        Cancelled => ("cancelled", "已撤销", "Cancelled", ["canceled", "撤销", "取消"]),
    }
}

impl AlertState {
    pub fn is_open(self) -> bool {
        !matches!(self, AlertState::Resolved | AlertState::Cancelled)
    }
}

code_enum! {
    pub enum AlertAction {
        Acknowledge => ("acknowledge", "确认", "Acknowledge", ["ack"]),
        Dispatch => ("dispatch", "派单", "Dispatch", ["分派"]),
        Resolve => ("resolve", "解决", "Resolve", []),
        Cancel => ("cancel", "撤销", "Cancel", []),
        // The cover forecast's own: a predicted alert nobody took over,
        // closed because cover recovered. No key or command offers it.
        Clear => ("clear", "自动解除", "Clear automatically", []),
    }
}

impl AlertAction {
    /// Resolving and cancelling need an outcome text.
    pub fn needs_resolution(self) -> bool {
        matches!(self, AlertAction::Resolve | AlertAction::Cancel)
    }
}

use AlertAction as A;
use AlertState as S;

pub const TRANSITIONS: &[(AlertState, AlertAction, AlertState)] = &[
    (S::Open, A::Acknowledge, S::Acknowledged),
    (S::Open, A::Dispatch, S::InProgress),
    (S::Open, A::Cancel, S::Cancelled),
    (S::Open, A::Clear, S::Resolved),
    (S::Acknowledged, A::Dispatch, S::InProgress),
    (S::Acknowledged, A::Resolve, S::Resolved),
    (S::Acknowledged, A::Cancel, S::Cancelled),
    (S::InProgress, A::Dispatch, S::InProgress),
    (S::InProgress, A::Resolve, S::Resolved),
    (S::InProgress, A::Cancel, S::Cancelled),
];

pub fn step(
    from: AlertState,
    action: AlertAction,
) -> Result<AlertState, Forbidden<AlertState, AlertAction>> {
    machine::step(TRANSITIONS, from, action)
}

/// Households affected: a count that fits a sub-district.
pub const MAX_HOUSEHOLDS: i64 = 1_000_000;

/// Households affected as people write them: `40`, `40户`, `约40户`,
/// `40户左右`, `1,200`, full-width `４０` — all a whole number of
/// households (an "about" keeps the number). `None` for anything else:
/// a range, a fraction, a word, a negative count.
pub fn parse_households(input: &str) -> Option<i64> {
    let folded = crate::domain::text::fold_width(input);
    let mut t = folded.trim();
    for about in ["大约", "约有", "约", "近"] {
        if let Some(rest) = t.strip_prefix(about) {
            t = rest.trim_start();
            break;
        }
    }
    t = t.strip_suffix("左右").map_or(t, str::trim_end);
    for unit in ["户居民", "户", "家"] {
        if let Some(rest) = t.strip_suffix(unit) {
            t = rest.trim_end();
            break;
        }
    }
    let digits = t.replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;

    fn expected(from: AlertState, action: AlertAction) -> Option<AlertState> {
        match (from, action) {
            (S::Open, A::Acknowledge) => Some(S::Acknowledged),
            (S::Open | S::Acknowledged | S::InProgress, A::Dispatch) => Some(S::InProgress),
            (S::Acknowledged | S::InProgress, A::Resolve) => Some(S::Resolved),
            (S::Open | S::Acknowledged | S::InProgress, A::Cancel) => Some(S::Cancelled),
            (S::Open, A::Clear) => Some(S::Resolved),
            _ => None,
        }
    }

    #[test]
    fn every_pair_of_state_and_action() {
        for &from in AlertState::ALL {
            for &action in AlertAction::ALL {
                assert_eq!(
                    step(from, action).ok(),
                    expected(from, action),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn households_as_people_write_them() {
        for (typed, n) in [
            ("40", 40),
            ("40户", 40),
            ("约40户", 40),
            ("约 40 户", 40),
            ("大约40户", 40),
            ("40户左右", 40),
            ("４０", 40),
            ("约４０户", 40),
            ("1,200", 1200),
            ("１，２００户", 1200),
            ("0", 0),
        ] {
            assert_eq!(parse_households(typed), Some(n), "{typed}");
        }
        for typed in ["", "户", "四十", "40-50", "4.5", "-3", "约", "40人"] {
            assert_eq!(parse_households(typed), None, "{typed}");
        }
    }

    #[test]
    fn closed_alerts_accept_nothing() {
        for s in [S::Resolved, S::Cancelled] {
            assert!(machine::allowed(TRANSITIONS, s).is_empty());
            assert!(!s.is_open());
        }
    }

    #[test]
    fn item_and_severity_names_in_both_languages() {
        assert_eq!(ItemClass::parse("蔬菜"), Some(ItemClass::Vegetables));
        assert_eq!(ItemClass::parse("菜"), Some(ItemClass::Vegetables));
        assert_eq!(
            ItemClass::parse(" Infant formula "),
            Some(ItemClass::InfantFormula)
        );
        assert_eq!(ItemClass::parse("奶粉"), Some(ItemClass::InfantFormula));
        assert_eq!(ItemClass::parse("GRAIN"), Some(ItemClass::Grain));
        assert_eq!(ItemClass::parse("bread"), None);
        assert_eq!(Severity::parse("紧急"), Some(Severity::Critical));
        assert_eq!(Severity::parse("High"), Some(Severity::High));
        assert_eq!(Severity::parse("urgent-ish"), None);
        assert_eq!(ItemClass::from_code("eggs_milk"), Some(ItemClass::EggsMilk));
    }
}
