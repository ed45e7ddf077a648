//! `supplydesk init`: an empty database with the schema and the posts of
//! the leading group from the config. Safe to repeat: it only adds posts
//! that are missing.

use std::io::Write;
use std::process::ExitCode;

use supplydesk::domain::text::sanitize;
use supplydesk::msg;

use super::{Ctx, Outcome};

/// The officer recorded on the posts' log entry when none is named.
pub const INIT_OFFICER: &str = "system";

pub fn run(ctx: &Ctx, out: &mut impl Write) -> Outcome {
    let existed = ctx.db.exists();
    let mut store = ctx.open_or_create(&ctx.db)?;
    let posts: Vec<(String, String)> = ctx
        .config
        .posts
        .iter()
        .map(|p| (p.name.clone(), p.unit.clone()))
        .collect();
    let added = store.ensure_posts(&ctx.actor_or(INIT_OFFICER), &posts)?;
    let path = sanitize(&ctx.db.to_string_lossy()).into_owned();
    let version = store.schema_version()?;
    let line = match (existed, added) {
        (false, n) => msg!(
            "已创建数据库 {path}（结构版本 {version}），设立领导小组岗位 {n} 个。",
            "created database {path} (schema version {version}) with {n} posts of the leading group"
        ),
        (true, 0) => msg!(
            "数据库 {path} 已存在，岗位齐全，未作改动。",
            "database {path} already exists with all configured posts; nothing changed"
        ),
        (true, n) => msg!(
            "数据库 {path} 已存在；补设缺少的岗位 {n} 个。",
            "database {path} already exists; added {n} missing posts"
        ),
    };
    writeln!(out, "{}", line.get(ctx.lang))?;
    Ok(ExitCode::SUCCESS)
}
