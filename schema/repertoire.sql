-- Pieces a user is learning (API service).

CREATE TABLE repertoire_items (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  score_id TEXT,
  score_title TEXT NOT NULL,
  score_composer TEXT NOT NULL,
  normalized_composer TEXT GENERATED ALWAYS AS (lower(trim(score_composer))) VIRTUAL,
  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'learning', 'polished', 'performed', 'dropped')),
  status_history TEXT NOT NULL DEFAULT '[]',       -- JSON
  difficulty INTEGER CHECK (difficulty BETWEEN 1 AND 10),
  notes TEXT,
  practice_count INTEGER NOT NULL DEFAULT 0,
  total_practice_time INTEGER NOT NULL DEFAULT 0,
  last_practiced_at INTEGER,
  target_tempo INTEGER,
  current_tempo INTEGER,
  sync_version INTEGER NOT NULL DEFAULT 0,
  sync_hash TEXT,
  last_synced_at INTEGER,
  added_at INTEGER NOT NULL DEFAULT (unixepoch()),
  updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
  UNIQUE (user_id, score_title, score_composer)
);

CREATE INDEX idx_repertoire_user_status ON repertoire_items (user_id, status);
CREATE INDEX idx_repertoire_composer ON repertoire_items (normalized_composer);
CREATE INDEX idx_repertoire_last_practiced ON repertoire_items (last_practiced_at DESC);

CREATE TRIGGER repertoire_items_touch AFTER UPDATE ON repertoire_items
WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE repertoire_items SET updated_at = unixepoch(), sync_version = OLD.sync_version + 1 WHERE id = NEW.id;
END;

-- What the practice screen lists.
CREATE VIEW active_repertoire AS
SELECT r.id, r.user_id, r.score_title, r.score_composer, r.status, r.last_practiced_at
FROM repertoire_items AS r
WHERE r.status NOT IN ('performed', 'dropped');
