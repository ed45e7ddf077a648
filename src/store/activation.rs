//! Activation of the plan, the posts of the leading group, and communities
//! reporting in.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::Code;
use crate::domain::activation::{self, ActivationAction, ActivationState, DirectiveError};
use crate::domain::log_text::Payload;
use crate::domain::time::{from_db, to_db};
use crate::msg;

/// The newest activation record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActivationRow {
    pub state: ActivationState,
    pub directive: String,
    /// When the directive was received, if earlier than it was recorded.
    pub received_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl ActivationRow {
    /// Since when the state holds: the directive's time if given.
    pub fn since(&self) -> DateTime<Utc> {
        self.received_at.unwrap_or(self.recorded_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PostRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub manned: bool,
    pub manned_since: Option<DateTime<Utc>>,
    pub manned_by: Option<String>,
}

fn directive_error(e: DirectiveError) -> StoreError {
    StoreError::Refused(match e {
        DirectiveError::Missing => msg!(
            "缺少指令文号；激活和解除都须注明指令（如 联控指挥部〔2022〕60号）。",
            "The directive reference is missing; activation and deactivation both need one (e.g. 联控指挥部〔2022〕60号)."
        ),
        DirectiveError::TooLong => msg!(
            "指令文号过长；请只写文号。",
            "The directive reference is too long; give just the reference."
        ),
        DirectiveError::ControlCharacters => msg!(
            "指令文号含控制字符；请只写一行文字。",
            "The directive reference contains control characters; write it on one line."
        ),
    })
}

impl Store {
    /// The current state; `None` when the plan has never been activated
    /// (that is: normal).
    pub fn activation(&self) -> Result<Option<ActivationRow>> {
        let row = self
            .conn
            .query_row(
                "SELECT state, directive, received_at, recorded_at, recorded_by
                 FROM activation ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.map(|(s, directive, rec, at, by)| ActivationRow {
            state: ActivationState::from_code(&s).unwrap_or(ActivationState::Normal),
            directive,
            received_at: rec.as_deref().and_then(from_db),
            recorded_at: from_db(&at).unwrap_or_default(),
            recorded_by: by,
        }))
    }

    /// Activates or deactivates the plan on a directive.
    pub fn set_activation(
        &mut self,
        actor: &Actor,
        action: ActivationAction,
        directive: &str,
        received_at: Option<DateTime<Utc>>,
    ) -> Result<i64> {
        let directive = activation::check_directive(directive).map_err(directive_error)?;
        let from = self
            .activation()?
            .map_or(ActivationState::Normal, |a| a.state);
        let to = activation::step(from, action).map_err(|_| {
            StoreError::Refused(match from {
                ActivationState::Activated => msg!(
                    "预案已处于激活状态，无需再次激活。",
                    "The plan is already activated; there is nothing to activate."
                ),
                ActivationState::Normal => msg!(
                    "预案处于平时状态，无需解除。",
                    "The plan is in normal state; there is nothing to deactivate."
                ),
            })
        })?;
        if let Some(at) = received_at
            && at > self.now()
        {
            return Err(StoreError::Refused(msg!(
                "指令接收时间在将来；请填写已经过去的时间。",
                "The time the directive was received is in the future; give a time that has passed."
            )));
        }
        let (_, seq) = self.change(actor, |w| {
            let directive = w.scrub(&directive)?;
            let id = w.next_id("activation")?;
            let event = Payload::new(match to {
                ActivationState::Activated => "plan.activate",
                ActivationState::Normal => "plan.normal",
            })
            .with("directive", directive.clone());
            let seq = w.log(LogDraft {
                occurred_at: received_at,
                ..LogDraft::event(format!("activation:{id}"), event)
            })?;
            w.conn().execute(
                "INSERT INTO activation (id, state, directive, received_at, recorded_at, recorded_by, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    to.code(),
                    directive,
                    received_at.map(to_db),
                    to_db(w.now()),
                    w.actor().officer,
                    seq
                ],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// Every activation and deactivation, newest first.
    pub fn activation_history(&self) -> Result<Vec<ActivationRow>> {
        let mut st = self.conn.prepare(
            "SELECT state, directive, received_at, recorded_at, recorded_by FROM activation ORDER BY id DESC",
        )?;
        let rows = st
            .query_map([], |r| {
                let s: String = r.get(0)?;
                let rec: Option<String> = r.get(2)?;
                let at: String = r.get(3)?;
                Ok(ActivationRow {
                    state: ActivationState::from_code(&s).unwrap_or(ActivationState::Normal),
                    directive: r.get(1)?,
                    received_at: rec.as_deref().and_then(from_db),
                    recorded_at: from_db(&at).unwrap_or_default(),
                    recorded_by: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Creates the posts named in the config that the database lacks
    /// (`init`); existing posts are left as they are.
    pub fn ensure_posts(&mut self, actor: &Actor, posts: &[(String, String)]) -> Result<usize> {
        let existing: Vec<String> = {
            let mut st = self.conn.prepare("SELECT name FROM post")?;
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let missing: Vec<&(String, String)> = posts
            .iter()
            .filter(|(n, _)| !existing.contains(n))
            .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let n = missing.len();
        self.change(actor, |w| {
            let names: Vec<&str> = missing.iter().map(|(n, _)| n.as_str()).collect();
            let seq = w.log(LogDraft::change(
                "post",
                format!(
                    "设立领导小组岗位 Posts of the leading group set up: {}",
                    names.join("、")
                ),
            ))?;
            for (name, unit) in &missing {
                w.conn().execute(
                    "INSERT INTO post (name, unit, log_seq) VALUES (?1, ?2, ?3)",
                    params![name, unit, seq],
                )?;
            }
            Ok(())
        })?;
        Ok(n)
    }

    pub fn posts(&self) -> Result<Vec<PostRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, name, unit, manned, manned_since, manned_by FROM post ORDER BY id",
        )?;
        let rows = st
            .query_map([], |r| {
                let since: Option<String> = r.get(4)?;
                Ok(PostRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    unit: r.get(2)?,
                    manned: r.get::<_, i64>(3)? == 1,
                    manned_since: since.as_deref().and_then(from_db),
                    manned_by: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
