// The queries that server/ used to run itself, now storage functions: the report's reads, the auto-close
// candidates, the import's checks, a ticket by id and user names.
#include "storage/database.hpp"
#include "storage/report_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

ticket resolve(SQLite::Database& db, const storage_fixture& f, const ticket& t, time_ms at) {
    ticket_event e;
    e.at = at;
    e.actor_id = 1;
    e.by_staff = true;
    e.kind = event_kind::resolved;
    e.body = "Neu gestartet.";
    return append_event(db, t, e, f.sla(), at);
}
} // namespace

TEST_CASE("the report reads a period's tickets with school names and histories, in creation order",
          "[storage][report]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto a = f.file_ticket(db, "100011", 1, monday_8am);
    const auto b = f.file_ticket(db, "100021", 2, monday_8am + 10 * minute);
    resolve(db, f, a, monday_8am + 20 * minute);
    f.file_ticket(db, "100031", 3, monday_8am + day);  // outside the period

    const auto tickets = load_report_tickets(db, monday_8am, monday_8am + day);
    REQUIRE(tickets.size() == 2);
    CHECK(tickets[0].number == a.number);
    CHECK(tickets[0].school_number == "100011");
    CHECK(tickets[0].school_name == "Schule 11");
    CHECK(tickets[0].category == "network");
    REQUIRE(tickets[0].events.size() == 2);
    CHECK(tickets[0].events[0].kind == event_kind::created);
    CHECK(tickets[0].events[0].manager_id == 1);
    CHECK(tickets[0].events[1].kind == event_kind::resolved);
    CHECK(tickets[0].events[1].by_staff);
    CHECK(tickets[0].events[1].body.empty());  // figures never show bodies
    CHECK(tickets[1].number == b.number);
    CHECK(tickets[1].events.size() == 1);
    CHECK(count_tickets_created(db, monday_8am, monday_8am + day) == 2);
    CHECK(count_tickets_created(db, monday_8am, monday_8am + 2 * day) == 3);
    CHECK(load_report_tickets(db, monday_8am - day, monday_8am).empty());

    const auto managers = load_report_managers(db, tickets);
    REQUIRE(managers.size() == 3);
    CHECK(managers[0].login == "manager01");
    CHECK(managers[0].name == "Manager 1");
}

TEST_CASE("resolved tickets are found by their latest resolution", "[storage][tickets]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    auto old = resolve(db, f, f.file_ticket(db, "100011", 1, monday_8am), monday_8am + minute);
    auto recent = resolve(db, f, f.file_ticket(db, "100011", 1, monday_8am), monday_8am + 3 * day);
    f.file_ticket(db, "100011", 1, monday_8am);  // open

    CHECK(find_resolved_before(db, monday_8am, 10).empty());
    CHECK(find_resolved_before(db, monday_8am + day, 10) == std::vector<std::string>{old.number});
    CHECK(find_resolved_before(db, monday_8am + 4 * day, 10) == std::vector<std::string>{old.number, recent.number});
    CHECK(find_resolved_before(db, monday_8am + 4 * day, 1).size() == 1);
}

TEST_CASE("tickets by id, taken numbers and user names", "[storage][tickets][users]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto t = f.file_ticket(db, "100011", 1, monday_8am);
    const auto found = find_ticket_by_id(db, t.id);
    REQUIRE(found);
    CHECK(found->number == t.number);
    CHECK_FALSE(find_ticket_by_id(db, t.id + 1000));

    const auto taken = taken_ticket_numbers(db, {t.number, "CD-2026-000999"});
    CHECK(taken.size() == 1);
    CHECK(taken.contains(t.number));

    user u;
    u.login = "teacher-100011";
    u.name = "Frau Lehmann";
    u.who = role::teacher;
    u.school_number = "100011";
    const auto id = insert_user(db, u, monday_8am);
    const auto names = load_user_names(db, {0, id, id + 1});
    CHECK(names.at(0) == "System");
    CHECK(names.at(id) == "Frau Lehmann");
    CHECK_FALSE(names.contains(id + 1));
    const auto roles = load_user_roles(db);
    REQUIRE(roles.size() == 1);
    CHECK(roles[0].login == "teacher-100011");
    CHECK(roles[0].who == role::teacher);
    CHECK(database_answers(db));
}
