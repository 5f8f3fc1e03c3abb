// What a migration statement copies or indexes, as the runner's progress and
// lint read it: the SELECT's own table (never a subquery's), names unquoted
// and without their schema, and nothing for rows given by VALUES.
#include <doctest/doctest.h>

#include "schema/statement_shape.hpp"

using schema::sqlite::shape_of;

TEST_CASE("statement shape: a rebuild's copy, quoted and qualified names") {
    auto s = shape_of("INSERT INTO new_t (a, b)\n  SELECT a, b FROM t;");
    CHECK(s.copies_into == "new_t");
    CHECK(s.copies_from == "t");
    s = shape_of("INSERT INTO \"new \"\"t\"\"\" SELECT * FROM main.\"my t\";");
    CHECK(s.copies_into == "new \"t\"");
    CHECK(s.copies_from == "my t");
    s = shape_of("INSERT OR REPLACE INTO [x] SELECT * FROM `y`");
    CHECK(s.copies_into == "x");
    CHECK(s.copies_from == "y");
    s = shape_of("REPLACE INTO x SELECT * FROM main.y");
    CHECK(s.copies_into == "x");
    CHECK(s.copies_from == "y");
}

TEST_CASE("statement shape: the SELECT's own FROM, not a subquery's") {
    auto s = shape_of("INSERT INTO x SELECT a, (SELECT max(b) FROM other) FROM t WHERE id IN (SELECT id FROM keep)");
    CHECK(s.copies_into == "x");
    CHECK(s.copies_from == "t");
    s = shape_of("INSERT INTO x SELECT * FROM (SELECT * FROM t)");
    CHECK(s.copies_into == "x");
    CHECK(s.copies_from.empty());
    s = shape_of("INSERT INTO x SELECT 1");
    CHECK(s.copies_into == "x");
    CHECK(s.copies_from.empty());
}

TEST_CASE("statement shape: no table of main to measure is no source") {
    auto s = shape_of("INSERT INTO new_t SELECT id, CASE WHEN a IS DISTINCT FROM b THEN 1 END FROM t");
    CHECK(s.copies_from == "t");
    s = shape_of("INSERT INTO new_t SELECT id FROM t WHERE a IS NOT DISTINCT FROM b");
    CHECK(s.copies_from == "t");
    s = shape_of("INSERT INTO t WITH c AS (SELECT * FROM big) SELECT * FROM c");
    CHECK(s.copies_into == "t");
    CHECK(s.copies_from.empty());
    CHECK(shape_of("INSERT INTO t SELECT value FROM json_each('[1]')").copies_from.empty());
    CHECK(shape_of("INSERT INTO t SELECT * FROM aux.events").copies_from.empty());
    CHECK(shape_of("INSERT INTO t SELECT * FROM temp.events").copies_from.empty());
    CHECK(shape_of("INSERT INTO t SELECT * FROM MAIN.events").copies_from == "events");
    CHECK(shape_of("INSERT INTO t AS a SELECT * FROM s ON CONFLICT DO NOTHING").copies_from == "s");
}

TEST_CASE("statement shape: rows given are not a copy") {
    CHECK(!shape_of("INSERT INTO x VALUES (1)").copies());
    CHECK(!shape_of("INSERT INTO x (a) VALUES ((SELECT 1 FROM t))").copies());
    CHECK(!shape_of("INSERT INTO x DEFAULT VALUES").copies());
    std::string seed = "INSERT INTO seed VALUES ";
    for (int i = 0; i < 20000; ++i) seed += (i ? ", " : "") + std::string("(1, 'a; b')");
    CHECK(!shape_of(seed).copies());
}

TEST_CASE("statement shape: the table an index is built on") {
    CHECK(shape_of("CREATE INDEX i ON t (a)").indexes == "t");
    CHECK(shape_of("CREATE UNIQUE INDEX IF NOT EXISTS main.i ON \"Weird \"\"t\"\"\" (a)").indexes == "Weird \"t\"");
    CHECK(shape_of("create index i on [t] (a) where a > 0").indexes == "t");
    CHECK(shape_of("CREATE TABLE t (a)").indexes.empty());
    CHECK(shape_of("CREATE VIEW v AS SELECT * FROM t").indexes.empty());
    CHECK(shape_of("DROP INDEX i").indexes.empty());
}

TEST_CASE("statement shape: text the tokenizer cannot read has no shape, and no error") {
    CHECK(!shape_of("INSERT INTO x SELECT 'unterminated FROM t").copies_from.size());
    CHECK(shape_of("").indexes.empty());
    CHECK(shape_of("-- only a comment").indexes.empty());
}
