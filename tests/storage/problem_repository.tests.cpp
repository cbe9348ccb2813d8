#include "storage/problem_repository.hpp"

#include "storage/database.hpp"
#include "storage/ticket_link_repository.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

known_problem declared(std::vector<std::string> schools, time_ms at) {
    known_problem p;
    p.title = "Internet im ganzen Gebäude";
    p.schools = std::move(schools);
    p.all_schools = p.schools.empty();
    p.prio = priority::high;
    p.started_at = at;
    p.declared_at = at;
    p.declared_by = 2;
    return p;
}

std::vector<std::int64_t> ids_of(const std::vector<problem_notice>& list) {
    std::vector<std::int64_t> ids;
    for (const auto& n : list) ids.push_back(n.problem.id);
    return ids;
}

} // namespace

TEST_CASE("problems keep their schools, tickets and affected teachers", "[storage][problems]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto first = f.file_ticket(db, "100011", 1, monday_8am);
    const auto second = f.file_ticket(db, "100011", 1, monday_8am + 10 * minute);

    auto p = declared({"100011", "100012"}, monday_8am + 20 * minute);
    p.expected_at = monday_8am + 3 * 60 * minute;
    const auto id = insert_problem(db, p);
    auto stored = find_problem(db, id);
    REQUIRE(stored);
    CHECK(stored->schools == std::vector<std::string>{"100011", "100012"});
    CHECK(stored->expected_at == p.expected_at);
    CHECK(stored->open());
    CHECK_FALSE(find_problem(db, id + 1).has_value());

    CHECK(attach_ticket(db, id, first, monday_8am + 20 * minute, 2));
    CHECK(attach_ticket(db, id, second, monday_8am + 20 * minute, 2));
    CHECK_FALSE(attach_ticket(db, id, second, monday_8am + 21 * minute, 2));  // once
    const auto other = insert_problem(db, declared({}, monday_8am + 30 * minute));
    CHECK_FALSE(attach_ticket(db, other, first, monday_8am + 31 * minute, 2));  // one problem per ticket
    CHECK(problem_of_ticket(db, first.id) == id);
    const auto parts = problem_tickets(db, id);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].part.ticket == first.number);
    CHECK(parts[0].part.created_at == monday_8am);

    // Both tickets have requester 7: one affected teacher; a second teacher joins, once.
    CHECK(affected_people(db, id).size() == 1);
    CHECK(affected_people(db, id)[0].ticket == first.number);
    affected_person joined{8, "", "100011", monday_8am + 40 * minute, "B 2.03", "seit der 2. Stunde", ""};
    CHECK(add_affected(db, id, joined));
    CHECK_FALSE(add_affected(db, id, joined));
    const auto people = affected_people(db, id);
    REQUIRE(people.size() == 2);
    CHECK(people[1].room == "B 2.03");

    update_problem_parts(db, id, priority::critical, monday_8am);
    resolve_problem(db, id, monday_8am + 120 * minute, 3, "Router getauscht");
    resolve_problem(db, id, monday_8am + 200 * minute, 4, "zweimal");  // no second resolution
    stored = find_problem(db, id);
    CHECK(stored->prio == priority::critical);
    CHECK(stored->started_at == monday_8am);
    CHECK(stored->resolved_at == monday_8am + 120 * minute);
    CHECK(stored->resolution == "Router getauscht");

    const auto list = list_problems(db, 10);
    REQUIRE(list.size() == 2);
    CHECK(list[0].id == other);  // open first
    CHECK(list[1].id == id);

    const auto report = problems_started_between(db, monday_8am, monday_8am + day);
    REQUIRE(report.size() == 2);
    CHECK(report[0].problem.id == id);
    CHECK(report[0].tickets == std::vector<std::string>{first.number, second.number});
    CHECK(report[0].teachers_affected == 2);
    CHECK(report[1].problem.all_schools);
    CHECK(problems_started_between(db, monday_8am + day, monday_8am + 2 * day).empty());
}

TEST_CASE("a teacher's banner: open problems of their school, resolved ones they are affected by", "[storage][problems]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto mine = insert_problem(db, declared({"100011"}, monday_8am));
    const auto everyone = insert_problem(db, declared({}, monday_8am + minute));
    const auto elsewhere = insert_problem(db, declared({"100021"}, monday_8am + 2 * minute));
    const auto fixed = insert_problem(db, declared({"100011"}, monday_8am + 3 * minute));
    const auto fixed_long_ago = insert_problem(db, declared({"100011"}, monday_8am + 4 * minute));
    add_affected(db, fixed, {7, "", "100011", monday_8am + 5 * minute, "", "", ""});
    add_affected(db, fixed_long_ago, {7, "", "100011", monday_8am + 5 * minute, "", "", ""});
    add_affected(db, mine, {7, "", "100011", monday_8am + 5 * minute, "", "", ""});
    resolve_problem(db, fixed, monday_8am + day, 2, "ok");
    resolve_problem(db, fixed_long_ago, monday_8am + 60 * minute, 2, "ok");
    resolve_problem(db, elsewhere, monday_8am + day, 2, "ok");

    const auto seven = problems_for_teacher(db, 7, "100011", monday_8am + 2 * 60 * minute);
    CHECK(ids_of(seven) == std::vector<std::int64_t>{everyone, mine, fixed});  // open (latest first), then resolved
    CHECK(seven[1].affected);
    CHECK_FALSE(seven[0].affected);
    CHECK(seven[2].problem.resolved_at.has_value());
    CHECK(seven[1].problem.schools == std::vector<std::string>{"100011"});  // read in the same statement
    CHECK(seven[0].problem.all_schools);
    CHECK(seven[0].problem.schools.empty());
    // Another teacher of the same school sees the open ones only; a teacher of another school only "all schools".
    CHECK(ids_of(problems_for_teacher(db, 8, "100011", 0)) == std::vector<std::int64_t>{everyone, mine});
    CHECK(ids_of(problems_for_teacher(db, 9, "100031", 0)) == std::vector<std::int64_t>{everyone});
    const auto two = insert_problem(db, declared({"100032", "100031"}, monday_8am + 6 * minute));
    const auto of_nine = problems_for_teacher(db, 9, "100031", 0);
    CHECK(ids_of(of_nine) == std::vector<std::int64_t>{two, everyone});
    CHECK(of_nine[0].problem.schools == std::vector<std::string>{"100031", "100032"});

    // The banner stands on every teacher page: it reads indexes, never the whole problems table.
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN SELECT p.id FROM problems p WHERE p.resolved_at IS NULL "
                               "UNION ALL SELECT p.id FROM problem_affected a JOIN problems p ON p.id = a.problem_id "
                               "WHERE a.user_id = 7 AND p.resolved_at >= 0");
    std::string details;
    while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
    CAPTURE(details);
    CHECK(details.find("problems_open") != std::string::npos);
    CHECK(details.find("problem_affected_by_user") != std::string::npos);
    CHECK(details.find("SCAN p\n") == std::string::npos);
}

TEST_CASE("ticket links: merges form a chain, related links count once per pair", "[storage][links]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto a = f.file_ticket(db, "100011", 1, monday_8am);
    const auto b = f.file_ticket(db, "100011", 1, monday_8am + minute);
    const auto c = f.file_ticket(db, "100011", 1, monday_8am + 2 * minute);
    CHECK_FALSE(linked(db, a.id, b.id));
    insert_link(db, link_kind::merged, a.id, b.id, monday_8am + 5 * minute, 2);
    insert_link(db, link_kind::merged, b.id, c.id, monday_8am + 6 * minute, 2);
    CHECK(merged_into_chain(db, a.id) == std::vector<std::string>{b.number, c.number});
    CHECK(merged_into_chain(db, c.id).empty());
    CHECK(linked(db, b.id, a.id));
    insert_link(db, link_kind::related, c.id, a.id, monday_8am + 7 * minute, 2);
    CHECK(linked(db, a.id, c.id));
    CHECK_THROWS(insert_link(db, link_kind::related, a.id, c.id, monday_8am + 8 * minute, 2));  // the same pair

    const auto of_b = links_of(db, b.id);
    REQUIRE(of_b.size() == 2);
    CHECK(of_b[0].kind == link_kind::merged);
    CHECK_FALSE(of_b[0].outgoing);  // a was merged into b
    CHECK(of_b[0].other_number == a.number);
    CHECK(of_b[1].outgoing);        // b was merged into c
    CHECK(of_b[1].other_number == c.number);
    const auto of_c = links_of(db, c.id);
    REQUIRE(of_c.size() == 2);
    CHECK(of_c[1].kind == link_kind::related);
    CHECK(of_c[1].other_number == a.number);
}
