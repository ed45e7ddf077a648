-- supplydesk schema, version 10: carry-over items in sections, with a next
-- step and an owner; items about recipients not reached and communities
-- short of cover; the outgoing officer's watch items and standing
-- instructions (交代事项). SQLite cannot change a CHECK in place, so the
-- table is rebuilt (its rows kept, their section that of their kind).

CREATE TABLE handover_item_v8 (
    id               INTEGER PRIMARY KEY,
    shift_id         INTEGER NOT NULL REFERENCES shift(id),
    pos              INTEGER NOT NULL CHECK (pos >= 1),
    kind             TEXT NOT NULL CHECK (kind IN ('alert','delivery','pass','reach','cover','watch','instruction')),
    subject          TEXT NOT NULL CHECK (subject LIKE kind || ':%'),
    section          TEXT NOT NULL CHECK (section IN ('alert','delivery','pass','reach','cover','carried','instruction','watch')),
    -- What it was about at the cut-off, in both languages.
    summary          TEXT NOT NULL,
    summary_en       TEXT NOT NULL,
    -- What the incoming officer does about it, and who works on it.
    next_step        TEXT NOT NULL DEFAULT '',
    next_step_en     TEXT NOT NULL DEFAULT '',
    owner            TEXT,
    -- The unacknowledged item of an earlier handover this one continues.
    carried_from     INTEGER REFERENCES handover_item_v8(id),
    acknowledged_at  TEXT,
    acknowledged_by  TEXT,
    log_seq          INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (shift_id, pos),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
) STRICT;

INSERT INTO handover_item_v8 (id, shift_id, pos, kind, subject, section, summary, summary_en,
        carried_from, acknowledged_at, acknowledged_by, log_seq)
    SELECT id, shift_id, pos, kind, subject,
           CASE WHEN carried_from IS NULL THEN kind ELSE 'carried' END,
           summary, summary_en, carried_from, acknowledged_at, acknowledged_by, log_seq
    FROM handover_item ORDER BY id;

DROP TABLE handover_item;
ALTER TABLE handover_item_v8 RENAME TO handover_item;

CREATE INDEX handover_item_unacked ON handover_item(shift_id) WHERE acknowledged_at IS NULL;
CREATE TRIGGER handover_item_logged_insert BEFORE INSERT ON handover_item WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('handover_item:' || NEW.id, 'handover_item') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER handover_item_logged_update BEFORE UPDATE ON handover_item WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('handover_item:' || NEW.id, 'handover_item') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER handover_item_no_delete BEFORE DELETE ON handover_item BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
