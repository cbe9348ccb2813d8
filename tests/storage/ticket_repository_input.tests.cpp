// Issue 14 (ASVS 5.0 L2) on a real SQLite file: the ticket-number counter at the end of its range (finding 2) and
// free-text search with input FTS5 would refuse (finding 9).
#include "storage/ticket_repository.hpp"

#include "storage/database.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {
// Monday 2026-10-05 08:00 Europe/Berlin (06:00 UTC).
constexpr time_ms monday_8am = 1'791'180'000'000;
} // namespace

// Issue 14, finding 2: an imported number near the end of the range must not push the counter out of the format.
TEST_CASE("generated numbers grow in width, stay valid up to the last sequence, and then stop cleanly",
          "[storage][tickets][numbers]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    ticket_event created;
    created.at = monday_8am;
    auto import_number = [&](const std::string& number) {
        auto t = f.make_ticket("100011", 1, 1);
        t.number = number;
        return insert_ticket(db, t, created, 2026, f.sla(), monday_8am);
    };
    auto generate = [&] { return insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2026, f.sla(), monday_8am); };
    auto tickets = [&] { return db.execAndGet("SELECT count(*) FROM tickets").getInt64(); };
    auto check_generated = [&](const std::string& expected) {
        const auto t = generate();
        CHECK(t.number == expected);
        CHECK(is_valid_ticket_number(t.number));
        REQUIRE(parse_ticket_number(t.number).has_value());
        CHECK(find_ticket(db, t.number).has_value());
    };

    import_number("CD-2026-999998");
    check_generated("CD-2026-999999");
    check_generated("CD-2026-1000000");  // 999999 -> 1000000: one digit wider, still valid
    check_generated("CD-2026-1000001");
    import_number("CD-2026-9999999998");
    check_generated("CD-2026-9999999999");  // max_ticket_sequence
    const auto before = tickets();
    CHECK_THROWS_AS(generate(), ticket_numbers_exhausted);
    CHECK(tickets() == before);  // nothing written
    CHECK(db.execAndGet("SELECT last FROM ticket_counters WHERE year = 2026").getInt64() == max_ticket_sequence);
    // Other years count on.
    CHECK(insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2027, f.sla(), monday_8am).number == "CD-2027-000001");
    // A number outside the format never reaches the counter.
    auto bad = f.make_ticket("100011", 1, 1);
    bad.number = "CD-2026-999999999999";
    CHECK_THROWS_AS(insert_ticket(db, bad, created, 2026, f.sla(), monday_8am), std::invalid_argument);
}

// Issue 14, finding 9: `q` with a NUL answered 503 because FTS5 ends its query text at a NUL ("unterminated string").
TEST_CASE("free-text search takes any text without an FTS5 error", "[storage][tickets][search]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    ticket_event created;
    created.at = monday_8am;
    auto t = f.make_ticket("100011", 1, 1);
    t.title = "Beamer flackert";
    t.room = "B 1.12";
    insert_ticket(db, t, created, 2026, f.sla(), monday_8am);
    ticket_query q;
    q.now = monday_8am;
    q.who = {0, role::dispatcher, "", 0, {}};
    struct row {
        std::string text;
        std::size_t found;
    };
    auto r = GENERATE(values<row>({
        {std::string("zz\0", 3), 0},
        {std::string("\0", 1), 1},          // nothing left to search for: no filter
        {std::string("Beam\0", 5), 1},
        {std::string("Beam\0flack", 10), 1},
        {"Beam\x01" "flack", 1},
        {"\x1b[31m", 0},
        {"\"", 1},
        {"\"Beamer", 1},
        {"Beamer\" OR \"x", 0},             // quotes are no syntax: "OR" is a word that must be there
        {"NEAR(Beamer flackert)", 0},
        {"*", 0},
        {"^Beamer", 1},                     // FTS5 operators are separators inside quoted words
        {"B:1", 1},                         // not a column filter
        {"flackert -Beamer", 1},            // not a negation
        {"\xff\xfe", 0},
        {"1.12", 1},
    }));
    q.text = r.text;
    INFO(r.text);
    ticket_page page;
    REQUIRE_NOTHROW(page = list_tickets(db, q, f.sla()));
    CHECK(page.tickets.size() == r.found);
}
