#include "core/business_calendar.hpp"

#include "core/local_time.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <thread>

using namespace campusdesk;

namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;

time_ms at(const std::string& iso) {
    const auto t = parse_iso8601(iso);
    REQUIRE(t.has_value());
    return *t;
}

business_calendar_config every_day(std::vector<working_interval> hours) {
    business_calendar_config c = business_calendar_config::defaults();
    for (auto& day : c.working_hours) day = hours;
    return c;
}

} // namespace

TEST_CASE("defaults are Mon-Fri 07:30-16:30 in Europe/Berlin, NW", "[core][calendar]") {
    const auto c = business_calendar_config::defaults();
    CHECK(c.time_zone == "Europe/Berlin");
    CHECK(c.holiday_state == "NW");
    CHECK(c.school_holidays_are_business_days);
    for (int d = 0; d < 5; ++d) {
        REQUIRE(c.working_hours[d].size() == 1);
        CHECK(c.working_hours[d][0].begin_minute == 450);
        CHECK(c.working_hours[d][0].end_minute == 990);
    }
    CHECK(c.working_hours[5].empty());
    CHECK(c.working_hours[6].empty());
}

TEST_CASE("business time within and around working hours", "[core][calendar]") {
    const business_calendar cal(business_calendar_config::defaults());
    CHECK(cal.zone()->name() == "Europe/Berlin");
    const auto [from, to, expected] = GENERATE(table<std::string, std::string, std::int64_t>({
        {"2026-10-05T08:00:00+02:00", "2026-10-05T09:00:00+02:00", 60 * minute},
        {"2026-10-05T06:00:00+02:00", "2026-10-05T08:00:00+02:00", 30 * minute},
        {"2026-10-05T16:00:00+02:00", "2026-10-05T18:00:00+02:00", 30 * minute},
        {"2026-10-05T00:00:00+02:00", "2026-10-06T00:00:00+02:00", 540 * minute},
        {"2026-10-05T08:00:00.250+02:00", "2026-10-05T08:00:01+02:00", 750},
        {"2026-10-05T17:00:00+02:00", "2026-10-06T07:30:00+02:00", 0},
        // Friday afternoon to Monday morning: the weekend does not count
        {"2026-10-09T16:00:00+02:00", "2026-10-12T08:00:00+02:00", 60 * minute},
        // a whole ordinary week
        {"2026-09-07T00:00:00+02:00", "2026-09-14T00:00:00+02:00", 5 * 540 * minute},
    }));
    CAPTURE(from, to);
    CHECK(cal.business_ms(at(from), at(to)) == expected);
    CHECK(cal.business_ms(at(to), at(from)) == 0);
    CHECK(cal.business_ms(at(from), at(from)) == 0);
}

TEST_CASE("a ticket filed on Saturday night starts counting Monday 07:30", "[core][calendar]") {
    const business_calendar cal(business_calendar_config::defaults());
    const time_ms saturday_night = at("2026-03-14T22:00:00+01:00");
    CHECK(cal.add_business_ms(saturday_night, 1) == at("2026-03-16T07:30:00.001+01:00"));
    CHECK(cal.add_business_ms(saturday_night, 60 * minute) == at("2026-03-16T08:30:00+01:00"));
    CHECK(cal.business_ms(saturday_night, at("2026-03-16T07:30:00+01:00")) == 0);
}

TEST_CASE("add_business_ms is the inverse of business_ms", "[core][calendar]") {
    const business_calendar cal(business_calendar_config::defaults());
    const time_ms monday = at("2026-10-05T09:00:00+02:00");
    CHECK(cal.add_business_ms(monday, 0) == monday);
    CHECK(cal.add_business_ms(at("2026-10-04T12:00:00+02:00"), 0) == at("2026-10-04T12:00:00+02:00"));
    CHECK_THROWS_AS(cal.add_business_ms(monday, -1), std::invalid_argument);
    // Used up exactly at the end of a working day: the answer is 16:30, not the next morning.
    CHECK(cal.add_business_ms(monday, 450 * minute) == at("2026-10-05T16:30:00+02:00"));
    CHECK(cal.add_business_ms(monday, 450 * minute + 1) == at("2026-10-06T07:30:00.001+02:00"));
    // 5 business days (2,700 minutes) from Monday 09:00 end on the next Monday 09:00
    CHECK(cal.add_business_ms(monday, 2700 * minute) == at("2026-10-12T09:00:00+02:00"));

    std::mt19937_64 rng(42);
    std::uniform_int_distribution<time_ms> when(at("2025-01-01T00:00:00Z"), at("2027-12-31T00:00:00Z"));
    std::uniform_int_distribution<std::int64_t> amount(1, 30 * 540 * minute);
    for (int i = 0; i < 2000; ++i) {
        const time_ms from = when(rng);
        const std::int64_t ms = amount(rng);
        const time_ms to = cal.add_business_ms(from, ms);
        REQUIRE(cal.business_ms(from, to) == ms);
        REQUIRE(cal.business_ms(from, to - 1) == ms - 1); // earliest such instant
    }
}

TEST_CASE("public holidays are not business time: Easter and Fronleichnam 2026", "[core][calendar]") {
    const business_calendar nw(business_calendar_config::defaults());
    // Karfreitag 3.4. and Ostermontag 6.4.2026
    const time_ms thursday = at("2026-04-02T16:00:00+02:00");
    const time_ms tuesday = at("2026-04-07T08:00:00+02:00");
    CHECK(nw.business_ms(thursday, tuesday) == 60 * minute);
    CHECK(nw.add_business_ms(thursday, 60 * minute) == tuesday);
    CHECK_FALSE(nw.is_business_day({2026, 4, 3}));
    CHECK_FALSE(nw.is_business_day({2026, 4, 6}));
    CHECK(nw.is_business_day({2026, 4, 7}));
    // Fronleichnam Thursday 4.6.2026 is a holiday in NW, not in Berlin
    const time_ms wednesday = at("2026-06-03T16:00:00+02:00");
    const time_ms friday = at("2026-06-05T08:00:00+02:00");
    CHECK(nw.business_ms(wednesday, friday) == 60 * minute);
    auto berlin_config = business_calendar_config::defaults();
    berlin_config.holiday_state = "BE";
    const business_calendar be(berlin_config);
    CHECK(be.business_ms(wednesday, friday) == (60 + 540) * minute);
}

TEST_CASE("DST switches with default hours change real time, not business time", "[core][calendar]") {
    const business_calendar cal(business_calendar_config::defaults());
    const auto [friday, monday] = GENERATE(table<std::string, std::string>({
        {"2025-03-28T16:00:00+01:00", "2025-03-31T08:00:00+02:00"},
        {"2025-10-24T16:00:00+02:00", "2025-10-27T08:00:00+01:00"},
        {"2026-03-27T16:00:00+01:00", "2026-03-30T08:00:00+02:00"},
        {"2026-10-23T16:00:00+02:00", "2026-10-26T08:00:00+01:00"},
    }));
    CAPTURE(friday);
    CHECK(cal.business_ms(at(friday), at(monday)) == 60 * minute);
    CHECK(cal.add_business_ms(at(friday), 60 * minute) == at(monday));
    // Monday 07:30 before the switch to Monday 07:30 after it: exactly five working days, though the real
    // time between them is 167 or 169 hours.
    const time_ms week_start = at(friday) - 4 * 24 * hour - 510 * minute;
    const time_ms week_end = at(monday) - 30 * minute;
    CHECK(week_end - week_start != 7 * 24 * hour);
    CHECK(cal.business_ms(week_start, week_end) == 5 * 540 * minute);
}

TEST_CASE("DST with round-the-clock hours: the wall clock decides", "[core][calendar]") {
    const business_calendar cal(every_day({{0, 1440}}));
    SECTION("spring forward: Sunday has 23 hours") {
        const auto [sunday, monday] = GENERATE(table<std::string, std::string>({
            {"2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00"},
            {"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
        }));
        CHECK(at(monday) - at(sunday) == 23 * hour);
        CHECK(cal.business_ms(at(sunday), at(monday)) == 23 * hour);
        CHECK(cal.add_business_ms(at(sunday), 24 * hour) == at(monday) + hour);
        CHECK(cal.business_ms(at(sunday) - 24 * hour, at(monday) + 24 * hour) == 71 * hour);
    }
    SECTION("fall back: Sunday has 25 hours") {
        const auto [sunday, monday] = GENERATE(table<std::string, std::string>({
            {"2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00"},
            {"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"},
        }));
        CHECK(at(monday) - at(sunday) == 25 * hour);
        CHECK(cal.business_ms(at(sunday), at(monday)) == 25 * hour);
        CHECK(cal.add_business_ms(at(sunday), 24 * hour) == at(monday) - hour);
    }
}

TEST_CASE("DST with intervals inside the switching hours", "[core][calendar]") {
    SECTION("02:00-04:00: one hour in spring, three in autumn, two otherwise") {
        const business_calendar cal(every_day({{120, 240}}));
        CHECK(cal.business_ms(at("2026-03-29T00:00:00+01:00"), at("2026-03-30T00:00:00+02:00")) == 1 * hour);
        CHECK(cal.business_ms(at("2026-10-25T00:00:00+02:00"), at("2026-10-26T00:00:00+01:00")) == 3 * hour);
        CHECK(cal.business_ms(at("2026-10-24T00:00:00+02:00"), at("2026-10-25T00:00:00+02:00")) == 2 * hour);
        // Spring: the wall clock jumps from 02:00 to 03:00, so business time starts at 03:00 CEST.
        CHECK(cal.add_business_ms(at("2026-03-29T00:00:00+01:00"), 1) == at("2026-03-29T03:00:00.001+02:00"));
        // Autumn: 02:00-03:00 is shown twice (CEST, then CET) and counts twice.
        CHECK(cal.add_business_ms(at("2026-10-25T00:00:00+02:00"), hour) == at("2026-10-25T03:00:00+02:00"));
        CHECK(cal.add_business_ms(at("2026-10-25T00:00:00+02:00"), hour + 1) == at("2026-10-25T02:00:00.001+01:00"));
        CHECK(cal.business_ms(at("2026-10-25T02:30:00+02:00"), at("2026-10-25T02:30:00+01:00")) == hour);
    }
    SECTION("02:00-02:30 on the autumn day happens twice") {
        const business_calendar cal(every_day({{120, 150}}));
        CHECK(cal.business_ms(at("2025-10-26T00:00:00+02:00"), at("2025-10-27T00:00:00+01:00")) == 60 * minute);
        CHECK(cal.business_ms(at("2025-03-30T00:00:00+01:00"), at("2025-03-31T00:00:00+02:00")) == 0);
    }
    SECTION("overnight shift as two intervals: Mon 22:00-24:00 and Tue 00:00-06:00") {
        auto c = business_calendar_config::defaults();
        for (auto& d : c.working_hours) d.clear();
        c.working_hours[5] = {{22 * 60, 1440}}; // Saturday
        c.working_hours[6] = {{0, 6 * 60}};     // Sunday
        const business_calendar cal(c);
        // Sat 28.3.2026 22:00 CET to Sun 29.3. 06:00 CEST: 2 h + 5 h (02:00-03:00 does not exist)
        CHECK(cal.business_ms(at("2026-03-28T12:00:00+01:00"), at("2026-03-29T12:00:00+02:00")) == 7 * hour);
        CHECK(cal.business_ms(at("2026-10-24T12:00:00+02:00"), at("2026-10-25T12:00:00+01:00")) == 9 * hour);
    }
}

TEST_CASE("several working intervals a day", "[core][calendar]") {
    auto c = business_calendar_config::defaults();
    for (int d = 0; d < 5; ++d) c.working_hours[d] = {{12 * 60 + 30, 16 * 60 + 30}, {7 * 60 + 30, 12 * 60}};
    const business_calendar cal(c);
    const time_ms eleven = at("2026-10-05T11:00:00+02:00");
    CHECK(cal.business_ms(eleven, at("2026-10-05T13:00:00+02:00")) == 90 * minute);
    CHECK(cal.business_ms(at("2026-10-05T00:00:00+02:00"), at("2026-10-06T00:00:00+02:00")) == 510 * minute);
    CHECK(cal.add_business_ms(eleven, 60 * minute) == at("2026-10-05T12:00:00+02:00"));
    CHECK(cal.add_business_ms(eleven, 60 * minute + 1) == at("2026-10-05T12:30:00.001+02:00"));
    CHECK(cal.add_business_ms(eleven, 90 * minute) == at("2026-10-05T13:00:00+02:00"));
}

TEST_CASE("school holidays count only when configured as business days", "[core][calendar]") {
    auto c = business_calendar_config::defaults();
    c.school_holidays = {{{2026, 10, 17}, {2026, 10, 31}, "Herbstferien"}};
    const time_ms friday = at("2026-10-16T16:00:00+02:00");
    const time_ms monday = at("2026-10-19T09:00:00+02:00");
    SECTION("default: campus managers work in the holidays") {
        const business_calendar cal(c);
        CHECK(cal.business_ms(friday, monday) == 120 * minute);
        CHECK(cal.is_business_day({2026, 10, 19}));
    }
    SECTION("school holidays as non-business days") {
        c.school_holidays_are_business_days = false;
        const business_calendar cal(c);
        CHECK(cal.business_ms(friday, monday) == 30 * minute);
        CHECK_FALSE(cal.is_business_day({2026, 10, 19}));
        CHECK(cal.is_business_day({2026, 11, 2}));
        CHECK(cal.add_business_ms(friday, 31 * minute) == at("2026-11-02T07:31:00+01:00"));
    }
}

TEST_CASE("closure days such as a Brückentag are not business time", "[core][calendar]") {
    auto c = business_calendar_config::defaults();
    const time_ms wednesday = at("2026-05-13T16:00:00+02:00");
    const time_ms monday = at("2026-05-18T08:30:00+02:00");
    CHECK(business_calendar(c).business_ms(wednesday, monday) == (30 + 540 + 60) * minute);
    c.closure_days = {{2026, 5, 15}};
    const business_calendar cal(c);
    CHECK(cal.business_ms(wednesday, monday) == 90 * minute);
    CHECK_FALSE(cal.is_business_day({2026, 5, 15}));
    CHECK_FALSE(cal.is_business_day({2026, 5, 14})); // Christi Himmelfahrt
}

TEST_CASE("invalid calendar settings are rejected", "[core][calendar]") {
    auto c = business_calendar_config::defaults();
    const int change = GENERATE(range(0, 8));
    switch (change) {
    case 0: c.time_zone = "Europe/Bonn"; break;
    case 1: c.holiday_state = "XY"; break;
    case 2: c.working_hours[0] = {{600, 600}}; break;          // empty interval
    case 3: c.working_hours[0] = {{600, 1441}}; break;         // past midnight
    case 4: c.working_hours[0] = {{-1, 600}}; break;           // before midnight
    case 5: c.working_hours = {}; break;                       // no working hours at all
    case 6: c.closure_days = {{2026, 2, 30}}; break;           // a day that does not exist
    default: c.school_holidays = {{{2026, 10, 31}, {2026, 10, 17}, "backwards"}}; break;
    }
    CAPTURE(change);
    CHECK_THROWS_AS(business_calendar(c), std::invalid_argument);
}

TEST_CASE("overlapping intervals are merged, not counted twice", "[core][calendar]") {
    const business_calendar cal(every_day({{8 * 60, 12 * 60}, {10 * 60, 14 * 60}, {14 * 60, 15 * 60}}));
    CHECK(cal.business_ms(at("2026-10-05T00:00:00+02:00"), at("2026-10-06T00:00:00+02:00")) == 7 * hour);
}

TEST_CASE("outside the precomputed years the exact slow path gives the same answers", "[core][calendar]") {
    auto c = business_calendar_config::defaults();
    c.working_hours[5] = {{0, 3 * 60}, {22 * 60, 1440}};
    c.closure_days = {{2026, 1, 2}, {2025, 12, 29}};
    c.school_holidays = {{{2025, 12, 22}, {2026, 1, 6}, "Weihnachtsferien"}};
    c.school_holidays_are_business_days = false;
    const business_calendar table(c, 2000, 2100);
    const business_calendar narrow(c, 2026, 2026); // 2025 and 2027 are computed on the fly
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<time_ms> when(at("2024-11-01T00:00:00Z"), at("2028-02-01T00:00:00Z"));
    std::uniform_int_distribution<std::int64_t> amount(0, 200 * 540 * minute);
    for (int i = 0; i < 400; ++i) {
        time_ms a = when(rng), b = when(rng);
        if (b < a) std::swap(a, b);
        REQUIRE(table.business_ms(a, b) == narrow.business_ms(a, b));
        REQUIRE(table.business_position(b) - table.business_position(a) == table.business_ms(a, b));
        const std::int64_t ms = amount(rng);
        REQUIRE(table.add_business_ms(a, ms) == narrow.add_business_ms(a, ms));
    }
}

TEST_CASE("decades ahead, DST still follows the tz rules", "[core][calendar]") {
    // Fat TZif files list transitions only until 2037; later ones come from the file's POSIX rule.
    const business_calendar cal(every_day({{0, 1440}}));
    const auto [spring_sunday, autumn_sunday] = GENERATE(table<std::string, std::string>({
        {"2060-03-28", "2060-10-31"}, {"2099-03-29", "2099-10-25"}, {"2150-03-29", "2150-10-25"}}));
    CAPTURE(spring_sunday);
    const time_ms spring = at(spring_sunday + "T00:00:00+01:00");
    CHECK(cal.business_ms(spring, spring + 23 * hour) == 23 * hour);
    CHECK(format_iso8601(spring + 23 * hour, cal.zone()).substr(19) == "+02:00");
    const time_ms autumn = at(autumn_sunday + "T00:00:00+02:00");
    CHECK(cal.business_ms(autumn, autumn + 25 * hour) == 25 * hour);
    CHECK(format_iso8601(autumn + 25 * hour, cal.zone()).substr(11) == "00:00:00+01:00");

    const business_calendar office(business_calendar_config::defaults());
    const time_ms friday = at("2060-10-29T16:00:00+02:00");
    CHECK(office.add_business_ms(friday, 60 * minute) == at("2060-11-02T08:00:00+01:00")); // 1.11. Allerheiligen
    const time_ms start = at("2026-10-05T08:00:00+02:00");
    const time_ms later = office.add_business_ms(start, std::int64_t{540} * minute * 250 * 60);
    CHECK(office.business_ms(start, later) == std::int64_t{540} * minute * 250 * 60);
}

TEST_CASE("a calendar is safe to share between threads", "[core][calendar]") {
    const business_calendar cal(business_calendar_config::defaults());
    const time_ms from = at("2026-01-01T00:00:00Z");
    const std::int64_t expected = cal.business_ms(from, from + 365 * 24 * hour);
    std::vector<std::thread> threads;
    std::vector<int> ok(8, 0);
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            bool good = true;
            for (int i = 0; i < 2000; ++i) good = good && cal.business_ms(from, from + 365 * 24 * hour) == expected;
            ok[t] = good;
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 8; ++t) CHECK(ok[t] == 1);
    // 2026 has 261 weekdays; 8 NW holidays fall on one (3.10., 1.11. and 26.12. are weekend days).
    CHECK(expected == 253 * 540 * minute);
}
