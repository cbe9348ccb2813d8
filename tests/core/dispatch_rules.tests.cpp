#include "core/dispatch_rules.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {
constexpr time_ms minute = 60'000;
}

TEST_CASE("network tickets of one school within an hour are a possible outage", "[core][dispatch]") {
    const std::vector<open_ticket_brief> tickets{
        {"CD-1", "100001", "network", 0},
        {"CD-2", "100001", "network", 50 * minute},
        {"CD-3", "100001", "network", 105 * minute},  // 55 min after CD-2: same run
        {"CD-4", "100001", "network", 200 * minute},  // 95 min later: alone
        {"CD-5", "100002", "network", 10 * minute},   // other school, alone
        {"CD-6", "100002", "printer", 11 * minute},   // not network
        {"CD-7", "100003", "network", 5 * minute},
        {"CD-8", "100003", "network", 5 * minute},    // same instant
    };
    auto outages = detect_outages(tickets);
    REQUIRE(outages.size() == 2);
    CHECK(outages[0].school_number == "100001");  // most recent first
    CHECK(outages[0].tickets == std::vector<std::string>{"CD-1", "CD-2", "CD-3"});
    CHECK(outages[0].first_at == 0);
    CHECK(outages[0].last_at == 105 * minute);
    CHECK(outages[1].school_number == "100003");
    CHECK(outages[1].tickets.size() == 2);
    CHECK(detect_outages(tickets, outage_window_ms, 3).size() == 1);
    CHECK(detect_outages({}).empty());
}

TEST_CASE("the suggested substitute is the least-loaded neighbour who is at work", "[core][dispatch]") {
    std::vector<manager_facts> managers{
        {1, {"Eving", "Scharnhorst"}, 10, false},
        {2, {"Eving"}, 7, false},           // neighbour
        {3, {"Scharnhorst"}, 3, false},     // neighbour, lighter
        {4, {"Hombruch"}, 0, false},        // lightest, but far away
        {5, {"Scharnhorst"}, 1, true},      // neighbour, lightest, but absent too
    };
    CHECK(suggest_substitute(1, managers) == 3);
    managers[2].absent = true;
    CHECK(suggest_substitute(1, managers) == 2);
    managers[1].absent = true;
    CHECK(suggest_substitute(1, managers) == 4);  // no neighbour at work: lightest load anywhere
    managers[3].absent = true;
    CHECK(suggest_substitute(1, managers) == 0);
}
