//! Draining the outbox: each channel in the outbox's order, one message at
//! a time, retried with backoff while the channel fails.
//!
//! Before a message is posted the channel's row says so (`sending_id`);
//! after the channel accepted it, the row moves on (`done_id`). A sender
//! killed in between finds `sending_id` set when it starts again and posts
//! that message again: a generic webhook gets the same `Idempotency-Key`
//! and can drop the repeat; a robot or a mail server cannot, so the group
//! may see that one message twice (at most once more per crash). Nothing
//! is ever skipped.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::notify::channel::{self, Outcome, Outgoing};
use crate::notify::{ChannelConfig, NotifyConfig, Route};
use crate::store::outbox::{ChannelState, Message, Rule};
use crate::store::{Store, StoreError};

/// How one channel stands after a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRun {
    /// Nothing left for it.
    Idle,
    /// Failing: try again after `wait`.
    Failing { wait: Duration, error: String },
}

/// What a pass over every channel did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub sent: usize,
    pub failing: Vec<(String, String)>,
}

struct Chan {
    cfg: ChannelConfig,
    route: Route,
    next_try: Instant,
}

pub struct Sender<'a> {
    store: &'a mut Store,
    cfg: &'a NotifyConfig,
    lang: Lang,
    key_prefix: String,
    title_prefix: String,
    chans: Vec<Chan>,
    report: crate::report::handover::ReportOptions,
    notices: Vec<Msg>,
    _lock: File,
}

/// How far back a channel served for the first time reaches.
const FIRST_WINDOW: chrono::Duration = chrono::Duration::hours(1);

/// Held while a sender runs: two senders on one database would post the
/// same message twice.
fn lock(db: &Path) -> Result<File, Msg> {
    let mut p = db.as_os_str().to_owned();
    p.push(".notify.lock");
    let p = PathBuf::from(p);
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(|e| {
            let (d, e) = (p.display(), e.to_string());
            msg!(
                "无法创建通知锁文件 {d}：{e}。",
                "Cannot create the sender's lock file {d}: {e}."
            )
        })?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(_) => {
            let d = db.display();
            Err(msg!(
                "{d} 的通知发送程序已在运行（另一个 supplydesk notify）；同一数据库只能运行一个。",
                "A sender for {d} is already running (another supplydesk notify); run one per database."
            ))
        }
    }
}

impl<'a> Sender<'a> {
    pub fn new(
        store: &'a mut Store,
        cfg: &'a NotifyConfig,
        failed_in_a_row: i64,
        lang: Lang,
        report: crate::report::handover::ReportOptions,
    ) -> Result<Sender<'a>, Msg> {
        let lock = lock(store.path())?;
        let mut chans = Vec::new();
        for c in &cfg.channels {
            chans.push(Chan {
                route: Route::of(c, failed_in_a_row)?,
                cfg: c.clone(),
                next_try: Instant::now(),
            });
        }
        // Names this desk's messages for receivers that drop repeats: the
        // first entry's hash is this database's and no other's.
        let first = store
            .entry(1)
            .map_err(|e| e.message())?
            .map(|e| e.hash.chars().take(12).collect::<String>())
            .unwrap_or_else(|| "empty".into());
        Ok(Sender {
            store,
            cfg,
            lang,
            key_prefix: format!("supplydesk-{first}"),
            title_prefix: report.subdistrict.clone(),
            chans,
            report,
            notices: Vec::new(),
            _lock: lock,
        })
    }

    fn outgoing_text(&self, m: &Message) -> String {
        let mut text = m.text.get(self.lang).to_string();
        if m.rule == Rule::Handover
            && let Some(full) = handover_text(self.store, &m.subject, self.lang, &self.report)
        {
            text = full;
        }
        text
    }

    fn title(&self, rule: Rule) -> String {
        let label = rule_label(rule).get(self.lang).to_string();
        format!("{} {label}", self.title_prefix)
    }

    /// Posts what waits for channel `i`, in order, until none is left or
    /// the channel fails.
    fn drain(&mut self, i: usize) -> Result<ChannelRun, StoreError> {
        let name = self.chans[i].cfg.name.clone();
        self.first_sight(&name)?;
        let mut st = self.store.channel_state(&name)?;
        loop {
            let next = match st.sending_id {
                Some(id) => self.store.outbox_after(id - 1, 1)?.into_iter().next(),
                None => self.next_wanted(i, &mut st)?,
            };
            let Some(m) = next else {
                self.store.save_channel_state(&st)?;
                return Ok(ChannelRun::Idle);
            };
            st.sending_id = Some(m.id);
            st.attempts += 1;
            self.store.save_channel_state(&st)?;
            let text = self.outgoing_text(&m);
            let title = self.title(m.rule);
            let key = format!("{}-{}", self.key_prefix, m.id);
            let outcome = channel::post(
                self.cfg,
                &self.chans[i].cfg,
                &Outgoing {
                    text: &text,
                    title: &title,
                    idempotency_key: &key,
                    rule: m.rule.code(),
                },
            );
            match outcome {
                Outcome::Sent => {
                    st.sending_id = None;
                    st.done_id = m.id;
                    st.attempts = 0;
                    st.failing_since = None;
                    st.last_error = None;
                    st.sent_count += 1;
                    self.store.save_channel_state(&st)?;
                }
                Outcome::Failed {
                    error,
                    rate_limited,
                } => {
                    let error = error.get(self.lang).to_string();
                    st.failing_since.get_or_insert(self.store.now());
                    st.last_error = Some(error.clone());
                    self.store.save_channel_state(&st)?;
                    let step = u32::try_from(st.attempts.clamp(1, 16) - 1).unwrap_or(0);
                    let mut wait = Duration::from_secs(1u64 << step.min(10))
                        .min(Duration::from_secs(self.cfg.retry_max_seconds.max(1)));
                    if rate_limited {
                        wait = wait.max(Duration::from_secs(self.cfg.rate_limit_seconds));
                    }
                    return Ok(ChannelRun::Failing { wait, error });
                }
            }
        }
    }

    /// A channel the sender has never served starts with the messages of
    /// the last [`FIRST_WINDOW`]: a group robot added on the fourth day of
    /// an emergency must not receive three days of old alerts. What is
    /// skipped is said (stdout of `notify`, the service's log).
    fn first_sight(&mut self, name: &str) -> Result<(), StoreError> {
        if self.store.channel_known(name)? {
            return Ok(());
        }
        let since = self.store.now() - FIRST_WINDOW;
        let (done_id, skipped) = self.store.outbox_before(since)?;
        self.store.save_channel_state(&ChannelState {
            name: name.to_string(),
            done_id,
            ..ChannelState::default()
        })?;
        if skipped > 0 {
            let m = msg!(
                "频道 “{name}” 首次发送：跳过 1 小时以前的 {skipped} 条旧消息（至 #{done_id}），只发此后的。",
                "Channel \"{name}\" is new: {skipped} messages older than an hour (up to #{done_id}) are skipped; later ones are sent."
            );
            tracing::info!(channel = %name, skipped, "{}", m.en);
            self.notices.push(m);
        }
        Ok(())
    }

    /// What the sender has to say besides failures (channels started).
    pub fn take_notices(&mut self) -> Vec<Msg> {
        std::mem::take(&mut self.notices)
    }

    /// The first message after `done_id` the channel takes, moving
    /// `done_id` past the ones it does not.
    fn next_wanted(
        &mut self,
        i: usize,
        st: &mut ChannelState,
    ) -> Result<Option<Message>, StoreError> {
        loop {
            let batch = self.store.outbox_after(st.done_id, 200)?;
            if batch.is_empty() {
                return Ok(None);
            }
            for m in batch {
                if self.chans[i].route.wants(&m) {
                    return Ok(Some(m));
                }
                st.done_id = m.id;
            }
        }
    }

    /// One pass over every channel that is due; failing ones wait their
    /// backoff (`force` tries them anyway).
    pub fn pass(&mut self, force: bool) -> Result<Summary, StoreError> {
        let mut sum = Summary::default();
        for i in 0..self.chans.len() {
            if !force && Instant::now() < self.chans[i].next_try {
                let name = self.chans[i].cfg.name.clone();
                let err = self.store.channel_state(&name)?.last_error;
                sum.failing.push((name, err.unwrap_or_default()));
                continue;
            }
            let before = self
                .store
                .channel_state(&self.chans[i].cfg.name)?
                .sent_count;
            let run = self.drain(i)?;
            let after = self
                .store
                .channel_state(&self.chans[i].cfg.name)?
                .sent_count;
            sum.sent += usize::try_from(after - before).unwrap_or(0);
            match run {
                ChannelRun::Idle => self.chans[i].next_try = Instant::now(),
                ChannelRun::Failing { wait, error } => {
                    tracing::warn!(channel = %self.chans[i].cfg.name, wait_s = wait.as_secs(), "{error}");
                    self.chans[i].next_try = Instant::now() + wait;
                    sum.failing.push((self.chans[i].cfg.name.clone(), error));
                }
            }
        }
        Ok(sum)
    }

    /// Runs until `stop`: a pass whenever the database changed or a failing
    /// channel's wait is over.
    pub fn follow(&mut self, stop: &AtomicBool) -> Result<(), StoreError> {
        let mut version = -1;
        while !stop.load(Ordering::Relaxed) {
            let v = self.store.data_version()?;
            let due = self
                .chans
                .iter()
                .any(|c| c.next_try <= Instant::now() && version != -1);
            if v != version || due {
                version = v;
                let s = self.pass(false)?;
                if s.sent > 0 {
                    tracing::info!(sent = s.sent, "delivered");
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

/// The handover text of the shift `shift:N`: the plain-text report (no
/// Markdown), as pasted into a work group.
fn handover_text(
    store: &Store,
    subject: &str,
    lang: Lang,
    opts: &crate::report::handover::ReportOptions,
) -> Option<String> {
    use crate::report::handover::{Which, build};
    let id: i64 = subject.strip_prefix("shift:")?.parse().ok()?;
    let r = build(store, Which::Shift(id), opts).ok()?;
    Some(r.to_text(lang))
}

pub fn rule_label(rule: Rule) -> Msg {
    match rule {
        Rule::CriticalAlert => Msg::new("紧急预警", "critical alert"),
        Rule::PredictedShortage => Msg::new("预计短缺", "predicted shortage"),
        Rule::DeliveryFailed => Msg::new("配送未送达", "delivery failed"),
        Rule::PassSuspended => Msg::new("通行证暂停", "pass suspended"),
        Rule::PassRevoked => Msg::new("通行证吊销", "pass revoked"),
        Rule::Activation => Msg::new("预案状态", "plan status"),
        Rule::Handover => Msg::new("交接班", "handover"),
    }
}

/// For the console's header: messages waiting for a configured channel,
/// and the channels failing (with their last answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    pub waiting: usize,
    /// When the oldest waiting message was written.
    pub oldest: Option<chrono::DateTime<chrono::Utc>>,
    pub failing: Vec<String>,
}

pub fn backlog(
    store: &Store,
    cfg: &NotifyConfig,
    failed_in_a_row: i64,
) -> Result<Backlog, StoreError> {
    let mut out = Backlog::default();
    for c in &cfg.channels {
        let Ok(route) = Route::of(c, failed_in_a_row) else {
            continue;
        };
        let st = store.channel_state(&c.name)?;
        let after = if store.channel_known(&c.name)? {
            st.sending_id.map_or(st.done_id, |s| s - 1)
        } else {
            // As the sender will start it: see `first_sight`.
            store.outbox_before(store.now() - FIRST_WINDOW)?.0
        };
        for (r, com, f, at) in store.outbox_kinds_after(after)? {
            if route.matches(r, com.as_deref(), f) {
                out.waiting += 1;
                out.oldest = Some(out.oldest.map_or(at, |o| o.min(at)));
            }
        }
        if st.failing_since.is_some() {
            out.failing.push(c.name.clone());
        }
    }
    Ok(out)
}

/// Posts a test message to one channel and says how it went.
pub fn test_channel(cfg: &NotifyConfig, c: &ChannelConfig, subdistrict: &str) -> Outcome {
    let text = format!(
        "{subdistrict} 值守台测试消息：此频道已接通。 / supplydesk test message: this channel works."
    );
    channel::post(
        cfg,
        c,
        &Outgoing {
            text: &text,
            title: "supplydesk test",
            idempotency_key: &format!("supplydesk-test-{}", std::process::id()),
            rule: "test",
        },
    )
}
