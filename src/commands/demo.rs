//! `supplydesk demo`: a database filled with deterministic demo data.

use std::io::Write;
use std::process::ExitCode;

use supplydesk::demo::{self, DemoOptions, DemoSummary};
use supplydesk::domain::text::sanitize;
use supplydesk::i18n::Lang;
use supplydesk::msg;

use super::console::DEMO_OFFICER;
use super::{Ctx, Outcome};
use crate::cli::DemoArgs;

pub fn run(ctx: &Ctx, args: &DemoArgs, out: &mut impl Write) -> Outcome {
    let mut store = ctx.open_or_create(&ctx.db)?;
    let opts = DemoOptions {
        scale: args.scale,
        seed: args.seed,
    };
    // A database that already holds records is refused by `generate`.
    let summary = demo::generate(&mut store, &ctx.actor_or(DEMO_OFFICER), opts)?;
    let path = sanitize(&ctx.db.to_string_lossy()).into_owned();
    let (scale, seed) = (args.scale, args.seed);
    let head = msg!(
        "已在 {path} 生成演示数据（规模 {scale}，种子 {seed}）：",
        "demo data written to {path} (scale {scale}, seed {seed}):"
    );
    writeln!(out, "{}", head.get(ctx.lang))?;
    for (label, n) in rows(&summary, ctx.lang) {
        writeln!(out, "  {n:>10}  {label}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rows(s: &DemoSummary, lang: Lang) -> [(&'static str, i64); 9] {
    let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    [
        (
            lang.t("社区和村", "communities and villages"),
            n(s.communities),
        ),
        (
            lang.t("小区和组", "compounds and village groups"),
            n(s.compounds),
        ),
        (lang.t("保供单位", "supply-guarantee units"), n(s.units)),
        (lang.t("车辆", "vehicles"), n(s.vehicles)),
        (lang.t("通行证", "passes"), n(s.passes)),
        (
            lang.t("特殊群体对象", "special-group recipients"),
            n(s.recipients),
        ),
        (lang.t("配送任务", "deliveries"), n(s.deliveries)),
        (lang.t("缺货预警", "shortage alerts"), n(s.alerts)),
        (lang.t("值守日志条目", "duty-log entries"), s.log_entries),
    ]
}
