CREATE TABLE accounts ( -- @renamed from=people
  id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL -- @renamed from=username
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  author INTEGER REFERENCES accounts (id)
);
