#include "core/routing.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace campusdesk;

TEST_CASE("new tickets go to the school's manager, or their substitute while absent", "[core][routing]") {
    const time_ms from = 1'000'000, to = 2'000'000;
    const std::vector<absence> absences{{1, from, to, 2}};

    struct row {
        std::int64_t school_manager;
        time_ms now;
        std::int64_t expected;
    };
    auto r = GENERATE_COPY(values<row>({
        {1, from - 1, 1},  // before the absence
        {1, from, 2},      // from is inclusive
        {1, to - 1, 2},
        {1, to, 1},        // to is exclusive: back at work
        {2, from + 5, 2},  // the substitute's own schools stay with them
        {3, from + 5, 3},  // unrelated manager
    }));
    CHECK(route_new_ticket(r.school_manager, absences, r.now) == r.expected);
    CHECK(is_absent(1, absences, r.now) == (r.now >= from && r.now < to));
}

TEST_CASE("a chain of absent substitutes is followed, a circle is not", "[core][routing]") {
    SECTION("chain") {
        const std::vector<absence> absences{{1, 0, 100, 2}, {2, 0, 100, 3}};
        CHECK(route_new_ticket(1, absences, 50) == 3);
        CHECK(route_new_ticket(2, absences, 50) == 3);
    }
    SECTION("circle stops at the last manager before it closes") {
        const std::vector<absence> absences{{1, 0, 100, 2}, {2, 0, 100, 1}};
        CHECK(route_new_ticket(1, absences, 50) == 2);
        CHECK(route_new_ticket(2, absences, 50) == 1);
    }
    SECTION("no absences") { CHECK(route_new_ticket(7, {}, 50) == 7); }
}

TEST_CASE("a substitute covers the absent manager, also along a chain", "[core][routing]") {
    const std::vector<absence> absences{{1, 0, 100, 2}, {2, 50, 100, 3}, {4, 200, 300, 3}};
    CHECK(covered_managers(2, absences, 10) == std::vector<std::int64_t>{1});
    CHECK(covered_managers(3, absences, 10).empty());
    CHECK(covered_managers(3, absences, 60) == std::vector<std::int64_t>{1, 2});  // 1 -> 2 -> 3
    CHECK(covered_managers(2, absences, 60).empty());                             // 2 is away itself
    CHECK(covered_managers(3, absences, 100).empty());                            // everybody back
    CHECK(covered_managers(3, absences, 250) == std::vector<std::int64_t>{4});
}

// Issue 14, finding 9: absences with years like 0000 or 9999 are typing slips, not periods.
TEST_CASE("an absence period lies between 2000 and five years from now", "[core][routing][validation]") {
    constexpr time_ms day = 24LL * 3600 * 1000;
    const time_ms now = 1'795'910'400'000;  // 2026-11-29T00:00:00Z
    struct row {
        const char* name;
        time_ms from;
        time_ms to;
        const char* code;  // "" = accepted
        const char* field;
    };
    auto r = GENERATE_COPY(values<row>({
        {"next week", now + 7 * day, now + 14 * day, "", ""},
        {"running since yesterday", now - day, now + day, "", ""},
        {"from 2000-01-01", earliest_absence_start, now + day, "", ""},
        {"to exactly five years ahead", now, now + longest_absence_ahead, "", ""},
        {"from year 0000", -62'167'219'200'000, now + day, "out_of_range", "from"},  // 0000-01-01T00:00Z
        {"from 1999-12-31", earliest_absence_start - day, now + day, "out_of_range", "from"},
        {"to year 9999", now, 253'402'214'400'000, "out_of_range", "to"},  // 9999-12-31T00:00Z
        {"to a day past five years", now, now + longest_absence_ahead + day, "out_of_range", "to"},
        {"ends before it begins", now + 2 * day, now + day, "invalid_range", "to"},
        {"empty", now + day, now + day, "invalid_range", "to"},
        {"wholly past", now - 2 * day, now - day, "in_past", "to"},
    }));
    INFO(r.name);
    const auto problem = check_absence_period(r.from, r.to, now);
    if (std::string(r.code).empty()) {
        CHECK_FALSE(problem.has_value());
    } else {
        REQUIRE(problem.has_value());
        CHECK(problem->code == r.code);
        CHECK(problem->field == r.field);
        CHECK_FALSE(problem->message.empty());
    }
}
