//! `supplydesk pass PLATE`: may this vehicle pass? The answer a checkpoint
//! reads in a second: the verdict word first, then the facts behind it.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use supplydesk::domain::Code;
use supplydesk::domain::mask::mask_phone;
use supplydesk::domain::pass::PassStatus;
use supplydesk::domain::plate;
use supplydesk::domain::text::{pad_to_width, sanitize};
use supplydesk::domain::time::local_minute;
use supplydesk::i18n::Lang;
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::passes::{PassInfo, Verdict};

use super::{Ctx, EXIT_NOT_VALID, Failure, Outcome, bold};
use crate::cli::PassArgs;

pub fn run(ctx: &Ctx, args: &PassArgs, out: &mut impl Write) -> Outcome {
    let zh = ctx.lang.is_zh();
    let normalized = plate::normalize(&args.plate)
        .map_err(|e| Failure::User(Msg::new(e.describe(true), e.describe(false))))?;
    let store = ctx.open_for_reading()?;
    let verdict = store.plate_verdict(
        &args.plate,
        &normalized,
        ctx.config.thresholds.pass_warn(),
        zh,
    )?;
    let tz = ctx.tz();
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &Report::new(&verdict, tz))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        // The check names the normalised plate, so an odd one is explained
        // in full ("渝F1234 has 4 characters after …").
        let warning = (!normalized.verdict.is_standard()).then(|| normalized.describe(zh));
        write_text(out, &verdict, warning.as_deref(), ctx.lang, tz)?;
    }
    Ok(if verdict.lets_through() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_VALID)
    })
}

/// The verdict word: the pass status, or NO PASS.
fn word(v: &Verdict, lang: Lang) -> String {
    match v.status {
        Some(s) => format!("{} {}", s.symbol(), s.label(lang)),
        None => format!("✘ {}", lang.t("无通行证", "NO PASS")),
    }
}

/// Labels are padded to this many columns, by display width so that
/// Chinese ones line up too.
const LABEL_WIDTH: usize = 10;

fn field(out: &mut impl Write, label: &str, value: &str) -> std::io::Result<()> {
    writeln!(out, "{}{value}", pad_to_width(label, LABEL_WIDTH))
}

fn write_text(
    out: &mut impl Write,
    v: &Verdict,
    warning: Option<&str>,
    lang: Lang,
    tz: Tz,
) -> std::io::Result<()> {
    let t = |zh, en| lang.t(zh, en);
    let s = |x: &str| sanitize(x).into_owned();
    writeln!(out, "{}", bold(&word(v, lang)))?;
    let plate = if s(&v.typed) == v.plate {
        s(&v.plate)
    } else {
        format!(
            "{}  ({} {})",
            s(&v.plate),
            t("输入为", "typed as"),
            s(&v.typed)
        )
    };
    field(out, t("车牌", "plate"), &plate)?;
    if let Some(w) = warning {
        writeln!(out, "{} {w}", t("注意：", "warning:"))?;
    }
    let Some(vehicle) = &v.vehicle else {
        writeln!(
            out,
            "{}",
            t("该车牌未登记。", "This plate is not registered.")
        )?;
        if !v.near.is_empty() {
            let near: Vec<String> = v.near.iter().map(|p| s(p)).collect();
            field(out, t("相近", "near"), &near.join("  "))?;
        }
        return Ok(());
    };
    match &v.pass {
        Some(p) => {
            let number = format!("{}  ({})", s(&p.number), p.kind.label(lang));
            field(out, t("证号", "pass"), &number)?;
            field(out, t("有效期", "validity"), &window(p, lang, tz))?;
            if let Some(area) = &p.area {
                field(out, t("区域", "area"), &s(area))?;
            }
            if let Some(reason) = &p.reason {
                field(out, t("原因", "reason"), &s(reason))?;
            }
            field(out, t("发证", "issuer"), &s(&p.issuer))?;
        }
        None => writeln!(
            out,
            "{}",
            t(
                "该车辆已登记，但没有通行证。",
                "The vehicle is registered but has no pass."
            )
        )?,
    }
    if let Some(unit) = &vehicle.unit {
        field(out, t("单位", "unit"), &s(unit))?;
    }
    let driver: Vec<String> = [
        vehicle.driver.as_deref().map(s),
        vehicle.phone.as_deref().map(mask_phone),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !driver.is_empty() {
        field(out, t("司机", "driver"), &driver.join("  "))?;
    }
    if let Some(kind) = &vehicle.vehicle_type {
        let load = vehicle
            .load_tonnes
            .map(|l| format!("  {l} t"))
            .unwrap_or_default();
        field(out, t("车型", "vehicle"), &format!("{}{load}", s(kind)))?;
    }
    Ok(())
}

/// The window, with the end that matters for this status said in words.
fn window(p: &PassInfo, lang: Lang, tz: Tz) -> String {
    let (from, until) = (
        local_minute(p.valid_from, tz),
        local_minute(p.valid_until, tz),
    );
    let said = match p.status {
        PassStatus::Valid | PassStatus::ExpiringSoon => {
            msg!("有效至 {until}", "valid until {until}")
        }
        PassStatus::Expired => msg!("已于 {until} 过期", "expired since {until}"),
        PassStatus::NotYetValid => msg!("自 {from} 起生效", "valid from {from}"),
        PassStatus::Requested | PassStatus::Suspended | PassStatus::Revoked => {
            return format!("{from} – {until} ({})", tz.name());
        }
    };
    let said = said.get(lang);
    format!("{said}  [{from} – {until}, {}]", tz.name())
}

/// `--json`: the same facts, the phone masked, times in UTC and local.
#[derive(Serialize)]
struct Report<'a> {
    typed: &'a str,
    plate: &'a str,
    plate_warning: Option<&'a str>,
    /// The status code (`valid`, `expired`, …), or `null` without a pass.
    status: Option<PassStatus>,
    lets_through: bool,
    registered: bool,
    pass: Option<PassReport<'a>>,
    vehicle: Option<VehicleReport<'a>>,
    near: &'a [String],
}

#[derive(Serialize)]
struct PassReport<'a> {
    number: &'a str,
    kind: supplydesk::domain::pass::PassKind,
    state: supplydesk::domain::pass::PassState,
    issuer: &'a str,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    valid_from_local: String,
    valid_until_local: String,
    area: Option<&'a str>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct VehicleReport<'a> {
    plate: &'a str,
    vehicle_type: Option<&'a str>,
    load_tonnes: Option<f64>,
    unit: Option<&'a str>,
    driver: Option<&'a str>,
    phone: Option<String>,
}

impl<'a> Report<'a> {
    fn new(v: &'a Verdict, tz: Tz) -> Report<'a> {
        Report {
            typed: &v.typed,
            plate: &v.plate,
            plate_warning: v.plate_warning.as_deref(),
            status: v.status,
            lets_through: v.lets_through(),
            registered: v.vehicle.is_some(),
            pass: v.pass.as_ref().map(|p| PassReport {
                number: &p.number,
                kind: p.kind,
                state: p.state,
                issuer: &p.issuer,
                valid_from: p.valid_from,
                valid_until: p.valid_until,
                valid_from_local: local_minute(p.valid_from, tz),
                valid_until_local: local_minute(p.valid_until, tz),
                area: p.area.as_deref(),
                reason: p.reason.as_deref(),
            }),
            vehicle: v.vehicle.as_ref().map(|x| VehicleReport {
                plate: &x.plate,
                vehicle_type: x.vehicle_type.as_deref(),
                load_tonnes: x.load_tonnes,
                unit: x.unit.as_deref(),
                driver: x.driver.as_deref(),
                phone: x.phone.as_deref().map(mask_phone),
            }),
            near: &v.near,
        }
    }
}
