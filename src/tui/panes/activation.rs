//! Pane 1: is the plan activated, on which directive, since when; which
//! posts of the leading group are manned; which communities reported in.
//! Posts and communities are small tables (a dozen rows each), read whole.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Details, Pane, frame_block, inner};
use crate::domain::Code;
use crate::domain::activation::ActivationState;
use crate::domain::time::{age, local_minute, local_short};
use crate::store::StoreError;
use crate::store::activation::{ActivationRow, PostRow};
use crate::store::places::CommunityRow;
use crate::store::supply::TransferGaps;
use crate::tui::feed::Table;
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, bar_over, clean, col, fit, flex_upto, render_rows, row_line};
use crate::tui::theme::Tone;

#[derive(Debug, Clone)]
pub enum ActRow {
    Heading(Section),
    Post(PostRow),
    Community(CommunityRow, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Posts,
    Communities,
}

/// What `m` marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkTarget {
    Post { id: i64, name: String, manned: bool },
    Community { id: i64, name: String },
}

#[derive(Default)]
pub struct ActivationPane {
    pub state: Option<ActivationRow>,
    list: Paged<ActRow>,
    posts_manned: (usize, usize),
    reported: (usize, usize),
    filter: Option<String>,
    transfer_gaps: TransferGaps,
}

/// Names of transfer gaps shown on the pane's gap line; the count says how
/// many more there are.
const GAP_NAMES: i64 = 3;

/// Lines above the list: state, directive, since, counts.
const TOP_LINES: u16 = 4;

fn key(r: &ActRow) -> (u8, i64) {
    match r {
        ActRow::Heading(Section::Posts) => (0, 0),
        ActRow::Heading(Section::Communities) => (1, 0),
        ActRow::Post(p) => (2, p.id),
        ActRow::Community(c, _) => (3, c.id),
    }
}

impl ActivationPane {
    pub fn state(&self) -> ActivationState {
        self.state
            .as_ref()
            .map_or(ActivationState::Normal, |a| a.state)
    }

    pub fn mark_target(&self) -> Option<MarkTarget> {
        match self.list.selected()? {
            ActRow::Post(p) => Some(MarkTarget::Post {
                id: p.id,
                name: p.name.clone(),
                manned: p.manned,
            }),
            ActRow::Community(c, _) => Some(MarkTarget::Community {
                id: c.id,
                name: c.name.clone(),
            }),
            ActRow::Heading(_) => None,
        }
    }

    fn skip_heading(&mut self, down: bool) {
        if matches!(self.list.selected(), Some(ActRow::Heading(_))) {
            let before = self.list.sel;
            self.list.move_by(if down { 1 } else { -1 });
            if matches!(self.list.selected(), Some(ActRow::Heading(_))) || self.list.sel == before {
                self.list.move_by(if down { -1 } else { 1 });
            }
        }
    }
}

fn since_line(a: &ActivationRow, cx: &Cx) -> String {
    let (at, d) = (local_minute(a.since(), cx.tz), age(cx.now - a.since()));
    match cx.lang {
        crate::i18n::Lang::Zh => format!(" 自 {at}（已 {d}）"),
        crate::i18n::Lang::En => format!(" since {at} ({d} ago)"),
    }
}

/// The 附表3 gaps in one line: compounds without an open transfer station,
/// buildings without a transfer point, and the first few names.
fn gap_line<'a>(g: &TransferGaps, cx: &Cx) -> Line<'a> {
    let theme = &cx.theme;
    if g.compounds == 0 && g.buildings == 0 {
        return Line::from(Span::styled(
            format!(
                " ✔ {}",
                cx.t(
                    "转运站点齐全",
                    "every compound and building has its transfer site"
                )
            ),
            theme.tone(Tone::Dim),
        ));
    }
    let mut names: Vec<String> = g
        .compound_rows
        .iter()
        .map(|c| clean(&c.compound).into_owned())
        .collect();
    names.extend(
        g.building_rows
            .iter()
            .map(|b| format!("{}{}", clean(&b.compound), clean(&b.building))),
    );
    // Short enough for the narrow pane of the grid; the names follow.
    let head = format!(
        " ⚠ {} {} {} · {} {}",
        cx.t("转运缺口", "transfer gaps:"),
        cx.t("小区", "compounds"),
        g.compounds,
        cx.t("楼栋", "bldgs"),
        g.buildings,
    );
    Line::from(vec![
        Span::styled(head, theme.tone(Tone::Warn)),
        Span::styled(format!(": {}", names.join("、")), theme.tone(Tone::Dim)),
    ])
}

/// Has the community reported in since the plan was activated?
fn reported_now(c: &CommunityRow, since: Option<DateTime<Utc>>) -> bool {
    c.reported_at
        .is_some_and(|at| since.is_none_or(|s| at >= s))
}

impl Pane for ActivationPane {
    fn id(&self) -> PaneId {
        PaneId::Activation
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Activation, Context::List]
    }

    fn set_area(&mut self, area: Rect) {
        let h = inner(area).height.saturating_sub(TOP_LINES);
        self.list.set_height(h as usize);
    }

    fn is_stale(&self) -> bool {
        self.list.stale
    }

    fn tables(&self) -> &'static [Table] {
        // Transfer gaps: compounds and buildings without a station or point.
        &[
            Table::Activation,
            Table::Post,
            Table::Community,
            Table::Compound,
            Table::Building,
        ]
    }

    fn shows(&self, table: Table, id: i64) -> bool {
        self.list.visible().any(|(_, r)| match r {
            ActRow::Post(p) => table == Table::Post && p.id == id,
            ActRow::Community(c, _) => table == Table::Community && c.id == id,
            ActRow::Heading(_) => false,
        }) || table == Table::Activation
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        if !self.list.stale {
            return Ok(());
        }
        self.state = cx.store.activation()?;
        let since = self
            .state
            .as_ref()
            .filter(|a| a.state == ActivationState::Activated)
            .map(|a| a.since());
        let posts = cx.store.posts()?;
        let communities = cx.store.communities()?;
        self.transfer_gaps = cx.store.transfer_gaps(GAP_NAMES)?;
        self.posts_manned = (posts.iter().filter(|p| p.manned).count(), posts.len());
        self.reported = (
            communities
                .iter()
                .filter(|c| reported_now(c, since))
                .count(),
            communities.len(),
        );
        let mut rows = vec![ActRow::Heading(Section::Posts)];
        rows.extend(
            posts
                .into_iter()
                .filter(|p| {
                    // As the row shows it, its mark read in both languages.
                    let state = if p.manned {
                        "✔ 已到岗 manned"
                    } else {
                        "✘ 未到岗 unmanned not manned"
                    };
                    let by = p.manned_by.as_deref().unwrap_or("");
                    super::row_matches(self.filter.as_deref(), &[&p.name, &p.unit, by, state])
                })
                .map(ActRow::Post),
        );
        rows.push(ActRow::Heading(Section::Communities));
        rows.extend(
            communities
                .into_iter()
                .map(|c| {
                    let r = reported_now(&c, since);
                    (c, r)
                })
                .filter(|(c, r)| {
                    let state = if *r {
                        "✔ 已报到 reported"
                    } else {
                        "… 未报到 not reported"
                    };
                    let by = c.reported_by.as_deref().filter(|_| *r).unwrap_or("");
                    let kind = format!("{} {}", c.kind.label_zh(), c.kind.label_en());
                    super::row_matches(self.filter.as_deref(), &[&c.name, &kind, by, state])
                })
                .map(|(c, r)| ActRow::Community(c, r)),
        );
        let n = rows.len();
        self.list.fill(0, rows, n, true, key);
        self.skip_heading(true);
        Ok(())
    }

    fn invalidate(&mut self) {
        self.list.invalidate();
    }

    fn held(&self) -> (usize, usize) {
        (self.list.rows.len(), self.list.total)
    }

    fn handle(&mut self, cmd: Cmd) -> bool {
        if !self.list.apply_move(cmd) {
            return false;
        }
        // Headings are not rows to act on: step over them.
        let down = !matches!(cmd, Cmd::Up | Cmd::PageUp);
        self.skip_heading(down);
        true
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool) {
        let (m, p) = self.posts_manned;
        let (r, c) = self.reported;
        let note = format!(
            "{} {m}/{p} · {} {r}/{c}",
            cx.t("到岗", "manned"),
            cx.t("报到", "reported")
        );
        let note = match &self.filter {
            Some(flt) => format!("{note} /{}", clean(flt)),
            None => note,
        };
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [top, list] =
            Layout::vertical([Constraint::Length(TOP_LINES), Constraint::Fill(1)]).areas(body);
        let theme = &cx.theme;
        let mut lines: Vec<Line> = Vec::new();
        match &self.state {
            Some(a) if a.state == ActivationState::Activated => {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" ● {} ", cx.t("已激活", "ACTIVATED")),
                        theme.badge(Tone::Bad),
                    ),
                    Span::raw(" "),
                    Span::styled(clean(&a.directive).into_owned(), theme.bold()),
                ]));
                lines.push(Line::from(since_line(a, cx)));
                lines.push(Line::from(format!(
                    " {} {}",
                    cx.t("记录人", "recorded by"),
                    clean(&a.recorded_by)
                )));
            }
            Some(a) => {
                lines.push(Line::from(vec![
                    Span::styled(format!(" ○ {} ", cx.t("平时状态", "NORMAL")), theme.bold()),
                    Span::raw(" "),
                    Span::raw(format!(
                        "{} {}",
                        cx.t("解除指令", "returned by"),
                        clean(&a.directive)
                    )),
                ]));
                lines.push(Line::from(since_line(a, cx)));
                lines.push(Line::from(format!(
                    " {} {}",
                    cx.t("记录人", "recorded by"),
                    clean(&a.recorded_by)
                )));
            }
            None => {
                lines.push(Line::from(Span::styled(
                    format!(
                        " ○ {} ",
                        cx.t("平时状态（从未激活）", "NORMAL (never activated)")
                    ),
                    theme.bold(),
                )));
                lines.push(Line::from(Span::styled(
                    format!(
                        " {}",
                        cx.t(
                            "激活：n 或 :activate 指令文号",
                            "to activate: n or :activate REF"
                        )
                    ),
                    theme.tone(Tone::Dim),
                )));
            }
        }
        lines.push(gap_line(&self.transfer_gaps, cx));
        f.render_widget(Paragraph::new(lines), top);

        let w = list.width.saturating_sub(1) as usize;
        let widths = fit(
            w,
            &[
                col(2, 9),
                col(10, 8),
                flex_upto(10, 20, 3),
                col(11, 6),
                col(8, 2),
            ],
        );
        render_rows(
            f,
            list,
            &self.list,
            focused,
            theme,
            bar_over(&widths, 2),
            |row| match row {
                ActRow::Heading(s) => {
                    let text = match s {
                        Section::Posts => {
                            cx.t("── 领导小组岗位 ──", "── Posts of the leading group ──")
                        }
                        Section::Communities => {
                            cx.t("── 社区（村）报到 ──", "── Communities reported in ──")
                        }
                    };
                    Line::from(Span::styled(text.to_string(), theme.bold()))
                }
                ActRow::Post(p) => {
                    let (mark, tone) = if p.manned {
                        ("✔", Tone::Good)
                    } else {
                        ("✘", Tone::Warn)
                    };
                    row_line(
                        &widths,
                        vec![
                            (mark.into(), theme.tone(tone)),
                            (p.name.clone(), Default::default()),
                            (p.unit.clone(), theme.tone(Tone::Dim)),
                            (
                                p.manned_since
                                    .map(|t| local_short(t, cx.tz))
                                    .unwrap_or_else(|| "—".into()),
                                Default::default(),
                            ),
                            (
                                p.manned_by.clone().unwrap_or_default(),
                                theme.tone(Tone::Dim),
                            ),
                        ],
                    )
                }
                ActRow::Community(c, reported) => {
                    let (mark, tone) = if *reported {
                        ("✔", Tone::Good)
                    } else {
                        ("…", Tone::Warn)
                    };
                    row_line(
                        &widths,
                        vec![
                            (mark.into(), theme.tone(tone)),
                            (c.name.clone(), Default::default()),
                            (c.kind.label(cx.lang).into(), theme.tone(Tone::Dim)),
                            (
                                c.reported_at
                                    .filter(|_| *reported)
                                    .map(|t| local_short(t, cx.tz))
                                    .unwrap_or_else(|| "—".into()),
                                Default::default(),
                            ),
                            (
                                c.reported_by
                                    .clone()
                                    .filter(|_| *reported)
                                    .unwrap_or_default(),
                                theme.tone(Tone::Dim),
                            ),
                        ],
                    )
                }
            },
        );
    }

    fn details(&self, cx: &Cx) -> Option<Details> {
        let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
        let when = |x: Option<DateTime<Utc>>| {
            x.map(|t| local_minute(t, cx.tz))
                .unwrap_or_else(|| "—".into())
        };
        match self.list.selected()? {
            ActRow::Heading(_) => None,
            ActRow::Post(p) => Some(Details {
                title: format!("{} {}", t("岗位", "Post"), p.name),
                lines: vec![
                    (t("岗位", "Post"), p.name.clone()),
                    (t("成员单位", "Member unit"), p.unit.clone()),
                    (
                        t("状态", "State"),
                        if p.manned {
                            t("在岗", "manned")
                        } else {
                            t("未到岗", "not manned")
                        },
                    ),
                    (t("到岗时间", "Manned since"), when(p.manned_since)),
                    (
                        t("记录人", "Recorded by"),
                        p.manned_by.clone().unwrap_or_else(|| "—".into()),
                    ),
                    (
                        t("操作", "Action"),
                        t("按 m 标记到岗/撤岗", "press m to mark manned / stood down"),
                    ),
                ],
            }),
            ActRow::Community(c, reported) => Some(Details {
                title: c.name.clone(),
                lines: vec![
                    (t("名称", "Name"), c.name.clone()),
                    (t("类别", "Kind"), c.kind.label(cx.lang).to_string()),
                    (t("户数", "Households"), c.households.to_string()),
                    (t("常住人口", "Residents"), c.resident_pop.to_string()),
                    (
                        t("流动人口", "Floating population"),
                        c.floating_pop.to_string(),
                    ),
                    (
                        t("联系人", "Contact"),
                        c.contact.clone().unwrap_or_else(|| "—".into()),
                    ),
                    (
                        t("联系电话", "Phone"),
                        c.phone
                            .as_deref()
                            .map(crate::domain::mask::mask_phone)
                            .unwrap_or_else(|| "—".into()),
                    ),
                    (
                        t("本次激活后报到", "Reported in since activation"),
                        if *reported {
                            t("是", "yes")
                        } else {
                            t("否", "no")
                        },
                    ),
                    (t("最近报到", "Last reported"), when(c.reported_at)),
                    (
                        t("记录人", "Recorded by"),
                        c.reported_by.clone().unwrap_or_else(|| "—".into()),
                    ),
                ],
            }),
        }
    }

    fn filter(&self) -> Option<&str> {
        self.filter.as_deref()
    }

    fn set_filter(&mut self, filter: Option<String>) {
        self.filter = filter;
        self.list.invalidate();
        self.list.move_to(0);
    }
}
