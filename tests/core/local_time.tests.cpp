#include "core/local_time.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace campusdesk;

namespace {
const date::time_zone* berlin() { return date::locate_zone("Europe/Berlin"); }
constexpr std::int64_t hour = 3'600'000;
} // namespace

TEST_CASE("ISO 8601 with the local offset", "[core][time]") {
    const auto [utc, local] = GENERATE(table<std::string, std::string>({
        {"2026-10-05T06:14:00Z", "2026-10-05T08:14:00+02:00"},
        {"2026-01-15T11:00:59.999Z", "2026-01-15T12:00:59+01:00"},
        {"2026-03-29T00:59:59Z", "2026-03-29T01:59:59+01:00"},
        {"2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"},
        {"2026-10-25T00:30:00Z", "2026-10-25T02:30:00+02:00"},
        {"2026-10-25T01:30:00Z", "2026-10-25T02:30:00+01:00"},
        {"1969-12-31T23:59:59.500Z", "1970-01-01T00:59:59+01:00"},
        {"2090-07-01T10:00:00Z", "2090-07-01T12:00:00+02:00"},
        {"2090-12-01T10:00:00Z", "2090-12-01T11:00:00+01:00"},
    }));
    const auto t = parse_iso8601(utc);
    REQUIRE(t);
    CHECK(format_iso8601(*t, berlin()) == local);
    CHECK(parse_iso8601(local) == *t - ((*t % 1000) + 1000) % 1000); // whole seconds
}

TEST_CASE("ISO 8601 in other zones", "[core][time]") {
    const time_ms t = *parse_iso8601("2026-07-01T12:00:00Z");
    CHECK(format_iso8601(t, date::locate_zone("America/New_York")) == "2026-07-01T08:00:00-04:00");
    CHECK(format_iso8601(t, date::locate_zone("Asia/Kolkata")) == "2026-07-01T17:30:00+05:30");
    CHECK(format_iso8601(t, date::locate_zone("UTC")) == "2026-07-01T12:00:00+00:00");
}

TEST_CASE("ISO 8601 parsing accepts any offset, Z and fractions", "[core][time]") {
    const time_ms base = 1'791'180'840'000; // 2026-10-05T06:14:00Z
    const auto [text, expected] = GENERATE_COPY(table<std::string, time_ms>({
        {"2026-10-05T06:14:00Z", base},
        {"2026-10-05T06:14Z", base},
        {"2026-10-05T08:14:00+02:00", base},
        {"2026-10-05T01:14:00-05:00", base},
        {"2026-10-05T11:44:00+05:30", base},
        {"2026-10-05T06:14:00-00:00", base},
        {"2026-10-05T06:14:00.5Z", base + 500},
        {"2026-10-05T06:14:00.123Z", base + 123},
        {"2026-10-05T06:14:00.123456789Z", base + 123},
        {"2026-10-05T06:14:59.999+00:00", base + 59'999},
        {"1970-01-01T00:00:00Z", 0},
        {"1969-12-31T23:59:59.999Z", -1},
        {"2024-02-29T00:00:00Z", 1'709'164'800'000},
    }));
    CAPTURE(text);
    CHECK(parse_iso8601(text) == expected);
}

TEST_CASE("ISO 8601 parsing rejects garbage", "[core][time]") {
    const auto text = GENERATE(as<std::string>{}, "", "2026", "2026-10-05", "2026-10-05T08:14:00",
                               "2026-10-05 08:14:00Z", "2026-10-05t08:14:00Z", "2026-10-05T08:14:00z",
                               "2026-10-05T08:14:00+0200", "2026-10-05T08:14:00+02", "2026-10-05T8:14:00Z",
                               "2026-10-5T08:14:00Z", "26-10-05T08:14:00Z", "2026-13-05T08:14:00Z",
                               "2026-00-05T08:14:00Z", "2026-02-29T08:14:00Z", "2026-04-31T08:14:00Z",
                               "2026-10-05T24:00:00Z", "2026-10-05T08:60:00Z", "2026-10-05T08:14:60Z",
                               "2026-10-05T08:14:00.Z", "2026-10-05T08:14:00.1234567890Z",
                               "2026-10-05T08:14:00Z ", " 2026-10-05T08:14:00Z", "2026-10-05T08:14:00+24:00",
                               "2026-10-05T08:14:00+02:60", "2026-10-05T08:14:00ZZ", "2026-10-05T08:14:00+02:00x",
                               "2026-10-05T08:14:0Z", "+2026-10-05T08:14:00Z", "2026-1a-05T08:14:00Z",
                               "2026-10-05T08:14:.5Z", "2026-10-05T08:14.5Z");
    CAPTURE(text);
    CHECK_FALSE(parse_iso8601(text).has_value());
}

TEST_CASE("format and parse round-trip at whole seconds", "[core][time]") {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<time_ms> seconds(0, 4'102'444'800); // 1970..2100
    for (int i = 0; i < 5000; ++i) {
        const time_ms t = seconds(rng) * 1000;
        REQUIRE(parse_iso8601(format_iso8601(t, berlin())) == t);
    }
}

TEST_CASE("German date and time", "[core][time]") {
    CHECK(format_german_datetime(*parse_iso8601("2026-10-05T08:14:59+02:00"), berlin()) == "05.10.2026, 08:14");
    CHECK(format_german_datetime(*parse_iso8601("2026-12-31T23:30:00Z"), berlin()) == "01.01.2027, 00:30");
    CHECK(format_german_datetime(*parse_iso8601("2026-10-25T01:30:00Z"), berlin()) == "25.10.2026, 02:30");
    CHECK(format_german_datetime(*parse_iso8601("0999-03-04T05:06:07Z"), berlin()) == "04.03.0999, 05:59");
}

TEST_CASE("times beyond four-digit years are still written whole", "[core][time]") {
    const time_ms year_10000 = 253402300800000;  // 10000-01-01T00:00:00Z
    CHECK(format_iso8601(year_10000, berlin()) == "10000-01-01T01:00:00+01:00");
    CHECK(format_german_datetime(year_10000, berlin()) == "01.01.10000, 01:00");
}

TEST_CASE("local dates and month starts", "[core][time]") {
    CHECK(local_date_of(*parse_iso8601("2026-09-30T22:00:00Z"), berlin()) == local_date{2026, 10, 1});
    CHECK(local_date_of(*parse_iso8601("2026-09-30T21:59:59.999Z"), berlin()) == local_date{2026, 9, 30});
    CHECK(local_month_start(2026, 10, berlin()) == *parse_iso8601("2026-09-30T22:00:00Z"));
    CHECK(local_month_start(2026, 11, berlin()) == *parse_iso8601("2026-10-31T23:00:00Z"));
    CHECK(local_month_start(2027, 1, berlin()) == *parse_iso8601("2026-12-31T23:00:00Z"));
    CHECK(local_month_start(2095, 7, berlin()) == *parse_iso8601("2095-06-30T22:00:00Z"));
    CHECK_THROWS_AS(local_month_start(2026, 13, berlin()), std::invalid_argument);
    CHECK_THROWS_AS(local_day_start({2026, 2, 29}, berlin()), std::invalid_argument);
    CHECK(local_day_start({2026, 3, 29}, berlin()) + 23 * hour == local_day_start({2026, 3, 30}, berlin()));
    CHECK(local_day_start({2026, 10, 25}, berlin()) + 25 * hour == local_day_start({2026, 10, 26}, berlin()));
}

TEST_CASE("local day start agrees with date::choose::earliest, also where midnight is skipped", "[core][time]") {
    // These zones have (or had) DST switches at midnight, so some local midnights do not exist or repeat.
    const auto name = GENERATE(as<std::string>{}, "America/Santiago", "America/Havana", "Asia/Beirut",
                               "America/Asuncion", "Europe/Berlin", "Australia/Lord_Howe");
    const date::time_zone* zone = date::locate_zone(name);
    CAPTURE(name);
    for (auto day = date::sys_days{date::year{2015} / 1 / 1}; day < date::sys_days{date::year{2025} / 1 / 1};
         day += date::days{1}) {
        const date::year_month_day ymd{day};
        const local_date d{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                           static_cast<unsigned>(ymd.day())};
        const auto expected = zone->to_sys(date::local_days{ymd}, date::choose::earliest);
        REQUIRE(local_day_start(d, zone) == std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 expected.time_since_epoch()).count());
    }
}

TEST_CASE("German business durations", "[core][time]") {
    const auto [ms, text] = GENERATE(table<std::int64_t, std::string>({
        {0, "0 Min."},
        {59'999, "0 Min."},
        {60'000, "1 Min."},
        {45 * 60'000, "45 Min."},
        {60 * 60'000, "1 Std."},
        {130 * 60'000, "2 Std. 10 Min."},
        {539 * 60'000, "8 Std. 59 Min."},
        {540 * 60'000, "1 Tg."},
        {(3 * 540 + 120 + 15) * 60'000, "3 Tg. 2 Std."},
        {2700 * std::int64_t{60'000}, "5 Tg."},
        {-45 * 60'000, "-45 Min."},
        {-30'000, "0 Min."},
    }));
    CHECK(format_german_duration(ms) == text);
}

TEST_CASE("plain dates and whole local days", "[core][time]") {
    CHECK(parse_iso_date("2026-12-04") == local_date{2026, 12, 4});
    for (const char* bad : {"", "2026-12-4", "2026-02-30", "2026-13-01", "2026/12/04", "2026-12-04T00:00", "20261204xx",
                            "2026-1a-04", "2026-00-10"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso_date(bad));
    }
    // The last day of a period given as a day: up to the next local midnight, also across the DST switches.
    CHECK(local_day_end({2026, 12, 4}, berlin()) == *parse_iso8601("2026-12-05T00:00:00+01:00"));
    CHECK(local_day_end({2026, 3, 29}, berlin()) == *parse_iso8601("2026-03-30T00:00:00+02:00"));
    CHECK(local_day_end({2026, 10, 24}, berlin()) == *parse_iso8601("2026-10-25T00:00:00+02:00"));
    CHECK(local_day_end({2026, 12, 31}, berlin()) == *parse_iso8601("2027-01-01T00:00:00+01:00"));
    CHECK_THROWS_AS(local_day_end({2026, 2, 30}, berlin()), std::invalid_argument);
}

TEST_CASE("periods for people: whole days with the last day inclusive", "[core][time]") {
    const auto at = [](const char* text) { return *parse_iso8601(text); };
    CHECK(format_german_period(at("2026-12-01T00:00:00+01:00"), at("2026-12-05T00:00:00+01:00"), berlin()) ==
          "01.12.2026 bis einschließlich 04.12.2026");
    CHECK(format_german_period(at("2026-12-04T00:00:00+01:00"), at("2026-12-05T00:00:00+01:00"), berlin()) ==
          "04.12.2026");
    CHECK(format_german_period(at("2026-10-24T00:00:00+02:00"), at("2026-10-26T00:00:00+01:00"), berlin()) ==
          "24.10.2026 bis einschließlich 25.10.2026");
    CHECK(format_german_period(at("2026-12-01T08:00:00+01:00"), at("2026-12-04T12:00:00+01:00"), berlin()) ==
          "01.12.2026, 08:00 bis 04.12.2026, 12:00");
    CHECK(format_german_period(at("2026-12-01T00:00:00+01:00"), at("2026-12-04T12:00:00+01:00"), berlin()) ==
          "01.12.2026, 00:00 bis 04.12.2026, 12:00");
}

TEST_CASE("deadlines in words", "[core][time]") {
    const auto now = *parse_iso8601("2026-11-29T10:00:00+01:00");
    const auto [at, text] = GENERATE(table<std::string, std::string>({
        {"2026-12-02T10:30:00+01:00", "Mittwoch, 2. Dezember, 10:30 Uhr"},
        {"2026-11-29T08:05:00+01:00", "Sonntag, 29. November, 08:05 Uhr"},
        {"2026-07-13T14:00:00+02:00", "Montag, 13. Juli, 14:00 Uhr"},      // summer time
        {"2026-03-05T07:00:00Z", "Donnerstag, 5. März, 08:00 Uhr"},         // UTC in, Berlin out
        {"2027-01-04T08:00:00+01:00", "Montag, 4. Januar 2027, 08:00 Uhr"}, // another year: with the year
        {"2026-12-31T23:30:00Z", "Freitag, 1. Januar 2027, 00:30 Uhr"},     // the local year counts
    }));
    CHECK(format_german_long_datetime(*parse_iso8601(at), berlin(), now) == text);
}

TEST_CASE("business-time remainders written out", "[core][time]") {
    const auto [ms, text] = GENERATE(table<std::int64_t, std::string>({
        {-60'000, "0 Minuten"},
        {0, "0 Minuten"},
        {60'000, "1 Minute"},
        {25 * 60'000, "25 Minuten"},
        {60 * 60'000, "1 Geschäftsstunde"},
        {61 * 60'000, "1 Geschäftsstunde 1 Minute"},
        {4 * 60 * 60'000, "4 Geschäftsstunden"},
        {250 * 60'000, "4 Geschäftsstunden 10 Minuten"},
        {539 * 60'000, "8 Geschäftsstunden 59 Minuten"},
        {540 * 60'000, "1 Geschäftstag"},
        {(540 + 59) * 60'000, "1 Geschäftstag"},
        {(2 * 540 + 180 + 5) * 60'000, "2 Geschäftstage 3 Geschäftsstunden"},
    }));
    CHECK(format_business_remainder(ms) == text);
    CHECK(format_business_remainder(25 * 60 * 60'000, 0) == "25 Geschäftsstunden");
}

TEST_CASE("German durations with another day length or without days", "[core][time]") {
    CHECK(format_german_duration(1440 * 60'000, 480) == "3 Tg.");
    CHECK(format_german_duration(1500 * 60'000, 0) == "25 Std.");
}

TEST_CASE("a local date and time from a form becomes an instant of the zone", "[core][time]") {
    const auto* zone = berlin();
    CHECK(parse_local_datetime("2026-10-05T09:30", zone) == parse_iso8601("2026-10-05T09:30:00+02:00"));
    CHECK(parse_local_datetime("2026-12-04T09:30", zone) == parse_iso8601("2026-12-04T09:30:00+01:00"));
    // In the spring gap (02:00-03:00 do not exist) the transition; in the autumn overlap the earlier instant.
    CHECK(parse_local_datetime("2026-03-29T02:30", zone) == parse_iso8601("2026-03-29T03:00:00+02:00"));
    CHECK(parse_local_datetime("2026-10-25T02:30", zone) == parse_iso8601("2026-10-25T02:30:00+02:00"));
    for (const char* bad : {"", "2026-10-05", "2026-10-05 09:30", "2026-10-05T24:00", "2026-10-05T09:60",
                            "2026-02-30T09:00", "2026-10-05T9:30", "2026-10-05T09:30:00"})
        CHECK_FALSE(parse_local_datetime(bad, zone).has_value());
}

TEST_CASE("dates and business remainders in English", "[core][time][language]") {
    // 2026-11-30 14:05 in Berlin (UTC+1).
    const time_ms t = 1'796'043'900'000;  // 2026-11-30T13:05:00Z
    CHECK(format_datetime(t, berlin(), language::de) == "30.11.2026, 14:05");
    CHECK(format_datetime(t, berlin(), language::en) == "30 Nov 2026, 14:05");
    CHECK(format_long_datetime(t, berlin(), t, language::en) == "Monday, 30 November, 14:05");
    CHECK(format_long_datetime(t, berlin(), t + 40LL * 24 * hour, language::en) == "Monday, 30 November 2026, 14:05");
    CHECK(format_long_datetime(t, berlin(), t, language::de) == format_german_long_datetime(t, berlin(), t));
    CHECK(format_business_remainder(4 * hour, 540, language::en) == "4 business hours");
    CHECK(format_business_remainder(hour + 60'000, 540, language::en) == "1 business hour 1 minute");
    CHECK(format_business_remainder(2 * 540 * 60'000 + 3 * hour, 540, language::en) ==
          "2 business days 3 business hours");
    CHECK(format_business_remainder(-5, 540, language::en) == "0 minutes");
    CHECK(format_business_remainder(4 * hour, 540, language::de) == "4 Geschäftsstunden");
}

TEST_CASE("periods in English", "[core][time][language]") {
    const auto day = [](int y, unsigned m, unsigned d) { return local_day_start({y, m, d}, berlin()); };
    CHECK(format_period(day(2026, 12, 1), day(2026, 12, 5), berlin(), language::en) ==
          "1 Dec 2026 to 4 Dec 2026 inclusive");
    CHECK(format_period(day(2026, 12, 4), day(2026, 12, 5), berlin(), language::en) == "4 Dec 2026");
    CHECK(format_period(day(2026, 12, 1) + 8 * hour, day(2026, 12, 4) + 12 * hour, berlin(), language::en) ==
          "1 Dec 2026, 08:00 to 4 Dec 2026, 12:00");
    CHECK(format_period(day(2026, 12, 1), day(2026, 12, 5), berlin(), language::de) ==
          "01.12.2026 bis einschließlich 04.12.2026");
}

TEST_CASE("business durations in English", "[core][time][language]") {
    CHECK(format_duration(45 * 60'000, 540, language::en) == "45 min");
    CHECK(format_duration(130 * 60'000, 540, language::en) == "2 h 10 min");
    CHECK(format_duration(120 * 60'000, 540, language::en) == "2 h");
    CHECK(format_duration((3 * 540 + 120) * 60'000LL, 540, language::en) == "3 d 2 h");
    CHECK(format_duration(-30 * 60'000, 540, language::en) == "-30 min");
    CHECK(format_duration(130 * 60'000, 540, language::de) == format_german_duration(130 * 60'000));
}
