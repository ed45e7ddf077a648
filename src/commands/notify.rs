//! `supplydesk notify`: delivers the outbox to the work groups (issue 19).

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use supplydesk::domain::text::sanitize;
use supplydesk::msg;
use supplydesk::notify::channel::Outcome as Posted;
use supplydesk::notify::sender::{Sender, backlog, test_channel};
use supplydesk::report::handover::ReportOptions;

use super::{Ctx, EXIT_BROKEN, Failure, Outcome};
use crate::cli::{NotifyArgs, NotifyCommand};

fn no_channels() -> Failure {
    Failure::User(msg!(
        "配置中没有通知频道；请在配置文件中加入 [[notify.channel]]（见 README“通知工作群”）。",
        "No notify channel is configured; add [[notify.channel]] to the config (README, \"Messages to the work groups\")."
    ))
}

pub fn run(ctx: &Ctx, args: &NotifyArgs, out: &mut impl Write) -> Outcome {
    let cfg = &ctx.config.notify;
    let failed_in_a_row = ctx.config.norms.failed_deliveries_in_a_row;
    match &args.what {
        Some(NotifyCommand::Test { channel }) => {
            let Some(c) = cfg.channel(channel) else {
                let names: Vec<&str> = cfg.channels.iter().map(|c| c.name.as_str()).collect();
                let (ch, names) = (sanitize(channel).into_owned(), names.join("、"));
                return Err(Failure::User(msg!(
                    "没有名为 “{ch}” 的通知频道；已配置：{names}。",
                    "There is no notify channel named \"{ch}\"; configured: {names}."
                )));
            };
            let n = &c.name;
            match test_channel(cfg, c, &ctx.config.subdistrict) {
                Posted::Sent => {
                    let m = msg!(
                        "频道 “{n}” 已收到测试消息。",
                        "Channel \"{n}\" accepted the test message."
                    );
                    writeln!(out, "{}", m.get(ctx.lang))?;
                    Ok(ExitCode::SUCCESS)
                }
                Posted::Failed { error, .. } => Err(Failure::User(error)),
            }
        }
        Some(NotifyCommand::Status) => {
            if cfg.channels.is_empty() {
                return Err(no_channels());
            }
            let store = ctx.open_for_reading()?;
            for c in &cfg.channels {
                let st = store.channel_state(&c.name)?;
                let b = backlog(
                    &store,
                    &supplydesk::notify::NotifyConfig {
                        channels: vec![c.clone()],
                        ..cfg.clone()
                    },
                    failed_in_a_row,
                )?;
                let (n, w, sent) = (&c.name, b.waiting, st.sent_count);
                let line = match &st.last_error {
                    Some(e) if st.failing_since.is_some() => {
                        let e = sanitize(e).into_owned();
                        msg!(
                            "{n}：已发 {sent}，待发 {w}，发送失败：{e}",
                            "{n}: {sent} sent, {w} waiting, failing: {e}"
                        )
                    }
                    _ => msg!(
                        "{n}：已发 {sent}，待发 {w}",
                        "{n}: {sent} sent, {w} waiting"
                    ),
                };
                writeln!(out, "{}", line.get(ctx.lang))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            if cfg.channels.is_empty() {
                return Err(no_channels());
            }
            let mut store = ctx.open_for_writing()?;
            let report = ReportOptions::from_config(&ctx.config);
            let mut sender = Sender::new(&mut store, cfg, failed_in_a_row, ctx.lang, report)?;
            if args.follow {
                let _ = tracing_subscriber::fmt()
                    .with_writer(std::io::stderr)
                    .with_ansi(false)
                    .without_time()
                    .try_init();
                tracing::info!(channels = cfg.channels.len(), "notify sender started");
                let stop = AtomicBool::new(false);
                sender.follow(&stop)?;
                return Ok(ExitCode::SUCCESS);
            }
            let s = sender.pass(true)?;
            for m in sender.take_notices() {
                writeln!(out, "{}", m.get(ctx.lang))?;
            }
            let sent = s.sent;
            writeln!(
                out,
                "{}",
                msg!("已发送 {sent} 条。", "{sent} sent.").get(ctx.lang)
            )?;
            if s.failing.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            for (_, e) in &s.failing {
                writeln!(out, "{}", sanitize(e))?;
            }
            Ok(ExitCode::from(EXIT_BROKEN))
        }
    }
}
