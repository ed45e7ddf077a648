-- supplydesk schema, version 6: search keys for the duty log.
-- Chinese is searched by one or two characters, which no tokenizer of
-- SQLite indexes; the store writes each entry's characters and pairs of
-- neighbouring characters here (src/domain/grams.rs), in the same
-- transaction as the entry. Contentless: the text stays in duty_log only.
CREATE VIRTUAL TABLE duty_log_keys USING fts5(keys, content='', detail='none', columnsize=0);
