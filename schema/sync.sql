-- Sync bookkeeping for offline clients (API service).

CREATE TABLE sync_status (
  entity_type TEXT NOT NULL CHECK (entity_type IN ('logbook_entry', 'repertoire_item', 'goal')),
  entity_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  version INTEGER NOT NULL DEFAULT 0,
  hash TEXT,
  last_modified INTEGER,
  conflict_data TEXT,                              -- JSON
  PRIMARY KEY (entity_type, entity_id)
) WITHOUT ROWID;

CREATE INDEX idx_sync_status_user ON sync_status (user_id);
CREATE INDEX idx_sync_status_modified ON sync_status (last_modified);
