-- supplydesk schema, version 1.
-- Every state table carries `log_seq`, the duty-log entry of its last
-- change; triggers (002) make a change without a fresh log entry impossible.
-- Times are UTC text, YYYY-MM-DDTHH:MM:SS.mmmZ (text order is time order).

CREATE TABLE duty_log (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    kind        TEXT NOT NULL CHECK (kind IN ('change','note','call','instruction','handover','access')),
    text        TEXT NOT NULL,
    officer     TEXT NOT NULL CHECK (length(officer) > 0),
    os_user     TEXT NOT NULL,
    ssh_client  TEXT,
    recorded_at TEXT NOT NULL,
    occurred_at TEXT,
    subject     TEXT,
    corrects    INTEGER REFERENCES duty_log(seq),
    prev_hash   TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash        TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX duty_log_recorded ON duty_log(recorded_at);
CREATE INDEX duty_log_kind ON duty_log(kind, seq);
CREATE INDEX duty_log_subject ON duty_log(subject) WHERE subject IS NOT NULL;
CREATE INDEX duty_log_corrects ON duty_log(corrects) WHERE corrects IS NOT NULL;

CREATE TABLE community (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('community','village')),
    resident_pop  INTEGER NOT NULL DEFAULT 0 CHECK (resident_pop >= 0),
    floating_pop  INTEGER NOT NULL DEFAULT 0 CHECK (floating_pop >= 0),
    households    INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
    contact       TEXT,
    phone         TEXT,
    reported_at   TEXT,
    reported_by   TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;

CREATE TABLE compound (
    id                   INTEGER PRIMARY KEY,
    community_id         INTEGER NOT NULL REFERENCES community(id),
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('compound','group')),
    households           INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
    resident_pop         INTEGER NOT NULL DEFAULT 0 CHECK (resident_pop >= 0),
    floating_pop         INTEGER NOT NULL DEFAULT 0 CHECK (floating_pop >= 0),
    transfer_station     TEXT,
    station_active       INTEGER NOT NULL DEFAULT 0 CHECK (station_active IN (0,1)),
    log_seq              INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (community_id, name)
) STRICT;

CREATE TABLE building (
    id               INTEGER PRIMARY KEY,
    compound_id      INTEGER NOT NULL REFERENCES compound(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('building','courtyard')),
    households       INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
    transfer_point   TEXT,
    log_seq          INTEGER NOT NULL REFERENCES duty_log(seq),
    UNIQUE (compound_id, name)
) STRICT;

CREATE TABLE post (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    unit          TEXT NOT NULL,
    manned        INTEGER NOT NULL DEFAULT 0 CHECK (manned IN (0,1)),
    manned_since  TEXT,
    manned_by     TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;

CREATE TABLE volunteer (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    compound_id   INTEGER REFERENCES compound(id),
    building_id   INTEGER REFERENCES building(id),
    station       TEXT,
    tasks         TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;
CREATE INDEX volunteer_community ON volunteer(community_id);

-- The history of activation: the current state is the newest row.
CREATE TABLE activation (
    id           INTEGER PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('normal','activated')),
    directive    TEXT NOT NULL CHECK (length(directive) > 0),
    received_at  TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    log_seq      INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;

CREATE TABLE supply_unit (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    category          TEXT NOT NULL CHECK (category IN ('grain_oil','meat','vegetables','eggs_milk','medicine','protective','logistics','retail')),
    community_id      INTEGER REFERENCES community(id),
    address           TEXT,
    contact           TEXT,
    phone             TEXT,
    daily_sales       REAL NOT NULL DEFAULT 0 CHECK (daily_sales >= 0),
    regular_stock     REAL NOT NULL DEFAULT 0 CHECK (regular_stock >= 0),
    storage_capacity  REAL NOT NULL DEFAULT 0 CHECK (storage_capacity >= 0),
    staff             INTEGER NOT NULL DEFAULT 0 CHECK (staff >= 0),
    vehicles          INTEGER NOT NULL DEFAULT 0 CHECK (vehicles >= 0),
    drivers           INTEGER NOT NULL DEFAULT 0 CHECK (drivers >= 0),
    log_seq           INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;

CREATE TABLE vehicle (
    id            INTEGER PRIMARY KEY,
    plate         TEXT NOT NULL UNIQUE,          -- normalised
    vehicle_type  TEXT,
    load_tonnes   REAL CHECK (load_tonnes IS NULL OR load_tonnes >= 0),
    unit_id       INTEGER REFERENCES supply_unit(id),
    driver        TEXT,
    phone         TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;
-- Plates typed without the province character.
CREATE INDEX vehicle_plate_tail ON vehicle(substr(plate, 2));
-- Near-plate suggestions: the letter or the first serial character mistyped.
CREATE INDEX vehicle_plate_tail2 ON vehicle(substr(plate, 3));
CREATE INDEX vehicle_plate_tail3 ON vehicle(substr(plate, 4));

CREATE TABLE pass (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('vehicle','staff','business')),
    vehicle_id   INTEGER REFERENCES vehicle(id),
    unit_id      INTEGER REFERENCES supply_unit(id),
    subject      TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT NOT NULL CHECK (valid_until > valid_from),
    area         TEXT,
    state        TEXT NOT NULL CHECK (state IN ('requested','issued','suspended','revoked')),
    reason       TEXT,
    created_at   TEXT NOT NULL,
    log_seq      INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK (kind <> 'vehicle' OR vehicle_id IS NOT NULL)
) STRICT;
CREATE INDEX pass_vehicle ON pass(vehicle_id, valid_until);
CREATE INDEX pass_until ON pass(valid_until);

CREATE TABLE alert (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    compound_id   INTEGER REFERENCES compound(id),
    item          TEXT NOT NULL CHECK (item IN ('grain','oil','meat','vegetables','eggs_milk','medicine','infant_formula','protective','other')),
    severity      TEXT NOT NULL CHECK (severity IN ('critical','high','medium','low')),
    severity_rank INTEGER GENERATED ALWAYS AS (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END) VIRTUAL,
    households    INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
    source        TEXT,
    text          TEXT NOT NULL DEFAULT '',
    handler       TEXT,
    dispatched_to TEXT,
    state         TEXT NOT NULL CHECK (state IN ('open','acknowledged','in_progress','resolved','cancelled')),
    resolution    TEXT,
    predicted     INTEGER NOT NULL DEFAULT 0 CHECK (predicted IN (0,1)),
    opened_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    closed_at     TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK (state NOT IN ('resolved','cancelled') OR (resolution IS NOT NULL AND length(resolution) > 0 AND closed_at IS NOT NULL))
) STRICT;
CREATE INDEX alert_open_by_community ON alert(community_id, opened_at)
    WHERE state NOT IN ('resolved','cancelled');
CREATE INDEX alert_closed_at ON alert(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX alert_opened_at ON alert(opened_at);

CREATE TABLE recipient (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT,
    id_number     TEXT,
    grp           TEXT NOT NULL CHECK (grp IN ('isolation_site','designated_hospital','elder_care_home','elderly_alone','pregnant','disabled','subsistence','extreme_poverty','mobility_impaired','left_behind_child','vulnerable_child','homeless','dialysis','psychiatric','chronic_disease')),
    condition     TEXT,
    community_id  INTEGER NOT NULL REFERENCES community(id),
    compound_id   INTEGER REFERENCES compound(id),
    building      TEXT,
    unit_no       TEXT,
    room          TEXT,
    needs         TEXT,
    log_seq       INTEGER NOT NULL REFERENCES duty_log(seq)
) STRICT;
CREATE INDEX recipient_community ON recipient(community_id);

CREATE TABLE delivery (
    id             INTEGER PRIMARY KEY,
    recipient_id   INTEGER NOT NULL REFERENCES recipient(id),
    items          TEXT NOT NULL CHECK (length(items) > 0),
    urgency        TEXT NOT NULL CHECK (urgency IN ('urgent','high','normal')),
    urgency_rank   INTEGER GENERATED ALWAYS AS (CASE urgency WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) VIRTUAL,
    due_at         TEXT NOT NULL,
    assignee_kind  TEXT CHECK (assignee_kind IS NULL OR assignee_kind IN ('volunteer','vehicle')),
    volunteer_id   INTEGER REFERENCES volunteer(id),
    vehicle_id     INTEGER REFERENCES vehicle(id),
    state          TEXT NOT NULL CHECK (state IN ('queued','assigned','en_route','delivered','failed','cancelled')),
    fail_reason    TEXT CHECK (fail_reason IS NULL OR fail_reason IN ('nobody_home','wrong_address','refused','other')),
    note           TEXT,
    received_by    TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    done_at        TEXT,
    log_seq        INTEGER NOT NULL REFERENCES duty_log(seq),
    CHECK (state <> 'failed' OR fail_reason IS NOT NULL),
    CHECK (state NOT IN ('assigned','en_route') OR assignee_kind IS NOT NULL)
) STRICT;
CREATE INDEX delivery_queue ON delivery(urgency_rank, due_at)
    WHERE state IN ('queued','assigned','en_route','failed');
CREATE INDEX delivery_recipient ON delivery(recipient_id);
CREATE INDEX delivery_done_at ON delivery(done_at) WHERE done_at IS NOT NULL;
