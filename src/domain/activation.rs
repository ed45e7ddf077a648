//! Activation of the plan (触发激活, 平急转换): dormant in normal times, activated
//! "at once" on a directive of the district command, returned to normal by a
//! later directive. Both ways need the directive's reference.

use super::machine::{self, Forbidden};
use crate::code_enum;

code_enum! {
    pub enum ActivationState {
        Normal => ("normal", "平时", "Normal", ["平时状态", "dormant"]),
        Activated => ("activated", "已激活", "Activated", ["激活", "active", "应急"]),
    }
}

code_enum! {
    pub enum ActivationAction {
        Activate => ("activate", "激活", "Activate", []),
        Deactivate => ("deactivate", "解除", "Deactivate", ["恢复平时"]),
    }
}

pub const TRANSITIONS: &[(ActivationState, ActivationAction, ActivationState)] = &[
    (
        ActivationState::Normal,
        ActivationAction::Activate,
        ActivationState::Activated,
    ),
    (
        ActivationState::Activated,
        ActivationAction::Deactivate,
        ActivationState::Normal,
    ),
];

pub fn step(
    from: ActivationState,
    action: ActivationAction,
) -> Result<ActivationState, Forbidden<ActivationState, ActivationAction>> {
    machine::step(TRANSITIONS, from, action)
}

/// The longest directive reference kept (e.g. `联控指挥部〔2022〕60号`).
pub const DIRECTIVE_MAX_CHARS: usize = 120;

/// Checks a directive reference: required, single line, not too long.
pub fn check_directive(reference: &str) -> Result<String, DirectiveError> {
    let r = reference.trim();
    if r.is_empty() {
        return Err(DirectiveError::Missing);
    }
    if r.chars().count() > DIRECTIVE_MAX_CHARS {
        return Err(DirectiveError::TooLong);
    }
    if r.chars().any(char::is_control) {
        return Err(DirectiveError::ControlCharacters);
    }
    Ok(r.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveError {
    Missing,
    TooLong,
    ControlCharacters,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;

    #[test]
    fn every_transition_is_as_the_table_says() {
        for &from in ActivationState::ALL {
            for &action in ActivationAction::ALL {
                let expected = match (from, action) {
                    (ActivationState::Normal, ActivationAction::Activate) => {
                        Some(ActivationState::Activated)
                    }
                    (ActivationState::Activated, ActivationAction::Deactivate) => {
                        Some(ActivationState::Normal)
                    }
                    _ => None,
                };
                assert_eq!(step(from, action).ok(), expected, "{from:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_directive_is_required_both_ways() {
        assert_eq!(check_directive("  "), Err(DirectiveError::Missing));
        assert_eq!(
            check_directive(" 联控指挥部〔2022〕60号 ").as_deref(),
            Ok("联控指挥部〔2022〕60号")
        );
        assert_eq!(
            check_directive("a\nb"),
            Err(DirectiveError::ControlCharacters)
        );
        assert_eq!(
            check_directive(&"号".repeat(DIRECTIVE_MAX_CHARS + 1)),
            Err(DirectiveError::TooLong)
        );
    }
}
