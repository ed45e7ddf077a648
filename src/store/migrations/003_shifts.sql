-- supplydesk schema, version 3: shifts and their handover.
-- A shift's report covers the duty-log entries after `from_seq` up to
-- `cutoff_seq` (the chain head at the cut-off), and the records' times
-- after `window_from` up to `cutoff`.

CREATE TABLE shift (
    id               INTEGER PRIMARY KEY,
    officer          TEXT NOT NULL CHECK (length(officer) > 0),
    state            TEXT NOT NULL CHECK (state IN ('on_duty','handed_over','acknowledged')),
    started_at       TEXT NOT NULL,
    -- Where the report window starts: the previous shift's cut-off, so that
    -- consecutive reports leave nothing out; the start for the first shift.
    window_from      TEXT NOT NULL,
    from_seq         INTEGER NOT NULL CHECK (from_seq >= 0),
    incoming         TEXT,
    ended_at         TEXT,
    cutoff           TEXT,
    cutoff_seq       INTEGER REFERENCES duty_log(seq),
    -- The head as it was at the handover, kept beside the log so that a
    -- rewritten chain disagrees with it.
    cutoff_hash      TEXT CHECK (cutoff_hash IS NULL OR length(cutoff_hash) = 64),
    acknowledged_at  TEXT,
    acknowledged_by  TEXT,
    log_seq          INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK (state = 'on_duty' OR (incoming IS NOT NULL AND ended_at IS NOT NULL AND cutoff IS NOT NULL
                                 AND cutoff_seq IS NOT NULL AND cutoff_hash IS NOT NULL)),
    CHECK (incoming IS NULL OR incoming <> officer),
    CHECK (state <> 'acknowledged' OR (acknowledged_at IS NOT NULL AND acknowledged_by IS NOT NULL)),
    CHECK (cutoff IS NULL OR cutoff >= window_from)
) STRICT;
-- One officer on duty at a time.
CREATE UNIQUE INDEX shift_one_on_duty ON shift(state) WHERE state = 'on_duty';
CREATE INDEX shift_pending ON shift(incoming) WHERE state = 'handed_over';

-- The open items at a handover's cut-off, numbered from 1 (`pos`).
CREATE TABLE handover_item (
    id               INTEGER PRIMARY KEY,
    shift_id         INTEGER NOT NULL REFERENCES shift(id),
    pos              INTEGER NOT NULL CHECK (pos >= 1),
    kind             TEXT NOT NULL CHECK (kind IN ('alert','delivery','pass')),
    subject          TEXT NOT NULL CHECK (subject LIKE kind || ':%'),
    -- What it was about at the cut-off, in both languages.
    summary          TEXT NOT NULL,
    summary_en       TEXT NOT NULL,
    -- The unacknowledged item of an earlier handover this one continues.
    carried_from     INTEGER REFERENCES handover_item(id),
    acknowledged_at  TEXT,
    acknowledged_by  TEXT,
    log_seq          INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (shift_id, pos),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
) STRICT;
CREATE INDEX handover_item_unacked ON handover_item(shift_id) WHERE acknowledged_at IS NULL;

CREATE TRIGGER shift_logged_insert BEFORE INSERT ON shift WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('shift:' || NEW.id, 'shift') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER shift_logged_update BEFORE UPDATE ON shift WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('shift:' || NEW.id, 'shift') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER shift_no_delete BEFORE DELETE ON shift BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
CREATE TRIGGER handover_item_logged_insert BEFORE INSERT ON handover_item WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('handover_item:' || NEW.id, 'handover_item') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER handover_item_logged_update BEFORE UPDATE ON handover_item WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('handover_item:' || NEW.id, 'handover_item') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER handover_item_no_delete BEFORE DELETE ON handover_item BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
