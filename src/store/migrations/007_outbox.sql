-- Messages to the work groups (issue 19). A change that warrants one writes
-- it here in the same transaction as the change and its log entry, so there
-- is no change without its message and no message without its change.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    log_seq     INTEGER NOT NULL REFERENCES duty_log(seq),
    rule        TEXT NOT NULL CHECK (rule IN ('critical_alert','predicted_shortage',
                    'delivery_failed','pass_suspended','pass_revoked','activation','handover')),
    subject     TEXT NOT NULL,
    community   TEXT,
    -- For delivery_failed: the recipient's failures in a row, this one counted.
    failures    INTEGER,
    text_zh     TEXT NOT NULL CHECK (length(text_zh) > 0),
    text_en     TEXT NOT NULL CHECK (length(text_en) > 0),
    created_at  TEXT NOT NULL
) STRICT;

-- Which rule has fired for which record and not yet been cleared: a
-- critical alert is told once, and again only after it stopped being one.
CREATE TABLE outbox_fired (
    rule     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    PRIMARY KEY (rule, subject)
) STRICT, WITHOUT ROWID;

-- The sender's progress, per channel: messages up to `done_id` are
-- delivered (or not meant for the channel); `sending_id` is the one posted
-- and not yet marked (a crash in between leaves it set).
CREATE TABLE outbox_channel (
    name          TEXT PRIMARY KEY,
    done_id       INTEGER NOT NULL DEFAULT 0,
    sending_id    INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    failing_since TEXT,
    last_error    TEXT,
    sent_count    INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
) STRICT;
