-- supplydesk schema, version 5: the supply picture (issue 7).
-- Stock reports as a time series, per-community overrides of the daily
-- need per person, logged contacts with special-group recipients, and
-- market reports as their own kind of alert.
-- Same rules as every state table (002): a change points at the newest log
-- entry, which names the row or the table; nothing is deleted.

-- What a community holds of an item class and receives a day, as reported
-- by one source: a supply unit, an outlet, a compound's transfer station,
-- or (none of them) the community's own count: the three ids together name
-- the source. Never updated: a new figure is a new report, and the cover
-- sums the latest report of each source.
CREATE TABLE stock_report (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    item          TEXT NOT NULL CHECK (item IN ('grain','oil','meat','vegetables','eggs_milk','medicine','infant_formula','protective','other')),
    unit_id       INTEGER REFERENCES supply_unit(id),
    outlet_id     INTEGER REFERENCES outlet(id),
    -- The compound whose transfer station reported.
    compound_id   INTEGER REFERENCES compound(id),
    -- In the item class's measure (kg; pieces for protective supplies).
    stock         REAL NOT NULL CHECK (stock >= 0 AND stock <= 1e8),
    supply_in     REAL NOT NULL DEFAULT 0 CHECK (supply_in >= 0 AND supply_in <= 1e8),
    -- When the figures were true; recorded_at is when the desk wrote them.
    reported_at   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    -- How they came in (电话, 报表, 导入 …) and who gave them.
    source        TEXT,
    reporter      TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK ((unit_id IS NOT NULL) + (outlet_id IS NOT NULL) + (compound_id IS NOT NULL) <= 1)
) STRICT;
-- One cell's history, newest last; the newest report of a cell by a seek.
CREATE INDEX stock_report_cell ON stock_report(community_id, item, reported_at);
-- The reports within the stale window, with everything the cover needs,
-- so that recomputing every cell reads the window and never the history.
CREATE INDEX stock_report_recent ON stock_report(reported_at, community_id, item, unit_id, outlet_id, compound_id,
    stock, supply_in, recorded_at);

-- A community whose need differs from the configured norm (a care home's
-- residents, a quarter of migrant workers who eat at the canteen …).
-- NULL: back to the configured norm.
CREATE TABLE norm_override (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    item          TEXT NOT NULL CHECK (item IN ('grain','oil','meat','vegetables','eggs_milk','medicine','infant_formula','protective','other')),
    per_person    REAL CHECK (per_person IS NULL OR (per_person >= 0 AND per_person <= 100)),
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (community_id, item)
) STRICT;

-- A call or visit to a special-group recipient; one that reached them
-- counts like a delivery for the coverage-gap list.
CREATE TABLE contact (
    id            INTEGER PRIMARY KEY,
    recipient_id  INTEGER NOT NULL REFERENCES recipient(id),
    channel       TEXT NOT NULL CHECK (channel IN ('phone','visit','video','other')),
    reached       INTEGER NOT NULL CHECK (reached IN (0,1)),
    contacted_at  TEXT NOT NULL,
    -- Masked of the recipient's name, phone and ID number before it is kept.
    note          TEXT,
    recorded_at   TEXT NOT NULL,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;
CREATE INDEX contact_recipient ON contact(recipient_id, reached, contacted_at);

-- Market reports (价格上涨, 囤积居奇, 哄抬物价) are alerts of their own kind,
-- against a supply unit or an outlet, handled by 市场监管所.
ALTER TABLE alert ADD COLUMN kind TEXT NOT NULL DEFAULT 'shortage' CHECK (kind IN ('shortage','market'));
ALTER TABLE alert ADD COLUMN market_kind TEXT CHECK ((kind = 'shortage' AND market_kind IS NULL) OR (kind = 'market' AND market_kind IN ('price_rise','hoarding','gouging')));
ALTER TABLE alert ADD COLUMN target_unit_id INTEGER REFERENCES supply_unit(id);
ALTER TABLE alert ADD COLUMN target_outlet_id INTEGER REFERENCES outlet(id) CHECK (kind = 'shortage' OR target_unit_id IS NOT NULL OR target_outlet_id IS NOT NULL);

-- The open predicted alert of a community and item, if any: looked up at
-- every stock report and for every cell of the cover.
CREATE INDEX alert_predicted_open ON alert(community_id, item)
    WHERE predicted = 1 AND state NOT IN ('resolved','cancelled');

-- The special-group side reads every recipient's last reach: indexes that
-- let it read the few rows it needs instead of the wide tables.
CREATE INDEX recipient_group ON recipient(grp);
CREATE INDEX delivery_delivered ON delivery(recipient_id, done_at) WHERE state = 'delivered';
CREATE INDEX delivery_open_recipient ON delivery(recipient_id)
    WHERE state IN ('queued','assigned','en_route','failed');
CREATE INDEX delivery_failed ON delivery(recipient_id, updated_at)
    WHERE attempts > 0 AND state <> 'delivered';
-- Compounds without an open transfer station, buildings without a point.
CREATE INDEX compound_without_station ON compound(community_id)
    WHERE transfer_station IS NULL OR station_active = 0;
CREATE INDEX building_without_point ON building(compound_id) WHERE transfer_point IS NULL;

CREATE TRIGGER stock_report_logged_insert BEFORE INSERT ON stock_report WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('stock_report:' || NEW.id, 'stock_report') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER stock_report_logged_update BEFORE UPDATE ON stock_report WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('stock_report:' || NEW.id, 'stock_report') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER stock_report_no_delete BEFORE DELETE ON stock_report BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
CREATE TRIGGER norm_override_logged_insert BEFORE INSERT ON norm_override WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('norm_override:' || NEW.id, 'norm_override') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER norm_override_logged_update BEFORE UPDATE ON norm_override WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('norm_override:' || NEW.id, 'norm_override') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER norm_override_no_delete BEFORE DELETE ON norm_override BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
CREATE TRIGGER contact_logged_insert BEFORE INSERT ON contact WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('contact:' || NEW.id, 'contact') BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER contact_logged_update BEFORE UPDATE ON contact WHEN NEW.log_seq IS NOT (SELECT MAX(seq) FROM duty_log) OR (SELECT subject FROM duty_log WHERE seq = NEW.log_seq) NOT IN ('contact:' || NEW.id, 'contact') OR NEW.log_seq <= OLD.log_seq BEGIN SELECT RAISE(ABORT, 'every change needs its duty-log entry'); END;
CREATE TRIGGER contact_no_delete BEFORE DELETE ON contact BEGIN SELECT RAISE(ABORT, 'records are closed or cancelled, never deleted'); END;
