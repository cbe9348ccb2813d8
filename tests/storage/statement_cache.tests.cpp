#include "storage/statement_cache.hpp"

#include "storage/database.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;
using namespace campusdesk::testing;

TEMPLATE_TEST_CASE("a connection that keeps statements reuses them reset, with bindings cleared",
                   "[storage][statements]", SQLite::Statement, raw_statement) {
    using reused_statement = basic_reused_statement<TestType>;
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const std::string sql = "SELECT ?";
    SECTION("kept: the same statement again, without the last user's binding") {
        statement_reuse keep(db);
        const TestType* first = nullptr;
        {
            reused_statement s(db, sql);
            s->bind(1, 42);
            REQUIRE(s->executeStep());
            CHECK(s->getColumn(0).getInt() == 42);
            first = &*s;
        }
        reused_statement again(db, sql);
        CHECK(&*again == first);
        REQUIRE(again->executeStep());
        CHECK(again->getColumn(0).isNull());
    }
    SECTION("kept, but in use: a second user of the same SQL gets a statement of its own") {
        statement_reuse keep(db);
        reused_statement outer(db, sql);
        reused_statement inner(db, sql);
        CHECK(&*outer != &*inner);
        outer->bind(1, 1);
        inner->bind(1, 2);
        REQUIRE(outer->executeStep());
        REQUIRE(inner->executeStep());
        CHECK(outer->getColumn(0).getInt() == 1);
        CHECK(inner->getColumn(0).getInt() == 2);
    }
    SECTION("not kept: every use prepares afresh and works the same") {
        reused_statement s(db, sql);
        s->bind(1, 7);
        REQUIRE(s->executeStep());
        CHECK(s->getColumn(0).getInt() == 7);
    }
}

TEMPLATE_TEST_CASE("a kept statement left mid-result does not pin the reader to an old snapshot",
                   "[storage][statements]", SQLite::Statement, raw_statement) {
    using reused_statement = basic_reused_statement<TestType>;
    storage_fixture f;
    auto writer = open_writer_database(f.file);
    writer.exec("CREATE TABLE probe (x INTEGER)");
    writer.exec("INSERT INTO probe VALUES (1), (2)");
    auto reader = open_reader_database(f.file);
    statement_reuse keep(reader);
    {
        reused_statement s(reader, "SELECT x FROM probe ORDER BY x");
        REQUIRE(s->executeStep());  // one of two rows read; the statement would keep its read transaction open
    }
    writer.exec("INSERT INTO probe VALUES (3)");
    reused_statement count(reader, "SELECT count(*) FROM probe");
    REQUIRE(count->executeStep());
    CHECK(count->getColumn(0).getInt() == 3);
}

TEST_CASE("a raw statement reads values as SQLiteCpp does and reports errors as SQLite::Exception",
          "[storage][statements]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const std::string sql = "SELECT ?, ?, ?, NULL, 'Grüße', x'616200', 42";
    const std::string text_with_nul("a\0b", 3);
    SQLite::Statement expected(db, sql);
    raw_statement raw(db, sql);
    expected.bind(1, std::int64_t{-9'007'199'254'740'993});
    raw.bind(1, std::int64_t{-9'007'199'254'740'993});
    expected.bind(2, text_with_nul);
    raw.bind(2, text_with_nul);
    expected.bind(3, std::string());
    raw.bind(3, std::string());
    REQUIRE(expected.executeStep());
    REQUIRE(raw.executeStep());
    CHECK(raw.getBindParameterCount() == 3);
    for (int i = 0; i < 7; ++i) {
        INFO("column " << i);
        CHECK(raw.getColumn(i).isNull() == expected.getColumn(i).isNull());
        CHECK(raw.getColumn(i).getString() == expected.getColumn(i).getString());
        CHECK(raw.getColumn(i).getInt64() == expected.getColumn(i).getInt64());
    }
    CHECK(raw.getColumn(0).getInt64() == -9'007'199'254'740'993);
    CHECK(raw.getColumn(1).getString() == text_with_nul);
    CHECK(raw.getColumn(3).isNull());
    CHECK_FALSE(raw.getColumn(2).isNull());
    CHECK_FALSE(raw.executeStep());

    CHECK_THROWS_AS(raw_statement(db, "SELEC 1"), SQLite::Exception);
    raw_statement overflow(db, "SELECT abs(-9223372036854775807 - 1)");
    CHECK_THROWS_AS(overflow.executeStep(), SQLite::Exception);
}
