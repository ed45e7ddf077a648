-- supplydesk schema, version 4: the ledgers of the plan's annexes that
-- had no table yet. Retail and service outlets per community (附表2) and
-- the staff ledger of the supply-guarantee units (附表4). Transfer stations
-- and points (附表3) already live on compound and building; vehicles (附表5)
-- and volunteers (附表6) have their tables since version 1.
-- Same rules as every state table (002): a change points at the newest log
-- entry, which names the row or the table; nothing is deleted.

CREATE TABLE outlet (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    name          TEXT NOT NULL CHECK (length(name) > 0),
    -- 业态 as the community writes it: 超市, 农贸市场, 药店, 便利店 ...
    category      TEXT,
    address       TEXT,
    contact       TEXT,
    phone         TEXT,
    hours         TEXT,
    is_open       INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0,1)),
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (community_id, name)
) STRICT;

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES supply_unit(id),
    name          TEXT NOT NULL CHECK (length(name) > 0),
    role          TEXT,
    phone         TEXT,
    -- 到岗人员住宿场所: where the unit lodges its staff during lockdown.
    lodging       TEXT,
    on_duty       INTEGER NOT NULL DEFAULT 1 CHECK (on_duty IN (0,1)),
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (unit_id, name)
) STRICT;

CREATE TRIGGER outlet_logged_insert BEFORE INSERT ON outlet WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('outlet:' || NEW.id, 'outlet') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER outlet_logged_update BEFORE UPDATE ON outlet WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('outlet:' || NEW.id, 'outlet') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER outlet_no_delete BEFORE DELETE ON outlet BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
CREATE TRIGGER staff_logged_insert BEFORE INSERT ON staff WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('staff:' || NEW.id, 'staff') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER staff_logged_update BEFORE UPDATE ON staff WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('staff:' || NEW.id, 'staff') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER staff_no_delete BEFORE DELETE ON staff BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
