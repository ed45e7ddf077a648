//! `supplydesk` and `supplydesk --demo`: hand over to the console.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use supplydesk::demo::{self, DemoOptions};
use supplydesk::msg;
use supplydesk::store::StoreError;
use supplydesk::tui;

use super::{Ctx, Failure, Outcome};

/// The demo database, relative to the current directory as in the README.
pub const DEMO_DB: &str = "data/demo.db";

/// The officer recorded on generated demo data when none is named.
pub const DEMO_OFFICER: &str = "演示数据";

pub fn run(ctx: &Ctx, demo: bool) -> Outcome {
    // Checked first, so that a script calling us by mistake changes nothing.
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(Failure::User(msg!(
            "控制台需要在终端中运行；脚本请使用子命令，例如 `supplydesk pass 车牌号`。",
            "the console needs a terminal; for scripts use a subcommand such as `supplydesk pass PLATE`."
        )));
    }
    let db = if demo {
        let path = PathBuf::from(DEMO_DB);
        if !path.exists() {
            make_demo_db(ctx, &path)?;
        }
        path
    } else {
        // A missing file is told in one sentence before the console takes
        // the screen; one this user cannot write opens read-only, with the
        // banner.
        drop(tui::open_store(&ctx.db, ctx.read_only)?);
        ctx.db.clone()
    };
    let opts = tui::Options {
        db,
        read_only: ctx.read_only,
        officer: ctx.officer.clone(),
        lang: ctx.lang,
        config: ctx.config.clone(),
    };
    match tui::run(opts) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The console may hand back a store error the user can act on.
        Err(report) => match report.downcast_ref::<StoreError>() {
            Some(e) => Err(Failure::User(e.message())),
            None => Err(Failure::Bug(report)),
        },
    }
}

/// Builds the demo database beside its final name and renames it at the
/// end, so an interrupted run never leaves a half-filled `data/demo.db`
/// that later runs would open as if it were complete.
fn make_demo_db(ctx: &Ctx, path: &Path) -> Result<(), Failure> {
    eprintln!(
        "{}",
        msg!(
            "正在创建演示数据库 {DEMO_DB} …",
            "creating demo database {DEMO_DB} …"
        )
        .get(ctx.lang)
    );
    let partial = path.with_extension("db.partial");
    remove_with_companions(&partial);
    let mut store = ctx.open_or_create(&partial)?;
    let made = demo::generate(
        &mut store,
        &ctx.actor_or(DEMO_OFFICER),
        DemoOptions::default(),
    );
    // Closing checkpoints the WAL into the file, so the rename moves all of it.
    drop(store);
    if let Err(e) = made {
        remove_with_companions(&partial);
        return Err(e.into());
    }
    std::fs::rename(&partial, path).map_err(|e| {
        let e = e.to_string();
        Failure::User(msg!(
            "无法把演示数据库移到 {DEMO_DB}：{e}；请检查 data/ 目录的权限。",
            "Cannot move the demo database into place at {DEMO_DB}: {e}; check the permissions of data/."
        ))
    })
}

fn remove_with_companions(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
