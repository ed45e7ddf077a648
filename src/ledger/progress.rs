//! A progress bar on stderr for long imports and exports, only when
//! stderr is a terminal: a pipe or a log file gets no bar characters.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::i18n::Lang;
use crate::store::ledger::{Phase, Progress};

/// Runs shorter than this many rows finish before a bar would help.
const MIN_ROWS: u64 = 2000;

pub struct Bar {
    bar: Option<ProgressBar>,
    lang: Lang,
}

impl Bar {
    /// A bar when stderr is a terminal, otherwise nothing at all.
    pub fn on_stderr(lang: Lang) -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            // Hidden until a phase long enough to be worth a bar starts.
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} {eta}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        Bar { bar, lang }
    }

    /// No bar (tests, small runs).
    pub fn hidden() -> Bar {
        Bar {
            bar: None,
            lang: Lang::default(),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// A plain counter for the export writers.
    pub fn tick(&self, n: u64) {
        self.advance(n);
    }
}

impl Progress for Bar {
    fn start(&self, phase: Phase, len: u64) {
        let Some(b) = &self.bar else { return };
        b.set_draw_target(ProgressDrawTarget::hidden());
        let label = match phase {
            Phase::Reading => self.lang.t("读取", "reading"),
            Phase::Checking => self.lang.t("核对", "checking"),
            Phase::Writing => self.lang.t("写入", "writing"),
        };
        b.reset();
        b.set_length(len);
        b.set_message(label.to_string());
        if len >= MIN_ROWS {
            b.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
