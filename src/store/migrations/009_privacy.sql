-- supplydesk schema: personal data kept out of the permanent record (issue 21).
-- Written to run again harmlessly (IF NOT EXISTS).
--
-- Callers whose numbers were in free text but belong to nobody the desk
-- knows. The text keeps `〔来电人#7〕 139****0000`; the number a call-back
-- needs is here, shown only by a logged reveal, and erasable: erasure sets
-- `digits` to NULL and `erased_at`, keeping `masked`.
CREATE TABLE IF NOT EXISTS caller (
    id         INTEGER PRIMARY KEY,
    digits     TEXT,
    masked     TEXT NOT NULL,
    first_seq  INTEGER NOT NULL REFERENCES duty_log(seq),
    erased_at  TEXT,
    log_seq    INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK (digits IS NOT NULL OR erased_at IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS caller_digits ON caller(digits) WHERE digits IS NOT NULL;
-- A caller is kept by the entry that first named them, and changed only
-- by a later entry (an erasure).
CREATE TRIGGER IF NOT EXISTS caller_logged_insert BEFORE INSERT ON caller WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER IF NOT EXISTS caller_logged_update BEFORE UPDATE ON caller WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;

-- The scrubber's index of known numbers is brought up to date with the
-- rows changed since it was built, found by their log entry.
CREATE INDEX IF NOT EXISTS recipient_log_seq ON recipient(log_seq);
CREATE INDEX IF NOT EXISTS volunteer_log_seq ON volunteer(log_seq);
CREATE INDEX IF NOT EXISTS staff_log_seq ON staff(log_seq);
CREATE INDEX IF NOT EXISTS vehicle_log_seq ON vehicle(log_seq);
CREATE INDEX IF NOT EXISTS community_log_seq ON community(log_seq);
CREATE INDEX IF NOT EXISTS supply_unit_log_seq ON supply_unit(log_seq);
CREATE INDEX IF NOT EXISTS outlet_log_seq ON outlet(log_seq);
