//! The supply picture from the shell: `cover` (days of cover per community
//! and item class), `stock` (record a stock report), `norm` (a community's
//! own need per person), `market` (price rise, hoarding, gouging), `contact`
//! (a call or visit to a recipient) and `gaps` (who is not being reached,
//! welfare checks, transfer stations and points missing).

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use unicode_width::UnicodeWidthStr;

use supplydesk::domain::Code;
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::cover::{self, ContactChannel, Cover, MarketKind, Norms};
use supplydesk::domain::text::{pad_to_width, sanitize};
use supplydesk::domain::time::{age, local_short, parse_local};
use supplydesk::i18n::Lang;
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::places::Ref;
use supplydesk::store::supply::{
    CoverRow, MarketTarget, NewContact, NewMarketReport, NewStockReport, PredictedChange, Reach,
    StockSource, quantity,
};

use super::{Ctx, Failure, Outcome};
use crate::cli::{ContactArgs, CoverArgs, GapsArgs, MarketArgs, NormArgs, StockArgs};

fn norms(ctx: &Ctx) -> Norms {
    ctx.config.norms.norms()
}

fn time(input: &str, ctx: &Ctx, now: DateTime<Utc>) -> Result<DateTime<Utc>, Failure> {
    parse_local(input, ctx.tz(), now).map_err(|e| {
        let s = sanitize(input.trim());
        Failure::User(Msg::new(
            e.1.clone().unwrap_or_else(|| {
                format!("无法识别时间 “{s}”；请写成 2026-11-29 08:30、08:30 或 -2h 这样的形式。")
            }),
            sanitize(&e.0).into_owned(),
        ))
    })
}

fn item(input: &str) -> Result<ItemClass, Failure> {
    ItemClass::parse(input).ok_or_else(|| {
        let (s, list) = (sanitize(input.trim()), ItemClass::codes_list());
        Failure::User(msg!(
            "无法识别品类 “{s}”；请用 粮、油、肉、菜、蛋奶、药品、奶粉、防护用品 或 {list}。",
            "\"{s}\" is not an item class; use one of {list}."
        ))
    })
}

/// A quantity as people say it: `3200`, `3200kg`, `3.2t`, `3.2吨`, `500斤`
/// (a jin is half a kilogram), `2000件`.
fn amount(input: &str, what_zh: &str, what_en: &str) -> Result<f64, Failure> {
    if let Some(v) = cover::parse_quantity(input) {
        return Ok(v);
    }
    let s = sanitize(input.trim());
    Err(Failure::User(msg!(
        "{what_zh} “{s}” 不是数量；请写成 3200、3200kg、3.2吨 或 500斤 这样的形式。",
        "The {what_en} \"{s}\" is not a quantity; write it like 3200, 3200kg, 3.2t or 500斤."
    )))
}

fn unit_word(item: ItemClass, lang: Lang) -> &'static str {
    let (zh, en) = cover::measure(item);
    lang.t(zh, en)
}

/// Columns of the cover table, by display width.
const W_COMMUNITY: usize = 10;
const W_ITEM: usize = 14;
const W_NUM: usize = 9;
const BAR: usize = 10;

fn cover_line(r: &CoverRow, n: &Norms, ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let num = |v: f64| format!("{:>W_NUM$}", quantity(v));
    let (figure, supply) = match r.cover {
        Cover::NoReport => (format!("{:>W_NUM$}", "—"), format!("{:>W_NUM$}", "—")),
        _ => (num(r.stock), num(r.supply_in)),
    };
    let mark = if r.below {
        "!"
    } else if matches!(r.cover, Cover::Stale { .. }) {
        "~"
    } else {
        " "
    };
    let bar = cover::bar(r.cover.days(), 2.0 * n.threshold_days, BAR);
    let mut line = format!(
        "{} {} {:>7} {} {} {} {:>6} {mark} {bar}",
        pad_to_width(&sanitize(&r.community), W_COMMUNITY),
        pad_to_width(
            &format!(
                "{}{}",
                r.item.label(lang),
                if r.overridden { "*" } else { "" }
            ),
            W_ITEM
        ),
        r.population,
        num(r.need),
        figure,
        supply,
        r.cover.text(),
    );
    if let Some(id) = r.predicted_alert {
        let state = r.predicted_state.map(|s| s.label(lang)).unwrap_or_default();
        line.push_str(&format!(
            " {} #{id} {state}",
            lang.t("预测预警", "predicted")
        ));
    }
    if let Cover::Stale { as_of, .. } = r.cover {
        line.push_str(&format!(
            " {} {}",
            lang.t("过时，报于", "stale, as of"),
            local_short(as_of, ctx.tz())
        ));
    }
    line
}

pub fn cover(ctx: &Ctx, args: &CoverArgs, out: &mut impl Write) -> Outcome {
    let n = norms(ctx);
    let changes = if args.refresh {
        let mut store = ctx.open_for_writing()?;
        let actor = ctx.actor()?;
        store.refresh_predictions(&actor, &n)?
    } else {
        Vec::new()
    };
    let store = ctx.open_for_reading()?;
    let now = store.now();
    let community = match &args.community {
        Some(c) => Some(store.community_by_name(c)?),
        None => None,
    };
    let only = community.as_ref().map(|c| c.id);
    if let (Some(which), Some(c)) = (&args.history, &community) {
        return history(ctx, &store, (c.id, &c.name), item(which)?, args, &n, out);
    }
    let rows: Vec<CoverRow> = store
        .cover_all(now, &n)?
        .into_iter()
        .filter(|r| only.is_none_or(|c| c == r.community_id))
        .filter(|r| args.all || r.is_relevant())
        .filter(|r| !args.below || r.below)
        .collect();
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lang = ctx.lang;
    for c in &changes {
        writeln!(out, "{}", change_text(c, lang).get(lang))?;
    }
    let (th, stale) = (
        cover::format_days(n.threshold_days),
        n.stale_after.num_hours(),
    );
    writeln!(
        out,
        "{}",
        msg!(
            "可供天数 = 库存 ÷（日需 − 日到货）；低于 {th} 天标 !，超过 {stale} 小时的报告标 ~ 且不采信；— 表示无消耗，? 表示未报告；* 为社区自定标准。",
            "Days of cover = stock ÷ (daily need − daily supply in); ! below {th} days, ~ reports older than {stale} hours (not trusted); — no draw on the stock, ? nothing reported; * the community's own norm."
        )
        .get(lang)
    )?;
    writeln!(
        out,
        "{} {} {} {} {} {} {}",
        pad_to_width(lang.t("社区（村）", "community"), W_COMMUNITY),
        pad_to_width(lang.t("品类", "item"), W_ITEM),
        pad_left(lang.t("人口", "people"), 7),
        pad_left(lang.t("日需", "need/d"), W_NUM),
        pad_left(lang.t("库存", "stock"), W_NUM),
        pad_left(lang.t("日到货", "in/d"), W_NUM),
        pad_left(lang.t("可供天数", "days"), 6),
    )?;
    for r in &rows {
        writeln!(out, "{}", cover_line(r, &n, ctx))?;
    }
    let below = rows.iter().filter(|r| r.below).count();
    writeln!(
        out,
        "{}",
        msg!(
            "共 {below} 项低于阈值。计量：公斤（防护用品：件）。",
            "{below} below the threshold. Measures: kg (protective supplies: pieces)."
        )
        .get(lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `cover --community C --history ITEM`: the cell's stock reports, newest
/// first, stale ones marked as the cover marks them.
fn history(
    ctx: &Ctx,
    store: &supplydesk::store::Store,
    (community_id, community): (i64, &str),
    which: ItemClass,
    args: &CoverArgs,
    n: &Norms,
    out: &mut impl Write,
) -> Outcome {
    let limit = if args.limit == 0 {
        i64::MAX
    } else {
        i64::from(args.limit)
    };
    let rows = store.stock_history(community_id, which, limit)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lang = ctx.lang;
    let now = store.now();
    let (unit_zh, unit_en) = cover::measure(which);
    let unit = lang.t(unit_zh, unit_en);
    let i = which.label(lang);
    let stale = n.stale_after.num_hours();
    writeln!(
        out,
        "{}",
        msg!(
            "{community} {i} 的库存报告，最新在前（计量：{unit}；~ 为超过 {stale} 小时、不再采信的报告）：",
            "Stock reports of {community}, {i}, newest first (in {unit}; ~ older than {stale} hours, no longer trusted):"
        )
        .get(lang)
    )?;
    if rows.is_empty() {
        writeln!(out, "{}", lang.t("（无）", "(none)"))?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &rows {
        let old = !cover::is_fresh(r.reported_at, now, n.stale_after);
        let from = r
            .source_name
            .as_deref()
            .map(|s| sanitize(s).into_owned())
            .unwrap_or_else(|| lang.t("社区汇总", "community's count").to_string());
        let mut line = format!(
            "{}{} {}  {} {:>9}  {} {:>9}  #{}",
            if old { '~' } else { ' ' },
            local_short(r.reported_at, ctx.tz()),
            pad_to_width(&from, 24),
            lang.t("库存", "stock"),
            quantity(r.stock),
            lang.t("日到货", "in/d"),
            quantity(r.supply_in),
            r.id
        );
        if let Some(who) = &r.reporter {
            line.push_str(&format!("  {} {}", lang.t("报告人", "by"), sanitize(who)));
        }
        if let Some(via) = &r.channel {
            line.push_str(&format!("  ({})", sanitize(via)));
        }
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn pad_left(s: &str, width: usize) -> String {
    let w = s.width();
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

fn change_text(c: &PredictedChange, lang: Lang) -> Msg {
    match c {
        PredictedChange::Raised {
            alert_id,
            item,
            severity,
            days,
            ..
        } => {
            let (i, s, d) = (
                item.label(lang),
                severity.label(lang),
                cover::format_days(*days),
            );
            msg!(
                "已发出预测短缺预警 #{alert_id}：{i}，预计可供 {d} 天（{s}）。",
                "Predicted shortage alert #{alert_id} raised: {i}, {d} days of cover ({s})."
            )
        }
        PredictedChange::Cleared { alert_id, item, .. } => {
            let i = item.label(lang);
            msg!(
                "预测预警 #{alert_id}（{i}）已随供应恢复自动解除。",
                "Predicted alert #{alert_id} ({i}) cleared: cover has recovered."
            )
        }
    }
}

pub fn stock(ctx: &Ctx, args: &StockArgs, out: &mut impl Write) -> Outcome {
    let item = item(&args.item)?;
    let stock = amount(&args.stock, "库存", "stock")?;
    let supply_in = match &args.supply_in {
        Some(s) => amount(s, "日到货量", "daily supply in")?,
        None => 0.0,
    };
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let now = store.now();
    let reported_at = args.at.as_deref().map(|s| time(s, ctx, now)).transpose()?;
    let source = match (&args.unit, &args.outlet, &args.station) {
        (Some(u), _, _) => StockSource::Unit(Ref::Name(u.clone())),
        (None, Some(o), _) => StockSource::Outlet(Ref::Name(o.clone())),
        (None, None, Some(k)) => StockSource::Station(Ref::Name(k.clone())),
        (None, None, None) => StockSource::Community,
    };
    let new = NewStockReport {
        community: Some(Ref::Name(args.community.clone())),
        item,
        source,
        stock,
        supply_in,
        reported_at,
        reporter: args.reporter.clone(),
        channel: args.via.clone(),
    };
    let n = norms(ctx);
    let done = store.record_stock(&actor, &new, &n)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &done).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lang = ctx.lang;
    let (id, c, i) = (
        done.report_id,
        sanitize(&done.cover.community).into_owned(),
        item.label(lang),
    );
    let days = done.cover.cover.text();
    let unit = unit_word(item, lang);
    let (need, have) = (quantity(done.cover.need), quantity(done.cover.stock));
    writeln!(
        out,
        "{}",
        msg!(
            "已记录库存报告 #{id}：{c} {i}，库存合计 {have} {unit}，日需 {need} {unit}，可供 {days} 天。",
            "Stock report #{id} recorded: {c} {i}, {have} {unit} in stock in all, {need} {unit} needed a day, {days} days of cover."
        )
        .get(lang)
    )?;
    if let Some(ch) = &done.predicted {
        writeln!(out, "{}", change_text(ch, lang).get(lang))?;
    } else if let (Some(a), Some(s)) = (done.cover.predicted_alert, done.cover.predicted_state) {
        let s = s.label(lang);
        writeln!(
            out,
            "{}",
            msg!(
                "预测预警 #{a} 仍在（{s}）。",
                "Predicted alert #{a} remains ({s})."
            )
            .get(lang)
        )?;
    }
    if matches!(done.cover.cover, Cover::Stale { .. }) {
        let h = n.stale_after.num_hours();
        writeln!(
            out,
            "{}",
            msg!(
                "注意：该品类最新报告已超过 {h} 小时，不采信；请取得当前数字。",
                "Note: the newest figures of this item are older than {h} hours and not trusted; get current ones."
            )
            .get(lang)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn norm(ctx: &Ctx, args: &NormArgs, out: &mut impl Write) -> Outcome {
    let item = item(&args.item)?;
    let value = match args.value.trim() {
        "default" | "默认" | "-" => None,
        v => Some(amount(v, "每人每日需求量", "daily need per person")?),
    };
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let n = norms(ctx);
    let (seq, change) =
        store.set_norm(&actor, &Ref::Name(args.community.clone()), item, value, &n)?;
    let lang = ctx.lang;
    writeln!(
        out,
        "{}",
        msg!("已记录 #{seq}", "recorded #{seq}").get(lang)
    )?;
    if let Some(c) = &change {
        writeln!(out, "{}", change_text(c, lang).get(lang))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn market(ctx: &Ctx, args: &MarketArgs, out: &mut impl Write) -> Outcome {
    let kind = MarketKind::parse(&args.kind).ok_or_else(|| {
        let (s, list) = (sanitize(args.kind.trim()), MarketKind::codes_list());
        Failure::User(msg!(
            "无法识别市场情况 “{s}”；请用 价格上涨、囤积居奇、哄抬物价 或 {list}。",
            "\"{s}\" is not a kind of market report; use one of {list}."
        ))
    })?;
    let item = args.item.as_deref().map(item).transpose()?;
    let severity = match &args.severity {
        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
            let (s, list) = (sanitize(s.trim()), Severity::codes_list());
            Failure::User(msg!(
                "无法识别紧急程度 “{s}”；请用 紧急、高、中、低 或 {list}。",
                "\"{s}\" is not a severity; use one of {list}."
            ))
        })?),
        None => None,
    };
    let target = match (&args.unit, &args.outlet) {
        (Some(u), _) => MarketTarget::Unit(Ref::Name(u.clone())),
        (None, Some(o)) => MarketTarget::Outlet(Ref::Name(o.clone())),
        (None, None) => {
            return Err(Failure::User(msg!(
                "未指明对象；请用 --unit 单位名称 或 --outlet 网点名称。",
                "No unit or outlet was named; give --unit NAME or --outlet NAME."
            )));
        }
    };
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let (id, _) = store.report_market(
        &actor,
        &NewMarketReport {
            target,
            community: args.community.clone().map(Ref::Name),
            kind,
            item,
            severity,
            source: args.source.clone(),
            text: args.text.join(" "),
        },
    )?;
    let (k, h) = (kind.label(ctx.lang), cover::MARKET_HANDLER);
    writeln!(
        out,
        "{}",
        msg!(
            "已发出市场监测预警 #{id}（{k}），处理单位：{h}。",
            "Market alert #{id} raised ({k}); handled by {h}."
        )
        .get(ctx.lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn contact(ctx: &Ctx, args: &ContactArgs, out: &mut impl Write) -> Outcome {
    let channel = ContactChannel::parse(&args.channel).ok_or_else(|| {
        let (s, list) = (sanitize(args.channel.trim()), ContactChannel::codes_list());
        Failure::User(msg!(
            "无法识别联系方式 “{s}”；请用 电话、上门、视频、其他 或 {list}。",
            "\"{s}\" is not a way of contact; use one of {list}."
        ))
    })?;
    let mut store = ctx.open_for_writing()?;
    let actor = ctx.actor()?;
    let now = store.now();
    let at = args.at.as_deref().map(|s| time(s, ctx, now)).transpose()?;
    let (id, _) = store.log_contact(
        &actor,
        &NewContact {
            recipient_id: args.recipient,
            channel,
            reached: !args.not_reached,
            note: args.note.clone(),
            at,
        },
    )?;
    writeln!(
        out,
        "{}",
        msg!("已记录联系 #{id}", "contact #{id} recorded").get(ctx.lang)
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct GapsReport {
    gaps: supplydesk::store::supply::Gaps,
    welfare_checks: supplydesk::store::supply::WelfareChecks,
    transfer: supplydesk::store::supply::TransferGaps,
}

pub fn gaps(ctx: &Ctx, args: &GapsArgs, out: &mut impl Write) -> Outcome {
    let n = norms(ctx);
    let lang = ctx.lang;
    if args.queue {
        let mut store = ctx.open_for_writing()?;
        let actor = ctx.actor()?;
        let q = store.queue_gaps(&actor, &n)?;
        let (k, skipped, seqs) = (q.queued.len(), q.already_queued, q.seq_range());
        if !args.json {
            writeln!(
                out,
                "{}",
                msg!(
                    "已为 {k} 个覆盖缺口排队配送（{skipped} 个已在队列中），记录 {seqs}。",
                    "Queued {k} deliveries for the coverage gaps ({skipped} already in the queue), recorded {seqs}."
                )
                .get(lang)
            )?;
        }
    }
    let store = ctx.open_for_reading()?;
    let now = store.now();
    let limit = if args.limit == 0 {
        i64::MAX
    } else {
        i64::from(args.limit)
    };
    let report = GapsReport {
        gaps: store.coverage_gaps(now, &n, limit)?,
        welfare_checks: store.welfare_checks(&n, limit)?,
        transfer: store.transfer_gaps(limit)?,
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write_gaps(out, &report, &n, lang, ctx.tz())?;
    Ok(ExitCode::SUCCESS)
}

fn write_gaps(
    out: &mut impl Write,
    r: &GapsReport,
    n: &Norms,
    lang: Lang,
    tz: Tz,
) -> std::io::Result<()> {
    let s = |x: &str| sanitize(x).into_owned();
    let (total, open) = (r.gaps.total, r.gaps.not_queued);
    writeln!(
        out,
        "{}",
        msg!(
            "覆盖缺口：{total} 人（其中 {open} 人尚未排队配送）",
            "Coverage gaps: {total} ({open} with no delivery queued)"
        )
        .get(lang)
    )?;
    for g in &r.gaps.rows {
        let last = match (g.last_reached, g.last_reach) {
            (Some(t), Some(Reach::Delivered)) => {
                format!(
                    "{} {}",
                    lang.t("最后送达", "last delivered"),
                    local_short(t, tz)
                )
            }
            (Some(t), _) => format!(
                "{} {}",
                lang.t("最后联系", "last contact"),
                local_short(t, tz)
            ),
            (None, _) => lang.t("从未送达或联系", "never reached").to_string(),
        };
        let queued = g
            .open_delivery
            .map(|d| format!("  [{} #{d}]", lang.t("已排队", "queued")))
            .unwrap_or_default();
        writeln!(
            out,
            "  #{:<6} {} {} {}  {last}  {} {}{queued}",
            g.recipient_id,
            pad_to_width(&s(&g.recipient), 8),
            pad_to_width(g.group.label(lang), 12),
            s(&g.address),
            lang.t("逾期", "overdue"),
            age(chrono::Duration::minutes(g.overdue_minutes)),
        )?;
    }
    let (k, nr) = (r.welfare_checks.total, n.failed_in_a_row);
    writeln!(
        out,
        "{}",
        msg!(
            "需上门探视：{k} 人（连续 {nr} 次以上未送达；联系上即解除）",
            "Welfare checks: {k} ({nr} or more failed deliveries in a row; closed by a contact that reaches them)"
        )
        .get(lang)
    )?;
    for w in &r.welfare_checks.rows {
        let reason = w.last_reason.map(|x| x.label(lang)).unwrap_or_default();
        writeln!(
            out,
            "  #{:<6} {} {} {}  {} {}  {} {reason}",
            w.recipient_id,
            pad_to_width(&s(&w.recipient), 8),
            pad_to_width(w.group.label(lang), 12),
            s(&w.address),
            lang.t("未送达次数", "failures"),
            w.failures,
            local_short(w.last_failed_at, tz),
        )?;
    }
    let (c, b) = (r.transfer.compounds, r.transfer.buildings);
    writeln!(
        out,
        "{}",
        msg!(
            "中转缺口：{c} 个小区（组）无启用的中转站，{b} 栋楼（院落）无临时转运点",
            "Transfer gaps: {c} compounds without an open transfer station, {b} buildings without a transfer point"
        )
        .get(lang)
    )?;
    for k in &r.transfer.compound_rows {
        let why = match &k.station {
            Some(st) => format!("{} {}", lang.t("未启用", "not open:"), s(st)),
            None => lang.t("未设中转站", "no station").to_string(),
        };
        writeln!(out, "  {} {}  {why}", s(&k.community), s(&k.compound))?;
    }
    for b in &r.transfer.building_rows {
        writeln!(
            out,
            "  {} {} {}  {}",
            s(&b.community),
            s(&b.compound),
            s(&b.building),
            lang.t("无转运点", "no transfer point")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_people_say_them() {
        let a = |s| amount(s, "库存", "stock").ok();
        assert_eq!(a("3200"), Some(3200.0));
        assert_eq!(a(" 3,200 kg "), Some(3200.0));
        assert_eq!(a("3.2t"), Some(3200.0));
        assert_eq!(a("3.2吨"), Some(3200.0));
        assert_eq!(a("500斤"), Some(250.0));
        assert_eq!(a("2000件"), Some(2000.0));
        assert_eq!(a("lots"), None);
        assert_eq!(a("inf"), None);
        assert_eq!(a(""), None);
        match amount("x", "库存", "stock") {
            Err(Failure::User(m)) => {
                assert!(m.en.contains("not a quantity") && m.zh.contains("库存"))
            }
            _ => panic!("expected a user error"),
        }
    }
}
