//! The supply picture from the console (issue 7): a stock report (`:stock`,
//! `i` in the alerts pane), a market report for 市场监管所 (`:market`), a
//! call or visit to a recipient (`:contact`, `c` in the queue pane, Enter
//! in the reach popup), and the popup of coverage gaps and welfare checks
//! (`:reach`, `w` in the queue pane). The forms are checked field by field
//! here; the store has the last word, and its refusal is the form's error.

use crate::tui::panes::queue::REACH_EVERY;

use super::actions::{Refusal, at, form_optional_line, form_text};
use super::{App, Level};
use crate::domain::Code;
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::cover::{self, ContactChannel, Cover, MARKET_HANDLER, MarketKind};
use crate::domain::text::sanitize;
use crate::msg;
use crate::msg::Msg;
use crate::store::StoreError;
use crate::store::fields::{self, TEXT_MAX_CHARS};
use crate::store::places::{Ref, SupplyUnitRow};
use crate::store::supply::{
    MarketTarget, NewContact, NewMarketReport, NewStockReport, PredictedChange, StockSource,
    quantity,
};
use crate::tui::keys::PaneId;
use crate::tui::popups::form::{Choice, REACHED};
use crate::tui::popups::reach::{self, ReachView};
use crate::tui::popups::{Form, FormKind, Popup};

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

/// The fields whose note depends on field `i` of a form of `kind`.
pub(super) fn dependents(kind: FormKind, i: usize) -> &'static [usize] {
    match (kind, i) {
        // A station is looked up in the community; the measure is the item's.
        (FormKind::Stock, 0) => &[5],
        (FormKind::Stock, 1) => &[2, 3],
        // The default severity is the kind's; the default community the unit's.
        (FormKind::Market, 0) => &[4],
        (FormKind::Market, 1) => &[2],
        _ => &[],
    }
}

/// A typed quantity, checked: what was wrong, in one sentence.
fn amount(input: &str, what_zh: &str, what_en: &str) -> Result<f64, Msg> {
    let s = clean(input.trim());
    let v = cover::parse_quantity(input).ok_or_else(|| {
        msg!(
            "{what_zh}“{s}”不是数量；请写成 3200、3200kg、3.2t 或 500斤 这样的形式。",
            "The {what_en} \"{s}\" is not a quantity; write it like 3200, 3200kg, 3.2t or 500斤."
        )
    })?;
    if !(0.0..=cover::MAX_QUANTITY).contains(&v) {
        let max = quantity(cover::MAX_QUANTITY);
        return Err(msg!(
            "{what_zh}“{s}”超出范围；请填 0 到 {max} 之间的数量。",
            "The {what_en} \"{s}\" is out of range; give a quantity from 0 to {max}."
        ));
    }
    Ok(v)
}

/// The choice a field names, or why not. `what` names the field.
fn chosen<T: Code>(form: &Form, i: usize, what: (&str, &str)) -> Result<Option<T>, Msg> {
    let v = form.value(i);
    if v.is_empty() {
        return Ok(None);
    }
    let by_choice = form
        .fields
        .get(i)
        .and_then(|f| f.chosen())
        .and_then(|c| T::from_code(c.code));
    match by_choice.or_else(|| T::parse(v)) {
        Some(x) => Ok(Some(x)),
        None => {
            let (t, zh, en) = (clean(v), what.0, what.1);
            Err(msg!(
                "{zh}“{t}”不是可选项之一；请按 ←/→ 选择。",
                "\"{t}\" is not one of the {en}; press ←/→ to choose."
            ))
        }
    }
}

fn required<T: Code>(form: &Form, i: usize, what: (&str, &str)) -> Result<T, Refusal> {
    chosen::<T>(form, i, what).map_err(at(i))?.ok_or_else(|| {
        let (zh, en) = what;
        at(i)(msg!(
            "请选择{zh}（←/→ 选择，或直接输入）。",
            "Choose the {en} (←/→, or type it)."
        ))
    })
}

/// Where the figures of a stock report (or the subject of a market
/// report) came from, as the officer named it.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// The community's own count.
    Community,
    Unit {
        id: i64,
        name: String,
        community: Option<String>,
    },
    /// The transfer station of a compound of the community.
    Station {
        compound: i64,
        name: String,
        station: Option<String>,
    },
    /// Not a unit nor a compound: the store looks for an outlet.
    Outlet(String),
}

/// A source typed with its kind first (`单位:`, `网点:`, `中转站:`), for
/// the rare name that is two things at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Unit,
    Outlet,
    Station,
}

fn split_kind(typed: &str) -> (Kind, &str) {
    let t = typed.trim();
    if let Some((head, rest)) = t.split_once([':', '：']) {
        let kind = match head.trim().to_lowercase().as_str() {
            "单位" | "保供单位" | "unit" => Some(Kind::Unit),
            "网点" | "outlet" => Some(Kind::Outlet),
            "中转站" | "小区" | "station" | "compound" => Some(Kind::Station),
            _ => None,
        };
        if let Some(k) = kind {
            return (k, rest.trim());
        }
    }
    (Kind::Any, t)
}

impl App {
    // ---- opening ----------------------------------------------------------

    /// The registered communities in board order, for ←/→.
    fn community_options(&mut self) -> Option<Vec<String>> {
        match self.store.communities() {
            Ok(c) => Some(c.into_iter().map(|c| c.name).collect()),
            Err(e) => {
                self.flash(Level::Error, e.message());
                None
            }
        }
    }

    fn load_units(&mut self) -> bool {
        match self.store.supply_units() {
            Ok(u) => {
                self.unit_pool = u;
                true
            }
            Err(e) => {
                self.flash(Level::Error, e.message());
                false
            }
        }
    }

    /// `i` in the alerts pane, `:stock [COMMUNITY [ITEM [STOCK]]]`: the
    /// form, with the selected community (or the words typed) filled in.
    pub(super) fn open_stock(&mut self, arg: Option<String>) {
        let Some(names) = self.community_options() else {
            return;
        };
        if !self.load_units() {
            return;
        }
        let mut f = Form::stock(names);
        let words: Vec<&str> = arg.as_deref().map_or(Vec::new(), |a| {
            a.split_whitespace().take(3).collect::<Vec<_>>()
        });
        if words.is_empty() {
            if let Some(c) = self
                .panes
                .alerts
                .selected_community()
                .filter(|_| self.focus == PaneId::Alerts && self.popups.is_empty())
            {
                f.prefill(0, &c);
            }
        } else {
            for (i, w) in words.iter().enumerate() {
                f.prefill(i, w);
            }
        }
        f.focus = (0..3).find(|i| f.value(*i).is_empty()).unwrap_or(3);
        let _ = self.open_form(f);
    }

    /// `:market [KIND [UNIT|OUTLET]]`.
    pub(super) fn open_market(&mut self, arg: Option<String>) {
        let Some(names) = self.community_options() else {
            return;
        };
        if !self.load_units() {
            return;
        }
        let mut f = Form::market(names);
        if let Some(a) = arg.as_deref() {
            let (first, rest) = a.split_once(char::is_whitespace).unwrap_or((a, ""));
            if MarketKind::parse(first).is_some() {
                f.prefill(0, first);
                f.prefill(1, rest.trim());
            } else {
                f.prefill(1, a);
            }
        }
        f.focus = (0..2).find(|i| f.value(*i).is_empty()).unwrap_or(2);
        let _ = self.open_form(f);
    }

    /// Enter in the reach popup, `c` in the queue pane, `:contact [#N |
    /// WORDS]`: the form, on the selected recipient, the recipient of
    /// delivery #N, or a search for the words.
    pub(super) fn open_contact(&mut self, arg: Option<String>) {
        let lang = self.lang;
        let label = |who: &str, group: crate::domain::delivery::Group, address: &str| match lang {
            crate::i18n::Lang::Zh => format!("{who}（{}）{address}", group.label_zh()),
            crate::i18n::Lang::En => format!("{who} ({}) {address}", group.label_en()),
        };
        if let Some(Popup::Reach(v)) = self.popups.last() {
            let Some(p) = v.selected() else {
                return self.flash(
                    Level::Warn,
                    msg!(
                        "名单为空，没有可联系的对象；按 Tab 看另一份名单。",
                        "The list is empty: nobody to contact; Tab shows the other list."
                    ),
                );
            };
            let l = clean(&label(&p.recipient, p.group, &p.address));
            let _ = self.open_form(Form::contact(Some((p.recipient_id, &l))));
            return;
        }
        let delivery = match arg.as_deref().map(str::trim) {
            Some(a) if a.starts_with('#') => match a[1..].trim().parse::<i64>() {
                Ok(id) => match self.store.delivery(id, self.now()) {
                    Ok(d) => Some(d),
                    Err(e) => return self.flash(Level::Error, e.message()),
                },
                Err(_) => {
                    let a = clean(a);
                    return self.flash(
                        Level::Error,
                        msg!(
                            "“{a}”不是配送编号；用法：:contact #12（配送的对象）或 :contact 姓名、地址中的几个字。",
                            "\"{a}\" is not a delivery number; use :contact #12 (its recipient) or :contact with part of a name or address."
                        ),
                    );
                }
            },
            Some(_) => None,
            None => (self.focus == PaneId::Queue && self.popups.is_empty())
                .then(|| self.panes.queue.selected().cloned())
                .flatten(),
        };
        let f = match (&delivery, arg) {
            (Some(d), _) => {
                let l = clean(&label(&d.recipient, d.group, &d.address));
                Form::contact(Some((d.recipient_id, &l)))
            }
            (None, Some(words)) => {
                let mut f = Form::contact(None);
                f.prefill(0, &words);
                f.focus = 1;
                f
            }
            (None, None) => Form::contact(None),
        };
        let _ = self.open_form(f);
    }

    /// `w` in the queue pane, `:reach`, `:welfare`: the coverage gaps and
    /// the welfare checks. Read now, once.
    pub(super) fn open_reach(&mut self) {
        let norms = self.cfg.norms.norms();
        let read = self
            .store
            .coverage_gaps(self.now(), &norms, reach::ROWS)
            .and_then(|g| Ok((g, self.store.welfare_checks(&norms, reach::ROWS)?)));
        match read {
            Ok((g, w)) => match self.popups.last_mut() {
                Some(Popup::Reach(v)) => v.replace(g, w),
                _ => self
                    .popups
                    .push(Popup::Reach(Box::new(ReachView::new(g, w)))),
            },
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// The data changed: an open reach popup reads again at the next
    /// chance (this session's writes at once, others' at most every
    /// [`REACH_EVERY`]).
    pub(super) fn reach_changed(&mut self, own: bool) {
        for p in &mut self.popups {
            if let Popup::Reach(v) = p
                && (own || v.read_at.elapsed() >= REACH_EVERY)
            {
                v.stale = true;
            }
        }
    }

    /// Reads the lists of a stale reach popup.
    pub(super) fn reload_reach(&mut self) {
        if !self
            .popups
            .iter()
            .any(|p| matches!(p, Popup::Reach(v) if v.stale))
        {
            return;
        }
        let norms = self.cfg.norms.norms();
        let read = self
            .store
            .coverage_gaps(self.now(), &norms, reach::ROWS)
            .and_then(|g| Ok((g, self.store.welfare_checks(&norms, reach::ROWS)?)));
        match read {
            Ok((g, w)) => {
                for p in &mut self.popups {
                    if let Popup::Reach(v) = p
                        && v.stale
                    {
                        v.replace(g.clone(), w.clone());
                    }
                }
            }
            Err(e) => {
                for p in &mut self.popups {
                    if let Popup::Reach(v) = p {
                        v.stale = false;
                    }
                }
                self.flash(Level::Error, e.message());
            }
        }
    }

    // ---- what a field reads as ----------------------------------------------

    /// The note under field `i` of a stock, market or contact form.
    pub(super) fn supply_note(&self, form: &Form, i: usize) -> Option<(Msg, bool)> {
        let fl = form.fields.get(i)?;
        let v = fl.input.value().trim();
        let bad_choice = || {
            (
                msg!(
                    "不是可选项之一；按 ←/→ 选择。",
                    "Not one of the choices; press ←/→ to choose."
                ),
                true,
            )
        };
        match (form.kind, i) {
            (FormKind::Market, 4) if v.is_empty() => {
                let kind = chosen::<MarketKind>(form, 0, ("", "")).ok().flatten()?;
                let s = kind.default_severity();
                let (sz, se, kz, ke) =
                    (s.label_zh(), s.label_en(), kind.label_zh(), kind.label_en());
                return Some((
                    msg!(
                        "空 = 按情况默认：{sz}（{kz}）",
                        "empty = the default for {ke}: {se}"
                    ),
                    false,
                ));
            }
            (FormKind::Market, 3) if v.is_empty() => {
                let (z, e) = (ItemClass::Other.label_zh(), ItemClass::Other.label_en());
                return Some((msg!("空 = {z}", "empty = {e}"), false));
            }
            (FormKind::Market, 2) if v.is_empty() => {
                return match self.source_of(form.value(1), None, true) {
                    Ok(Source::Unit {
                        community: Some(c), ..
                    }) => {
                        let c = clean(&c);
                        Some((
                            msg!("空 = {c}（单位所在）", "empty = {c} (the unit's)"),
                            false,
                        ))
                    }
                    _ => None,
                };
            }
            (FormKind::Contact(Some(rid)), 0) if !fl.changed() => {
                return Some((
                    msg!(
                        "对象 #{rid}；改写即按所写重新查找",
                        "recipient #{rid}; type over it to search again"
                    ),
                    false,
                ));
            }
            _ => {}
        }
        if !fl.choices.is_empty() {
            return (!v.is_empty() && fl.chosen().is_none()).then(bad_choice);
        }
        if v.is_empty() {
            return None;
        }
        match (form.kind, i) {
            (FormKind::Stock, 0) | (FormKind::Market, 2) => {
                match self.store.community_by_name(v) {
                    // The name as typed needs no echo; a completion does.
                    Ok(c) if c.name == v => None,
                    Ok(c) => {
                        let name = clean(&c.name);
                        Some((msg!("{name}", "{name}"), false))
                    }
                    Err(e) => Some((e.message(), true)),
                }
            }
            (FormKind::Stock, 2 | 3) => {
                let (zh, en) = if i == 2 {
                    ("库存", "stock")
                } else {
                    ("日到货量", "daily supply in")
                };
                match amount(v, zh, en) {
                    Ok(x) => {
                        let q = quantity(x);
                        let item = chosen::<ItemClass>(form, 1, ("", "")).ok().flatten();
                        let (uz, ue) = item.map_or(("", ""), cover::measure);
                        let per = if i == 3 { ("/日", "/day") } else { ("", "") };
                        let (pz, pe) = per;
                        Some((msg!("= {q} {uz}{pz}", "= {q} {ue}{pe}"), false))
                    }
                    Err(m) => Some((m, true)),
                }
            }
            (FormKind::Stock, 4) | (FormKind::Contact(_), 4) => match self.parse_time(Some(v)) {
                Ok(Some(t)) => Some((self.when(t), t > self.now())),
                Ok(None) => None,
                Err(m) => Some((m, true)),
            },
            (FormKind::Stock, 5) => {
                let community = self.store.community_by_name(form.value(0)).ok();
                Some(match self.source_of(v, community.map(|c| c.id), false) {
                    Ok(s) => (
                        describe(&s),
                        matches!(s, Source::Station { station: None, .. }),
                    ),
                    Err(m) => (m, true),
                })
            }
            (FormKind::Market, 1) => Some(match self.source_of(v, None, true) {
                Ok(Source::Outlet(n)) => {
                    let n = clean(&n);
                    (
                        msg!(
                            "不是保供单位：按网点“{n}”查找（保存时核对）",
                            "not a supply unit: looked up as the outlet \"{n}\" on saving"
                        ),
                        false,
                    )
                }
                Ok(s) => (describe(&s), false),
                Err(m) => (m, true),
            }),
            (FormKind::Contact(_), 0) => App::recipient_note(fl),
            _ => None,
        }
    }

    /// What a typed source names: a supply unit (its name, or the start
    /// of one unit's name), a compound of `community` (by its name or its
    /// station's), else an outlet for the store to find. `market`: the
    /// subject of a market report, which is never a station.
    fn source_of(&self, typed: &str, community: Option<i64>, market: bool) -> Result<Source, Msg> {
        let (kind, name) = split_kind(typed);
        if name.is_empty() {
            return Ok(Source::Community);
        }
        let n = clean(name);
        if kind == Kind::Outlet {
            return Ok(Source::Outlet(name.to_string()));
        }
        let unit = if matches!(kind, Kind::Any | Kind::Unit) {
            self.unit_named(name)?
        } else {
            None
        };
        let station = match (kind, community) {
            (Kind::Any | Kind::Station, Some(cid)) if !market => self
                .store
                .compounds_of(cid)
                .map_err(|e| e.message())?
                .into_iter()
                .find(|k| k.name == name || k.transfer_station.as_deref() == Some(name))
                .map(|k| Source::Station {
                    compound: k.id,
                    name: k.name,
                    station: k.transfer_station,
                }),
            _ => None,
        };
        match (kind, unit, station) {
            (Kind::Any, Some(_), Some(_)) => Err(msg!(
                "“{n}”既是保供单位也是小区；请写 单位:{n} 或 中转站:{n}。",
                "\"{n}\" is both a supply unit and a compound; write unit:{n} or station:{n}."
            )),
            (_, Some(u), _) => Ok(u),
            (_, None, Some(s)) => Ok(s),
            (Kind::Unit, None, None) => Err(msg!(
                "没有保供单位“{n}”；请检查名称。",
                "There is no supply unit \"{n}\"; check the name."
            )),
            (Kind::Station, None, None) if market => Err(msg!(
                "市场监测报告针对保供单位或网点，不针对中转站；请写单位或网点的名称。",
                "A market report is about a supply unit or an outlet, not a transfer station; name the unit or outlet."
            )),
            (Kind::Station, None, None) if community.is_none() => Err(msg!(
                "按中转站报告时须先填写社区（村）；请在第一栏填写。",
                "For a transfer station, give the community first (the first field)."
            )),
            (Kind::Station, None, None) => Err(msg!(
                "该社区（村）没有名为“{n}”的小区或中转站；请检查名称。",
                "The community has no compound or transfer station called \"{n}\"; check the name."
            )),
            (_, None, None) => Ok(Source::Outlet(name.to_string())),
        }
    }

    /// The unit of this name, or the one unit whose name starts with it.
    fn unit_named(&self, name: &str) -> Result<Option<Source>, Msg> {
        let as_source = |u: &SupplyUnitRow| Source::Unit {
            id: u.id,
            name: u.name.clone(),
            community: u.community.clone(),
        };
        if let Some(u) = self.unit_pool.iter().find(|u| u.name == name) {
            return Ok(Some(as_source(u)));
        }
        let starting: Vec<&SupplyUnitRow> = self
            .unit_pool
            .iter()
            .filter(|u| u.name.starts_with(name))
            .take(5)
            .collect();
        match starting.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(as_source(one))),
            many => {
                let list = clean(
                    &many
                        .iter()
                        .map(|u| u.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                );
                Err(msg!(
                    "有多个保供单位以此开头：{list}；请多写几个字。",
                    "Several supply units start with this: {list}; type more of the name."
                ))
            }
        }
    }

    // ---- saving ---------------------------------------------------------------

    /// A time typed for something that has happened: in the past.
    fn past_time(
        &self,
        i: usize,
        form: &Form,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, Refusal> {
        let t = self.parse_time(Some(form.value(i))).map_err(at(i))?;
        if t.is_some_and(|t| t > self.now()) {
            return Err(at(i)(msg!(
                "这个时间在将来；请填写已经过去的时间，或留空表示现在。",
                "That time is in the future; give a time that has passed, or leave it empty for now."
            )));
        }
        Ok(t)
    }

    pub(super) fn submit_stock(&mut self, form: &Form) -> Result<(), Refusal> {
        let community = match form.value(0) {
            "" => None,
            c => Some(
                self.store
                    .community_by_name(c)
                    .map_err(|e| at(0)(e.message()))?,
            ),
        };
        let item: ItemClass = required(form, 1, ("物资类别", "item class"))?;
        if form.value(2).is_empty() {
            return Err(at(2)(msg!(
                "请填写库存数量，如 3200 或 3.2t。",
                "Give the stock on hand, e.g. 3200 or 3.2t."
            )));
        }
        let stock = amount(form.value(2), "库存", "stock").map_err(at(2))?;
        let supply_in = match form.value(3) {
            "" => 0.0,
            s => amount(s, "日到货量", "daily supply in").map_err(at(3))?,
        };
        let reported_at = self.past_time(4, form)?;
        let source = self
            .source_of(form.value(5), community.as_ref().map(|c| c.id), false)
            .map_err(at(5))?;
        if community.is_none() && matches!(source, Source::Community) {
            return Err(at(0)(msg!(
                "请填写社区（村）：库存报告属于哪个社区或村。",
                "Name the community (or village) the stock report is for."
            )));
        }
        let reporter = form_optional_line(form, 6, "报告人", "reporter")?;
        let channel = form_optional_line(form, 7, "渠道", "channel")?;
        let actor = self.actor().ok_or_else(|| Refusal::from(self.no_actor()))?;
        let outlet = match &source {
            Source::Outlet(n) => Some(n.clone()),
            _ => None,
        };
        let new = NewStockReport {
            community: community.as_ref().map(|c| Ref::Id(c.id)),
            item,
            source: match source {
                Source::Community => StockSource::Community,
                Source::Unit { id, .. } => StockSource::Unit(Ref::Id(id)),
                Source::Station { compound, .. } => StockSource::Station(Ref::Id(compound)),
                Source::Outlet(n) => StockSource::Outlet(Ref::Name(n)),
            },
            stock,
            supply_in,
            reported_at,
            reporter,
            channel,
        };
        let norms = self.cfg.norms.norms();
        let done = self
            .store
            .record_stock(&actor, &new, &norms)
            .map_err(|e| not_found_source(e, outlet.as_deref()))?;
        let seq = done.seq;
        let c = clean(&done.cover.community);
        let (iz, ie) = (item.label_zh(), item.label_en().to_lowercase());
        let days = done.cover.cover.text();
        let cover_msg = match done.cover.cover {
            Cover::Days(_) => msg!("可供 {days} 天", "{days} days of cover"),
            Cover::NoConsumption => msg!(
                "可供天数 —（到货满足需求）",
                "cover — (the supply in meets the need)"
            ),
            Cover::Stale { .. } => msg!(
                "可供 {days} 天（数字已过时，不采信）",
                "{days} days of cover (stale figures, not trusted)"
            ),
            Cover::NoReport => msg!("可供天数 ?", "cover ?"),
        };
        let (cz, ce) = (cover_msg.zh, cover_msg.en);
        let mut m = msg!(
            "库存报告已记录 #{seq}：{c} {iz}，{cz}",
            "stock report recorded #{seq}: {c} {ie}, {ce}"
        );
        let mut level = Level::Info;
        let more = match done.predicted {
            Some(PredictedChange::Raised {
                alert_id, severity, ..
            }) => {
                level = Level::Warn;
                let (sz, se) = (severity.label_zh(), severity.label_en().to_lowercase());
                Some(msg!(
                    "已发出预测短缺预警 #{alert_id}（{sz}）",
                    "predicted shortage alert #{alert_id} raised ({se})"
                ))
            }
            Some(PredictedChange::Cleared { alert_id, .. }) => Some(msg!(
                "预测预警 #{alert_id} 已随供应恢复解除",
                "predicted alert #{alert_id} cleared: cover has recovered"
            )),
            None => done.cover.predicted_alert.map(|a| {
                msg!(
                    "预测预警 #{a} 仍未关闭",
                    "predicted alert #{a} is still open"
                )
            }),
        };
        if let Some(x) = more {
            m = Msg::new(format!("{}；{}", m.zh, x.zh), format!("{}; {}", m.en, x.en));
        }
        self.flash(level, m);
        self.wrote(&[PaneId::Alerts]);
        Ok(())
    }

    pub(super) fn submit_market(&mut self, form: &Form) -> Result<(), Refusal> {
        let kind: MarketKind = required(form, 0, ("情况", "kind of report"))?;
        let typed = form.value(1);
        if split_kind(typed).1.is_empty() {
            return Err(at(1)(msg!(
                "请填写涉事的保供单位或网点名称。",
                "Name the supply unit or outlet the report is about."
            )));
        }
        let target = match self.source_of(typed, None, true).map_err(at(1))? {
            Source::Unit { id, .. } => MarketTarget::Unit(Ref::Id(id)),
            Source::Outlet(n) => MarketTarget::Outlet(Ref::Name(n)),
            // A market report never resolves to a station or to nothing.
            Source::Community | Source::Station { .. } => {
                return Err(at(1)(msg!(
                    "请填写涉事的保供单位或网点名称。",
                    "Name the supply unit or outlet the report is about."
                )));
            }
        };
        let community = match form.value(2) {
            "" => None,
            c => Some(
                self.store
                    .community_by_name(c)
                    .map_err(|e| at(2)(e.message()))?,
            ),
        };
        let item = chosen::<ItemClass>(form, 3, ("物资类别", "item classes")).map_err(at(3))?;
        let severity = chosen::<Severity>(form, 4, ("紧急程度", "severities")).map_err(at(4))?;
        let text = form_text(form, 5, "情况说明", "description")?;
        let source = form_optional_line(form, 6, "来源", "source")?;
        let actor = self.actor().ok_or_else(|| Refusal::from(self.no_actor()))?;
        let outlet = match &target {
            MarketTarget::Outlet(Ref::Name(n)) => Some(n.clone()),
            _ => None,
        };
        let new = NewMarketReport {
            target,
            community: community.map(|c| Ref::Id(c.id)),
            kind,
            item,
            severity,
            source,
            text,
        };
        let (id, seq) = self
            .store
            .report_market(&actor, &new)
            .map_err(|e| market_refusal(e, outlet.as_deref()))?;
        let (kz, ke) = (kind.label_zh(), kind.label_en().to_lowercase());
        let h = MARKET_HANDLER;
        self.flash(
            Level::Info,
            msg!(
                "市场监测预警 #{id} 已登记（{kz}），处理单位 {h}，记录 #{seq}",
                "market alert #{id} raised ({ke}), handled by {h}, recorded #{seq}"
            ),
        );
        self.wrote(&[PaneId::Alerts]);
        Ok(())
    }

    pub(super) fn submit_contact(
        &mut self,
        form: &Form,
        opened_on: Option<i64>,
    ) -> Result<(), Refusal> {
        let untouched = form.fields.first().is_some_and(|f| !f.changed());
        let recipient_id = match (opened_on, App::picked_recipient(form, 0)) {
            (Some(rid), _) if untouched => rid,
            (_, Some(rid)) => rid,
            _ => self.find_one_recipient(form.value(0)).map_err(at(0))?,
        };
        let channel: ContactChannel = required(form, 1, ("联系方式", "way of contact"))?;
        let reached: Choice = form
            .fields
            .get(2)
            .and_then(|f| f.chosen().copied())
            .ok_or_else(|| {
                at(2)(msg!(
                    "请选择是否联系上（y 或 n；←/→ 选择）：只有联系上才计入覆盖。",
                    "Say whether they were reached (y or n; ←/→ to choose): only a contact that reached them counts."
                ))
            })?;
        let reached = reached == REACHED;
        let note = fields::optional_text(
            fields::field("说明", "note"),
            Some(form.value(3)),
            TEXT_MAX_CHARS,
        )
        .map_err(|e| at(3)(e.message()))?;
        let at_time = self.past_time(4, form)?;
        let actor = self.actor().ok_or_else(|| Refusal::from(self.no_actor()))?;
        let (id, seq) = self
            .store
            .log_contact(
                &actor,
                &NewContact {
                    recipient_id,
                    channel,
                    reached,
                    note,
                    at: at_time,
                },
            )
            .map_err(|e| Refusal::from(e.message()))?;
        let (chz, che) = (channel.label_zh(), channel.label_en().to_lowercase());
        let m = if reached {
            msg!(
                "联系 #{id} 已记录（{chz}，已联系上），记录 #{seq}；该对象计入覆盖",
                "contact #{id} logged ({che}, reached), recorded #{seq}; the recipient counts as reached"
            )
        } else {
            msg!(
                "联系 #{id} 已记录（{chz}，未联系上），记录 #{seq}；仍需设法联系",
                "contact #{id} logged ({che}, not reached), recorded #{seq}; they still need reaching"
            )
        };
        self.flash(Level::Info, m);
        self.wrote(&[PaneId::Queue]);
        Ok(())
    }

    /// The one recipient a search names, as the delivery form finds them.
    fn find_one_recipient(&self, query: &str) -> Result<i64, Msg> {
        if query.is_empty() {
            return Err(msg!(
                "请填写联系对象：姓名、地址或类别中的几个字。",
                "Name the recipient: part of the name, the address or the group."
            ));
        }
        let found = self
            .store
            .find_recipients(query, 6)
            .map_err(|e| e.message())?;
        match found.as_slice() {
            [] => {
                let q = clean(query);
                Err(msg!(
                    "没有与“{q}”相符的对象；请换用姓名、地址或类别中的几个字。",
                    "No recipient matches \"{q}\"; try part of the name, the address or the group."
                ))
            }
            [one] => Ok(one.id),
            many => {
                let list = clean(
                    &many
                        .iter()
                        .take(5)
                        .map(|m| format!("{}（{}）", m.name, m.address))
                        .collect::<Vec<_>>()
                        .join("、"),
                );
                Err(msg!(
                    "有多个对象相符：{list}；请多写几个字。",
                    "Several recipients match: {list}; type more to pick one."
                ))
            }
        }
    }
}

/// What a resolved source is, under its field.
fn describe(s: &Source) -> Msg {
    match s {
        Source::Community => msg!("社区汇总", "the community's own count"),
        Source::Unit {
            name, community, ..
        } => {
            let n = clean(name);
            match community {
                Some(c) => {
                    let c = clean(c);
                    msg!("保供单位 {n}（{c}）", "supply unit {n} ({c})")
                }
                None => msg!("保供单位 {n}", "supply unit {n}"),
            }
        }
        Source::Station {
            name,
            station: Some(st),
            ..
        } => {
            let (n, st) = (clean(name), clean(st));
            msg!("{n} 中转站：{st}", "transfer station of {n}: {st}")
        }
        Source::Station {
            name,
            station: None,
            ..
        } => {
            let n = clean(name);
            msg!(
                "小区（组）“{n}”没有登记中转站；请先登记，或按社区汇总报告。",
                "The compound \"{n}\" has no transfer station registered; register one, or report the community's count."
            )
        }
        Source::Outlet(n) => {
            let n = clean(n);
            msg!(
                "不是保供单位或本社区的小区：按网点“{n}”查找（保存时核对）",
                "not a supply unit nor a compound here: looked up as the outlet \"{n}\" on saving"
            )
        }
    }
}

/// An outlet the store could not find was a name nothing matched: said
/// under the source field, naming everything that was tried.
fn not_found_source(e: StoreError, outlet: Option<&str>) -> Refusal {
    match (&e, outlet) {
        (StoreError::NotFound(_), Some(n)) => {
            let n = clean(n);
            at(5)(msg!(
                "“{n}”既不是保供单位、本社区的小区（中转站），也不是已登记的网点；请检查名称，或留空按社区汇总报告。",
                "\"{n}\" is not a supply unit, a compound (transfer station) of the community or a registered outlet; check the name, or leave it empty for the community's count."
            ))
        }
        _ => Refusal::from(e.message()),
    }
}

fn market_refusal(e: StoreError, outlet: Option<&str>) -> Refusal {
    match (&e, outlet) {
        (StoreError::NotFound(_), Some(n)) => {
            let n = clean(n);
            at(1)(msg!(
                "“{n}”既不是保供单位，也不是已登记的网点；请检查名称。",
                "\"{n}\" is neither a supply unit nor a registered outlet; check the name."
            ))
        }
        _ => Refusal::from(e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_the_command_line_reads_them() {
        assert!(amount("-5", "库存", "stock").is_err());
        assert!(amount("1e12", "库存", "stock").is_err());
        let m = amount("x", "库存", "stock").unwrap_err();
        assert!(m.en.contains("not a quantity") && m.zh.contains("库存"));
    }

    #[test]
    fn a_kind_first_picks_among_namesakes() {
        assert_eq!(split_kind("单位:粮油中心"), (Kind::Unit, "粮油中心"));
        assert_eq!(split_kind("outlet： 万家超市"), (Kind::Outlet, "万家超市"));
        assert_eq!(
            split_kind("中转站:滴水岩小区"),
            (Kind::Station, "滴水岩小区")
        );
        assert_eq!(split_kind("滴水岩小区"), (Kind::Any, "滴水岩小区"));
        // A colon inside a name is part of it.
        assert_eq!(split_kind("A:B"), (Kind::Any, "A:B"));
    }
}
