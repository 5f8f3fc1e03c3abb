CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, legacy_flag INT, owner TEXT);
CREATE TABLE old_audit (at INTEGER, what TEXT);
