CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  theme TEXT NOT NULL DEFAULT 'light' CHECK (theme IN ('light', 'dark')),
  last_seen INTEGER
);
CREATE INDEX users_last_seen ON users (last_seen DESC) WHERE last_seen IS NOT NULL;
