-- Practice logbook (API service).

CREATE TABLE logbook_entries (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  timestamp INTEGER NOT NULL,
  duration INTEGER NOT NULL CHECK (duration >= 0),   -- seconds
  type TEXT NOT NULL DEFAULT 'practice' CHECK (type IN ('practice', 'lesson', 'performance', 'rehearsal')),
  instrument TEXT,
  pieces TEXT NOT NULL DEFAULT '[]',                 -- JSON array of repertoire item ids
  notes TEXT,
  mood TEXT,
  tags TEXT NOT NULL DEFAULT '[]',                   -- JSON array
  sync_version INTEGER NOT NULL DEFAULT 0,
  sync_hash TEXT,
  last_synced_at INTEGER,
  created_at INTEGER NOT NULL DEFAULT (unixepoch()),
  updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
  deleted_at INTEGER
);

CREATE INDEX idx_logbook_user_time ON logbook_entries (user_id, timestamp DESC);
-- Most reads skip soft-deleted entries.
CREATE INDEX idx_logbook_live ON logbook_entries (user_id) WHERE deleted_at IS NULL;

CREATE TRIGGER logbook_entries_touch AFTER UPDATE ON logbook_entries
WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE logbook_entries SET updated_at = unixepoch(), sync_version = OLD.sync_version + 1 WHERE id = NEW.id;
END;
