-- One-language duty log: an entry's event and fields as JSON, from which
-- it is shown in the viewer's language. Entries written before keep no
-- payload (and their hash rule, v1); entries with one are hashed with it
-- (v2), so `log verify` checks both.
ALTER TABLE duty_log ADD COLUMN payload TEXT CHECK (payload IS NULL OR json_valid(payload));
