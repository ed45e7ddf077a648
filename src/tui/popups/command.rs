//! The `:` command line and the `/` filter line, both typed in the footer.
//! The command line keeps a history (↑/↓) and completes with Tab: command
//! words first, then community names, item classes, severities, plates.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::form::skip_width;
use crate::domain::text::sanitize;
use crate::tui::theme::{Theme, Tone};

#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub input: Input,
    /// Position in the history while browsing it with ↑/↓.
    pub hist_pos: Option<usize>,
    /// What was typed before browsing the history.
    pub draft: String,
    pub comp: Option<Completion>,
}

/// Tab cycles through `options` for the word after `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub head: String,
    pub options: Vec<String>,
    pub idx: usize,
}

impl CommandLine {
    pub fn set(&mut self, text: &str) {
        self.input = Input::new(text.to_string());
    }

    /// Browses the history: `back` goes to older commands.
    pub fn history(&mut self, history: &[String], back: bool) {
        if history.is_empty() {
            return;
        }
        let pos = match (self.hist_pos, back) {
            (None, true) => {
                self.draft = self.input.value().to_string();
                Some(history.len() - 1)
            }
            (None, false) => None,
            (Some(0), true) => Some(0),
            (Some(i), true) => Some(i - 1),
            (Some(i), false) if i + 1 < history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        self.hist_pos = pos;
        let text = match pos {
            Some(i) => history[i].clone(),
            None => self.draft.clone(),
        };
        self.set(&text);
    }

    /// Applies the next completion; `options` is asked for only when a new
    /// completion starts (the word before the cursor changed).
    pub fn complete(&mut self, options: impl FnOnce(&str, usize, &str) -> Vec<String>) {
        if let Some(c) = &mut self.comp
            && !c.options.is_empty()
        {
            c.idx = (c.idx + 1) % c.options.len();
            let text = format!("{}{}", c.head, c.options[c.idx]);
            self.input = Input::new(text);
            return;
        }
        let value = self.input.value().to_string();
        // The word being completed starts after the last space.
        let cut = value.rfind(' ').map_or(0, |i| i + 1);
        let (head, word) = value.split_at(cut);
        let first = head.split_whitespace().next().unwrap_or("").to_string();
        let arg_index = head.split_whitespace().count();
        // The provider filters: plates match in normalised form, not by prefix.
        let opts: Vec<String> = options(&first, arg_index, word);
        if opts.is_empty() {
            return;
        }
        let text = format!("{head}{}", opts[0]);
        self.input = Input::new(text);
        self.comp = Some(Completion {
            head: head.to_string(),
            options: opts,
            idx: 0,
        });
    }

    /// Any edit ends a completion.
    pub fn edited(&mut self) {
        self.comp = None;
        self.hist_pos = None;
    }
}

/// Draws `prompt` and the field in the footer row, and the completion
/// choices in the row above it.
pub fn render_line(
    f: &mut Frame,
    footer: Rect,
    prompt: &str,
    input: &Input,
    comp: Option<&Completion>,
    theme: &Theme,
) {
    if footer.width == 0 || footer.height == 0 {
        return;
    }
    f.render_widget(Clear, footer);
    let w = footer.width as usize;
    let field_w = w.saturating_sub(prompt.width() + 1).max(1);
    let scroll = input.visual_scroll(field_w);
    let text = skip_width(&sanitize(input.value()), scroll);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt.to_string(), theme.bold()),
            Span::raw(text),
        ])),
        footer,
    );
    let x = prompt.width() + input.visual_cursor().saturating_sub(scroll);
    f.set_cursor_position(Position::new(
        footer.x + (x as u16).min(footer.width - 1),
        footer.y,
    ));
    if let Some(c) = comp
        && c.options.len() > 1
        && footer.y > 0
    {
        let row = Rect {
            y: footer.y - 1,
            height: 1,
            ..footer
        };
        let mut spans = Vec::new();
        for (i, o) in c.options.iter().enumerate() {
            let s = format!(" {} ", sanitize(o));
            spans.push(Span::styled(
                s,
                if i == c.idx {
                    theme.selected()
                } else {
                    theme.tone(Tone::Normal)
                },
            ));
        }
        let line = Line::from(spans);
        f.render_widget(Clear, row);
        f.render_widget(Paragraph::new(line), row);
    }
}
