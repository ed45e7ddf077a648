//! Colours, or none. Everything that matters reads without colour too:
//! the selection is reverse video, severity is bold plus a symbol (`!!!`),
//! the focused pane has a thick border. Colour only adds emphasis.

use ratatui::style::{Color, Modifier, Style};

use super::glyphs::Glyphs;
use crate::domain::alert::Severity;
use crate::domain::delivery::Urgency;
use crate::domain::pass::PassStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Theme {
    pub mono: bool,
    /// Box drawing and symbols, or ASCII for a terminal that draws East
    /// Asian ambiguous characters two cells wide.
    pub glyphs: Glyphs,
}

/// How loud a piece of text is; mapped to colours or to attributes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Dim,
    Good,
    Warn,
    Bad,
}

impl Theme {
    /// Monochrome when the config says so or `NO_COLOR` is set (to anything
    /// but the empty string, as no-color.org asks).
    pub fn from_env(config_monochrome: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            mono: config_monochrome || no_color,
            glyphs: Glyphs::default(),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.mono {
            Style::new()
        } else {
            Style::new().fg(c)
        }
    }

    pub fn tone(&self, t: Tone) -> Style {
        match t {
            Tone::Normal => Style::new(),
            Tone::Dim => {
                if self.mono {
                    Style::new()
                } else {
                    Style::new().fg(Color::DarkGray)
                }
            }
            Tone::Good => self.fg(Color::Green),
            Tone::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.tone(Tone::Dim)
        }
    }

    pub fn header(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().bg(Color::Blue).fg(Color::White)
        }
    }

    /// Something that must not be missed (ACTIVATED, READ-ONLY): reverse
    /// video in both modes.
    pub fn badge(&self, t: Tone) -> Style {
        let base = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        match (self.mono, t) {
            (true, _) => base,
            (false, Tone::Bad) => Style::new()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            (false, Tone::Warn) => Style::new()
                .bg(Color::Yellow)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            (false, Tone::Good) => Style::new()
                .bg(Color::Green)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            (false, _) => base,
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        self.tone(severity_tone(s))
    }

    pub fn urgency(&self, u: Urgency) -> Style {
        self.tone(match u {
            Urgency::Urgent => Tone::Bad,
            Urgency::High => Tone::Warn,
            Urgency::Normal => Tone::Normal,
        })
    }

    pub fn pass_status(&self, s: PassStatus) -> Style {
        self.tone(pass_tone(s))
    }
}

pub fn severity_tone(s: Severity) -> Tone {
    match s {
        Severity::Critical => Tone::Bad,
        Severity::High => Tone::Warn,
        Severity::Medium | Severity::Low => Tone::Normal,
    }
}

pub fn pass_tone(s: PassStatus) -> Tone {
    match s {
        PassStatus::Valid => Tone::Good,
        PassStatus::ExpiringSoon | PassStatus::NotYetValid | PassStatus::Requested => Tone::Warn,
        PassStatus::Expired | PassStatus::Suspended | PassStatus::Revoked => Tone::Bad,
    }
}
